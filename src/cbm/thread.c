/*
 * thread.c — a consultation as its reader sees it: the opening and every
 * message of the thread read through the enforcement point, each
 * signature checked against the key it names and that key against the
 * keyring (keyring.c), then the messages replayed through the state
 * machine (state.c) in a fixed order — the opening, then by created and
 * id — so that both parties, whose stores hold the same bytes, see the
 * same thread and the same state.  Views: JSON (the API and --json), a
 * one-line summary, and text for a terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "cbm/cbm_int.h"
#include "policy/policy.h"
#include "util/time.h"

#define MAX_MESSAGES 10000 /* a thread longer than this is cut (and said) */

const char *acc_cbm_verdict_name(acc_cbm_verdict v) {
  switch (v) {
  case ACC_CBM_COUNTED:
    return "counted";
  case ACC_CBM_BAD_SIGNATURE:
    return "bad-signature";
  case ACC_CBM_UNKNOWN_KEY:
    return "unknown-key";
  case ACC_CBM_WRONG_ORIGIN:
    return "wrong-origin";
  case ACC_CBM_RECIPIENTS:
    return "recipients-differ";
  case ACC_CBM_REFUSED:
    return "refused";
  }
  return "?";
}

void acc_cbm_thread_free(acc_cbm_thread *t) {
  if (!t)
    return;
  for (size_t i = 0; i < t->n_msgs; i++)
    acc_cbm_msg_clear(&t->msgs[i].m);
  free(t->msgs);
  free(t);
}

acc_cbm_role acc_cbm_thread_role(const acc_cbm_thread *t, const char *org) {
  if (!t->n_msgs || !org)
    return ACC_CBM_NOBODY;
  const acc_cbm_msg *o = &t->msgs[0].m;
  if (!strcmp(org, o->from_org))
    return ACC_CBM_REQUESTER;
  if (!strcmp(org, o->to_org))
    return ACC_CBM_RESPONDER;
  for (size_t i = 0; i < o->n_observers; i++)
    if (!strcmp(org, o->observers[i]))
      return ACC_CBM_OBSERVER;
  return ACC_CBM_NOBODY;
}

static int same_set(const char *const *a, size_t na, const char *const *b,
                    size_t nb) {
  if (na != nb)
    return 0;
  for (size_t i = 0; i < na; i++) {
    size_t j = 0;
    while (j < nb && strcmp(a[i], b[j]))
      j++;
    if (j == nb)
      return 0;
  }
  return 1;
}

/* Check one message: signature, key, origin, recipients. */
static void judge(const acc_cbm_ctx *ctx, const acc_cbm_keyring *kr,
                  const acc_cbm_msg *open, acc_cbm_tmsg *m,
                  int64_t origin_oid) {
  m->sig = acc_cbm_verify(m->m.json, m->key);
  unsigned char pk[32];
  if (m->key[0] && !acc_key_public_parse(m->key, pk, NULL))
    acc_key_id(pk, m->key_id);
  snprintf(m->origin_org, sizeof m->origin_org, "%s",
           acc_cbm_keyring_org(kr, origin_oid));
  (void)ctx;
  m->verdict = ACC_CBM_COUNTED;
  if (m->sig != ACC_CBM_SIG_OK) {
    m->verdict = ACC_CBM_BAD_SIGNATURE;
    snprintf(m->why, sizeof m->why, "%s",
             m->sig == ACC_CBM_SIG_NONE
                 ? "not signed"
                 : "the signature does not verify: the message was changed "
                   "after it was signed, or not signed with the key it "
                   "names");
  } else if (!acc_cbm_keyring_has(kr, m->m.from_org, m->key)) {
    m->verdict = ACC_CBM_UNKNOWN_KEY;
    snprintf(m->why, sizeof m->why,
             "signed with key %s, which is not a key %s published "
             "(its point-of-contact entries) or one held here",
             m->key_id, m->m.from_org);
  } else if (origin_oid != 0 && strcmp(m->origin_org, m->m.from_org)) {
    m->verdict = ACC_CBM_WRONG_ORIGIN;
    snprintf(m->why, sizeof m->why,
             "says it is from %s but was added here by %s", m->m.from_org,
             m->origin_org[0] ? m->origin_org : "an unknown organisation");
  } else if (open && !same_set(m->m.recipients, m->m.n_recipients,
                               open->recipients, open->n_recipients)) {
    m->verdict = ACC_CBM_RECIPIENTS;
    snprintf(m->why, sizeof m->why,
             "names other recipients than the consultation's parties and "
             "observers");
  }
}

static int cmp_msg(const void *a, const void *b) {
  const acc_cbm_tmsg *x = a, *y = b;
  if (x->m.created_us != y->m.created_us)
    return x->m.created_us < y->m.created_us ? -1 : 1;
  return strcmp(x->m.id, y->m.id);
}

typedef struct ids {
  char (*id)[ACC_ID_MAX];
  size_t n, cap;
  acc_rc rc;
} ids;

static int on_thread_row(void *ctx, const acc_cbm_row *r) {
  ids *x = ctx;
  if (x->n == MAX_MESSAGES)
    return 0;
  if (x->n == x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 16;
    void *n = realloc(x->id, cap * sizeof *x->id);
    if (!n) {
      x->rc = ACC_ENOMEM;
      return 1;
    }
    x->id = n;
    x->cap = cap;
  }
  snprintf(x->id[x->n++], ACC_ID_MAX, "%s", r->id);
  return 0;
}

/* Of the versions of one message, the one that counts: the oldest that
 * reads as a message of this consultation and passes judge(); else the
 * newest that reads (shown with why it does not count).  A later version
 * written by someone else — a party or an observer rewriting another's
 * message — thus never hides the message that was sent.  0 when no
 * version reads. */
static int choose(const acc_cbm_ctx *ctx, const acc_cbm_keyring *kr,
                  const acc_cbm_msg *open, const char *consultation,
                  const acc_cbm_version *v, size_t n, acc_cbm_tmsg *out,
                  acc_record *rec) {
  int have = 0;
  for (size_t i = 0; i < n; i++) {
    acc_cbm_tmsg m;
    acc_diag pd;
    memset(&m, 0, sizeof m);
    if (acc_cbm_msg_parse(v[i].j, &m.m, &pd))
      continue;
    int fits =
        open ? !strcmp(m.m.consultation, consultation) &&
                   m.m.action != ACC_CBM_MSG_OPEN
             : m.m.action == ACC_CBM_MSG_OPEN && !strcmp(m.m.id, consultation);
    if (!fits) {
      acc_cbm_msg_clear(&m.m);
      continue;
    }
    judge(ctx, kr, open, &m, v[i].r.origin_oid);
    if (have)
      acc_cbm_msg_clear(&out->m);
    *out = m;
    *rec = v[i].r;
    have = 1;
    if (m.verdict == ACC_CBM_COUNTED)
      break;
  }
  return have;
}

static acc_rc load_with(const acc_cbm_ctx *ctx, const acc_cbm_keyring *kr,
                        const char *id, acc_cbm_thread **out, acc_diag *d) {
  acc_cbm_thread *t = calloc(1, sizeof *t);
  ids x = {0};
  acc_record rec;
  acc_rc rc;
  if (!t)
    return acc_diag_set(d, ACC_ENOMEM, "loading a consultation");
  snprintf(t->id, sizeof t->id, "%s", id);
  t->now_us = acc_cbm_ctx_now(ctx);
  acc_cbm_version *v = NULL;
  size_t nv = 0;
  if ((rc = acc_cbm_versions(ctx, id, &v, &nv, d)))
    goto out;
  if ((rc = ctx->st->ops->cbm_list(ctx->st, 'm', id, on_thread_row, &x, d))) {
    acc_cbm_versions_free(v, nv);
    goto out;
  }
  if (x.rc) {
    rc = acc_diag_set(d, x.rc, "loading consultation %s", id);
    goto out;
  }
  t->msgs = calloc(x.n + 1, sizeof *t->msgs);
  int opened = t->msgs && choose(ctx, kr, NULL, id, v, nv, &t->msgs[0], &rec);
  acc_cbm_versions_free(v, nv);
  if (!t->msgs) {
    rc = acc_diag_set(d, ACC_ENOMEM, "loading consultation %s", id);
    goto out;
  }
  if (!opened) {
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no consultation %s", id);
    goto out;
  }
  t->n_msgs = 1;
  t->collection = rec.collection;
  const acc_cbm_msg *open = &t->msgs[0].m;
  for (size_t i = 0; i < x.n; i++) {
    if (!strcmp(x.id[i], id))
      continue;
    acc_diag gd;
    acc_record mr;
    if (acc_cbm_versions(ctx, x.id[i], &v, &nv, &gd))
      continue; /* not for this reader, or gone */
    if (choose(ctx, kr, open, id, v, nv, &t->msgs[t->n_msgs], &mr))
      t->n_msgs++;
    acc_cbm_versions_free(v, nv);
  }
  qsort(t->msgs + 1, t->n_msgs - 1, sizeof *t->msgs, cmp_msg);

  /* Replay. */
  acc_cbm_fsm_init(&t->fsm, open->created_us, open->ack_due_us,
                   open->answer_due_us);
  t->opening_ok = t->msgs[0].verdict == ACC_CBM_COUNTED;
  t->msgs[0].role = ACC_CBM_REQUESTER;
  if (!t->opening_ok)
    t->n_bad++;
  for (size_t i = 1; i < t->n_msgs; i++) {
    acc_cbm_tmsg *m = &t->msgs[i];
    m->role = acc_cbm_thread_role(t, m->m.from_org);
    if (m->verdict == ACC_CBM_COUNTED && !t->opening_ok) {
      m->verdict = ACC_CBM_REFUSED;
      snprintf(m->why, sizeof m->why,
               "the consultation's opening does not count");
    }
    if (m->verdict == ACC_CBM_COUNTED) {
      acc_diag fd;
      if (acc_cbm_fsm_apply(&t->fsm, m->m.action, m->role, m->m.created_us,
                            &fd)) {
        m->verdict = ACC_CBM_REFUSED;
        snprintf(m->why, sizeof m->why, "%.511s", fd.msg);
      }
    }
    if (m->verdict != ACC_CBM_COUNTED)
      t->n_bad++;
  }
  acc_cbm_fsm_tick(&t->fsm, t->now_us);

  /* What it refers to, as this reader sees it. */
  for (size_t i = 0; i < open->n_refs; i++) {
    acc_cbm_tref *r = &t->refs[t->n_refs++];
    r->ref = open->refs[i];
    json_t *rj = NULL;
    acc_record rr;
    acc_diag gd;
    if (acc_cbm_get(ctx, r->ref.id, &rj, &rr, &gd) == ACC_OK) {
      r->available = 1;
      acc_share_meta sm;
      if (acc_share_meta_from_json(rj, &sm, NULL) == ACC_OK) {
        snprintf(r->tlp_now, sizeof r->tlp_now, "%s",
                 sm.tlp == ACC_TLP_NONE ? "" : acc_tlp_name(sm.tlp));
        acc_share_meta_free(&sm);
      }
    }
    json_decref(rj);
  }
  *out = t;
  t = NULL;
out:
  free(x.id);
  acc_cbm_thread_free(t);
  return rc;
}

acc_rc acc_cbm_thread_load(const acc_cbm_ctx *ctx, const char *ref,
                           acc_cbm_thread **out, acc_diag *d) {
  char id[ACC_ID_MAX];
  acc_cbm_keyring *kr = NULL;
  acc_rc rc = acc_cbm_index_update(ctx->st, d);
  if (!rc)
    rc = acc_cbm_resolve(ctx, 'm', ref, id, d);
  if (!rc)
    rc = acc_cbm_keyring_load(ctx->st, ctx->data_dir, &kr, d);
  if (!rc)
    rc = load_with(ctx, kr, id, out, d);
  acc_cbm_keyring_free(kr);
  return rc;
}

/* ---- lists ---- */

typedef struct opening {
  char id[ACC_ID_MAX];
  int64_t t;
} opening;

typedef struct openings {
  opening *o;
  size_t n, cap;
  acc_rc rc;
} openings;

static int on_open_row(void *ctx, const acc_cbm_row *r) {
  openings *x = ctx;
  if (strcmp(r->action, "open") || strcmp(r->id, r->thread))
    return 0;
  if (x->n == x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 32;
    if (cap > 10000000) {
      x->rc = ACC_ENOMEM;
      return 1;
    }
    opening *n = realloc(x->o, cap * sizeof *n);
    if (!n) {
      x->rc = ACC_ENOMEM;
      return 1;
    }
    x->o = n;
    x->cap = cap;
  }
  snprintf(x->o[x->n].id, ACC_ID_MAX, "%s", r->id);
  x->o[x->n].t = r->t_us;
  x->n++;
  return 0;
}

static int cmp_open(const void *a, const void *b) {
  const opening *x = a, *y = b;
  if (x->t != y->t)
    return x->t < y->t ? -1 : 1;
  return strcmp(x->id, y->id);
}

acc_rc acc_cbm_list(const acc_cbm_ctx *ctx, const acc_cbm_filter *f,
                    acc_cbm_thread_cb cb, void *cbctx, acc_diag *d) {
  openings x = {0};
  acc_cbm_keyring *kr = NULL;
  acc_rc rc = acc_cbm_index_update(ctx->st, d);
  if (!rc)
    rc = acc_cbm_keyring_load(ctx->st, ctx->data_dir, &kr, d);
  if (!rc)
    rc = ctx->st->ops->cbm_list(ctx->st, 'm', NULL, on_open_row, &x, d);
  if (!rc && x.rc)
    rc = acc_diag_set(d, x.rc, "listing consultations");
  if (!rc && x.n) /* qsort(NULL, 0) is undefined */
    qsort(x.o, x.n, sizeof *x.o, cmp_open);
  for (size_t i = 0; !rc && i < x.n; i++) {
    acc_cbm_thread *t = NULL;
    acc_diag ld;
    acc_rc lrc = load_with(ctx, kr, x.o[i].id, &t, &ld);
    if (lrc == ACC_ENOTFOUND)
      continue; /* not for this reader */
    if (lrc) {
      rc = acc_diag_set(d, lrc, "%s", ld.msg);
      break;
    }
    int keep = 1;
    if (f && f->overdue_only)
      keep = t->fsm.state == ACC_CBM_EXPIRED;
    if (f && f->state >= 0 && (int)t->fsm.state != f->state)
      keep = 0;
    int stop = keep ? cb(cbctx, t) : 0;
    acc_cbm_thread_free(t);
    if (stop)
      break;
  }
  free(x.o);
  acc_cbm_keyring_free(kr);
  return rc;
}

/* ---- views ---- */

static json_t *ts_or_null(int64_t us) {
  return us == ACC_TIME_NONE ? json_null() : acc_cbm_ts(us);
}

static const char *sig_name(int s) {
  return s == ACC_CBM_SIG_OK    ? "valid"
         : s == ACC_CBM_SIG_BAD ? "invalid"
                                : "unsigned";
}

static json_t *msg_json(const acc_cbm_tmsg *m) {
  json_t *j = json_pack(
      "{s:s,s:s,s:s,s:s?,s:o,s:s,s:s?,s:s,s:s?,s:s,s:b,s:s}", "id", m->m.id,
      "action", acc_cbm_action_name(m->m.action), "from_org", m->m.from_org,
      "from_user", m->m.from_user, "created", acc_cbm_ts(m->m.created_us),
      "text", m->m.text, "in_reply_to", m->m.in_reply_to, "signature",
      sig_name(m->sig), "key_id", m->key_id[0] ? m->key_id : NULL, "key",
      m->verdict == ACC_CBM_UNKNOWN_KEY || m->sig != ACC_CBM_SIG_OK ? "unknown"
                                                                    : "trusted",
      "counted", m->verdict == ACC_CBM_COUNTED, "verdict",
      acc_cbm_verdict_name(m->verdict));
  if (m->verdict != ACC_CBM_COUNTED)
    json_object_set_new(j, "why", json_string(m->why));
  return j;
}

static json_t *overdue_json(const acc_cbm_thread *t) {
  return t->fsm.state == ACC_CBM_EXPIRED
             ? json_string(acc_cbm_missed_name(t->fsm.missed))
             : json_null();
}

json_t *acc_cbm_thread_json(const acc_cbm_thread *t) {
  const acc_cbm_msg *o = &t->msgs[0].m;
  json_t *obs = json_array();
  for (size_t i = 0; i < o->n_observers; i++)
    json_array_append_new(obs, json_string(o->observers[i]));
  json_t *refs = json_array();
  for (size_t i = 0; i < t->n_refs; i++)
    json_array_append_new(
        refs, json_pack("{s:s,s:s,s:s?,s:b}", "id", t->refs[i].ref.id, "type",
                        t->refs[i].ref.type, "tlp", t->refs[i].ref.tlp,
                        "available", t->refs[i].available));
  json_t *msgs = json_array();
  for (size_t i = 0; i < t->n_msgs; i++)
    json_array_append_new(msgs, msg_json(&t->msgs[i]));
  return json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s?,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,"
      "s:o,s:b,s:o,s:o}",
      "id", t->id, "subject", o->subject, "kind", o->kind, "urgency",
      o->urgency, "requester", o->from_org, "responder", o->to_org, "observers",
      obs, "to_poc", o->to_poc, "state", acc_cbm_state_name(t->fsm.state),
      "overdue", overdue_json(t), "opened", acc_cbm_ts(t->fsm.opened_us),
      "ack_due", acc_cbm_ts(t->fsm.ack_due_us), "answer_due",
      acc_cbm_ts(t->fsm.answer_due_us), "acknowledged",
      ts_or_null(t->fsm.acked_us), "answered", ts_or_null(t->fsm.answered_us),
      "closed", ts_or_null(t->fsm.closed_us), "expired",
      ts_or_null(t->fsm.expired_us), "verified", t->n_bad == 0, "refs", refs,
      "messages", msgs);
}

static int64_t next_due(const acc_cbm_thread *t) {
  switch (t->fsm.state) {
  case ACC_CBM_OPEN:
    return t->fsm.ack_due_us;
  case ACC_CBM_ACKNOWLEDGED:
    return t->fsm.answer_due_us;
  case ACC_CBM_EXPIRED:
    return t->fsm.expired_us;
  default:
    return ACC_TIME_NONE;
  }
}

json_t *acc_cbm_thread_summary(const acc_cbm_thread *t) {
  const acc_cbm_msg *o = &t->msgs[0].m;
  return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:I,s:b}", "id",
                   t->id, "subject", o->subject, "kind", o->kind, "urgency",
                   o->urgency, "requester", o->from_org, "responder", o->to_org,
                   "state", acc_cbm_state_name(t->fsm.state), "overdue",
                   overdue_json(t), "opened", acc_cbm_ts(t->fsm.opened_us),
                   "due", ts_or_null(next_due(t)), "messages",
                   (json_int_t)t->n_msgs, "verified", t->n_bad == 0);
}

static void upper(const char *s, char *out, size_t size) {
  size_t i = 0;
  for (; s[i] && i + 1 < size; i++)
    out[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
  out[i] = '\0';
}

acc_rc acc_cbm_thread_text(const acc_cbm_thread *t, acc_buf *b) {
  const acc_cbm_msg *o = &t->msgs[0].m;
  char st[32], a[ACC_TIME_BUFSZ], c[ACC_TIME_BUFSZ], e[ACC_TIME_BUFSZ];
  upper(acc_cbm_state_name(t->fsm.state), st, sizeof st);
  acc_rc rc = acc_buf_printf(b, "consultation %s  [%s", t->id, st);
  if (!rc && t->fsm.state == ACC_CBM_EXPIRED) {
    acc_time_format_ms(t->fsm.expired_us, e);
    rc = acc_buf_printf(b, ": no %s by %s", acc_cbm_missed_name(t->fsm.missed),
                        e);
  }
  if (!rc && t->fsm.closed_us != ACC_TIME_NONE &&
      t->fsm.missed != ACC_CBM_MISSED_NONE)
    rc = acc_buf_printf(b, " (after a missed %s)",
                        acc_cbm_missed_name(t->fsm.missed));
  acc_time_format_ms(t->fsm.opened_us, a);
  acc_time_format_ms(t->fsm.ack_due_us, c);
  acc_time_format_ms(t->fsm.answer_due_us, e);
  if (!rc)
    rc = acc_buf_printf(b, "]\n  %s\n  %s, urgency %s\n  %s -> %s%s%s%s\n",
                        o->subject, o->kind, o->urgency, o->from_org, o->to_org,
                        o->to_poc ? " (point of contact " : "",
                        o->to_poc ? o->to_poc : "", o->to_poc ? ")" : "");
  for (size_t i = 0; !rc && i < o->n_observers; i++)
    rc =
        acc_buf_printf(b, "%s%s%s", i ? ", " : "  observers: ", o->observers[i],
                       i + 1 == o->n_observers ? "\n" : "");
  if (!rc)
    rc = acc_buf_printf(b,
                        "  opened %s; acknowledgement due %s; answer due "
                        "%s\n",
                        a, c, e);
  for (size_t i = 0; !rc && i < t->n_refs; i++) {
    const acc_cbm_tref *r = &t->refs[i];
    rc =
        acc_buf_printf(b, "  refers to %s (%s%s%s)%s\n", r->ref.id, r->ref.type,
                       r->ref.tlp ? ", TLP:" : "", r->ref.tlp ? r->ref.tlp : "",
                       r->available ? "" : "  [not available to you]");
  }
  for (size_t i = 0; !rc && i < t->n_msgs; i++) {
    const acc_cbm_tmsg *m = &t->msgs[i];
    acc_time_format_ms(m->m.created_us, a);
    rc = acc_buf_printf(
        b, "\n  %zu. %s  %s  %s%s%s%s  signature %s%s%s%s\n", i + 1, a,
        acc_cbm_action_name(m->m.action), m->m.from_org,
        m->m.from_user ? " (" : "", m->m.from_user ? m->m.from_user : "",
        m->m.from_user ? ")" : "", sig_name(m->sig),
        m->key_id[0] ? " (key " : "", m->key_id, m->key_id[0] ? ")" : "");
    if (!rc && m->verdict != ACC_CBM_COUNTED)
      rc = acc_buf_printf(b, "     NOT COUNTED (%s): %s\n",
                          acc_cbm_verdict_name(m->verdict), m->why);
    /* The text, indented. */
    const char *p = m->m.text;
    while (!rc && p && *p) {
      size_t n = strcspn(p, "\n");
      rc = acc_buf_printf(b, "     %.*s\n", (int)n, p);
      p += n;
      if (*p == '\n')
        p++;
    }
  }
  if (!rc && t->n_bad)
    rc = acc_buf_printf(b, "\n  %zu message%s not counted (see above)\n",
                        t->n_bad, t->n_bad == 1 ? "" : "s");
  return rc;
}
