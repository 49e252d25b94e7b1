/*
 * spec.c — checking what a user asks of a case before anything is read or
 * written: the JSON of POST /api/v1/cases (and of an edit), of an evidence
 * item and of an endorsement.  The CLI builds the same JSON from its flags,
 * so both ways in meet the same checks.  Every refusal names the member
 * ("claim.actor: ...") and says what is expected.  These functions parse
 * outside input and are fuzzed (fuzz/fuzz_case_spec.c).
 */
#include <string.h>

#include "case/case.h"
#include "stix/stix.h"
#include "util/time.h"

#define MAX_TEXT ((size_t)64 << 10)
#define MAX_NAME 512
#define MAX_LIST 64
#define MAX_REFS 256

static acc_rc bad(acc_diag *d, const char *where, const char *what) {
  return acc_diag_set(d, ACC_EINVAL, "%s: %s", where, what);
}

static acc_rc check_text(json_t *v, const char *where, size_t max, int empty_ok,
                         acc_diag *d) {
  if (!json_is_string(v))
    return bad(d, where, "expected a string");
  size_t n = json_string_length(v);
  if (n > max)
    return acc_diag_set(d, ACC_EINVAL, "%s: longer than %zu bytes", where, max);
  if (!empty_ok && n == 0)
    return bad(d, where, "must not be empty");
  if (strlen(json_string_value(v)) != n)
    return bad(d, where, "must not contain NUL characters");
  return ACC_OK;
}

/* A list of keys of vocabulary l, without repeats. */
static acc_rc check_keys(json_t *v, const char *where, acc_vocab_list l,
                         acc_diag *d) {
  if (!json_is_array(v))
    return acc_diag_set(d, ACC_EINVAL, "%s: expected a list of %s", where,
                        acc_case_vocab_name(l));
  if (json_array_size(v) > MAX_LIST)
    return acc_diag_set(d, ACC_EINVAL, "%s: more than %d entries", where,
                        MAX_LIST);
  size_t i;
  json_t *e;
  json_array_foreach(v, i, e) {
    const char *k = json_string_value(e);
    if (!acc_case_vocab_find(l, k)) {
      size_t n;
      const acc_vocab *vv = acc_case_vocab(l, &n);
      char choices[1024] = "";
      size_t off = 0;
      for (size_t j = 0; j < n && off < sizeof choices; j++)
        off += (size_t)snprintf(choices + off, sizeof choices - off, "%s%s",
                                j ? ", " : "", vv[j].key);
      return acc_diag_set(d, ACC_EINVAL, "%s[%zu]: '%s' is not one of: %s",
                          where, i, k ? k : "(not a string)", choices);
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(json_string_value(json_array_get(v, j)), k) == 0)
        return acc_diag_set(d, ACC_EINVAL, "%s[%zu]: '%s' is repeated", where,
                            i, k);
  }
  return ACC_OK;
}

static acc_rc check_tlp(json_t *v, const char *where, int red_ok, acc_diag *d) {
  acc_tlp t;
  if (!json_is_string(v) || acc_tlp_parse(json_string_value(v), &t) != ACC_OK)
    return bad(d, where,
               "expected a TLP level: clear, green, amber, amber+strict");
  if (t == ACC_TLP_RED && !red_ok)
    return bad(d, where,
               "TLP:RED names individuals, not organisations: a case shared "
               "with partners is at most amber+strict");
  return ACC_OK;
}

static acc_rc check_ts(json_t *v, const char *where, acc_diag *d) {
  int64_t us;
  if (!json_is_string(v) ||
      acc_time_parse(json_string_value(v), json_string_length(v), 1, &us))
    return bad(d, where,
               "expected an RFC 3339 UTC timestamp (2024-05-01T00:00:00Z)");
  return ACC_OK;
}

/* Members of o must all be among names. */
static acc_rc only(json_t *o, const char *where, const char *const *names,
                   acc_diag *d) {
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    int ok = 0;
    for (const char *const *n = names; *n && !ok; n++)
      ok = strcmp(*n, k) == 0;
    if (!ok) {
      char all[512] = "";
      size_t off = 0;
      for (const char *const *n = names; *n && off < sizeof all; n++)
        off += (size_t)snprintf(all + off, sizeof all - off, "%s%s",
                                n == names ? "" : ", ", *n);
      return acc_diag_set(d, ACC_EINVAL,
                          "%s%s'%s' is not a known member (known: %s)", where,
                          *where ? ": " : "", k, all);
    }
  }
  return ACC_OK;
}

/* One part of the claim: an id of an allowed type, or a new object. */
static acc_rc check_part(json_t *v, const char *where, const char *const *types,
                         acc_diag *d) {
  char msg[256];
  size_t off = 0;
  for (const char *const *t = types; *t; t++)
    off += (size_t)snprintf(msg + off, sizeof msg - off, "%s%s",
                            t == types ? "" : " or ", *t);
  if (json_is_string(v)) {
    const char *id = json_string_value(v);
    for (const char *const *t = types; *t; t++)
      if (acc_stix_id_valid(id, *t))
        return ACC_OK;
    return acc_diag_set(d, ACC_EINVAL, "%s: '%.100s' is not the id of a %s",
                        where, id, msg);
  }
  if (!json_is_object(v))
    return acc_diag_set(d, ACC_EINVAL,
                        "%s: expected the id of a %s, or {\"type\", \"name\"} "
                        "to create one",
                        where, msg);
  static const char *const members[] = {
      "type", "name", "description", "first_seen", "tlp", "country", NULL};
  acc_rc rc = only(v, where, members, d);
  if (rc)
    return rc;
  char w[128];
  json_t *ty = json_object_get(v, "type");
  int ok = 0;
  for (const char *const *t = types; *t && ty; t++)
    ok |= json_is_string(ty) && strcmp(json_string_value(ty), *t) == 0;
  if (!ok)
    return acc_diag_set(d, ACC_EINVAL, "%s.type: expected %s", where, msg);
  snprintf(w, sizeof w, "%s.name", where);
  if ((rc = check_text(json_object_get(v, "name"), w, MAX_NAME, 0, d)))
    return rc;
  json_t *x;
  snprintf(w, sizeof w, "%s.description", where);
  if ((x = json_object_get(v, "description")) &&
      (rc = check_text(x, w, MAX_TEXT, 1, d)))
    return rc;
  snprintf(w, sizeof w, "%s.first_seen", where);
  if ((x = json_object_get(v, "first_seen")) && (rc = check_ts(x, w, d)))
    return rc;
  snprintf(w, sizeof w, "%s.tlp", where);
  if ((x = json_object_get(v, "tlp")) && (rc = check_tlp(x, w, 0, d)))
    return rc;
  if ((x = json_object_get(v, "country"))) {
    const char *c = json_string_value(x);
    if (!c || strlen(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' ||
        c[1] > 'Z')
      return acc_diag_set(d, ACC_EINVAL,
                          "%s.country: expected an ISO 3166-1 alpha-2 code "
                          "(two capitals)",
                          where);
  }
  return ACC_OK;
}

static const char *const op_types[] = {"campaign", "incident", NULL};
static const char *const actor_types[] = {"intrusion-set", "threat-actor",
                                          NULL};
static const char *const state_types[] = {"identity", "location",
                                          "threat-actor", NULL};

acc_rc acc_case_spec_check(json_t *spec, int edit, acc_diag *d) {
  static const char *const members[] = {"title",
                                        "description",
                                        "claim",
                                        "likelihood",
                                        "analytic_confidence",
                                        "norms",
                                        "nis2_sectors",
                                        "eu_2019_796",
                                        "measures",
                                        "endorsement",
                                        "tlp",
                                        "collection",
                                        NULL};
  if (!json_is_object(spec))
    return bad(d, "case", "expected a JSON object");
  acc_rc rc = only(spec, "", members, d);
  if (rc)
    return rc;
  json_t *v;
  if ((v = json_object_get(spec, "title")) || !edit)
    if ((rc = check_text(v, "title", MAX_NAME, 0, d)))
      return rc;
  if ((v = json_object_get(spec, "description")) &&
      (rc = check_text(v, "description", MAX_TEXT, 1, d)))
    return rc;
  if ((v = json_object_get(spec, "collection")) &&
      (rc = check_text(v, "collection", MAX_NAME, 0, d)))
    return rc;
  /* The claim */
  v = json_object_get(spec, "claim");
  if (!v && !edit)
    return bad(d, "claim", "required: {\"operation\", \"actor\", \"state\"}");
  if (v) {
    static const char *const parts[] = {"operation", "actor", "state", NULL};
    if (!json_is_object(v))
      return bad(d, "claim", "expected {\"operation\", \"actor\", \"state\"}");
    if ((rc = only(v, "claim", parts, d)))
      return rc;
    const char *const *types[] = {op_types, actor_types, state_types};
    for (int i = 0; i < 3; i++) {
      char w[32];
      snprintf(w, sizeof w, "claim.%s", parts[i]);
      json_t *p = json_object_get(v, parts[i]);
      if (!p && edit)
        continue;
      if (!p)
        return acc_diag_set(d, ACC_EINVAL,
                            "%s: required (the id of a %s, or an object to "
                            "create)",
                            w, types[i][0]);
      if ((rc = check_part(p, w, types[i], d)))
        return rc;
    }
  }
  /* Likelihood: "term" (ICD 203) or {"scale", "term"} */
  v = json_object_get(spec, "likelihood");
  if (!v && !edit)
    return bad(d, "likelihood",
               "required: an ICD 203 term (e.g. \"likely\") or {\"scale\": "
               "\"phia\", \"term\": \"highly-likely\"}");
  if (v) {
    const char *scale = "icd203", *term = NULL;
    if (json_is_string(v)) {
      term = json_string_value(v);
    } else if (json_is_object(v)) {
      static const char *const lm[] = {"scale", "term", NULL};
      if ((rc = only(v, "likelihood", lm, d)))
        return rc;
      json_t *s = json_object_get(v, "scale");
      if (s && !json_is_string(s))
        return bad(d, "likelihood.scale", "expected icd203 or phia");
      if (s)
        scale = json_string_value(s);
      if (strcmp(scale, "icd203") && strcmp(scale, "phia"))
        return bad(d, "likelihood.scale", "expected icd203 or phia");
      term = json_string_value(json_object_get(v, "term"));
    } else {
      return bad(d, "likelihood", "expected a term or {\"scale\", \"term\"}");
    }
    if (!acc_case_likelihood_find(scale, term)) {
      char all[512] = "";
      size_t n, off = 0;
      const acc_likelihood *l = acc_case_likelihoods(&n);
      for (size_t i = 0; i < n && off < sizeof all; i++)
        if (!strcmp(l[i].scale, scale))
          off += (size_t)snprintf(all + off, sizeof all - off, "%s%s",
                                  off ? ", " : "", l[i].key);
      return acc_diag_set(d, ACC_EINVAL,
                          "likelihood: '%s' is not a %s term (terms: %s)",
                          term ? term : "(none)",
                          strcmp(scale, "phia") ? "ICD 203" : "PHIA", all);
    }
  }
  v = json_object_get(spec, "analytic_confidence");
  if (!v && !edit)
    return bad(d, "analytic_confidence", "required: low, moderate or high");
  if (v && !acc_case_vocab_find(ACC_VOCAB_CONFIDENCE, json_string_value(v)))
    return bad(d, "analytic_confidence", "expected low, moderate or high");
  if ((v = json_object_get(spec, "norms")) &&
      (rc = check_keys(v, "norms", ACC_VOCAB_NORM, d)))
    return rc;
  if ((v = json_object_get(spec, "nis2_sectors")) &&
      (rc = check_keys(v, "nis2_sectors", ACC_VOCAB_NIS2, d)))
    return rc;
  if ((v = json_object_get(spec, "eu_2019_796"))) {
    static const char *const em[] = {"actions", "targets", "effect_factors",
                                     NULL};
    if (!json_is_object(v))
      return bad(d, "eu_2019_796",
                 "expected {\"actions\", \"targets\", \"effect_factors\"}");
    if ((rc = only(v, "eu_2019_796", em, d)))
      return rc;
    json_t *x;
    if ((x = json_object_get(v, "actions")) &&
        (rc = check_keys(x, "eu_2019_796.actions", ACC_VOCAB_EU_ACTION, d)))
      return rc;
    if ((x = json_object_get(v, "targets")) &&
        (rc = check_keys(x, "eu_2019_796.targets", ACC_VOCAB_EU_TARGET, d)))
      return rc;
    if ((x = json_object_get(v, "effect_factors")) &&
        (rc = check_keys(x, "eu_2019_796.effect_factors", ACC_VOCAB_EU_EFFECT,
                         d)))
      return rc;
  }
  if ((v = json_object_get(spec, "measures"))) {
    if (!json_is_array(v) || json_array_size(v) > 32)
      return bad(d, "measures", "expected a list of at most 32 texts");
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
      char w[32];
      snprintf(w, sizeof w, "measures[%zu]", i);
      if ((rc = check_text(e, w, 4096, 0, d)))
        return rc;
    }
  }
  if ((v = json_object_get(spec, "endorsement"))) {
    static const char *const rm[] = {"rule", "partners", "quorum", NULL};
    if (!json_is_object(v))
      return bad(d, "endorsement",
                 "expected {\"rule\": \"unanimity\"|\"quorum\", \"partners\": "
                 "[...], \"quorum\": N}");
    if ((rc = only(v, "endorsement", rm, d)))
      return rc;
    const char *rule = json_string_value(json_object_get(v, "rule"));
    if (!rule || (strcmp(rule, "unanimity") && strcmp(rule, "quorum")))
      return bad(d, "endorsement.rule", "expected unanimity or quorum");
    json_t *p = json_object_get(v, "partners");
    if (!json_is_array(p) || json_array_size(p) == 0 ||
        json_array_size(p) > MAX_LIST)
      return bad(d, "endorsement.partners",
                 "expected a list of 1 to 64 organisation names");
    size_t i;
    json_t *e;
    json_array_foreach(p, i, e) {
      char w[48];
      snprintf(w, sizeof w, "endorsement.partners[%zu]", i);
      if ((rc = check_text(e, w, 127, 0, d)))
        return rc;
      if (strchr(json_string_value(e), '|'))
        return bad(d, w, "an organisation name cannot contain '|'");
      for (size_t j = 0; j < i; j++)
        if (!strcmp(json_string_value(json_array_get(p, j)),
                    json_string_value(e)))
          return bad(d, w, "repeated");
    }
    json_t *q = json_object_get(v, "quorum");
    if (!strcmp(rule, "quorum")) {
      if (!json_is_integer(q) || json_integer_value(q) < 1 ||
          (size_t)json_integer_value(q) > json_array_size(p))
        return acc_diag_set(d, ACC_EINVAL,
                            "endorsement.quorum: expected a number from 1 to "
                            "%zu (the number of partners)",
                            json_array_size(p));
    } else if (q) {
      return bad(d, "endorsement.quorum", "only with the quorum rule");
    }
  }
  if ((v = json_object_get(spec, "tlp")) && (rc = check_tlp(v, "tlp", 0, d)))
    return rc;
  return ACC_OK;
}

acc_rc acc_case_spec_parse(const char *text, size_t len, int edit, json_t **out,
                           acc_diag *d) {
  json_error_t e;
  json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
  if (!j)
    return acc_diag_set(d, ACC_EJSON, "line %d, column %d: %s", e.line,
                        e.column, e.text);
  acc_rc rc = acc_case_spec_check(j, edit, d);
  if (rc) {
    json_decref(j);
    return rc;
  }
  *out = j;
  return ACC_OK;
}

acc_rc acc_case_evidence_check(json_t *spec, acc_diag *d) {
  static const char *const members[] = {
      "refs",     "reliability",   "credibility", "category",       "summary",
      "supports", "releasability", "source",      "protect_source", "observed",
      "update",   "withdraw",      NULL};
  if (!json_is_object(spec))
    return bad(d, "evidence", "expected a JSON object");
  acc_rc rc = only(spec, "", members, d);
  if (rc)
    return rc;
  json_t *v = json_object_get(spec, "withdraw");
  if (v) {
    if (!acc_stix_id_valid(json_string_value(v), "note"))
      return bad(d, "withdraw", "expected the id of an evidence note");
    if (json_object_size(spec) != 1)
      return bad(d, "withdraw", "takes no other member");
    return ACC_OK;
  }
  int update = 0;
  if ((v = json_object_get(spec, "update"))) {
    if (!acc_stix_id_valid(json_string_value(v), "note"))
      return bad(d, "update", "expected the id of an evidence note");
    update = 1;
  }
  v = json_object_get(spec, "refs");
  if (!v && !update)
    return bad(d, "refs",
               "required: the ids of the stored objects the evidence rests "
               "on");
  if (v) {
    if (!json_is_array(v) || json_array_size(v) == 0 ||
        json_array_size(v) > MAX_REFS)
      return acc_diag_set(d, ACC_EINVAL,
                          "refs: expected a list of 1 to %d object ids",
                          MAX_REFS);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
      if (!acc_stix_id_valid(json_string_value(e), NULL))
        return acc_diag_set(d, ACC_EINVAL,
                            "refs[%zu]: not a STIX id (type--uuid)", i);
      for (size_t j = 0; j < i; j++)
        if (!strcmp(json_string_value(json_array_get(v, j)),
                    json_string_value(e)))
          return acc_diag_set(d, ACC_EINVAL, "refs[%zu]: repeated", i);
    }
  }
  v = json_object_get(spec, "reliability");
  if (!v && !update)
    return bad(d, "reliability", "required: Admiralty source reliability A-F");
  if (v && !acc_case_vocab_find(ACC_VOCAB_RELIABILITY, json_string_value(v)))
    return bad(d, "reliability", "expected a letter A to F (Admiralty)");
  v = json_object_get(spec, "credibility");
  if (!v && !update)
    return bad(d, "credibility",
               "required: Admiralty information credibility 1-6");
  if (v) {
    json_int_t c = json_is_integer(v) ? json_integer_value(v) : 0;
    if (json_is_string(v) && json_string_length(v) == 1)
      c = json_string_value(v)[0] - '0';
    if (c < 1 || c > 6)
      return bad(d, "credibility", "expected a number 1 to 6 (Admiralty)");
  }
  v = json_object_get(spec, "category");
  if (!v && !update)
    return bad(d, "category",
               "required: tradecraft, infrastructure, malware, intent or "
               "external-reporting");
  if (v && !acc_case_vocab_find(ACC_VOCAB_CATEGORY, json_string_value(v)))
    return bad(d, "category",
               "expected tradecraft, infrastructure, malware, intent or "
               "external-reporting");
  v = json_object_get(spec, "summary");
  if (!v && !update)
    return bad(d, "summary", "required: what the evidence shows");
  if (v && (rc = check_text(v, "summary", MAX_TEXT, 0, d)))
    return rc;
  if ((v = json_object_get(spec, "supports"))) {
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 3)
      return bad(d, "supports", "expected a list of actor, state, activity");
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
      const char *s = json_string_value(e);
      if (!s ||
          (strcmp(s, "actor") && strcmp(s, "state") && strcmp(s, "activity")))
        return acc_diag_set(d, ACC_EINVAL,
                            "supports[%zu]: expected actor (operation to "
                            "actor), state (actor to state) or activity",
                            i);
    }
  }
  if ((v = json_object_get(spec, "releasability")) &&
      (rc = check_tlp(v, "releasability", 1, d)))
    return rc;
  if ((v = json_object_get(spec, "source")) &&
      (rc = check_text(v, "source", 127, 0, d)))
    return rc;
  if ((v = json_object_get(spec, "protect_source")) && !json_is_boolean(v))
    return bad(d, "protect_source", "expected true or false");
  if ((v = json_object_get(spec, "observed")) &&
      (rc = check_ts(v, "observed", d)))
    return rc;
  return ACC_OK;
}

acc_rc acc_case_endorse_check(json_t *spec, acc_diag *d) {
  static const char *const members[] = {"stance", "statement", NULL};
  if (!json_is_object(spec))
    return bad(d, "endorsement", "expected a JSON object");
  acc_rc rc = only(spec, "", members, d);
  if (rc)
    return rc;
  if (!acc_case_vocab_find(ACC_VOCAB_STANCE,
                           json_string_value(json_object_get(spec, "stance"))))
    return bad(d, "stance", "required: concur, dissent or abstain");
  return check_text(json_object_get(spec, "statement"), "statement", 8192, 0,
                    d);
}
