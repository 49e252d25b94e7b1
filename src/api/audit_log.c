/*
 * audit_log.c — GET /api/v1/audit (administrators only): the audit log's
 * entries, newest first, paged, each with at most 20 of its object ids and
 * their count.  Filters: principal, object (an id), since, until (RFC
 * 3339), action (release or deny); paging: limit (1..500, default 50) and
 * before (the `next` of the page before: entries with a lower seq).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/view.h"
#include "audit/audit.h"
#include "util/time.h"

#define AUDIT_IDS_SHOWN 20

typedef struct audit_ctx {
  json_t **ring; /* the last `limit` matching entries */
  size_t limit, n_seen;
  long long before; /* 0 = none */
  const char *action;
} audit_ctx;

static int keep_line(void *ctx, const char *line, size_t len) {
  audit_ctx *x = ctx;
  json_t *j = json_loadb(line, len, 0, NULL);
  if (!j)
    return 0;
  json_int_t seq = json_integer_value(json_object_get(j, "seq"));
  const char *act = json_string_value(json_object_get(j, "action"));
  if ((x->before > 0 && seq >= x->before) ||
      (x->action && (!act || strcmp(act, x->action) != 0))) {
    json_decref(j);
    return 0;
  }
  /* Trim the object list. */
  json_t *objs = json_object_get(j, "objects");
  size_t n = json_array_size(objs);
  json_object_set_new(j, "n_objects", json_integer((json_int_t)n));
  while (json_array_size(objs) > AUDIT_IDS_SHOWN)
    json_array_remove(objs, json_array_size(objs) - 1);
  json_object_del(j, "prev");
  size_t slot = x->n_seen % x->limit;
  json_decref(x->ring[slot]);
  x->ring[slot] = j;
  x->n_seen++;
  return 0;
}

void acc_api_audit(acc_api_call *c, acc_api_reply *r) {
  long limit = view_int_param(c, r, "limit", 50, 1, 500);
  if (limit < 0)
    return;
  audit_ctx x = {.limit = (size_t)limit};
  const char *principal = acc_api_query(c, "principal");
  const char *object = acc_api_query(c, "object");
  const char *action = acc_api_query(c, "action");
  const char *before = acc_api_query(c, "before");
  int64_t since = ACC_TIME_NONE, until = ACC_TIME_NONE;
  const char *t;
  if ((t = acc_api_query(c, "since")) && *t &&
      acc_time_parse(t, strlen(t), 1, &since)) {
    acc_api_error(r, 400, "since: '%.40s' is not an RFC 3339 timestamp", t);
    return;
  }
  if ((t = acc_api_query(c, "until")) && *t &&
      acc_time_parse(t, strlen(t), 1, &until)) {
    acc_api_error(r, 400, "until: '%.40s' is not an RFC 3339 timestamp", t);
    return;
  }
  if (action && *action) {
    if (strcmp(action, "release") != 0 && strcmp(action, "deny") != 0) {
      acc_api_error(r, 400, "action must be release or deny");
      return;
    }
    x.action = action;
  }
  if (before && *before) {
    char *end;
    errno = 0;
    x.before = strtoll(before, &end, 10);
    if (errno || *end || x.before <= 0) {
      acc_api_error(r, 400, "before: '%.40s' is not an entry number", before);
      return;
    }
  }
  x.ring = calloc(x.limit, sizeof *x.ring);
  if (!x.ring) {
    acc_api_error(r, 500, "out of memory");
    return;
  }
  acc_diag d = {{0}};
  acc_rc rc = acc_audit_show(c->data_dir, principal && *principal ? principal
                                                                  : NULL,
                             object && *object ? object : NULL, since, until,
                             keep_line, &x, &d);
  if (rc) {
    for (size_t i = 0; i < x.limit; i++)
      json_decref(x.ring[i]);
    free(x.ring);
    acc_api_error(r, 500, "reading the audit log failed: %s", d.msg);
    return;
  }
  json_t *list = json_array();
  size_t shown = x.n_seen < x.limit ? x.n_seen : x.limit;
  json_int_t lowest = 0;
  for (size_t k = 0; k < shown; k++) {
    size_t slot = (x.n_seen - 1 - k) % x.limit;
    lowest = json_integer_value(json_object_get(x.ring[slot], "seq"));
    json_array_append(list, x.ring[slot]);
  }
  for (size_t i = 0; i < x.limit; i++)
    json_decref(x.ring[i]);
  free(x.ring);
  int more = x.n_seen > x.limit;
  json_t *next = json_null();
  if (more) {
    char s[32];
    snprintf(s, sizeof s, "%lld", (long long)lowest);
    json_decref(next);
    next = json_string(s);
  }
  acc_api_json(r, 200,
               json_pack("{s:o,s:I,s:b,s:o}", "entries", list, "matched",
                         (json_int_t)x.n_seen, "more", more, "next", next));
}
