/*
 * test_sensor_record.c — what a session becomes: Cowrie event lines
 * (names, order, hostile bytes), the STIX 2.1 objects of a session (each
 * valid, SCO ids deterministic, every reference resolved), and the spool
 * (segments closed by count, recovered after a restart, ingested into a
 * store by the uploader thread, nothing lost or doubled).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sensor/record.h"
#include "sensor/spool.h"
#include "stix/stix.h"
#include "store/store.h"
#include "util/time.h"

static void fill(acc_sensor_rec *r) {
  acc_sensor_rec_init(r, "ssh");
  snprintf(r->src_ip, sizeof r->src_ip, "203.0.113.7");
  snprintf(r->dst_ip, sizeof r->dst_ip, "192.0.2.1");
  r->src_port = 50123;
  r->dst_port = 22;
  r->start_us = 1700000000000000LL;
  r->end_us = r->start_us + 2500000;
}

static void test_event(void **s) {
  (void)s;
  acc_sensor_rec r;
  fill(&r);
  assert_int_equal(strlen(r.session), 12);
  acc_buf b;
  acc_buf_init(&b, 65536);
  json_t *f = json_pack("{soso}", "username", acc_sensor_jstr("root"),
                        "password", acc_sensor_jstr("p\xff\"w"));
  assert_int_equal(
      acc_sensor_event(&r, "s1", r.start_us, "cowrie.login.failed", "m", f, &b),
      ACC_OK);
  assert_int_equal(b.data[b.len - 1], '\n');
  char want[512];
  snprintf(want, sizeof want,
           "{\"eventid\":\"cowrie.login.failed\",\"timestamp\":"
           "\"2023-11-14T22:13:20.000000Z\",\"src_ip\":\"203.0.113.7\","
           "\"src_port\":50123,\"dst_ip\":\"192.0.2.1\",\"dst_port\":22,"
           "\"session\":\"%s\",\"sensor\":\"s1\",\"protocol\":\"ssh\","
           "\"message\":\"m\",\"username\":\"root\",\"password\":"
           "\"p\xef\xbf\xbd\\\"w\"}\n",
           r.session);
  assert_string_equal(acc_buf_cstr(&b), want);
  acc_buf_free(&b);
  acc_sensor_rec_free(&r);
  acc_sensor_rec_free(NULL);
}

static int n_warn;
static void on_warn(void *ctx, const char *msg) {
  (void)ctx;
  print_message("warning: %s\n", msg);
  n_warn++;
}

static json_t *find(json_t *arr, const char *id) {
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o) {
    if (!strcmp(json_string_value(json_object_get(o, "id")), id))
      return o;
  }
  return NULL;
}

static void test_stix(void **s) {
  (void)s;
  acc_sensor_rec r;
  fill(&r);
  assert_int_equal(acc_sensor_rec_cred(&r, "root", "123456", 0), ACC_OK);
  assert_int_equal(acc_sensor_rec_cred(&r, "root", "123456", 0), ACC_OK);
  assert_int_equal(acc_sensor_rec_cred(&r, "root", "toor", 1), ACC_OK);
  const char *u = "http://198.51.100.9/x.sh";
  acc_sensor_rec_url(&r, u, strlen(u));
  acc_sensor_rec_url(&r, u, strlen(u));
  acc_sensor_rec_ip(&r, "198.51.100.10", 13);
  acc_sensor_rec_file(&r, "payload", 7);
  for (int i = 0; i < 40; i++) { /* bounded */
    char v[32];
    snprintf(v, sizeof v, "http://h/%d", i);
    acc_sensor_rec_url(&r, v, strlen(v));
  }
  assert_int_equal(r.n_creds, 2);
  assert_int_equal(r.n_urls, ACC_REC_MAX_URLS);
  acc_buf b;
  acc_buf_init(&b, 1 << 20);
  assert_int_equal(acc_sensor_stix(&r, &b), ACC_OK);
  assert_null(memchr(b.data, '\n', b.len));
  json_error_t err;
  json_t *arr = json_loads(b.data, 0, &err);
  assert_non_null(arr);
  /* 2 addresses, traffic, 1 account, 16 urls, 1 address, 1 file, od */
  assert_int_equal(json_array_size(arr), 2 + 1 + 1 + 16 + 1 + 1 + 1);
  size_t i;
  json_t *o, *od = NULL;
  n_warn = 0;
  json_array_foreach(arr, i, o) {
    acc_stix_obj so;
    acc_diag d;
    acc_rc rc = acc_stix_validate(o, &so, &d, on_warn, NULL);
    if (rc)
      fail_msg("object %zu invalid: %s", i, d.msg);
    if (!strcmp(so.type, "observed-data"))
      od = o;
  }
  assert_int_equal(n_warn, 0);
  assert_non_null(od);
  json_t *refs = json_object_get(od, "object_refs");
  assert_int_equal(json_array_size(refs), json_array_size(arr) - 1);
  json_array_foreach(refs, i, o) {
    assert_non_null(find(arr, json_string_value(o)));
  }
  assert_string_equal(json_string_value(json_object_get(od, "first_observed")),
                      "2023-11-14T22:13:20.000Z");
  assert_string_equal(json_string_value(json_object_get(od, "last_observed")),
                      "2023-11-14T22:13:22.500Z");
  /* the traffic's references and the credential */
  json_t *nt = json_array_get(arr, 2);
  assert_string_equal(json_string_value(json_object_get(nt, "type")),
                      "network-traffic");
  assert_non_null(find(arr, json_string_value(json_object_get(nt, "src_ref"))));
  json_t *ua = json_array_get(arr, 3);
  /* one account per login; its credential is the one that worked */
  assert_string_equal(json_string_value(json_object_get(ua, "type")),
                      "user-account");
  assert_string_equal(json_string_value(json_object_get(ua, "credential")),
                      "toor");
  /* deterministic: the same session twice gives the same SCO ids */
  acc_buf b2;
  acc_buf_init(&b2, 1 << 20);
  acc_sensor_stix(&r, &b2);
  json_t *arr2 = json_loads(b2.data, 0, &err);
  for (i = 0; i + 1 < json_array_size(arr); i++)
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(arr, i), "id")),
        json_string_value(json_object_get(json_array_get(arr2, i), "id")));
  json_decref(arr);
  json_decref(arr2);
  acc_buf_free(&b);
  acc_buf_free(&b2);
  acc_sensor_rec_free(&r);
}

static void test_stix_http(void **s) {
  (void)s;
  acc_sensor_rec r;
  acc_sensor_rec_init(&r, "http");
  snprintf(r.src_ip, sizeof r.src_ip, "2001:db8::1");
  snprintf(r.dst_ip, sizeof r.dst_ip, "2001:db8::2");
  r.start_us = r.end_us = 1700000000000000LL;
  acc_sensor_rec_http(&r, "POST", 4, "/cgi-bin/x", 10, "HTTP/1.1", 8);
  acc_buf b;
  acc_buf_init(&b, 1 << 20);
  assert_int_equal(acc_sensor_stix(&r, &b), ACC_OK);
  json_t *arr = json_loads(b.data, 0, NULL);
  assert_non_null(arr);
  json_t *a = json_array_get(arr, 0);
  assert_string_equal(json_string_value(json_object_get(a, "type")),
                      "ipv6-addr");
  json_t *nt = json_array_get(arr, 2);
  json_t *ext =
      json_object_get(json_object_get(nt, "extensions"), "http-request-ext");
  assert_string_equal(json_string_value(json_object_get(ext, "request_method")),
                      "post");
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o) {
    acc_stix_obj so;
    acc_diag d;
    if (acc_stix_validate(o, &so, &d, NULL, NULL))
      fail_msg("object %zu invalid: %s", i, d.msg);
  }
  json_decref(arr);
  acc_buf_free(&b);
  acc_sensor_rec_free(&r);
}

/* ---- spool ---- */

static int count_files(const char *dir) {
  char cmd[300];
  snprintf(cmd, sizeof cmd, "ls '%s' | grep -c '^[0-9]*\\.jsonl$'", dir);
  FILE *p = popen(cmd, "r");
  int n = -1;
  if (p) {
    if (fscanf(p, "%d", &n) != 1)
      n = -1;
    pclose(p);
  }
  return n;
}

static int64_t count_records(acc_store *st, const char *type) {
  acc_stats s;
  acc_diag d;
  memset(&s, 0, sizeof s);
  if (st->ops->stats(st, &s, &d))
    return -1;
  int64_t n = 0;
  for (size_t i = 0; i < s.n_types; i++)
    if (!strcmp(s.types[i].type, type))
      n = s.types[i].versions;
  acc_stats_free(&s);
  return n;
}

static void test_spool(void **s) {
  (void)s;
  char dir[64] = "/tmp/acc-spool-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char sp[128], store[128];
  snprintf(sp, sizeof sp, "%s/spool", dir);
  snprintf(store, sizeof store, "%s/store", dir);
  acc_diag d;
  acc_store *st;
  assert_int_equal(acc_store_open(store, 1, &st, &d), ACC_OK);
  acc_store_close(st);

  /* no uploader: three sessions, batch of two → one closed segment and
   * one open one */
  acc_spool_opts o = {.dir = sp,
                      .batch = 2,
                      .flush_ms = 60000,
                      .max_bytes = 1 << 20,
                      .retry_max_s = 1};
  acc_spool *q;
  assert_int_equal(acc_spool_open(&o, &q, &d), ACC_OK);
  acc_sensor_rec r;
  fill(&r);
  acc_buf b;
  acc_buf_init(&b, 1 << 20);
  for (int i = 0; i < 3; i++) {
    char pw[16];
    snprintf(pw, sizeof pw, "pw%d", i);
    acc_sensor_rec_cred(&r, "root", pw, 0);
    acc_buf_reset(&b);
    assert_int_equal(acc_sensor_stix(&r, &b), ACC_OK);
    assert_int_equal(acc_spool_append(q, b.data, b.len, &d), ACC_OK);
  }
  assert_int_equal(count_files(sp), 1);
  assert_false(acc_spool_full(q));
  /* a crash: the open segment stays as it is, with a torn last line */
  char open_path[160];
  snprintf(open_path, sizeof open_path, "%s/open.jsonl", sp);
  acc_spool_free(q, 0); /* closes the open segment: 2 segments */
  assert_int_equal(count_files(sp), 2);
  FILE *f = fopen(open_path, "w");
  fputs("[{\"type\":\"ipv4-a", f); /* torn */
  fclose(f);

  /* restart with the store as destination: all is sent, the torn line
   * is skipped and counted */
  o.store_dir = store;
  assert_int_equal(acc_spool_open(&o, &q, &d), ACC_OK);
  assert_int_equal(count_files(sp), 3);
  assert_int_equal(acc_spool_start(q, &d), ACC_OK);
  acc_spool_counts c;
  for (int i = 0; i < 200; i++) {
    acc_spool_counts_get(q, &c);
    if (c.segments == 0)
      break;
    usleep(20000);
  }
  acc_spool_counts_get(q, &c);
  assert_int_equal(c.segments, 0);
  assert_int_equal(c.sessions_sent, 3);
  assert_int_equal(c.lines_skipped, 1);
  assert_int_equal(c.bytes, 0);
  acc_spool_free(q, 1000);
  assert_int_equal(count_files(sp), 0);
  assert_int_equal(acc_store_open(store, 0, &st, &d), ACC_OK);
  assert_int_equal(count_records(st, "observed-data"), 3);
  assert_int_equal(count_records(st, "user-account"), 3);
  acc_store_close(st);

  /* a spool past its bound says so */
  o.store_dir = NULL;
  o.max_bytes = 10;
  assert_int_equal(acc_spool_open(&o, &q, &d), ACC_OK);
  assert_int_equal(acc_spool_append(q, b.data, b.len, &d), ACC_OK);
  assert_true(acc_spool_full(q));
  acc_spool_free(q, 0);

  acc_buf_free(&b);
  acc_sensor_rec_free(&r);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_event),
      cmocka_unit_test(test_stix),
      cmocka_unit_test(test_stix_http),
      cmocka_unit_test(test_spool),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
