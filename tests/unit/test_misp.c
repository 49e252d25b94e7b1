/*
 * test_misp.c — the MISP subsystem: the attribute type table (against
 * describeTypes.json when ../shared is there), UUIDv5, MISP times, the
 * pattern reader, the mapper (every object it writes validates; same input,
 * same bytes), per-attribute messages on bad input, import through
 * acc_ingest with incremental re-runs, feeds, export selections, and the
 * round trip of tests/data/misp/all-types.json — which must come back
 * unchanged, and a changed export must be caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "misp/misp.h"
#include "misp/misp_int.h"
#include "stix/decode.h"
#include "stix/stix.h"
#include "store/store_raw.h"
#include "test_misp_compare.h"
#include "testutil.h"

static char *fixture(const char *name, size_t *len) {
  const char *td = getenv("ACC_TESTDATA");
  char path[1024];
  snprintf(path, sizeof path, "%s/misp/%s", td && *td ? td : "tests/data",
           name);
  char *b = slurp(path, len);
  if (!b)
    fprintf(stderr, "cannot read %s\n", path);
  return b;
}

/* ---- the type table -------------------------------------------------- */

static void test_types(void **state) {
  (void)state;
  assert_int_equal(acc_misp_n_types, 194);
  for (size_t i = 1; i < acc_misp_n_types; i++)
    assert_true(strcmp(acc_misp_types[i - 1].name, acc_misp_types[i].name) < 0);
  const acc_misp_type *t = acc_misp_type_find("ip-dst");
  assert_non_null(t);
  assert_int_equal(t->fam, MF_IP);
  assert_string_equal(acc_misp_categories[t->default_category],
                      "Network activity");
  assert_int_equal(acc_misp_type_find("filename|sha256")->fam,
                   MF_FILENAME_HASH);
  assert_int_equal(acc_misp_type_find("AS")->fam, MF_AS);
  assert_null(acc_misp_type_find("no-such-type"));
  assert_int_equal(acc_misp_category_index("Other"), 15);
  /* every type that claims a STIX pattern has its paths */
  for (size_t i = 0; i < acc_misp_n_types; i++) {
    const acc_misp_type *x = &acc_misp_types[i];
    char a[160], b[160];
    int has = acc_misp_paths(x, 0, a, b);
    if (x->fam >= MF_HASH && x->fam <= MF_USER_AGENT)
      assert_true(has && a[0]);
    else
      assert_false(has);
  }
  /* the facts, against MISP's own list when it is here */
  char path[1024];
  if (!shared_path("specs/misp-describeTypes.json", path, sizeof path))
    return;
  json_t *dt = json_load_file(path, 0, NULL);
  assert_non_null(dt);
  json_t *r = json_object_get(dt, "result");
  json_t *types = json_object_get(r, "types");
  assert_int_equal(json_array_size(types), acc_misp_n_types);
  size_t i;
  json_t *v;
  json_array_foreach(types, i, v) {
    const char *name = json_string_value(v);
    const acc_misp_type *x = acc_misp_type_find(name);
    assert_non_null(x);
    json_t *sd = json_object_get(json_object_get(r, "sane_defaults"), name);
    assert_string_equal(
        acc_misp_categories[x->default_category],
        json_string_value(json_object_get(sd, "default_category")));
    assert_int_equal(x->default_to_ids,
                     json_integer_value(json_object_get(sd, "to_ids")));
  }
  json_decref(dt);
}

static void test_uuid5_and_time(void **state) {
  (void)state;
  char u[37];
  /* RFC 9562's example: the DNS namespace and "www.example.com" */
  assert_int_equal(acc_misp_uuid5("6ba7b810-9dad-11d1-80b4-00c04fd430c8",
                                  "www.example.com", 15, u),
                   ACC_OK);
  assert_string_equal(u, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
  assert_int_not_equal(acc_misp_uuid5("nope", "x", 1, u), ACC_OK);
  int64_t us;
  assert_int_equal(acc_misp_iso("2019-06-02T22:14:28.711954+00:00", &us), 0);
  assert_int_equal(us, INT64_C(1559513668711954));
  assert_int_equal(acc_misp_iso("2019-06-03T00:14:28.711954+02:00", &us), 0);
  assert_int_equal(us, INT64_C(1559513668711954));
  assert_int_equal(acc_misp_iso("2019-06-02", &us), 0);
  assert_int_equal(us, INT64_C(1559433600000000));
  assert_int_not_equal(acc_misp_iso("yesterday", &us), 0);
  assert_int_not_equal(acc_misp_iso("2019-06-02T22:14", &us), 0);
  json_t *s = json_string("1418217625");
  assert_int_equal(acc_misp_unix(s, &us), 0);
  assert_int_equal(us, 1418217625);
  json_decref(s);
  s = json_string("14x");
  assert_int_not_equal(acc_misp_unix(s, &us), 0);
  json_decref(s);
}

static void test_pattern(void **state) {
  (void)state;
  acc_buf b;
  acc_buf_init(&b, 4096);
  assert_int_equal(acc_buf_puts(&b, "[file:name = "), ACC_OK);
  assert_int_equal(acc_pat_quote(&b, "it's a \\ test"), ACC_OK);
  assert_int_equal(acc_buf_puts(&b, " AND network-traffic:dst_port = 443]"),
                   ACC_OK);
  acc_pat p;
  assert_int_equal(acc_pat_parse(acc_buf_cstr(&b), &p), ACC_OK);
  assert_int_equal(p.n, 2);
  assert_string_equal(p.t[0].path, "file:name");
  assert_string_equal(p.t[0].value, "it's a \\ test");
  assert_string_equal(p.t[1].path, "network-traffic:dst_port");
  assert_string_equal(p.t[1].value, "443");
  assert_true(p.t[1].is_int);
  acc_pat_free(&p);
  assert_int_equal(acc_pat_parse("[file:hashes.'SHA-256' = 'ab']", &p), ACC_OK);
  assert_string_equal(p.t[0].path, "file:hashes.'SHA-256'");
  acc_pat_free(&p);
  /* richer patterns are not read here */
  assert_int_not_equal(acc_pat_parse("[a:b = 'x' OR a:c = 'y']", &p), ACC_OK);
  assert_int_not_equal(acc_pat_parse("[a:b = 'x'] FOLLOWEDBY [a:c = 'y']", &p),
                       ACC_OK);
  assert_int_not_equal(acc_pat_parse("[a:b LIKE 'x%']", &p), ACC_OK);
  assert_int_not_equal(acc_pat_parse("[a:b = 'unterminated]", &p), ACC_OK);
  acc_buf_free(&b);
}

/* ---- the mapper -------------------------------------------------------- */

typedef struct msgs {
  acc_buf text; /* every message, one per line */
  size_t n_err, n_warn;
} msgs;

static void on_msg(void *ctx, const acc_misp_msg *m) {
  msgs *g = ctx;
  if (m->level == ACC_MISP_ERROR)
    g->n_err++;
  else
    g->n_warn++;
  acc_buf_printf(&g->text, "%s|%s|o%ld|%s|a%ld|%s|%s\n",
                 m->file ? m->file : "-", m->event_uuid ? m->event_uuid : "-",
                 m->object_index, m->object_uuid ? m->object_uuid : "-",
                 m->attr_index, m->attr_uuid ? m->attr_uuid : "-", m->msg);
}

typedef struct vcount {
  size_t n, invalid;
} vcount;

static acc_rc validate_one(void *ctx, const acc_decoded *d) {
  vcount *v = ctx;
  v->n++;
  acc_stix_obj o;
  acc_diag diag;
  if (d->err || acc_stix_validate(d->json, &o, &diag, NULL, NULL)) {
    fprintf(stderr, "invalid object %zu: %s\n", d->index,
            d->err ? d->errmsg : diag.msg);
    v->invalid++;
  }
  return ACC_OK;
}

static void map_file(const char *name, acc_buf *out, acc_misp_counts *c,
                     msgs *g) {
  size_t len = 0;
  char *buf = fixture(name, &len);
  assert_non_null(buf);
  json_t *ev = json_loadb(buf, len, 0, NULL);
  assert_non_null(ev);
  acc_misp_import_opts o = {.ctx = g, .on_message = g ? on_msg : NULL};
  memset(c, 0, sizeof *c);
  acc_diag d;
  assert_int_equal(acc_misp_map_event(ev, name, &o, out, c, &d), ACC_OK);
  json_decref(ev);
  free(buf);
}

static void test_map_valid_and_deterministic(void **state) {
  (void)state;
  acc_buf a, b;
  acc_buf_init(&a, (size_t)1 << 26);
  acc_buf_init(&b, (size_t)1 << 26);
  acc_misp_counts c;
  map_file("all-types.json", &a, &c, NULL);
  /* 47 attributes (42 + 5 in two objects), each carried once */
  assert_int_equal(c.attributes, 47);
  assert_int_equal(c.unmapped, 0);
  assert_int_equal(c.mapped[ACC_MISP_C_INDICATOR], 24);
  assert_int_equal(c.mapped[ACC_MISP_C_OBSERVED], 12);
  assert_int_equal(c.mapped[ACC_MISP_C_SDO], 4);
  assert_int_equal(c.mapped[ACC_MISP_C_NOTE], 3);
  assert_int_equal(c.mapped[ACC_MISP_C_CUSTOM], 4);
  assert_int_equal(c.objects, 2);
  assert_int_equal(c.references, 2);
  assert_int_equal(c.sightings, 2);
  assert_int_equal(c.galaxies, 2);
  /* every object written is valid STIX 2.1 */
  vcount v = {0};
  acc_doc_shape shape;
  acc_diag d;
  assert_int_equal(
      acc_decode(a.data, a.len, NULL, validate_one, &v, &shape, &d), ACC_OK);
  assert_int_equal(shape, ACC_SHAPE_ARRAY);
  assert_int_equal(v.invalid, 0);
  assert_true(v.n > 70);
  /* ids derive from MISP uuids */
  assert_non_null(strstr(
      a.data, "\"id\":\"report--3c1a9e52-7d40-4f6b-9a21-5e8c0d4b7f10\""));
  assert_non_null(strstr(
      a.data, "\"id\":\"indicator--7a000000-0000-4000-8000-000000000001\""));
  assert_non_null(strstr(
      a.data, "\"id\":\"grouping--7a000000-0000-4000-8000-000000000043\""));
  /* TLP tags are markings: the event's AMBER, the domain's own RED */
  assert_non_null(strstr(a.data, "marking-definition--55d920b0-5e8b-4f79-"
                                 "9ee9-91f868d9b421"));
  assert_non_null(strstr(a.data, "marking-definition--e828b379-4e03-4974-"
                                 "9ac4-e53a884c97c1"));
  /* same input, same bytes */
  map_file("all-types.json", &b, &c, NULL);
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.data, b.data, a.len);
  acc_buf_free(&a);
  acc_buf_free(&b);
}

static void test_bad_input_messages(void **state) {
  (void)state;
  acc_buf out;
  acc_buf_init(&out, (size_t)1 << 26);
  msgs g = {0};
  acc_buf_init(&g.text, 1 << 20);
  acc_misp_counts c;
  map_file("bad-input.json", &out, &c, &g);
  const char *t = acc_buf_cstr(&g.text);
  assert_int_equal(c.attributes, 17);
  assert_int_equal(c.unmapped, 12);
  /* each message names the file, the event, the index and the uuid */
  assert_non_null(strstr(t, "bad-input.json|4d2b8f63-8e51-4a7c-8b32-"
                            "6f9d1e5c8a21|o-1|-|a1|-|'uuid' is missing"));
  assert_non_null(strstr(t, "a2|8a000000-0000-4000-8000-000000000003|type "
                            "'no-such-type' is not a MISP attribute type"));
  assert_non_null(strstr(t, "a3|8a000000-0000-4000-8000-000000000004|"
                            "'value' is not a string"));
  assert_non_null(strstr(t, "a4|8a000000-0000-4000-8000-000000000005|'type' "
                            "is not a string"));
  assert_non_null(strstr(t, "a6|8a000000-0000-4000-8000-000000000007|the "
                            "port"));
  assert_non_null(strstr(t, "a7|-|not a JSON object"));
  assert_non_null(strstr(t, "a8|-|'uuid' 'not-a-uuid' is not a UUID"));
  assert_non_null(strstr(t, "'to_ids' is not a boolean"));
  assert_non_null(strstr(t, "'value' is empty"));
  assert_non_null(strstr(t, "is used twice"));
  assert_non_null(strstr(t, "has no '|'"));
  assert_non_null(strstr(t, "o0|-|a-1|-|'uuid' is missing or not a UUID"));
  assert_non_null(strstr(t, "o1|8b000000-0000-4000-8000-000000000001|a-1|-|"
                            "reference 0 (drops)"));
  assert_non_null(strstr(t, "'Tag' is not an array"));
  assert_int_equal(c.references_unmapped, 1);
  /* the good ones are there */
  assert_non_null(strstr(out.data, "indicator--8a000000-0000-4000-8000-"
                                   "000000000001"));
  acc_buf_free(&out);
  acc_buf_free(&g.text);
}

static void test_not_misp(void **state) {
  (void)state;
  acc_misp_import_opts o = {.no_store = 1};
  acc_misp_importer *m;
  assert_int_equal(acc_misp_importer_new(NULL, &o, &m), ACC_OK);
  acc_diag d;
  size_t len = 0;
  char *buf = fixture("not-misp.json", &len);
  assert_int_equal(acc_misp_import_buf(m, "not-misp.json", buf, len, &d),
                   ACC_ESHAPE);
  assert_non_null(strstr(d.msg, "no MISP event here"));
  free(buf);
  buf = fixture("broken.json", &len);
  assert_int_equal(acc_misp_import_buf(m, "broken.json", buf, len, &d),
                   ACC_EJSON);
  assert_non_null(strstr(d.msg, "line 1"));
  free(buf);
  buf = fixture("bad-events.json", &len);
  assert_int_equal(acc_misp_import_buf(m, "bad-events.json", buf, len, &d),
                   ACC_OK);
  const acc_misp_counts *c = acc_misp_importer_counts(m);
  assert_int_equal(c->events, 3);
  assert_int_equal(c->events_failed, 2);
  assert_int_equal(c->events_imported, 1);
  free(buf);
  acc_misp_importer_free(m);
  acc_misp_importer_free(NULL);
}

/* ---- through a store ---------------------------------------------------- */

static void test_round_trip_fixture(void **state) {
  fx *f = *state;
  size_t len = 0;
  char *buf = fixture("all-types.json", &len);
  assert_non_null(buf);
  acc_misp_counts c;
  json_t *back = tm_round_trip(f->s, f->dir, buf, len, &c);
  assert_non_null(back);
  assert_int_equal(c.rejected, 0);
  assert_int_equal(c.stix.rejected, 0);
  json_t *orig = json_loadb(buf, len, 0, NULL);
  json_t *a = tm_events(orig), *b = tm_events(back);
  assert_int_equal(tm_diff("", a, b), 0);
  /* and the comparison does catch a change */
  json_t *ev = json_object_get(back, "Event");
  json_t *first = json_array_get(json_object_get(ev, "Attribute"), 0);
  json_object_set_new(first, "category", json_string("Other"));
  json_t *b2 = tm_events(back);
  assert_int_equal(tm_diff("", a, b2), 1);
  json_decref(b2);
  json_decref(a);
  json_decref(b);
  json_decref(orig);
  json_decref(back);

  /* the store remembers: the same event again is skipped unread ... */
  acc_misp_import_opts o = {0};
  acc_misp_importer *m;
  acc_diag d;
  assert_int_equal(acc_misp_importer_new(f->s, &o, &m), ACC_OK);
  assert_int_equal(acc_misp_import_buf(m, "again", buf, len, &d), ACC_OK);
  assert_int_equal(acc_misp_importer_counts(m)->events_unchanged, 1);
  assert_int_equal(acc_misp_importer_counts(m)->stix.stored, 0);
  acc_misp_importer_free(m);
  /* ... and mapped again with force, everything is a duplicate */
  o.force = 1;
  assert_int_equal(acc_misp_importer_new(f->s, &o, &m), ACC_OK);
  assert_int_equal(acc_misp_import_buf(m, "forced", buf, len, &d), ACC_OK);
  assert_int_equal(acc_misp_importer_counts(m)->events_imported, 1);
  assert_int_equal(acc_misp_importer_counts(m)->stix.stored, 0);
  assert_true(acc_misp_importer_counts(m)->stix.duplicate > 70);
  acc_misp_importer_free(m);
  free(buf);
}

static void test_rejected_traced(void **state) {
  fx *f = *state;
  size_t len = 0;
  char *buf = fixture("bad-input.json", &len);
  msgs g = {0};
  acc_buf_init(&g.text, 1 << 20);
  acc_misp_import_opts o = {.ctx = &g, .on_message = on_msg};
  acc_misp_importer *m;
  acc_diag d;
  assert_int_equal(acc_misp_importer_new(f->s, &o, &m), ACC_OK);
  assert_int_equal(acc_misp_import_buf(m, "bad-input.json", buf, len, &d),
                   ACC_OK);
  const acc_misp_counts *c = acc_misp_importer_counts(m);
  /* the bad MD5 is refused by STIX validation, traced to its attribute */
  assert_int_equal(c->rejected, 1);
  assert_non_null(strstr(acc_buf_cstr(&g.text),
                         "a5|8a000000-0000-4000-8000-000000000006|STIX "
                         "validation refused indicator--8a000000"));
  assert_int_equal(c->events_imported, 1);
  acc_misp_importer_free(m);
  acc_buf_free(&g.text);
  free(buf);
}

typedef struct collect {
  size_t n;
} collect;

static int count_rec(void *ctx, const acc_record *r) {
  (void)r;
  ((collect *)ctx)->n++;
  return 0;
}

static void test_feed_and_selection(void **state) {
  fx *f = *state;
  char feed[128], out[128];
  snprintf(feed, sizeof feed, "%s/feed", f->dir);
  snprintf(out, sizeof out, "%s/out", f->dir);
  acc_diag d;
  assert_int_equal(acc_misp_synth_feed(feed, 3, 40, 7, &d), ACC_OK);
  acc_misp_import_opts o = {0};
  acc_misp_importer *m;
  assert_int_equal(acc_misp_importer_new(f->s, &o, &m), ACC_OK);
  assert_int_equal(acc_misp_import_dir(m, feed, 0, &d), ACC_OK);
  const acc_misp_counts *c = acc_misp_importer_counts(m);
  assert_int_equal(c->events_imported, 3);
  assert_int_equal(c->attributes, 120);
  assert_int_equal(c->unmapped, 0);
  assert_int_equal(c->stix.rejected, 0);
  acc_misp_importer_free(m);
  /* a re-run reads the manifest only */
  assert_int_equal(acc_misp_importer_new(f->s, &o, &m), ACC_OK);
  assert_int_equal(acc_misp_import_dir(m, feed, 0, &d), ACC_OK);
  assert_int_equal(acc_misp_importer_counts(m)->events_unchanged, 3);
  assert_int_equal(acc_misp_importer_counts(m)->attributes, 0);
  acc_misp_importer_free(m);

  /* export as a feed: manifest.json, hashes.csv, one file per event */
  acc_audit *audit;
  assert_int_equal(acc_audit_open(f->dir, &audit, &d), ACC_OK);
  acc_reader rd = {
      .who = &acc_principal_operator, .path = "test", .audit = audit};
  acc_query q;
  acc_query_init(&q);
  acc_misp_export_opts eo = {.feed_dir = out};
  acc_misp_export_counts ec;
  assert_int_equal(acc_misp_export(f->s, &rd, &q, &eo, &ec, &d), ACC_OK);
  assert_int_equal(ec.events, 3);
  assert_int_equal(ec.attributes, 120);
  assert_int_equal(ec.missing, 0);
  char path[256];
  snprintf(path, sizeof path, "%s/manifest.json", out);
  json_t *man = json_load_file(path, 0, NULL);
  assert_int_equal(json_object_size(man), 3);
  const char *k;
  json_t *v;
  json_object_foreach(man, k, v) {
    assert_non_null(json_object_get(v, "integrity:sha256"));
    assert_non_null(json_object_get(v, "Orgc"));
  }
  json_decref(man);
  snprintf(path, sizeof path, "%s/hashes.csv", out);
  size_t hl;
  char *hashes = slurp(path, &hl);
  assert_non_null(hashes);
  assert_true(hl > 120 * 34); /* md5,uuid per value */
  free(hashes);

  /* only indicators: no report selected, one event of loose attributes */
  acc_query_init(&q);
  q.types[q.n_types++] = "indicator";
  char *buf = NULL;
  size_t blen = 0;
  FILE *mf = open_memstream(&buf, &blen);
  acc_misp_export_opts eo2 = {.out = mf};
  assert_int_equal(acc_misp_export(f->s, &rd, &q, &eo2, &ec, &d), ACC_OK);
  fclose(mf);
  assert_int_equal(ec.events, 1);
  json_t *doc = json_loadb(buf, blen, 0, NULL);
  assert_non_null(doc);
  json_t *attrs = json_object_get(json_object_get(doc, "Event"), "Attribute");
  assert_true(json_array_size(attrs) > 50);
  size_t i;
  json_array_foreach(attrs, i, v)
      assert_true(json_is_true(json_object_get(v, "to_ids")));
  json_decref(doc);
  free(buf);
  acc_audit_close(audit);

  /* the exported feed imports into another store as the same events */
  char other[128];
  snprintf(other, sizeof other, "%s/other", f->dir);
  acc_store *s2;
  assert_int_equal(acc_store_open(other, 1, &s2, &d), ACC_OK);
  assert_int_equal(acc_misp_importer_new(s2, &o, &m), ACC_OK);
  assert_int_equal(acc_misp_import_dir(m, out, 0, &d), ACC_OK);
  assert_int_equal(acc_misp_importer_counts(m)->events_imported, 3);
  assert_int_equal(acc_misp_importer_counts(m)->events_failed, 0);
  acc_misp_importer_free(m);
  acc_query_init(&q);
  collect n1 = {0}, n2 = {0};
  assert_int_equal(acc_store_scan(f->s, &q, count_rec, &n1, &d), ACC_OK);
  assert_int_equal(acc_store_scan(s2, &q, count_rec, &n2, &d), ACC_OK);
  assert_int_equal(n1.n, n2.n);
  acc_store_close(s2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_types),
      cmocka_unit_test(test_uuid5_and_time),
      cmocka_unit_test(test_pattern),
      cmocka_unit_test(test_map_valid_and_deterministic),
      cmocka_unit_test(test_bad_input_messages),
      cmocka_unit_test(test_not_misp),
      cmocka_unit_test_setup_teardown(test_round_trip_fixture, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rejected_traced, setup, teardown),
      cmocka_unit_test_setup_teardown(test_feed_and_selection, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
