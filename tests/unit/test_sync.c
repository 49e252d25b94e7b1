/*
 * test_sync.c — unit tests of federation's pieces (src/sync): Retry-After
 * and the backoff schedule, the envelope scanner (paging: more, next,
 * objects), status, discovery and error parsing, the pull watermark and
 * the query it builds, peer settings, secrets on disk, and the state's
 * life in the store (it commits and rolls back with the transaction it
 * is written in; provenance follows removed objects).
 */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include <sys/stat.h>

#include "ingest/ingest.h"
#include "policy/policy.h"
#include "sync/sync.h"
#include "testutil.h"
#include "util/time.h"

/* ---- Retry-After and backoff ---- */

static void test_retry_after(void **state) {
  (void)state;
  int64_t now;
  assert_int_equal(acc_time_parse("1994-11-06T08:49:27Z", 20, 1, &now), 0);
  assert_int_equal(acc_sync_retry_after_ms("120", now), 120000);
  assert_int_equal(acc_sync_retry_after_ms(" 3 ", now), 3000);
  assert_int_equal(acc_sync_retry_after_ms("0", now), 0);
  assert_int_equal(acc_sync_retry_after_ms(NULL, now), -1);
  assert_int_equal(acc_sync_retry_after_ms("", now), -1);
  assert_int_equal(acc_sync_retry_after_ms("soon", now), -1);
  assert_int_equal(acc_sync_retry_after_ms("-1", now), -1);
  assert_int_equal(acc_sync_retry_after_ms("1.5", now), -1);
  assert_true(acc_sync_retry_after_ms("99999999999999", now) > 1000000000);
  /* HTTP-date (IMF-fixdate): ten seconds after now. */
  assert_int_equal(
      acc_sync_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now), 10000);
  /* In the past: retry at once. */
  assert_int_equal(
      acc_sync_retry_after_ms("Sun, 06 Nov 1994 08:49:00 GMT", now), 0);
  assert_int_equal(acc_sync_retry_after_ms("Sun, 99 Foo 1994 ab", now), -1);
}

static void test_backoff(void **state) {
  (void)state;
  for (uint32_t r = 0; r < 1000; r += 37) {
    unsigned a0 = acc_sync_backoff_ms(0, 60000, r);
    assert_true(a0 >= 250 && a0 <= 500);
    unsigned a3 = acc_sync_backoff_ms(3, 60000, r);
    assert_true(a3 >= 2000 && a3 <= 4000);
    unsigned big = acc_sync_backoff_ms(100, 60000, r);
    assert_true(big >= 30000 && big <= 60000);
  }
  assert_int_equal(acc_sync_backoff_ms(5, 0, 7), 0);
}

/* ---- envelopes ---- */

static acc_rc env(const char *s, acc_sync_envelope *e) {
  acc_diag d;
  return acc_sync_envelope_parse(s, strlen(s), e, &d);
}

static void test_envelope(void **state) {
  (void)state;
  acc_sync_envelope e;
  assert_int_equal(env("{\"more\":true,\"next\":\"abc\",\"objects\":"
                       "[{\"a\":[1,2,{\"b\":null}]},{}]}",
                       &e),
                   ACC_OK);
  assert_true(e.more);
  assert_true(e.has_next);
  assert_string_equal(e.next, "abc");
  assert_true(e.has_objects);
  assert_int_equal(e.n_objects, 2);
  /* Absent more is false; an envelope may be empty. */
  assert_int_equal(env(" {} ", &e), ACC_OK);
  assert_false(e.more);
  assert_false(e.has_objects);
  assert_int_equal(env("{\"objects\":[]}", &e), ACC_OK);
  assert_true(e.has_objects);
  assert_int_equal(e.n_objects, 0);
  assert_int_equal(env("\xEF\xBB\xBF{\"more\":false}", &e), ACC_OK);
  /* Custom properties are skipped, whatever they hold. */
  assert_int_equal(
      env("{\"x_y\":{\"more\":true},\"more\":false,\"z\":-0.5e+3}", &e),
      ACC_OK);
  assert_false(e.more);
  /* Escapes in next are undone (\u0062 is b; a surrogate pair is one
   * code point in UTF-8). */
  assert_int_equal(env("{\"next\":\"a\\u0062c\\/\\ud83d\\ude00\"}", &e),
                   ACC_OK);
  assert_string_equal(e.next, "abc/\xF0\x9F\x98\x80");
  /* Refused. */
  assert_int_equal(env("{\"more\": tru", &e), ACC_EJSON);
  assert_int_equal(env("[]", &e), ACC_EJSON);
  assert_int_equal(env("", &e), ACC_EJSON);
  assert_int_equal(env("{\"more\":\"yes\"}", &e), ACC_EJSON);
  assert_int_equal(env("{\"next\":3}", &e), ACC_EJSON);
  assert_int_equal(env("{\"objects\":{}}", &e), ACC_EJSON);
  assert_int_equal(env("{\"more\":true,\"more\":false}", &e), ACC_EJSON);
  assert_int_equal(env("{} x", &e), ACC_EJSON);
  assert_int_equal(env("{\"a\":01}", &e), ACC_EJSON);
  assert_int_equal(env("{\"next\":\"\\ude00\"}", &e), ACC_EJSON);
  assert_int_equal(env("{\"next\":\"a\x01\"}", &e), ACC_EJSON);
  assert_int_equal(env("{\"next\":\"\\u0000\"}", &e), ACC_EJSON);
  assert_int_equal(env("{\"objects\":[1,]}", &e), ACC_EJSON);
  /* Nesting: 64 levels are fine, 65 are not. */
  char deep[300];
  size_t n = 0;
  n += (size_t)snprintf(deep, sizeof deep, "{\"objects\":");
  for (int i = 0; i < 63; i++)
    deep[n++] = '[';
  for (int i = 0; i < 63; i++)
    deep[n++] = ']';
  deep[n++] = '}';
  deep[n] = '\0';
  assert_int_equal(env(deep, &e), ACC_OK);
  n = (size_t)snprintf(deep, sizeof deep, "{\"objects\":");
  for (int i = 0; i < 64; i++)
    deep[n++] = '[';
  for (int i = 0; i < 64; i++)
    deep[n++] = ']';
  deep[n++] = '}';
  deep[n] = '\0';
  acc_diag d;
  assert_int_equal(acc_sync_envelope_parse(deep, n, &e, &d), ACC_EJSON);
  assert_non_null(strstr(d.msg, "64 deep"));
  /* A next token longer than we keep: flagged, not kept. */
  size_t big = ACC_PEER_NEXT_MAX + 100;
  char *s = malloc(big + 32);
  n = (size_t)snprintf(s, big + 32, "{\"more\":true,\"next\":\"");
  memset(s + n, 'x', big);
  n += big;
  memcpy(s + n, "\"}", 3);
  assert_int_equal(acc_sync_envelope_parse(s, n + 2, &e, &d), ACC_OK);
  assert_true(e.has_next);
  assert_true(e.next_too_long);
  assert_string_equal(e.next, "");
  free(s);
}

/* ---- status, discovery, errors ---- */

static void test_status(void **state) {
  (void)state;
  acc_sync_status s;
  acc_diag d;
  const char *ok =
      "{\"id\":\"2d086da7-4bdc-4f91-900e-d77486753710\",\"status\":"
      "\"complete\",\"total_count\":4,\"success_count\":3,\"failures\":[{"
      "\"id\":\"malware--664fa29d-bf65-4f28-a667-bdb76f29ec98\",\"version\":"
      "\"2018-05-28T14:03:42.543Z\",\"message\":\"Unable\\nto process\"}],"
      "\"failure_count\":1,\"pending_count\":0}";
  assert_int_equal(acc_sync_status_parse(ok, strlen(ok), &s, &d), ACC_OK);
  assert_true(s.complete);
  assert_int_equal(s.total, 4);
  assert_int_equal(s.success, 3);
  assert_int_equal(s.failure, 1);
  assert_string_equal(s.failure_msg,
                      "malware--664fa29d-bf65-4f28-a667-bdb76f29ec98: Unable "
                      "to process");
  const char *pend = "{\"id\":\"ab-12\",\"status\":\"pending\",\"total_count\":"
                     "1,\"success_count\":0,\"failure_count\":0,"
                     "\"pending_count\":1}";
  assert_int_equal(acc_sync_status_parse(pend, strlen(pend), &s, &d), ACC_OK);
  assert_false(s.complete);
  const char *bad[] = {
      "{\"id\":\"../x\",\"status\":\"complete\",\"total_count\":0,"
      "\"success_count\":0,\"failure_count\":0,\"pending_count\":0}",
      "{\"id\":\"ab\",\"status\":\"done\",\"total_count\":0,"
      "\"success_count\":0,\"failure_count\":0,\"pending_count\":0}",
      "{\"id\":\"ab\",\"status\":\"complete\",\"total_count\":-1,"
      "\"success_count\":0,\"failure_count\":0,\"pending_count\":0}",
      "{\"id\":\"ab\",\"status\":\"complete\"}",
      "[1]",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_not_equal(acc_sync_status_parse(bad[i], strlen(bad[i]), &s, &d),
                         ACC_OK);
  assert_int_equal(acc_sync_status_parse("{", 1, &s, &d), ACC_EJSON);
}

static void test_discovery_and_errors(void **state) {
  (void)state;
  char root[256], text[128];
  acc_diag d;
  const char *a = "{\"title\":\"t\",\"default\":\"/api2/\",\"api_roots\":"
                  "[\"/api1/\",\"/api2/\"]}";
  assert_int_equal(
      acc_sync_discovery_parse(a, strlen(a), root, sizeof root, &d), ACC_OK);
  assert_string_equal(root, "/api2/");
  const char *b = "{\"title\":\"t\",\"api_roots\":[\"https://h/r/\"]}";
  assert_int_equal(
      acc_sync_discovery_parse(b, strlen(b), root, sizeof root, &d), ACC_OK);
  assert_string_equal(root, "https://h/r/");
  const char *c = "{\"title\":\"t\",\"api_roots\":[\"/a/\",\"/b/\"]}";
  assert_int_equal(
      acc_sync_discovery_parse(c, strlen(c), root, sizeof root, &d),
      ACC_ENOTFOUND);
  const char *e = "{\"title\":\"Bad\",\"description\":\"no\\nway\"}";
  acc_sync_error_text(e, strlen(e), text, sizeof text);
  assert_string_equal(text, "Bad: no way");
  const char *h = "<html>\x01oops</html>";
  acc_sync_error_text(h, strlen(h), text, sizeof text);
  assert_string_equal(text, "<html> oops</html>");
  acc_sync_error_text("", 0, text, sizeof text);
  assert_string_equal(text, "");
  const char *r = "{\"title\":\"r\",\"versions\":[\"x\"],"
                  "\"max_content_length\":1048576}";
  assert_int_equal(acc_sync_api_root_max_content(r, strlen(r)), 1048576);
  assert_int_equal(acc_sync_api_root_max_content("{}", 2), 0);
}

/* ---- watermark and query ---- */

static void test_watermark(void **state) {
  (void)state;
  char wm[64] = "";
  assert_false(acc_sync_watermark_advance(wm, ""));
  assert_false(acc_sync_watermark_advance(wm, "yesterday"));
  assert_string_equal(wm, "");
  assert_true(acc_sync_watermark_advance(wm, "2026-01-01T00:00:00.000001Z"));
  assert_string_equal(wm, "2026-01-01T00:00:00.000001Z");
  /* Equal or earlier: stays (a peer's clock may repeat or go back). */
  assert_false(acc_sync_watermark_advance(wm, "2026-01-01T00:00:00.000001Z"));
  assert_false(acc_sync_watermark_advance(wm, "2025-12-31T23:59:59Z"));
  assert_string_equal(wm, "2026-01-01T00:00:00.000001Z");
  /* Later: taken as the peer wrote it. */
  assert_true(acc_sync_watermark_advance(wm, "2026-01-01T00:00:00.5Z"));
  assert_string_equal(wm, "2026-01-01T00:00:00.5Z");
}

static void test_query(void **state) {
  (void)state;
  acc_buf b;
  acc_buf_init(&b, 4096);
  acc_buf_puts(&b, "https://h/api/collections/c/objects/");
  assert_int_equal(acc_sync_objects_query(&b, "2026-01-01T00:00:00.000000Z",
                                          100, 1, "a+b/c=d"),
                   ACC_OK);
  assert_string_equal(acc_buf_cstr(&b),
                      "https://h/api/collections/c/objects/"
                      "?added_after=2026-01-01T00:00:00.000000Z&limit=100"
                      "&match%5Bversion%5D=all&next=a%2Bb%2Fc%3Dd");
  acc_buf_reset(&b);
  acc_buf_puts(&b, "https://h/o/");
  assert_int_equal(acc_sync_objects_query(&b, "", 5, 0, ""), ACC_OK);
  assert_string_equal(acc_buf_cstr(&b), "https://h/o/?limit=5");
  acc_buf_free(&b);
}

static void test_url_check(void **state) {
  (void)state;
  char origin[256];
  acc_diag d;
  assert_int_equal(acc_sync_url_check("https://taxii.example.org/x", 0, origin,
                                      sizeof origin, &d),
                   ACC_OK);
  assert_string_equal(origin, "https://taxii.example.org:443");
  assert_int_equal(
      acc_sync_url_check("http://127.0.0.1:8470", 0, origin, sizeof origin, &d),
      ACC_OK);
  assert_int_equal(acc_sync_url_check("http://[::1]:8470/", 0, NULL, 0, &d),
                   ACC_OK);
  assert_int_equal(acc_sync_url_check("http://example.org", 0, NULL, 0, &d),
                   ACC_EINVAL);
  assert_non_null(strstr(d.msg, "HTTPS"));
  assert_int_equal(acc_sync_url_check("http://example.org", 1, NULL, 0, &d),
                   ACC_OK);
  assert_int_equal(
      acc_sync_url_check("https://u:p@example.org", 0, NULL, 0, &d),
      ACC_EINVAL);
  assert_non_null(strstr(d.msg, "--auth"));
  assert_int_equal(acc_sync_url_check("ftp://example.org", 0, NULL, 0, &d),
                   ACC_EINVAL);
  assert_int_equal(acc_sync_url_check("not a url", 0, NULL, 0, &d), ACC_EINVAL);
}

/* ---- peer settings ---- */

static void test_peer_settings(void **state) {
  fx *f = *state;
  acc_store *s = f->s;
  acc_diag d;
  acc_org o = {.member = 1};
  snprintf(o.name, sizeof o.name, "cert-x");
  assert_int_equal(s->ops->org_add(s, &o, &d), ACC_OK);
  acc_sync_peer p;
  acc_sync_peer_defaults(&p);
  snprintf(p.name, sizeof p.name, "x");
  assert_int_equal(acc_sync_peer_check(&p, &d), ACC_EUSAGE); /* no org */
  assert_int_equal(acc_sync_peer_set(s, &p, "org", "cert-x", &d), ACC_OK);
  assert_int_equal(acc_sync_peer_set(s, &p, "org", "nobody", &d), ACC_EUSAGE);
  assert_int_equal(acc_sync_peer_set(s, &p, "url", "https://h:8443", &d),
                   ACC_OK);
  assert_int_equal(acc_sync_peer_set(s, &p, "collection", "abc-1", &d), ACC_OK);
  assert_int_equal(acc_sync_peer_set(s, &p, "collection", "a/b", &d),
                   ACC_EUSAGE);
  assert_int_equal(acc_sync_peer_set(s, &p, "interval", "500ms", &d), ACC_OK);
  assert_int_equal(p.interval_ms, 500);
  assert_int_equal(acc_sync_peer_set(s, &p, "interval", "5m", &d), ACC_OK);
  assert_int_equal(p.interval_ms, 300000);
  assert_int_equal(acc_sync_peer_set(s, &p, "interval", "50ms", &d),
                   ACC_EUSAGE);
  assert_int_equal(acc_sync_peer_set(s, &p, "interval", "5x", &d), ACC_EUSAGE);
  assert_int_equal(acc_sync_peer_set(s, &p, "max-response", "16M", &d), ACC_OK);
  assert_int_equal(p.max_response, 16u << 20);
  assert_int_equal(acc_sync_peer_set(s, &p, "max-response", "16Q", &d),
                   ACC_EUSAGE);
  assert_int_equal(acc_sync_peer_set(s, &p, "low-speed", "100/2", &d), ACC_OK);
  assert_int_equal(p.low_speed_bytes, 100);
  assert_int_equal(p.low_speed_s, 2);
  assert_int_equal(acc_sync_peer_set(s, &p, "low-speed", "100", &d),
                   ACC_EUSAGE);
  assert_int_equal(acc_sync_peer_set(s, &p, "direction", "both", &d), ACC_OK);
  assert_int_equal(acc_sync_peer_set(s, &p, "direction", "sideways", &d),
                   ACC_EUSAGE);
  assert_int_equal(acc_sync_peer_set(s, &p, "local-collection", "default", &d),
                   ACC_OK);
  assert_int_equal(acc_sync_peer_set(s, &p, "push-from", "none-such", &d),
                   ACC_EUSAGE);
  assert_int_equal(acc_sync_peer_set(s, &p, "page-size", "0", &d), ACC_EUSAGE);
  assert_int_equal(acc_sync_peer_set(s, &p, "no-such", "1", &d), ACC_EUSAGE);
  /* Saved and read back the same. */
  assert_int_equal(acc_sync_peer_save(s, &p, &d), ACC_OK);
  assert_true(p.pid > 0);
  acc_sync_peer q;
  assert_int_equal(acc_sync_peer_load(s, "x", &q, &d), ACC_OK);
  assert_int_equal(q.pid, p.pid);
  assert_int_equal(q.oid, o.oid);
  assert_string_equal(q.org, "cert-x");
  assert_string_equal(q.url, "https://h:8443");
  assert_int_equal(q.direction, ACC_SYNC_PULL | ACC_SYNC_PUSH);
  assert_int_equal(q.interval_ms, 300000);
  assert_int_equal(q.max_response, 16u << 20);
  assert_int_equal(q.low_speed_s, 2);
  /* Names are unique; a plain-http peer off loopback is refused. */
  q.pid = 0;
  assert_int_equal(acc_sync_peer_save(s, &q, &d), ACC_EEXIST);
  acc_sync_peer_defaults(&q);
  snprintf(q.name, sizeof q.name, "y");
  q.oid = o.oid;
  snprintf(q.url, sizeof q.url, "http://example.org");
  snprintf(q.collection, sizeof q.collection, "c");
  assert_int_equal(acc_sync_peer_save(s, &q, &d), ACC_EUSAGE);
  assert_false(acc_sync_peer_name_ok(""));
  assert_false(acc_sync_peer_name_ok("a b"));
  assert_false(acc_sync_peer_name_ok("-a"));
  assert_true(acc_sync_peer_name_ok("cert.fr_2-x"));
  /* The peer's organisation is known to the policy's peer set. */
  int64_t oids[4];
  size_t n = 0;
  assert_int_equal(s->ops->peer_orgs(s, oids, 4, &n, &d), ACC_OK);
  assert_int_equal(n, 1);
  assert_int_equal(oids[0], o.oid);
}

/* ---- secrets ---- */

static void test_secrets(void **state) {
  fx *f = *state;
  acc_diag d;
  char buf[64], path[256];
  assert_int_equal(acc_sync_secret_read(f->dir, 9, buf, sizeof buf, &d),
                   ACC_ENOTFOUND);
  assert_int_equal(acc_sync_secret_write(f->dir, 9, "s3cret", &d), ACC_OK);
  snprintf(path, sizeof path, "%s/secrets/peer-9", f->dir);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  snprintf(path, sizeof path, "%s/secrets", f->dir);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0700);
  assert_int_equal(acc_sync_secret_read(f->dir, 9, buf, sizeof buf, &d),
                   ACC_OK);
  assert_string_equal(buf, "s3cret");
  /* Replaced whole; refused when others may read it. */
  assert_int_equal(acc_sync_secret_write(f->dir, 9, "other", &d), ACC_OK);
  assert_int_equal(acc_sync_secret_read(f->dir, 9, buf, sizeof buf, &d),
                   ACC_OK);
  assert_string_equal(buf, "other");
  snprintf(path, sizeof path, "%s/secrets/peer-9", f->dir);
  assert_int_equal(chmod(path, 0644), 0);
  assert_int_equal(acc_sync_secret_read(f->dir, 9, buf, sizeof buf, &d),
                   ACC_EIO);
  assert_non_null(strstr(d.msg, "read by others"));
  assert_int_equal(acc_sync_secret_write(f->dir, 9, "bad\nline", &d),
                   ACC_EUSAGE);
  assert_int_equal(acc_sync_secret_remove(f->dir, 9, &d), ACC_OK);
  assert_int_equal(acc_sync_secret_read(f->dir, 9, buf, sizeof buf, &d),
                   ACC_ENOTFOUND);
  /* The run lock: one holder at a time. */
  acc_sync_lock *l1 = NULL, *l2 = NULL;
  assert_int_equal(acc_sync_lock_take(f->dir, 9, 0, &l1, &d), ACC_OK);
  assert_int_equal(acc_sync_lock_take(f->dir, 9, 100, &l2, &d), ACC_EEXIST);
  acc_sync_lock_release(l1);
  assert_int_equal(acc_sync_lock_take(f->dir, 9, 0, &l2, &d), ACC_OK);
  acc_sync_lock_release(l2);
}

/* ---- state and provenance in the store ---- */

static int64_t add_peer(acc_store *s) {
  acc_diag d;
  acc_org o = {.member = 1};
  snprintf(o.name, sizeof o.name, "cert-p");
  assert_int_equal(s->ops->org_add(s, &o, &d), ACC_OK);
  acc_peer_row row = {.oid = o.oid};
  snprintf(row.name, sizeof row.name, "p");
  snprintf(row.config, sizeof row.config, "{}");
  assert_int_equal(s->ops->peer_add(s, &row, &d), ACC_OK);
  return row.pid;
}

static void test_state_commits_with_objects(void **state) {
  fx *f = *state;
  acc_store *s = f->s;
  acc_diag d;
  int64_t pid = add_peer(s);
  acc_peer_state st;
  assert_int_equal(s->ops->peer_state_get(s, pid, &st, &d), ACC_OK);
  assert_string_equal(st.pull_after, "");
  assert_true(st.push_after_us == ACC_TIME_NONE);
  assert_true(st.attempt_us == ACC_TIME_NONE);
  /* Written inside a transaction that rolls back: as if never written. */
  assert_int_equal(acc_store_begin(s, &d), ACC_OK);
  snprintf(st.pull_after, sizeof st.pull_after, "2026-01-01T00:00:00Z");
  st.pulled = 5;
  assert_int_equal(s->ops->peer_state_put(s, &st, &d), ACC_OK);
  assert_int_equal(acc_store_rollback(s), ACC_OK);
  assert_int_equal(s->ops->peer_state_get(s, pid, &st, &d), ACC_OK);
  assert_string_equal(st.pull_after, "");
  assert_int_equal(st.pulled, 0);
  /* A page through acc_ingest: objects, provenance and watermark commit
   * together. */
  const char *page =
      "{\"objects\":[{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
      "\"indicator--11111111-2222-4333-8444-555555555555\",\"created\":"
      "\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","
      "\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",\"pattern_type\":"
      "\"stix\",\"valid_from\":\"2026-01-01T00:00:00Z\"}]}";
  acc_ingest_counts c;
  assert_int_equal(acc_ingest(s, page, strlen(page), NULL, &c, NULL, &d),
                   ACC_OK);
  assert_int_equal(c.stored, 1);
  acc_stats stats;
  assert_int_equal(acc_store_stats(s, &stats, &d), ACC_OK);
  int64_t added = stats.last_added_us;
  acc_stats_free(&stats);
  assert_int_equal(acc_store_begin(s, &d), ACC_OK);
  assert_int_equal(s->ops->provenance_add(s, added, pid, "p", 42, &d), ACC_OK);
  snprintf(st.pull_after, sizeof st.pull_after, "2026-02-01T00:00:00Z");
  assert_int_equal(s->ops->peer_state_put(s, &st, &d), ACC_OK);
  assert_int_equal(acc_store_commit(s, &d), ACC_OK);
  char peer[ACC_NAME_MAX];
  int64_t recv = 0;
  assert_int_equal(s->ops->provenance_get(s, added, peer, &recv, &d), ACC_OK);
  assert_string_equal(peer, "p");
  assert_int_equal(recv, 42);
  assert_int_equal(s->ops->provenance_get(s, added + 1, peer, &recv, &d),
                   ACC_ENOTFOUND);
  assert_int_equal(s->ops->peer_state_get(s, pid, &st, &d), ACC_OK);
  assert_string_equal(st.pull_after, "2026-02-01T00:00:00Z");
  /* Pending versions of a collection after a watermark. */
  int64_t count, first, last;
  assert_int_equal(s->ops->added_range(s, ACC_DEFAULT_COLLECTION, ACC_TIME_NONE,
                                       &count, &first, &last, &d),
                   ACC_OK);
  assert_int_equal(count, 1);
  assert_true(first == added && last == added);
  assert_int_equal(s->ops->added_range(s, ACC_DEFAULT_COLLECTION, added, &count,
                                       &first, &last, &d),
                   ACC_OK);
  assert_int_equal(count, 0);
  assert_true(first == ACC_TIME_NONE);
  /* Removing the object removes its provenance; removing the peer keeps
   * the provenance of what is still stored but drops its state. */
  acc_query q;
  acc_query_init(&q);
  q.collection = ACC_DEFAULT_COLLECTION;
  q.version = ACC_VER_ALL;
  assert_int_equal(acc_store_begin(s, &d), ACC_OK);
  assert_int_equal(acc_store_remove(s, &q, NULL, &d), ACC_OK);
  assert_int_equal(acc_store_commit(s, &d), ACC_OK);
  assert_int_equal(s->ops->provenance_get(s, added, peer, &recv, &d),
                   ACC_ENOTFOUND);
  assert_int_equal(s->ops->peer_remove(s, pid, &d), ACC_OK);
  assert_int_equal(s->ops->peer_state_get(s, pid, &st, &d), ACC_OK);
  assert_string_equal(st.pull_after, "");
  size_t n = 9;
  int64_t oids[2];
  assert_int_equal(s->ops->peer_orgs(s, oids, 2, &n, &d), ACC_OK);
  assert_int_equal(n, 0);
}

/* ---- the policy for federation peers ---- */

static void test_policy_peers(void **state) {
  (void)state;
  /* Peer B (org 2, a community member) and peer P (org 3, not one). */
  acc_principal b = {.uid = -1001, .oid = 2, .org_member = 1};
  snprintf(b.user, sizeof b.user, "peer:b");
  snprintf(b.org, sizeof b.org, "B");
  acc_principal p = {.uid = -1002, .oid = 3, .org_member = 0};
  snprintf(p.user, sizeof p.user, "peer:p");
  snprintf(p.org, sizeof p.org, "P");
  acc_share_access peer = {.can_read = 1, .peer = 1};
  acc_share_access user = {.can_read = 1};
  /* Local content of org 1. */
  acc_share_facts f = {.origin_oid = 1, .granular_max = ACC_TLP_NONE};
  f.tlp = ACC_TLP_CLEAR;
  assert_int_equal(acc_policy_decide(&p, &peer, &f), ACC_ALLOW);
  f.tlp = ACC_TLP_GREEN;
  assert_int_equal(acc_policy_decide(&b, &peer, &f), ACC_ALLOW);
  assert_int_equal(acc_policy_decide(&p, &peer, &f), ACC_DENY);
  f.tlp = ACC_TLP_AMBER;
  f.orgs = "|B|";
  assert_int_equal(acc_policy_decide(&b, &peer, &f), ACC_ALLOW);
  assert_int_equal(acc_policy_decide(&p, &peer, &f), ACC_DENY);
  f.tlp = ACC_TLP_AMBER_STRICT;
  assert_int_equal(acc_policy_decide(&b, &peer, &f), ACC_ALLOW);
  /* RED never leaves, even to a named recipient. */
  f.tlp = ACC_TLP_RED;
  f.users = "|peer:b|";
  assert_int_equal(acc_policy_decide(&b, &peer, &f), ACC_DENY);
  assert_int_equal(acc_policy_decide(&b, &user, &f), ACC_ALLOW);
  /* AMBER+STRICT that came from another instance (org 3's) does not go
   * on to B, named or not; it may go back to its originator. */
  f.users = NULL;
  f.tlp = ACC_TLP_AMBER_STRICT;
  f.origin_oid = 3;
  f.foreign = 1;
  f.orgs = "|B|P|";
  assert_int_equal(acc_policy_decide(&b, &peer, &f), ACC_DENY);
  assert_int_equal(acc_policy_decide(&p, &peer, &f), ACC_ALLOW);
  /* ... while plain AMBER from another instance goes on to named ones. */
  f.tlp = ACC_TLP_AMBER;
  assert_int_equal(acc_policy_decide(&b, &peer, &f), ACC_ALLOW);
  /* Granular RED parts are removed for peers, not shown. */
  f.tlp = ACC_TLP_CLEAR;
  f.granular_max = ACC_TLP_RED;
  assert_int_equal(acc_policy_decide(&b, &peer, &f), ACC_ALLOW_REDACTED);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_retry_after),
      cmocka_unit_test(test_backoff),
      cmocka_unit_test(test_envelope),
      cmocka_unit_test(test_status),
      cmocka_unit_test(test_discovery_and_errors),
      cmocka_unit_test(test_watermark),
      cmocka_unit_test(test_query),
      cmocka_unit_test(test_url_check),
      cmocka_unit_test(test_policy_peers),
      cmocka_unit_test_setup_teardown(test_peer_settings, setup, teardown),
      cmocka_unit_test_setup_teardown(test_secrets, setup, teardown),
      cmocka_unit_test_setup_teardown(test_state_commits_with_objects, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
