/*
 * test_pattern_match.c — matching semantics of STIX 2.1 §9, case by case
 * from the specification: each comparison operator with its type rules
 * (mismatched types, != , binary versus string, NFC for LIKE and MATCHES,
 * code-point order for strings, missing paths), object paths through
 * references, lists and dictionaries, the "same SCO" rule of §9.5, and
 * observation operators and qualifiers over several observed-data.
 *
 * Every case runs twice, through the prefiltered matcher and through one
 * that evaluates every observation expression for every SCO; both must
 * give the expected number of matches.  Then the two are compared on
 * generated data (acc_pattern_gen), and sightings are checked.
 *
 * Test JSON is written with single quotes, turned into double quotes
 * before use (an apostrophe inside a value is written \u0027).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "pattern/matcher_int.h"
#include "stix/stix.h"

#define T0 "2026-01-01T00:00:00Z"

static char *dq(const char *s) {
  char *o = strdup(s);
  for (char *p = o; *p; p++)
    if (*p == '\'')
      *p = '"';
  return o;
}

static int count_cb(void *ctx, const acc_match *m) {
  (void)m;
  (*(size_t *)ctx)++;
  return 0;
}

static size_t run(const char *pattern, const char *doc, int prefilter) {
  acc_matcher *m;
  acc_diag d;
  assert_int_equal(acc_matcher_new(&m), ACC_OK);
  if (!prefilter)
    acc_matcher_no_prefilter(m);
  if (acc_matcher_add(m, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
                      pattern, strlen(pattern), &d))
    fail_msg("pattern refused: %s\n  %s", pattern, d.msg);
  assert_int_equal(acc_matcher_compile(m, &d), ACC_OK);
  acc_match_run *r;
  assert_int_equal(acc_match_run_new(m, &r), ACC_OK);
  char *json = dq(doc);
  if (acc_match_run_feed(r, json, strlen(json), &d))
    fail_msg("document refused: %s\n  %s", json, d.msg);
  size_t n = 0;
  assert_int_equal(acc_match_run_finish(r, count_cb, &n, &d), ACC_OK);
  free(json);
  acc_match_run_free(r);
  acc_matcher_free(m);
  return n;
}

static size_t nmatch(const char *pattern, const char *doc) {
  size_t a = run(pattern, doc, 1), b = run(pattern, doc, 0);
  if (a != b)
    fail_msg("prefiltered and full evaluation differ (%zu, %zu): %s", a, b,
             pattern);
  return a;
}

/* One observed-data with embedded objects at T0. */
static const char *obs1(const char *objects) {
  static char buf[8192];
  snprintf(buf, sizeof buf,
           "{'type':'observed-data','spec_version':'2.1','id':'observed-data"
           "--0960319a-3cab-4258-a143-4dbb25525bb1','created':'" T0
           "','modified':'" T0 "','first_observed':'" T0
           "','last_observed':'" T0 "','number_observed':1,'objects':{%s}}",
           objects);
  return buf;
}

typedef struct mcase {
  const char *pattern;
  const char *objects; /* the embedded objects of one observation */
  size_t want;
} mcase;

static const mcase one[] = {
    /* = and != (§9.6.1) */
    {"[file:name = 'foo.dll']", "'0':{'type':'file','name':'foo.dll'}", 1},
    {"[file:name = 'foo.dll']", "'0':{'type':'file','name':'bar.dll'}", 0},
    {"[file:name = 'foo.dll']", "'0':{'type':'directory','name':'foo.dll'}", 0},
    {"[file:size != 4112]", "'0':{'type':'file','size':100}", 1},
    {"[file:size != 4112]", "'0':{'type':'file','size':4112}", 0},
    /* mismatched types: false, except != */
    {"[file:size = 4112]", "'0':{'type':'file','size':'4112'}", 0},
    {"[file:size != 4112]", "'0':{'type':'file','size':'4112'}", 1},
    {"[file:size < 5000]", "'0':{'type':'file','size':'4112'}", 0},
    {"[file:name = true]", "'0':{'type':'file','name':'true'}", 0},
    /* a path not present: false whatever the operator (§9.6) */
    {"[file:size != 4112]", "'0':{'type':'file','name':'a'}", 0},
    {"[file:size NOT = 4112]", "'0':{'type':'file','name':'a'}", 0},
    {"[file:name NOT = 'a']", "'0':{'type':'file','name':'b'}", 1},
    {"[file:name NOT = 'a']", "'0':{'type':'file','name':'a'}", 0},
    /* ordering: numbers */
    {"[file:size > 256]", "'0':{'type':'file','size':257}", 1},
    {"[file:size > 256]", "'0':{'type':'file','size':256}", 0},
    {"[file:size >= 256]", "'0':{'type':'file','size':256}", 1},
    {"[file:size < 256]", "'0':{'type':'file','size':255}", 1},
    {"[file:size <= 256]", "'0':{'type':'file','size':257}", 0},
    /* integer and float: the full value (§9.2) */
    {"[x-a:v = 1]", "'0':{'type':'x-a','v':1.5}", 0},
    {"[x-a:v = 1]", "'0':{'type':'x-a','v':1.0}", 1},
    {"[x-a:v = 7.0]", "'0':{'type':'x-a','v':7}", 1},
    {"[x-a:v < 1.5]", "'0':{'type':'x-a','v':1}", 1},
    {"[x-a:v > -0.5]", "'0':{'type':'x-a','v':0}", 1},
    {"[x-a:v IN (1, 2.5)]", "'0':{'type':'x-a','v':2.5}", 1},
    /* strings: code point order, no normalisation (§9.6.2):
     * 'o' < 'oz' < 'o'+U+0300 < 'z' < U+00F2 */
    {"[x-a:s < 'oz']", "'0':{'type':'x-a','s':'o'}", 1},
    {"[x-a:s > 'oz']", "'0':{'type':'x-a','s':'o\\u0300'}", 1},
    {"[x-a:s < 'z']", "'0':{'type':'x-a','s':'o\\u0300'}", 1},
    {"[x-a:s > 'z']", "'0':{'type':'x-a','s':'\\u00f2'}", 1},
    {"[x-a:s = '\xc3\xb2']", "'0':{'type':'x-a','s':'o\\u0300'}", 0},
    /* booleans */
    {"[x-a:f = true]", "'0':{'type':'x-a','f':true}", 1},
    {"[x-a:f = true]", "'0':{'type':'x-a','f':false}", 0},
    {"[x-a:f != true]", "'0':{'type':'x-a','f':false}", 1},
    /* timestamps compare as instants; a string constant as a string */
    {"[file:created = t'2014-01-13T07:03:17Z']",
     "'0':{'type':'file','name':'a','created':'2014-01-13T07:03:17.000Z'}", 1},
    {"[file:created > t'2014-01-13T07:03:17Z']",
     "'0':{'type':'file','name':'a','created':'2014-01-13T07:03:17.001Z'}", 1},
    {"[file:created = '2014-01-13T07:03:17Z']",
     "'0':{'type':'file','name':'a','created':'2014-01-13T07:03:17.000Z'}", 0},
    {"[file:created = t'2014-01-13T07:03:17Z']",
     "'0':{'type':'file','name':'a','created':'not a time'}", 0},
    /* IN */
    {"[process:name IN ('proccy', 'badproc')]",
     "'0':{'type':'process','name':'badproc'}", 1},
    {"[process:name IN ('proccy', 'badproc')]",
     "'0':{'type':'process','name':'ok'}", 0},
    {"[process:name NOT IN ('proccy', 'badproc')]",
     "'0':{'type':'process','name':'ok'}", 1},
    {"[process:name IN ()]", "'0':{'type':'process','name':'ok'}", 0},
    /* LIKE: % any run, _ one character; NFC (§9.6.1) */
    {"[file:name LIKE 'foo%.dll']", "'0':{'type':'file','name':'foo1.dll'}", 1},
    {"[file:name LIKE 'foo%.dll']", "'0':{'type':'file','name':'foo.dll'}", 1},
    {"[file:name LIKE 'foo%.dll']", "'0':{'type':'file','name':'foo.dlx'}", 0},
    {"[file:name LIKE 'a_c']", "'0':{'type':'file','name':'abc'}", 1},
    {"[file:name LIKE 'a_c']", "'0':{'type':'file','name':'ac'}", 0},
    {"[file:name LIKE 'a_c']", "'0':{'type':'file','name':'a\\u00e9c'}", 1},
    {"[file:name LIKE 'a_c']", "'0':{'type':'file','name':'ae\\u0301c'}", 1},
    {"[file:name LIKE 'caf\xc3\xa9%']",
     "'0':{'type':'file','name':'cafe\\u0301 menu'}", 1},
    {"[file:name LIKE 'cafe\xcc\x81']",
     "'0':{'type':'file','name':'caf\\u00e9'}", 1},
    {"[file:name LIKE '%']", "'0':{'type':'file','name':''}", 1},
    {"[file:name LIKE '100%']", "'0':{'type':'file','name':'1000'}", 1},
    {"[file:name LIKE 'a.b']", "'0':{'type':'file','name':'axb'}", 0},
    {"[file:name NOT LIKE 'a%']", "'0':{'type':'file','name':'ba'}", 1},
    /* MATCHES: PCRE, search, DOTALL, NFC of the value */
    {"[file:name MATCHES '^foo\\\\d+']", "'0':{'type':'file','name':'foo12'}",
     1},
    {"[file:name MATCHES '^foo\\\\d+']", "'0':{'type':'file','name':'xfoo1'}",
     0},
    {"[file:name MATCHES 'bar']", "'0':{'type':'file','name':'foobarbaz'}", 1},
    {"[x-a:s MATCHES '^a.b$']", "'0':{'type':'x-a','s':'a\\nb'}", 1},
    {"[file:name MATCHES '^caf\xc3\xa9$']",
     "'0':{'type':'file','name':'cafe\\u0301'}", 1},
    {"[file:name MATCHES '(a)\\\\1']", "'0':{'type':'file','name':'xaay'}", 1},
    {"[file:name MATCHES '(?<=x)a']", "'0':{'type':'file','name':'ya'}", 0},
    /* caseless matching folds over Unicode (PCRE2 in UTF mode) */
    {"[file:name MATCHES '(?i)^s$']", "'0':{'type':'file','name':'\\u017f'}",
     1},
    {"[file:name MATCHES '(?i)^FOO']", "'0':{'type':'file','name':'fooD'}", 1},
    {"[file:name MATCHES '.']", "'0':{'type':'file','size':1}", 0},
    /* binary properties (§9.6.4): the example of the specification */
    {"[artifact:payload_bin = 'dGhpcyBpcyBhIHRlc3Q=']",
     "'0':{'type':'artifact','payload_bin':'dGhpcyBpcyBhIHRlc3Q='}", 0},
    {"[artifact:payload_bin = 'this is a test']",
     "'0':{'type':'artifact','payload_bin':'dGhpcyBpcyBhIHRlc3Q='}", 1},
    {"[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']",
     "'0':{'type':'artifact','payload_bin':'dGhpcyBpcyBhIHRlc3Q='}", 1},
    {"[artifact:payload_bin = h'7468697320697320612074657374']",
     "'0':{'type':'artifact','payload_bin':'dGhpcyBpcyBhIHRlc3Q='}", 1},
    /* a string constant with a code point >= U+0100: false, != true */
    {"[artifact:payload_bin = '\xc4\x80']",
     "'0':{'type':'artifact','payload_bin':'xIA='}", 0},
    {"[artifact:payload_bin != '\xc4\x80']",
     "'0':{'type':'artifact','payload_bin':'xIA='}", 1},
    {"[artifact:payload_bin = '\xc3\xbf']",
     "'0':{'type':'artifact','payload_bin':'/w=='}", 1},
    {"[file:magic_number_hex = h'ffd8']",
     "'0':{'type':'file','name':'a','magic_number_hex':'FFD8'}", 1},
    {"[file:magic_number_hex = 'ab']",
     "'0':{'type':'file','name':'a','magic_number_hex':'6162'}", 1},
    {"[artifact:payload_bin > h'00']",
     "'0':{'type':'artifact','payload_bin':'AAA='}", 1},
    {"[artifact:payload_bin MATCHES '^\\\\xd4\\\\xc3\\\\xb2\\\\xa1']",
     "'0':{'type':'artifact','payload_bin':'1MOyoQIABAA='}", 1},
    {"[x-a:s = h'6162']", "'0':{'type':'x-a','s':'ab'}", 1},
    /* ISSUBSET, ISSUPERSET */
    {"[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
     "'0':{'type':'ipv4-addr','value':'198.51.100.7'}", 1},
    {"[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
     "'0':{'type':'ipv4-addr','value':'198.51.101.7'}", 0},
    {"[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
     "'0':{'type':'ipv4-addr','value':'198.51.100.0/27'}", 1},
    {"[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
     "'0':{'type':'ipv4-addr','value':'198.51.100.0/24'}", 1},
    {"[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
     "'0':{'type':'ipv4-addr','value':'198.51.0.0/16'}", 0},
    {"[ipv4-addr:value ISSUBSET '0.0.0.0/0']",
     "'0':{'type':'ipv4-addr','value':'203.0.113.1'}", 1},
    {"[ipv4-addr:value ISSUPERSET '198.51.100.0/27']",
     "'0':{'type':'ipv4-addr','value':'198.51.100.0/24'}", 1},
    {"[ipv4-addr:value ISSUPERSET '198.51.100.0/24']",
     "'0':{'type':'ipv4-addr','value':'198.51.100.0/27'}", 0},
    {"[ipv6-addr:value ISSUBSET '2001:db8::/32']",
     "'0':{'type':'ipv6-addr','value':'2001:db8:dead::1'}", 1},
    {"[ipv6-addr:value ISSUBSET '2001:db8::/32']",
     "'0':{'type':'ipv6-addr','value':'2001:db9::1'}", 0},
    {"[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8']",
     "'0':{'type':'ipv4-addr','value':'11.0.0.1'}", 1},
    {"[ipv4-addr:value ISSUBSET '10.0.0.0/8']",
     "'0':{'type':'ipv4-addr','value':'not an address'}", 0},
    /* EXISTS */
    {"[EXISTS windows-registry-key:values]",
     "'0':{'type':'windows-registry-key','key':'k','values':[]}", 1},
    {"[EXISTS windows-registry-key:values]",
     "'0':{'type':'windows-registry-key','key':'k'}", 0},
    {"[NOT EXISTS windows-registry-key:values]",
     "'0':{'type':'windows-registry-key','key':'k'}", 1},
    {"[NOT EXISTS windows-registry-key:values]",
     "'0':{'type':'file','name':'k'}", 0},
    /* lists, dictionaries, quoted keys (§9.7) */
    {"[network-traffic:protocols[0] = 'tcp']",
     "'0':{'type':'network-traffic','protocols':['tcp','http']}", 1},
    {"[network-traffic:protocols[1] = 'tcp']",
     "'0':{'type':'network-traffic','protocols':['tcp','http']}", 0},
    {"[network-traffic:protocols[2] = 'tcp']",
     "'0':{'type':'network-traffic','protocols':['tcp','http']}", 0},
    {"[network-traffic:protocols[-1] = 'http']",
     "'0':{'type':'network-traffic','protocols':['tcp','http']}", 0},
    {"[network-traffic:protocols[*] = 'http']",
     "'0':{'type':'network-traffic','protocols':['tcp','http']}", 1},
    {"[network-traffic:protocols[*] != 'tcp']",
     "'0':{'type':'network-traffic','protocols':['tcp','http']}", 1},
    {"[network-traffic:protocols[*] NOT = 'tcp']",
     "'0':{'type':'network-traffic','protocols':['tcp','http']}", 0},
    {"[file:hashes.'SHA-256' = "
     "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
     "'0':{'type':'file','hashes':{'SHA-256':"
     "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f'}}",
     1},
    {"[file:hashes[*] = 'cead3f77f6cda6ec00f57d76c9a6879f']",
     "'0':{'type':'file','hashes':{'MD5':'cead3f77f6cda6ec00f57d76c9a6879f'}}",
     1},
    {"[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
     "'0':{'type':'file','name':'a','extensions':{'windows-pebinary-ext':{"
     "'pe_type':'exe','sections':[{'entropy':1.5},{'entropy':7.8}]}}}",
     1},
    /* references: _ref and _refs[i] are followed within the observation */
    {"[network-traffic:dst_ref.value = '198.51.100.58']",
     "'0':{'type':'network-traffic','dst_ref':'1'},"
     "'1':{'type':'ipv4-addr','value':'198.51.100.58'}",
     1},
    {"[network-traffic:dst_ref.value = '198.51.100.58']",
     "'0':{'type':'network-traffic','dst_ref':'9'},"
     "'1':{'type':'ipv4-addr','value':'198.51.100.58'}",
     0},
    {"[network-traffic:dst_ref.type = 'ipv4-addr']",
     "'0':{'type':'network-traffic','dst_ref':'1'},"
     "'1':{'type':'ipv4-addr','value':'198.51.100.58'}",
     1},
    {"[network-traffic:dst_ref = '1']",
     "'0':{'type':'network-traffic','dst_ref':'1'},"
     "'1':{'type':'ipv4-addr','value':'198.51.100.58'}",
     1},
    {"[domain-name:resolves_to_refs[*].value = '198.51.100.1']",
     "'0':{'type':'domain-name','value':'a.example','resolves_to_refs':['1',"
     "'2']},'1':{'type':'ipv4-addr','value':'203.0.113.1'},"
     "'2':{'type':'ipv4-addr','value':'198.51.100.1'}",
     1},
    {"[domain-name:resolves_to_refs[0].value = '198.51.100.1']",
     "'0':{'type':'domain-name','value':'a.example','resolves_to_refs':['1',"
     "'2']},'1':{'type':'ipv4-addr','value':'203.0.113.1'},"
     "'2':{'type':'ipv4-addr','value':'198.51.100.1'}",
     0},
    {"[email-message:body_multipart[*].body_raw_ref.name MATCHES "
     "'^Final Report.+\\\\.exe$']",
     "'0':{'type':'email-message','is_multipart':true,'body_multipart':[{"
     "'body':'hi'},{'body_raw_ref':'1'}]},'1':{'type':'file','name':"
     "'Final Report Q3.exe'}",
     1},
    /* one SCO for all operands of AND (§9.5, its own example) */
    {"[network-traffic:src_ref.value = '203.0.113.10' AND "
     "network-traffic:dst_ref.value = '198.51.100.58']",
     "'0':{'type':'network-traffic','src_ref':'1'},"
     "'1':{'type':'ipv4-addr','value':'203.0.113.10'},"
     "'2':{'type':'network-traffic','dst_ref':'3'},"
     "'3':{'type':'ipv4-addr','value':'198.51.100.58'}",
     0},
    {"[network-traffic:src_ref.value = '203.0.113.10' AND "
     "network-traffic:dst_ref.value = '198.51.100.58']",
     "'0':{'type':'network-traffic','src_ref':'1','dst_ref':'3'},"
     "'1':{'type':'ipv4-addr','value':'203.0.113.10'},"
     "'3':{'type':'ipv4-addr','value':'198.51.100.58'}",
     1},
    {"[ipv4-addr:value = '1.2.3.4' AND domain-name:value = 'x']",
     "'0':{'type':'ipv4-addr','value':'1.2.3.4'},"
     "'1':{'type':'domain-name','value':'x'}",
     0},
    {"[ipv4-addr:value = '1.2.3.4' OR domain-name:value = 'x']",
     "'1':{'type':'domain-name','value':'x'}", 1},
    {"[(file:name = 'pdf.exe' OR file:size = 371712) AND file:created = "
     "t'2014-01-13T07:03:17Z']",
     "'0':{'type':'file','size':371712,'created':'2014-01-13T07:03:17Z'}", 1},
    {"[file:name = 'a' AND file:size > 10 OR file:name = 'b']",
     "'0':{'type':'file','name':'b','size':1}", 1},
    {"[file:name = 'a' AND (file:size > 10 OR file:name = 'b')]",
     "'0':{'type':'file','name':'b','size':1}", 0},
    /* qualifiers on one observation */
    {"[file:name = 'a'] START t'2025-12-31T00:00:00Z' STOP "
     "t'2026-01-02T00:00:00Z'",
     "'0':{'type':'file','name':'a'}", 1},
    {"[file:name = 'a'] START t'2026-01-01T00:00:00Z' STOP "
     "t'2026-01-02T00:00:00Z'",
     "'0':{'type':'file','name':'a'}", 1},
    {"[file:name = 'a'] START t'2025-12-31T00:00:00Z' STOP "
     "t'2026-01-01T00:00:00Z'",
     "'0':{'type':'file','name':'a'}", 0},
    {"[file:name = 'a'] WITHIN 1 SECONDS", "'0':{'type':'file','name':'a'}", 1},
    {"[file:name = 'a'] REPEATS 2 TIMES", "'0':{'type':'file','name':'a'}", 0},
    {"[file:name = 'a'] AND [file:name = 'a']",
     "'0':{'type':'file','name':'a'}", 0},
    {"[file:name = 'a'] OR [file:name = 'b']", "'0':{'type':'file','name':'b'}",
     1},
};

static void test_one_observation(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof one / sizeof *one; i++) {
    size_t got = nmatch(one[i].pattern, obs1(one[i].objects));
    if (got != one[i].want)
      fail_msg("case %zu: %s\n  on {%s}\n  %zu matches, want %zu", i,
               one[i].pattern, one[i].objects, got, one[i].want);
  }
}

/* ---- several observations ---------------------------------------------- */

/* Observed-data number k (id ...0k) at `first` + `secs` seconds, lasting
 * `dur` seconds, seen `count` times, with the given objects. */
static void od(acc_buf *b, int k, long secs, long dur, int count,
               const char *objects) {
  char t1[64], t2[64];
  snprintf(t1, sizeof t1, "2026-01-01T%02ld:%02ld:%02ldZ", secs / 3600,
           secs / 60 % 60, secs % 60);
  long e = secs + dur;
  snprintf(t2, sizeof t2, "2026-01-01T%02ld:%02ld:%02ldZ", e / 3600,
           e / 60 % 60, e % 60);
  acc_buf_printf(b,
                 "{'type':'observed-data','spec_version':'2.1','id':"
                 "'observed-data--00000000-0000-4000-8000-%012d','created':"
                 "'%s','modified':'%s','first_observed':'%s','last_observed':"
                 "'%s','number_observed':%d,'objects':{%s}}\n",
                 k, t2, t2, t1, t2, count, objects);
}

#define A "'0':{'type':'ipv4-addr','value':'198.51.100.5'}"
#define B "'0':{'type':'ipv4-addr','value':'198.51.100.10'}"
#define C "'0':{'type':'domain-name','value':'example.com'}"

typedef struct step {
  long at, dur;
  int count;
  const char *objects;
} step;

typedef struct scase {
  const char *pattern;
  step obs[6];
  size_t want; /* matches (distinct sets of observations) */
} scase;

#define PA "[ipv4-addr:value = '198.51.100.5']"
#define PB "[ipv4-addr:value = '198.51.100.10']"
#define PC "[domain-name:value = 'example.com']"

static const scase multi[] = {
    {PA " AND " PB, {{0, 0, 1, A}, {10, 0, 1, B}}, 1},
    {PA " AND " PB, {{0, 0, 1, A}}, 0},
    {PA " AND " PA, {{0, 0, 1, A}}, 0},
    {PA " AND " PA, {{0, 0, 1, A}, {5, 0, 1, A}}, 1},
    {PA " OR " PB, {{0, 0, 1, B}}, 1},
    {PA " OR " PB, {{0, 0, 1, A}, {10, 0, 1, B}}, 2},
    {PA " FOLLOWEDBY " PB, {{0, 0, 1, A}, {10, 0, 1, B}}, 1},
    {PA " FOLLOWEDBY " PB, {{0, 0, 1, B}, {10, 0, 1, A}}, 0},
    {PA " FOLLOWEDBY " PB, {{0, 0, 1, A}, {0, 0, 1, B}}, 1},
    /* intervals: b must start at or after a ends */
    {PA " FOLLOWEDBY " PB, {{0, 60, 1, A}, {30, 0, 1, B}}, 0},
    {"(" PA " AND " PB ") WITHIN 60 SECONDS", {{0, 0, 1, A}, {30, 0, 1, B}}, 1},
    {"(" PA " AND " PB ") WITHIN 60 SECONDS", {{0, 0, 1, A}, {60, 0, 1, B}}, 0},
    {"(" PA " AND " PB ") WITHIN 60 SECONDS",
     {{0, 0, 1, A}, {120, 0, 1, B}},
     0},
    {"(" PA " AND " PB ") WITHIN 60.5 SECONDS",
     {{0, 0, 1, A}, {60, 0, 1, B}},
     1},
    {"(" PA " FOLLOWEDBY " PB ") WITHIN 300 SECONDS",
     {{0, 0, 1, A}, {100, 0, 1, B}, {1000, 0, 1, B}},
     1},
    {PA " REPEATS 3 TIMES", {{0, 0, 1, A}, {10, 0, 1, A}, {20, 0, 1, A}}, 1},
    {PA " REPEATS 3 TIMES", {{0, 0, 1, A}, {10, 0, 1, A}}, 0},
    /* number_observed counts */
    {PA " REPEATS 3 TIMES", {{0, 0, 3, A}}, 1},
    {PA " REPEATS 3 TIMES", {{0, 0, 2, A}, {10, 0, 1, A}}, 1},
    {PA " REPEATS 3 TIMES WITHIN 15 SECONDS",
     {{0, 0, 1, A}, {10, 0, 1, A}, {20, 0, 1, A}},
     0},
    {PA " REPEATS 3 TIMES WITHIN 25 SECONDS",
     {{0, 0, 1, A}, {10, 0, 1, A}, {20, 0, 1, A}},
     1},
    /* [b] FOLLOWEDBY [c] REPEATS 2 TIMES: b then two c's after it */
    {PB " FOLLOWEDBY " PC " REPEATS 2 TIMES",
     {{0, 0, 1, B}, {10, 0, 1, C}, {20, 0, 1, C}},
     1},
    {PB " FOLLOWEDBY " PC " REPEATS 2 TIMES",
     {{10, 0, 1, C}, {15, 0, 1, B}, {20, 0, 1, C}},
     0},
    /* (a FOLLOWEDBY b) REPEATS 2 TIMES: two disjoint pairs */
    {"(" PA " FOLLOWEDBY " PB ") REPEATS 2 TIMES",
     {{0, 0, 1, A}, {10, 0, 1, B}, {20, 0, 1, A}, {30, 0, 1, B}},
     1},
    {"(" PA " FOLLOWEDBY " PB ") REPEATS 2 TIMES",
     {{0, 0, 1, A}, {10, 0, 1, B}},
     0},
    /* START/STOP over the whole observation interval */
    {"(" PA " AND " PB ") START t'2026-01-01T00:00:00Z' STOP "
     "t'2026-01-01T00:01:00Z'",
     {{0, 0, 1, A}, {30, 0, 1, B}},
     1},
    {"(" PA " AND " PB ") START t'2026-01-01T00:00:00Z' STOP "
     "t'2026-01-01T00:01:00Z'",
     {{0, 0, 1, A}, {90, 0, 1, B}},
     0},
    {PA " START t'2026-01-01T00:00:00Z' STOP t'2026-01-01T00:01:00Z'",
     {{30, 60, 1, A}},
     0},
    /* OR takes either side; AND over three */
    {"(" PA " OR " PC ") AND " PB, {{0, 0, 1, C}, {10, 0, 1, B}}, 1},
    {PA " AND " PB " AND " PC, {{0, 0, 1, A}, {10, 0, 1, B}, {20, 0, 1, C}}, 1},
    {PA " AND " PB " AND " PC, {{0, 0, 1, A}, {10, 0, 1, B}}, 0},
};

static void test_observations(void **state) {
  (void)state;
  acc_buf b;
  acc_buf_init(&b, 1 << 20);
  for (size_t i = 0; i < sizeof multi / sizeof *multi; i++) {
    acc_buf_reset(&b);
    for (int k = 0; k < 6 && multi[i].obs[k].objects; k++)
      od(&b, k, multi[i].obs[k].at, multi[i].obs[k].dur, multi[i].obs[k].count,
         multi[i].obs[k].objects);
    size_t got = nmatch(multi[i].pattern, acc_buf_cstr(&b));
    if (got != multi[i].want)
      fail_msg("case %zu: %s: %zu matches, want %zu", i, multi[i].pattern, got,
               multi[i].want);
  }
  acc_buf_free(&b);
}

/* object_refs: SCOs alongside, before or after the observed-data; a
 * reference to an SCO the observation does not list is not followed. */
static void test_object_refs(void **state) {
  (void)state;
  const char *ip = "{'type':'ipv4-addr','spec_version':'2.1','id':'ipv4-addr--"
                   "ff26c055-6336-5bc5-b98d-13d6226742dd','value':"
                   "'198.51.100.3'}\n";
  const char *nt = "{'type':'network-traffic','spec_version':'2.1','id':"
                   "'network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d',"
                   "'dst_ref':'ipv4-addr--ff26c055-6336-5bc5-b98d-"
                   "13d6226742dd','protocols':['tcp']}\n";
  const char *od2 = "{'type':'observed-data','spec_version':'2.1','id':"
                    "'observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf',"
                    "'created':'" T0 "','modified':'" T0
                    "','first_observed':'" T0 "','last_observed':'" T0
                    "','number_observed':1,'object_refs':['network-traffic--"
                    "2568d22a-8998-58eb-99ec-3c8ca74f527d','ipv4-addr--"
                    "ff26c055-6336-5bc5-b98d-13d6226742dd']}\n";
  const char *od1 = "{'type':'observed-data','spec_version':'2.1','id':"
                    "'observed-data--b67d30ff-02ac-498a-92f9-32f845f448ce',"
                    "'created':'" T0 "','modified':'" T0
                    "','first_observed':'" T0 "','last_observed':'" T0
                    "','number_observed':1,'object_refs':['network-traffic--"
                    "2568d22a-8998-58eb-99ec-3c8ca74f527d']}\n";
  const char *p = "[network-traffic:dst_ref.value = '198.51.100.3']";
  char doc[4096];
  snprintf(doc, sizeof doc, "%s%s%s", ip, nt, od2);
  assert_int_equal(nmatch(p, doc), 1);
  snprintf(doc, sizeof doc, "%s%s%s", od2, nt, ip); /* SCOs after */
  assert_int_equal(nmatch(p, doc), 1);
  snprintf(doc, sizeof doc, "%s%s%s", ip, nt, od1); /* ip not listed */
  assert_int_equal(nmatch(p, doc), 0);
  snprintf(doc, sizeof doc, "[%.*s,%.*s,%.*s]", (int)strlen(ip) - 1, ip,
           (int)strlen(nt) - 1, nt, (int)strlen(od2) - 1, od2);
  assert_int_equal(nmatch(p, doc), 1); /* a JSON array */
  snprintf(doc, sizeof doc,
           "{'type':'bundle','id':'bundle--44af6c39-c09b-49c5-9de2-"
           "394224b04982','objects':[%.*s,%.*s,%.*s]}",
           (int)strlen(ip) - 1, ip, (int)strlen(nt) - 1, nt,
           (int)strlen(od2) - 1, od2);
  assert_int_equal(nmatch(p, doc), 1); /* a bundle */
  snprintf(doc, sizeof doc, "{'objects':[%.*s,%.*s,%.*s]}", (int)strlen(ip) - 1,
           ip, (int)strlen(nt) - 1, nt, (int)strlen(od2) - 1, od2);
  assert_int_equal(nmatch(p, doc), 1); /* a TAXII envelope */
}

/* The same data through the prefiltered and the full matcher, with the
 * benchmark's indicators: the same matches, in the same order. */
typedef struct collect {
  acc_buf b;
} collect;

static int collect_cb(void *ctx, const acc_match *m) {
  collect *c = ctx;
  acc_buf_printf(&c->b, "%s", m->indicator_id);
  for (size_t i = 0; i < m->n_obs; i++)
    acc_buf_printf(&c->b, " %s", m->obs_ids[i]);
  acc_buf_putc(&c->b, '\n');
  return 0;
}

static void gen_run(const char *ind, size_t il, const char *obs, size_t ol,
                    int prefilter, collect *out, size_t *n_ind) {
  acc_matcher *m;
  acc_diag d;
  assert_int_equal(acc_matcher_new(&m), ACC_OK);
  if (!prefilter)
    acc_matcher_no_prefilter(m);
  json_error_t err;
  const char *p = ind, *end = ind + il;
  *n_ind = 0;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    json_t *o = json_loadb(p, (size_t)(nl - p), 0, &err);
    assert_non_null(o);
    json_t *pat = json_object_get(o, "pattern");
    assert_int_equal(
        acc_matcher_add(m, json_string_value(json_object_get(o, "id")),
                        json_string_value(pat), json_string_length(pat), &d),
        ACC_OK);
    json_decref(o);
    (*n_ind)++;
    p = nl + 1;
  }
  assert_int_equal(acc_matcher_compile(m, &d), ACC_OK);
  acc_match_run *r;
  assert_int_equal(acc_match_run_new(m, &r), ACC_OK);
  assert_int_equal(acc_match_run_feed(r, obs, ol, &d), ACC_OK);
  acc_buf_init(&out->b, 1 << 28);
  assert_int_equal(acc_match_run_finish(r, collect_cb, out, &d), ACC_OK);
  acc_match_run_free(r);
  acc_matcher_free(m);
}

static void test_prefilter_agrees(void **state) {
  (void)state;
  char *ib = NULL, *ob = NULL;
  size_t il = 0, ol = 0;
  FILE *fi = open_memstream(&ib, &il), *fo = open_memstream(&ob, &ol);
  assert_int_equal(acc_pattern_gen(fi, fo, 400, 20000, 7), ACC_OK);
  fclose(fi);
  fclose(fo);
  collect a, b;
  size_t n;
  gen_run(ib, il, ob, ol, 1, &a, &n);
  gen_run(ib, il, ob, ol, 0, &b, &n);
  assert_int_equal(n, 400);
  size_t lines = 0;
  for (size_t i = 0; i < a.b.len; i++)
    lines += a.b.data[i] == '\n';
  /* about 2% of the observations carry an indicator's value */
  assert_true(lines > 200);
  assert_string_equal(acc_buf_cstr(&a.b), acc_buf_cstr(&b.b));
  acc_buf_free(&a.b);
  acc_buf_free(&b.b);
  free(ib);
  free(ob);
}

/* Sightings of matches are valid STIX 2.1 and say what matched. */
typedef struct sgs {
  json_t *arr;
} sgs;

static acc_rc keep_sighting(void *ctx, const char *json, size_t len) {
  sgs *s = ctx;
  json_error_t err;
  json_t *o = json_loadb(json, len, 0, &err);
  assert_non_null(o);
  json_array_append_new(s->arr, o);
  return ACC_OK;
}

static void test_sightings(void **state) {
  (void)state;
  acc_sightings *sg;
  const char *where = "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff";
  assert_int_equal(acc_sightings_new(where, INT64_C(1767225600000000), &sg),
                   ACC_OK);
  const char *ids1[] = {"observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf"};
  const char *ids2[] = {"observed-data--b67d30ff-02ac-498a-92f9-32f845f448ce",
                        "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf"};
  acc_match m1 = {"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
                  0,
                  ids1,
                  1,
                  INT64_C(1767225600000000),
                  INT64_C(1767225660000000),
                  3};
  acc_match m2 = {"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
                  0,
                  ids2,
                  2,
                  INT64_C(1767225500000000),
                  INT64_C(1767225610000000),
                  1};
  acc_match m3 = {"indicator--31b940d4-6f7f-459a-80ea-9c1f17b5891b",
                  1,
                  ids1,
                  1,
                  INT64_C(1767225600000000),
                  INT64_C(1767225600000000),
                  1};
  assert_int_equal(acc_sightings_add(sg, &m1), ACC_OK);
  assert_int_equal(acc_sightings_add(sg, &m2), ACC_OK);
  assert_int_equal(acc_sightings_add(sg, &m3), ACC_OK);
  sgs s = {json_array()};
  size_t n;
  assert_int_equal(acc_sightings_flush(sg, keep_sighting, &s, &n), ACC_OK);
  assert_int_equal(n, 2);
  json_t *a = json_array_get(s.arr, 0);
  acc_stix_obj o;
  acc_diag d;
  if (acc_stix_validate(a, &o, &d, NULL, NULL))
    fail_msg("sighting invalid: %s", d.msg);
  assert_string_equal(json_string_value(json_object_get(a, "sighting_of_ref")),
                      m1.indicator_id);
  assert_int_equal(json_integer_value(json_object_get(a, "count")), 4);
  assert_int_equal(json_array_size(json_object_get(a, "observed_data_refs")),
                   2);
  assert_string_equal(json_string_value(json_object_get(a, "first_seen")),
                      "2025-12-31T23:58:20.000000Z");
  assert_string_equal(json_string_value(json_object_get(a, "last_seen")),
                      "2026-01-01T00:01:00.000000Z");
  assert_string_equal(json_string_value(json_array_get(
                          json_object_get(a, "where_sighted_refs"), 0)),
                      where);
  json_t *b = json_array_get(s.arr, 1);
  assert_int_equal(acc_stix_validate(b, &o, &d, NULL, NULL), ACC_OK);
  /* the same matches give the same ids */
  acc_sightings *sg2;
  assert_int_equal(acc_sightings_new(where, INT64_C(1767225600000000), &sg2),
                   ACC_OK);
  acc_sightings_add(sg2, &m1);
  acc_sightings_add(sg2, &m2);
  sgs s2 = {json_array()};
  assert_int_equal(acc_sightings_flush(sg2, keep_sighting, &s2, &n), ACC_OK);
  assert_int_equal(n, 1);
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(s2.arr, 0), "id")),
      json_string_value(json_object_get(a, "id")));
  json_decref(s.arr);
  json_decref(s2.arr);
  acc_sightings_free(sg);
  acc_sightings_free(sg2);
}

/* Bad documents: malformed JSON is refused with line and column; a bad
 * line of JSON lines is skipped and counted. */
static void test_documents(void **state) {
  (void)state;
  acc_matcher *m;
  acc_diag d;
  const char *p = "[file:name = 'a']";
  assert_int_equal(acc_matcher_new(&m), ACC_OK);
  assert_int_equal(acc_matcher_add(m,
                                   "indicator--8e2e2d2b-17d4-4cbf-938f-"
                                   "98ee46b3cd3f",
                                   p, strlen(p), &d),
                   ACC_OK);
  assert_int_equal(acc_matcher_compile(m, &d), ACC_OK);
  acc_match_run *r;
  assert_int_equal(acc_match_run_new(m, &r), ACC_OK);
  const char *bad = "{\"objects\": [\n{\"type\": \"file\",}\n]}";
  assert_int_equal(acc_match_run_feed(r, bad, strlen(bad), &d), ACC_EJSON);
  assert_non_null(strstr(d.msg, "line 2"));
  char *lines = dq("{'type':'x'}\n{oops\n");
  assert_int_equal(acc_match_run_feed(r, lines, strlen(lines), &d), ACC_OK);
  free(lines);
  acc_match_counts c;
  acc_match_run_counts(r, &c);
  assert_int_equal(c.bad, 1);
  acc_match_run_free(r);
  acc_matcher_free(m);
  /* an invalid pattern is refused by the matcher */
  assert_int_equal(acc_matcher_new(&m), ACC_OK);
  assert_int_equal(acc_matcher_add(m, "indicator--x", "[a:b = ]", 8, &d),
                   ACC_EINVAL);
  acc_matcher_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_one_observation),
      cmocka_unit_test(test_observations),
      cmocka_unit_test(test_object_refs),
      cmocka_unit_test(test_prefilter_agrees),
      cmocka_unit_test(test_sightings),
      cmocka_unit_test(test_documents),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
