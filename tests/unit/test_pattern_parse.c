/*
 * test_pattern_parse.c — the STIX pattern parser and validator against a
 * table written from STIX 2.1 §9 and STIXPattern.g4 (no ../shared needed):
 * every comparison operator, qualifier and literal kind, object paths,
 * precedence and associativity (checked on the parsed tree), the
 * examples of §9.8, and invalid patterns with the position and the
 * expectation the error must name.  Warnings (impossible dates, AND
 * across object types) are checked too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pattern/pattern.h"

typedef struct pcase {
  const char *pattern;
  int valid;
  /* valid: the canonical tree (NULL: not checked); invalid: NULL */
  const char *tree;
  /* invalid: the 0-based position, and a piece of the message */
  long pos;
  const char *msg;
} pcase;

#define OK(p, t)                                                               \
  { p, 1, t, -1, NULL }
#define BAD(p, at, m)                                                          \
  { p, 0, NULL, at, m }

static const pcase cases[] = {
    /* ---- comparison operators (§9.6.1) ---- */
    OK("[file:name = 'foo.dll']", "[file:name = 'foo.dll']"),
    OK("[file:name == 'foo.dll']", "[file:name = 'foo.dll']"),
    OK("[file:size != 4112]", "[file:size != 4112]"),
    OK("[file:size <> 4112]", "[file:size != 4112]"),
    OK("[file:size > 256]", "[file:size > 256]"),
    OK("[file:size < 1024]", "[file:size < 1024]"),
    OK("[file:size <= 25145]", "[file:size <= 25145]"),
    OK("[file:size >= 33312]", "[file:size >= 33312]"),
    OK("[process:name IN ('proccy', 'proximus', 'badproc')]",
       "[process:name IN ('proccy', 'proximus', 'badproc')]"),
    OK("[process:name IN ()]", "[process:name IN ()]"),
    OK("[directory:path LIKE 'C:\\\\Windows\\\\%\\\\foo']",
       "[directory:path LIKE 'C:\\\\Windows\\\\%\\\\foo']"),
    OK("[directory:path MATCHES '^C:\\\\\\\\Windows\\\\w+$']", NULL),
    OK("[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
       "[ipv4-addr:value ISSUBSET '198.51.100.0/24']"),
    OK("[ipv4-addr:value ISSUPERSET '198.51.100.0/24']", NULL),
    OK("[ipv6-addr:value ISSUBSET '2001:db8::/32']", NULL),
    OK("[EXISTS windows-registry-key:values]",
       "[EXISTS windows-registry-key:values]"),
    OK("[NOT EXISTS windows-registry-key:values]",
       "[NOT EXISTS windows-registry-key:values]"),
    /* NOT before every operator */
    OK("[file:name NOT = 'a']", "[file:name NOT = 'a']"),
    OK("[file:size NOT > 1]", "[file:size NOT > 1]"),
    OK("[file:name NOT IN ('a')]", "[file:name NOT IN ('a')]"),
    OK("[file:name NOT LIKE 'a%']", "[file:name NOT LIKE 'a%']"),
    OK("[file:name NOT MATCHES 'a']", "[file:name NOT MATCHES 'a']"),
    OK("[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8']", NULL),
    /* ---- literals (§9.2) ---- */
    OK("[x:a = 0]", "[x:a = 0]"),
    OK("[x:a = -12]", "[x:a = -12]"),
    OK("[x:a = +12]", "[x:a = 12]"),
    OK("[x:a = 1.5]", "[x:a = 1.5]"),
    OK("[x:a = -.5]", "[x:a = -0.5]"),
    OK("[x:a = .25]", "[x:a = 0.25]"),
    OK("[x:a = 9007199254740991]", "[x:a = 9007199254740991]"),
    OK("[x:a = true]", "[x:a = true]"),
    OK("[x:a != false]", "[x:a != false]"),
    OK("[x:a = 'it\\'s']", "[x:a = 'it\\'s']"),
    OK("[x:a = 'back\\\\slash']", "[x:a = 'back\\\\slash']"),
    OK("[x:a = '']", "[x:a = '']"),
    OK("[x:a = 'caf\xc3\xa9 \xe2\x82\xac']", NULL),
    OK("[x:a = 'multi\nline']", NULL),
    OK("[x:a = b'ABI=']", "[x:a = h'0012']"),
    OK("[x:a = b'AB==']", "[x:a = h'00']"),
    OK("[x:a = b'AAEC']", "[x:a = h'000102']"),
    OK("[x:a = b'AA\nEC']", "[x:a = h'000102']"), /* line feeds ignored */
    OK("[x:a = h'ffc3']", "[x:a = h'ffc3']"),
    OK("[x:a = h'FFC3']", "[x:a = h'ffc3']"),
    OK("[x:a = h'']", "[x:a = h'']"),
    OK("[x:a = t'2014-01-13T07:03:17Z']",
       "[x:a = t'2014-01-13T07:03:17.000000Z']"),
    OK("[x:a = t'2014-01-13T07:03:17.5Z']",
       "[x:a = t'2014-01-13T07:03:17.500000Z']"),
    OK("[x:a = t'2016-12-31T23:59:60Z']", NULL), /* leap second */
    OK("[x:a IN (1, 2.5, -3)]", "[x:a IN (1, 2.5, -3)]"),
    OK("[x:a < 'b']", NULL),
    OK("[x:a > h'00']", NULL),
    OK("[x:a >= t'2020-01-01T00:00:00Z']", NULL),
    /* ---- object paths (§9.7) ---- */
    OK("[file:hashes.'SHA-256' = "
       "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
       NULL),
    OK("[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']", NULL),
    OK("[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
       "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7]"),
    OK("[network-traffic:protocols[0] = 'tcp']",
       "[network-traffic:protocols[0] = 'tcp']"),
    OK("[x:list[-1] = 1]", "[x:list[-1] = 1]"),
    OK("[email-message:from_ref.value = 'a@example.com']", NULL),
    OK("[directory:contains_refs[*].name = 'x']", NULL),
    OK("[file:'name' = 'x']", "[file:name = 'x']"),
    OK("[x:'a.b'.'c d' = 1]", "[x:'a.b'.'c d' = 1]"),
    OK("[x-usb-device:usbdrive.serial_number = '575833314133343231313937']",
       NULL),
    OK("[x_custom:_under_score = 1]", NULL),
    OK("[x:start = 1 AND x:stop = 2]", NULL), /* lower case: names */
    /* ---- whitespace and comments (grammar WS, COMMENT) ---- */
    OK(" \t\n[ file:name\r\n=\t'a' ]\n ", "[file:name = 'a']"),
    OK("[file:name = 'a'] /* c */ // line\n", "[file:name = 'a']"),
    OK("\xc2\xa0[file:name\xe3\x80\x80=\xe2\x80\x83'a']", "[file:name = 'a']"),
    /* ---- precedence and associativity (§9.5.3, §9.6) ---- */
    OK("[a:x = 1 OR a:y = 2 AND a:z = 3]",
       "[(a:x = 1 OR (a:y = 2 AND a:z = 3))]"),
    OK("[(a:x = 1 OR a:y = 2) AND a:z = 3]",
       "[((a:x = 1 OR a:y = 2) AND a:z = 3)]"),
    OK("[a:x = 1] OR [b:y = 2] AND [c:z = 3]",
       "([a:x = 1] OR ([b:y = 2] AND [c:z = 3]))"),
    OK("[a:x = 1] FOLLOWEDBY [b:y = 2] OR [c:z = 3]",
       "([a:x = 1] FOLLOWEDBY ([b:y = 2] OR [c:z = 3]))"),
    OK("[a:x = 1] AND [b:y = 2] FOLLOWEDBY [c:z = 3] AND [d:w = 4]",
       "(([a:x = 1] AND [b:y = 2]) FOLLOWEDBY ([c:z = 3] AND [d:w = 4]))"),
    OK("[a:x = 1] FOLLOWEDBY [b:y = 2] FOLLOWEDBY [c:z = 3]",
       "([a:x = 1] FOLLOWEDBY [b:y = 2] FOLLOWEDBY [c:z = 3])"),
    OK("([a:x = 1] FOLLOWEDBY [b:y = 2]) FOLLOWEDBY [c:z = 3]",
       "(([a:x = 1] FOLLOWEDBY [b:y = 2]) FOLLOWEDBY [c:z = 3])"),
    /* qualifiers bind to the expression before them (§9.5.2) */
    OK("[a:x = 'b'] FOLLOWEDBY [c:x = 'd'] REPEATS 5 TIMES",
       "([a:x = 'b'] FOLLOWEDBY ([c:x = 'd'] REPEATS 5 TIMES))"),
    OK("([a:x = 'b'] FOLLOWEDBY [c:x = 'd']) REPEATS 5 TIMES",
       "(([a:x = 'b'] FOLLOWEDBY [c:x = 'd']) REPEATS 5 TIMES)"),
    OK("([a:x = 1] AND [b:y = 2] REPEATS 5 TIMES) WITHIN 300 SECONDS",
       "(([a:x = 1] AND ([b:y = 2] REPEATS 5 TIMES)) WITHIN 300 SECONDS)"),
    OK("([a:x = 1] AND [b:y = 2]) REPEATS 5 TIMES WITHIN 300 SECONDS",
       "((([a:x = 1] AND [b:y = 2]) REPEATS 5 TIMES) WITHIN 300 SECONDS)"),
    /* ---- qualifiers (§9.5.1) ---- */
    OK("[a:x = 1] WITHIN 5 SECONDS", "([a:x = 1] WITHIN 5 SECONDS)"),
    OK("[a:x = 1] WITHIN 2.5 SECONDS", "([a:x = 1] WITHIN 2.5 SECONDS)"),
    OK("[a:x = 1] REPEATS 9 TIMES", "([a:x = 1] REPEATS 9 TIMES)"),
    OK("[a:x = 1] START t'2016-06-01T00:00:00Z' STOP "
       "t'2016-07-01T00:00:00Z'",
       "([a:x = 1] START t'2016-06-01T00:00:00.000000Z' STOP "
       "t'2016-07-01T00:00:00.000000Z')"),
    OK("[a:x = 1] REPEATS 2 TIMES WITHIN 5 SECONDS START "
       "t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
       NULL),
    OK("([a:x = 1]) WITHIN 5 SECONDS WITHIN 6 SECONDS", NULL),
    /* ---- the examples of §9.8 ---- */
    OK("[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND "
       "email-message:body_multipart[*].body_raw_ref.name MATCHES "
       "'^Final Report.+\\\\.exe$']",
       NULL),
    OK("[file:hashes.'SHA-256' = "
       "'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR "
       "file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']\nAND "
       "[file:hashes.'SHA-256' = "
       "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
       NULL),
    OK("([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY "
       "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) "
       "WITHIN 300 SECONDS",
       NULL),
    OK("[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND "
       "artifact:payload_bin MATCHES "
       "'\\\\xd4\\\\xc3\\\\xb2\\\\xa1\\\\x02\\\\x00\\\\x04\\\\x00']",
       NULL),
    OK("[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']",
       NULL),
    OK("[network-traffic:dst_ref.type = 'domain-name' AND "
       "network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES "
       "WITHIN 1800 SECONDS",
       NULL),
    OK("[domain-name:value = 'www.5z8.info' AND "
       "domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
       NULL),
    OK("[x509-certificate:issuer = 'CN=WEBMAIL' AND "
       "x509-certificate:serial_number = "
       "'4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
       NULL),
    OK("[(file:name = 'pdf.exe' OR file:size = 371712) AND file:created = "
       "t'2014-01-13T07:03:17Z']",
       NULL),
    OK("[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r "
       "localMachine Root$'] FOLLOWEDBY [process:command_line MATCHES'^.+>-"
       "add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN "
       "300 SECONDS",
       NULL),
    OK("[network-traffic:dst_ref.value ISSUBSET "
       "'2001:0db8:dead:beef:0000:0000:0000:0000/64']",
       NULL),
    OK("([file:name = 'foo.dll'] AND [windows-registry-key:key = "
       "'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) OR [process:image_ref.name = "
       "'fooproc' OR process:image_ref.name = 'procfoo']",
       NULL),
    OK("[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = "
       "'203.0.113.33/32' OR ipv6-addr:value = "
       "'2001:0db8:dead:beef:dead:beef:dead:0001/128'] REPEATS 5 TIMES",
       NULL),
    /* ---- invalid: where and what ---- */
    BAD("", 0, "expected an observation expression"),
    BAD("file:size = 1280", 0, "expected an observation expression"),
    BAD("[file:size = ]", 13, "expected a literal"),
    BAD("[file:size 1280]", 11, "expected a comparison operator"),
    BAD("[file.size = 1280]", 5, "expected ':'"),
    BAD("[file:size = 1280", 17, "expected AND, OR or ']'"),
    BAD("[file:size = 1280]]", 18, "or the end of the pattern"),
    BAD("[:size = 1]", 1, "expected a comparison"),
    BAD("[file: = 1]", 7, "expected a property name"),
    BAD("[file:a-b = 1]", 6, "expected a property name"),
    BAD("[file:a.b-c = 1]", 8, "expected a property name"),
    BAD("[file:a[x] = 1]", 8, "expected a list index"),
    BAD("[file:a[0 = 1]", 10, "expected ']'"),
    BAD("[file:AND = 1]", 6, "expected a property name"),
    BAD("[file:name = 'a' AND]", 20, "expected a comparison"),
    BAD("[file:name MATCHES /.*/]", 19, "expected a string literal"),
    BAD("[file:name LIKE 5]", 16, "expected a string literal"),
    BAD("[file:size > true]", 13, "expected an orderable literal"),
    BAD("[file:name IN 'a']", 14, "expected '('"),
    BAD("[file:name IN ('a' 'b')]", 19, "expected ',' or ')'"),
    BAD("[file:name = 'a]", 13, "unterminated string"),
    BAD("[file:name = 'a\\n']", 15, "invalid escape"),
    BAD("[file:name = \"a\"]", 13, "expected a literal"),
    BAD("[x:a = 01]", 8, "expected AND, OR or ']'"),
    BAD("[x:a = 1.]", 8, "expected AND, OR or ']'"),
    BAD("[x:a = 9007199254740992]", 7, "out of range"),
    BAD("[x:a = b'']", 7, "binary literal"),
    BAD("[x:a = b'ABC']", 7, "binary literal"),
    BAD("[x:a = b'A===']", 7, "binary literal"),
    BAD("[x:a = b'AB*=']", 7, "binary literal"),
    BAD("[x:a = h'abc']", 7, "hex literal"),
    BAD("[x:a = h'zz']", 7, "hex literal"),
    BAD("[x:a = t'2024-13-01T00:00:00Z']", 7, "month"),
    BAD("[x:a = t'2024-01-01T00:00:00']", 7, "timestamp literal"),
    BAD("[x:a = t'2024-01-01 00:00:00Z']", 7, "timestamp literal"),
    BAD("[x:a = t'2024-01-01T00:00:00.Z']", 7, "timestamp literal"),
    BAD("[x:a = t'2024-01-01T00:00:00+01:00']", 7, "timestamp literal"),
    BAD("[x:a = TRUE]", 7, "expected a literal"),
    BAD("[x:a = 1] and [x:b = 2]", 10, "end of the pattern"),
    BAD("[x:a = 1] AND", 13, "expected an observation expression"),
    BAD("[x:a = 1] WITHIN 5", 18, "expected SECONDS"),
    BAD("[x:a = 1] WITHIN 0 SECONDS", 17, "positive"),
    BAD("[x:a = 1] WITHIN 'a' SECONDS", 17, "positive number"),
    BAD("[x:a = 1] REPEATS 2.5 TIMES", 18, "positive integer"),
    BAD("[x:a = 1] REPEATS 0 TIMES", 18, "positive integer"),
    BAD("[x:a = 1] REPEATS 2", 19, "expected TIMES"),
    BAD("[x:a = 1] START t'2016-06-01T00:00:00Z'", 39, "expected STOP"),
    BAD("[x:a = 1] START '2016-06-01T00:00:00Z' STOP "
        "t'2016-07-01T00:00:00Z'",
        16, "timestamp"),
    BAD("[x:a = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS", 27, "duplicate WITHIN"),
    BAD("[x:a = 1] REPEATS 2 TIMES WITHIN 5 SECONDS REPEATS 3 TIMES", 43,
        "duplicate REPEATS"),
    BAD("[x:a = 1] LAST 5 SECONDS", 10, "end of the pattern"),
    BAD("([x:a = 1]", 10, "or ')'"),
    BAD("[x:a = 1] /* open", 10, "unterminated comment"),
    BAD("[x:a = 1] ?", 10, "end of the pattern"),
    BAD("[NOT x:a = 1]", 5, "EXISTS"),
    BAD("[x:a NOT NOT = 1]", 9, "comparison operator"),
    BAD("[x:a = 1 OR (x:b = 2]", 20, "AND, OR or ')'"),
    /* constants the specification gives a form to */
    BAD("[file:hashes.'SHA-256' = 'f00']", 25, "not a valid SHA-256 hash"),
    BAD("[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879']", 19,
        "not a valid MD5 hash"),
    BAD("[file:hashes.'SHA-1' IN ('abc')]", 25, "not a valid SHA-1 hash"),
    BAD("[file:hashes.SSDEEP = '']", 22, "SSDEEP"),
    BAD("[ipv4-addr:value ISSUBSET '198.51.100.0/33']", 26,
        "IPv4 or IPv6 address or CIDR"),
    BAD("[ipv4-addr:value ISSUBSET 'example.com']", 26, "CIDR"),
    BAD("[file:name MATCHES 'a(b']", 19, "invalid regular expression"),
    BAD("[file:name MATCHES '[z-a]']", 19, "invalid regular expression"),
    BAD("[x:a = '\xff']", 8, "UTF-8"),
};

static void on_warn(void *ctx, size_t pos, const char *msg) {
  (void)pos, (void)msg;
  (*(int *)ctx)++;
}

static void test_table(void **state) {
  (void)state;
  acc_buf b;
  acc_buf_init(&b, 1 << 20);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const pcase *c = &cases[i];
    acc_pattern *p = NULL;
    acc_diag d;
    d.msg[0] = '\0';
    int warns = 0;
    acc_rc rc = acc_pattern_parse(c->pattern, strlen(c->pattern), &p, &d,
                                  on_warn, &warns);
    if (c->valid) {
      if (rc)
        fail_msg("case %zu should be valid: %s\n  %s", i, c->pattern, d.msg);
      acc_buf_reset(&b);
      assert_int_equal(acc_pattern_dump(p, &b), ACC_OK);
      if (c->tree && strcmp(acc_buf_cstr(&b), c->tree))
        fail_msg("case %zu: %s\n  tree %s\n  want %s", i, c->pattern,
                 acc_buf_cstr(&b), c->tree);
      /* the rendering is itself a valid pattern with the same tree */
      acc_pattern *q = NULL;
      char *again = strdup(acc_buf_cstr(&b));
      if (acc_pattern_parse(again, strlen(again), &q, &d, NULL, NULL))
        fail_msg("case %zu: rendering does not parse: %s\n  %s", i, again,
                 d.msg);
      acc_buf_reset(&b);
      acc_pattern_dump(q, &b);
      if (strcmp(acc_buf_cstr(&b), again))
        fail_msg("case %zu: rendering not stable: %s -> %s", i, again,
                 acc_buf_cstr(&b));
      free(again);
      acc_pattern_free(q);
      acc_pattern_free(p);
      continue;
    }
    if (rc == ACC_OK)
      fail_msg("case %zu should be invalid: %s", i, c->pattern);
    assert_int_equal(rc, ACC_EINVAL);
    assert_null(p);
    char want[32];
    snprintf(want, sizeof want, "position %ld: ", c->pos);
    if (strncmp(d.msg, want, strlen(want)) || !strstr(d.msg, c->msg))
      fail_msg("case %zu: %s\n  got  %s\n  want %s... %s", i, c->pattern, d.msg,
               want, c->msg);
  }
  acc_buf_free(&b);
}

/* Impossible calendar dates are accepted with a warning; so is an AND
 * across object types, two WITHINs on a parenthesised expression, STOP
 * before START, a negative index, a mixed set. */
static void test_warnings(void **state) {
  (void)state;
  static const struct {
    const char *p;
    int warnings;
  } w[] = {
      {"[x:created = t'2024-02-30T12:00:00Z']", 1},
      {"[x:created = t'2023-02-29T12:00:00Z']", 1},
      {"[x:created = t'2024-02-29T12:00:00Z']", 0},
      {"[x:created = t'2024-04-31T12:00:00Z']", 1},
      {"[a:x = 1 AND b:y = 2]", 1},
      {"[(a:x = 1 OR b:y = 2) AND b:z = 3]", 0},
      {"[a:x = 1 OR b:y = 2]", 0},
      {"([a:x = 1]) WITHIN 5 SECONDS WITHIN 6 SECONDS", 1},
      {"[a:x = 1] START t'2016-07-01T00:00:00Z' STOP "
       "t'2016-06-01T00:00:00Z'",
       1},
      {"[a:x[-1] = 1]", 1},
      {"[a:x IN (1, 'a')]", 1},
      {"[a:x IN (1, 2.5)]", 0},
  };
  for (size_t i = 0; i < sizeof w / sizeof *w; i++) {
    int n = 0;
    acc_diag d;
    if (acc_pattern_check(w[i].p, strlen(w[i].p), &d, on_warn, &n))
      fail_msg("%s: %s", w[i].p, d.msg);
    if (n != w[i].warnings)
      fail_msg("%s: %d warnings, want %d", w[i].p, n, w[i].warnings);
  }
}

/* Positions count characters, not bytes. */
static void test_positions(void **state) {
  (void)state;
  const char *p = "[x:a = '\xc3\xa9\xc3\xa9' AND ]";
  acc_diag d;
  assert_int_equal(acc_pattern_check(p, strlen(p), &d, NULL, NULL), ACC_EINVAL);
  assert_string_equal(d.msg, "position 16: expected a comparison (object "
                             "path, EXISTS, NOT EXISTS or '('), got ']'");
}

/* Structure reported to the matcher. */
static void test_shape(void **state) {
  (void)state;
  static const struct {
    const char *p;
    unsigned leaves;
    int single;
  } s[] = {
      {"[a:x = 1]", 1, 1},
      {"[a:x = 1] START t'2016-06-01T00:00:00Z' STOP "
       "t'2016-07-01T00:00:00Z'",
       1, 1},
      {"[a:x = 1] WITHIN 5 SECONDS", 1, 0},
      {"[a:x = 1] REPEATS 2 TIMES", 1, 0},
      {"[a:x = 1] OR [a:x = 2]", 2, 0},
      {"([a:x = 1] AND [b:x = 2]) FOLLOWEDBY [c:y = 3]", 3, 0},
  };
  for (size_t i = 0; i < sizeof s / sizeof *s; i++) {
    acc_pattern *p;
    acc_diag d;
    assert_int_equal(
        acc_pattern_parse(s[i].p, strlen(s[i].p), &p, &d, NULL, NULL), ACC_OK);
    assert_int_equal(acc_pattern_leaves(p), s[i].leaves);
    assert_int_equal(acc_pattern_single(p), s[i].single);
    acc_pattern_free(p);
  }
}

/* Limits: nesting depth, length; deep but allowed nesting parses. */
static void test_limits(void **state) {
  (void)state;
  size_t n = 150;
  char *p = malloc(4 * n + 32);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    p[k++] = '(';
  memcpy(p + k, "[a:x = 1]", 9);
  k += 9;
  for (size_t i = 0; i < n; i++)
    p[k++] = ')';
  acc_diag d;
  assert_int_equal(acc_pattern_check(p, k, &d, NULL, NULL), ACC_OK);
  free(p);
  n = 1000;
  p = malloc(2 * n + 32);
  k = 0;
  p[k++] = '[';
  for (size_t i = 0; i < n; i++)
    p[k++] = '(';
  assert_int_equal(acc_pattern_check(p, k, &d, NULL, NULL), ACC_EINVAL);
  assert_non_null(strstr(d.msg, "nesting too deep"));
  free(p);
  size_t big = ACC_PATTERN_MAX_BYTES + 1;
  p = malloc(big);
  memset(p, ' ', big);
  assert_int_equal(acc_pattern_check(p, big, &d, NULL, NULL), ACC_EINVAL);
  assert_non_null(strstr(d.msg, "too long"));
  free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table),     cmocka_unit_test(test_warnings),
      cmocka_unit_test(test_positions), cmocka_unit_test(test_shape),
      cmocka_unit_test(test_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
