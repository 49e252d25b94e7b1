/*
 * consult.c — opening a consultation and answering it (OSCE CBMs 3 and
 * 13): every message is a new STIX note, signed with the sending
 * organisation's key, marked TLP:AMBER+STRICT with Accord's sharing
 * extension naming exactly the two parties and the observers, and stored
 * through acc_ingest with the sending organisation as originator.  That
 * marking is what keeps the channel closed: the enforcement point
 * releases the note to those organisations only, on every way out (TAXII,
 * exports, federation push and pull), and federation passes
 * AMBER+STRICT on only from the instance where it was written — so each
 * party's messages reach the other party and the observers directly from
 * their writer, and never anyone else, whatever the topology.
 *
 * Before a message is written the thread is loaded as the sender sees it
 * and the state machine asked whether the message may be sent now (a
 * late acknowledgement is refused here, as it would be refused by every
 * reader's replay).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "cbm/cbm_int.h"
#include "policy/policy.h"
#include "util/time.h"

/* ---- the opening's specification ---- */

static acc_rc opt_str(json_t *spec, const char *key, int required, size_t max,
                      acc_diag *d) {
  json_t *v = json_object_get(spec, key);
  if (!v)
    return required ? acc_diag_set(d, ACC_EINVAL, "'%s' is required", key)
                    : ACC_OK;
  if (!json_is_string(v) || json_string_length(v) == 0 ||
      json_string_length(v) > max ||
      strlen(json_string_value(v)) != json_string_length(v))
    return acc_diag_set(d, ACC_EINVAL,
                        "'%s': expected a string of 1 to %zu bytes", key, max);
  return ACC_OK;
}

static acc_rc str_list(json_t *spec, const char *key, size_t max,
                       size_t max_len, acc_diag *d) {
  json_t *a = json_object_get(spec, key);
  if (!a)
    return ACC_OK;
  if (!json_is_array(a) || json_array_size(a) > max)
    return acc_diag_set(d, ACC_EINVAL, "'%s': a list of at most %zu strings",
                        key, max);
  size_t i;
  json_t *v;
  json_array_foreach(a, i, v) {
    if (!json_is_string(v) || json_string_length(v) == 0 ||
        json_string_length(v) > max_len)
      return acc_diag_set(d, ACC_EINVAL, "'%s[%zu]': expected a string", key,
                          i);
  }
  return ACC_OK;
}

acc_rc acc_cbm_open_check(json_t *spec, acc_diag *d) {
  static const char *const known[] = {
      "to",         "kind",   "urgency",       "subject",
      "message",    "refs",   "observers",     "poc",
      "ack_within", "ack_by", "answer_within", "answer_by",
      "org",        NULL};
  if (!json_is_object(spec))
    return acc_diag_set(d, ACC_EINVAL, "expected a JSON object");
  const char *k;
  json_t *v;
  json_object_foreach(spec, k, v) {
    if (!acc_cbm_in(known, k))
      return acc_diag_set(d, ACC_EINVAL, "unknown member '%s'", k);
  }
  acc_rc rc;
  if ((rc = opt_str(spec, "to", 1, ACC_NAME_MAX - 1, d)) ||
      (rc = opt_str(spec, "kind", 1, 64, d)) ||
      (rc = opt_str(spec, "urgency", 0, 16, d)) ||
      (rc = opt_str(spec, "subject", 1, 1024, d)) ||
      (rc = opt_str(spec, "message", 1, ACC_CBM_TEXT_MAX, d)) ||
      (rc = opt_str(spec, "poc", 0, ACC_ID_MAX - 1, d)) ||
      (rc = opt_str(spec, "ack_within", 0, 32, d)) ||
      (rc = opt_str(spec, "ack_by", 0, 64, d)) ||
      (rc = opt_str(spec, "answer_within", 0, 32, d)) ||
      (rc = opt_str(spec, "answer_by", 0, 64, d)) ||
      (rc = opt_str(spec, "org", 0, ACC_NAME_MAX - 1, d)) ||
      (rc = str_list(spec, "refs", ACC_CBM_MAX_REFS, ACC_ID_MAX - 1, d)) ||
      (rc = str_list(spec, "observers", ACC_CBM_MAX_OBSERVERS, ACC_NAME_MAX - 1,
                     d)))
    return rc;
  const char *kind = json_string_value(json_object_get(spec, "kind"));
  char list[256];
  if (!acc_cbm_in(acc_cbm_kinds, kind)) {
    acc_cbm_list_text(acc_cbm_kinds, list, sizeof list);
    return acc_diag_set(d, ACC_EINVAL, "'kind': '%s' is not one of %s", kind,
                        list);
  }
  const char *urg = json_string_value(json_object_get(spec, "urgency"));
  if (urg && !acc_cbm_urgency_find(urg))
    return acc_diag_set(d, ACC_EINVAL,
                        "'urgency': '%s' is not routine, priority, urgent or "
                        "critical",
                        urg);
  if (json_object_get(spec, "ack_within") && json_object_get(spec, "ack_by"))
    return acc_diag_set(d, ACC_EINVAL, "give ack_within or ack_by, not both");
  if (json_object_get(spec, "answer_within") &&
      json_object_get(spec, "answer_by"))
    return acc_diag_set(d, ACC_EINVAL,
                        "give answer_within or answer_by, not both");
  static const char *const durs[] = {"ack_within", "answer_within"};
  static const char *const stamps[] = {"ack_by", "answer_by"};
  for (int i = 0; i < 2; i++) {
    const char *s = json_string_value(json_object_get(spec, durs[i]));
    int64_t us;
    if (s && acc_cbm_duration(s, &us, d)) {
      acc_diag_prefix(d, "'%s': ", durs[i]);
      return ACC_EINVAL;
    }
    s = json_string_value(json_object_get(spec, stamps[i]));
    if (s && acc_time_parse(s, strlen(s), 1, &us))
      return acc_diag_set(d, ACC_EINVAL, "'%s': '%s' is not a timestamp",
                          stamps[i], s);
  }
  const char *poc = json_string_value(json_object_get(spec, "poc"));
  if (poc && !acc_stix_id_valid(poc, "identity"))
    return acc_diag_set(d, ACC_EINVAL,
                        "'poc': expected the id of a point of contact "
                        "(identity--...)");
  size_t i;
  json_array_foreach(json_object_get(spec, "refs"), i, v) {
    if (!acc_stix_id_valid(json_string_value(v), NULL))
      return acc_diag_set(d, ACC_EINVAL, "'refs[%zu]': '%s' is not a STIX id",
                          i, json_string_value(v));
  }
  return ACC_OK;
}

/* A deadline: opened + within, or by, or opened + the urgency's. */
static int64_t deadline(json_t *spec, const char *within, const char *by,
                        int64_t opened, int64_t dflt) {
  const char *s = json_string_value(json_object_get(spec, within));
  int64_t us;
  if (s && !acc_cbm_duration(s, &us, NULL))
    return opened + us;
  s = json_string_value(json_object_get(spec, by));
  if (s && !acc_time_parse(s, strlen(s), 1, &us))
    return us - us % 1000;
  return opened + dflt;
}

/* ---- what the messages share ---- */

static acc_rc load_key(const acc_cbm_ctx *ctx, const acc_cbm_actor *a,
                       acc_org_key *k, acc_diag *d) {
  acc_rc rc = acc_key_load(ctx->data_dir, a->org, k, d);
  if (rc == ACC_ENOTFOUND)
    return acc_diag_set(d, ACC_ENOTFOUND,
                        "%s has no signing key here, and every consultation "
                        "message is signed: run `accord key generate --org "
                        "%s`, then publish the key in a point-of-contact "
                        "entry (`accord poc add`)",
                        a->org, a->org);
  return rc;
}

/* The note of a message, without its signature.  ext is taken over
 * unless NULL is returned. */
static json_t *note(const acc_cbm_actor *a, int64_t t, const char *abstract,
                    const char *text, json_t *object_refs, json_t *recipients,
                    json_t *ext) {
  char id[ACC_ID_MAX];
  acc_case_uuid4("note", id);
  json_t *o = json_pack(
      "{s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:[s],s:O,s:[s]}", "type", "note",
      "spec_version", "2.1", "id", id, "created", acc_cbm_ts(t), "modified",
      acc_cbm_ts(t), "created_by_ref", a->identity, "abstract", abstract,
      "content", text, "authors", a->user, "object_refs", object_refs,
      "object_marking_refs", acc_tlp_marking_id(ACC_TLP_AMBER_STRICT));
  if (!o)
    return NULL;
  json_t *sh = json_pack("{s:s,s:O}", "extension_type", "property-extension",
                         "recipient_orgs", recipients);
  json_object_set_new(ext, "extension_type", json_string("property-extension"));
  json_object_set_new(ext, "kind", json_string("consultation-message"));
  json_object_set_new(
      o, "extensions",
      json_pack("{s:o,s:o}", ACC_EXT_SHARING, sh, ACC_EXT_CBM, ext));
  return o;
}

/* Sign and store one message. */
static acc_rc send_msg(const acc_cbm_ctx *ctx, const acc_cbm_actor *a,
                       json_t *o, int64_t cid, char out[ACC_ID_MAX],
                       acc_diag *d) {
  acc_org_key k;
  acc_rc rc = load_key(ctx, a, &k, d);
  if (rc)
    return rc;
  rc = acc_cbm_sign(o, &k, d);
  acc_key_wipe(&k);
  if (rc)
    return rc;
  /* What others will parse, checked here first. */
  acc_cbm_msg m;
  if ((rc = acc_cbm_msg_parse(o, &m, d)))
    return rc;
  acc_cbm_msg_clear(&m);
  json_t *objs = json_pack("[O]", o);
  rc = acc_cbm_store(ctx, objs, cid, a->oid, a->uid, d);
  json_decref(objs);
  if (!rc)
    snprintf(out, ACC_ID_MAX, "%s",
             json_string_value(json_object_get(o, "id")));
  return rc;
}

/* ---- opening ---- */

/* A referred object as the sender sees it, and whether the responder's
 * organisation could. */
typedef struct ref_seen {
  int seen;
  acc_record r;
  char orgs[ACC_CBM_RECIPIENTS_MAX];
  char users[ACC_CBM_RECIPIENTS_MAX];
  int has_orgs, has_users;
  acc_tlp eff;
  acc_store *st;
} ref_seen;

static int on_ref(void *ctx, const acc_record *r) {
  ref_seen *x = ctx;
  if (x->seen && r->modified_us <= x->r.modified_us)
    return 0;
  x->seen = 1;
  x->r = *r;
  x->r.raw = NULL;
  x->r.id = x->r.type = x->r.spec_version = NULL;
  x->has_orgs = r->share_orgs != NULL;
  x->has_users = r->share_users != NULL;
  snprintf(x->orgs, sizeof x->orgs, "%s", r->share_orgs ? r->share_orgs : "");
  snprintf(x->users, sizeof x->users, "%s",
           r->share_users ? r->share_users : "");
  x->r.share_orgs = x->has_orgs ? x->orgs : NULL;
  x->r.share_users = x->has_users ? x->users : NULL;
  x->eff = r->tlp >= 0 ? (acc_tlp)r->tlp : ACC_TLP_NONE;
  if (x->eff == ACC_TLP_NONE) {
    acc_collection c;
    x->eff = ACC_TLP_AMBER;
    if (x->st->ops->coll_by_cid(x->st, r->collection, &c, NULL) == ACC_OK &&
        c.default_marking[0] &&
        acc_tlp_of_marking(c.default_marking) != ACC_TLP_NONE)
      x->eff = acc_tlp_of_marking(c.default_marking);
  }
  return 0;
}

static void principal_of_org(const acc_org *o, acc_principal *p) {
  memset(p, 0, sizeof *p);
  p->uid = -3; /* stands for the organisation: never a user, never the
                  operator, never anonymous */
  p->oid = o->oid;
  snprintf(p->user, sizeof p->user, "org:%.100s", o->name);
  snprintf(p->org, sizeof p->org, "%s", o->name);
  snprintf(p->org_identity, sizeof p->org_identity, "%s", o->identity_ref);
  p->org_member = o->member;
}

typedef struct poc_pick {
  const acc_cbm_ctx *ctx;
  const char *level; /* the level wanted; another will do if none is */
  char id[ACC_ID_MAX];
  int exact;
} poc_pick;

static int on_poc_row(void *ctx, const acc_cbm_row *r) {
  poc_pick *x = ctx;
  int match = !strcmp(r->action, x->level);
  if (r->revoked || (!match && x->id[0]))
    return 0;
  json_t *j = NULL;
  acc_diag gd;
  if (acc_cbm_get(x->ctx, r->id, &j, NULL, &gd))
    return 0; /* not for this reader */
  json_decref(j);
  snprintf(x->id, sizeof x->id, "%s", r->id);
  x->exact = match;
  return match;
}

acc_rc acc_cbm_open(const acc_cbm_ctx *ctx, json_t *spec, int64_t collection,
                    char out[ACC_ID_MAX], json_t **warnings, acc_diag *d) {
  acc_rc rc = acc_cbm_open_check(spec, d);
  if (rc)
    return rc;
  acc_cbm_actor a;
  if ((rc = acc_cbm_actor_of(
           ctx, json_string_value(json_object_get(spec, "org")), &a, d)) ||
      (rc = acc_cbm_may_write(ctx, &a, collection, d)) ||
      (rc = acc_cbm_index_update(ctx->st, d)))
    return rc;
  const char *to = json_string_value(json_object_get(spec, "to"));
  acc_org to_org;
  if (!strcmp(to, a.org))
    return acc_diag_set(d, ACC_EINVAL, "%s cannot consult itself", a.org);
  if ((rc = ctx->st->ops->org_get(ctx->st, to, &to_org, d)))
    return acc_diag_set(d, rc,
                        "no organisation '%s' here: register the state to "
                        "consult (`accord org add %s`) and federate with it",
                        to, to);
  json_t *recipients = json_pack("[s,s]", a.org, to);
  json_t *obs = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(spec, "observers"), i, v) {
    const char *name = json_string_value(v);
    acc_org oo;
    if (!strcmp(name, a.org) || !strcmp(name, to)) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "observer %s is a party to the consultation", name);
      goto out;
    }
    for (size_t k = 0; k < i; k++)
      if (!strcmp(name, json_string_value(json_array_get(
                            json_object_get(spec, "observers"), k)))) {
        rc = acc_diag_set(d, ACC_EINVAL, "observer %s named twice", name);
        goto out;
      }
    if ((rc = ctx->st->ops->org_get(ctx->st, name, &oo, d))) {
      rc = acc_diag_set(d, rc, "observer: no organisation '%s' here", name);
      goto out;
    }
    json_array_append_new(obs, json_string(name));
    json_array_append_new(recipients, json_string(name));
  }

  int64_t now = acc_cbm_ctx_now(ctx);
  const char *urg = json_string_value(json_object_get(spec, "urgency"));
  const acc_cbm_urgency *u = acc_cbm_urgency_find(urg ? urg : "priority");
  int64_t ack_due = deadline(spec, "ack_within", "ack_by", now, u->ack_us);
  int64_t answer_due =
      deadline(spec, "answer_within", "answer_by", now, u->answer_us);
  if (answer_due < ack_due && !json_object_get(spec, "answer_within") &&
      !json_object_get(spec, "answer_by"))
    answer_due = ack_due;
  if ((rc = acc_cbm_deadlines_check(now, ack_due, answer_due, d)))
    goto out;

  /* What it is about: objects the sender can see, each with its TLP;
   * those the responder could not read are reported, not shared. */
  json_t *refs = json_array(), *object_refs = json_array();
  acc_principal resp;
  principal_of_org(&to_org, &resp);
  json_array_foreach(json_object_get(spec, "refs"), i, v) {
    const char *rid = json_string_value(v);
    ref_seen x;
    memset(&x, 0, sizeof x);
    x.st = ctx->st;
    acc_diag gd;
    rc =
        acc_guard_get(ctx->st, ctx->rd, 0, rid, ACC_TIME_NONE, on_ref, &x, &gd);
    if (rc || !x.seen) {
      rc = acc_diag_set(d, ACC_ENOTFOUND,
                        "refs: no object with id %s (it must be stored here "
                        "and visible to %s)",
                        rid, a.user);
      json_decref(refs);
      json_decref(object_refs);
      goto out;
    }
    char type[64];
    snprintf(type, sizeof type, "%.*s", (int)(strstr(rid, "--") - rid), rid);
    json_array_append_new(refs, json_pack("{s:s,s:s,s:s}", "ref", rid, "type",
                                          type, "tlp", acc_tlp_name(x.eff)));
    json_array_append_new(object_refs, json_string(rid));
    if (warnings && !acc_guard_visible(ctx->st, &resp, &x.r)) {
      if (!*warnings)
        *warnings = json_array();
      char w[512];
      snprintf(w, sizeof w,
               "%s (TLP:%s) is not shared with %s: it will see the "
               "reference, not the object (share it with %s first if it "
               "should)",
               rid, acc_tlp_name(x.eff), to, to);
      json_array_append_new(*warnings, json_string(w));
    }
  }

  /* Whom it is addressed to: the point of contact given, else one of the
   * responder's at the level the kind calls for. */
  const char *kind = json_string_value(json_object_get(spec, "kind"));
  poc_pick pp = {.ctx = ctx,
                 .level =
                     !strcmp(kind, "clarification") ? "policy" : "technical"};
  const char *poc = json_string_value(json_object_get(spec, "poc"));
  if (poc) {
    snprintf(pp.id, sizeof pp.id, "%s", poc);
  } else {
    rc = ctx->st->ops->cbm_list(ctx->st, 'p', to, on_poc_row, &pp, d);
    if (pp.exact)
      rc = ACC_OK; /* stopped at the first of the right level */
    if (rc) {
      json_decref(refs);
      json_decref(object_refs);
      goto out;
    }
  }
  if (pp.id[0])
    json_array_append_new(object_refs, json_string(pp.id));
  if (json_array_size(object_refs) == 0) {
    char ident[ACC_ID_MAX];
    if ((rc = acc_case_org_identity(ctx->st, to, ident, d))) {
      json_decref(refs);
      json_decref(object_refs);
      goto out;
    }
    json_array_append_new(object_refs, json_string(ident));
  }

  const char *subject = json_string_value(json_object_get(spec, "subject"));
  json_t *ext =
      json_pack("{s:s,s:s,s:s,s:s,s:O,s:s,s:s,s:s,s:o,s:o,s:o}", "action",
                "open", "from_org", a.org, "from_user", a.user, "to_org", to,
                "observers", obs, "consultation_kind", kind, "urgency", u->key,
                "subject", subject, "ack_due", acc_cbm_ts(ack_due),
                "answer_due", acc_cbm_ts(answer_due), "refs", refs);
  if (pp.id[0])
    json_object_set_new(ext, "to_poc_ref", json_string(pp.id));
  char abstract[1200];
  snprintf(abstract, sizeof abstract, "Consultation (%s, %s): %s", kind, u->key,
           subject);
  json_t *o = note(&a, now, abstract,
                   json_string_value(json_object_get(spec, "message")),
                   object_refs, recipients, ext);
  json_decref(object_refs);
  if (!o) {
    json_decref(ext);
    rc = acc_diag_set(d, ACC_ENOMEM, "building the consultation");
    goto out;
  }
  rc = send_msg(ctx, &a, o, collection, out, d);
  json_decref(o);
out:
  json_decref(obs);
  json_decref(recipients);
  return rc;
}

/* ---- answering ---- */

acc_rc acc_cbm_respond(const acc_cbm_ctx *ctx, const char *ref,
                       acc_cbm_action act, json_t *spec, char out[ACC_ID_MAX],
                       acc_diag *d) {
  if (act == ACC_CBM_MSG_OPEN)
    return acc_diag_set(d, ACC_EINVAL, "open a consultation with open");
  json_t *msg = json_object_get(spec, "message");
  if (spec && !json_is_object(spec))
    return acc_diag_set(d, ACC_EINVAL, "expected a JSON object");
  const char *k;
  json_t *v;
  json_object_foreach(spec, k, v) {
    if (strcmp(k, "message") && strcmp(k, "org"))
      return acc_diag_set(d, ACC_EINVAL, "unknown member '%s'", k);
  }
  if (msg && (!json_is_string(msg) || json_string_length(msg) == 0 ||
              json_string_length(msg) > ACC_CBM_TEXT_MAX))
    return acc_diag_set(d, ACC_EINVAL, "'message': a text of 1 to %d bytes",
                        ACC_CBM_TEXT_MAX);
  if (act == ACC_CBM_MSG_REPLY && !msg)
    return acc_diag_set(d, ACC_EINVAL, "a reply needs a message");
  acc_cbm_actor a;
  acc_cbm_thread *t = NULL;
  acc_rc rc = acc_cbm_actor_of(
      ctx, json_string_value(json_object_get(spec, "org")), &a, d);
  if (rc || (rc = acc_cbm_thread_load(ctx, ref, &t, d)))
    return rc;
  const acc_cbm_msg *o = &t->msgs[0].m;
  acc_cbm_role role = acc_cbm_thread_role(t, a.org);
  int64_t now = acc_cbm_ctx_now(ctx);
  acc_cbm_fsm f = t->fsm;
  if (!t->opening_ok) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "consultation %s does not verify (%s): nothing can be "
                      "added to it",
                      t->id, t->msgs[0].why);
    goto out;
  }
  if ((rc = acc_cbm_fsm_apply(&f, act, role, now, d))) {
    acc_diag_prefix(d, "%s cannot %s consultation %s: ", a.org,
                    acc_cbm_action_name(act), t->id);
    goto out;
  }
  if ((rc = acc_cbm_may_write(ctx, &a, t->collection, d)))
    goto out;
  json_t *recipients = json_array();
  for (size_t i = 0; i < o->n_recipients; i++)
    json_array_append_new(recipients, json_string(o->recipients[i]));
  /* The last message that counts is the one this answers. */
  const char *prev = t->id;
  for (size_t i = 1; i < t->n_msgs; i++)
    if (t->msgs[i].verdict == ACC_CBM_COUNTED)
      prev = t->msgs[i].m.id;
  json_t *ext =
      json_pack("{s:s,s:s,s:s,s:s,s:s}", "action", acc_cbm_action_name(act),
                "consultation_ref", t->id, "from_org", a.org, "from_user",
                a.user, "in_reply_to", prev);
  static const char *const head[] = {"", "Acknowledged", "Reply", "Closed"};
  static const char *const dflt[] = {
      "", "Your request is acknowledged; an answer will follow.", "",
      "This consultation is closed."};
  char abstract[1200];
  snprintf(abstract, sizeof abstract, "%s: %s", head[act], o->subject);
  json_t *refs = json_pack("[s]", t->id);
  json_t *n = note(&a, now, abstract, msg ? json_string_value(msg) : dflt[act],
                   refs, recipients, ext);
  json_decref(refs);
  json_decref(recipients);
  if (!n) {
    json_decref(ext);
    rc = acc_diag_set(d, ACC_ENOMEM, "building the message");
    goto out;
  }
  rc = send_msg(ctx, &a, n, t->collection, out, d);
  json_decref(n);
out:
  acc_cbm_thread_free(t);
  return rc;
}
