/*
 * object.c — GET /api/v1/objects/{id}: one object as the caller may see
 * it — its STIX JSON (a given version with ?version=MODIFIED, else the
 * latest), a summary with its effective TLP and source, its versions, and
 * the relationships and sightings that point to it or from it, each with
 * a summary of the object at the other end when the caller may see that
 * one too.  Everything through the enforcement point: an object the caller
 * may not see is 404 exactly like an absent one, and a relationship to an
 * invisible object shows only the reference the relationship itself holds.
 */
#include <stdlib.h>
#include <string.h>

#include "api/view.h"
#include "util/time.h"

#define REL_MAX 200  /* relationships listed each way */
#define VER_MAX 500  /* versions listed */

typedef struct one_ctx {
  json_t *object;
  json_t *summary;
  view_names *names;
  acc_tlp tlp;
  int found;
} one_ctx;

static int take_one(void *ctx, const acc_record *r) {
  one_ctx *x = ctx;
  if (x->found)
    return 0; /* the first collection holding it */
  x->found = 1;
  json_error_t e;
  x->object = json_loadb(r->raw, r->raw_len, 0, &e);
  x->summary = view_summary(x->names, r);
  x->tlp = view_effective_tlp(x->names, r);
  return 0;
}

typedef struct ver_ctx {
  json_t *list;
  view_names *names;
  size_t n;
} ver_ctx;

static int add_version(void *ctx, const acc_record *r) {
  ver_ctx *x = ctx;
  if (x->n++ >= VER_MAX)
    return 0;
  json_array_append_new(
      x->list,
      json_pack("{s:o,s:o,s:b,s:b,s:s}", "modified", view_time(r->modified_us),
                "added", view_time(r->date_added_us), "revoked", r->revoked,
                "latest", r->is_latest, "tlp",
                acc_tlp_name(view_effective_tlp(x->names, r))));
  return 0;
}

typedef struct rel_ctx {
  const char *id;
  char quoted[ACC_ID_MAX + 4]; /* "id" with its quotes */
  view_names *names;
  json_t *outgoing, *incoming; /* {relationship, other_ref, direction} */
  size_t n_out, n_in;
} rel_ctx;

static int rel_match(void *ctx, const acc_record *r) {
  rel_ctx *x = ctx;
  return r->raw && strstr(r->raw, x->quoted) != NULL;
}

static int ref_is(json_t *j, const char *key, const char *id) {
  const char *v = json_string_value(json_object_get(j, key));
  return v && strcmp(v, id) == 0;
}

static int list_has(json_t *j, const char *key, const char *id) {
  json_t *a = json_object_get(j, key);
  size_t i;
  json_t *v;
  json_array_foreach(a, i, v) {
    if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
      return 1;
  }
  return 0;
}

static void add_rel(rel_ctx *x, int outgoing, const acc_record *r, json_t *j,
                    const char *other, const char *label) {
  size_t *n = outgoing ? &x->n_out : &x->n_in;
  if ((*n)++ >= REL_MAX)
    return;
  json_t *s = view_summary(x->names, r);
  json_t *e = json_pack("{s:o,s:s,s:s?}", "relationship", s, "label", label,
                        "other_ref", other);
  json_t *v = json_object_get(j, "description");
  if (json_is_string(v))
    json_object_set(e, "description", v);
  json_array_append_new(outgoing ? x->outgoing : x->incoming, e);
}

static int add_relation(void *ctx, const acc_record *r) {
  rel_ctx *x = ctx;
  json_t *j = json_loadb(r->raw, r->raw_len, 0, NULL);
  if (!j)
    return 0;
  const char *type = json_string_value(json_object_get(j, "type"));
  if (type && strcmp(type, "relationship") == 0) {
    const char *rt = json_string_value(json_object_get(j, "relationship_type"));
    if (ref_is(j, "source_ref", x->id))
      add_rel(x, 1, r, j, json_string_value(json_object_get(j, "target_ref")),
              rt ? rt : "related-to");
    else if (ref_is(j, "target_ref", x->id))
      add_rel(x, 0, r, j, json_string_value(json_object_get(j, "source_ref")),
              rt ? rt : "related-to");
  } else if (type && strcmp(type, "sighting") == 0) {
    if (ref_is(j, "sighting_of_ref", x->id))
      add_rel(x, 0, r, j, NULL, "sighting of this");
    else if (list_has(j, "observed_data_refs", x->id))
      add_rel(x, 0, r, j,
              json_string_value(json_object_get(j, "sighting_of_ref")),
              "sighting observed in this");
    else if (list_has(j, "where_sighted_refs", x->id))
      add_rel(x, 0, r, j,
              json_string_value(json_object_get(j, "sighting_of_ref")),
              "sighted by this");
  }
  json_decref(j);
  return 0;
}

typedef struct other_ctx {
  json_t *by_id; /* id -> summary */
  view_names *names;
} other_ctx;

static int add_other(void *ctx, const acc_record *r) {
  other_ctx *x = ctx;
  if (!json_object_get(x->by_id, r->id))
    json_object_set_new(x->by_id, r->id, view_summary(x->names, r));
  return 0;
}

/* Summaries of the other ends the caller may see, 64 ids a query. */
static acc_rc resolve_others(acc_api_call *c, view_names *names, json_t *lists[2],
                             acc_diag *d) {
  other_ctx ox = {.by_id = json_object(), .names = names};
  json_t *wanted = json_object();
  acc_rc rc = ACC_OK;
  for (int k = 0; k < 2; k++) {
    size_t i;
    json_t *e;
    json_array_foreach(lists[k], i, e) {
      const char *o = json_string_value(json_object_get(e, "other_ref"));
      if (o)
        json_object_set_new(wanted, o, json_true());
    }
  }
  const char *ids[ACC_QUERY_MAX_TERMS];
  size_t n = 0;
  void *it = json_object_iter(wanted);
  while (!rc && (it || n)) {
    if (it) {
      ids[n++] = json_object_iter_key(it);
      it = json_object_iter_next(wanted, it);
    }
    if (n == ACC_QUERY_MAX_TERMS || (!it && n)) {
      acc_query q;
      acc_query_init(&q);
      memcpy(q.ids, ids, n * sizeof ids[0]);
      q.n_ids = n;
      rc = acc_guard_scan(c->st, &c->reader, &q, add_other, &ox, NULL, d);
      n = 0;
    }
  }
  for (int k = 0; k < 2 && !rc; k++) {
    size_t i;
    json_t *e;
    json_array_foreach(lists[k], i, e) {
      const char *o = json_string_value(json_object_get(e, "other_ref"));
      json_t *s = o ? json_object_get(ox.by_id, o) : NULL;
      if (s)
        json_object_set(e, "other", s);
    }
  }
  json_decref(wanted);
  json_decref(ox.by_id);
  return rc;
}

void acc_api_object(acc_api_call *c, acc_api_reply *r) {
  const char *id = c->arg[0];
  view_names names;
  acc_diag d = {{0}};
  if (strlen(id) >= ACC_ID_MAX || !strstr(id, "--")) {
    acc_api_error(r, 400,
                  "'%.80s' is not a STIX identifier (type--UUID)", id);
    return;
  }
  int64_t version = ACC_TIME_NONE;
  const char *vs = acc_api_query(c, "version");
  if (vs && *vs && acc_time_parse(vs, strlen(vs), 1, &version)) {
    acc_api_error(r, 400, "version: '%.40s' is not an RFC 3339 timestamp", vs);
    return;
  }
  acc_rc rc = view_names_init(&names, c->st, &d);
  if (rc) {
    acc_api_error(r, 500, "reading organisations failed: %s", d.msg);
    return;
  }
  one_ctx one = {.names = &names};
  rc = acc_guard_get(c->st, &c->reader, 0, id, version, take_one, &one, &d);
  if (rc == ACC_ENOTFOUND) {
    acc_api_error(r, 404,
                  "no object %.100s that you may see (check the id, or ask "
                  "its source to share it with your organisation)",
                  id);
    return;
  }
  if (rc || !one.object || !one.summary) {
    json_decref(one.object);
    json_decref(one.summary);
    acc_api_error(r, 500, "reading the object failed: %s", d.msg);
    return;
  }
  /* Versions. */
  ver_ctx vx = {.list = json_array(), .names = &names};
  acc_query q;
  acc_query_init(&q);
  q.ids[0] = id;
  q.n_ids = 1;
  q.version = ACC_VER_ALL;
  q.meta_only = 1;
  rc = acc_guard_scan(c->st, &c->reader, &q, add_version, &vx, NULL, &d);
  /* Relationships and sightings naming it. */
  rel_ctx rx = {.id = id,
                .names = &names,
                .outgoing = json_array(),
                .incoming = json_array()};
  snprintf(rx.quoted, sizeof rx.quoted, "\"%s\"", id);
  if (!rc) {
    acc_query_init(&q);
    q.types[0] = "relationship";
    q.types[1] = "sighting";
    q.n_types = 2;
    q.raw_contains = rx.quoted; /* the store's pre-filter, then exact */
    q.match = rel_match;
    q.match_ctx = &rx;
    rc = acc_guard_scan(c->st, &c->reader, &q, add_relation, &rx, NULL, &d);
  }
  json_t *lists[2] = {rx.outgoing, rx.incoming};
  if (!rc)
    rc = resolve_others(c, &names, lists, &d);
  if (rc) {
    json_decref(one.object);
    json_decref(one.summary);
    json_decref(vx.list);
    json_decref(rx.outgoing);
    json_decref(rx.incoming);
    acc_api_error(r, 500, "reading the object's context failed: %s", d.msg);
    return;
  }
  acc_api_json(
      r, 200,
      json_pack("{s:o,s:o,s:o,s:I,s:{s:o,s:I,s:o,s:I}}", "summary",
                one.summary, "object", one.object, "versions", vx.list,
                "versions_total", (json_int_t)vx.n, "relationships",
                "outgoing", rx.outgoing, "outgoing_total", (json_int_t)rx.n_out,
                "incoming", rx.incoming, "incoming_total",
                (json_int_t)rx.n_in));
}
