/*
 * index.c — the store's confidence-building index (store.h, acc_cbm_row),
 * brought up to date from the objects themselves.
 *
 * Messages and points of contact arrive by every way content enters a
 * store (`accord import`, TAXII POST, federation pull, this subsystem's
 * own writes), all through acc_ingest.  Rather than hook each of them,
 * the index follows the store: every reader first indexes the notes and
 * identities added since the last time (a watermark on date_added, which
 * rises strictly across writers), keeping for each confidence-building
 * object the metadata deadlines, lists and metrics need and whether its
 * signature checks with the key it names.  This is internal index
 * building, never an answer to anyone: it is one of the few places
 * allowed to read the store without the sharing policy
 * (store/store_raw.h, see tests/cli/test_structure.sh); everything shown
 * to a reader is read again through the guard.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "cbm/cbm_int.h"
#include "store/store_raw.h"
#include "util/time.h"

#define WATERMARK "cbm.indexed_after" /* meta key: last date_added seen */
#define ROUND 500                     /* records per scan */
#define MAX_ROUNDS 1000000            /* bound: 500 million objects */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "|a|b|" of the names, sorted, so two lists compare as strings. */
static void joined(const char *const *names, size_t n, char *out, size_t size) {
  const char *sorted[2 + ACC_CBM_MAX_OBSERVERS];
  if (n > sizeof sorted / sizeof sorted[0])
    n = sizeof sorted / sizeof sorted[0];
  memcpy(sorted, names, n * sizeof *names);
  qsort(sorted, n, sizeof *sorted, cmp_str);
  size_t k = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n && k < size; i++) {
    int w = snprintf(out + k, size - k, "%s%s|", i ? "" : "|", sorted[i]);
    if (w < 0 || (size_t)w >= size - k) {
      out[0] = '\0'; /* too long to compare: never equal to a real list */
      return;
    }
    k += (size_t)w;
  }
}

int acc_cbm_index_row(json_t *obj, acc_cbm_row *row) {
  memset(row, 0, sizeof *row);
  row->t_us = row->due1_us = row->due2_us = ACC_TIME_NONE;
  const char *mod = json_string_value(json_object_get(obj, "modified"));
  if (!mod || acc_time_parse(mod, strlen(mod), 0, &row->modified_us))
    row->modified_us = ACC_TIME_NONE;
  char key[ACC_KEY_PUB_TEXT_MAX];
  switch (acc_cbm_kind_of(obj)) {
  case 'p': {
    acc_cbm_poc p;
    if (acc_cbm_poc_parse(obj, &p, NULL))
      return 0;
    row->kind = 'p';
    snprintf(row->id, sizeof row->id, "%s", p.id);
    snprintf(row->action, sizeof row->action, "%s", p.level);
    snprintf(row->org, sizeof row->org, "%s", p.org);
    snprintf(row->public_key, sizeof row->public_key, "%s",
             p.public_key ? p.public_key : "");
    /* A contact's key is proven by the entry's signature with that very
     * key: whoever published it holds the secret. */
    row->sig = acc_cbm_verify(obj, key);
    if (row->sig == ACC_CBM_SIG_OK &&
        (!p.public_key || strcmp(key, p.public_key)))
      row->sig = ACC_CBM_SIG_BAD;
    row->t_us = p.modified_us;
    row->due1_us = p.confirmed_us;
    row->revoked = p.revoked;
    acc_cbm_poc_clear(&p);
    return 1;
  }
  case 'm': {
    acc_cbm_msg m;
    if (acc_cbm_msg_parse(obj, &m, NULL))
      return 0;
    row->kind = 'm';
    snprintf(row->id, sizeof row->id, "%s", m.id);
    snprintf(row->thread, sizeof row->thread, "%s", m.consultation);
    snprintf(row->action, sizeof row->action, "%s",
             acc_cbm_action_name(m.action));
    snprintf(row->org, sizeof row->org, "%s", m.from_org);
    snprintf(row->to_org, sizeof row->to_org, "%s", m.to_org ? m.to_org : "");
    joined(m.recipients, m.n_recipients, row->recipients,
           sizeof row->recipients);
    row->sig = acc_cbm_verify(obj, key);
    snprintf(row->public_key, sizeof row->public_key, "%s", key);
    row->t_us = m.created_us;
    if (m.action == ACC_CBM_MSG_OPEN) {
      row->due1_us = m.ack_due_us;
      row->due2_us = m.answer_due_us;
    }
    acc_cbm_msg_clear(&m);
    return 1;
  }
  default:
    return 0;
  }
}

typedef struct round {
  acc_cbm_row *rows; /* grown as rows are found (at most ROUND) */
  size_t n, cap;
  size_t seen;
  int64_t last;
  int nomem;
} round;

static int on_record(void *ctx, const acc_record *r) {
  round *x = ctx;
  x->seen++;
  x->last = r->date_added_us;
  if (acc_cbm_kind_of_text(r->raw, r->raw_len) == 0)
    return 0; /* no confidence-building extension: nothing to parse */
  json_t *j = json_loadb(r->raw, r->raw_len, 0, NULL);
  if (!j)
    return 0;
  if (x->n == x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 8;
    acc_cbm_row *n = realloc(x->rows, cap * sizeof *n);
    if (!n) {
      json_decref(j);
      x->nomem = 1;
      return 1;
    }
    x->rows = n;
    x->cap = cap;
  }
  acc_cbm_row *row = &x->rows[x->n];
  if (acc_cbm_index_row(j, row)) {
    row->origin_oid = r->origin_oid;
    row->collection = r->collection;
    x->n++;
  }
  json_decref(j);
  return 0;
}

/* Whether raw text can hold the extension at all (a memmem for its id),
 * so that most notes and identities are not parsed. */
int acc_cbm_kind_of_text(const char *raw, size_t len) {
  static const char id[] = ACC_EXT_CBM;
  return raw && memmem(raw, len, id, sizeof id - 1) != NULL;
}

/* A row worth keeping: its signature checks with the key it names, and
 * it was added by the organisation it speaks for (or by the operator). */
static int good(acc_store *s, const acc_cbm_row *r) {
  if (r->sig != ACC_CBM_SIG_OK)
    return 0;
  if (r->origin_oid == 0)
    return 1;
  char name[ACC_NAME_MAX];
  acc_case_org_name(s, r->origin_oid, name, sizeof name);
  return !strcmp(name, r->org);
}

/*
 * Which version's row stands, when an object has several: anyone who may
 * write to a collection can add a later version of any id, so "the
 * latest" would let a third party hide a message or replace a contact's
 * key.  A good row (above) is replaced only by a good one: for a message,
 * an older one (a message is what was first sent; Accord never versions
 * one); for a point of contact, a newer one of the same organisation.
 */
static int stands(acc_store *s, const acc_cbm_row *n) {
  acc_cbm_row *old = malloc(sizeof *old);
  if (!old)
    return 1;
  int put = 1;
  if (s->ops->cbm_get(s, n->id, old, NULL) == ACC_OK && good(s, old)) {
    if (!good(s, n) || old->kind != n->kind)
      put = 0;
    else if (n->kind == 'm')
      put = n->modified_us < old->modified_us;
    else
      put = !strcmp(n->org, old->org) && n->modified_us >= old->modified_us;
  }
  free(old);
  return put;
}

static int64_t watermark(acc_store *s) {
  char v[32];
  if (s->ops->meta_get(s, WATERMARK, v, sizeof v, NULL))
    return ACC_TIME_NONE;
  char *end;
  long long t = strtoll(v, &end, 10);
  return *end || end == v ? ACC_TIME_NONE : (int64_t)t;
}

acc_rc acc_cbm_index_update(acc_store *s, acc_diag *d) {
  acc_rc rc = ACC_OK;
  round x = {0};
  for (long i = 0; i < MAX_ROUNDS; i++) {
    acc_query q;
    acc_query_init(&q);
    q.types[0] = "note";
    q.types[1] = "identity";
    q.n_types = 2;
    q.version = ACC_VER_ALL; /* a version that counts may not be the
                                latest: see stands() */
    q.added_after_us = watermark(s);
    q.limit = ROUND;
    x.n = x.seen = 0;
    rc = acc_store_scan(s, &q, on_record, &x, d);
    if (x.nomem)
      rc = acc_diag_set(d, ACC_ENOMEM, "indexing consultations");
    if (rc)
      break;
    if (x.seen == 0)
      break;
    /* Records committed after this scan are all added later than those
     * it saw (one writer at a time, date_added rising), so moving the
     * watermark to the last one seen loses nothing. */
    if ((rc = acc_store_begin(s, d)))
      break;
    for (size_t k = 0; k < x.n && !rc; k++)
      if (stands(s, &x.rows[k]))
        rc = s->ops->cbm_put(s, &x.rows[k], d);
    if (!rc && watermark(s) < x.last) {
      char v[32];
      snprintf(v, sizeof v, "%" PRId64, x.last);
      rc = s->ops->meta_set(s, WATERMARK, v, d);
    }
    if (rc) {
      acc_store_rollback(s);
      break;
    }
    if ((rc = acc_store_commit(s, d)))
      break;
    if (x.seen < ROUND)
      break;
  }
  free(x.rows);
  return rc;
}
