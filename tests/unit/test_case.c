/*
 * test_case.c — attribution cases and evidence packs as a library: the
 * reference lists and their STIX confidence mappings (Appendix A), the
 * overstated-likelihood rule, the endorsement rules, the checks of case
 * specifications, organisation keys, the MANIFEST parser, and packs built
 * on a real store: deterministic, verified, and refused by the verifier
 * after any change — including a bundle re-signed by its own key with
 * something above the release level slipped in.
 */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "case/case.h"
#include "case/case_int.h"
#include "case/keys.h"
#include "ingest/ingest.h"
#include "pack/pack.h"
#include "testutil.h"
#include "util/time.h"

#define X "7d1a0c52-3b7e-4c1f-9a2d-5e6f7a8b9c"

/* ---- reference lists ---- */

static void test_vocab(void **state) {
  (void)state;
  size_t n;
  assert_non_null(acc_case_vocab(ACC_VOCAB_NORM, &n));
  assert_int_equal(n, 11);
  assert_string_equal(acc_case_vocab(ACC_VOCAB_NORM, &n)[10].key, "k");
  acc_case_vocab(ACC_VOCAB_NIS2, &n);
  assert_int_equal(n, 18);
  assert_string_equal(acc_case_vocab_find(ACC_VOCAB_NIS2, "research")->text,
                      "II");
  assert_string_equal(acc_case_vocab_find(ACC_VOCAB_NIS2, "energy")->text, "I");
  acc_case_vocab(ACC_VOCAB_EU_ACTION, &n);
  assert_int_equal(n, 4);
  acc_case_vocab(ACC_VOCAB_EU_TARGET, &n);
  assert_int_equal(n, 5);
  acc_case_vocab(ACC_VOCAB_EU_EFFECT, &n);
  assert_int_equal(n, 7);
  assert_null(acc_case_vocab_find(ACC_VOCAB_CATEGORY, "rumour"));
  /* ICD 203 → the DNI row of Appendix A */
  static const int dni[] = {5, 15, 30, 50, 70, 85, 95};
  static const char *const icd[] = {"almost-no-chance", "very-unlikely",
                                    "unlikely",         "roughly-even-chance",
                                    "likely",           "very-likely",
                                    "almost-certain"};
  static const char *const phia[] = {"remote-chance", "highly-unlikely",
                                     "unlikely",      "realistic-possibility",
                                     "likely",        "highly-likely",
                                     "almost-certain"};
  for (int i = 0; i < 7; i++) {
    const acc_likelihood *l = acc_case_likelihood_find("icd203", icd[i]);
    assert_non_null(l);
    assert_int_equal(l->stix, dni[i]);
    assert_int_equal(l->rank, i + 1);
    l = acc_case_likelihood_find("phia", phia[i]);
    assert_non_null(l);
    assert_int_equal(l->stix, dni[i]);
    assert_int_equal(acc_case_likelihood_rank(i + 1)->stix, dni[i]);
  }
  assert_null(acc_case_likelihood_find("phia", "very-likely"));
  assert_null(acc_case_likelihood_rank(8));
  /* Admiralty credibility 1..5 → 90..10, 6 → not specified */
  assert_int_equal(acc_case_credibility_stix(1), 90);
  assert_int_equal(acc_case_credibility_stix(3), 50);
  assert_int_equal(acc_case_credibility_stix(5), 10);
  assert_int_equal(acc_case_credibility_stix(6), -1);
  assert_string_equal(acc_case_stance_opinion("concur"), "agree");
  assert_string_equal(acc_case_stance_opinion("dissent"), "disagree");
  assert_string_equal(acc_case_stance_opinion("abstain"), "neutral");
  assert_string_equal(acc_case_opinion_stance("strongly-agree"), "concur");
  assert_string_equal(acc_case_opinion_stance("strongly-disagree"), "dissent");
  assert_string_equal(acc_case_opinion_stance("neutral"), "abstain");
  assert_null(acc_case_opinion_stance("maybe"));
}

static void test_ceiling(void **state) {
  (void)state;
  assert_int_equal(acc_case_strength('A', 1), ACC_EV_STRONG);
  assert_int_equal(acc_case_strength('B', 2), ACC_EV_STRONG);
  assert_int_equal(acc_case_strength('C', 2), ACC_EV_MODERATE);
  assert_int_equal(acc_case_strength('A', 3), ACC_EV_MODERATE);
  assert_int_equal(acc_case_strength('D', 1), ACC_EV_WEAK);
  assert_int_equal(acc_case_strength('A', 4), ACC_EV_WEAK);
  assert_int_equal(acc_case_strength('F', 6), ACC_EV_WEAK);
  /* strong, moderate, sources, categories */
  assert_int_equal(acc_case_ceiling(0, 0, 0, 0), 3);
  assert_int_equal(acc_case_ceiling(0, 1, 1, 1), 4);
  assert_int_equal(acc_case_ceiling(0, 2, 1, 1), 5);
  assert_int_equal(acc_case_ceiling(1, 0, 1, 1), 5);
  assert_int_equal(acc_case_ceiling(2, 0, 1, 1), 5); /* one source */
  assert_int_equal(acc_case_ceiling(2, 0, 2, 1), 6);
  assert_int_equal(acc_case_ceiling(1, 2, 2, 2), 6);
  assert_int_equal(acc_case_ceiling(3, 0, 2, 1), 6); /* one category */
  assert_int_equal(acc_case_ceiling(3, 0, 2, 2), 7);
  assert_int_equal(acc_case_ceiling(5, 5, 1, 3), 5); /* one source caps */
}

/* A case built in memory: three visible claim objects, partners and
 * endorsements, no evidence. */
static acc_case *mem_case(int quorum, const char *const *partners, size_t np,
                          const char *const *orgs, const char *const *stances,
                          size_t ne) {
  acc_case *c = calloc(1, sizeof *c);
  c->objs = calloc(3, sizeof *c->objs);
  c->n_objs = 3;
  for (int i = 0; i < 3; i++) {
    c->objs[i].id = strdup("campaign--00000000-0000-4000-8000-000000000000");
    c->objs[i].visible = 1;
    c->objs[i].when_us = ACC_TIME_NONE;
    c->claim[i] = (size_t)i;
  }
  c->likelihood = acc_case_likelihood_find("icd203", "unlikely");
  c->rule.quorum = quorum;
  c->rule.partners = calloc(np + 1, sizeof *c->rule.partners);
  for (size_t i = 0; i < np; i++)
    c->rule.partners[i] = strdup(partners[i]);
  c->rule.n_partners = np;
  c->en = calloc(ne + 1, sizeof *c->en);
  for (size_t i = 0; i < ne; i++) {
    snprintf(c->en[i].org, sizeof c->en[i].org, "%s", orgs[i]);
    snprintf(c->en[i].stance, sizeof c->en[i].stance, "%s", stances[i]);
    c->en[i].id = strdup("opinion--00000000-0000-4000-8000-000000000000");
    c->en[i].statement = strdup("");
    c->en[i].author = strdup("");
  }
  c->n_en = ne;
  return c;
}

static int rule_met(int quorum, const char *const *partners, size_t np,
                    const char *const *orgs, const char *const *stances,
                    size_t ne) {
  acc_case *c = mem_case(quorum, partners, np, orgs, stances, ne);
  acc_case_ctx ctx = {0};
  assert_int_equal(acc_case_derive(&ctx, c, NULL), ACC_OK);
  int met = c->rule.met;
  acc_case_free(c);
  return met;
}

static void test_rules(void **state) {
  (void)state;
  const char *const p3[] = {"A", "B", "C"};
  /* unanimity */
  assert_false(rule_met(0, p3, 3, NULL, NULL, 0));
  assert_false(rule_met(0, p3, 3, (const char *[]){"A", "B"},
                        (const char *[]){"concur", "concur"}, 2));
  assert_true(rule_met(0, p3, 3, (const char *[]){"A", "B", "C"},
                       (const char *[]){"concur", "concur", "concur"}, 3));
  assert_false(rule_met(0, p3, 3, (const char *[]){"A", "B", "C"},
                        (const char *[]){"concur", "dissent", "concur"}, 3));
  assert_true(rule_met(0, p3, 3, (const char *[]){"A", "B", "C"},
                       (const char *[]){"concur", "abstain", "concur"}, 3));
  assert_false(rule_met(0, p3, 3, (const char *[]){"A", "B", "C"},
                        (const char *[]){"abstain", "abstain", "abstain"}, 3));
  /* an outsider's concurrence does not stand in for a partner's */
  assert_false(rule_met(0, p3, 3, (const char *[]){"A", "B", "Z"},
                        (const char *[]){"concur", "concur", "concur"}, 3));
  /* quorum */
  assert_false(
      rule_met(2, p3, 3, (const char *[]){"A"}, (const char *[]){"concur"}, 1));
  assert_true(rule_met(2, p3, 3, (const char *[]){"A", "C"},
                       (const char *[]){"concur", "concur"}, 2));
  assert_true(rule_met(2, p3, 3, (const char *[]){"A", "B", "C"},
                       (const char *[]){"concur", "dissent", "concur"}, 3));
  assert_false(rule_met(2, p3, 3, (const char *[]){"A", "B", "Z"},
                        (const char *[]){"concur", "abstain", "concur"}, 3));
  /* no partners: the owner's case alone */
  assert_true(rule_met(0, NULL, 0, NULL, NULL, 0));
}

/* ---- specifications ---- */

static acc_rc spec(const char *text, int edit, acc_diag *d) {
  json_t *j = NULL;
  acc_rc rc = acc_case_spec_parse(text, strlen(text), edit, &j, d);
  json_decref(j);
  return rc;
}

static void test_spec(void **state) {
  (void)state;
  acc_diag d;
  const char *good =
      "{\"title\":\"t\",\"claim\":{\"operation\":\"campaign--" X "02\","
      "\"actor\":\"intrusion-set--" X "03\",\"state\":{\"type\":\"location\","
      "\"name\":\"N\",\"country\":\"NM\"}},\"likelihood\":\"likely\","
      "\"analytic_confidence\":\"high\",\"norms\":[\"a\",\"k\"],"
      "\"eu_2019_796\":{\"effect_factors\":[\"economic-loss\"]},"
      "\"endorsement\":{\"rule\":\"quorum\",\"partners\":[\"P\",\"Q\"],"
      "\"quorum\":2}}";
  assert_int_equal(spec(good, 0, &d), ACC_OK);
  assert_int_equal(spec("{\"title\":\"t\"", 0, &d), ACC_EJSON);
  assert_int_equal(spec("[]", 0, &d), ACC_EINVAL);
  assert_int_equal(spec("{\"title\":\"t\",\"title\":\"u\"}", 1, &d), ACC_EJSON);
  assert_int_equal(spec("{\"norms\":[\"a\",\"a\"]}", 1, &d), ACC_EINVAL);
  assert_non_null(strstr(d.msg, "repeated"));
  assert_int_equal(spec("{\"likelihood\":{\"scale\":\"phia\",\"term\":"
                        "\"very-likely\"}}",
                        1, &d),
                   ACC_EINVAL);
  assert_non_null(strstr(d.msg, "PHIA"));
  assert_int_equal(spec("{\"tlp\":\"red\"}", 1, &d), ACC_EINVAL);
  assert_int_equal(spec("{\"endorsement\":{\"rule\":\"unanimity\","
                        "\"partners\":[\"a|b\"]}}",
                        1, &d),
                   ACC_EINVAL);
  assert_int_equal(spec("{\"claim\":{\"state\":{\"type\":\"location\","
                        "\"name\":\"N\",\"country\":\"nm\"}}}",
                        1, &d),
                   ACC_EINVAL);
  assert_int_equal(spec("{\"title\":\"\"}", 1, &d), ACC_EINVAL);
  assert_int_equal(spec("{\"title\":\"a\\u0000b\"}", 1, &d), ACC_EJSON);
  assert_int_equal(spec("{}", 0, &d), ACC_EINVAL);
  assert_non_null(strstr(d.msg, "title"));
  assert_int_equal(spec("{}", 1, &d), ACC_OK);

  json_t *e = json_loads("{\"refs\":[\"indicator--" X "10\"],\"reliability\":"
                         "\"A\",\"credibility\":\"2\",\"category\":\"malware\","
                         "\"summary\":\"s\",\"supports\":[\"state\"]}",
                         0, NULL);
  assert_int_equal(acc_case_evidence_check(e, &d), ACC_OK);
  json_object_set_new(e, "credibility", json_integer(0));
  assert_int_equal(acc_case_evidence_check(e, &d), ACC_EINVAL);
  json_decref(e);
  e = json_loads("{\"withdraw\":\"note--" X "10\",\"summary\":\"x\"}", 0, NULL);
  assert_int_equal(acc_case_evidence_check(e, &d), ACC_EINVAL);
  json_decref(e);
  e = json_loads("{\"stance\":\"concur\",\"statement\":\"yes\"}", 0, NULL);
  assert_int_equal(acc_case_endorse_check(e, &d), ACC_OK);
  json_object_set_new(e, "stance", json_string("agree"));
  assert_int_equal(acc_case_endorse_check(e, &d), ACC_EINVAL);
  json_decref(e);
}

/* ---- keys ---- */

static void test_keys(void **state) {
  fx *f = *state;
  acc_diag d;
  acc_org_key k, l;
  assert_int_equal(acc_key_load(f->dir, "Org One", &k, &d), ACC_ENOTFOUND);
  assert_int_equal(acc_key_generate(f->dir, "Org One", 0, &k, &d), ACC_OK);
  assert_int_equal(acc_key_generate(f->dir, "Org One", 0, NULL, &d),
                   ACC_EEXIST);
  assert_int_equal(acc_key_load(f->dir, "Org One", &l, &d), ACC_OK);
  assert_memory_equal(k.pk, l.pk, 32);
  assert_string_equal(k.key_id, l.key_id);
  char path[512];
  acc_key_path(f->dir, "Org One", path, sizeof path);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  unsigned char sig[64];
  assert_int_equal(acc_key_sign(&l, "msg", 3, sig, &d), ACC_OK);
  assert_true(acc_key_verify(k.pk, "msg", 3, sig));
  assert_false(acc_key_verify(k.pk, "msh", 3, sig));
  char text[ACC_KEY_PUB_TEXT_MAX];
  unsigned char back[32];
  acc_key_public_text(k.pk, text);
  assert_int_equal(acc_key_public_parse(text, back, &d), ACC_OK);
  assert_memory_equal(back, k.pk, 32);
  assert_int_equal(acc_key_public_parse("ed25519:AAAA", back, &d), ACC_EINVAL);
  assert_int_equal(acc_key_public_parse("rsa:xyz", back, &d), ACC_EINVAL);
  /* another organisation, another key, another file */
  acc_org_key m;
  assert_int_equal(acc_key_generate(f->dir, "Org/One", 0, &m, &d), ACC_OK);
  assert_memory_not_equal(m.pk, k.pk, 32);
  /* a key readable by others is refused */
  assert_int_equal(chmod(path, 0644), 0);
  assert_int_equal(acc_key_load(f->dir, "Org One", &l, &d), ACC_EINVAL);
  assert_non_null(strstr(d.msg, "chmod 600"));
  acc_key_wipe(&k);
  acc_key_wipe(&l);
  acc_key_wipe(&m);
  unsigned char s1[32], s2[32];
  assert_int_equal(acc_key_instance_secret(f->dir, s1, &d), ACC_OK);
  assert_int_equal(acc_key_instance_secret(f->dir, s2, &d), ACC_OK);
  assert_memory_equal(s1, s2, 32);
}

/* ---- the manifest ---- */

static acc_rc man(const char *t, acc_diag *d) {
  acc_pack_manifest m;
  return acc_pack_manifest_parse(t, strlen(t), &m, d);
}

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_manifest(void **state) {
  (void)state;
  acc_diag d;
  acc_pack_manifest m;
  const char *ok = H64 "  a.json\n" H64 "  b.html\n";
  assert_int_equal(acc_pack_manifest_parse(ok, strlen(ok), &m, &d), ACC_OK);
  assert_int_equal(m.n, 2);
  assert_string_equal(m.e[1].name, "b.html");
  assert_int_equal(m.e[0].sha256[0], 0x01);
  assert_int_equal(man("", &d), ACC_EINVAL);
  assert_int_equal(man(H64 "  a.json", &d), ACC_EINVAL); /* no newline */
  assert_int_equal(man(H64 " a.json\n", &d), ACC_EINVAL);
  assert_int_equal(man("0123456789ABCDEF0123456789abcdef0123456789abcdef"
                       "0123456789abcdef  a\n",
                       &d),
                   ACC_EINVAL);
  assert_int_equal(man(H64 "  b\n" H64 "  a\n", &d), ACC_EINVAL);
  assert_int_equal(man(H64 "  a\n" H64 "  a\n", &d), ACC_EINVAL);
  assert_int_equal(man(H64 "  ../a\n", &d), ACC_EINVAL);
  assert_int_equal(man(H64 "  .a\n", &d), ACC_EINVAL);
  assert_int_equal(man(H64 "  MANIFEST.sig\n", &d), ACC_EINVAL);
  assert_int_equal(man(H64 "  a\r\n", &d), ACC_EINVAL);
  char many[20 * 70 + 1] = "";
  size_t off = 0;
  for (int i = 0; i < 17; i++)
    off += (size_t)snprintf(many + off, sizeof many - off, H64 "  f%02d\n", i);
  assert_int_equal(man(many, &d), ACC_EINVAL);
  unsigned char sig[64];
  assert_int_equal(acc_pack_sig_parse("abc\n", 4, sig, &d), ACC_EINVAL);
}

/* ---- packs on a real store ---- */

typedef struct world {
  fx *f;
  acc_audit *audit;
  acc_principal alice;
  acc_reader rd;
  acc_case_ctx ctx;
  char case_id[ACC_ID_MAX];
} world;

static void make_world(world *w, fx *f) {
  acc_diag d;
  memset(w, 0, sizeof *w);
  w->f = f;
  acc_store *s = f->s;
  acc_org o = {.member = 1};
  snprintf(o.name, sizeof o.name, "CERT-A");
  assert_int_equal(s->ops->org_add(s, &o, &d), ACC_OK);
  acc_user u = {.oid = o.oid};
  snprintf(u.name, sizeof u.name, "alice");
  assert_int_equal(s->ops->user_add(s, &u, &d), ACC_OK);
  assert_int_equal(s->ops->grant_set(s, 1, o.oid, 1, 1, &d), ACC_OK);
  assert_int_equal(acc_auth_principal_of(s, "alice", &w->alice, &d), ACC_OK);
  assert_int_equal(acc_audit_open(f->dir, &w->audit, &d), ACC_OK);
  w->rd = (acc_reader){.who = &w->alice, .path = "test", .audit = w->audit};
  w->ctx = (acc_case_ctx){.st = s,
                          .rd = &w->rd,
                          .data_dir = f->dir,
                          .now_us = INT64_C(1767225600000000)};
  char path[1024];
  snprintf(path, sizeof path, "%s/case/scenario.json",
           getenv("ACC_TESTDATA") ? getenv("ACC_TESTDATA") : "tests/data");
  size_t len = 0;
  char *text = slurp(path, &len);
  assert_non_null(text);
  acc_ingest_opts io = {.origin_oid = o.oid, .origin_uid = u.uid};
  acc_ingest_counts n;
  assert_int_equal(acc_ingest(s, text, len, &io, &n, NULL, &d), ACC_OK);
  assert_int_equal(n.rejected, 0);
  free(text);
  json_t *sp = json_loads(
      "{\"title\":\"unit case\",\"claim\":{\"operation\":\"campaign--" X
      "02\",\"actor\":\"intrusion-set--" X "03\",\"state\":\"identity--" X
      "01\"},\"likelihood\":\"likely\",\"analytic_confidence\":\"low\"}",
      0, NULL);
  assert_int_equal(acc_case_create(&w->ctx, sp, 0, w->case_id, &d), ACC_OK);
  json_decref(sp);
  static const char *const ev[] = {
      "{\"refs\":[\"indicator--" X "10\"],\"reliability\":\"A\","
      "\"credibility\":2,\"category\":\"infrastructure\",\"summary\":\"c2\"}",
      "{\"refs\":[\"report--" X "23\"],\"reliability\":\"B\",\"credibility\":"
      "2,\"category\":\"external-reporting\",\"supports\":[\"state\"],"
      "\"summary\":\"vendor\",\"source\":\"Vendor X\",\"protect_source\":true}",
      "{\"refs\":[\"indicator--" X "12\"],\"reliability\":\"B\","
      "\"credibility\":2,\"category\":\"malware\",\"summary\":\"amber\"}",
      "{\"refs\":[\"observed-data--" X "21\"],\"reliability\":\"B\","
      "\"credibility\":2,\"category\":\"infrastructure\",\"summary\":\"od\"}"};
  for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {
    json_t *e = json_loads(ev[i], 0, NULL);
    char note[ACC_ID_MAX];
    w->ctx.now_us += 1000;
    assert_int_equal(acc_case_add_evidence(&w->ctx, w->case_id, e, note, &d),
                     ACC_OK);
    json_decref(e);
  }
  assert_int_equal(acc_key_generate(f->dir, "CERT-A", 0, NULL, &d), ACC_OK);
}

static void free_world(world *w) {
  acc_audit_close(w->audit);
}

static int verify(acc_pack *p, const unsigned char *pin) {
  acc_pack_report rep;
  acc_diag d;
  return acc_pack_verify_files(p->files, p->n_files, pin, &rep, &d) == ACC_OK;
}

static acc_pack_file *file(acc_pack *p, const char *name) {
  for (size_t i = 0; i < p->n_files; i++)
    if (!strcmp(p->files[i].name, name))
      return &p->files[i];
  return NULL;
}

/* Re-hash and re-sign a tampered pack with the organisation's own key. */
static void resign(acc_pack *p, const char *dir) {
  acc_org_key k;
  acc_diag d;
  assert_int_equal(acc_key_load(dir, "CERT-A", &k, &d), ACC_OK);
  acc_buf m;
  acc_buf_init(&m, 0);
  for (size_t i = 0; i < p->n_files; i++) {
    if (!strncmp(p->files[i].name, "MANIFEST", 8))
      continue;
    unsigned char h[32];
    char hx[65];
    crypto_hash_sha256(h, p->files[i].data, p->files[i].len);
    sodium_bin2hex(hx, sizeof hx, h, 32);
    acc_buf_printf(&m, "%s  %s\n", hx, p->files[i].name);
  }
  unsigned char sig[64];
  assert_int_equal(acc_key_sign(&k, m.data, m.len, sig, &d), ACC_OK);
  acc_pack_file *mf = file(p, "MANIFEST"), *sf = file(p, "MANIFEST.sig");
  free(mf->data);
  mf->data = (unsigned char *)m.data;
  mf->len = m.len;
  free(sf->data);
  sf->data = malloc(100);
  sodium_bin2base64((char *)sf->data, 100, sig, 64,
                    sodium_base64_VARIANT_ORIGINAL);
  sf->len = strlen((char *)sf->data);
  sf->data[sf->len++] = '\n';
  acc_key_wipe(&k);
}

/* Replace the bundle's text: s/from/to/ once. */
static void bundle_edit(acc_pack *p, const char *from, const char *to) {
  acc_pack_file *b = file(p, "bundle.json");
  char *at = memmem(b->data, b->len, from, strlen(from));
  assert_non_null(at);
  size_t off = (size_t)((unsigned char *)at - b->data);
  size_t nl = b->len - strlen(from) + strlen(to);
  unsigned char *n = malloc(nl);
  memcpy(n, b->data, off);
  memcpy(n + off, to, strlen(to));
  memcpy(n + off + strlen(to), b->data + off + strlen(from),
         b->len - off - strlen(from));
  free(b->data);
  b->data = n;
  b->len = nl;
}

#define M_CLEAR "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define M_AMBER "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"

static void test_pack(void **state) {
  fx *f = *state;
  world w;
  make_world(&w, f);
  acc_diag d;
  acc_pack p, q;
  acc_pack_opts o = {.release = ACC_TLP_CLEAR};
  assert_int_equal(acc_pack_build(&w.ctx, w.case_id, &o, &p, &d), ACC_OK);
  assert_int_equal(p.exhibits, 3);
  assert_int_equal(p.withheld, 1);
  assert_int_equal(acc_pack_build(&w.ctx, w.case_id, &o, &q, &d), ACC_OK);
  assert_int_equal(p.n_files, q.n_files);
  for (size_t i = 0; i < p.n_files; i++) {
    assert_string_equal(p.files[i].name, q.files[i].name);
    assert_int_equal(p.files[i].len, q.files[i].len);
    assert_memory_equal(p.files[i].data, q.files[i].data, p.files[i].len);
  }
  acc_org_key k;
  assert_int_equal(acc_key_load(f->dir, "CERT-A", &k, &d), ACC_OK);
  assert_true(verify(&p, k.pk));
  assert_true(verify(&p, NULL));
  acc_pack_report rep;
  assert_int_equal(acc_pack_verify_files(p.files, p.n_files, k.pk, &rep, &d),
                   ACC_OK);
  assert_true(rep.pinned);
  assert_int_equal(rep.release, ACC_TLP_CLEAR);
  assert_string_equal(rep.signer, "CERT-A");
  assert_null(memmem(file(&p, "bundle.json")->data,
                     file(&p, "bundle.json")->len, "indicator--" X "12",
                     strlen("indicator--" X "12")));
  assert_null(memmem(file(&p, "statement.html")->data,
                     file(&p, "statement.html")->len, "Vendor X", 8));
  /* A wrong key. */
  unsigned char other[32];
  memcpy(other, k.pk, 32);
  other[0] ^= 1;
  assert_false(verify(&p, other));
  /* Every byte of the small files, a sample of the large ones. */
  static const struct {
    const char *name;
    size_t step;
  } files[] = {{"MANIFEST", 1},
               {"MANIFEST.sig", 1},
               {"pack.json", 1},
               {"statement.html", 13},
               {"bundle.json", 97}};
  for (size_t fi = 0; fi < sizeof files / sizeof files[0]; fi++) {
    acc_pack_file *pf = file(&q, files[fi].name);
    assert_non_null(pf);
    for (size_t i = 0; i < pf->len; i += files[fi].step) {
      pf->data[i] ^= 0x20;
      if (verify(&q, k.pk))
        fail_msg("%s: byte %zu changed and the pack still verifies",
                 files[fi].name, i);
      pf->data[i] ^= 0x20;
    }
  }
  assert_true(verify(&q, k.pk));
  /* A file removed, a file added. */
  q.n_files--;
  assert_false(verify(&q, k.pk));
  q.n_files++;
  assert_true(verify(&q, k.pk));
  acc_pack_free(&q);

  /* Re-signed by the right key, with content above the level inside:
   * the verifier reads the bundle and refuses it. */
  assert_int_equal(acc_pack_build(&w.ctx, w.case_id, &o, &q, &d), ACC_OK);
  bundle_edit(&q, "\"object_marking_refs\":[\"" M_CLEAR,
              "\"object_marking_refs\":[\"" M_AMBER);
  resign(&q, f->dir);
  assert_int_equal(acc_pack_verify_files(q.files, q.n_files, k.pk, &rep, &d),
                   ACC_EINVAL);
  assert_non_null(strstr(d.msg, "above the pack's release level"));
  acc_pack_free(&q);
  assert_int_equal(acc_pack_build(&w.ctx, w.case_id, &o, &q, &d), ACC_OK);
  bundle_edit(&q, "\"object_marking_refs\":[\"" M_CLEAR "\"]", "\"x_a\":1");
  resign(&q, f->dir);
  assert_int_equal(acc_pack_verify_files(q.files, q.n_files, k.pk, &rep, &d),
                   ACC_EINVAL);
  assert_non_null(strstr(d.msg, "no TLP marking"));
  acc_pack_free(&q);
  /* The same, but the signature left alone: the digest gives it away. */
  assert_int_equal(acc_pack_build(&w.ctx, w.case_id, &o, &q, &d), ACC_OK);
  bundle_edit(&q, M_CLEAR, M_AMBER);
  assert_int_equal(acc_pack_verify_files(q.files, q.n_files, k.pk, &rep, &d),
                   ACC_EINVAL);
  assert_non_null(strstr(d.msg, "SHA-256 differs"));
  acc_pack_free(&q);
  /* A GREEN pack renamed CLEAR in pack.json and re-signed: the bundle
   * holds GREEN objects, so it fails; without GREEN content it would be a
   * true CLEAR pack, which is fine. */
  o.release = ACC_TLP_GREEN;
  assert_int_equal(acc_pack_build(&w.ctx, w.case_id, &o, &q, &d), ACC_OK);
  acc_pack_file *pj = file(&q, "pack.json");
  char *at = memmem(pj->data, pj->len, "\"GREEN\"", 7);
  assert_non_null(at);
  memcpy(at, "\"CLEAR\"", 7);
  resign(&q, f->dir);
  assert_int_equal(acc_pack_verify_files(q.files, q.n_files, k.pk, &rep, &d),
                   ACC_EINVAL);
  acc_pack_free(&q);
  /* The tar archive is deterministic too. */
  acc_buf t1, t2;
  acc_buf_init(&t1, 0);
  acc_buf_init(&t2, 0);
  assert_int_equal(acc_pack_tar(&p, "case-x", &t1, &d), ACC_OK);
  assert_int_equal(acc_pack_tar(&p, "case-x", &t2, &d), ACC_OK);
  assert_int_equal(t1.len, t2.len);
  assert_int_equal(t1.len % 512, 0);
  assert_memory_equal(t1.data, t2.data, t1.len);
  acc_buf_free(&t1);
  acc_buf_free(&t2);
  acc_key_wipe(&k);
  acc_pack_free(&p);
  free_world(&w);
}

int main(void) {
  if (sodium_init() < 0)
    return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_vocab),
      cmocka_unit_test(test_ceiling),
      cmocka_unit_test(test_rules),
      cmocka_unit_test(test_spec),
      cmocka_unit_test(test_manifest),
      cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pack, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
