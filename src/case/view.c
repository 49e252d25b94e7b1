/*
 * view.c — a loaded case as JSON (the API, `accord case show --json`) and
 * as text for a terminal: the claim, the likelihood and, separately, the
 * analytic confidence, the evidence with its grading, the caveats, the
 * norms and criteria, and who has (and has not) answered.
 */
#include <stdio.h>
#include <string.h>

#include "case/case_int.h"
#include "util/time.h"

static json_t *ts(int64_t us) {
  if (us == ACC_TIME_NONE)
    return json_null();
  char b[ACC_TIME_BUFSZ];
  acc_time_format_ms(us, b);
  return json_string(b);
}

static const char *const caveat_kinds[] = {
    "anonymiser", "single-source", "non-releasable", "overstated-likelihood",
    "unsupported-link"};

static json_t *obj_json(const acc_case_obj *o) {
  if (!o->visible)
    return json_pack("{s:s,s:b}", "id", o->id, "visible", 0);
  return json_pack("{s:s,s:s,s:s,s:s}", "id", o->id, "type", o->type, "name",
                   o->name, "tlp", acc_tlp_name(o->tlp));
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

json_t *acc_case_to_json(const acc_case *c) {
  json_t *j = json_object();
  json_object_set_new(j, "id", json_string(c->id));
  json_object_set_new(j, "title", json_string(c->title));
  json_object_set_new(j, "description", json_string(c->description));
  json_object_set_new(j, "owner", json_string(c->owner_org));
  json_object_set_new(j, "created", ts(c->created_us));
  json_object_set_new(j, "modified", ts(c->modified_us));
  json_object_set_new(j, "tlp", json_string(acc_tlp_name(c->tlp)));
  json_object_set_new(j, "claim",
                      json_pack("{s:o,s:o,s:o}", "operation",
                                obj_json(&c->objs[c->claim[0]]), "actor",
                                obj_json(&c->objs[c->claim[1]]), "state",
                                obj_json(&c->objs[c->claim[2]])));
  if (c->likelihood)
    json_object_set_new(
        j, "likelihood",
        json_pack("{s:s,s:s,s:s,s:s,s:i}", "scale", c->likelihood->scale,
                  "term", c->likelihood->key, "label", c->likelihood->label,
                  "range", c->likelihood->range, "stix_confidence",
                  c->likelihood->stix));
  json_object_set_new(j, "analytic_confidence", json_string(c->confidence));
  const acc_likelihood *ceil = acc_case_likelihood_rank(c->ceiling_rank);
  if (ceil)
    json_object_set_new(j, "supported_likelihood",
                        json_pack("{s:s,s:s,s:i}", "term", ceil->key, "range",
                                  ceil->range, "stix_confidence", ceil->stix));
  static const char *const copy[] = {"norms", "nis2_sectors", "eu_2019_796",
                                     "measures"};
  for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++) {
    json_t *v = json_object_get(c->ext, copy[i]);
    json_object_set_new(j, copy[i], v ? json_deep_copy(v) : json_array());
  }
  json_t *ev = json_array();
  for (size_t i = 0; i < c->n_ev; i++) {
    const acc_case_evidence *e = &c->ev[i];
    json_t *refs = json_array(), *src = json_array();
    for (size_t k = 0; k < e->n_refs; k++)
      json_array_append_new(refs, obj_json(&c->objs[e->refs[k]]));
    for (size_t k = 0; k < e->n_sources; k++)
      json_array_append_new(src, json_string(e->sources[k]));
    char grade[4];
    snprintf(grade, sizeof grade, "%c%d", e->reliability, e->credibility);
    json_t *x = json_pack(
        "{s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:o,s:o,s:b}", "label", "", "id",
        e->id, "summary", e->summary, "grade", grade, "supports",
        supports_json(e->supports), "category", e->category, "releasability",
        acc_tlp_name(e->tlp), "material_tlp", acc_tlp_name(e->material_tlp),
        "refs", refs, "sources", src, "protect_source", e->protect_source);
    char label[32];
    snprintf(label, sizeof label, "E%zu", i + 1);
    json_object_set_new(x, "label", json_string(label));
    if (e->observed_us != ACC_TIME_NONE)
      json_object_set_new(x, "observed", ts(e->observed_us));
    json_array_append_new(ev, x);
  }
  json_object_set_new(j, "evidence", ev);
  json_object_set_new(j, "evidence_not_visible",
                      json_integer((json_int_t)c->ev_hidden));
  json_t *cav = json_array();
  for (size_t i = 0; i < c->n_cav; i++) {
    json_t *refs = json_array();
    for (size_t k = 0; k < c->cav[i].n_ev; k++)
      json_array_append_new(refs, json_string(c->ev[c->cav[i].ev[k]].id));
    json_array_append_new(
        cav, json_pack("{s:s,s:s,s:o}", "kind", caveat_kinds[c->cav[i].kind],
                       "text", c->cav[i].text, "evidence_refs", refs));
  }
  json_object_set_new(j, "caveats", cav);
  json_t *answered = json_array(), *pending = json_array(),
         *others = json_array();
  for (size_t i = 0; i < c->n_en; i++) {
    const acc_case_endorsement *en = &c->en[i];
    json_array_append_new(en->partner ? answered : others,
                          json_pack("{s:s,s:s,s:s,s:s,s:o,s:s}", "org", en->org,
                                    "stance", en->stance, "statement",
                                    en->statement, "by", en->author, "at",
                                    ts(en->modified_us), "id", en->id));
  }
  for (size_t i = 0; i < c->rule.n_partners; i++) {
    int found = 0;
    for (size_t k = 0; k < c->n_en && !found; k++)
      found = c->en[k].partner && !strcmp(c->en[k].org, c->rule.partners[i]);
    if (!found)
      json_array_append_new(pending, json_string(c->rule.partners[i]));
  }
  json_t *partners = json_array();
  for (size_t i = 0; i < c->rule.n_partners; i++)
    json_array_append_new(partners, json_string(c->rule.partners[i]));
  json_t *rule = json_pack(
      "{s:s,s:o,s:i,s:i,s:i,s:i,s:b,s:o,s:o,s:o}", "rule",
      c->rule.quorum ? "quorum" : "unanimity", "partners", partners, "concur",
      (int)c->rule.concur, "dissent", (int)c->rule.dissent, "abstain",
      (int)c->rule.abstain, "pending", (int)c->rule.pending, "met", c->rule.met,
      "answered", answered, "not_answered", pending, "others", others);
  if (c->rule.quorum)
    json_object_set_new(rule, "quorum", json_integer(c->rule.quorum));
  json_object_set_new(j, "endorsement", rule);
  return j;
}

json_t *acc_case_summary_json(const acc_record *r, json_t *rep) {
  json_t *ext =
      json_object_get(json_object_get(rep, "extensions"), ACC_EXT_CASE);
  json_t *lk = json_object_get(ext, "likelihood");
  const char *name = json_string_value(json_object_get(rep, "name"));
  int notes = 0;
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(rep, "object_refs"), i, e) {
    notes += json_is_string(e) && !strncmp(json_string_value(e), "note--", 6);
  }
  return json_pack(
      "{s:s,s:s,s:o,s:s?,s:s?,s:s?,s:i}", "id", r->id, "title",
      name ? name : "", "modified", ts(r->modified_us), "owner",
      json_string_value(json_object_get(ext, "owner_org")), "likelihood",
      json_string_value(json_object_get(lk, "term")), "analytic_confidence",
      json_string_value(json_object_get(ext, "analytic_confidence")),
      "evidence", notes);
}

static const char *obj_label(const acc_case_obj *o) {
  return o->visible && o->name && *o->name ? o->name : o->id;
}

acc_rc acc_case_to_text(const acc_case *c, acc_buf *b) {
  char t1[ACC_TIME_BUFSZ];
  acc_time_format_ms(c->modified_us, t1);
  acc_rc rc = acc_buf_printf(
      b, "%s\n  %s\n  owner %s, TLP:%s, modified %s\n", c->title, c->id,
      c->owner_org[0] ? c->owner_org : "(instance)", acc_tlp_name(c->tlp), t1);
  if (!rc && c->description[0])
    rc = acc_buf_printf(b, "  %s\n", c->description);
  const acc_case_obj *op = &c->objs[c->claim[0]], *ac = &c->objs[c->claim[1]],
                     *st = &c->objs[c->claim[2]];
  if (!rc)
    rc = acc_buf_printf(b,
                        "\nClaim\n  operation  %s (%s)\n  actor      %s (%s)\n"
                        "  state      %s (%s)\n",
                        obj_label(op), op->type, obj_label(ac), ac->type,
                        obj_label(st), st->type);
  if (!rc && c->likelihood)
    rc = acc_buf_printf(b,
                        "  likelihood %s (%s, %s; STIX confidence %d)\n"
                        "  analytic confidence: %s\n",
                        c->likelihood->label, c->likelihood->range,
                        strcmp(c->likelihood->scale, "phia") ? "ICD 203"
                                                             : "PHIA",
                        c->likelihood->stix, c->confidence);
  const acc_likelihood *ceil = acc_case_likelihood_rank(c->ceiling_rank);
  if (!rc && ceil)
    rc = acc_buf_printf(b, "  the graded evidence supports at most: %s (%s)\n",
                        ceil->label, ceil->range);
  size_t i;
  json_t *v;
  if (!rc && json_array_size(json_object_get(c->ext, "norms")))
    rc = acc_buf_puts(b, "\nNorms (A/70/174 para 13)\n");
  json_array_foreach(json_object_get(c->ext, "norms"), i, v) {
    if (!rc)
      rc = acc_buf_printf(b, "  (%s) %s\n",
                          json_string_value(json_object_get(v, "norm")),
                          json_string_value(json_object_get(v, "text")));
  }
  if (!rc && json_array_size(json_object_get(c->ext, "nis2_sectors"))) {
    rc = acc_buf_puts(b, "\nNIS2 sectors hit:");
    json_array_foreach(json_object_get(c->ext, "nis2_sectors"), i, v) {
      const acc_vocab *s =
          acc_case_vocab_find(ACC_VOCAB_NIS2, json_string_value(v));
      if (!rc && s)
        rc = acc_buf_printf(b, "%s %s (Annex %s)", i ? "," : "", s->label,
                            s->text);
    }
    rc = rc ? rc : acc_buf_putc(b, '\n');
  }
  json_t *eu = json_object_get(c->ext, "eu_2019_796");
  static const struct {
    const char *key, *title;
    acc_vocab_list l;
  } crit[] = {{"actions", "action", ACC_VOCAB_EU_ACTION},
              {"targets", "target", ACC_VOCAB_EU_TARGET},
              {"effect_factors", "significant effect", ACC_VOCAB_EU_EFFECT}};
  if (!rc && eu)
    rc = acc_buf_puts(b, "\nEU 2019/796 criteria\n");
  for (size_t k = 0; eu && k < 3 && !rc; k++)
    json_array_foreach(json_object_get(eu, crit[k].key), i, v) {
      const acc_vocab *s = acc_case_vocab_find(crit[k].l, json_string_value(v));
      if (!rc && s)
        rc = acc_buf_printf(b, "  %s: %s\n", crit[k].title, s->label);
    }
  if (!rc)
    rc = acc_buf_printf(b, "\nEvidence (%zu%s)\n", c->n_ev,
                        c->ev_hidden ? ", and some you may not see" : "");
  for (size_t k = 0; k < c->n_ev && !rc; k++) {
    const acc_case_evidence *e = &c->ev[k];
    rc = acc_buf_printf(b, "  E%zu %c%d %-18s TLP:%-12s %s\n     %s\n", k + 1,
                        e->reliability, e->credibility, e->category,
                        acc_tlp_name(e->material_tlp), e->id, e->summary);
    for (size_t r = 0; r < e->n_refs && !rc; r++)
      rc = acc_buf_printf(b, "     - %s\n", c->objs[e->refs[r]].id);
  }
  if (!rc && c->n_cav)
    rc = acc_buf_puts(b, "\nCaveats\n");
  for (size_t k = 0; k < c->n_cav && !rc; k++)
    rc = acc_buf_printf(b, "  ! %s\n", c->cav[k].text);
  if (!rc) {
    if (c->rule.quorum)
      rc = acc_buf_printf(b, "\nEndorsement: quorum of %d among %zu partner%s",
                          c->rule.quorum, c->rule.n_partners,
                          c->rule.n_partners == 1 ? "" : "s");
    else
      rc = acc_buf_printf(b, "\nEndorsement: unanimity of %zu partner%s",
                          c->rule.n_partners,
                          c->rule.n_partners == 1 ? "" : "s");
    rc = rc ? rc
            : acc_buf_printf(b,
                             " — %s (%zu concur, %zu dissent, %zu abstain, "
                             "%zu not answered)\n",
                             c->rule.met ? "rule met" : "rule not met",
                             c->rule.concur, c->rule.dissent, c->rule.abstain,
                             c->rule.pending);
  }
  for (size_t k = 0; k < c->rule.n_partners && !rc; k++) {
    const acc_case_endorsement *en = NULL;
    for (size_t m = 0; m < c->n_en && !en; m++)
      if (!strcmp(c->en[m].org, c->rule.partners[k]))
        en = &c->en[m];
    if (en)
      rc = acc_buf_printf(b, "  %-24s %-8s %s\n", en->org, en->stance,
                          en->statement);
    else
      rc = acc_buf_printf(b, "  %-24s (not answered)\n", c->rule.partners[k]);
  }
  for (size_t m = 0; m < c->n_en && !rc; m++)
    if (!c->en[m].partner)
      rc = acc_buf_printf(b, "  %-24s %-8s %s (not a named partner)\n",
                          c->en[m].org, c->en[m].stance, c->en[m].statement);
  return rc;
}
