/*
 * search.c — GET /api/v1/search: the latest versions of the objects the
 * caller may read, newest first, paged, filtered by
 *   q       text anywhere in the object (case-insensitive)
 *   value   an observable value (IP, domain, hash, URL, e-mail ...): found
 *           through the correlation index (normalised: SCOs, indicator
 *           patterns, observed-data) when it holds the value, else as a
 *           whole token in the objects' text ("1.2.3.4" but not inside
 *           "11.2.3.45")
 *   type    STIX types, comma-separated
 *   tlp     effective TLP levels, comma-separated (clear, green, amber,
 *           amber+strict, red)
 *   source  the originating organisation's name
 *   from, to  date added (RFC 3339, or YYYY-MM-DD: from its first
 *           microsecond, to its last)
 *   limit   1..200 (default 25), cursor  the `next` of the page before.
 * The filters run inside the enforcement point as a pre-filter
 * (acc_query.match), so what they skip is neither released nor audited,
 * and what they keep is released only if the policy lets the caller see
 * it: a result never names an object the caller cannot read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/view.h"
#include "correlate/correlate.h"
#include "store/store_corr.h"
#include "util/time.h"

#define SEARCH_TEXT_MAX 256
#define SEARCH_TYPES_MAX 32

typedef struct search_ctx {
  const char *text;
  const char *value;
  size_t value_len;
  unsigned tlp_mask; /* bit per acc_tlp; 0 = any */
  int64_t source;    /* origin oid, -1 = any */
  view_names *names;
  json_t *results;
  size_t n, limit;
  int64_t last_seq;
  int more;
} search_ctx;

static int blocks_before(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static int blocks_after(char c) {
  return blocks_before(c) || c == '.';
}

/* Whether value occurs in raw as a whole token (case-insensitive). */
static int has_token(const char *raw, const char *value, size_t vl) {
  const char *p = raw;
  while ((p = strcasestr(p, value)) != NULL) {
    char before = p > raw ? p[-1] : ' ';
    char after = p[vl];
    if (!blocks_before(before) && !blocks_after(after))
      return 1;
    p++;
  }
  return 0;
}

static int match(void *ctx, const acc_record *r) {
  search_ctx *x = ctx;
  if (x->source >= 0 && r->origin_oid != x->source)
    return 0;
  if (x->tlp_mask) {
    acc_tlp t = view_effective_tlp(x->names, r);
    if (t < 0 || !(x->tlp_mask & (1u << t)))
      return 0;
  }
  if (!r->raw)
    return !x->text && !x->value;
  if (x->text && !strcasestr(r->raw, x->text))
    return 0;
  if (x->value && !has_token(r->raw, x->value, x->value_len))
    return 0;
  return 1;
}

static int collect(void *ctx, const acc_record *r) {
  search_ctx *x = ctx;
  if (x->n == x->limit) {
    x->more = 1;
    return -1; /* the guard's "enough" */
  }
  json_t *s = view_summary(x->names, r);
  if (!s)
    return ACC_ENOMEM;
  json_array_append_new(x->results, s);
  x->n++;
  x->last_seq = r->seq;
  return 0;
}

/* A date bound: RFC 3339, or a day (start or end of it). */
static int parse_bound(const char *v, int end, int64_t *out) {
  size_t n = strlen(v);
  if (n == 10) {
    char full[40];
    snprintf(full, sizeof full, "%sT00:00:00Z", v);
    int64_t t;
    if (acc_time_parse(full, strlen(full), 1, &t))
      return -1;
    *out = end ? t + (int64_t)86400 * 1000000 - 1 : t;
    return 0;
  }
  return acc_time_parse(v, n, 1, out) ? -1 : 0;
}

typedef struct ids_ctx {
  acc_store *st;
  json_t *ids; /* id -> true */
  size_t max;
  int over;
} ids_ctx;

static int note_id(void *ctx, const acc_record *r) {
  ids_ctx *x = ctx;
  json_object_set_new(x->ids, r->id, json_true());
  return 0;
}

static int on_posting(void *ctx, const acc_corr_posting *p) {
  ids_ctx *x = ctx;
  if (json_object_size(x->ids) >= x->max) {
    x->over = 1;
    return 1;
  }
  acc_diag d;
  /* The posting's row, without content: only its id, to ask the
   * enforcement point for it. */
  if (x->st->ops->corr_record(x->st, p->seq, note_id, x, &d))
    return 1;
  return 0;
}

/* The ids of the objects holding value, from the correlation index: 0 with
 * *ids set (possibly empty) when the index answers; -1 when it cannot (no
 * index, a value it does not read, or too many objects to list). */
static int ids_of_value(acc_store *st, const char *value, json_t **ids) {
  if (!st->ops->corr_find || !st->ops->corr_postings || !st->ops->corr_record)
    return -1;
  acc_cval *cv = malloc(sizeof *cv);
  if (!cv)
    return -1;
  int64_t vid = 0;
  acc_diag d;
  int ok = acc_corr_guess(value, cv) == ACC_OK;
  acc_rc rc = ok ? st->ops->corr_find(st, &cv->v, &vid, &d) : ACC_EINVAL;
  free(cv);
  if (rc == ACC_ENOTFOUND) {
    *ids = json_object();
    return 0;
  }
  if (rc)
    return -1;
  ids_ctx x = {.st = st, .ids = json_object(), .max = ACC_QUERY_MAX_TERMS};
  rc = st->ops->corr_postings(st, vid, on_posting, &x, &d);
  if ((rc && !x.over) || x.over) {
    json_decref(x.ids);
    return -1;
  }
  *ids = x.ids;
  return 0;
}

void acc_api_search(acc_api_call *c, acc_api_reply *r) {
  view_names names;
  acc_diag d = {{0}};
  acc_query q;
  acc_query_init(&q);
  q.newest_first = 1;
  search_ctx x = {.source = -1, .names = &names};
  char types_buf[2048];
  long limit = view_int_param(c, r, "limit", 25, 1, 200);
  if (limit < 0)
    return;
  x.limit = (size_t)limit;
  acc_rc rc = view_names_init(&names, c->st, &d);
  if (rc) {
    acc_api_error(r, 500, "reading organisations failed: %s", d.msg);
    return;
  }
  const char *text = acc_api_query(c, "q");
  const char *value = acc_api_query(c, "value");
  if (text && *text) {
    if (strlen(text) > SEARCH_TEXT_MAX) {
      acc_api_error(r, 400, "q is longer than %d characters", SEARCH_TEXT_MAX);
      return;
    }
    x.text = text;
  }
  if (value && *value) {
    if (strlen(value) > SEARCH_TEXT_MAX) {
      acc_api_error(r, 400, "value is longer than %d characters",
                    SEARCH_TEXT_MAX);
      return;
    }
    x.value = value;
    x.value_len = strlen(value);
  }
  const char *types = acc_api_query(c, "type");
  if (types && *types) {
    if (strlen(types) >= sizeof types_buf) {
      acc_api_error(r, 400, "type lists too many types");
      return;
    }
    snprintf(types_buf, sizeof types_buf, "%s", types);
    char *save = NULL;
    for (char *t = strtok_r(types_buf, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
      while (*t == ' ')
        t++;
      if (!*t)
        continue;
      if (q.n_types == SEARCH_TYPES_MAX) {
        acc_api_error(r, 400, "type names more than %d types",
                      SEARCH_TYPES_MAX);
        return;
      }
      q.types[q.n_types++] = t;
    }
  }
  const char *tlp = acc_api_query(c, "tlp");
  if (tlp && *tlp) {
    char buf[128];
    if (strlen(tlp) >= sizeof buf) {
      acc_api_error(r, 400, "tlp is too long");
      return;
    }
    snprintf(buf, sizeof buf, "%s", tlp);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
      acc_tlp lv;
      if (acc_tlp_parse(t, &lv) != ACC_OK || lv < 0) {
        acc_api_error(r, 400,
                      "tlp: '%.40s' is not a TLP level (clear, green, amber, "
                      "amber+strict, red)",
                      t);
        return;
      }
      x.tlp_mask |= 1u << lv;
    }
  }
  const char *source = acc_api_query(c, "source");
  if (source && *source) {
    x.source = view_org_oid(&names, source);
    if (x.source < 0) {
      /* An unknown organisation has no objects: an empty answer. */
      acc_api_json(r, 200,
                   json_pack("{s:[],s:b,s:n}", "results", "more", 0, "next"));
      return;
    }
  }
  const char *from = acc_api_query(c, "from"), *to = acc_api_query(c, "to");
  if (from && *from) {
    int64_t t;
    if (parse_bound(from, 0, &t)) {
      acc_api_error(r, 400,
                    "from: '%.40s' is not a date (YYYY-MM-DD or RFC 3339)",
                    from);
      return;
    }
    q.added_after_us = t - 1;
  }
  if (to && *to) {
    int64_t t;
    if (parse_bound(to, 1, &t)) {
      acc_api_error(r, 400, "to: '%.40s' is not a date (YYYY-MM-DD or RFC 3339)",
                    to);
      return;
    }
    q.added_before_us = t;
  }
  const char *cursor = acc_api_query(c, "cursor");
  if (cursor && *cursor) {
    char *end;
    errno = 0;
    long long s = strtoll(cursor, &end, 10);
    if (errno || *end || s <= 0) {
      acc_api_error(r, 400,
                    "cursor: '%.40s' is not a cursor from an earlier page",
                    cursor);
      return;
    }
    q.after_seq = s;
  }
  if (x.text || x.value || x.tlp_mask || x.source >= 0) {
    q.match = match;
    q.match_ctx = &x;
  }
  /* The store narrows by text first (case-insensitive for ASCII, as the
   * match that follows). */
  q.raw_contains = x.value ? x.value : x.text;
  json_t *vids = NULL;
  if (x.value && ids_of_value(c->st, x.value, &vids) == 0) {
    /* The index named the objects: ask for those alone. */
    if (json_object_size(vids) == 0) {
      json_decref(vids);
      acc_api_json(r, 200,
                   json_pack("{s:[],s:b,s:n}", "results", "more", 0, "next"));
      return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(vids, k, v) { q.ids[q.n_ids++] = k; }
    x.value = NULL; /* matched already, normalised */
    q.raw_contains = x.text;
    if (!x.text && !x.tlp_mask && x.source < 0)
      q.match = NULL;
  }
  q.limit = x.limit + 1;
  x.results = json_array();
  rc = acc_guard_scan(c->st, &c->reader, &q, collect, &x, NULL, &d);
  json_decref(vids); /* q.ids pointed into it */
  if (rc && (int)rc != -1) {
    json_decref(x.results);
    acc_api_error(r, 500, "searching failed: %s", d.msg);
    return;
  }
  json_t *next = json_null();
  if (x.more) {
    char s[32];
    snprintf(s, sizeof s, "%lld", (long long)x.last_seq);
    json_decref(next);
    next = json_string(s);
  }
  acc_api_json(r, 200,
               json_pack("{s:o,s:b,s:o}", "results", x.results, "more", x.more,
                         "next", next));
}
