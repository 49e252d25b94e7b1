/*
 * test_decode.c — the document decoder: every accepted shape, exact byte
 * spans, and every document-level and object-level failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stix/decode.h"

#define MAX_SEEN 16

typedef struct seen {
  size_t n;
  char raw[MAX_SEEN][256];
  size_t line[MAX_SEEN];
  acc_rc err[MAX_SEEN];
  char msg[MAX_SEEN][320];
} seen;

static acc_rc collect(void *ctx, const acc_decoded *d) {
  seen *s = ctx;
  assert_true(s->n < MAX_SEEN);
  assert_int_equal(d->index, s->n);
  size_t n = d->len < 255 ? d->len : 255;
  memcpy(s->raw[s->n], d->raw, n);
  s->raw[s->n][n] = '\0';
  s->line[s->n] = d->line;
  s->err[s->n] = d->err;
  if (d->err) {
    assert_null(d->json);
    snprintf(s->msg[s->n], sizeof s->msg[0], "%s", d->errmsg);
  } else {
    assert_true(json_is_object(d->json));
  }
  s->n++;
  return ACC_OK;
}

static acc_rc run(const char *doc, seen *s, acc_doc_shape *shape, acc_diag *d) {
  memset(s, 0, sizeof *s);
  return acc_decode(doc, strlen(doc), NULL, collect, s, shape, d);
}

static void test_bundle_spans_exact(void **state) {
  (void)state;
  const char *doc = "{\"type\": \"bundle\", \"id\": \"bundle--1\",\n"
                    " \"objects\": [ {\"type\":\"a\", \"id\":\"x\"} ,\n"
                    "  {\"id\": \"y\",\n   \"type\": \"b\"}]}";
  seen s;
  acc_doc_shape shape;
  acc_diag d;
  assert_int_equal(run(doc, &s, &shape, &d), ACC_OK);
  assert_int_equal(shape, ACC_SHAPE_BUNDLE);
  assert_int_equal(s.n, 2);
  assert_string_equal(s.raw[0], "{\"type\":\"a\", \"id\":\"x\"}");
  assert_string_equal(s.raw[1], "{\"id\": \"y\",\n   \"type\": \"b\"}");
  assert_int_equal(s.line[0], 2);
  assert_int_equal(s.line[1], 3);
}

static void test_objects_before_type(void **state) {
  (void)state;
  /* "objects" may come before "type": still a bundle. */
  const char *doc = "{\"objects\":[{\"type\":\"a\"}],\"type\":\"bundle\"}";
  seen s;
  acc_doc_shape shape;
  acc_diag d;
  assert_int_equal(run(doc, &s, &shape, &d), ACC_OK);
  assert_int_equal(shape, ACC_SHAPE_BUNDLE);
  assert_int_equal(s.n, 1);
}

static void test_envelope_array_single(void **state) {
  (void)state;
  seen s;
  acc_doc_shape shape;
  acc_diag d;
  assert_int_equal(
      run("{\"more\":false,\"objects\":[{\"type\":\"a\"}]}", &s, &shape, &d),
      ACC_OK);
  assert_int_equal(shape, ACC_SHAPE_ENVELOPE);
  assert_int_equal(s.n, 1);
  assert_int_equal(
      run(" [ {\"type\":\"a\"}, {\"type\":\"b\"} ] ", &s, &shape, &d), ACC_OK);
  assert_int_equal(shape, ACC_SHAPE_ARRAY);
  assert_int_equal(s.n, 2);
  assert_int_equal(run("{\"type\":\"indicator\",\"id\":\"i\"}", &s, &shape, &d),
                   ACC_OK);
  assert_int_equal(shape, ACC_SHAPE_OBJECT);
  assert_int_equal(s.n, 1);
  assert_int_equal(run("{\"type\":\"bundle\",\"id\":\"b\"}", &s, &shape, &d),
                   ACC_OK);
  assert_int_equal(shape, ACC_SHAPE_BUNDLE);
  assert_int_equal(s.n, 0);
}

static void test_lines_independent(void **state) {
  (void)state;
  const char *doc = "{\"type\":\"a\"}\n"
                    "{\"type\":\"b\",\n" /* broken line */
                    "\n"
                    "{\"type\":\"c\"}\r\n"
                    "[1]\n"
                    "{\"type\":\"bundle\",\"objects\":[{\"type\":\"d\"}]}\n";
  seen s;
  acc_doc_shape shape;
  acc_diag d;
  assert_int_equal(run(doc, &s, &shape, &d), ACC_OK);
  assert_int_equal(shape, ACC_SHAPE_LINES);
  assert_int_equal(s.n, 5);
  assert_int_equal(s.err[0], ACC_OK);
  assert_int_equal(s.err[1], ACC_EJSON);
  assert_int_equal(s.line[1], 2);
  assert_int_equal(s.err[2], ACC_OK);
  assert_string_equal(s.raw[2], "{\"type\":\"c\"}");
  assert_int_equal(s.err[3], ACC_EINVAL); /* not an object */
  assert_int_equal(s.err[4], ACC_OK);     /* expanded from the bundle */
  assert_string_equal(s.raw[4], "{\"type\":\"d\"}");
}

static void test_document_errors(void **state) {
  (void)state;
  static const struct {
    const char *doc;
    acc_rc rc;
    const char *needle;
  } cases[] = {
      {"{\"type\":\"bundle\",\"objects\":[{\"type\":\"a\"}", ACC_EJSON,
       "unexpected end of input"},
      {"{\"type\":\"bundle\",\"objects\":[{\"type\":\"a\"} {}]}", ACC_EJSON,
       "expected ',' or ']'"},
      {"", ACC_ESHAPE, "empty"},
      {"   \n ", ACC_ESHAPE, "empty"},
      {"42", ACC_ESHAPE, "scalar"},
      {"{\"a\":1}", ACC_ESHAPE, "neither 'type' nor 'objects'"},
      {"{\"type\":\"bundle\",\"objects\":{}}", ACC_ESHAPE, "not an array"},
      {"{\"type\":\"bundle\",\n\"objects\":[]}\ngarbage", ACC_EJSON, "line 3"},
      {"[tru]", ACC_EJSON, "line 1, column 2"},
      {"{\"type\":\"bundle\",\"objects\":[\"unterminated]}", ACC_EJSON,
       "truncated"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    seen s;
    acc_diag d = {{0}};
    acc_rc rc = run(cases[i].doc, &s, NULL, &d);
    if (rc != cases[i].rc || !strstr(d.msg, cases[i].needle))
      fail_msg("case %zu: rc %d msg '%s'", i, rc, d.msg);
    assert_int_equal(s.n, 0); /* nothing handed on */
  }
}

static void test_depth_bound(void **state) {
  (void)state;
  char doc[512];
  size_t n = 0;
  for (int i = 0; i < 70; i++)
    doc[n++] = '[';
  for (int i = 0; i < 70; i++)
    doc[n++] = ']';
  doc[n] = '\0';
  seen s;
  acc_diag d;
  assert_int_equal(run(doc, &s, NULL, &d), ACC_ETOODEEP);
  assert_non_null(strstr(d.msg, "deeper than 64"));
  /* 64 levels are fine. */
  n = 0;
  for (int i = 0; i < 64; i++)
    doc[n++] = '[';
  for (int i = 0; i < 64; i++)
    doc[n++] = ']';
  doc[n] = '\0';
  assert_int_equal(run(doc, &s, NULL, &d), ACC_OK);
}

static void test_size_bounds(void **state) {
  (void)state;
  const char *doc =
      "[{\"type\":\"a\",\"pad\":\"0123456789\"},{\"type\":\"b\"}]";
  acc_decode_limits lim = {.max_doc_bytes = 10};
  seen s = {0};
  acc_diag d;
  assert_int_equal(acc_decode(doc, strlen(doc), &lim, collect, &s, NULL, &d),
                   ACC_ETOOBIG);
  assert_int_equal(s.n, 0);
  lim.max_doc_bytes = 0;
  lim.max_object_bytes = 20;
  assert_int_equal(acc_decode(doc, strlen(doc), &lim, collect, &s, NULL, &d),
                   ACC_OK);
  assert_int_equal(s.n, 2);
  assert_int_equal(s.err[0], ACC_ETOOBIG);
  assert_int_equal(s.err[1], ACC_OK);
}

static void test_object_level_errors(void **state) {
  (void)state;
  /* Invalid UTF-8 and duplicate keys reject only their own object. */
  const char *doc = "[{\"type\":\"a\",\"v\":\"\xff\"},"
                    "{\"type\":\"a\",\"type\":\"b\"},"
                    "{\"type\":\"ok\"},"
                    "\"str\"]";
  seen s;
  acc_diag d;
  assert_int_equal(run(doc, &s, NULL, &d), ACC_OK);
  assert_int_equal(s.n, 4);
  assert_int_equal(s.err[0], ACC_EJSON);
  assert_non_null(strstr(s.msg[0], "UTF-8"));
  assert_int_equal(s.err[1], ACC_EJSON);
  assert_non_null(strstr(s.msg[1], "duplicate"));
  assert_int_equal(s.err[2], ACC_OK);
  assert_int_equal(s.err[3], ACC_EINVAL);
}

static void test_escaped_quotes_and_bom(void **state) {
  (void)state;
  const char *doc = "\xEF\xBB\xBF[{\"type\":\"a\",\"s\":\"x\\\\\\\"]\\\\\"}]";
  seen s;
  acc_diag d;
  assert_int_equal(run(doc, &s, NULL, &d), ACC_OK);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.err[0], ACC_OK);
}

static acc_rc stop_at_two(void *ctx, const acc_decoded *d) {
  (void)ctx;
  return d->index == 1 ? ACC_ESTORE : ACC_OK;
}

static void test_callback_stops(void **state) {
  (void)state;
  const char *doc = "[{\"type\":\"a\"},{\"type\":\"b\"},{\"type\":\"c\"}]";
  acc_diag d;
  assert_int_equal(
      acc_decode(doc, strlen(doc), NULL, stop_at_two, NULL, NULL, &d),
      ACC_ESTORE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bundle_spans_exact),
      cmocka_unit_test(test_objects_before_type),
      cmocka_unit_test(test_envelope_array_single),
      cmocka_unit_test(test_lines_independent),
      cmocka_unit_test(test_document_errors),
      cmocka_unit_test(test_depth_bound),
      cmocka_unit_test(test_size_bounds),
      cmocka_unit_test(test_object_level_errors),
      cmocka_unit_test(test_escaped_quotes_and_bom),
      cmocka_unit_test(test_callback_stops),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
