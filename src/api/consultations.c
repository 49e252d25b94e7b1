/*
 * consultations.c — /api/v1/consultations and /api/v1/poc: consultations
 * between states and the directory of points of contact (src/cbm), for
 * the authenticated user (call->who), who acts for its organisation,
 * through the sharing policy (call->reader).
 *
 *   GET  /consultations[?overdue=1][&state=S][&now=TS]  those the user
 *                                         can see (summaries)
 *   POST /consultations                   open one (body: {to, kind,
 *                                         subject, message, urgency, refs,
 *                                         observers, poc, ack_within |
 *                                         ack_by, answer_within |
 *                                         answer_by, collection})
 *   GET  /consultations/ID[?now=TS]       the thread, verified
 *   POST /consultations/ID/ack            acknowledge ({message})
 *   POST /consultations/ID/reply          reply ({message})
 *   POST /consultations/ID/close          close ({message})
 *   GET  /poc[?org=O][&due=1]             points of contact
 *   POST /poc                             add one (body as `accord poc add`)
 *   GET  /poc/ID                          one entry
 *   POST /poc/ID/confirm                  confirm it is still right
 *
 * Deadlines are judged by the server's clock ($ACCORD_NOW pins it); a
 * reader may ask how things stand at another time with ?now= (reads
 * only: what is written is always dated now).
 */
#include <string.h>

#include "api/api.h"
#include "cbm/cbm.h"
#include "util/time.h"

/* The context of a call; -1 (with r set) when ?now= is malformed. */
static int ctx_of(const acc_api_call *c, acc_api_reply *r, int reads,
                  acc_cbm_ctx *x) {
  *x = (acc_cbm_ctx){.st = c->st,
                     .rd = &c->reader,
                     .data_dir = c->data_dir,
                     .now_us = ACC_TIME_NONE};
  const char *now = reads ? acc_api_query(c, "now") : NULL;
  if (now && acc_time_parse(now, strlen(now), 1, &x->now_us)) {
    acc_api_error(r, 400, "now: '%s' is not a timestamp", now);
    return -1;
  }
  return 0;
}

static int truthy(const char *v) {
  return v && (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"));
}

static int on_thread(void *ctx, const acc_cbm_thread *t) {
  json_array_append_new((json_t *)ctx, acc_cbm_thread_summary(t));
  return 0;
}

void acc_api_consultations_list(acc_api_call *c, acc_api_reply *r) {
  acc_cbm_ctx x;
  if (ctx_of(c, r, 1, &x))
    return;
  acc_cbm_filter f = {.overdue_only = truthy(acc_api_query(c, "overdue")),
                      .state = -1};
  const char *st = acc_api_query(c, "state");
  if (st) {
    acc_cbm_state s;
    if (acc_cbm_state_parse(st, &s)) {
      acc_api_error(r, 400,
                    "state: '%s' is not open, acknowledged, answered, closed "
                    "or expired",
                    st);
      return;
    }
    f.state = (int)s;
  }
  json_t *a = json_array();
  acc_diag d;
  acc_rc rc = acc_cbm_list(&x, &f, on_thread, a, &d);
  if (rc) {
    json_decref(a);
    acc_api_fail(r, rc, &d);
    return;
  }
  acc_api_json(r, 200, json_pack("{s:o}", "consultations", a));
}

/* The thread of id as the caller sees it, into r with status. */
static void reply_thread(acc_api_call *c, acc_api_reply *r, int status,
                         const acc_cbm_ctx *x, const char *id, json_t *extra) {
  acc_cbm_thread *t = NULL;
  acc_diag d;
  acc_rc rc = acc_cbm_thread_load(x, id, &t, &d);
  if (rc) {
    json_decref(extra);
    acc_api_fail(r, rc, &d);
    return;
  }
  json_t *j = acc_cbm_thread_json(t);
  acc_cbm_thread_free(t);
  if (extra) {
    json_object_set_new(extra, "consultation", j);
    j = extra;
  }
  acc_api_json(r, status, j);
  (void)c;
}

void acc_api_consultation_get(acc_api_call *c, acc_api_reply *r) {
  acc_cbm_ctx x;
  if (ctx_of(c, r, 1, &x))
    return;
  reply_thread(c, r, 200, &x, c->arg[0], NULL);
}

/* The collection named in body (removed from it), else the default. */
static int collection_of(acc_api_call *c, acc_api_reply *r, json_t *body,
                         int64_t *cid) {
  *cid = ACC_DEFAULT_COLLECTION;
  json_t *v = json_object_get(body, "collection");
  if (!v)
    return 0;
  acc_collection coll;
  acc_diag d;
  if (!json_is_string(v) ||
      c->st->ops->coll_get(c->st, NULL, json_string_value(v), &coll, &d)) {
    acc_api_error(r, 400, "collection: no collection '%s'",
                  json_is_string(v) ? json_string_value(v) : "?");
    return -1;
  }
  *cid = coll.cid;
  json_object_del(body, "collection");
  return 0;
}

void acc_api_consultation_open(acc_api_call *c, acc_api_reply *r) {
  acc_cbm_ctx x;
  json_t *body = acc_api_body_object(c, r);
  int64_t cid;
  if (!body || ctx_of(c, r, 0, &x) || collection_of(c, r, body, &cid)) {
    json_decref(body);
    return;
  }
  char id[ACC_ID_MAX];
  json_t *warnings = NULL;
  acc_diag d;
  acc_rc rc = acc_cbm_open(&x, body, cid, id, &warnings, &d);
  json_decref(body);
  if (rc) {
    json_decref(warnings);
    acc_api_fail(r, rc, &d);
    return;
  }
  reply_thread(c, r, 201, &x, id,
               json_pack("{s:s,s:o}", "id", id, "warnings",
                         warnings ? warnings : json_array()));
}

static void respond(acc_api_call *c, acc_api_reply *r, acc_cbm_action a) {
  acc_cbm_ctx x;
  json_t *body = c->body_len ? acc_api_body_object(c, r) : json_object();
  if (!body || ctx_of(c, r, 0, &x)) {
    json_decref(body);
    return;
  }
  char id[ACC_ID_MAX];
  acc_diag d;
  acc_rc rc = acc_cbm_respond(&x, c->arg[0], a, body, id, &d);
  json_decref(body);
  if (rc) {
    acc_api_fail(r, rc, &d);
    return;
  }
  reply_thread(c, r, 201, &x, c->arg[0], json_pack("{s:s}", "id", id));
}

void acc_api_consultation_ack(acc_api_call *c, acc_api_reply *r) {
  respond(c, r, ACC_CBM_MSG_ACK);
}

void acc_api_consultation_reply(acc_api_call *c, acc_api_reply *r) {
  respond(c, r, ACC_CBM_MSG_REPLY);
}

void acc_api_consultation_close(acc_api_call *c, acc_api_reply *r) {
  respond(c, r, ACC_CBM_MSG_CLOSE);
}

/* ---- points of contact ---- */

static int on_poc(void *ctx, const acc_cbm_poc_view *v) {
  json_array_append_new((json_t *)ctx, acc_cbm_poc_json(v));
  return 0;
}

void acc_api_poc_list(acc_api_call *c, acc_api_reply *r) {
  acc_cbm_ctx x;
  if (ctx_of(c, r, 1, &x))
    return;
  json_t *a = json_array();
  acc_diag d;
  acc_rc rc = acc_cbm_poc_list(&x, acc_api_query(c, "org"),
                               truthy(acc_api_query(c, "due")), on_poc, a, &d);
  if (rc) {
    json_decref(a);
    acc_api_fail(r, rc, &d);
    return;
  }
  int64_t period = ACC_CBM_PERIOD_DEFAULT;
  acc_cbm_period(c->st, &period, NULL);
  acc_api_json(r, 200,
               json_pack("{s:I,s:o}", "confirmation_period_days",
                         (json_int_t)(period / (INT64_C(86400) * 1000000)),
                         "points_of_contact", a));
}

void acc_api_poc_get(acc_api_call *c, acc_api_reply *r) {
  acc_cbm_ctx x;
  if (ctx_of(c, r, 1, &x))
    return;
  json_t *a = json_array();
  acc_diag d;
  acc_rc rc = acc_cbm_poc_show(&x, c->arg[0], on_poc, a, &d);
  if (rc) {
    json_decref(a);
    acc_api_fail(r, rc, &d);
    return;
  }
  acc_api_json(r, 200, json_incref(json_array_get(a, 0)));
  json_decref(a);
}

void acc_api_poc_add(acc_api_call *c, acc_api_reply *r) {
  acc_cbm_ctx x;
  json_t *body = acc_api_body_object(c, r);
  int64_t cid;
  if (!body || ctx_of(c, r, 0, &x) || collection_of(c, r, body, &cid)) {
    json_decref(body);
    return;
  }
  char id[ACC_ID_MAX];
  acc_diag d;
  acc_rc rc = acc_cbm_poc_add(&x, body, cid, id, &d);
  json_decref(body);
  if (rc) {
    acc_api_fail(r, rc, &d);
    return;
  }
  acc_api_json(r, 201, json_pack("{s:s}", "id", id));
}

void acc_api_poc_confirm(acc_api_call *c, acc_api_reply *r) {
  acc_cbm_ctx x;
  if (ctx_of(c, r, 0, &x))
    return;
  acc_diag d;
  acc_rc rc = acc_cbm_poc_confirm(&x, c->arg[0], &d);
  if (rc) {
    acc_api_fail(r, rc, &d);
    return;
  }
  json_t *a = json_array();
  rc = acc_cbm_poc_show(&x, c->arg[0], on_poc, a, &d);
  if (rc) {
    json_decref(a);
    acc_api_fail(r, rc, &d);
    return;
  }
  acc_api_json(r, 200, json_incref(json_array_get(a, 0)));
  json_decref(a);
}
