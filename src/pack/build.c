/*
 * build.c — building an evidence pack from a case.
 *
 * The case is loaded for the principal through the enforcement point
 * (acc_case_load), so nothing the principal may not read can get in.  Then
 * the release level narrows it further: an evidence item becomes an
 * exhibit only when its note and every object it rests on have an
 * effective TLP at or below the level (parts under granular markings above
 * it are removed, or the object is withheld when they cannot be); the
 * rest is counted, never included.  Sources that asked for protection
 * appear as pseudonyms (a keyed BLAKE2b of their name under the instance
 * secret), in texts and in references alike.  Everything the builder
 * writes is canonical JSON (RFC 8785) with objects sorted by id, dates
 * taken from the case, never from the clock: the same case and keys give
 * the same bytes.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case/keys.h"
#include "pack/pack_int.h"
#include "stix/stix.h"
#include "util/time.h"

#define BIT(t) (1u << (unsigned)(t))
#define CLEAR_REF "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define FIXED_DATE "2026-12-01T00:00:00.000Z"

typedef struct builder {
  const acc_case_ctx *ctx;
  acc_case *c;
  acc_tlp release;
  unsigned levels;
  unsigned char secret[32];
  /* names shown as pseudonyms, and identity ids to replace */
  json_t *protected_names; /* name -> pseudonym label */
  json_t *protected_ids;   /* identity id -> pseudonym identity id */
  json_t *objs;            /* id -> object, for the bundle */
  char signer_identity[ACC_ID_MAX];
  char ts[ACC_TIME_BUFSZ]; /* the case's modified, for what we generate */
  pk_release rel;
  acc_diag *d;
} builder;

static void hex(const unsigned char *b, size_t n, char *out) {
  static const char h[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = h[b[i] >> 4];
    out[2 * i + 1] = h[b[i] & 15];
  }
  out[2 * n] = '\0';
}

/* The pseudonym of a protected source: label and identity id. */
static acc_rc pseudonym(builder *b, const char *name, char label[64],
                        char id[ACC_ID_MAX]) {
  unsigned char h[16];
  char hx[33], msg[256];
  int n = snprintf(msg, sizeof msg, "protected-source|%s", name);
  crypto_generichash(h, sizeof h, (const unsigned char *)msg, (size_t)n,
                     b->secret, sizeof b->secret);
  hex(h, sizeof h, hx);
  snprintf(label, 64, "Protected source %.8s", hx);
  n = snprintf(msg, sizeof msg, "pseudonym|%s", hx);
  return acc_case_uuid5("identity", msg, (size_t)n, id);
}

static acc_rc put(builder *b, json_t *o) {
  const char *id = json_string_value(json_object_get(o, "id"));
  if (!id) {
    json_decref(o);
    return acc_diag_set(b->d, ACC_EINVAL, "an object without id");
  }
  return json_object_set_new(b->objs, id, o) ? ACC_ENOMEM : ACC_OK;
}

/* Fixed-content identity of an organisation (or pseudonym). */
static json_t *identity(const char *id, const char *name, const char *cls,
                        const char *desc) {
  return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[s],s:s*}", "type",
                   "identity", "spec_version", "2.1", "id", id, "created",
                   FIXED_DATE, "modified", FIXED_DATE, "name", name,
                   "identity_class", cls, "object_marking_refs", CLEAR_REF,
                   "description", desc);
}

/* Replace references to protected identities, everywhere in v. */
static void pseudonymise(builder *b, json_t *v) {
  if (json_is_object(v)) {
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x) {
      size_t kl = strlen(k);
      int ref = (kl > 4 && !strcmp(k + kl - 4, "_ref")) ||
                (kl > 5 && !strcmp(k + kl - 5, "_refs"));
      if (ref && json_is_string(x)) {
        json_t *p = json_object_get(b->protected_ids, json_string_value(x));
        if (p)
          json_object_set(v, k, p);
      } else if (ref && json_is_array(x)) {
        size_t i;
        json_t *e;
        json_array_foreach(x, i, e) {
          json_t *p = json_object_get(b->protected_ids, json_string_value(e));
          if (p)
            json_array_set(x, i, p);
        }
      } else {
        pseudonymise(b, x);
      }
    }
  } else if (json_is_array(v)) {
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
      pseudonymise(b, e);
    }
  }
}

/* A stored object as it may be released at this level, or NULL (with
 * why in d) when it may not. */
static json_t *releasable(builder *b, const acc_case_obj *o, acc_diag *d) {
  if (!o->visible) {
    acc_diag_set(d, ACC_EINVAL, "%s is not visible to the builder", o->id);
    return NULL;
  }
  if (o->tlp > b->release) {
    acc_diag_set(d, ACC_EINVAL, "%s is TLP:%s", o->id, acc_tlp_name(o->tlp));
    return NULL;
  }
  json_t *j = NULL;
  if (o->granular_tlp > (int)b->release) {
    if (acc_policy_redact(o->json, b->levels, &j) != ACC_OK) {
      acc_diag_set(d, ACC_EINVAL,
                   "%s has parts marked above TLP:%s that cannot be removed",
                   o->id, acc_tlp_name(b->release));
      return NULL;
    }
  } else {
    j = json_deep_copy(o->json);
  }
  if (!j)
    return NULL;
  json_t *exts = json_object_get(j, "extensions");
  if (exts) {
    json_object_del(exts, ACC_EXT_SHARING);
    if (!json_object_size(exts))
      json_object_del(j, "extensions");
  }
  /* Every released object says its level itself. */
  json_t *refs = json_object_get(j, "object_marking_refs");
  int has_tlp = 0;
  size_t i;
  json_t *e;
  json_array_foreach(refs, i, e) {
    has_tlp |= acc_tlp_of_marking(json_string_value(e)) != ACC_TLP_NONE;
  }
  if (!has_tlp) {
    if (!json_is_array(refs)) {
      refs = json_array();
      json_object_set_new(j, "object_marking_refs", refs);
    }
    json_array_append_new(refs, json_string(acc_tlp_marking_id(o->tlp)));
  }
  pseudonymise(b, j);
  return j;
}

static acc_rc setup_protection(builder *b) {
  const acc_case *c = b->c;
  for (size_t i = 0; i < c->n_ev; i++) {
    const acc_case_evidence *e = &c->ev[i];
    if (!e->protect_source)
      continue;
    for (size_t k = 0; k < e->n_sources; k++) {
      const char *s = e->sources[k];
      /* the releasing organisation is named as such anyway */
      if (json_object_get(b->protected_names, s) || !strcmp(s, c->owner_org))
        continue;
      char label[64], pid[ACC_ID_MAX], oid[ACC_ID_MAX];
      acc_rc rc = pseudonym(b, s, label, pid);
      if (rc)
        return rc;
      json_object_set_new(b->protected_names, s, json_string(label));
      /* the identities that stand for it: its registered identity and
       * the one Accord derives from its name */
      if (acc_case_org_identity(b->ctx->st, s, oid, NULL) == ACC_OK)
        json_object_set_new(b->protected_ids, oid, json_string(pid));
      char name[300], did[ACC_ID_MAX];
      int n = snprintf(name, sizeof name, "organisation|%s", s);
      if (acc_case_uuid5("identity", name, (size_t)n, did) == ACC_OK)
        json_object_set_new(b->protected_ids, did, json_string(pid));
      if ((rc = put(b, identity(pid, label, "unknown",
                                "A source that asked not to be named; the "
                                "same source has the same pseudonym in "
                                "every pack of this instance."))))
        return rc;
    }
  }
  return ACC_OK;
}

static char *label_sources(builder *b, const acc_case_evidence *e) {
  acc_buf s;
  acc_buf_init(&s, 4096);
  for (size_t k = 0; k < e->n_sources; k++) {
    json_t *p = json_object_get(b->protected_names, e->sources[k]);
    acc_buf_printf(&s, "%s%s", k ? ", " : "",
                   p ? json_string_value(p) : e->sources[k]);
  }
  char *r = strdup(acc_buf_cstr(&s));
  acc_buf_free(&s);
  return r;
}

static const char *released_name(builder *b, const char *name) {
  json_t *p = json_object_get(b->protected_names, name);
  return p ? json_string_value(p) : name;
}

/* Caveats as released: nothing of a withheld item but that it exists. */
static acc_rc release_caveats(builder *b) {
  const acc_case *c = b->c;
  pk_release *r = &b->rel;
  r->caveats = json_array();
  for (size_t i = 0; i < c->n_cav; i++) {
    const acc_case_caveat *k = &c->cav[i];
    char t[1200];
    const char *link = k->link ? acc_case_link_name(k->link) : NULL;
    size_t shown = 0;
    for (size_t j = 0; j < k->n_ev; j++)
      shown += r->exhibit[k->ev[j]] != 0;
    switch (k->kind) {
    case ACC_CAVEAT_ANONYMISER: {
      size_t x = k->n_ev ? r->exhibit[k->ev[0]] : 0;
      if (x)
        snprintf(t, sizeof t,
                 "Exhibit %zu rests on an address known as an anonymiser or "
                 "relay at the time of the activity: %s. The activity may "
                 "have been routed through it by anyone.",
                 x, k->detail ? k->detail : "");
      else
        snprintf(t, sizeof t,
                 "A withheld evidence item rests on an address known as an "
                 "anonymiser or relay at the time of the activity.");
      break;
    }
    case ACC_CAVEAT_SINGLE_SOURCE:
      if (link)
        snprintf(t, sizeof t, "The %s link rests on a single source (%s).",
                 link, released_name(b, k->detail ? k->detail : ""));
      else
        snprintf(t, sizeof t,
                 "All %zu evidence items (%zu released as exhibits) come from "
                 "a single source (%s): nothing corroborates it "
                 "independently.",
                 k->n_ev, shown, released_name(b, k->detail ? k->detail : ""));
      break;
    case ACC_CAVEAT_NON_RELEASABLE:
      if (link)
        snprintf(t, sizeof t,
                 "The %s link rests only on material that cannot be released "
                 "at TLP:CLEAR or TLP:GREEN.",
                 link);
      else
        snprintf(t, sizeof t,
                 "None of the evidence can be released at TLP:CLEAR or "
                 "TLP:GREEN.");
      break;
    case ACC_CAVEAT_OVERSTATED: {
      const acc_likelihood *cl = acc_case_likelihood_find("icd203", k->detail);
      snprintf(t, sizeof t,
               "The stated likelihood (%s) is higher than the graded "
               "evidence of the %s link supports (at most %s, %s).",
               c->likelihood ? c->likelihood->label : "?", link ? link : "",
               cl ? cl->label : "?", cl ? cl->range : "?");
      break;
    }
    case ACC_CAVEAT_UNSUPPORTED:
      snprintf(t, sizeof t, "The %s link of the claim rests on no evidence.",
               link ? link : "");
      break;
    }
    json_array_append_new(r->caveats, json_string(t));
  }
  return ACC_OK;
}

static json_t *ts_json(builder *b) {
  return json_string(b->ts);
}

static acc_rc gen_id(const char *type, const char *a, const char *bb,
                     const char *c2, char out[ACC_ID_MAX]) {
  char name[3 * ACC_ID_MAX + 64];
  int n = snprintf(name, sizeof name, "pack|%s|%s|%s|%s", type, a, bb, c2);
  return acc_case_uuid5(type, name, (size_t)n, out);
}

static acc_rc claim_objects(builder *b) {
  static const char *const parts[] = {"operation", "actor", "state"};
  for (int i = 0; i < 3; i++) {
    acc_diag why;
    const acc_case_obj *o = &b->c->objs[b->c->claim[i]];
    json_t *j = releasable(b, o, &why);
    if (!j)
      return acc_diag_set(
          b->d, ACC_EINVAL,
          "the claim's %s cannot be named in a TLP:%s pack: %s (its "
          "producer can publish a version marked at or below TLP:%s)",
          parts[i], acc_tlp_name(b->release), why.msg,
          acc_tlp_name(b->release));
    acc_rc rc = put(b, j);
    if (rc)
      return rc;
  }
  return ACC_OK;
}

static acc_rc exhibits(builder *b) {
  acc_case *c = b->c;
  pk_release *r = &b->rel;
  r->exhibit = calloc(c->n_ev + 1, sizeof *r->exhibit);
  r->source_label = calloc(c->n_ev + 1, sizeof *r->source_label);
  if (!r->exhibit || !r->source_label)
    return ACC_ENOMEM;
  json_t *pending = json_array();
  acc_rc rc = ACC_OK;
  for (size_t i = 0; i < c->n_ev && !rc; i++) {
    acc_case_evidence *e = &c->ev[i];
    if (!(r->source_label[i] = label_sources(b, e))) {
      rc = ACC_ENOMEM;
      break;
    }
    if (e->tlp > b->release)
      continue;
    json_array_clear(pending);
    int ok = 1;
    for (size_t k = 0; k < e->n_refs && ok; k++) {
      const acc_case_obj *o = &c->objs[e->refs[k]];
      acc_diag why;
      json_t *j = releasable(b, o, &why);
      if (!j) {
        ok = 0;
        break;
      }
      json_array_append_new(pending, j);
      /* what observed-data or traffic refers to, when releasable */
      for (size_t s = 0; s < o->n_sub; s++) {
        json_t *sj = releasable(b, &c->objs[o->sub[s]], &why);
        if (sj)
          json_array_append_new(pending, sj);
      }
    }
    if (!ok)
      continue;
    r->exhibit[i] = ++r->n_exhibits;
    size_t k;
    json_t *j;
    json_array_foreach(pending, k, j) {
      const char *id = json_string_value(json_object_get(j, "id"));
      /* an exhibit that is itself a protected source's identity is
       * replaced by the pseudonym already in the bundle */
      if (json_object_get(b->protected_ids, id))
        continue;
      if ((rc = put(b, json_incref(j))))
        break;
    }
  }
  json_decref(pending);
  r->withheld = c->n_ev - r->n_exhibits + c->ev_hidden;
  return rc;
}

static json_t *supports_json(unsigned s) {
  json_t *a = json_array();
  if (s & ACC_SUP_ACTOR)
    json_array_append_new(a, json_string("actor"));
  if (s & ACC_SUP_STATE)
    json_array_append_new(a, json_string("state"));
  if (s & ACC_SUP_ACTIVITY)
    json_array_append_new(a, json_string("activity"));
  return a;
}

/* One exhibit note per released evidence item. */
static acc_rc exhibit_notes(builder *b) {
  acc_case *c = b->c;
  for (size_t i = 0; i < c->n_ev; i++) {
    size_t x = b->rel.exhibit[i];
    if (!x)
      continue;
    acc_case_evidence *e = &c->ev[i];
    char id[ACC_ID_MAX], label[32], grade[8];
    acc_rc rc = gen_id("note", c->id, acc_tlp_name(b->release), e->id, id);
    if (rc)
      return rc;
    snprintf(label, sizeof label, "Exhibit %zu", x);
    snprintf(grade, sizeof grade, "%c%d", e->reliability, e->credibility);
    json_t *refs = json_array();
    for (size_t k = 0; k < e->n_refs; k++) {
      const char *rid = c->objs[e->refs[k]].id;
      json_t *p = json_object_get(b->protected_ids, rid);
      json_array_append_new(refs, p ? json_incref(p) : json_string(rid));
    }
    char abstract[160];
    snprintf(abstract, sizeof abstract, "%s: %s, graded %s", label, e->category,
             grade);
    json_t *n =
        json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:o,s:[s]}", "type", "note",
                  "spec_version", "2.1", "id", id, "created", ts_json(b),
                  "modified", ts_json(b), "created_by_ref", b->signer_identity,
                  "abstract", abstract, "content", e->summary, "object_refs",
                  refs, "object_marking_refs", acc_tlp_marking_id(b->release));
    if (!n)
      return ACC_ENOMEM;
    int conf = acc_case_credibility_stix(e->credibility);
    if (conf >= 0)
      json_object_set_new(n, "confidence", json_integer(conf));
    json_t *ext = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:o,s:s}", "extension_type",
        "property-extension", "kind", "exhibit", "exhibit", label,
        "evidence_ref", e->id, "reliability", (char[]){e->reliability, 0},
        "credibility", e->credibility, "category", e->category, "supports",
        supports_json(e->supports), "source", b->rel.source_label[i]);
    json_object_set_new(n, "extensions", json_pack("{s:o}", ACC_EXT_CASE, ext));
    if ((rc = put(b, n)))
      return rc;
  }
  return ACC_OK;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of an object, sorted, as a JSON array of strings. */
static json_t *sorted_ids(json_t *map) {
  size_t n = json_object_size(map), i = 0;
  const char **ids = calloc(n + 1, sizeof *ids);
  json_t *a = json_array();
  if (!ids || !a) {
    free(ids);
    json_decref(a);
    return NULL;
  }
  const char *k;
  json_t *v;
  json_object_foreach(map, k, v) {
    (void)v;
    ids[i++] = k;
  }
  qsort(ids, n, sizeof *ids, cmp_str);
  for (i = 0; i < n; i++)
    json_array_append_new(a, json_string(ids[i]));
  free(ids);
  return a;
}

static acc_rc claim_and_report(builder *b) {
  acc_case *c = b->c;
  const char *lvl = acc_tlp_name(b->release);
  const char *ends[2][2] = {{c->objs[c->claim[0]].id, c->objs[c->claim[1]].id},
                            {c->objs[c->claim[1]].id, c->objs[c->claim[2]].id}};
  char rel_id[2][ACC_ID_MAX];
  int conf = c->likelihood ? c->likelihood->stix : 50;
  for (int l = 0; l < 2; l++) {
    acc_rc rc =
        gen_id("relationship", c->id, lvl, l ? "state" : "actor", rel_id[l]);
    if (rc)
      return rc;
    json_t *ex = json_array();
    for (size_t i = 0; i < c->n_ev; i++)
      if (b->rel.exhibit[i] &&
          (c->ev[i].supports & (l ? ACC_SUP_STATE : ACC_SUP_ACTOR))) {
        char lab[32];
        snprintf(lab, sizeof lab, "Exhibit %zu", b->rel.exhibit[i]);
        json_array_append_new(ex, json_string(lab));
      }
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:s,s:i,s:[s]}", "type",
        "relationship", "spec_version", "2.1", "id", rel_id[l], "created",
        ts_json(b), "modified", ts_json(b), "created_by_ref",
        b->signer_identity, "relationship_type", "attributed-to", "source_ref",
        ends[l][0], "target_ref", ends[l][1], "confidence", conf,
        "object_marking_refs", acc_tlp_marking_id(b->release));
    json_object_set_new(
        o, "extensions",
        json_pack("{s:{s:s,s:s,s:s,s:s,s:o}}", ACC_EXT_CASE, "extension_type",
                  "property-extension", "kind", "claim-link", "case_ref", c->id,
                  "link", l ? "state" : "actor", "exhibits", ex));
    acc_rc rc2 = put(b, o);
    if (rc2)
      return rc2;
  }
  /* The release report: the case's assessment as released. */
  char rid[ACC_ID_MAX];
  acc_rc rc = gen_id("report", c->id, lvl, "release", rid);
  if (rc)
    return rc;
  json_t *ext =
      json_pack("{s:s,s:s,s:s,s:s}", "extension_type", "property-extension",
                "kind", "attribution-case", "case_ref", c->id, "release", lvl);
  json_object_set_new(ext, "claim",
                      json_pack("{s:s,s:s,s:s}", "operation_ref", ends[0][0],
                                "actor_ref", ends[0][1], "state_ref",
                                ends[1][1]));
  static const char *const copy[] = {"likelihood",  "analytic_confidence",
                                     "norms",       "nis2_sectors",
                                     "eu_2019_796", "measures"};
  for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++) {
    json_t *v = json_object_get(c->ext, copy[i]);
    if (v)
      json_object_set_new(ext, copy[i], json_deep_copy(v));
  }
  json_object_set_new(ext, "owner_org", json_string(c->owner_org));
  json_object_set_new(
      ext, "endorsement",
      json_pack("{s:s,s:i,s:i,s:O,s:b}", "rule",
                c->rule.quorum ? "quorum" : "unanimity", "partners_named",
                (int)c->rule.n_partners, "concurred", (int)c->rule.concur,
                "jointly_with", b->rel.jointly, "rule_met", c->rule.met));
  json_object_set_new(ext, "caveats", json_incref(b->rel.caveats));
  json_object_set_new(ext, "exhibits",
                      json_integer((json_int_t)b->rel.n_exhibits));
  json_object_set_new(ext, "withheld",
                      json_integer((json_int_t)b->rel.withheld));
  json_object_set_new(ext, "draft", json_boolean(b->rel.draft));
  json_t *refs = sorted_ids(b->objs);
  if (!refs) {
    json_decref(ext);
    return ACC_ENOMEM;
  }
  json_t *rep = json_pack(
      "{s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:[s],s:o,s:o,s:i,s:[s]}", "type",
      "report", "spec_version", "2.1", "id", rid, "created", ts_json(b),
      "modified", ts_json(b), "created_by_ref", b->signer_identity, "name",
      c->title, "description", c->description[0] ? c->description : c->title,
      "report_types", "threat-report", "published", ts_json(b), "object_refs",
      refs, "confidence", conf, "object_marking_refs",
      acc_tlp_marking_id(b->release));
  if (!rep) {
    json_decref(ext);
    return ACC_ENOMEM;
  }
  json_object_set_new(rep, "extensions", json_pack("{s:o}", ACC_EXT_CASE, ext));
  return put(b, rep);
}

/* ---- files ---- */

static acc_rc add_file(acc_pack *p, const char *name, unsigned char *data,
                       size_t len) {
  if (p->n_files == ACC_PACK_MAX_FILES) {
    free(data);
    return ACC_ENOMEM;
  }
  acc_pack_file *f = &p->files[p->n_files++];
  snprintf(f->name, sizeof f->name, "%s", name);
  f->data = data;
  f->len = len;
  return ACC_OK;
}

static acc_rc add_jcs(acc_pack *p, const char *name, json_t *j) {
  acc_buf b;
  acc_buf_init(&b, (size_t)1 << 30);
  acc_rc rc = acc_jcs_dump(j, &b);
  if (!rc)
    rc = acc_buf_putc(&b, '\n');
  if (rc) {
    acc_buf_free(&b);
    return rc;
  }
  return add_file(p, name, (unsigned char *)b.data, b.len);
}

static int cmp_file(const void *a, const void *b) {
  return strcmp(((const acc_pack_file *)a)->name,
                ((const acc_pack_file *)b)->name);
}

static acc_rc sign(acc_pack *p, const acc_org_key *key, acc_diag *d) {
  qsort(p->files, p->n_files, sizeof p->files[0], cmp_file);
  acc_buf m;
  acc_buf_init(&m, 1 << 16);
  acc_rc rc = ACC_OK;
  for (size_t i = 0; i < p->n_files && !rc; i++) {
    unsigned char h[32];
    char hx[65];
    crypto_hash_sha256(h, p->files[i].data, p->files[i].len);
    hex(h, 32, hx);
    rc = acc_buf_printf(&m, "%s  %s\n", hx, p->files[i].name);
  }
  unsigned char sig[ACC_KEY_SIG_BYTES];
  if (!rc)
    rc = acc_key_sign(key, m.data, m.len, sig, d);
  if (rc) {
    acc_buf_free(&m);
    return rc;
  }
  char *s =
      malloc(sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL) + 1);
  if (!s) {
    acc_buf_free(&m);
    return ACC_ENOMEM;
  }
  sodium_bin2base64(
      s, sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL), sig,
      sizeof sig, sodium_base64_VARIANT_ORIGINAL);
  size_t sl = strlen(s);
  s[sl++] = '\n';
  if ((rc = add_file(p, "MANIFEST", (unsigned char *)m.data, m.len)))
    return rc;
  if ((rc = add_file(p, "MANIFEST.sig", (unsigned char *)s, sl)))
    return rc;
  qsort(p->files, p->n_files, sizeof p->files[0], cmp_file);
  return ACC_OK;
}

/* The signer's registered identity, when the builder may read it and it
 * may be released. */
typedef struct ident_cb {
  builder *b;
  json_t *j;
} ident_cb;

static int on_ident(void *ctx, const acc_record *r) {
  ident_cb *x = ctx;
  acc_case_obj o = {0};
  o.id = (char *)r->id;
  o.visible = 1;
  o.tlp = acc_case_effective_tlp(x->b->ctx->st, r, NULL, NULL);
  o.granular_tlp = r->granular_tlp;
  o.json = json_loadb(r->raw, r->raw_len, 0, NULL);
  if (o.json && !x->j)
    x->j = releasable(x->b, &o, NULL);
  json_decref(o.json);
  return 0;
}

static acc_rc signer_identity(builder *b) {
  const char *org = b->c->owner_org;
  acc_rc rc = acc_case_org_identity(b->ctx->st, org, b->signer_identity, b->d);
  if (rc)
    return rc;
  char name[300], did[ACC_ID_MAX];
  int n = snprintf(name, sizeof name, "organisation|%s", org);
  if ((rc = acc_case_uuid5("identity", name, (size_t)n, did)))
    return rc;
  if (!strcmp(did, b->signer_identity))
    return put(b, identity(did, org, "organization", NULL));
  ident_cb x = {.b = b};
  acc_guard_get(b->ctx->st, b->ctx->rd, 0, b->signer_identity, ACC_TIME_NONE,
                on_ident, &x, NULL);
  return x.j ? put(b, x.j) : ACC_OK;
}

static acc_rc accord_objects(builder *b) {
  json_t *a = json_loads(acc_case_extension_objects(), 0, NULL);
  size_t i;
  json_t *o;
  acc_rc rc = a ? ACC_OK : ACC_ENOMEM;
  json_array_foreach(a, i, o) {
    if (!rc)
      rc = put(b, json_incref(o));
  }
  json_decref(a);
  return rc;
}

static acc_rc checks(builder *b, const acc_pack_opts *o) {
  acc_case *c = b->c;
  if (o->draft)
    return ACC_OK;
  if (!b->rel.n_exhibits)
    return acc_diag_set(b->d, ACC_EINVAL,
                        "no evidence of %s can be released at TLP:%s (%zu "
                        "item%s withheld): a statement would rest on nothing "
                        "(--draft builds it anyway, marked as a draft)",
                        c->id, acc_tlp_name(b->release), b->rel.withheld,
                        b->rel.withheld == 1 ? "" : "s");
  for (int l = 0; l < 2; l++) {
    unsigned link = l ? ACC_SUP_STATE : ACC_SUP_ACTOR;
    size_t n = 0;
    for (size_t i = 0; i < c->n_ev; i++)
      n += b->rel.exhibit[i] && (c->ev[i].supports & link);
    if (!n)
      return acc_diag_set(b->d, ACC_EINVAL,
                          "the %s link of %s has no exhibit releasable at "
                          "TLP:%s: every claim of the statement must trace to "
                          "releasable evidence (--draft builds it anyway)",
                          acc_case_link_name(link), c->id,
                          acc_tlp_name(b->release));
  }
  json_t *eu = json_object_get(c->ext, "eu_2019_796");
  int activity_claimed =
      json_array_size(json_object_get(c->ext, "norms")) ||
      json_array_size(json_object_get(c->ext, "nis2_sectors")) ||
      json_array_size(json_object_get(eu, "actions")) ||
      json_array_size(json_object_get(eu, "targets")) ||
      json_array_size(json_object_get(eu, "effect_factors"));
  size_t activity = 0;
  for (size_t i = 0; i < c->n_ev; i++)
    activity += b->rel.exhibit[i] && (c->ev[i].supports & ACC_SUP_ACTIVITY);
  if (activity_claimed && !activity)
    return acc_diag_set(b->d, ACC_EINVAL,
                        "%s names norms, sectors or sanctions criteria, but "
                        "no exhibit releasable at TLP:%s shows the activity "
                        "(evidence with supports 'activity'); --draft builds "
                        "it anyway",
                        c->id, acc_tlp_name(b->release));
  if (!c->rule.met)
    return acc_diag_set(b->d, ACC_EINVAL,
                        "the endorsement rule of %s is not met (%zu concur, "
                        "%zu dissent, %zu abstain, %zu not answered; %s): "
                        "--draft builds the pack anyway, marked as a draft",
                        c->id, c->rule.concur, c->rule.dissent, c->rule.abstain,
                        c->rule.pending,
                        c->rule.quorum ? "quorum" : "unanimity");
  return ACC_OK;
}

static acc_rc pack_json(builder *b, const acc_org_key *key, acc_pack *p) {
  char pub[ACC_KEY_PUB_TEXT_MAX];
  acc_key_public_text(key->pk, pub);
  json_t *j = json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:b,s:i,s:i,s:i,s:b,s:{s:s,s:s,s:s,s:s}}",
      "accord_pack", "1", "case", b->c->id, "case_modified", b->ts, "title",
      b->c->title, "release", acc_tlp_name(b->release), "draft", b->rel.draft,
      "exhibits", (int)b->rel.n_exhibits, "withheld", (int)b->rel.withheld,
      "objects", (int)json_object_size(b->objs), "rule_met", b->c->rule.met,
      "signer", "organisation", b->c->owner_org, "identity", b->signer_identity,
      "key_id", key->key_id, "public_key", pub);
  if (!j)
    return ACC_ENOMEM;
  acc_rc rc = add_jcs(p, "pack.json", j);
  json_decref(j);
  return rc;
}

acc_rc acc_pack_build(const acc_case_ctx *ctx, const char *id,
                      const acc_pack_opts *o, acc_pack *out, acc_diag *d) {
  if (o->release != ACC_TLP_CLEAR && o->release != ACC_TLP_GREEN)
    return acc_diag_set(d, ACC_EINVAL,
                        "an evidence pack is released at TLP:CLEAR or "
                        "TLP:GREEN, not TLP:%s",
                        acc_tlp_name(o->release));
  builder b = {.ctx = ctx, .release = o->release, .d = d};
  for (int t = ACC_TLP_CLEAR; t <= (int)o->release; t++)
    b.levels |= BIT(t);
  acc_pack p = {0};
  acc_org_key key = {0};
  acc_rc rc = acc_case_load(ctx, id, &b.c, d);
  if (rc)
    return rc;
  acc_case *c = b.c;
  const acc_principal *who = ctx->rd->who;
  if (who->uid != -1 && who->oid != c->owner_oid) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "only %s, whose case it is, releases its evidence pack "
                      "(you act for %s)",
                      c->owner_org[0] ? c->owner_org : "the instance",
                      who->org[0] ? who->org : "no organisation");
    goto out;
  }
  if (!c->owner_org[0]) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "%s belongs to no organisation, so no key can sign its "
                      "pack",
                      c->id);
    goto out;
  }
  if ((rc = acc_key_load(ctx->data_dir, c->owner_org, &key, d)) ||
      (rc = acc_key_instance_secret(ctx->data_dir, b.secret, d)))
    goto out;
  acc_time_format_ms(c->modified_us, b.ts);
  b.objs = json_object();
  b.protected_names = json_object();
  b.protected_ids = json_object();
  b.rel.c = c;
  b.rel.release = o->release;
  b.rel.draft = o->draft;
  b.rel.signer = c->owner_org;
  b.rel.key_id = key.key_id;
  b.rel.rule_met = c->rule.met;
  b.rel.jointly = json_array();
  for (size_t i = 0; i < c->n_en; i++)
    if (c->en[i].partner && !strcmp(c->en[i].stance, "concur"))
      json_array_append_new(b.rel.jointly, json_string(c->en[i].org));
  if ((rc = accord_objects(&b)) || (rc = signer_identity(&b)) ||
      (rc = setup_protection(&b)) || (rc = claim_objects(&b)) ||
      (rc = exhibits(&b)) || (rc = checks(&b, o)) ||
      (rc = release_caveats(&b)) || (rc = exhibit_notes(&b)) ||
      (rc = claim_and_report(&b)))
    goto out;
  /* bundle.json */
  char bid[ACC_ID_MAX];
  if ((rc = gen_id("bundle", c->id, acc_tlp_name(o->release), b.ts, bid)))
    goto out;
  json_t *ids = sorted_ids(b.objs);
  json_t *arr = json_array();
  size_t i;
  json_t *e;
  json_array_foreach(ids, i, e) {
    json_array_append(arr, json_object_get(b.objs, json_string_value(e)));
  }
  json_decref(ids);
  json_t *bundle =
      json_pack("{s:s,s:s,s:o}", "type", "bundle", "id", bid, "objects", arr);
  rc = bundle ? add_jcs(&p, "bundle.json", bundle) : ACC_ENOMEM;
  json_decref(bundle);
  if (rc)
    goto out;
  /* statement.html (and .pdf) */
  acc_buf html;
  acc_buf_init(&html, (size_t)256 << 20);
  if ((rc = acc_pack_html(&b.rel, &html))) {
    acc_buf_free(&html);
    goto out;
  }
  if (o->pdf) {
    unsigned char *pdf = NULL;
    size_t pdf_len = 0;
    acc_diag pd;
    if (acc_pack_render_pdf(html.data, html.len, c->modified_us, &pdf, &pdf_len,
                            &pd) == ACC_OK &&
        (rc = add_file(&p, "statement.pdf", pdf, pdf_len))) {
      acc_buf_free(&html);
      goto out;
    }
  }
  if ((rc = add_file(&p, "statement.html", (unsigned char *)html.data,
                     html.len)))
    goto out;
  if ((rc = pack_json(&b, &key, &p)) || (rc = sign(&p, &key, d)))
    goto out;
  snprintf(p.case_id, sizeof p.case_id, "%s", c->id);
  p.case_modified_us = c->modified_us;
  p.release = o->release;
  p.exhibits = b.rel.n_exhibits;
  p.withheld = b.rel.withheld;
  p.objects = json_object_size(b.objs);
  snprintf(p.signer, sizeof p.signer, "%s", c->owner_org);
  snprintf(p.key_id, sizeof p.key_id, "%s", key.key_id);
  p.draft = o->draft;
  *out = p;
  memset(&p, 0, sizeof p);
out:
  if (rc == ACC_ENOMEM)
    acc_diag_set(d, rc, "building the pack: out of memory");
  acc_key_wipe(&key);
  sodium_memzero(b.secret, sizeof b.secret);
  acc_pack_free(&p);
  json_decref(b.objs);
  json_decref(b.protected_names);
  json_decref(b.protected_ids);
  json_decref(b.rel.jointly);
  json_decref(b.rel.caveats);
  for (size_t k = 0; b.rel.source_label && k < c->n_ev; k++)
    free(b.rel.source_label[k]);
  free(b.rel.source_label);
  free(b.rel.exhibit);
  acc_case_free(c);
  return rc;
}

void acc_pack_free(acc_pack *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->n_files; i++)
    free(p->files[i].data);
  p->n_files = 0;
}

acc_rc acc_pack_write_dir(const acc_pack *p, const char *dir, acc_diag *d) {
  if (mkdir(dir, 0755) != 0) {
    if (errno != EEXIST)
      return acc_diag_set(d, ACC_EIO, "cannot create %s: %s", dir,
                          strerror(errno));
    /* an existing directory must be empty */
    for (size_t i = 0; i < p->n_files; i++) {
      char path[4200];
      snprintf(path, sizeof path, "%s/%s", dir, p->files[i].name);
      if (access(path, F_OK) == 0)
        return acc_diag_set(d, ACC_EEXIST,
                            "%s already holds a pack (%s): give a new "
                            "directory",
                            dir, p->files[i].name);
    }
  }
  for (size_t i = 0; i < p->n_files; i++) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, p->files[i].name);
    FILE *f = fopen(path, "wbx");
    if (!f)
      return acc_diag_set(d, ACC_EIO, "cannot create %s: %s", path,
                          strerror(errno));
    size_t w = fwrite(p->files[i].data, 1, p->files[i].len, f);
    if (fclose(f) != 0 || w != p->files[i].len)
      return acc_diag_set(d, ACC_EIO, "cannot write %s: %s", path,
                          strerror(errno));
  }
  return ACC_OK;
}
