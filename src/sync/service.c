/*
 * service.c — continuous federation under `accord serve`: a supervisor
 * thread re-reads the peer list every few seconds and keeps one worker
 * thread per enabled peer; each worker opens its own store handle and
 * audit log, runs its peer (acc_sync_run), and sleeps until the next run:
 * the peer's interval after a clean run, an exponential backoff after a
 * failed one (5 s doubling, at most max(interval, 10 min)), at once when
 * a pull stopped at max_pages with more to come.  Stopping sets one flag
 * that aborts transfers in flight (their pages are not committed) and
 * wakes every sleeper; the threads are joined.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sync/sync.h"
#include "util/time.h"

#define MAX_WORKERS 64
#define RESCAN_MS 2000

typedef struct worker {
  struct acc_sync_service *svc;
  pthread_t th;
  int used;
  int64_t pid;
  char name[ACC_NAME_MAX];
  atomic_int quit; /* this worker only (peer removed or disabled) */
  atomic_int done; /* the thread has returned */
} worker;

struct acc_sync_service {
  char *data_dir;
  int quiet;
  void (*on_ingest)(void *ctx, acc_store *st, int new_indicators,
                    const char *observed, size_t len);
  void *ingest_ctx;
  atomic_int stop;
  pthread_mutex_t mu;
  pthread_cond_t cv; /* CLOCK_MONOTONIC */
  pthread_t sup;
  int sup_started;
  worker w[MAX_WORKERS];
};

static void log_line(const char *event, const char *peer, const char *fields) {
  char t[ACC_TIME_BUFSZ];
  acc_time_format(acc_time_now_us(), t);
  flockfile(stderr);
  fprintf(stderr, "{\"ts\":\"%s\",\"event\":\"%s\",\"peer\":\"%s\"%s%s}\n", t,
          event, peer, fields && *fields ? "," : "", fields ? fields : "");
  funlockfile(stderr);
}

/* A JSON string literal of s (bounded). */
static void json_text(const char *s, char *out, size_t size) {
  json_t *j = json_string(s);
  char *txt = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
  snprintf(out, size, "%s", txt ? txt : "\"\"");
  free(txt);
  json_decref(j);
}

static void on_log(void *ctx, const char *peer, const char *msg) {
  struct acc_sync_service *svc = ctx;
  if (svc->quiet)
    return;
  char m[1200], f[1300];
  json_text(msg, m, sizeof m);
  snprintf(f, sizeof f, "\"message\":%s", m);
  log_line("sync_note", peer, f);
}

/* Wait up to ms, or until told to stop; 1 when this worker should end. */
static int wait_ms(struct acc_sync_service *svc, worker *w, int64_t ms) {
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_sec += (time_t)(ms / 1000);
  until.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&svc->mu);
  while (!atomic_load(&svc->stop) && !(w && atomic_load(&w->quit))) {
    if (pthread_cond_timedwait(&svc->cv, &svc->mu, &until) != 0)
      break; /* timed out */
  }
  pthread_mutex_unlock(&svc->mu);
  return atomic_load(&svc->stop) || (w && atomic_load(&w->quit));
}

static void *work(void *arg) {
  worker *w = arg;
  struct acc_sync_service *svc = w->svc;
  acc_store *s = NULL;
  acc_audit *audit = NULL;
  acc_diag d;
  /* A worker's own quit flag also stops its transfers: the env's stop
   * flag is the service's, so a removed peer finishes its page. */
  if (acc_store_open(svc->data_dir, 0, &s, &d) ||
      acc_audit_open(svc->data_dir, &audit, &d)) {
    if (!svc->quiet) {
      char m[900], f[1000];
      json_text(d.msg, m, sizeof m);
      snprintf(f, sizeof f, "\"message\":%s", m);
      log_line("sync_error", w->name, f);
    }
    goto out;
  }
  acc_sync_env env = {.data_dir = svc->data_dir,
                      .store = s,
                      .audit = audit,
                      .stop = &svc->stop,
                      .log_ctx = svc,
                      .log = on_log,
                      .ingest_ctx = svc->ingest_ctx,
                      .on_ingest = svc->on_ingest};
  int first = 1;
  while (!atomic_load(&svc->stop) && !atomic_load(&w->quit)) {
    acc_sync_result res;
    acc_rc rc =
        acc_sync_run(&env, w->name, ACC_SYNC_PULL | ACC_SYNC_PUSH, &res, &d);
    if (atomic_load(&svc->stop))
      break;
    if (rc == ACC_ENOTFOUND && strstr(d.msg, "no peer"))
      break; /* removed meanwhile */
    acc_sync_peer p;
    acc_diag pd;
    if (acc_sync_peer_load(s, w->name, &p, &pd))
      break;
    acc_peer_state st;
    int64_t failures = 0;
    if (s->ops->peer_state_get(s, p.pid, &st, &pd) == ACC_OK)
      failures = st.failures;
    int busy = rc == ACC_EEXIST; /* another process runs it: try later */
    if (!svc->quiet && (rc || first || res.stored || res.pushed ||
                        res.rejected || res.push_rejected)) {
      char f[1400], m[1000];
      json_text(rc ? d.msg : "", m, sizeof m);
      snprintf(f, sizeof f,
               "\"ok\":%s,\"ms\":%lld,\"pages\":%zu,\"stored\":%zu,"
               "\"duplicates\":%zu,\"rejected\":%zu,\"pushed\":%zu,"
               "\"push_rejected\":%zu,\"withheld\":%zu%s%s",
               rc ? "false" : "true", (long long)res.ms, res.pages, res.stored,
               res.duplicate, res.rejected, res.pushed, res.push_rejected,
               res.withheld, rc ? ",\"error\":" : "", rc ? m : "");
      log_line("sync", w->name, f);
    }
    first = 0;
    int64_t delay = p.interval_ms;
    if (rc == ACC_ETOOBIG && res.pull_rc == ACC_ETOOBIG)
      delay = 0; /* more pages to come */
    else if (rc && !busy && failures > 0) {
      int64_t cap = p.interval_ms > 600000 ? p.interval_ms : 600000;
      int64_t b = 5000;
      for (int64_t i = 1; i < failures && b < cap; i++)
        b *= 2;
      delay = b < cap ? b : cap;
    }
    if (!p.enabled)
      break;
    if (wait_ms(svc, w, delay))
      break;
  }
out:
  acc_audit_close(audit);
  acc_store_close(s);
  atomic_store(&w->done, 1);
  return NULL;
}

typedef struct seen {
  int64_t pid[MAX_WORKERS * 4];
  char name[MAX_WORKERS * 4][ACC_NAME_MAX];
  int enabled[MAX_WORKERS * 4];
  size_t n;
} seen;

static int collect(void *ctx, const acc_peer_row *row) {
  seen *sn = ctx;
  if (sn->n == sizeof sn->pid / sizeof sn->pid[0])
    return 0;
  json_t *j = json_loads(row->config, 0, NULL);
  json_t *en = json_object_get(j, "enabled");
  const char *dir = json_string_value(json_object_get(j, "direction"));
  sn->enabled[sn->n] = !json_is_false(en) && dir &&
                       strcmp(dir, "receive") != 0 && strcmp(dir, "none") != 0;
  json_decref(j);
  sn->pid[sn->n] = row->pid;
  snprintf(sn->name[sn->n], ACC_NAME_MAX, "%s", row->name);
  sn->n++;
  return 0;
}

static void reap(worker *w) {
  pthread_join(w->th, NULL);
  w->used = 0;
}

static void *supervise(void *arg) {
  struct acc_sync_service *svc = arg;
  acc_store *s = NULL;
  acc_diag d;
  seen *sn = malloc(sizeof *sn);
  if (!sn)
    return NULL;
  while (!atomic_load(&svc->stop)) {
    sn->n = 0;
    if (!s && acc_store_open(svc->data_dir, 0, &s, &d))
      s = NULL;
    if (s && s->ops->peer_list(s, collect, sn, &d) != ACC_OK)
      sn->n = 0;
    /* End workers whose peer is gone or disabled, and finished ones. */
    for (size_t i = 0; i < MAX_WORKERS; i++) {
      worker *w = &svc->w[i];
      if (!w->used)
        continue;
      int keep = 0;
      for (size_t k = 0; k < sn->n; k++)
        if (sn->pid[k] == w->pid && sn->enabled[k])
          keep = 1;
      if (!keep) {
        atomic_store(&w->quit, 1);
        pthread_mutex_lock(&svc->mu);
        pthread_cond_broadcast(&svc->cv);
        pthread_mutex_unlock(&svc->mu);
      }
      if (atomic_load(&w->done))
        reap(w);
    }
    /* Start workers for enabled peers that have none. */
    for (size_t k = 0; k < sn->n; k++) {
      if (!sn->enabled[k])
        continue;
      int have = 0;
      for (size_t i = 0; i < MAX_WORKERS; i++)
        if (svc->w[i].used && svc->w[i].pid == sn->pid[k])
          have = 1;
      if (have)
        continue;
      worker *w = NULL;
      for (size_t i = 0; i < MAX_WORKERS && !w; i++)
        if (!svc->w[i].used)
          w = &svc->w[i];
      if (!w) {
        if (!svc->quiet)
          log_line("sync_error", sn->name[k],
                   "\"message\":\"too many peers for one server (64)\"");
        continue;
      }
      memset(w, 0, sizeof *w);
      w->svc = svc;
      w->pid = sn->pid[k];
      snprintf(w->name, sizeof w->name, "%s", sn->name[k]);
      if (pthread_create(&w->th, NULL, work, w) == 0)
        w->used = 1;
    }
    wait_ms(svc, NULL, RESCAN_MS);
  }
  for (size_t i = 0; i < MAX_WORKERS; i++)
    if (svc->w[i].used)
      reap(&svc->w[i]);
  free(sn);
  acc_store_close(s);
  return NULL;
}

acc_rc acc_sync_service_start(
    const char *data_dir, int quiet,
    void (*on_ingest)(void *ctx, acc_store *st, int new_indicators,
                      const char *observed, size_t len),
    void *ingest_ctx, acc_sync_service **out, acc_diag *d) {
  struct acc_sync_service *svc = calloc(1, sizeof *svc);
  if (!svc)
    return acc_diag_set(d, ACC_ENOMEM, "out of memory");
  svc->data_dir = strdup(data_dir);
  svc->quiet = quiet;
  svc->on_ingest = on_ingest;
  svc->ingest_ctx = ingest_ctx;
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_mutex_init(&svc->mu, NULL);
  pthread_cond_init(&svc->cv, &ca);
  pthread_condattr_destroy(&ca);
  if (!svc->data_dir || pthread_create(&svc->sup, NULL, supervise, svc) != 0) {
    pthread_mutex_destroy(&svc->mu);
    pthread_cond_destroy(&svc->cv);
    free(svc->data_dir);
    free(svc);
    return acc_diag_set(d, ACC_ENOMEM, "cannot start the sync thread");
  }
  svc->sup_started = 1;
  *out = svc;
  return ACC_OK;
}

void acc_sync_service_stop(acc_sync_service *svc) {
  if (!svc)
    return;
  atomic_store(&svc->stop, 1);
  pthread_mutex_lock(&svc->mu);
  pthread_cond_broadcast(&svc->cv);
  pthread_mutex_unlock(&svc->mu);
  if (svc->sup_started)
    pthread_join(svc->sup, NULL);
  pthread_mutex_destroy(&svc->mu);
  pthread_cond_destroy(&svc->cv);
  free(svc->data_dir);
  free(svc);
}
