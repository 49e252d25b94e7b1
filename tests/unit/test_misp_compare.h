/*
 * test_misp_compare.h — what the MISP round-trip tests compare: each
 * event reduced to the things the round trip must keep (values, types,
 * categories, to_ids, comments, distribution, timestamps, tags, sightings,
 * object structure and references, galaxy clusters), with MISP's
 * numbers-as-strings read as numbers and lists that MISP does not order
 * read as sets.  Also: import a document into a store and export it back.
 */
#ifndef ACC_TEST_MISP_COMPARE_H
#define ACC_TEST_MISP_COMPARE_H

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "misp/misp.h"
#include "policy/guard.h"

static const char *tm_str(json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A number given as a string or a number; dflt when absent. */
static json_int_t tm_int(json_t *o, const char *k, json_int_t dflt) {
  json_t *v = json_object_get(o, k);
  if (json_is_integer(v))
    return json_integer_value(v);
  if (json_is_string(v))
    return strtoll(json_string_value(v), NULL, 10);
  return dflt;
}

static json_t *tm_tags(json_t *o) {
  json_t *set = json_object();
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(o, "Tag"), i, t) {
    const char *n = tm_str(t, "name");
    if (n)
      json_object_set_new(set, n, json_true());
  }
  return set;
}

static json_t *tm_attr(json_t *a) {
  json_t *sg = json_object();
  size_t i;
  json_t *s;
  json_array_foreach(json_object_get(a, "Sighting"), i, s) {
    char k[64];
    snprintf(k, sizeof k, "%lld|%lld", (long long)tm_int(s, "date_sighting", 0),
             (long long)tm_int(s, "type", 0));
    json_object_set_new(sg, k, json_true());
  }
  const char *c = tm_str(a, "comment"), *rel = tm_str(a, "object_relation");
  const char *fs = tm_str(a, "first_seen"), *ls = tm_str(a, "last_seen");
  return json_pack(
      "{s:s?,s:s?,s:b,s:s?,s:s,s:I,s:s?,s:o,s:I,s:b,s:b,s:s?,s:s?,s:o}", "type",
      tm_str(a, "type"), "category", tm_str(a, "category"), "to_ids",
      json_is_true(json_object_get(a, "to_ids")), "value", tm_str(a, "value"),
      "comment", c ? c : "", "distribution", tm_int(a, "distribution", 5),
      "relation", rel, "tags", tm_tags(a), "timestamp",
      tm_int(a, "timestamp", 0), "deleted",
      json_is_true(json_object_get(a, "deleted")), "disable_correlation",
      json_is_true(json_object_get(a, "disable_correlation")), "first_seen", fs,
      "last_seen", ls, "sightings", sg);
}

static json_t *tm_attrs(json_t *arr) {
  json_t *m = json_object();
  size_t i;
  json_t *a;
  json_array_foreach(arr, i, a) {
    const char *u = tm_str(a, "uuid");
    if (u)
      json_object_set_new(m, u, tm_attr(a));
  }
  return m;
}

/* One event, reduced. */
static json_t *tm_event(json_t *e) {
  json_t *in = json_object_get(e, "Event");
  if (in)
    e = in;
  json_t *objs = json_object();
  size_t i;
  json_t *o;
  json_array_foreach(json_object_get(e, "Object"), i, o) {
    json_t *refs = json_object();
    size_t k;
    json_t *r;
    json_array_foreach(json_object_get(o, "ObjectReference"), k, r) {
      char key[200];
      snprintf(key, sizeof key, "%s|%s|%s", tm_str(r, "referenced_uuid"),
               tm_str(r, "relationship_type"), tm_str(r, "uuid"));
      json_object_set_new(refs, key, json_true());
    }
    const char *c = tm_str(o, "comment");
    json_object_set_new(
        objs, tm_str(o, "uuid") ? tm_str(o, "uuid") : "?",
        json_pack(
            "{s:s?,s:s?,s:s?,s:s?,s:s,s:o,s:o}", "name", tm_str(o, "name"),
            "meta-category", tm_str(o, "meta-category"), "template_uuid",
            tm_str(o, "template_uuid"), "template_version",
            tm_str(o, "template_version"), "comment", c ? c : "", "attributes",
            tm_attrs(json_object_get(o, "Attribute")), "references", refs));
  }
  json_t *gal = json_object();
  json_t *g;
  json_array_foreach(json_object_get(e, "Galaxy"), i, g) {
    size_t k;
    json_t *c;
    json_array_foreach(json_object_get(g, "GalaxyCluster"), k, c) {
      char key[600];
      snprintf(key, sizeof key, "%s|%s|%s|%s", tm_str(g, "type"),
               tm_str(c, "uuid"), tm_str(c, "value"), tm_str(c, "tag_name"));
      json_object_set_new(gal, key, json_true());
    }
  }
  return json_pack(
      "{s:s?,s:s?,s:s?,s:I,s:I,s:I,s:b,s:s?,s:I,s:o,s:o,s:o,s:o}", "uuid",
      tm_str(e, "uuid"), "info", tm_str(e, "info"), "date", tm_str(e, "date"),
      "threat_level_id", tm_int(e, "threat_level_id", 4), "analysis",
      tm_int(e, "analysis", 0), "distribution", tm_int(e, "distribution", 0),
      "published", json_is_true(json_object_get(e, "published")), "orgc",
      tm_str(json_object_get(e, "Orgc"), "uuid"), "timestamp",
      tm_int(e, "timestamp", 0), "tags", tm_tags(e), "attributes",
      tm_attrs(json_object_get(e, "Attribute")), "objects", objs, "galaxies",
      gal);
}

/* Every event of a document, reduced, keyed by uuid. */
static json_t *tm_events(json_t *doc) {
  json_t *out = json_object();
  json_t *list = json_object_get(doc, "response");
  if (!list && json_is_array(doc))
    list = doc;
  if (!list) {
    json_t *e = tm_event(doc);
    json_object_set_new(out, tm_str(e, "uuid") ? tm_str(e, "uuid") : "?", e);
    return out;
  }
  size_t i;
  json_t *x;
  json_array_foreach(list, i, x) {
    json_t *e = tm_event(x);
    json_object_set_new(out, tm_str(e, "uuid") ? tm_str(e, "uuid") : "?", e);
  }
  return out;
}

/* Print where a and b differ (to stderr); returns how many differences. */
static int tm_diff(const char *path, json_t *a, json_t *b) {
  if (json_equal(a, b))
    return 0;
  if (json_is_object(a) && json_is_object(b)) {
    int n = 0;
    const char *k;
    json_t *v;
    char p[1024];
    json_object_foreach(a, k, v) {
      snprintf(p, sizeof p, "%s/%s", path, k);
      json_t *w = json_object_get(b, k);
      if (!w) {
        fprintf(stderr, "round trip: %s lost\n", p);
        n++;
      } else {
        n += tm_diff(p, v, w);
      }
    }
    json_object_foreach(b, k, v) {
      if (!json_object_get(a, k)) {
        fprintf(stderr, "round trip: %s/%s added\n", path, k);
        n++;
      }
    }
    return n;
  }
  char *sa = json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT);
  char *sb = json_dumps(b, JSON_ENCODE_ANY | JSON_COMPACT);
  fprintf(stderr, "round trip: %s: %.200s became %.200s\n", path, sa ? sa : "?",
          sb ? sb : "?");
  free(sa);
  free(sb);
  return 1;
}

/* Import buf into s, export everything back; the exported document is
 * returned parsed (NULL on failure).  counts may be NULL. */
static json_t *tm_round_trip(acc_store *s, const char *dir, const char *buf,
                             size_t len, acc_misp_counts *counts) {
  acc_misp_import_opts o = {0};
  acc_misp_importer *m;
  acc_diag d;
  if (acc_misp_importer_new(s, &o, &m))
    return NULL;
  acc_rc rc = acc_misp_import_buf(m, "input", buf, len, &d);
  if (counts)
    *counts = *acc_misp_importer_counts(m);
  acc_misp_importer_free(m);
  if (rc) {
    fprintf(stderr, "import: %s\n", d.msg);
    return NULL;
  }
  acc_audit *audit;
  if (acc_audit_open(dir, &audit, &d))
    return NULL;
  char *out = NULL;
  size_t out_len = 0;
  FILE *f = open_memstream(&out, &out_len);
  acc_query q;
  acc_query_init(&q);
  acc_reader rd = {
      .who = &acc_principal_operator, .path = "test", .audit = audit};
  acc_misp_export_opts eo = {.out = f};
  acc_misp_export_counts ec;
  rc = acc_misp_export(s, &rd, &q, &eo, &ec, &d);
  fclose(f);
  acc_audit_close(audit);
  json_t *doc = rc ? NULL : json_loadb(out, out_len, 0, NULL);
  if (rc)
    fprintf(stderr, "export: %s\n", d.msg);
  free(out);
  return doc;
}

#endif
