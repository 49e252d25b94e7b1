/*
 * poc.c — the directory of points of contact (OSCE CBM 8): each entry a
 * STIX identity (the contact, a person or a desk) with Accord's
 * confidence-building extension saying whose contact it is, at which
 * level (policy or technical), how to reach it, in which languages, when,
 * the key its organisation signs consultations with, and when the entry
 * was last confirmed correct.  An entry older than the confirmation
 * period (a year unless set) is due: lists flag it and remind its
 * organisation to confirm it, and `accord serve` logs and counts it.
 *
 * Entries are written through acc_ingest — TLP:AMBER+STRICT by default,
 * naming no organisation: the organisations that may read the collection
 * get them, and federation carries them only from the instance where
 * they were written, straight to each partner (so that a partner can
 * tell the organisation's own entry, and key, from a copy relayed by
 * someone else) — signed with the organisation's key when this instance
 * holds it, and read back through the guard.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "cbm/cbm_int.h"
#include "policy/policy.h"
#include "util/time.h"

#define PERIOD_KEY "cbm.poc_period_us"

acc_rc acc_cbm_period(acc_store *s, int64_t *out_us, acc_diag *d) {
  char v[32];
  acc_rc rc = s->ops->meta_get(s, PERIOD_KEY, v, sizeof v, d);
  if (rc == ACC_ENOTFOUND) {
    *out_us = ACC_CBM_PERIOD_DEFAULT;
    return ACC_OK;
  }
  if (rc)
    return rc;
  char *end;
  long long t = strtoll(v, &end, 10);
  *out_us = *end || t <= 0 ? ACC_CBM_PERIOD_DEFAULT : (int64_t)t;
  return ACC_OK;
}

acc_rc acc_cbm_period_set(acc_store *s, int64_t us, acc_diag *d) {
  if (us <= 0)
    return acc_diag_set(d, ACC_EUSAGE, "the period must be positive");
  char v[32];
  snprintf(v, sizeof v, "%lld", (long long)us);
  acc_rc rc = acc_store_begin(s, d);
  if (rc)
    return rc;
  if ((rc = s->ops->meta_set(s, PERIOD_KEY, v, d))) {
    acc_store_rollback(s);
    return rc;
  }
  return acc_store_commit(s, d);
}

/* ---- the specification ---- */

static acc_rc spec_str(json_t *spec, const char *key, int required, size_t max,
                       acc_diag *d) {
  json_t *v = json_object_get(spec, key);
  if (!v)
    return required ? acc_diag_set(d, ACC_EINVAL, "'%s' is required", key)
                    : ACC_OK;
  if (!json_is_string(v) || json_string_length(v) == 0 ||
      json_string_length(v) > max)
    return acc_diag_set(d, ACC_EINVAL,
                        "'%s': expected a string of 1 to %zu bytes", key, max);
  return ACC_OK;
}

/* A channel given as "type:value" becomes {type, value}. */
static json_t *channel_of(json_t *c) {
  if (json_is_object(c))
    return json_incref(c);
  const char *s = json_string_value(c);
  const char *colon = s ? strchr(s, ':') : NULL;
  if (!colon)
    return NULL;
  return json_pack("{s:s%,s:s}", "type", s, (size_t)(colon - s), "value",
                   colon + 1);
}

acc_rc acc_cbm_poc_spec_check(json_t *spec, acc_diag *d) {
  static const char *const known[] = {
      "org",         "level",     "name",           "role",       "channels",
      "languages",   "hours",     "country",        "public_key", "tlp",
      "description", "confirmed", "identity_class", NULL};
  acc_rc rc;
  if (!json_is_object(spec))
    return acc_diag_set(d, ACC_EINVAL, "expected a JSON object");
  const char *k;
  json_t *v;
  json_object_foreach(spec, k, v) {
    if (!acc_cbm_in(known, k))
      return acc_diag_set(d, ACC_EINVAL, "unknown member '%s'", k);
  }
  if ((rc = spec_str(spec, "org", 0, ACC_NAME_MAX - 1, d)) ||
      (rc = spec_str(spec, "level", 1, 32, d)) ||
      (rc = spec_str(spec, "name", 1, 256, d)) ||
      (rc = spec_str(spec, "role", 0, 512, d)) ||
      (rc = spec_str(spec, "hours", 0, 256, d)) ||
      (rc = spec_str(spec, "country", 0, 2, d)) ||
      (rc = spec_str(spec, "public_key", 0, ACC_KEY_PUB_TEXT_MAX - 1, d)) ||
      (rc = spec_str(spec, "tlp", 0, 16, d)) ||
      (rc = spec_str(spec, "description", 0, 4096, d)) ||
      (rc = spec_str(spec, "confirmed", 0, 64, d)) ||
      (rc = spec_str(spec, "identity_class", 0, 32, d)))
    return rc;
  const char *level = json_string_value(json_object_get(spec, "level"));
  if (!acc_cbm_in(acc_cbm_levels, level))
    return acc_diag_set(d, ACC_EINVAL,
                        "'level': '%s' is not policy or technical", level);
  const char *cc = json_string_value(json_object_get(spec, "country"));
  if (cc && (strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' ||
             cc[1] > 'Z'))
    return acc_diag_set(d, ACC_EINVAL,
                        "'country': '%s' is not an ISO 3166-1 alpha-2 code "
                        "in capitals (DE, FR ...)",
                        cc);
  const char *ic = json_string_value(json_object_get(spec, "identity_class"));
  if (ic && strcmp(ic, "individual") && strcmp(ic, "group") &&
      strcmp(ic, "organization"))
    return acc_diag_set(d, ACC_EINVAL,
                        "'identity_class': individual, group or "
                        "organization");
  const char *tlp = json_string_value(json_object_get(spec, "tlp"));
  acc_tlp t;
  if (tlp && (acc_tlp_parse(tlp, &t) || t == ACC_TLP_RED))
    return acc_diag_set(d, ACC_EINVAL,
                        "'tlp': '%s': a directory entry is shared as "
                        "clear, green, amber or amber+strict",
                        tlp);
  const char *key = json_string_value(json_object_get(spec, "public_key"));
  unsigned char pk[32];
  if (key && strcmp(key, "auto") && strcmp(key, "none") &&
      acc_key_public_parse(key, pk, d)) {
    acc_diag_prefix(d, "'public_key': ");
    return ACC_EINVAL;
  }
  const char *conf = json_string_value(json_object_get(spec, "confirmed"));
  int64_t ct;
  if (conf && acc_time_parse(conf, strlen(conf), 1, &ct))
    return acc_diag_set(d, ACC_EINVAL, "'confirmed': '%s' is not a timestamp",
                        conf);
  json_t *ch = json_object_get(spec, "channels");
  if (!json_is_array(ch) || json_array_size(ch) == 0 ||
      json_array_size(ch) > ACC_CBM_MAX_CHANNELS)
    return acc_diag_set(d, ACC_EINVAL,
                        "'channels': 1 to %d channels are required, each "
                        "TYPE:VALUE or {type, value}",
                        ACC_CBM_MAX_CHANNELS);
  size_t i;
  json_array_foreach(ch, i, v) {
    json_t *c = channel_of(v);
    const char *ty = json_string_value(json_object_get(c, "type"));
    const char *va = json_string_value(json_object_get(c, "value"));
    int ok = ty && va && *va && strlen(va) <= 512;
    int known_type = ok && acc_cbm_in(acc_cbm_channel_types, ty);
    json_decref(c);
    char types[128];
    acc_cbm_list_text(acc_cbm_channel_types, types, sizeof types);
    if (!ok)
      return acc_diag_set(d, ACC_EINVAL,
                          "'channels[%zu]': expected TYPE:VALUE, TYPE one "
                          "of %s",
                          i, types);
    if (!known_type)
      return acc_diag_set(
          d, ACC_EINVAL, "'channels[%zu]': unknown type (one of %s)", i, types);
  }
  json_t *langs = json_object_get(spec, "languages");
  if (langs && (!json_is_array(langs) || json_array_size(langs) > 16))
    return acc_diag_set(d, ACC_EINVAL,
                        "'languages': a list of up to 16 language codes");
  json_array_foreach(langs, i, v) {
    const char *l = json_string_value(v);
    size_t n = l ? strlen(l) : 0;
    if (n < 2 || n > 16)
      return acc_diag_set(d, ACC_EINVAL,
                          "'languages[%zu]': expected a language code (en, "
                          "fr, de ...)",
                          i);
  }
  return ACC_OK;
}

/* contact_information, for tools that read plain STIX. */
static json_t *contact_text(json_t *channels, const char *hours) {
  acc_buf b;
  acc_buf_init(&b, 16384);
  size_t i;
  json_t *c;
  json_array_foreach(channels, i, c) {
    acc_buf_printf(&b, "%s%s: %s", i ? "; " : "",
                   json_string_value(json_object_get(c, "type")),
                   json_string_value(json_object_get(c, "value")));
  }
  if (hours)
    acc_buf_printf(&b, " (%s)", hours);
  json_t *s = json_string(acc_buf_cstr(&b));
  acc_buf_free(&b);
  return s;
}

/* Sign obj with org's key when this instance holds it and the entry lists
 * that key; otherwise the entry stays unsigned. */
static acc_rc maybe_sign(const acc_cbm_ctx *ctx, const char *org, json_t *obj,
                         int *signed_out, acc_diag *d) {
  *signed_out = 0;
  json_t *ext =
      json_object_get(json_object_get(obj, "extensions"), ACC_EXT_CBM);
  const char *listed = json_string_value(json_object_get(ext, "public_key"));
  acc_org_key k;
  if (!listed || acc_key_load(ctx->data_dir, org, &k, NULL) != ACC_OK) {
    json_object_del(ext, "signature");
    return ACC_OK;
  }
  char pub[ACC_KEY_PUB_TEXT_MAX];
  acc_key_public_text(k.pk, pub);
  acc_rc rc = ACC_OK;
  if (!strcmp(pub, listed)) {
    rc = acc_cbm_sign(obj, &k, d);
    *signed_out = !rc;
  } else {
    json_object_del(ext, "signature");
  }
  acc_key_wipe(&k);
  return rc;
}

acc_rc acc_cbm_poc_add(const acc_cbm_ctx *ctx, json_t *spec, int64_t collection,
                       char out[ACC_ID_MAX], acc_diag *d) {
  acc_rc rc = acc_cbm_poc_spec_check(spec, d);
  if (rc)
    return rc;
  acc_cbm_actor a;
  if ((rc = acc_cbm_actor_of(
           ctx, json_string_value(json_object_get(spec, "org")), &a, d)) ||
      (rc = acc_cbm_may_write(ctx, &a, collection, d)))
    return rc;
  int64_t now = acc_cbm_ctx_now(ctx);
  int64_t confirmed = now;
  const char *conf = json_string_value(json_object_get(spec, "confirmed"));
  if (conf)
    acc_time_parse(conf, strlen(conf), 1, &confirmed);

  /* The key: the organisation's own (auto, the default), none, or given. */
  const char *keyspec = json_string_value(json_object_get(spec, "public_key"));
  char pub[ACC_KEY_PUB_TEXT_MAX] = "";
  int have_local = 0;
  acc_org_key k;
  if (acc_key_load(ctx->data_dir, a.org, &k, NULL) == ACC_OK) {
    acc_key_public_text(k.pk, pub);
    acc_key_wipe(&k);
    have_local = 1;
  }
  if (!keyspec || !strcmp(keyspec, "auto")) {
    if (keyspec && !have_local)
      return acc_diag_set(d, ACC_ENOTFOUND,
                          "%s has no signing key here to publish (run "
                          "`accord key generate --org %s`, or give its "
                          "public key)",
                          a.org, a.org);
  } else if (!strcmp(keyspec, "none")) {
    pub[0] = '\0';
  } else {
    snprintf(pub, sizeof pub, "%s", keyspec);
  }

  char id[ACC_ID_MAX];
  acc_case_uuid4("identity", id);
  json_t *ext =
      json_pack("{s:s,s:s,s:s,s:s}", "extension_type", "property-extension",
                "kind", "point-of-contact", "org", a.org, "level",
                json_string_value(json_object_get(spec, "level")));
  json_t *channels = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(spec, "channels"), i, v) {
    json_t *c = channel_of(v);
    json_array_append_new(
        channels, json_pack("{s:O,s:O}", "type", json_object_get(c, "type"),
                            "value", json_object_get(c, "value")));
    json_decref(c);
  }
  json_object_set_new(ext, "channels", channels);
  const char *role = json_string_value(json_object_get(spec, "role"));
  const char *hours = json_string_value(json_object_get(spec, "hours"));
  if (role)
    json_object_set_new(ext, "role", json_string(role));
  if ((v = json_object_get(spec, "languages")))
    json_object_set(ext, "languages", v);
  if (hours) {
    json_object_set_new(ext, "hours", json_string(hours));
    if (!strcmp(hours, "24/7"))
      json_object_set_new(ext, "always_available", json_true());
  }
  if ((v = json_object_get(spec, "country")))
    json_object_set(ext, "country", v);
  if (pub[0])
    json_object_set_new(ext, "public_key", json_string(pub));
  json_object_set_new(ext, "confirmed", acc_cbm_ts(confirmed));

  const char *ic = json_string_value(json_object_get(spec, "identity_class"));
  json_t *o = json_pack(
      "{s:s,s:s,s:s,s:o,s:o,s:s,s:O,s:s}", "type", "identity", "spec_version",
      "2.1", "id", id, "created", acc_cbm_ts(now), "modified", acc_cbm_ts(now),
      "created_by_ref", a.identity, "name", json_object_get(spec, "name"),
      "identity_class", ic ? ic : "individual");
  if (!o || !ext) {
    json_decref(o);
    json_decref(ext);
    return acc_diag_set(d, ACC_ENOMEM, "building the entry");
  }
  if ((v = json_object_get(spec, "description")))
    json_object_set(o, "description", v);
  if (role)
    json_object_set_new(o, "roles", json_pack("[s]", role));
  json_object_set_new(o, "sectors", json_pack("[s]", "government-national"));
  json_object_set_new(o, "contact_information",
                      contact_text(json_object_get(ext, "channels"), hours));
  /* AMBER+STRICT naming no organisation: those that may read the
   * collection, and federation passes it on only from this instance —
   * so every partner receives the entry (and the key in it) straight
   * from its organisation, which is what makes the key trusted there
   * (keyring.c). */
  acc_tlp tlp = ACC_TLP_AMBER_STRICT;
  const char *tn = json_string_value(json_object_get(spec, "tlp"));
  if (tn)
    acc_tlp_parse(tn, &tlp);
  json_object_set_new(o, "object_marking_refs",
                      json_pack("[s]", acc_tlp_marking_id(tlp)));
  json_object_set_new(o, "extensions", json_pack("{s:o}", ACC_EXT_CBM, ext));

  int signed_ok;
  if ((rc = maybe_sign(ctx, a.org, o, &signed_ok, d))) {
    json_decref(o);
    return rc;
  }
  /* An entry the organisation did not sign here is the operator's pin of
   * a partner's contact (and key): the instance itself adds it. */
  int64_t origin = a.oid, uid = a.uid;
  if (!signed_ok && a.operator&& !have_local)
    origin = uid = 0;
  json_t *objs = json_pack("[o]", o);
  rc = acc_cbm_store(ctx, objs, collection, origin, uid, d);
  json_decref(objs);
  if (!rc)
    snprintf(out, ACC_ID_MAX, "%s", id);
  return rc;
}

/* The version of entry id that stands: the newest one written by the
 * organisation its first version names (or by the operator, who may pin
 * a partner's entry); if none was, the newest.  A later version added by
 * anyone else never replaces an organisation's contact or key. */
static acc_rc entry_of(const acc_cbm_ctx *ctx, const char *id, json_t **out,
                       acc_record *rec, acc_diag *d) {
  acc_cbm_version *v = NULL;
  size_t n = 0;
  acc_rc rc = acc_cbm_versions(ctx, id, &v, &n, d);
  if (rc)
    return rc;
  size_t pick = n - 1;
  char owner[ACC_NAME_MAX] = "";
  for (size_t i = 0; i < n; i++) {
    acc_cbm_poc p;
    if (acc_cbm_poc_parse(v[i].j, &p, NULL))
      continue;
    if (!owner[0] && acc_cbm_added_by(ctx->st, &v[i].r, p.org))
      snprintf(owner, sizeof owner, "%s", p.org);
    if (owner[0] && !strcmp(p.org, owner) &&
        acc_cbm_added_by(ctx->st, &v[i].r, owner))
      pick = i;
    acc_cbm_poc_clear(&p);
  }
  *out = json_incref(v[pick].j);
  *rec = v[pick].r;
  acc_cbm_versions_free(v, n);
  return ACC_OK;
}

acc_rc acc_cbm_poc_confirm(const acc_cbm_ctx *ctx, const char *ref,
                           acc_diag *d) {
  acc_rc rc = acc_cbm_index_update(ctx->st, d);
  char id[ACC_ID_MAX];
  if (rc || (rc = acc_cbm_resolve(ctx, 'p', ref, id, d)))
    return rc;
  json_t *cur = NULL;
  acc_record rec;
  if ((rc = entry_of(ctx, id, &cur, &rec, d)))
    return rc;
  acc_cbm_poc p;
  memset(&p, 0, sizeof p);
  json_t *o = NULL;
  if ((rc = acc_cbm_poc_parse(cur, &p, d)))
    goto out;
  acc_cbm_actor a;
  if ((rc = acc_cbm_actor_of(ctx, p.org, &a, d)))
    goto out;
  /* Only the organisation that published the entry confirms it (a pin,
   * added by the instance, only the operator). */
  if (rec.origin_oid == 0 ? !a.operator : rec.origin_oid != a.oid) {
    rc = acc_diag_set(
        d, ACC_EINVAL, "only %s, whose entry it is, may confirm %s",
        rec.origin_oid == 0 ? "this instance's operator" : p.org, id);
    goto out;
  }
  if ((rc = acc_cbm_may_write(ctx, &a, rec.collection, d)))
    goto out;
  int64_t now = acc_cbm_ctx_now(ctx);
  int64_t t = now;
  if (p.modified_us != ACC_TIME_NONE && t <= p.modified_us)
    t = p.modified_us - p.modified_us % 1000 + 1000;
  o = json_deep_copy(cur);
  json_t *ext = json_object_get(json_object_get(o, "extensions"), ACC_EXT_CBM);
  json_object_set_new(ext, "confirmed", acc_cbm_ts(now));
  json_object_set_new(o, "modified", acc_cbm_ts(t));
  int signed_ok;
  if ((rc = maybe_sign(ctx, a.org, o, &signed_ok, d)))
    goto out;
  json_t *objs = json_pack("[O]", o);
  rc = acc_cbm_store(ctx, objs, rec.collection, rec.origin_oid,
                     rec.origin_oid ? a.uid : 0, d);
  json_decref(objs);
out:
  json_decref(o);
  acc_cbm_poc_clear(&p);
  json_decref(cur);
  return rc;
}

/* ---- reading ---- */

typedef struct list_ctx {
  const acc_cbm_ctx *ctx;
  int due_only;
  acc_cbm_poc_cb cb;
  void *cbctx;
  int64_t now, period;
  int64_t *peer_oids;
  size_t n_peer_oids;
  int stop;
  acc_rc rc;
  acc_diag *d;
} list_ctx;

static int is_peer(const list_ctx *x, int64_t oid) {
  for (size_t i = 0; oid > 0 && i < x->n_peer_oids; i++)
    if (x->peer_oids[i] == oid)
      return 1;
  return 0;
}

/* One entry as x's reader sees it; 0 when invisible or malformed. */
static int view_of(list_ctx *x, const char *id, acc_cbm_poc_view *v) {
  json_t *j = NULL;
  acc_record rec;
  acc_diag gd;
  memset(v, 0, sizeof *v);
  if (entry_of(x->ctx, id, &j, &rec, &gd))
    return 0;
  int ok = acc_cbm_poc_parse(j, &v->p, &gd) == ACC_OK;
  if (ok) {
    char key[ACC_KEY_PUB_TEXT_MAX];
    v->sig = acc_cbm_verify(j, key);
    if (v->sig == ACC_CBM_SIG_OK &&
        (!v->p.public_key || strcmp(key, v->p.public_key)))
      v->sig = ACC_CBM_SIG_BAD;
    acc_case_org_name(x->ctx->st, rec.origin_oid, v->origin_org,
                      sizeof v->origin_org);
    v->published = rec.origin_oid == 0 || !strcmp(v->origin_org, v->p.org);
    v->age_us = x->now - v->p.confirmed_us;
    v->due = !v->p.revoked && v->age_us > x->period;
    const acc_principal *who = x->ctx->rd->who;
    v->own = who->uid == -1 ? !is_peer(x, rec.origin_oid)
                            : rec.origin_oid == who->oid && who->oid > 0;
  }
  json_decref(j);
  return ok;
}

static int on_poc_row(void *ctx, const acc_cbm_row *r) {
  list_ctx *x = ctx;
  acc_cbm_poc_view *v = malloc(sizeof *v);
  if (!v) {
    x->rc = ACC_ENOMEM;
    return 1;
  }
  if (view_of(x, r->id, v)) {
    if ((!x->due_only || v->due) && x->cb(x->cbctx, v))
      x->stop = 1;
    acc_cbm_poc_clear(&v->p);
  }
  free(v);
  return x->stop;
}

static acc_rc list_init(const acc_cbm_ctx *ctx, list_ctx *x, acc_diag *d) {
  memset(x, 0, sizeof *x);
  x->ctx = ctx;
  x->d = d;
  x->now = acc_cbm_ctx_now(ctx);
  acc_rc rc = acc_cbm_index_update(ctx->st, d);
  if (!rc)
    rc = acc_cbm_period(ctx->st, &x->period, d);
  if (rc)
    return rc;
  int64_t few[64];
  size_t n = 0;
  if ((rc = ctx->st->ops->peer_orgs(ctx->st, few, 64, &n, d)))
    return rc;
  x->peer_oids = malloc((n ? n : 1) * sizeof *x->peer_oids);
  if (!x->peer_oids)
    return ACC_ENOMEM;
  if (n > 64 && (rc = ctx->st->ops->peer_orgs(ctx->st, x->peer_oids, n, &n, d)))
    return rc;
  if (n <= 64)
    memcpy(x->peer_oids, few, n * sizeof *few);
  x->n_peer_oids = n;
  return ACC_OK;
}

acc_rc acc_cbm_poc_list(const acc_cbm_ctx *ctx, const char *org, int due_only,
                        acc_cbm_poc_cb cb, void *cbctx, acc_diag *d) {
  list_ctx x;
  acc_rc rc = list_init(ctx, &x, d);
  if (!rc) {
    x.due_only = due_only;
    x.cb = cb;
    x.cbctx = cbctx;
    rc = ctx->st->ops->cbm_list(ctx->st, 'p', org, on_poc_row, &x, d);
    if (x.rc)
      rc = acc_diag_set(d, x.rc, "listing points of contact");
    else if (x.stop)
      rc = ACC_OK; /* stopped by the callback */
  }
  free(x.peer_oids);
  return rc;
}

acc_rc acc_cbm_poc_show(const acc_cbm_ctx *ctx, const char *ref,
                        acc_cbm_poc_cb cb, void *cbctx, acc_diag *d) {
  list_ctx x;
  char id[ACC_ID_MAX];
  acc_rc rc = list_init(ctx, &x, d);
  if (!rc)
    rc = acc_cbm_resolve(ctx, 'p', ref, id, d);
  acc_cbm_poc_view *v = rc ? NULL : malloc(sizeof *v);
  if (!rc && !v)
    rc = ACC_ENOMEM;
  if (!rc) {
    if (view_of(&x, id, v)) {
      cb(cbctx, v);
      acc_cbm_poc_clear(&v->p);
    } else {
      rc = acc_diag_set(d, ACC_ENOTFOUND, "no point of contact %s", id);
    }
  }
  free(v);
  free(x.peer_oids);
  return rc;
}

json_t *acc_cbm_poc_json(const acc_cbm_poc_view *v) {
  const acc_cbm_poc *p = &v->p;
  json_t *ch = json_array();
  for (size_t i = 0; i < p->n_channels; i++)
    json_array_append_new(ch,
                          json_pack("{s:s,s:s}", "type", p->channels[i].type,
                                    "value", p->channels[i].value));
  json_t *langs = json_array();
  for (size_t i = 0; i < p->n_languages; i++)
    json_array_append_new(langs, json_string(p->languages[i]));
  char key_id[ACC_KEY_ID_LEN] = "";
  unsigned char pk[32];
  if (p->public_key && !acc_key_public_parse(p->public_key, pk, NULL))
    acc_key_id(pk, key_id);
  json_t *j = json_pack(
      "{s:s,s:s,s:s,s:s,s:s?,s:s?,s:o,s:o,s:s?,s:b,s:s?,s:s?,s:o,s:o,s:I,"
      "s:b,s:s,s:s,s:b,s:b}",
      "id", p->id, "org", p->org, "level", p->level, "name", p->name, "role",
      p->role, "country", p->country, "channels", ch, "languages", langs,
      "hours", p->hours, "always_available", p->always, "public_key",
      p->public_key, "key_id", key_id[0] ? key_id : NULL, "confirmed",
      acc_cbm_ts(p->confirmed_us), "modified", acc_cbm_ts(p->modified_us),
      "age_days", (json_int_t)(v->age_us / (INT64_C(86400) * 1000000)),
      "confirmation_due", v->due, "signature",
      v->sig == ACC_CBM_SIG_OK    ? "valid"
      : v->sig == ACC_CBM_SIG_BAD ? "invalid"
                                  : "unsigned",
      "added_by", v->origin_org[0] ? v->origin_org : "(this instance)",
      "published_by_its_organisation", v->published, "yours_to_confirm",
      v->own);
  return j;
}
