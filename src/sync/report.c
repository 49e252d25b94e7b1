/*
 * report.c — a peer's sync state as JSON, for `accord peer status` and
 * GET /api/v1/peers: health, the last error, counters, the watermarks,
 * and two derived figures —
 *   pull lag: seconds since the last pull that caught up with the peer
 *             (everything the peer had then is here);
 *   push lag: age in seconds of the oldest local version not yet
 *             considered for pushing (0 when none waits).
 */
#include <stdlib.h>
#include <string.h>

#include "sync/sync.h"
#include "util/time.h"

static json_t *ts(int64_t us) {
  if (us == ACC_TIME_NONE)
    return json_null();
  char t[ACC_TIME_BUFSZ];
  acc_time_format(us, t);
  return json_string(t);
}

static json_t *text_or_null(const char *s) {
  return s && *s ? json_string(s) : json_null();
}

static json_t *seconds(int64_t us) {
  return json_real((double)(us / 1000) / 1000.0);
}

json_t *acc_sync_state_json(acc_store *s, const acc_sync_peer *p,
                            const acc_peer_state *st, int64_t now_us) {
  json_t *j = json_object();
  if (!j)
    return NULL;
  const char *health = st->attempt_us == ACC_TIME_NONE ? "never run"
                       : st->failures                  ? "failing"
                                                       : "ok";
  json_object_set_new(j, "health", json_string(health));
  json_object_set_new(j, "failures", json_integer(st->failures));
  json_object_set_new(j, "last_attempt", ts(st->attempt_us));
  json_t *err = json_null();
  if (st->error[0])
    err = json_pack("{s:o,s:s}", "at", ts(st->error_us), "message", st->error);
  json_object_set_new(j, "last_error", err ? err : json_null());
  json_object_set_new(j, "last_reject", text_or_null(st->reject));

  json_t *pull = json_pack("{s:o,s:o,s:b,s:o,s:I,s:I,s:I}", "watermark",
                           text_or_null(st->pull_after), "run_added_after",
                           text_or_null(st->pull_run_after), "next_saved",
                           st->pull_next[0] != 0, "caught_up_at",
                           ts(st->pull_ok_us), "pulled", (json_int_t)st->pulled,
                           "duplicates", (json_int_t)st->pull_duplicates,
                           "rejected", (json_int_t)st->pull_rejected);
  if (pull)
    json_object_set_new(pull, "lag_s",
                        st->pull_ok_us == ACC_TIME_NONE
                            ? json_null()
                            : seconds(now_us - st->pull_ok_us));
  json_object_set_new(j, "pull", pull ? pull : json_null());

  int64_t count = 0, first = ACC_TIME_NONE, last = ACC_TIME_NONE;
  acc_diag d;
  if (s->ops->added_range(s, p->push_cid, st->push_after_us, &count, &first,
                          &last, &d))
    count = -1;
  json_t *push = json_pack(
      "{s:o,s:o,s:I,s:o,s:I,s:I,s:I}", "watermark", ts(st->push_after_us),
      "caught_up_at", ts(st->push_ok_us), "pending", (json_int_t)count,
      "oldest_pending", ts(first), "pushed", (json_int_t)st->pushed, "rejected",
      (json_int_t)st->push_rejected, "withheld", (json_int_t)st->push_withheld);
  if (push)
    json_object_set_new(push, "lag_s",
                        first == ACC_TIME_NONE ? json_real(0)
                                               : seconds(now_us - first));
  json_object_set_new(j, "push", push ? push : json_null());
  return j;
}

typedef struct report_ctx {
  acc_store *s;
  const char *data_dir;
  int64_t now;
  json_t *arr;
  acc_rc rc;
  acc_diag *d;
} report_ctx;

static json_t *one(report_ctx *x, const acc_peer_row *row) {
  acc_sync_peer *p = malloc(sizeof *p);
  json_t *j = NULL;
  if (!p)
    return NULL;
  if (acc_sync_peer_from_row(x->s, row, p, x->d) == ACC_OK &&
      (j = acc_sync_peer_json(x->s, p))) {
    char *secret = malloc(4096);
    acc_diag sd;
    int have = secret && acc_sync_secret_read(x->data_dir, p->pid, secret, 4096,
                                              &sd) == ACC_OK;
    if (secret) {
      memset(secret, 0, 4096);
      free(secret);
    }
    json_object_set_new(j, "secret_stored", json_boolean(have));
    acc_peer_state st;
    json_t *state = NULL;
    if (x->s->ops->peer_state_get(x->s, p->pid, &st, x->d) == ACC_OK)
      state = acc_sync_state_json(x->s, p, &st, x->now);
    json_object_set_new(j, "status", state ? state : json_null());
  }
  free(p);
  return j;
}

static int add_one(void *ctx, const acc_peer_row *row) {
  report_ctx *x = ctx;
  json_t *j = one(x, row);
  if (!j) {
    x->rc = ACC_ENOMEM;
    return 1;
  }
  json_array_append_new(x->arr, j);
  return 0;
}

acc_rc acc_sync_report(acc_store *s, const char *data_dir, const char *name,
                       int64_t now_us, json_t **out, acc_diag *d) {
  report_ctx x = {
      .s = s, .data_dir = data_dir, .now = now_us, .arr = json_array(), .d = d};
  if (!x.arr)
    return ACC_ENOMEM;
  acc_rc rc;
  if (name) {
    acc_peer_row *row = malloc(sizeof *row);
    if (!row) {
      json_decref(x.arr);
      return ACC_ENOMEM;
    }
    rc = s->ops->peer_get(s, name, row, d);
    if (!rc)
      rc = add_one(&x, row) ? x.rc : ACC_OK;
    free(row);
  } else {
    rc = s->ops->peer_list(s, add_one, &x, d);
    if (rc == (acc_rc)1)
      rc = x.rc;
  }
  if (rc) {
    json_decref(x.arr);
    return rc;
  }
  *out = x.arr;
  return ACC_OK;
}
