/*
 * test_audit.c — the hash-chained audit log: appends from several threads
 * form one valid chain; any edit, deletion, reordering or truncation is
 * detected and located; `show` filters by principal, object and time.
 */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "util/time.h"

typedef struct afx {
  char dir[64];
  char path[96];
} afx;

static int setup(void **state) {
  afx *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/acc-test-audit-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->path, sizeof f->path, "%s/audit.log", f->dir);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  afx *f = *state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  int rc = system(cmd);
  free(f);
  return rc == 0 ? 0 : -1;
}

typedef struct writer {
  acc_audit *a;
  int id;
  int defer; /* queue the entries, settle at the end (a server thread) */
} writer;

static void *write_many(void *arg) {
  writer *w = arg;
  char obj[64];
  const char *objs[1] = {obj};
  if (w->defer)
    acc_audit_defer(w->a);
  for (int i = 0; i < 50; i++) {
    snprintf(obj, sizeof obj, "indicator--%d-%d", w->id, i);
    acc_audit_entry e = {.action = i % 3 ? "release" : "deny",
                         .principal = w->id % 2 ? "alice" : "bob",
                         .org = "CERT-A",
                         .path = "taxii GET /api/collections/x/objects/",
                         .objects = objs,
                         .n_objects = 1};
    acc_diag d;
    if (acc_audit_append(w->a, &e, &d))
      return (void *)1;
  }
  acc_diag d;
  if (w->defer && acc_audit_settle(&d))
    return (void *)1;
  return NULL;
}

static void fill(afx *f, int threads) {
  acc_audit *a;
  acc_diag d;
  assert_int_equal(acc_audit_open(f->dir, &a, &d), ACC_OK);
  pthread_t t[8];
  writer w[8];
  for (int i = 0; i < threads; i++) {
    w[i] = (writer){a, i, i % 2};
    pthread_create(&t[i], NULL, write_many, &w[i]);
  }
  for (int i = 0; i < threads; i++) {
    void *r;
    pthread_join(t[i], &r);
    assert_null(r);
  }
  acc_audit_close(a);
}

/* Rewrite the log through a line transformation. */
static void rewrite(afx *f, void (*fn)(char **lines, size_t *n)) {
  FILE *in = fopen(f->path, "r");
  char *lines[1024];
  size_t n = 0, cap = 0;
  char *line = NULL;
  while (n < 1024 && getline(&line, &cap, in) > 0) {
    lines[n++] = line;
    line = NULL;
    cap = 0;
  }
  free(line);
  fclose(in);
  fn(lines, &n);
  FILE *out = fopen(f->path, "w");
  for (size_t i = 0; i < n; i++) {
    fputs(lines[i], out);
    free(lines[i]);
  }
  fclose(out);
}

static void edit_one(char **lines, size_t *n) {
  (void)n;
  char *p = strstr(lines[10], "alice");
  if (!p)
    p = strstr(lines[10], "bob");
  p[0] = 'X';
}
static void drop_one(char **lines, size_t *n) {
  free(lines[20]);
  memmove(&lines[20], &lines[21], (*n - 21) * sizeof *lines);
  (*n)--;
}
static void swap_two(char **lines, size_t *n) {
  (void)n;
  char *t = lines[30];
  lines[30] = lines[31];
  lines[31] = t;
}
static void cut_tail(char **lines, size_t *n) {
  lines[*n - 1][strlen(lines[*n - 1]) - 5] = '\0';
}
static void reseq(char **lines, size_t *n) {
  /* Drop the first entry: the new first line points to a missing one. */
  free(lines[0]);
  memmove(&lines[0], &lines[1], (*n - 1) * sizeof *lines);
  (*n)--;
}

static void test_chain(void **state) {
  afx *f = *state;
  fill(f, 4);
  size_t n;
  char head[65];
  acc_diag d;
  assert_int_equal(acc_audit_verify(f->dir, &n, head, &d), ACC_OK);
  assert_int_equal(n, 200);
  assert_int_equal(strlen(head), 64);
  /* More appends continue the same chain. */
  fill(f, 1);
  assert_int_equal(acc_audit_verify(f->dir, &n, head, &d), ACC_OK);
  assert_int_equal(n, 250);
}

static void tamper(afx *f, void (*fn)(char **, size_t *), const char *want) {
  fill(f, 2);
  rewrite(f, fn);
  size_t n;
  char head[65];
  acc_diag d = {{0}};
  assert_int_equal(acc_audit_verify(f->dir, &n, head, &d), ACC_EINVAL);
  if (!strstr(d.msg, want))
    fail_msg("'%s' lacks '%s'", d.msg, want);
}

static size_t log_lines(afx *f) {
  size_t n = 0;
  FILE *fp = fopen(f->path, "r");
  if (!fp)
    return 0;
  int c;
  while ((c = fgetc(fp)) != EOF)
    n += c == '\n';
  fclose(fp);
  return n;
}

static acc_audit_entry one_entry(const char **obj) {
  return (acc_audit_entry){.action = "release",
                           .principal = "alice",
                           .org = "CERT-A",
                           .path = "taxii GET /x",
                           .objects = obj,
                           .n_objects = 1};
}

/* A deferring thread's entries are queued, then written by settle (or by
 * another thread's append first), in queue order, as one valid chain. */
static void test_defer(void **state) {
  afx *f = *state;
  acc_audit *a;
  acc_diag d;
  assert_int_equal(acc_audit_open(f->dir, &a, &d), ACC_OK);
  const char *obj[1] = {"indicator--00000000-0000-4000-8000-000000000001"};
  acc_audit_entry e = one_entry(obj);
  acc_audit_defer(a);
  assert_int_equal(acc_audit_append(a, &e, &d), ACC_OK);
  assert_int_equal(acc_audit_append(a, &e, &d), ACC_OK);
  assert_int_equal(log_lines(f), 0); /* queued, not yet written */
  assert_int_equal(acc_audit_settle(&d), ACC_OK);
  assert_int_equal(log_lines(f), 2);
  /* settled: the deferral is over, appends are written at once again */
  assert_int_equal(acc_audit_append(a, &e, &d), ACC_OK);
  assert_int_equal(log_lines(f), 3);
  assert_int_equal(acc_audit_settle(&d), ACC_OK); /* nothing pending */
  /* a synchronous append writes what a deferring thread queued first */
  acc_audit_defer(a);
  assert_int_equal(acc_audit_append(a, &e, &d), ACC_OK);
  writer w = {a, 9, 0};
  pthread_t t;
  pthread_create(&t, NULL, write_many, &w);
  void *r;
  pthread_join(t, &r);
  assert_null(r);
  assert_int_equal(log_lines(f), 54);
  assert_int_equal(acc_audit_settle(&d), ACC_OK);
  acc_audit_close(a);
  size_t n;
  char head[65];
  assert_int_equal(acc_audit_verify(f->dir, &n, head, &d), ACC_OK);
  assert_int_equal(n, 54);
}

/* When the log cannot be written, settle says so: the server then answers
 * 500 instead of releasing anything. */
static void test_defer_broken(void **state) {
  afx *f = *state;
  acc_audit *a;
  acc_diag d;
  assert_int_equal(acc_audit_open(f->dir, &a, &d), ACC_OK);
  const char *obj[1] = {"indicator--00000000-0000-4000-8000-000000000001"};
  acc_audit_entry e = one_entry(obj);
  assert_int_equal(acc_audit_append(a, &e, &d), ACC_OK);
  struct stat st;
  assert_int_equal(stat(f->path, &st), 0);
  /* the file may grow by less than an entry: the next write is cut short
   * (a partial line), then fails with EFBIG — the partial line must go */
  struct rlimit old, lim;
  getrlimit(RLIMIT_FSIZE, &old);
  lim = old;
  lim.rlim_cur = (rlim_t)st.st_size + 100;
  void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
  acc_audit_defer(a);
  assert_int_equal(acc_audit_append(a, &e, &d), ACC_OK);
  acc_diag sd = {{0}};
  acc_rc rc = acc_audit_settle(&sd);
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, prev);
  assert_int_not_equal(rc, ACC_OK);
  if (!strstr(sd.msg, "audit log"))
    fail_msg("settle error '%s' does not name the audit log", sd.msg);
  /* sticky: nothing more is accepted */
  assert_int_not_equal(acc_audit_append(a, &e, &d), ACC_OK);
  acc_audit_close(a);
  struct stat after;
  assert_int_equal(stat(f->path, &after), 0);
  assert_int_equal(after.st_size, st.st_size); /* nothing half-written */
  size_t n;
  char head[65];
  assert_int_equal(acc_audit_verify(f->dir, &n, head, &d), ACC_OK);
  assert_int_equal(n, 1);
}

static void test_edit(void **s) {
  tamper(*s, edit_one, "line 11 (seq 11): content does not match");
}
static void test_delete(void **s) {
  tamper(*s, drop_one, "line 21 (seq 22): does not follow");
}
static void test_reorder(void **s) {
  tamper(*s, swap_two, "line 31 (seq 32): does not follow");
}
static void test_truncate(void **s) {
  tamper(*s, cut_tail, "line 100");
}
static void test_drop_first(void **s) {
  tamper(*s, reseq, "line 1 (seq 2): does not follow");
}

/* An entry far longer than one read window still chains correctly. */
static void test_long_entry(void **state) {
  afx *f = *state;
  acc_audit *a;
  acc_diag d;
  assert_int_equal(acc_audit_open(f->dir, &a, &d), ACC_OK);
  static char ids[3000][48];
  const char *objs[3000];
  for (int i = 0; i < 3000; i++) {
    snprintf(ids[i], sizeof ids[i], "indicator--%08d-0000-4000-8000-0", i);
    objs[i] = ids[i];
  }
  for (int k = 0; k < 3; k++) {
    acc_audit_entry e = {.action = "release",
                         .principal = "alice",
                         .org = "A",
                         .path = "export",
                         .objects = objs,
                         .n_objects = 3000};
    assert_int_equal(acc_audit_append(a, &e, &d), ACC_OK);
  }
  acc_audit_close(a);
  size_t n;
  char head[65];
  assert_int_equal(acc_audit_verify(f->dir, &n, head, &d), ACC_OK);
  assert_int_equal(n, 3);
}

static int collect(void *ctx, const char *line, size_t len) {
  (void)line;
  (void)len;
  (*(size_t *)ctx)++;
  return 0;
}

static void test_show(void **state) {
  afx *f = *state;
  fill(f, 2); /* thread 0: bob, thread 1: alice; 50 each */
  acc_diag d;
  size_t n = 0;
  assert_int_equal(acc_audit_show(f->dir, "alice", NULL, ACC_TIME_NONE,
                                  ACC_TIME_NONE, collect, &n, &d),
                   ACC_OK);
  assert_int_equal(n, 50);
  n = 0;
  assert_int_equal(acc_audit_show(f->dir, NULL, "indicator--1-7", ACC_TIME_NONE,
                                  ACC_TIME_NONE, collect, &n, &d),
                   ACC_OK);
  assert_int_equal(n, 1);
  n = 0;
  assert_int_equal(acc_audit_show(f->dir, NULL, NULL,
                                  acc_time_now_us() + 60000000, ACC_TIME_NONE,
                                  collect, &n, &d),
                   ACC_OK);
  assert_int_equal(n, 0);
  n = 0;
  assert_int_equal(acc_audit_show(f->dir, NULL, NULL,
                                  acc_time_now_us() - 60000000, ACC_TIME_NONE,
                                  collect, &n, &d),
                   ACC_OK);
  assert_int_equal(n, 100);
}

int main(void) {
  if (sodium_init() < 0)
    return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_chain, setup, teardown),
      cmocka_unit_test_setup_teardown(test_edit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reorder, setup, teardown),
      cmocka_unit_test_setup_teardown(test_truncate, setup, teardown),
      cmocka_unit_test_setup_teardown(test_drop_first, setup, teardown),
      cmocka_unit_test_setup_teardown(test_show, setup, teardown),
      cmocka_unit_test_setup_teardown(test_long_entry, setup, teardown),
      cmocka_unit_test_setup_teardown(test_defer, setup, teardown),
      cmocka_unit_test_setup_teardown(test_defer_broken, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
