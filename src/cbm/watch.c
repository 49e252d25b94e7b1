/*
 * watch.c — deadlines watched: which consultations are overdue (their
 * acknowledgement or answer deadline passed without one) and which
 * points of contact are due for confirmation, for /metrics and for the
 * log of `accord serve`.
 *
 * The census works on the store's index alone (store.h, acc_cbm_row), as
 * the instance: it reads no object content, so it needs no reader and
 * writes nothing to the audit log, and it can run on every scrape.  It
 * applies the same rules as a reader's replay (thread.c): a message
 * counts only when its signature checks with a key the keyring trusts as
 * its sender's, it was added by that sender (or the operator), and it
 * names the consultation's recipients; counted messages go through the
 * state machine in the same order.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cbm/cbm_int.h"
#include "util/time.h"

#define MAX_THREAD 10000 /* messages of one consultation considered */

typedef struct census_ctx {
  acc_store *st;
  const acc_cbm_keyring *kr;
  int64_t now, period;
  acc_cbm_census *out;
  const acc_cbm_census_cb *cb;
  acc_cbm_row *rows; /* the current thread's */
  size_t n, cap;
  int64_t *peer_oids;
  size_t n_peer_oids;
  acc_rc rc;
} census_ctx;

static int counts(const census_ctx *x, const acc_cbm_row *r,
                  const acc_cbm_row *open) {
  if (r->sig != ACC_CBM_SIG_OK ||
      !acc_cbm_keyring_has(x->kr, r->org, r->public_key))
    return 0;
  if (r->origin_oid != 0 &&
      strcmp(acc_cbm_keyring_org(x->kr, r->origin_oid), r->org))
    return 0;
  return !open || !strcmp(r->recipients, open->recipients);
}

static acc_cbm_role role_of(const acc_cbm_row *open, const char *org) {
  if (!strcmp(org, open->org))
    return ACC_CBM_REQUESTER;
  if (!strcmp(org, open->to_org))
    return ACC_CBM_RESPONDER;
  char item[ACC_NAME_MAX + 2];
  snprintf(item, sizeof item, "|%s|", org);
  return strstr(open->recipients, item) ? ACC_CBM_OBSERVER : ACC_CBM_NOBODY;
}

/* One consultation's rows (ordered by created, id) → its state now. */
static void judge_thread(census_ctx *x) {
  const acc_cbm_row *open = NULL;
  for (size_t i = 0; i < x->n; i++)
    if (!strcmp(x->rows[i].id, x->rows[i].thread) &&
        !strcmp(x->rows[i].action, "open"))
      open = &x->rows[i];
  if (!open || !counts(x, open, NULL))
    return;
  acc_cbm_fsm f;
  acc_cbm_fsm_init(&f, open->t_us, open->due1_us, open->due2_us);
  for (size_t i = 0; i < x->n; i++) {
    const acc_cbm_row *r = &x->rows[i];
    acc_cbm_action a;
    if (r == open || !counts(x, r, open) || acc_cbm_action_parse(r->action, &a))
      continue;
    acc_cbm_fsm_apply(&f, a, role_of(open, r->org), r->t_us, NULL);
  }
  acc_cbm_fsm_tick(&f, x->now);
  x->out->by_state[f.state]++;
  if (f.state != ACC_CBM_EXPIRED)
    return;
  if (f.missed == ACC_CBM_MISSED_ACK)
    x->out->overdue_ack++;
  else
    x->out->overdue_answer++;
  if (x->cb && x->cb->overdue)
    x->cb->overdue(x->cb->ctx, open->id, f.missed, f.expired_us, open->org,
                   open->to_org);
}

static int on_msg_row(void *ctx, const acc_cbm_row *r) {
  census_ctx *x = ctx;
  if (x->n && strcmp(x->rows[0].thread, r->thread)) {
    judge_thread(x);
    x->n = 0;
  }
  if (x->n == MAX_THREAD)
    return 0;
  if (x->n == x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 8;
    acc_cbm_row *n = realloc(x->rows, cap * sizeof *n);
    if (!n) {
      x->rc = ACC_ENOMEM;
      return 1;
    }
    x->rows = n;
    x->cap = cap;
  }
  x->rows[x->n++] = *r;
  return 0;
}

static int on_poc_row(void *ctx, const acc_cbm_row *r) {
  census_ctx *x = ctx;
  if (r->revoked || r->due1_us == ACC_TIME_NONE ||
      x->now - r->due1_us <= x->period)
    return 0;
  int here = 1;
  for (size_t i = 0; i < x->n_peer_oids; i++)
    if (r->origin_oid > 0 && x->peer_oids[i] == r->origin_oid)
      here = 0;
  if (here)
    x->out->poc_due_here++;
  else
    x->out->poc_due_partners++;
  if (x->cb && x->cb->poc_due)
    x->cb->poc_due(x->cb->ctx, r->id, r->org, r->due1_us, here);
  return 0;
}

acc_rc acc_cbm_census_take(acc_store *s, const char *data_dir, int64_t now,
                           acc_cbm_census *out, const acc_cbm_census_cb *cb,
                           acc_diag *d) {
  memset(out, 0, sizeof *out);
  acc_cbm_keyring *kr = NULL;
  census_ctx x = {.st = s, .now = now, .out = out, .cb = cb};
  int64_t oids[256];
  size_t n = 0;
  acc_rc rc = acc_cbm_index_update(s, d);
  if (!rc)
    rc = acc_cbm_period(s, &x.period, d);
  if (!rc)
    rc = s->ops->peer_orgs(s, oids, 256, &n, d);
  x.peer_oids = oids;
  x.n_peer_oids = n < 256 ? n : 256;
  if (!rc)
    rc = acc_cbm_keyring_load(s, data_dir, &kr, d);
  x.kr = kr;
  if (!rc)
    rc = s->ops->cbm_list(s, 'm', NULL, on_msg_row, &x, d);
  if (!rc && x.rc)
    rc = acc_diag_set(d, x.rc, "counting consultations");
  if (!rc && x.n)
    judge_thread(&x);
  if (!rc)
    rc = s->ops->cbm_list(s, 'p', NULL, on_poc_row, &x, d);
  free(x.rows);
  acc_cbm_keyring_free(kr);
  return rc;
}

acc_rc acc_cbm_metrics_text(acc_store *s, const char *data_dir, acc_buf *b) {
  acc_cbm_census c;
  acc_diag d;
  acc_rc rc = acc_cbm_census_take(s, data_dir, acc_cbm_now(ACC_TIME_NONE), &c,
                                  NULL, &d);
  if (rc)
    return rc;
  rc = acc_buf_puts(b, "# HELP accord_consultations Consultations between "
                       "states known here, by state.\n"
                       "# TYPE accord_consultations gauge\n");
  for (int i = 0; !rc && i < ACC_CBM_N_STATES; i++)
    rc = acc_buf_printf(b, "accord_consultations{state=\"%s\"} %zu\n",
                        acc_cbm_state_name((acc_cbm_state)i), c.by_state[i]);
  if (!rc)
    rc = acc_buf_printf(
        b,
        "# HELP accord_consultations_overdue Consultations whose "
        "acknowledgement or answer deadline passed without one.\n"
        "# TYPE accord_consultations_overdue gauge\n"
        "accord_consultations_overdue{deadline=\"acknowledgement\"} %zu\n"
        "accord_consultations_overdue{deadline=\"answer\"} %zu\n"
        "# HELP accord_poc_confirmation_due Points of contact last "
        "confirmed longer ago than the confirmation period.\n"
        "# TYPE accord_poc_confirmation_due gauge\n"
        "accord_poc_confirmation_due{published=\"here\"} %zu\n"
        "accord_poc_confirmation_due{published=\"partners\"} %zu\n",
        c.overdue_ack, c.overdue_answer, c.poc_due_here, c.poc_due_partners);
  return rc;
}

/* ---- the watcher under `accord serve` ---- */

#define SEEN_MAX 100000

struct acc_cbm_watch {
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int stop;
  int quiet;
  char *data_dir;
  int64_t interval_us;
  char **seen; /* "id|what" already logged by this process */
  size_t n_seen, cap_seen;
};

static int seen_add(acc_cbm_watch *w, const char *key) {
  for (size_t i = 0; i < w->n_seen; i++)
    if (!strcmp(w->seen[i], key))
      return 0;
  if (w->n_seen == w->cap_seen) {
    if (w->cap_seen >= SEEN_MAX)
      return 1; /* log again rather than grow without bound */
    size_t cap = w->cap_seen ? w->cap_seen * 2 : 64;
    char **n = realloc(w->seen, cap * sizeof *n);
    if (!n)
      return 1;
    w->seen = n;
    w->cap_seen = cap;
  }
  char *k = strdup(key);
  if (!k)
    return 1;
  w->seen[w->n_seen++] = k;
  return 1;
}

/* One JSON line on stderr, written at once. */
static void log_line(const char *event, json_t *fields) {
  char ts[ACC_TIME_BUFSZ];
  acc_time_format_ms(acc_time_now_us(), ts);
  json_t *j = json_pack("{s:s,s:s}", "ts", ts, "event", event);
  json_object_update(j, fields);
  json_decref(fields);
  char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (!s)
    return;
  size_t len = strlen(s);
  s[len] = '\n'; /* replaces the NUL, written with the line */
  size_t off = 0;
  while (off < len + 1) {
    ssize_t n = write(STDERR_FILENO, s + off, len + 1 - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    off += (size_t)n;
  }
  free(s);
}

static void on_overdue(void *ctx, const char *id, acc_cbm_missed m, int64_t due,
                       const char *requester, const char *responder) {
  acc_cbm_watch *w = ctx;
  char key[ACC_ID_MAX + 32];
  snprintf(key, sizeof key, "%s|%s", id, acc_cbm_missed_name(m));
  if (!seen_add(w, key) || w->quiet)
    return;
  log_line("consultation-overdue",
           json_pack("{s:s,s:s,s:o,s:s,s:s}", "consultation", id, "missed",
                     acc_cbm_missed_name(m), "due", acc_cbm_ts(due),
                     "requester", requester, "responder", responder));
}

static void on_poc_due(void *ctx, const char *id, const char *org,
                       int64_t confirmed, int here) {
  acc_cbm_watch *w = ctx;
  char key[ACC_ID_MAX + 32];
  char ts[ACC_TIME_BUFSZ];
  acc_time_format_ms(confirmed, ts);
  snprintf(key, sizeof key, "%s|%s", id, ts);
  if (!seen_add(w, key) || w->quiet)
    return;
  log_line("poc-confirmation-due",
           json_pack("{s:s,s:s,s:s,s:b,s:s}", "poc", id, "org", org,
                     "confirmed", ts, "published_here", here, "what",
                     here ? "confirm it with `accord poc confirm`"
                          : "its organisation has not confirmed it"));
}

static void *watch_main(void *arg) {
  acc_cbm_watch *w = arg;
  acc_store *s = NULL;
  acc_diag d;
  acc_cbm_census_cb cb = {
      .ctx = w, .overdue = on_overdue, .poc_due = on_poc_due};
  pthread_mutex_lock(&w->mu);
  while (!w->stop) {
    pthread_mutex_unlock(&w->mu);
    if (!s && acc_store_open(w->data_dir, 0, &s, &d) != ACC_OK)
      s = NULL;
    if (s) {
      acc_cbm_census c;
      if (acc_cbm_census_take(s, w->data_dir, acc_cbm_now(ACC_TIME_NONE), &c,
                              &cb, &d) != ACC_OK &&
          !w->quiet)
        log_line("note", json_pack("{s:s}", "msg", d.msg));
    }
    pthread_mutex_lock(&w->mu);
    if (w->stop)
      break;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    int64_t ns = (int64_t)until.tv_nsec + (w->interval_us % 1000000) * 1000;
    until.tv_sec += (time_t)(w->interval_us / 1000000 + ns / 1000000000);
    until.tv_nsec = (long)(ns % 1000000000);
    pthread_cond_timedwait(&w->cv, &w->mu, &until);
  }
  pthread_mutex_unlock(&w->mu);
  acc_store_close(s);
  return NULL;
}

acc_rc acc_cbm_watch_start(const char *data_dir, int quiet, acc_cbm_watch **out,
                           acc_diag *d) {
  int64_t interval = INT64_C(60) * 1000000;
  const char *e = getenv("ACCORD_CBM_WATCH");
  if (e && *e && acc_cbm_duration(e, &interval, d)) {
    acc_diag_prefix(d, "ACCORD_CBM_WATCH: ");
    return ACC_EUSAGE;
  }
  acc_cbm_watch *w = calloc(1, sizeof *w);
  if (!w || !(w->data_dir = strdup(data_dir))) {
    free(w);
    return acc_diag_set(d, ACC_ENOMEM, "starting the deadline watch");
  }
  w->quiet = quiet;
  w->interval_us = interval;
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->cv, NULL);
  if (pthread_create(&w->th, NULL, watch_main, w) != 0) {
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w->data_dir);
    free(w);
    return acc_diag_set(d, ACC_ENOMEM, "cannot start the deadline watch");
  }
  *out = w;
  return ACC_OK;
}

void acc_cbm_watch_stop(acc_cbm_watch *w) {
  if (!w)
    return;
  pthread_mutex_lock(&w->mu);
  w->stop = 1;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->th, NULL);
  for (size_t i = 0; i < w->n_seen; i++)
    free(w->seen[i]);
  free(w->seen);
  pthread_mutex_destroy(&w->mu);
  pthread_cond_destroy(&w->cv);
  free(w->data_dir);
  free(w);
}
