/*
 * fuzz_pattern_match.c — libFuzzer harness for matching: the input is an
 * optional pattern on its first line, then a document of observations
 * (any shape).  The document goes through two matchers holding the same
 * indicators (a fixed set covering every operator, plus the input's
 * pattern when it parses): one with prefilters (hash, prefix, Hyperscan),
 * one evaluating every observation expression for every SCO.  Both must
 * report the same matches; nothing may crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/matcher_int.h"

static const char *fixed[] = {
    "[ipv4-addr:value = '198.51.100.5']",
    "[ipv4-addr:value IN ('198.51.100.6', '203.0.113.1')]",
    "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
    "[ipv6-addr:value ISSUBSET '2001:db8::/32']",
    "[network-traffic:dst_ref.value ISSUBSET '10.0.0.0/8' AND "
    "network-traffic:dst_port = 443]",
    "[domain-name:value LIKE '%.example']",
    "[url:value MATCHES '^https?://([a-z]+)\\\\.x/\\\\1']",
    "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f' OR file:size > "
    "1000]",
    "[file:name NOT = 'a' AND file:size != 5]",
    "[artifact:payload_bin = 'ab' OR artifact:payload_bin MATCHES '^\\\\x00']",
    "[x-a:v = 1 OR x-a:v = 2.5 OR x-a:v = true OR x-a:s = t'2020-01-01T00:"
    "00:00Z']",
    "[EXISTS x-a:list[*].k]",
    "[domain-name:resolves_to_refs[*].value = '198.51.100.5']",
    "[ipv4-addr:value = '198.51.100.5'] FOLLOWEDBY [domain-name:value = "
    "'a.example']",
    "([ipv4-addr:value ISSUBSET '198.51.100.0/24'] AND [file:size > 1]) "
    "WITHIN 60 SECONDS",
    "[ipv4-addr:value ISSUBSET '0.0.0.0/0'] REPEATS 2 TIMES",
};

typedef struct out {
  acc_buf b;
} out;

static int collect(void *ctx, const acc_match *m) {
  out *o = ctx;
  acc_buf_printf(&o->b, "%zu", m->indicator_index);
  for (size_t i = 0; i < m->n_obs; i++)
    acc_buf_printf(&o->b, " %s", m->obs_ids[i]);
  acc_buf_putc(&o->b, '\n');
  return 0;
}

/* The matcher of the fixed indicators (plus pat when given). */
static acc_matcher *make(const char *pat, size_t plen, int prefilter) {
  acc_matcher *m;
  acc_diag d;
  if (acc_matcher_new(&m))
    abort();
  if (!prefilter)
    acc_matcher_no_prefilter(m);
  for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
    if (acc_matcher_add(m, "indicator--fixed", fixed[i], strlen(fixed[i]), &d))
      abort();
  if (pat)
    acc_matcher_add(m, "indicator--input", pat, plen, &d);
  if (acc_matcher_compile(m, &d))
    abort();
  return m;
}

static void run(const acc_matcher *m, const char *doc, size_t len, out *o,
                acc_rc *feed_rc) {
  acc_diag d;
  acc_match_run *r;
  if (acc_match_run_new(m, &r))
    abort();
  *feed_rc = acc_match_run_feed(r, doc, len, &d);
  if (!*feed_rc && acc_match_run_finish(r, collect, o, &d))
    abort();
  acc_match_run_free(r);
}

/* The matchers of the fixed set alone are built once (Hyperscan compiles
 * take tens of milliseconds); they stay reachable until exit. */
static acc_matcher *fixed_pre, *fixed_full;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  const char *nl = memchr(s, '\n', size);
  const char *pat = NULL, *doc = s;
  size_t plen = 0, len = size;
  if (nl && size && s[0] == '[') {
    pat = s;
    plen = (size_t)(nl - s);
    doc = nl + 1;
    len = size - plen - 1;
  }
  out a, b;
  acc_buf_init(&a.b, (size_t)64 << 20);
  acc_buf_init(&b.b, (size_t)64 << 20);
  acc_rc ra, rb;
  acc_matcher *mp, *mf;
  if (pat) {
    mp = make(pat, plen, 1);
    mf = make(pat, plen, 0);
  } else {
    if (!fixed_pre) {
      fixed_pre = make(NULL, 0, 1);
      fixed_full = make(NULL, 0, 0);
    }
    mp = fixed_pre;
    mf = fixed_full;
  }
  run(mp, doc, len, &a, &ra);
  run(mf, doc, len, &b, &rb);
  if (pat) {
    acc_matcher_free(mp);
    acc_matcher_free(mf);
  }
  if (ra != rb || a.b.len != b.b.len ||
      (a.b.len && memcmp(a.b.data, b.b.data, a.b.len)))
    abort();
  acc_buf_free(&a.b);
  acc_buf_free(&b.b);
  return 0;
}
