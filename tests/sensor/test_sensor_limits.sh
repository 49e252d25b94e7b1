# test_sensor_limits.sh — the hostile-input discipline, each limit seen to
# act: connection rate and concurrent connections per source, the total
# memory cap, the per-connection memory cap, idle and login time limits,
# and (when run as root) privileges dropped after binding.  Every refused
# or cut connection is counted in accord.sensor.stats.
source "$(dirname "$0")/lib.sh"

# hold N PORT SECS: open N connections to PORT at once, keep them SECS,
# print how many the sensor kept open (the others it closed at once).
hold() {
  python3 - "$@" <<'EOS'
import socket, sys, time
n, port, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setblocking(False)
    socks.append(s)
time.sleep(secs)
alive = 0
for s in socks:
    try:
        d = s.recv(4096)
        alive += 1 if d else 0
    except BlockingIOError:
        alive += 1
    except OSError:
        pass
print(alive)
EOS
}
stat_of() {
  jsonq eventid=accord.sensor.stats message=stopped -- "$1" | tail -1
}

# 1. rate per source: a burst of 3, then 1 a second
start_sensor --set rate_per_source=1 --set rate_burst=3
expect_eq "$(hold 10 "$TELNET_PORT" 1)" 3 "connections kept under the rate"
stop_sensor
expect_eq "$(stat_of refused_rate)" 7 "refused by rate"
expect_events 3 eventid=cowrie.session.connect
rm -f "$LOG"

# 2. concurrent connections per source
start_sensor --set max_per_source=2
expect_eq "$(hold 5 "$TELNET_PORT" 1)" 2 "connections kept per source"
stop_sensor
expect_eq "$(stat_of refused_rate)" 3 "refused by count"
rm -f "$LOG"

# 3. the memory of all connections together (a Telnet session reserves
# its state and a 4 KiB line, about 7 KiB: 24 KiB fit three)
start_sensor --set mem_cap=24K --set conn_mem_cap=16K
expect_eq "$(hold 6 "$TELNET_PORT" 1)" 3 "connections within mem_cap"
stop_sensor
expect_eq "$(stat_of refused_capacity)" 3 "refused by mem_cap"
rm -f "$LOG"

# 4. the memory of one connection: a body larger than it can hold
start_sensor --set conn_mem_cap=32K --set http_body_max=64K
head -c 50000 /dev/zero >"$T/body"
set +e
curl -s -o /dev/null -m 10 --data-binary @"$T/body" \
  "http://127.0.0.1:$HTTP_PORT/x"
set -e
wait_events 1 eventid=cowrie.session.closed reason="memory limit"
stop_sensor
expect_eq "$(stat_of closed_limit)" 1 "closed by the memory limit"
rm -f "$LOG"

# 5. idle and login time limits
start_sensor --set idle_timeout=1 --set login_timeout=2
python3 - "$TELNET_PORT" "$SSH_PORT" >"$T/timeouts" <<'EOS'
import socket, sys, time
idle = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
busy = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
t0 = time.time()
for _ in range(40):       # typing, never logging in
    try:
        busy.sendall(b"x")
    except OSError:
        break
    time.sleep(0.1)
for s, name in ((idle, "idle"), (busy, "busy")):
    s.settimeout(2)
    try:
        while s.recv(4096):
            pass
        print(name, "closed")
    except OSError:
        print(name, "open")
EOS
expect_in "$T/timeouts" "idle closed"
expect_in "$T/timeouts" "busy closed"
expect_events 1 eventid=cowrie.session.closed reason="idle time limit"
expect_events 1 eventid=cowrie.session.closed reason="login time limit"
stop_sensor
expect_eq "$(stat_of closed_limit)" 2 "closed by time limits"
rm -f "$LOG"

# 6. privileges: as root the sensor binds, then runs as nobody
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
  chmod 755 "$T"
  start_sensor --set user=nobody
  UID_NOW=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$SENSOR_PID/status")
  N=$(id -u nobody)
  expect_eq "$UID_NOW" "$N $N $N $N" "uids after the drop"
  expect_eq "$(awk '/^Groups:/ {print $2}' "/proc/$SENSOR_PID/status")" "" \
    "supplementary groups"
  expect_eq "$(stat -c %U "$T/state")" nobody "state directory owner"
  curl -s -o /dev/null -m 5 "http://127.0.0.1:$HTTP_PORT/"
  wait_events 1 eventid=cowrie.session.closed protocol=http
  stop_sensor
  expect_eq "$SENSOR_RC" 0 "exit after the drop"
else
  echo "not root: privilege drop not exercised"
fi
pass
