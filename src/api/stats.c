/*
 * stats.c — GET /api/v1/stats: what the dashboard shows, counted over the
 * objects the caller may read and nothing else (acc_guard_count: the
 * policy decides each group of latest versions with the same sharing
 * facts, so an object the caller cannot see is never counted and no count
 * reveals it; an object held in two collections counts in each):
 * totals, objects by type, by effective TLP and by originating
 * organisation, sightings per day over the last `days` days, and the most
 * recent arrivals (those through acc_guard_scan, audited as released).
 *
 * Query parameters: days (1..366, default 30), recent (0..50, default 10).
 */
#include <string.h>

#include "api/view.h"
#include "util/time.h"

#define DAY_US ((int64_t)86400 * 1000000)
#define MAX_DAYS 366

typedef struct stats_ctx {
  json_t *by_type; /* name -> count */
  json_t *by_source;
  int64_t by_tlp[5];
  int64_t objects, revoked;
  int64_t sightings[MAX_DAYS];
  int64_t sightings_total;
  int64_t day0_us; /* start of the first day shown */
  long days;
  view_names *names;
  int64_t last_added;
} stats_ctx;

static void add(json_t *o, const char *key, int64_t n) {
  json_t *v = json_object_get(o, key);
  if (v)
    json_integer_set(v, json_integer_value(v) + n);
  else
    json_object_set_new(o, key, json_integer(n));
}

/* One group of latest versions the reader may see (acc_guard_count). */
static int count_group(void *ctx, const acc_record *r, int64_t n,
                       int64_t n_revoked) {
  stats_ctx *x = ctx;
  x->objects += n;
  x->revoked += n_revoked;
  add(x->by_type, r->type, n);
  add(x->by_source, view_org_name(x->names, r->origin_oid), n);
  acc_tlp t = r->tlp >= 0 ? (acc_tlp)r->tlp : view_effective_tlp(x->names, r);
  if (t >= 0 && t <= 4)
    x->by_tlp[t] += n;
  if (r->date_added_us > x->last_added)
    x->last_added = r->date_added_us;
  if (strcmp(r->type, "sighting") == 0) {
    x->sightings_total += n;
    if (r->created_us != ACC_TIME_NONE && r->created_us >= x->day0_us) {
      int64_t day = (r->created_us - x->day0_us) / DAY_US;
      if (day >= 0 && day < x->days)
        x->sightings[day] += n;
    }
  }
  return 0;
}

/* {"name": n, "count": c} pairs, largest first. */
static json_t *sorted_counts(json_t *o) {
  size_t n = json_object_size(o);
  json_t *a = json_array();
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    json_array_append_new(a, json_pack("{s:s,s:I}", "name", k, "count",
                                       json_integer_value(v)));
  }
  /* Insertion sort: the lists are short (types, organisations). */
  for (size_t i = 1; i < n; i++) {
    for (size_t j = i; j > 0; j--) {
      json_t *x = json_array_get(a, j - 1), *y = json_array_get(a, j);
      json_int_t cx = json_integer_value(json_object_get(x, "count"));
      json_int_t cy = json_integer_value(json_object_get(y, "count"));
      if (cx > cy || (cx == cy && strcmp(json_string_value(json_object_get(
                                             x, "name")),
                                         json_string_value(json_object_get(
                                             y, "name"))) <= 0))
        break;
      json_incref(x);
      json_array_set(a, j - 1, y);
      json_array_set_new(a, j, x);
    }
  }
  return a;
}

typedef struct recent_ctx {
  json_t *list;
  view_names *names;
} recent_ctx;

static int add_recent(void *ctx, const acc_record *r) {
  recent_ctx *x = ctx;
  json_t *s = view_summary(x->names, r);
  if (!s)
    return ACC_ENOMEM;
  json_array_append_new(x->list, s);
  return 0;
}

void acc_api_stats(acc_api_call *c, acc_api_reply *r) {
  long days = view_int_param(c, r, "days", 30, 1, MAX_DAYS);
  if (days < 0)
    return;
  long recent = view_int_param(c, r, "recent", 10, 0, 50);
  if (recent < 0)
    return;
  view_names names;
  acc_diag d = {{0}};
  stats_ctx x = {.by_type = json_object(),
                 .by_source = json_object(),
                 .days = days,
                 .names = &names};
  json_t *out = NULL;
  acc_rc rc = view_names_init(&names, c->st, &d);
  if (rc)
    goto out;
  int64_t now = acc_time_now_us();
  int64_t today = now - now % DAY_US;
  x.day0_us = today - (days - 1) * DAY_US;
  rc = acc_guard_count(c->st, &c->reader, count_group, &x, &d);
  if (rc)
    goto out;
  acc_query q;
  recent_ctx rx = {.list = json_array(), .names = &names};
  if (recent > 0) {
    acc_query_init(&q);
    q.newest_first = 1;
    q.limit = (size_t)recent;
    rc = acc_guard_scan(c->st, &c->reader, &q, add_recent, &rx, NULL, &d);
    if (rc) {
      json_decref(rx.list);
      goto out;
    }
  }
  json_t *tlp = json_array();
  for (int i = 0; i <= 4; i++)
    json_array_append_new(tlp, json_pack("{s:s,s:I}", "name",
                                         acc_tlp_name((acc_tlp)i), "count",
                                         (json_int_t)x.by_tlp[i]));
  json_t *series = json_array();
  for (long i = 0; i < days; i++) {
    char ts[ACC_TIME_BUFSZ];
    acc_time_format_ms(x.day0_us + i * DAY_US, ts);
    ts[10] = '\0';
    json_array_append_new(series, json_pack("{s:s,s:I}", "day", ts, "count",
                                            (json_int_t)x.sightings[i]));
  }
  out = json_pack("{s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "objects",
                  (json_int_t)x.objects, "revoked", (json_int_t)x.revoked,
                  "last_added", view_time(x.last_added ? x.last_added
                                                       : ACC_TIME_NONE),
                  "by_type", sorted_counts(x.by_type), "by_tlp", tlp,
                  "by_source", sorted_counts(x.by_source), "sightings",
                  json_pack("{s:I,s:I,s:o}", "total",
                            (json_int_t)x.sightings_total, "days",
                            (json_int_t)days, "per_day", series),
                  "recent", rx.list);
out:
  json_decref(x.by_type);
  json_decref(x.by_source);
  if (rc) {
    json_decref(out);
    acc_api_error(r, 500, "counting failed: %s", d.msg);
    return;
  }
  acc_api_json(r, 200, out);
}
