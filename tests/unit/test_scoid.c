/*
 * test_scoid.c — deterministic SCO identifiers: the examples of the STIX
 * 2.1 specification whose identifiers are UUIDv5 (tests/data/stix/
 * sco-id-vectors.json), the choice of one hash, and the properties the
 * identifier must have (order-independent, only ID-contributing
 * properties count, UUIDv4 cases refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stix/stix.h"

/* The identifier of the SCO written as JSON text; rc returned. */
static acc_rc id_of(const char *text, char out[ACC_ID_MAX]) {
  json_error_t err;
  json_t *v = json_loads(text, 0, &err);
  if (!v)
    fail_msg("bad test JSON %s: %s", text, err.text);
  acc_rc rc = acc_stix_sco_id(v, out);
  json_decref(v);
  return rc;
}

static void expect_id(const char *text, const char *want) {
  char id[ACC_ID_MAX];
  acc_rc rc = id_of(text, id);
  if (rc)
    fail_msg("%s: %s", text, acc_strerror(rc));
  if (strcmp(id, want))
    fail_msg("%s\n  got  %s\n  want %s", text, id, want);
}

static void expect_same(const char *a, const char *b) {
  char ia[ACC_ID_MAX], ib[ACC_ID_MAX];
  assert_int_equal(id_of(a, ia), ACC_OK);
  assert_int_equal(id_of(b, ib), ACC_OK);
  if (strcmp(ia, ib))
    fail_msg("expected the same id for\n  %s\n  %s\n(%s vs %s)", a, b, ia, ib);
}

static void expect_differ(const char *a, const char *b) {
  char ia[ACC_ID_MAX], ib[ACC_ID_MAX];
  assert_int_equal(id_of(a, ia), ACC_OK);
  assert_int_equal(id_of(b, ib), ACC_OK);
  if (!strcmp(ia, ib))
    fail_msg("expected different ids for\n  %s\n  %s", a, b);
}

/* Examples from the specification, inline (§2.9, §6). */
static void test_spec_examples(void **state) {
  (void)state;
  /* §2.9: uuid5(ns, '{"value":"198.51.100.3"}') */
  expect_id("{\"type\":\"ipv4-addr\",\"value\":\"198.51.100.3\"}",
            "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4");
  expect_id("{\"type\":\"autonomous-system\",\"number\":15139,"
            "\"name\":\"Slime Industries\",\"rir\":\"ARIN\"}",
            "autonomous-system--3aa27478-50b5-5ab8-9da9-cdc12b657fff");
  /* non-ASCII in the name (UTF-8 in the canonical form) */
  expect_id("{\"type\":\"file\",\"hashes\":{\"SHA-256\":"
            "\"841a8921140aba50671ebb0770fecc4ee308c4952cfeff8de154ab14eeef"
            "4649\"},\"name\":\"qu\\u00eary.dll\",\"name_enc\":"
            "\"windows-1252\"}",
            "file--7d1e3a18-89e7-5bc5-be36-9879f5b7f5c8");
  /* a list of objects contributes whole */
  expect_id("{\"type\":\"windows-registry-key\",\"key\":"
            "\"hkey_local_machine\\\\system\\\\bar\\\\foo\",\"values\":["
            "{\"name\":\"Foo\",\"data\":\"qwerty\",\"data_type\":\"REG_SZ\"},"
            "{\"name\":\"Bar\",\"data\":\"42\",\"data_type\":\"REG_DWORD\"}]}",
            "windows-registry-key--f6a11ddf-fa2b-54c8-97ab-e7f28413095a");
  /* extensions contribute, with mixed-case dictionary keys and integers */
  expect_id("{\"type\":\"file\",\"name\":\"picture.jpg\",\"hashes\":{"
            "\"SHA-256\":\"4bac27393bdd9777ce02453256c5577cd02275510b2227f47"
            "3d03f533924f877\"},\"extensions\":{\"raster-image-ext\":{"
            "\"exif_tags\":{\"Make\":\"Nikon\",\"Model\":\"D7000\","
            "\"XResolution\":4928,\"YResolution\":3264}}}}",
            "file--66772174-3442-5e0d-b577-4bd7be55fb87");
  expect_id("{\"type\":\"software\",\"name\":\"Word\",\"cpe\":"
            "\"cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*\",\"version\":"
            "\"2002\",\"vendor\":\"Microsoft\"}",
            "software--710b0b41-d4d0-5d6c-a400-fc9254554ffc");
  expect_id("{\"type\":\"user-account\",\"user_id\":\"thegrugq_ebooks\","
            "\"account_login\":\"thegrugq_ebooks\",\"account_type\":"
            "\"twitter\",\"display_name\":\"the grugq\"}",
            "user-account--f223e803-846b-591a-aefa-545e938f8a56");
}

/* Every SCO example of the specification with a UUIDv5 identifier,
 * including the PE binary extension (floats, a 32-bit integer). */
static void test_spec_vector_file(void **state) {
  (void)state;
  const char *dir = getenv("ACC_TESTDATA");
  char path[4096];
  snprintf(path, sizeof path, "%s/stix/sco-id-vectors.json",
           dir ? dir : "tests/data");
  json_error_t err;
  json_t *all = json_load_file(path, 0, &err);
  if (!all) {
    if (!dir)
      skip(); /* run by hand from elsewhere */
    fail_msg("%s: %s", path, err.text);
  }
  size_t i, n = 0;
  json_t *o;
  json_array_foreach(all, i, o) {
    char id[ACC_ID_MAX];
    const char *want = json_string_value(json_object_get(o, "id"));
    assert_int_equal(acc_stix_sco_id(o, id), ACC_OK);
    if (strcmp(id, want))
      fail_msg("vector %zu: got %s, want %s", i, id, want);
    n++;
  }
  assert_true(n >= 40);
  json_decref(all);
}

/* Member order, and properties that do not contribute, change nothing. */
static void test_invariance(void **state) {
  (void)state;
  expect_same("{\"type\":\"ipv4-addr\",\"value\":\"10.0.0.1\"}",
              "{\"value\":\"10.0.0.1\",\"spec_version\":\"2.1\","
              "\"id\":\"ipv4-addr--00000000-0000-4000-8000-000000000000\","
              "\"type\":\"ipv4-addr\",\"resolves_to_refs\":["
              "\"mac-addr--65cfcf98-8a6e-5a1b-8f61-379ac4f92d00\"],"
              "\"x_custom\":true,\"defanged\":false}");
  expect_same("{\"type\":\"network-traffic\",\"src_ref\":\"ipv4-addr--1\","
              "\"dst_port\":443,\"protocols\":[\"ipv4\",\"tcp\"],"
              "\"extensions\":{\"tcp-ext\":{\"src_flags_hex\":\"02\","
              "\"dst_flags_hex\":\"12\"}}}",
              "{\"extensions\":{\"tcp-ext\":{\"dst_flags_hex\":\"12\","
              "\"src_flags_hex\":\"02\"}},\"protocols\":[\"ipv4\",\"tcp\"],"
              "\"dst_port\":443,\"type\":\"network-traffic\",\"src_ref\":"
              "\"ipv4-addr--1\",\"src_byte_count\":10}");
  expect_differ("{\"type\":\"ipv4-addr\",\"value\":\"10.0.0.1\"}",
                "{\"type\":\"ipv4-addr\",\"value\":\"10.0.0.2\"}");
  /* same value, other type: other id */
  expect_differ("{\"type\":\"domain-name\",\"value\":\"example.com\"}",
                "{\"type\":\"url\",\"value\":\"example.com\"}");
  /* list order is meaningful */
  expect_differ("{\"type\":\"network-traffic\",\"src_ref\":\"a--1\","
                "\"protocols\":[\"ipv4\",\"tcp\"]}",
                "{\"type\":\"network-traffic\",\"src_ref\":\"a--1\","
                "\"protocols\":[\"tcp\",\"ipv4\"]}");
  /* repeated calls agree */
  char a[ACC_ID_MAX], b[ACC_ID_MAX];
  assert_int_equal(id_of("{\"type\":\"mutex\",\"name\":\"m\"}", a), ACC_OK);
  assert_int_equal(id_of("{\"type\":\"mutex\",\"name\":\"m\"}", b), ACC_OK);
  assert_string_equal(a, b);
}

/* One hash contributes: MD5, else SHA-1, SHA-256, SHA-512; else the name
 * that sorts first, whatever the member order. */
static void test_hash_choice(void **state) {
  (void)state;
  const char *md5 = "\"MD5\":\"3773a88f65a5e780c8dff9cdc3a056f3\"";
  const char *sha1 = "\"SHA-1\":\"a9993e364706816aba3e25717850c26c9cd0d89d\"";
  const char *sha256 = "\"SHA-256\":\"ba7816bf8f01cfea414140de5dae2223b00361a"
                       "396177a9cb410ff61f20015ad\"";
  char a[512], b[512];
  snprintf(a, sizeof a, "{\"type\":\"file\",\"hashes\":{%s,%s,%s}}", sha256,
           sha1, md5);
  snprintf(b, sizeof b, "{\"type\":\"file\",\"hashes\":{%s}}", md5);
  expect_same(a, b);
  snprintf(a, sizeof a, "{\"type\":\"file\",\"hashes\":{%s,%s}}", sha256, sha1);
  snprintf(b, sizeof b, "{\"type\":\"file\",\"hashes\":{%s}}", sha1);
  expect_same(a, b);
  snprintf(a, sizeof a,
           "{\"type\":\"file\",\"hashes\":{\"SSDEEP\":\"3:a:b\",%s}}", sha256);
  snprintf(b, sizeof b, "{\"type\":\"file\",\"hashes\":{%s}}", sha256);
  expect_same(a, b);
  /* MD5 and SHA-256 of a certificate: only MD5 contributes */
  expect_same("{\"type\":\"x509-certificate\",\"serial_number\":\"1\","
              "\"hashes\":{\"SHA-256\":\"00\",\"MD5\":\"11\"}}",
              "{\"type\":\"x509-certificate\",\"serial_number\":\"1\","
              "\"hashes\":{\"MD5\":\"11\"}}");
  /* none preferred: the first name in order, independent of member order */
  expect_same("{\"type\":\"file\",\"hashes\":{\"TLSH\":\"t\",\"SSDEEP\":"
              "\"s\",\"SHA3-256\":\"x\"}}",
              "{\"type\":\"file\",\"hashes\":{\"SHA3-256\":\"x\"}}");
  expect_same("{\"type\":\"file\",\"hashes\":{\"SSDEEP\":\"s\",\"TLSH\":"
              "\"t\"}}",
              "{\"type\":\"file\",\"hashes\":{\"TLSH\":\"t\",\"SSDEEP\":"
              "\"s\"}}");
  /* artifact: hashes and payload_bin both contribute */
  expect_differ("{\"type\":\"artifact\",\"payload_bin\":\"AAAA\"}",
                "{\"type\":\"artifact\",\"payload_bin\":\"AAAA\","
                "\"hashes\":{\"MD5\":\"11\"}}");
}

/* The form of the result: TYPE--, version 5, RFC 4122 variant. */
static void test_uuid_form(void **state) {
  (void)state;
  char id[ACC_ID_MAX];
  assert_int_equal(
      id_of("{\"type\":\"url\",\"value\":\"https://example.com/\"}", id),
      ACC_OK);
  assert_int_equal(strncmp(id, "url--", 5), 0);
  const char *u = id + 5;
  assert_int_equal(strlen(u), 36);
  assert_int_equal(u[14], '5');
  assert_non_null(strchr("89ab", u[19]));
  assert_true(acc_stix_id_valid(id, "url"));
  for (const char *p = u; *p; p++)
    assert_true(*p == '-' || (*p >= '0' && *p <= '9') ||
                (*p >= 'a' && *p <= 'f'));
}

/* UUIDv4 cases: no contributing property, no contributing property
 * present, not an SCO, not an object. */
static void test_not_deterministic(void **state) {
  (void)state;
  char id[ACC_ID_MAX];
  snprintf(id, sizeof id, "untouched");
  assert_int_equal(id_of("{\"type\":\"process\",\"pid\":4}", id),
                   ACC_ENOTFOUND);
  assert_int_equal(
      id_of("{\"type\":\"user-account\",\"display_name\":\"x\"}", id),
      ACC_ENOTFOUND);
  assert_int_equal(id_of("{\"type\":\"indicator\",\"name\":\"x\"}", id),
                   ACC_ENOTFOUND);
  assert_int_equal(id_of("{\"type\":\"x-custom-sco\",\"value\":\"x\"}", id),
                   ACC_ENOTFOUND);
  assert_int_equal(id_of("{\"value\":\"x\"}", id), ACC_ENOTFOUND);
  assert_string_equal(id, "untouched");
  json_t *arr = json_array();
  assert_int_equal(acc_stix_sco_id(arr, id), ACC_ENOTFOUND);
  json_decref(arr);
  assert_string_equal(id, "untouched");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_spec_examples),
      cmocka_unit_test(test_spec_vector_file),
      cmocka_unit_test(test_invariance),
      cmocka_unit_test(test_hash_choice),
      cmocka_unit_test(test_uuid_form),
      cmocka_unit_test(test_not_deterministic),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
