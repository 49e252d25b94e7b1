/*
 * test_jcs.c — RFC 8785 canonical JSON: the number serialisation table and
 * the worked examples of the RFC, member order by UTF-16 code units,
 * string escaping, and the failure paths.
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

/* JCS of the JSON text in, compared with want. */
static void check_text(const char *in, const char *want) {
  json_error_t err;
  json_t *v = json_loads(in, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
  if (!v)
    fail_msg("bad test JSON %s: %s", in, err.text);
  acc_buf b;
  acc_buf_init(&b, 0);
  assert_int_equal(acc_jcs_dump(v, &b), ACC_OK);
  if (strcmp(acc_buf_cstr(&b), want))
    fail_msg("JCS of %s\n  got  %s\n  want %s", in, acc_buf_cstr(&b), want);
  acc_buf_free(&b);
  json_decref(v);
}

static void check_bits(uint64_t bits, const char *want) {
  double d;
  memcpy(&d, &bits, sizeof d);
  json_t *v = json_real(d);
  assert_non_null(v);
  acc_buf b;
  acc_buf_init(&b, 0);
  assert_int_equal(acc_jcs_dump(v, &b), ACC_OK);
  if (strcmp(acc_buf_cstr(&b), want))
    fail_msg("JCS of %016llx: got %s, want %s", (unsigned long long)bits,
             acc_buf_cstr(&b), want);
  acc_buf_free(&b);
  json_decref(v);
}

/* RFC 8785 Appendix B: IEEE 754 bit patterns and their serialisation. */
static void test_rfc_number_table(void **state) {
  (void)state;
  static const struct {
    uint64_t bits;
    const char *want;
  } t[] = {
      {0x0000000000000000, "0"},
      {0x8000000000000000, "0"}, /* minus zero */
      {0x0000000000000001, "5e-324"},
      {0x8000000000000001, "-5e-324"},
      {0x7fefffffffffffff, "1.7976931348623157e+308"},
      {0xffefffffffffffff, "-1.7976931348623157e+308"},
      {0x4340000000000000, "9007199254740992"},
      {0xc340000000000000, "-9007199254740992"},
      {0x4430000000000000, "295147905179352830000"},
      {0x44b52d02c7e14af5, "9.999999999999997e+22"},
      {0x44b52d02c7e14af6, "1e+23"},
      {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
      {0x444b1ae4d6e2ef4e, "999999999999999700000"},
      {0x444b1ae4d6e2ef4f, "999999999999999900000"},
      {0x444b1ae4d6e2ef50, "1e+21"},
      {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
      {0x3eb0c6f7a0b5ed8d, "0.000001"},
      {0x41b3de4355555553, "333333333.3333332"},
      {0x41b3de4355555554, "333333333.33333325"},
      {0x41b3de4355555555, "333333333.3333333"},
      {0x41b3de4355555556, "333333333.3333334"},
      {0x41b3de4355555557, "333333333.33333343"},
      {0xbecbf647612f3696, "-0.0000033333333333333333"},
      {0x43143ff3c1cb0959, "1424953923781206.2"},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    check_bits(t[i].bits, t[i].want);
}

/* The boundaries of ECMAScript's notation choice, and shortest digits. */
static void test_number_forms(void **state) {
  (void)state;
  check_text("[1e21, 1e20, 123e18, 1e-6, 1e-7, 0.1, 0.2, -0.0, 100, 1.5e300]",
             "[1e+21,100000000000000000000,123000000000000000000,0.000001,"
             "1e-7,0.1,0.2,0,100,1.5e+300]");
  check_text("[4.50, 2e-3, 1E30, 0.000000000000000000000000001]",
             "[4.5,0.002,1e+30,1e-27]");
  check_text("[5e-324, 2.2250738585072014e-308, 1.2345678901234567]",
             "[5e-324,2.2250738585072014e-308,1.2345678901234567]");
  /* integers: exact up to 2^53, beyond that the double they denote */
  check_text("[0, -1, 9007199254740992, -9007199254740992]",
             "[0,-1,9007199254740992,-9007199254740992]");
  check_text("[9007199254740993, -9007199254740995]",
             "[9007199254740992,-9007199254740996]");
  check_text("[9223372036854775807]", "[9223372036854776000]");
}

/* RFC 8785 §3.2.2 worked example. */
static void test_rfc_example(void **state) {
  (void)state;
  check_text("{\n"
             "  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, "
             "0.000000000000000000000000001],\n"
             "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c"
             "\\\\\\\"\\/\",\n"
             "  \"literals\": [null, true, false]\n"
             "}",
             "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,"
             "1e+30,4.5,0.002,1e-27],\"string\":\"\xe2\x82\xac$\\u000f\\nA'B"
             "\\\"\\\\\\\\\\\"/\"}");
}

/* RFC 8785 §3.2.3: member names sort by UTF-16 code units, so the emoji
 * (surrogates D83D DE00) comes before U+FB33 although its UTF-8 bytes
 * (F0 ...) come after (EF ...). */
static void test_rfc_sorting(void **state) {
  (void)state;
  check_text("{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", "
             "\"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"1\": "
             "\"One\", \"\\ud83d\\ude00\": \"Emoji: Grinning Face\", "
             "\"\\u0080\": \"Control\", \"\\u00f6\": \"Latin Small Letter O "
             "With Diaeresis\"}",
             "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":"
             "\"Control\",\"\xc3\xb6\":\"Latin Small Letter O With "
             "Diaeresis\",\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":"
             "\"Emoji: Grinning Face\",\"\xef\xac\xb3\":\"Hebrew Letter Dalet "
             "With Dagesh\"}");
  /* a prefix sorts before its extensions; upper case before lower */
  check_text("{\"ab\":1,\"a\":2,\"B\":3,\"b\":4,\"\":5}",
             "{\"\":5,\"B\":3,\"a\":2,\"ab\":1,\"b\":4}");
  /* nested objects are sorted too; array order is kept */
  check_text("{\"z\":[{\"y\":1,\"x\":2},3],\"a\":{\"d\":{},\"c\":[]}}",
             "{\"a\":{\"c\":[],\"d\":{}},\"z\":[{\"x\":2,\"y\":1},3]}");
}

/* Escapes: only ", \ and controls; controls with the short forms where
 * JSON has them, lowercase \u00xx otherwise; the rest verbatim. */
static void test_strings(void **state) {
  (void)state;
  check_text("[\"\\b\\t\\n\\f\\r\\u0001\\u001f\\u007f\"]",
             "[\"\\b\\t\\n\\f\\r\\u0001\\u001f\x7f\"]");
  check_text("[\"\\/ \\u2028\\u2029 \\u00e9 \\\" \\\\\"]",
             "[\"/ \xe2\x80\xa8\xe2\x80\xa9 \xc3\xa9 \\\" \\\\\"]");
  check_text("[\"a\\u0000b\"]", "[\"a\\u0000b\"]");
  check_text("\"\"", "\"\"");
  check_text("{}", "{}");
  check_text("[]", "[]");
}

/* Member names with NUL, and many members (sorted off the stack). */
static void test_keys(void **state) {
  (void)state;
  json_t *o = json_object();
  json_object_setn_new(o, "a\0b", 3, json_integer(1));
  json_object_setn_new(o, "a", 1, json_integer(2));
  acc_buf b;
  acc_buf_init(&b, 0);
  assert_int_equal(acc_jcs_dump(o, &b), ACC_OK);
  assert_string_equal(acc_buf_cstr(&b), "{\"a\":2,\"a\\u0000b\":1}");
  json_decref(o);

  o = json_object();
  for (int i = 99; i >= 0; i--) {
    char k[8];
    snprintf(k, sizeof k, "k%02d", i);
    json_object_set_new(o, k, json_integer(i));
  }
  acc_buf_reset(&b);
  assert_int_equal(acc_jcs_dump(o, &b), ACC_OK);
  assert_int_equal(strncmp(acc_buf_cstr(&b), "{\"k00\":0,\"k01\":1,", 17), 0);
  assert_non_null(strstr(acc_buf_cstr(&b), "\"k98\":98,\"k99\":99}"));
  json_decref(o);
  acc_buf_free(&b);
}

/* The serialisation is appended; a failure leaves the buffer as it was. */
static void test_append_and_failure(void **state) {
  (void)state;
  acc_buf b;
  acc_buf_init(&b, 0);
  acc_buf_puts(&b, "prefix:");
  json_t *v = json_pack("{s:i}", "k", 1);
  assert_int_equal(acc_jcs_dump(v, &b), ACC_OK);
  assert_string_equal(acc_buf_cstr(&b), "prefix:{\"k\":1}");
  json_decref(v);

  /* too deep: 3000 nested arrays */
  json_t *deep = json_array();
  for (int i = 0; i < 3000; i++) {
    json_t *outer = json_array();
    json_array_append_new(outer, deep);
    deep = outer;
  }
  assert_int_equal(acc_jcs_dump(deep, &b), ACC_ETOODEEP);
  assert_string_equal(acc_buf_cstr(&b), "prefix:{\"k\":1}");
  json_decref(deep);

  /* a buffer cap that the output exceeds */
  acc_buf small;
  acc_buf_init(&small, 8);
  v = json_pack("{s:s}", "long", "a value longer than eight bytes");
  assert_int_equal(acc_jcs_dump(v, &small), ACC_ETOOBIG);
  assert_int_equal(small.len, 0);
  json_decref(v);
  acc_buf_free(&small);
  acc_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rfc_number_table),
      cmocka_unit_test(test_number_forms),
      cmocka_unit_test(test_rfc_example),
      cmocka_unit_test(test_rfc_sorting),
      cmocka_unit_test(test_strings),
      cmocka_unit_test(test_keys),
      cmocka_unit_test(test_append_and_failure),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
