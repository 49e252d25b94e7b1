/*
 * html.c — the statement of reasons, laid out as public attributions are:
 * who attributes and who joins; the incident; the attribution (operation →
 * actor → state) with its likelihood, and the analytic confidence in a
 * sentence of its own (ICD 203 keeps the two apart); the norms breached;
 * the EU cyber-sanctions criteria; the evidence, each exhibit with its
 * grading and source, and the count of what is withheld; the caveats; the
 * measures requested.  Every finding cites the exhibits it rests on.  One
 * self-contained HTML file, no scripts, no external resources, no dates
 * but the case's.
 */
#include <stdio.h>
#include <string.h>

#include "pack/pack_int.h"
#include "util/time.h"

static acc_rc esc(acc_buf *b, const char *s) {
  acc_rc rc = ACC_OK;
  for (const char *p = s ? s : ""; *p && !rc; p++) {
    switch (*p) {
    case '&':
      rc = acc_buf_puts(b, "&amp;");
      break;
    case '<':
      rc = acc_buf_puts(b, "&lt;");
      break;
    case '>':
      rc = acc_buf_puts(b, "&gt;");
      break;
    case '"':
      rc = acc_buf_puts(b, "&quot;");
      break;
    case '\'':
      rc = acc_buf_puts(b, "&#39;");
      break;
    default:
      rc = acc_buf_putc(b, *p);
    }
  }
  return rc;
}

/* Write text with escaping between raw HTML pieces. */
#define RAW(s) (rc = rc ? rc : acc_buf_puts(b, (s)))
#define TXT(s) (rc = rc ? rc : esc(b, (s)))

acc_rc acc_pack_cite(const pk_release *r, unsigned link, acc_buf *b) {
  const acc_case *c = r->c;
  size_t list[64], n = 0, total = 0;
  for (size_t i = 0; i < c->n_ev; i++) {
    if (!r->exhibit[i] || (link && !(c->ev[i].supports & link)))
      continue;
    total++;
    if (n < 64)
      list[n++] = r->exhibit[i];
  }
  if (!total)
    return acc_buf_puts(b, "no released exhibit");
  acc_rc rc = acc_buf_puts(b, total == 1 ? "Exhibit " : "Exhibits ");
  for (size_t i = 0; i < n && !rc; i++)
    rc = acc_buf_printf(b, "%s<a href=\"#exhibit-%zu\">%zu</a>",
                        i == 0           ? ""
                        : i + 1 == total ? " and "
                                         : ", ",
                        list[i], list[i]);
  if (!rc && total > n)
    rc = acc_buf_printf(b, " and %zu more", total - n);
  return rc;
}

static const char *tlp_colour(acc_tlp t) {
  switch (t) {
  case ACC_TLP_CLEAR:
    return "#FFFFFF";
  case ACC_TLP_GREEN:
    return "#33FF00";
  case ACC_TLP_AMBER:
  case ACC_TLP_AMBER_STRICT:
    return "#FFC000";
  default:
    return "#FF2B2B";
  }
}

static const char *obj_name(const acc_case_obj *o) {
  return o->name && *o->name ? o->name : o->id;
}

static acc_rc vocab_list(acc_buf *b, json_t *keys, acc_vocab_list l,
                         const char *title) {
  acc_rc rc = ACC_OK;
  if (!json_array_size(keys))
    return ACC_OK;
  RAW("<h3>");
  TXT(title);
  RAW("</h3><ul>");
  size_t i;
  json_t *k;
  json_array_foreach(keys, i, k) {
    const acc_vocab *v = acc_case_vocab_find(l, json_string_value(k));
    if (!v)
      continue;
    RAW("<li>");
    TXT(v->text ? v->text : v->label);
    RAW("</li>");
  }
  RAW("</ul>");
  return rc;
}

acc_rc acc_pack_html(const pk_release *r, acc_buf *b) {
  const acc_case *c = r->c;
  const acc_case_obj *op = &c->objs[c->claim[0]], *ac = &c->objs[c->claim[1]],
                     *st = &c->objs[c->claim[2]];
  const char *lvl = acc_tlp_name(r->release);
  char date[ACC_TIME_BUFSZ];
  acc_time_format_ms(c->modified_us, date);
  date[10] = '\0';
  acc_rc rc = ACC_OK;
  RAW("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>Statement of reasons: ");
  TXT(c->title);
  RAW("</title>\n<style>\n"
      "body{font-family:Georgia,serif;max-width:46em;margin:2em auto;"
      "line-height:1.45;color:#111}\n"
      ".tlp{display:inline-block;background:#000;font:bold 1em monospace;"
      "padding:.2em .6em}\n"
      ".draft{border:3px solid #c00;color:#c00;padding:.5em;font-weight:bold}\n"
      "table{border-collapse:collapse;width:100%;font-size:.92em}\n"
      "td,th{border:1px solid #999;padding:.3em;vertical-align:top;"
      "text-align:left}\n"
      "code{font-size:.85em;word-break:break-all}\n"
      ".cite{font-size:.9em;color:#333}\n"
      "</style>\n</head>\n<body>\n");
  if (!rc)
    rc =
        acc_buf_printf(b,
                       "<p><span class=\"tlp\" style=\"color:%s\">TLP:%s</span>"
                       "</p>\n",
                       tlp_colour(r->release), lvl);
  if (r->draft)
    RAW("<p class=\"draft\">DRAFT: this pack was built although the "
        "endorsement rule is not met or a part of the claim has no released "
        "exhibit. It is not a statement of the organisations named.</p>\n");
  RAW("<h1>Statement of reasons</h1>\n<p><strong>");
  TXT(c->title);
  RAW("</strong></p>\n<p>Case <code>");
  TXT(c->id);
  RAW("</code>, as of ");
  TXT(date);
  if (!rc)
    rc = acc_buf_printf(b, ". Released at TLP:%s", lvl);
  RAW(" by ");
  TXT(r->signer);
  RAW(", signing key <code>");
  TXT(r->key_id);
  RAW("</code>.</p>\n");

  /* 1. Who attributes */
  RAW("<h2>1. Who attributes</h2>\n<p>");
  TXT(r->signer);
  RAW(" attributes the operation described below");
  size_t nj = json_array_size(r->jointly);
  if (nj) {
    RAW(", jointly with ");
    for (size_t i = 0; i < nj && !rc; i++) {
      if (i)
        RAW(i + 1 == nj ? " and " : ", ");
      TXT(json_string_value(json_array_get(r->jointly, i)));
    }
  }
  RAW(".</p>\n<p>");
  if (!rc && c->rule.n_partners)
    rc = acc_buf_printf(
        b,
        "%zu partner organisation%s %s consulted under a rule of %s; %zu "
        "concurred. The rule is %s.",
        c->rule.n_partners, c->rule.n_partners == 1 ? "" : "s",
        c->rule.n_partners == 1 ? "was" : "were",
        c->rule.quorum ? "quorum" : "unanimity", c->rule.concur,
        c->rule.met ? "met" : "not met");
  else
    RAW("No partner organisation was named for endorsement.");
  RAW("</p>\n");

  /* 2. The incident */
  RAW("<h2>2. The incident</h2>\n<p>");
  TXT(obj_name(op));
  RAW(" (");
  TXT(op->type);
  RAW(", <code>");
  TXT(op->id);
  RAW("</code>)");
  if (op->when_us != ACC_TIME_NONE) {
    char w[ACC_TIME_BUFSZ];
    acc_time_format_ms(op->when_us, w);
    w[10] = '\0';
    RAW(", first seen ");
    TXT(w);
  }
  RAW(".</p>\n");
  const char *desc =
      json_string_value(json_object_get(op->json, "description"));
  if (desc) {
    RAW("<p>");
    TXT(desc);
    RAW("</p>\n");
  }
  if (c->description[0]) {
    RAW("<p>");
    TXT(c->description);
    RAW("</p>\n");
  }
  json_t *sectors = json_object_get(c->ext, "nis2_sectors");
  if (json_array_size(sectors)) {
    RAW("<p>Sectors hit (Directive (EU) 2022/2555, NIS2): ");
    size_t i;
    json_t *k;
    json_array_foreach(sectors, i, k) {
      const acc_vocab *v =
          acc_case_vocab_find(ACC_VOCAB_NIS2, json_string_value(k));
      if (!v)
        continue;
      RAW(i ? "; " : "");
      TXT(v->label);
      RAW(" (Annex ");
      TXT(v->text);
      RAW(")");
    }
    RAW(".</p>\n");
  }
  RAW("<p class=\"cite\">Rests on: ");
  rc = rc ? rc : acc_pack_cite(r, ACC_SUP_ACTIVITY, b);
  RAW(".</p>\n");

  /* 3. Attribution */
  RAW("<h2>3. Attribution</h2>\n<p>");
  TXT(r->signer);
  RAW(" assesses that ");
  TXT(obj_name(op));
  RAW(" was conducted by ");
  TXT(obj_name(ac));
  RAW(" (");
  TXT(ac->type);
  RAW(", <code>");
  TXT(ac->id);
  RAW("</code>). <span class=\"cite\">(");
  rc = rc ? rc : acc_pack_cite(r, ACC_SUP_ACTOR, b);
  RAW(")</span></p>\n<p>");
  TXT(r->signer);
  RAW(" assesses that ");
  TXT(obj_name(ac));
  RAW(" acts for ");
  TXT(obj_name(st));
  RAW(" (");
  TXT(st->type);
  RAW(", <code>");
  TXT(st->id);
  RAW("</code>). <span class=\"cite\">(");
  rc = rc ? rc : acc_pack_cite(r, ACC_SUP_STATE, b);
  RAW(")</span></p>\n");
  if (c->likelihood && !rc)
    rc = acc_buf_printf(
        b,
        "<p>It is <strong>%s</strong> (%s, %s) that this attribution is "
        "correct (STIX confidence %d).</p>\n",
        c->likelihood->label, c->likelihood->range,
        strcmp(c->likelihood->scale, "phia")
            ? "ICD 203 expression of likelihood"
            : "UK Professional Head of Intelligence Assessment yardstick",
        c->likelihood->stix);
  RAW("<p>");
  TXT(r->signer);
  if (!rc)
    rc = acc_buf_printf(b,
                        " has <strong>%s confidence</strong> in this "
                        "assessment.</p>\n",
                        c->confidence);

  /* 4. Norms */
  json_t *norms = json_object_get(c->ext, "norms");
  RAW("<h2>4. Norms of responsible state behaviour</h2>\n");
  if (json_array_size(norms)) {
    RAW("<p>The operation is inconsistent with the norms of the 2015 report "
        "of the UN Group of Governmental Experts (A/70/174, paragraph 13), "
        "welcomed by General Assembly resolution 70/237:</p>\n<ul>");
    size_t i;
    json_t *n;
    json_array_foreach(norms, i, n) {
      RAW("<li>(");
      TXT(json_string_value(json_object_get(n, "norm")));
      RAW(") ");
      TXT(json_string_value(json_object_get(n, "text")));
      RAW("</li>");
    }
    RAW("</ul>\n<p class=\"cite\">Rests on: ");
    rc = rc ? rc : acc_pack_cite(r, ACC_SUP_ACTIVITY, b);
    RAW(".</p>\n");
  } else {
    RAW("<p>No norm is invoked.</p>\n");
  }

  /* 5. EU criteria */
  json_t *eu = json_object_get(c->ext, "eu_2019_796");
  RAW("<h2>5. EU restrictive measures criteria</h2>\n");
  if (eu) {
    RAW("<p>Council Regulation (EU) 2019/796 and Council Decision (CFSP) "
        "2019/797 concerning restrictive measures against cyber-attacks "
        "threatening the Union or its Member States:</p>\n");
    rc = rc ? rc
            : vocab_list(b, json_object_get(eu, "actions"), ACC_VOCAB_EU_ACTION,
                         "Type of action");
    rc = rc ? rc
            : vocab_list(b, json_object_get(eu, "targets"), ACC_VOCAB_EU_TARGET,
                         "Target");
    rc = rc ? rc
            : vocab_list(b, json_object_get(eu, "effect_factors"),
                         ACC_VOCAB_EU_EFFECT, "Significant effect");
    RAW("<p class=\"cite\">Rests on: ");
    rc = rc ? rc : acc_pack_cite(r, ACC_SUP_ACTIVITY, b);
    RAW(".</p>\n");
  } else {
    RAW("<p>No criterion is invoked.</p>\n");
  }

  /* 6. Evidence */
  RAW("<h2>6. Evidence</h2>\n");
  if (r->n_exhibits) {
    RAW("<table>\n<tr><th>Exhibit</th><th>Category</th><th>Grading "
        "(Admiralty)</th><th>Source</th><th>Finding</th><th>STIX objects "
        "(bundle.json)</th></tr>\n");
    for (size_t i = 0; i < c->n_ev && !rc; i++) {
      size_t x = r->exhibit[i];
      if (!x)
        continue;
      const acc_case_evidence *e = &c->ev[i];
      const acc_vocab *rv = acc_case_vocab_find(ACC_VOCAB_RELIABILITY,
                                                (char[]){e->reliability, 0});
      char cr[2] = {(char)('0' + e->credibility), 0};
      const acc_vocab *cv = acc_case_vocab_find(ACC_VOCAB_CREDIBILITY, cr);
      rc = acc_buf_printf(b, "<tr id=\"exhibit-%zu\"><td>Exhibit %zu</td><td>",
                          x, x);
      TXT(e->category);
      if (!rc)
        rc = acc_buf_printf(b, "</td><td>%c%d: ", e->reliability,
                            e->credibility);
      TXT(rv ? rv->label : "");
      RAW(", ");
      TXT(cv ? cv->label : "");
      RAW("</td><td>");
      TXT(r->source_label[i]);
      RAW("</td><td>");
      TXT(e->summary);
      RAW("</td><td>");
      for (size_t k = 0; k < e->n_refs; k++) {
        RAW(k ? "<br>" : "");
        RAW("<code>");
        TXT(c->objs[e->refs[k]].id);
        RAW("</code>");
      }
      RAW("</td></tr>\n");
    }
    RAW("</table>\n");
  } else {
    RAW("<p>No exhibit is released.</p>\n");
  }
  if (!rc && r->withheld)
    rc = acc_buf_printf(
        b,
        "<p>%zu further evidence item%s %s withheld: %s cannot be released "
        "at TLP:%s, and no finding above rests on %s alone.</p>\n",
        r->withheld, r->withheld == 1 ? "" : "s",
        r->withheld == 1 ? "is" : "are", r->withheld == 1 ? "it" : "they", lvl,
        r->withheld == 1 ? "it" : "them");

  /* 7. Caveats */
  RAW("<h2>7. Caveats</h2>\n");
  if (json_array_size(r->caveats)) {
    RAW("<ul>");
    size_t i;
    json_t *t;
    json_array_foreach(r->caveats, i, t) {
      RAW("<li>");
      TXT(json_string_value(t));
      RAW("</li>");
    }
    RAW("</ul>\n");
  } else {
    RAW("<p>Accord derived no caveat from the evidence.</p>\n");
  }

  /* 8. Measures */
  json_t *measures = json_object_get(c->ext, "measures");
  RAW("<h2>8. Measures requested</h2>\n");
  if (json_array_size(measures)) {
    RAW("<ul>");
    size_t i;
    json_t *m;
    json_array_foreach(measures, i, m) {
      RAW("<li>");
      TXT(json_string_value(m));
      RAW("</li>");
    }
    RAW("</ul>\n");
  } else {
    RAW("<p>None.</p>\n");
  }
  RAW("<hr>\n<p class=\"cite\">The exhibits are the STIX 2.1 objects of "
      "bundle.json. MANIFEST lists the SHA-256 digest of every file of this "
      "pack and MANIFEST.sig is its Ed25519 signature; "
      "<code>accord pack verify</code> checks both offline.</p>\n"
      "</body>\n</html>\n");
  return rc;
}
