/*
 * test_gen.c — the generators: same seed same bytes, different seeds
 * different bytes, the demo scenario's contents (kinds, TLP levels,
 * versions, revocation), exact synthetic counts in both formats, and for
 * every object of both: well-formed JSON, type/id/created, versions in
 * order, references only to objects written before, deterministic SCO ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen/gen.h"
#include "stix/stix.h"
#include "util/time.h"

static const char *const tlp_ids[5] = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", /* CLEAR */
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", /* GREEN */
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", /* AMBER */
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", /* A+S */
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", /* RED */
};
static const char *const tlp_levels[5] = {"clear", "green", "amber",
                                          "amber+strict", "red"};

/* 1 when id is "type--" and a lower-case UUID. */
static int id_ok(const char *id, const char *type) {
  size_t tl = strlen(type);
  if (strncmp(id, type, tl) != 0 || strncmp(id + tl, "--", 2) != 0)
    return 0;
  const char *u = id + tl + 2;
  if (strlen(u) != 36)
    return 0;
  for (size_t i = 0; i < 36; i++) {
    int dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? u[i] != '-' : !strchr("0123456789abcdef", u[i]) || !u[i])
      return 0;
  }
  return 1;
}

/* What one generator call wrote. */
typedef struct output {
  char *buf;
  size_t len;
} output;

static void output_free(output *o) {
  free(o->buf);
  o->buf = NULL;
  o->len = 0;
}

static acc_rc gen_demo(acc_gen_format fmt, uint64_t seed, output *o,
                       uint64_t *n) {
  FILE *f = open_memstream(&o->buf, &o->len);
  assert_non_null(f);
  acc_rc rc = acc_gen_demo(f, fmt, seed, n);
  assert_int_equal(fclose(f), 0);
  return rc;
}

static acc_rc gen_synth(acc_gen_format fmt, uint64_t count, uint64_t seed,
                        output *o) {
  FILE *f = open_memstream(&o->buf, &o->len);
  assert_non_null(f);
  acc_rc rc = acc_gen_synthetic(f, fmt, count, seed);
  assert_int_equal(fclose(f), 0);
  return rc;
}

/* Parse the output into an array of objects, failing the test on any
 * syntax error, duplicate key, or a line that is not an object. */
static json_t *parse(const output *o, acc_gen_format fmt) {
  json_error_t err;
  json_t *objs;
  if (fmt == ACC_GEN_BUNDLE) {
    json_t *b = json_loadb(o->buf, o->len, JSON_REJECT_DUPLICATES, &err);
    if (!b)
      fail_msg("bundle does not parse: %s (line %d)", err.text, err.line);
    assert_string_equal(json_string_value(json_object_get(b, "type")),
                        "bundle");
    const char *id = json_string_value(json_object_get(b, "id"));
    assert_non_null(id);
    assert_true(id_ok(id, "bundle"));
    objs = json_incref(json_object_get(b, "objects"));
    assert_true(json_is_array(objs));
    json_decref(b);
    return objs;
  }
  objs = json_array();
  assert_non_null(objs);
  size_t start = 0, line = 1;
  assert_true(o->len == 0 || o->buf[o->len - 1] == '\n');
  for (size_t i = 0; i < o->len; i++) {
    if (o->buf[i] != '\n')
      continue;
    json_t *v =
        json_loadb(o->buf + start, i - start, JSON_REJECT_DUPLICATES, &err);
    if (!v)
      fail_msg("line %zu does not parse: %s", line, err.text);
    assert_true(json_is_object(v));
    assert_int_equal(json_array_append_new(objs, v), 0);
    start = i + 1;
    line++;
  }
  return objs;
}

static const char *str(const json_t *o, const char *k) {
  return json_string_value(json_object_get(o, k));
}

static int is_sco(const char *type) {
  static const char *const scos[] = {"ipv4-addr", "domain-name", "url", "file",
                                     "email-addr"};
  for (size_t i = 0; i < sizeof scos / sizeof scos[0]; i++)
    if (strcmp(type, scos[i]) == 0)
      return 1;
  return 0;
}

static int64_t ts(const json_t *o, const char *k) {
  const char *s = str(o, k);
  int64_t us;
  if (!s)
    fail_msg("%s: no '%s'", str(o, "id"), k);
  if (acc_time_parse(s, strlen(s), 1, &us) != ACC_OK)
    fail_msg("%s: '%s' is not a timestamp: %s", str(o, "id"), k, s);
  assert_int_equal(s[strlen(s) - 1], 'Z');
  return us;
}

/* What check_objects learned. */
typedef struct summary {
  size_t n;
  size_t versions; /* objects repeating an earlier id */
  size_t revoked;
  unsigned tlp_mask;  /* bit l: some object is marked at level l */
  size_t markings[5]; /* the TLP marking definitions found, by level */
} summary;

/* Check a reference property: every id must be written earlier. */
static void check_ref(const json_t *seen, const json_t *o, const char *k,
                      const json_t *v) {
  const char *r = json_string_value(v);
  if (!r)
    fail_msg("%s: %s holds a non-string", str(o, "id"), k);
  if (!json_object_get(seen, r) && strcmp(r, str(o, "id")) != 0)
    fail_msg("%s: %s -> %s, not written before", str(o, "id"), k, r);
}

/* The checks every generated object must pass. */
static void check_objects(const json_t *objs, summary *s) {
  json_t *seen = json_object(); /* id -> latest modified (or true) */
  assert_non_null(seen);
  memset(s, 0, sizeof *s);
  size_t i;
  json_t *o;
  json_array_foreach(objs, i, o) {
    const char *type = str(o, "type"), *id = str(o, "id");
    assert_non_null(type);
    assert_non_null(id);
    if (!id_ok(id, type))
      fail_msg("object %zu: bad id '%s' for type '%s'", i, id, type);

    if (is_sco(type)) {
      char want[ACC_ID_MAX];
      assert_int_equal(acc_stix_sco_id(o, want), ACC_OK);
      if (strcmp(want, id) != 0)
        fail_msg("SCO %zu: id %s, deterministic id %s", i, id, want);
      assert_null(json_object_get(o, "created"));
      /* Observable values are unique, so an SCO id never repeats. */
      if (json_object_get(seen, id))
        fail_msg("SCO %zu: %s written twice", i, id);
    } else {
      assert_string_equal(str(o, "spec_version"), "2.1");
      /* A version-4 UUID except for the published TLP markings. */
      if (strcmp(type, "marking-definition") != 0) {
        const char *u = id + strlen(type) + 2;
        assert_int_equal(u[14], '4');
        assert_non_null(strchr("89ab", u[19]));
      }
      int64_t created = ts(o, "created");
      if (json_object_get(o, "modified")) {
        int64_t modified = ts(o, "modified");
        assert_true(modified >= created);
        json_t *prev = json_object_get(seen, id);
        if (prev) {
          s->versions++;
          const char *p = json_string_value(prev);
          int64_t prev_us;
          assert_non_null(p);
          assert_int_equal(acc_time_parse(p, strlen(p), 1, &prev_us), ACC_OK);
          if (modified <= prev_us)
            fail_msg("%s: version %zu not later than the one before", id, i);
        }
      } else {
        assert_string_equal(type, "marking-definition");
      }
    }
    if (json_is_true(json_object_get(o, "revoked")))
      s->revoked++;

    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
      size_t kl = strlen(k);
      if (kl > 4 && strcmp(k + kl - 4, "_ref") == 0) {
        check_ref(seen, o, k, v);
      } else if (kl > 5 && strcmp(k + kl - 5, "_refs") == 0) {
        size_t j;
        json_t *r;
        assert_true(json_is_array(v));
        assert_true(json_array_size(v) > 0);
        json_array_foreach(v, j, r) check_ref(seen, o, k, r);
      }
    }
    json_t *marks = json_object_get(o, "object_marking_refs");
    for (size_t j = 0; j < json_array_size(marks); j++)
      for (unsigned l = 0; l < 5; l++)
        if (strcmp(json_string_value(json_array_get(marks, j)), tlp_ids[l]) ==
            0)
          s->tlp_mask |= 1u << l;

    if (strcmp(type, "marking-definition") == 0)
      for (unsigned l = 0; l < 5; l++)
        if (strcmp(id, tlp_ids[l]) == 0) {
          json_t *ext = json_object_get(
              json_object_get(o, "extensions"),
              "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d");
          assert_string_equal(str(ext, "extension_type"), "property-extension");
          assert_string_equal(str(ext, "tlp_2_0"), tlp_levels[l]);
          assert_string_equal(str(o, "created"), "2022-10-01T00:00:00.000Z");
          assert_non_null(str(o, "name"));
          s->markings[l]++;
        }

    json_t *mod = json_object_get(o, "modified");
    assert_int_equal(
        json_object_set_new(seen, id, mod ? json_incref(mod) : json_true()), 0);
    s->n++;
  }
  json_decref(seen);
}

/* Count the objects of `type`; when `prop` is set, only those whose
 * `prop` equals `val`. */
static size_t count_type(const json_t *objs, const char *type, const char *prop,
                         const char *val) {
  size_t i, n = 0;
  json_t *o;
  json_array_foreach(objs, i, o) {
    if (strcmp(str(o, "type"), type) != 0)
      continue;
    if (prop && (!str(o, prop) || strcmp(str(o, prop), val) != 0))
      continue;
    n++;
  }
  return n;
}

/* ---- demo -------------------------------------------------------------- */

static void test_demo_deterministic(void **state) {
  (void)state;
  for (int f = 0; f < 2; f++) {
    acc_gen_format fmt = f ? ACC_GEN_LINES : ACC_GEN_BUNDLE;
    output a = {0}, b = {0}, c = {0};
    uint64_t na = 0, nb = 0, nc = 0;
    assert_int_equal(gen_demo(fmt, 42, &a, &na), ACC_OK);
    assert_int_equal(gen_demo(fmt, 42, &b, &nb), ACC_OK);
    assert_int_equal(gen_demo(fmt, 43, &c, &nc), ACC_OK);
    assert_true(a.len > 10000);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.buf, b.buf, a.len);
    assert_int_equal(na, nb);
    assert_int_equal(na, nc); /* same story ... */
    assert_true(a.len != c.len || memcmp(a.buf, c.buf, a.len) != 0);
    output_free(&a);
    output_free(&b);
    output_free(&c);
  }
}

static void test_demo_contents(void **state) {
  (void)state;
  for (int f = 0; f < 2; f++) {
    acc_gen_format fmt = f ? ACC_GEN_LINES : ACC_GEN_BUNDLE;
    output out = {0};
    uint64_t n = 0;
    assert_int_equal(gen_demo(fmt, 7, &out, &n), ACC_OK);
    json_t *objs = parse(&out, fmt);
    assert_int_equal(json_array_size(objs), n);
    assert_in_range(n, 150, 400);

    summary s;
    check_objects(objs, &s);
    assert_true(
        count_type(objs, "identity", "identity_class", "organization") >= 4);
    static const char *const kinds[] = {
        "indicator",      "sighting",     "relationship", "observed-data",
        "report",         "note",         "opinion",      "campaign",
        "intrusion-set",  "threat-actor", "malware",      "tool",
        "attack-pattern", "ipv4-addr",    "domain-name",  "url",
        "file",           "email-addr"};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
      if (count_type(objs, kinds[k], NULL, NULL) == 0)
        fail_msg("demo has no %s", kinds[k]);
    static const char *const rels[] = {"indicates", "uses", "attributed-to",
                                       "targets", "based-on"};
    for (size_t k = 0; k < sizeof rels / sizeof rels[0]; k++)
      if (count_type(objs, "relationship", "relationship_type", rels[k]) == 0)
        fail_msg("demo has no '%s' relationship", rels[k]);
    for (unsigned l = 0; l < 5; l++)
      assert_int_equal(s.markings[l], 1);
    assert_int_equal(count_type(objs, "marking-definition", NULL, NULL), 5);
    assert_int_equal(s.tlp_mask, 0x1f);
    assert_true(s.versions >= 1);
    assert_true(s.revoked >= 1);

    /* Indicators carry STIX patterns over observables. */
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o) {
      if (strcmp(str(o, "type"), "indicator") != 0)
        continue;
      assert_string_equal(str(o, "pattern_type"), "stix");
      assert_int_equal(str(o, "pattern")[0], '[');
      ts(o, "valid_from");
    }
    json_decref(objs);
    output_free(&out);
  }
}

static void test_demo_formats_agree(void **state) {
  (void)state;
  output a = {0}, b = {0};
  uint64_t na = 0, nb = 0;
  assert_int_equal(gen_demo(ACC_GEN_BUNDLE, 3, &a, &na), ACC_OK);
  assert_int_equal(gen_demo(ACC_GEN_LINES, 3, &b, &nb), ACC_OK);
  json_t *x = parse(&a, ACC_GEN_BUNDLE), *y = parse(&b, ACC_GEN_LINES);
  assert_true(json_equal(x, y));
  json_decref(x);
  json_decref(y);
  output_free(&a);
  output_free(&b);
}

/* ---- synthetic ----------------------------------------------------------- */

static void test_synth_counts(void **state) {
  (void)state;
  static const uint64_t counts[] = {0, 1, 10, 12345};
  for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++)
    for (int f = 0; f < 2; f++) {
      acc_gen_format fmt = f ? ACC_GEN_LINES : ACC_GEN_BUNDLE;
      output out = {0};
      assert_int_equal(gen_synth(fmt, counts[c], 99, &out), ACC_OK);
      json_t *objs = parse(&out, fmt);
      if (json_array_size(objs) != counts[c])
        fail_msg("asked for %llu objects (%s), got %zu",
                 (unsigned long long)counts[c], f ? "lines" : "bundle",
                 json_array_size(objs));
      summary s;
      check_objects(objs, &s);
      if (counts[c] == 12345) {
        /* About 5% are later versions; all five levels are used. */
        assert_in_range(s.versions, 12345 * 3 / 100, 12345 * 7 / 100);
        assert_int_equal(s.tlp_mask, 0x1f);
        assert_true(count_type(objs, "indicator", NULL, NULL) > 3000);
        assert_true(count_type(objs, "sighting", NULL, NULL) > 1000);
        assert_true(count_type(objs, "file", NULL, NULL) > 500);
        assert_true(count_type(objs, "url", NULL, NULL) > 500);
        assert_true(count_type(objs, "identity", NULL, NULL) > 100);
      }
      json_decref(objs);
      output_free(&out);
    }
}

static void test_synth_deterministic(void **state) {
  (void)state;
  for (int f = 0; f < 2; f++) {
    acc_gen_format fmt = f ? ACC_GEN_LINES : ACC_GEN_BUNDLE;
    output a = {0}, b = {0}, c = {0};
    assert_int_equal(gen_synth(fmt, 5000, 1, &a), ACC_OK);
    assert_int_equal(gen_synth(fmt, 5000, 1, &b), ACC_OK);
    assert_int_equal(gen_synth(fmt, 5000, 2, &c), ACC_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.buf, b.buf, a.len);
    assert_true(a.len != c.len || memcmp(a.buf, c.buf, a.len) != 0);
    output_free(&a);
    output_free(&b);
    output_free(&c);
  }
}

/* A prefix of a longer run is the shorter run: generation streams. */
static void test_synth_prefix(void **state) {
  (void)state;
  output a = {0}, b = {0};
  assert_int_equal(gen_synth(ACC_GEN_LINES, 300, 5, &a), ACC_OK);
  assert_int_equal(gen_synth(ACC_GEN_LINES, 3000, 5, &b), ACC_OK);
  assert_true(b.len > a.len);
  assert_memory_equal(a.buf, b.buf, a.len);
  output_free(&a);
  output_free(&b);
}

/* ---- errors ------------------------------------------------------------ */

static void test_bad_arguments(void **state) {
  (void)state;
  uint64_t n = 12345;
  assert_int_equal(acc_gen_demo(NULL, ACC_GEN_LINES, 1, &n), ACC_EINVAL);
  assert_int_equal(n, 12345);
  assert_int_equal(acc_gen_synthetic(NULL, ACC_GEN_LINES, 10, 1), ACC_EINVAL);
  output out = {0};
  FILE *f = open_memstream(&out.buf, &out.len);
  assert_non_null(f);
  assert_int_equal(acc_gen_demo(f, (acc_gen_format)7, 1, &n), ACC_EINVAL);
  assert_int_equal(acc_gen_synthetic(f, (acc_gen_format)7, 1, 1), ACC_EINVAL);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(out.len, 0);
  output_free(&out);
}

/* Allocation failure anywhere in the demo is reported, never ignored:
 * either the call fails or (when the failed allocation did not matter)
 * it writes exactly the normal output.  It leaks nothing either (the
 * sanitizer build checks that). */
static long alloc_left;  /* allocations until the one that fails */
static int alloc_failed; /* the failure was reached */

static void *failing_malloc(size_t n) {
  if (alloc_left-- == 0) {
    alloc_failed = 1;
    return NULL;
  }
  return malloc(n);
}

static void test_demo_out_of_memory(void **state) {
  (void)state;
  output ref = {0};
  uint64_t n_ref = 0;
  assert_int_equal(gen_demo(ACC_GEN_LINES, 1, &ref, &n_ref), ACC_OK);
  long k = 0;
  for (; k < 100000; k += 13) {
    output out = {0};
    FILE *f = open_memstream(&out.buf, &out.len);
    assert_non_null(f);
    uint64_t n = 0;
    alloc_left = k;
    alloc_failed = 0;
    json_set_alloc_funcs(failing_malloc, free);
    acc_rc rc = acc_gen_demo(f, ACC_GEN_LINES, 1, &n);
    json_set_alloc_funcs(malloc, free);
    assert_int_equal(fclose(f), 0);
    int same = out.len == ref.len && memcmp(out.buf, ref.buf, ref.len) == 0;
    output_free(&out);
    if (!alloc_failed) {
      assert_int_equal(rc, ACC_OK);
      break;
    }
    if (rc == ACC_OK && !same)
      fail_msg("allocation %ld failed, the output differs, yet the demo "
               "reported success",
               k);
    if (rc != ACC_OK)
      assert_int_equal(n, 0); /* not written on failure */
  }
  assert_true(k > 1000); /* the sweep reached the end of the demo */
  output_free(&ref);
}

/* Writing to a stream that refuses writes reports ACC_EIO. */
static void test_write_error(void **state) {
  (void)state;
  FILE *f = fopen("/dev/null", "r");
  assert_non_null(f);
  uint64_t n = 777;
  assert_int_equal(acc_gen_demo(f, ACC_GEN_BUNDLE, 1, &n), ACC_EIO);
  assert_int_equal(n, 777);
  assert_int_equal(acc_gen_synthetic(f, ACC_GEN_LINES, 100000, 1), ACC_EIO);
  fclose(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_demo_deterministic),
      cmocka_unit_test(test_demo_contents),
      cmocka_unit_test(test_demo_formats_agree),
      cmocka_unit_test(test_synth_counts),
      cmocka_unit_test(test_synth_deterministic),
      cmocka_unit_test(test_synth_prefix),
      cmocka_unit_test(test_bad_arguments),
      cmocka_unit_test(test_write_error),
      cmocka_unit_test(test_demo_out_of_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
