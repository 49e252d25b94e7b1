/*
 * sqlite_correlate.c — the SQLite side of correlation and of the
 * anonymiser lists (store/store_corr.h explains the model).
 *
 * Layout, chosen for size (the index must stay far below MISP's pairwise
 * correlation table):
 *   corr_values(vid INTEGER PRIMARY KEY, kind, text)   one row per value;
 *     vid is the value itself for IPv4 (1<<40 | address<<8 | prefix; the
 *     text is left empty, the id says it all), so containment is a range
 *     scan on the primary key, and a SipHash of (kind, text) in
 *     [2^41, 2^47) for everything else, with linear probing over a window
 *     of PROBE ids for collisions — no second index.  Every id fits in 6
 *     bytes, as SQLite stores integers, and in the docs' blobs.
 *   corr_postings(vid, cls, seq, t, dt) WITHOUT ROWID   integers only.
 *   corr_docs(seq, cls, t, dt, live, vids)   per indexed version: its value
 *     ids packed in a blob, so postings can be removed and restored
 *     without re-reading the object.
 *   corr_cls   sharing classes; corr_net6   IPv6 networks for containment;
 *   corr_plens   the prefix lengths of stored networks.
 * Times are kept in seconds.
 *
 * A rebuild runs in bulk mode: values (an open-addressing table that
 * assigns ids exactly as incremental indexing does) and postings are
 * collected in memory, then sorted and written in key order, each table by
 * one INSERT ... SELECT from an eponymous virtual table over the sorted
 * array (acc_bulk_vals, acc_bulk_posts: registered on this connection for
 * that, never a stored table).
 */
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "util/time.h"

#define PROBE 8
#define V4_BASE ((int64_t)1 << 40)
#define HASH_BASE ((int64_t)1 << 41)
#define HASH_SPAN (((int64_t)1 << 47) - HASH_BASE - PROBE)
#define VID_BYTES 6
#define CLS_CACHE 4096

enum {
  S_ROW,
  S_CLS_FIND,
  S_CLS_ADD,
  S_VAL_WINDOW,
  S_VAL_V4,
  S_VAL_ADD,
  S_VAL_TRY,
  S_VAL_GET,
  S_NET6_ADD,
  S_PLEN_ADD,
  S_POST_ADD,
  S_POST_DEL,
  S_POSTINGS,
  S_DOC_GET,
  S_DOC_ADD,
  S_DOC_DEL,
  S_DOC_LIVE,
  S_CLS_GET,
  S_LATEST,
  S_PLENS,
  S_V4_RANGE,
  S_NET6_RANGE,
  S_NET6_GET,
  S_LIST_FIND,
  S_LIST_ADD,
  S_LIST_UPD,
  S_LIST_CLEAR,
  S_ENTRY_ADD,
  S_LIST_PLEN_NEXT,
  S_LIST_MATCH,
  S_DATA_VERSION,
  S_RECENT,
  N_STMT
};

static const char *const sql_text[N_STMT] = {
    [S_ROW] = "SELECT collection, tlp, granular_tlp, origin_oid, origin_uid,"
              " coalesce(share_orgs, ''), coalesce(share_users, ''),"
              " coalesce(created_by_ref, ''), is_latest, revoked,"
              " modified_us IS NULL FROM objects WHERE seq = ?1",
    [S_CLS_FIND] = "SELECT cls FROM corr_cls WHERE collection = ?1 AND"
                   " tlp = ?2 AND granular_tlp = ?3 AND origin_oid = ?4 AND"
                   " origin_uid = ?5 AND share_orgs = ?6 AND"
                   " share_users = ?7 AND created_by_ref = ?8",
    [S_CLS_ADD] = "INSERT INTO corr_cls(collection, tlp, granular_tlp,"
                  " origin_oid, origin_uid, share_orgs, share_users,"
                  " created_by_ref) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
    [S_VAL_WINDOW] = "SELECT vid, kind, text FROM corr_values WHERE"
                     " vid BETWEEN ?1 AND ?2",
    [S_VAL_V4] = "SELECT vid FROM corr_values WHERE vid = ?1",
    [S_VAL_ADD] = "INSERT INTO corr_values(vid, kind, text) VALUES(?1,?2,?3)",
    [S_VAL_TRY] = "INSERT OR IGNORE INTO corr_values(vid, kind, text)"
                  " VALUES(?1,?2,?3)",
    [S_VAL_GET] = "SELECT vid, kind, text FROM corr_values WHERE vid = ?1",
    [S_NET6_ADD] = "INSERT OR IGNORE INTO corr_net6(net, plen, vid)"
                   " VALUES(?1,?2,?3)",
    [S_PLEN_ADD] = "INSERT OR IGNORE INTO corr_plens(v6, plen) VALUES(?1,?2)",
    [S_POST_ADD] = "INSERT OR IGNORE INTO corr_postings(vid, cls, seq, t, dt)"
                   " VALUES(?1,?2,?3,?4,?5)",
    [S_POST_DEL] = "DELETE FROM corr_postings WHERE vid = ?1 AND cls = ?2"
                   " AND seq = ?3",
    [S_POSTINGS] = "SELECT cls, seq, t, dt FROM corr_postings WHERE vid = ?1",
    [S_DOC_GET] = "SELECT cls, t, dt, live, vids FROM corr_docs WHERE"
                  " seq = ?1",
    [S_DOC_ADD] = "INSERT OR REPLACE INTO corr_docs(seq, cls, t, dt, live,"
                  " vids) VALUES(?1,?2,?3,?4,?5,?6)",
    [S_DOC_DEL] = "DELETE FROM corr_docs WHERE seq = ?1",
    [S_DOC_LIVE] = "UPDATE corr_docs SET live = ?2 WHERE seq = ?1",
    [S_CLS_GET] = "SELECT cls, collection, tlp, granular_tlp, origin_oid,"
                  " origin_uid, share_orgs, share_users, created_by_ref"
                  " FROM corr_cls WHERE cls = ?1",
    [S_LATEST] = "SELECT seq, modified_us IS NULL, revoked FROM objects"
                 " WHERE id = ?1 AND collection = ?2 AND is_latest",
    [S_PLENS] = "SELECT v6, plen FROM corr_plens",
    [S_V4_RANGE] = "SELECT vid, kind, text FROM corr_values WHERE"
                   " vid BETWEEN ?1 AND ?2 AND (vid & 255) >= ?3",
    [S_NET6_RANGE] = "SELECT vid FROM corr_net6 WHERE net BETWEEN ?1 AND ?2"
                     " AND plen >= ?3",
    [S_NET6_GET] = "SELECT vid FROM corr_net6 WHERE net = ?1 AND plen = ?2",
    [S_LIST_FIND] = "SELECT lid FROM lists WHERE name = ?1",
    [S_LIST_ADD] = "INSERT INTO lists(name, kind, format, source,"
                   " imported_us) VALUES(?1,?2,?3,?4,?5)",
    [S_LIST_UPD] = "UPDATE lists SET kind = ?2, format = ?3, source = ?4,"
                   " imported_us = ?5 WHERE lid = ?1",
    [S_LIST_CLEAR] = "DELETE FROM list_entries WHERE lid = ?1",
    [S_ENTRY_ADD] = "INSERT OR IGNORE INTO list_entries(v6, plen, net, lid,"
                    " kind, valid_from, valid_until)"
                    " VALUES(?1,?2,?3,?4,?5,?6,?7)",
    [S_LIST_PLEN_NEXT] = "SELECT plen FROM list_entries WHERE v6 = ?1 AND"
                         " plen > ?2 ORDER BY plen LIMIT 1",
    [S_LIST_MATCH] = "SELECT e.kind, e.valid_from, e.valid_until, l.name"
                     " FROM list_entries e JOIN lists l ON l.lid = e.lid"
                     " WHERE e.v6 = ?1 AND e.plen = ?2 AND e.net = ?3 AND"
                     " e.valid_from <= ?5 AND e.valid_until >= ?4"
                     " ORDER BY l.name, e.valid_from",
    [S_DATA_VERSION] = "PRAGMA data_version",
    [S_RECENT] = "SELECT seq, t, dt FROM corr_postings WHERE vid = ?1 AND"
                 " cls = ?2 ORDER BY seq DESC LIMIT ?3",
};

/* A class cached by its facts. */
typedef struct cls_slot {
  uint64_t h, h2; /* two independent hashes of the facts */
  int64_t cls;
} cls_slot;

/* Bulk mode (a rebuild): postings and values collected in memory, compact
 * (a 10 M-occurrence rebuild holds them all at once). */
typedef struct bulk_post {
  uint64_t vid;
  uint32_t cls;
  uint32_t doc; /* index into docs: docs come in seq order */
} bulk_post;

typedef struct bulk_doc {
  int64_t seq, t, dt;
} bulk_doc;

typedef struct bulk_val {
  int64_t vid;
  uint32_t off; /* text at texts + off (IPv6: the 16-byte network follows
                   its NUL); IPv4 has none: the id says it all */
  uint8_t kind;
  uint8_t plen; /* IP kinds */
  uint16_t len; /* of the text */
} bulk_val;

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif
#define AHEAD 16 /* rows prefetched ahead in the bulk loops */

typedef struct sqc {
  sqlite3_stmt *st[N_STMT];
  cls_slot cls_cache[CLS_CACHE];
  /* prefix lengths of stored networks / list entries, per family, as bit
   * sets; valid while data_version and local_changes are unchanged */
  uint64_t plens[2][3];
  int64_t plens_dv;
  int64_t plens_local;
  int plens_ok;
  uint64_t lplens[2][3];
  int64_t lplens_dv;
  int64_t lplens_local;
  int lplens_ok;
  int64_t local_changes; /* bumped by every write of this handle */
  /* bulk */
  int bulk;
  int bulk_modules; /* the acc_bulk_* virtual tables are registered */
  bulk_post *posts;
  size_t n_posts, cap_posts;
  bulk_doc *docs;
  size_t n_docs, cap_docs;
  bulk_val *vals; /* dense, in order of arrival */
  size_t n_vals, cap_vals;
  uint64_t *slots; /* open addressing by vid: index into vals + 1 in the
                      low half, the vid's low 32 bits in the high half (a
                      probe mostly decides without reading vals) */
  size_t cap_slots;
  unsigned slot_bits;
  char *texts;
  size_t n_texts, cap_texts;
} sqc;

static acc_rc db_err(acc_store *s, acc_diag *d, const char *what) {
  return acc_diag_set(d, ACC_ESTORE, "store %s: %s: %s", acc_sq_path(s), what,
                      sqlite3_errmsg(acc_sq_db(s)));
}

static sqc *state(acc_store *s) {
  void **slot = acc_sq_corr(s);
  if (!*slot)
    *slot = calloc(1, sizeof(sqc));
  return *slot;
}

/* The prepared statement i, reset and with bindings cleared. */
static sqlite3_stmt *stmt(acc_store *s, int i, acc_diag *d) {
  sqc *c = state(s);
  if (!c) {
    acc_diag_set(d, ACC_ENOMEM, "correlation state");
    return NULL;
  }
  if (!c->st[i]) {
    if (sqlite3_prepare_v3(acc_sq_db(s), sql_text[i], -1,
                           SQLITE_PREPARE_PERSISTENT, &c->st[i],
                           NULL) != SQLITE_OK) {
      db_err(s, d, "preparing a correlation statement");
      c->st[i] = NULL;
      return NULL;
    }
  } else {
    sqlite3_reset(c->st[i]);
    sqlite3_clear_bindings(c->st[i]);
  }
  return c->st[i];
}

static void bulk_free(sqc *c) {
  free(c->posts);
  free(c->docs);
  free(c->vals);
  free(c->slots);
  free(c->texts);
  c->posts = NULL;
  c->docs = NULL;
  c->vals = NULL;
  c->slots = NULL;
  c->texts = NULL;
  c->n_posts = c->cap_posts = c->n_docs = c->cap_docs = 0;
  c->n_vals = c->cap_vals = c->cap_slots = 0;
  c->slot_bits = 0;
  c->n_texts = c->cap_texts = 0;
  c->bulk = 0;
}

void acc_sqc_close(acc_store *s) {
  void **slot = acc_sq_corr(s);
  sqc *c = *slot;
  if (!c)
    return;
  for (int i = 0; i < N_STMT; i++)
    sqlite3_finalize(c->st[i]);
  bulk_free(c);
  free(c);
  *slot = NULL;
}

void acc_corr_cls_clear(acc_corr_cls *c) {
  if (!c)
    return;
  free(c->share_orgs);
  free(c->share_users);
  free(c->created_by_ref);
  memset(c, 0, sizeof *c);
}

/* ---- value ids ---- */

static int64_t v4_vid(const uint8_t net[16], unsigned plen) {
  uint32_t a = (uint32_t)net[0] << 24 | (uint32_t)net[1] << 16 |
               (uint32_t)net[2] << 8 | net[3];
  return V4_BASE | ((int64_t)a << 8) | (int64_t)plen;
}

static int64_t hash_vid(int kind, const char *text) {
  static const unsigned char key[crypto_shorthash_KEYBYTES] = "accord-corr-v1";
  size_t n = strlen(text);
  unsigned char buf[512];
  unsigned char *p = n + 1 <= sizeof buf ? buf : malloc(n + 1);
  unsigned char out[crypto_shorthash_BYTES];
  uint64_t h = 0;
  if (p) {
    p[0] = (unsigned char)kind;
    memcpy(p + 1, text, n);
    crypto_shorthash(out, p, n + 1, key);
    for (int i = 0; i < 8; i++)
      h = h << 8 | out[i];
    if (p != buf)
      free(p);
  }
  return HASH_BASE + (int64_t)(h % (uint64_t)HASH_SPAN);
}

/* ---- bulk value table ---- */

/* Fibonacci hashing: the high bits of the product (IPv4 ids differ in
 * their middle bits, so the low bits would cluster). */
static size_t slot_of(int64_t vid, unsigned bits) {
  uint64_t h = (uint64_t)vid * 0x9E3779B97F4A7C15ULL;
  return bits ? (size_t)(h >> (64 - bits)) : 0;
}

/* Grow an array of n elements of size sz to hold one more. */
static int grow(void **p, size_t *cap, size_t n, size_t sz, size_t first) {
  if (n < *cap)
    return 0;
  size_t ncap = *cap ? *cap * 2 : first;
  void *np = realloc(*p, ncap * sz);
  if (!np)
    return -1;
  *p = np;
  *cap = ncap;
  return 0;
}

static uint64_t slot_word(const bulk_val *b, size_t i) {
  return (uint64_t)(uint32_t)b->vid << 32 | (uint64_t)(i + 1);
}

static acc_rc bulk_grow_slots(sqc *c) {
  unsigned bits = c->slot_bits ? c->slot_bits + 1 : 16;
  size_t ncap = (size_t)1 << bits;
  uint64_t *ns = calloc(ncap, sizeof *ns);
  if (!ns)
    return ACC_ENOMEM;
  for (size_t i = 0; i < c->n_vals; i++) {
    size_t j = slot_of(c->vals[i].vid, bits);
    while (ns[j])
      j = (j + 1) & (ncap - 1);
    ns[j] = slot_word(&c->vals[i], i);
  }
  free(c->slots);
  c->slots = ns;
  c->cap_slots = ncap;
  c->slot_bits = bits;
  return ACC_OK;
}

/* The slot holding vid, or the empty one where it would go. */
static uint64_t *bulk_slot(sqc *c, int64_t vid) {
  size_t j = slot_of(vid, c->slot_bits);
  uint32_t fp = (uint32_t)vid;
  for (;;) {
    uint64_t w = c->slots[j];
    if (!w ||
        ((uint32_t)(w >> 32) == fp && c->vals[(uint32_t)w - 1].vid == vid))
      return &c->slots[j];
    j = (j + 1) & (c->cap_slots - 1);
  }
}

static int64_t base_vid(const acc_corr_val *v) {
  return v->kind == ACC_CK_IPV4 ? v4_vid(v->net, v->plen)
                                : hash_vid(v->kind, v->text);
}

/* Find or add v (whose first id is base) in the bulk table; *vid out. */
static acc_rc bulk_value(sqc *c, const acc_corr_val *v, int64_t base,
                         int64_t *vid) {
  if ((c->n_vals + 1) * 2 > c->cap_slots && bulk_grow_slots(c))
    return ACC_ENOMEM;
  if (c->n_vals >= UINT32_MAX - 1)
    return ACC_ENOMEM;
  int v4 = v->kind == ACC_CK_IPV4;
  size_t tl = v4 ? 0 : strlen(v->text);
  if (tl > UINT16_MAX)
    return ACC_ENOMEM;
  int window = v4 ? 1 : PROBE;
  for (int k = 0; k < window; k++) {
    uint64_t *sl = bulk_slot(c, base + k);
    if (*sl) {
      const bulk_val *b = &c->vals[(uint32_t)*sl - 1];
      if (b->kind == v->kind &&
          (v4 ||
           (b->len == tl && memcmp(c->texts + b->off, v->text, tl) == 0))) {
        *vid = b->vid;
        return ACC_OK;
      }
      continue;
    }
    size_t n = v4 ? 0 : tl + 1 + (v->kind == ACC_CK_IPV6 ? 16 : 0);
    if (c->n_texts + n > c->cap_texts) {
      size_t ncap = c->cap_texts ? c->cap_texts * 2 : 1 << 20;
      while (ncap < c->n_texts + n)
        ncap *= 2;
      if (ncap > UINT32_MAX)
        return ACC_ENOMEM;
      char *nt = realloc(c->texts, ncap);
      if (!nt)
        return ACC_ENOMEM;
      c->texts = nt;
      c->cap_texts = ncap;
    }
    if (grow((void **)&c->vals, &c->cap_vals, c->n_vals, sizeof *c->vals,
             1 << 16))
      return ACC_ENOMEM;
    bulk_val *b = &c->vals[c->n_vals];
    b->vid = base + k;
    b->kind = (uint8_t)v->kind;
    b->plen = v->plen;
    b->len = (uint16_t)tl;
    b->off = (uint32_t)c->n_texts;
    if (!v4) {
      memcpy(c->texts + c->n_texts, v->text, tl + 1);
      if (v->kind == ACC_CK_IPV6)
        memcpy(c->texts + c->n_texts + tl + 1, v->net, 16);
      c->n_texts += n;
    }
    *sl = slot_word(b, c->n_vals);
    c->n_vals++;
    *vid = b->vid;
    return ACC_OK;
  }
  return ACC_ENOMEM; /* PROBE values sharing a hash: never in practice */
}

/* ---- values in the database ---- */

/* Extra rows for IP networks: IPv6 containment and prefix lengths. */
static acc_rc net_rows(acc_store *s, const acc_corr_val *v, int64_t vid,
                       acc_diag *d) {
  sqlite3_stmt *st;
  int v6 = v->kind == ACC_CK_IPV6;
  if (v6) {
    if (!(st = stmt(s, S_NET6_ADD, d)))
      return ACC_ESTORE;
    sqlite3_bind_blob(st, 1, v->net, 16, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, v->plen);
    sqlite3_bind_int64(st, 3, vid);
    if (sqlite3_step(st) != SQLITE_DONE)
      return db_err(s, d, "adding a network");
  }
  if (v->plen < (v6 ? 128 : 32)) {
    if (!(st = stmt(s, S_PLEN_ADD, d)))
      return ACC_ESTORE;
    sqlite3_bind_int(st, 1, v6);
    sqlite3_bind_int(st, 2, v->plen);
    if (sqlite3_step(st) != SQLITE_DONE)
      return db_err(s, d, "adding a prefix length");
    state(s)->local_changes++;
  }
  return ACC_OK;
}

/* Look v up; with add, add it when absent.  ACC_ENOTFOUND when absent and
 * not added. */
/* Try to add v at id; *added says whether it was (values are never
 * deleted one by one, so a free first slot means v is not stored). */
static acc_rc try_add(acc_store *s, const acc_corr_val *v, int64_t id,
                      int *added, acc_diag *d) {
  sqlite3_stmt *st = stmt(s, S_VAL_TRY, d);
  if (!st)
    return ACC_ESTORE;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int(st, 2, v->kind);
  sqlite3_bind_text(st, 3, v->kind == ACC_CK_IPV4 ? "" : v->text, -1,
                    SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_DONE)
    return db_err(s, d, "adding a value");
  sqlite3_reset(st);
  *added = sqlite3_changes(acc_sq_db(s)) > 0;
  return ACC_OK;
}

/* Look v up; with add, add it when absent.  ACC_ENOTFOUND when absent and
 * not added. */
static acc_rc value_id(acc_store *s, const acc_corr_val *v, int add,
                       int64_t *vid, acc_diag *d) {
  sqlite3_stmt *st;
  int step, added = 0;
  acc_rc rc;
  if (v->kind == ACC_CK_IPV4) {
    int64_t id = v4_vid(v->net, v->plen);
    *vid = id;
    if (add) {
      if ((rc = try_add(s, v, id, &added, d)))
        return rc;
      return added ? net_rows(s, v, id, d) : ACC_OK;
    }
    if (!(st = stmt(s, S_VAL_V4, d)))
      return ACC_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step == SQLITE_ROW)
      return ACC_OK;
    if (step != SQLITE_DONE)
      return db_err(s, d, "reading values");
    return ACC_ENOTFOUND;
  }
  int64_t base = hash_vid(v->kind, v->text);
  if (add) {
    if ((rc = try_add(s, v, base, &added, d)))
      return rc;
    if (added) {
      *vid = base;
      return v->kind == ACC_CK_IPV6 ? net_rows(s, v, base, d) : ACC_OK;
    }
  }
  if (!(st = stmt(s, S_VAL_WINDOW, d)))
    return ACC_ESTORE;
  sqlite3_bind_int64(st, 1, base);
  sqlite3_bind_int64(st, 2, base + PROBE - 1);
  unsigned used = 0;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(st, 0);
    used |= 1u << (unsigned)(id - base);
    const char *t = (const char *)sqlite3_column_text(st, 2);
    if (sqlite3_column_int(st, 1) == v->kind && t && strcmp(t, v->text) == 0) {
      sqlite3_reset(st);
      *vid = id;
      return ACC_OK;
    }
  }
  sqlite3_reset(st);
  if (step != SQLITE_DONE)
    return db_err(s, d, "reading values");
  if (!add)
    return ACC_ENOTFOUND;
  int k = 0;
  while (k < PROBE && (used & (1u << k)))
    k++;
  if (k == PROBE)
    return acc_diag_set(d, ACC_ESTORE,
                        "correlation index: %d values share one hash", PROBE);
  if (!(st = stmt(s, S_VAL_ADD, d)))
    return ACC_ESTORE;
  sqlite3_bind_int64(st, 1, base + k);
  sqlite3_bind_int(st, 2, v->kind);
  sqlite3_bind_text(st, 3, v->text, -1, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_DONE)
    return db_err(s, d, "adding a value");
  sqlite3_reset(st);
  *vid = base + k;
  if (v->kind == ACC_CK_IPV6)
    return net_rows(s, v, *vid, d);
  return ACC_OK;
}

acc_rc acc_sqc_find(acc_store *s, const acc_corr_val *v, int64_t *vid,
                    acc_diag *d) {
  acc_rc rc = value_id(s, v, 0, vid, d);
  if (rc == ACC_ENOTFOUND)
    return acc_diag_set(d, ACC_ENOTFOUND, "value not indexed");
  return rc;
}

/* ---- classes ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    h = (h ^ b[i]) * 0x100000001b3ULL;
  return h;
}

/* The class of a version with these facts. */
static acc_rc class_of(acc_store *s, const int64_t ints[5],
                       const char *const txt[3], int64_t *cls, acc_diag *d) {
  sqc *c = state(s);
  uint64_t h = 0xcbf29ce484222325ULL, h2 = 0x84222325cbf29ce4ULL;
  for (int i = 0; i < 5; i++) {
    h = fnv(h, &ints[i], sizeof ints[i]);
    h2 = fnv(h2 ^ 0x5bd1e995, &ints[i], sizeof ints[i]);
  }
  for (int i = 0; i < 3; i++) {
    h = fnv(h, txt[i], strlen(txt[i]) + 1);
    h2 = fnv(h2 ^ 0x5bd1e995, txt[i], strlen(txt[i]) + 1);
  }
  if (!h)
    h = 1;
  cls_slot *slot = &c->cls_cache[h % CLS_CACHE];
  if (slot->h == h && slot->h2 == h2) {
    *cls = slot->cls;
    return ACC_OK;
  }
  /* The strings may belong to a statement: bind copies. */
  for (int pass = 0; pass < 2; pass++) {
    sqlite3_stmt *st = stmt(s, pass ? S_CLS_ADD : S_CLS_FIND, d);
    if (!st)
      return ACC_ESTORE;
    for (int i = 0; i < 5; i++)
      sqlite3_bind_int64(st, i + 1, ints[i]);
    for (int i = 0; i < 3; i++)
      sqlite3_bind_text(st, 6 + i, txt[i], -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st);
    if (!pass && step == SQLITE_ROW) {
      *cls = sqlite3_column_int64(st, 0);
      sqlite3_reset(st);
      break;
    }
    sqlite3_reset(st);
    if (pass && step == SQLITE_DONE) {
      *cls = sqlite3_last_insert_rowid(acc_sq_db(s));
      break;
    }
    if (step != SQLITE_DONE)
      return db_err(s, d, "sharing classes");
  }
  slot->h = h;
  slot->h2 = h2;
  slot->cls = *cls;
  return ACC_OK;
}

/* A rollback may take back classes this handle added (and their ids be
 * given to other facts later): forget the cache. */
void acc_sqc_rolled_back(acc_store *s) {
  sqc *c = *acc_sq_corr(s);
  if (c)
    memset(c->cls_cache, 0, sizeof c->cls_cache);
}

acc_rc acc_sqc_cls(acc_store *s, int64_t cls, acc_corr_cls *out, acc_diag *d) {
  sqlite3_stmt *st = stmt(s, S_CLS_GET, d);
  if (!st)
    return ACC_ESTORE;
  sqlite3_bind_int64(st, 1, cls);
  int step = sqlite3_step(st);
  acc_rc rc = ACC_OK;
  if (step == SQLITE_ROW) {
    memset(out, 0, sizeof *out);
    out->cls = sqlite3_column_int64(st, 0);
    out->collection = sqlite3_column_int64(st, 1);
    out->tlp = sqlite3_column_int(st, 2);
    out->granular_tlp = sqlite3_column_int(st, 3);
    out->origin_oid = sqlite3_column_int64(st, 4);
    out->origin_uid = sqlite3_column_int64(st, 5);
    char **dst[3] = {&out->share_orgs, &out->share_users, &out->created_by_ref};
    for (int i = 0; i < 3; i++) {
      const char *t = (const char *)sqlite3_column_text(st, 6 + i);
      if (t && *t && !(*dst[i] = strdup(t)))
        rc = ACC_ENOMEM;
    }
    if (rc)
      acc_corr_cls_clear(out);
  } else if (step == SQLITE_DONE) {
    rc =
        acc_diag_set(d, ACC_ENOTFOUND, "no sharing class %lld", (long long)cls);
  } else {
    rc = db_err(s, d, "reading sharing classes");
  }
  sqlite3_reset(st);
  return rc;
}

acc_rc acc_sqc_cls_all(acc_store *s, acc_corr_cls_cb cb, void *ctx,
                       acc_diag *d) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(acc_sq_db(s),
                         "SELECT cls, collection, tlp, granular_tlp,"
                         " origin_oid, origin_uid, share_orgs, share_users,"
                         " created_by_ref FROM corr_cls",
                         -1, &st, NULL) != SQLITE_OK)
    return db_err(s, d, "preparing a query");
  int step;
  acc_rc rc = ACC_OK;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    acc_corr_cls c = {.cls = sqlite3_column_int64(st, 0),
                      .collection = sqlite3_column_int64(st, 1),
                      .tlp = sqlite3_column_int(st, 2),
                      .granular_tlp = sqlite3_column_int(st, 3),
                      .origin_oid = sqlite3_column_int64(st, 4),
                      .origin_uid = sqlite3_column_int64(st, 5)};
    char **dst[3] = {&c.share_orgs, &c.share_users, &c.created_by_ref};
    for (int i = 0; i < 3; i++) {
      const char *t = (const char *)sqlite3_column_text(st, 6 + i);
      *dst[i] = t && *t ? (char *)t : NULL;
    }
    int stop = cb(ctx, &c);
    if (stop) {
      rc = (acc_rc)stop;
      break;
    }
  }
  if (!rc && step != SQLITE_DONE)
    rc = db_err(s, d, "reading sharing classes");
  sqlite3_finalize(st);
  return rc;
}

/* ---- postings ---- */

static int64_t secs(int64_t us) {
  if (us == ACC_TIME_NONE)
    return 0;
  return us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
}

static acc_rc post_add(acc_store *s, int64_t vid, int64_t cls, int64_t seq,
                       int64_t t, int64_t dt, acc_diag *d) {
  sqlite3_stmt *st = stmt(s, S_POST_ADD, d);
  if (!st)
    return ACC_ESTORE;
  sqlite3_bind_int64(st, 1, vid);
  sqlite3_bind_int64(st, 2, cls);
  sqlite3_bind_int64(st, 3, seq);
  sqlite3_bind_int64(st, 4, t);
  sqlite3_bind_int64(st, 5, dt);
  if (sqlite3_step(st) != SQLITE_DONE)
    return db_err(s, d, "adding a posting");
  sqlite3_reset(st);
  return ACC_OK;
}

static void put_vid(unsigned char *p, int64_t v) {
  for (int i = VID_BYTES - 1; i >= 0; i--) {
    p[i] = (unsigned char)(v & 0xff);
    v = (int64_t)((uint64_t)v >> 8);
  }
}

static int64_t get_vid(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 0; i < VID_BYTES; i++)
    v = v << 8 | p[i];
  return (int64_t)v;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Set a doc's postings present (live) or absent. */
static acc_rc doc_set_live(acc_store *s, int64_t seq, int live, int drop,
                           acc_diag *d) {
  sqlite3_stmt *st = stmt(s, S_DOC_GET, d);
  if (!st)
    return ACC_ESTORE;
  sqlite3_bind_int64(st, 1, seq);
  int step = sqlite3_step(st);
  if (step == SQLITE_DONE) {
    sqlite3_reset(st);
    return ACC_OK; /* not indexed */
  }
  if (step != SQLITE_ROW)
    return db_err(s, d, "reading indexed versions");
  int64_t cls = sqlite3_column_int64(st, 0);
  int64_t t = sqlite3_column_int64(st, 1);
  int64_t dt = sqlite3_column_int64(st, 2);
  int was = sqlite3_column_int(st, 3);
  size_t nb = (size_t)sqlite3_column_bytes(st, 4);
  const unsigned char *blob = sqlite3_column_blob(st, 4);
  size_t n = nb / VID_BYTES;
  int64_t *vids = n ? malloc(n * sizeof *vids) : NULL;
  if (n && !vids) {
    sqlite3_reset(st);
    return ACC_ENOMEM;
  }
  for (size_t i = 0; i < n; i++)
    vids[i] = get_vid(blob + VID_BYTES * i);
  sqlite3_reset(st);
  acc_rc rc = ACC_OK;
  if (was != live) {
    for (size_t i = 0; i < n && !rc; i++) {
      if (live) {
        rc = post_add(s, vids[i], cls, seq, t, dt, d);
      } else {
        sqlite3_stmt *del = stmt(s, S_POST_DEL, d);
        if (!del) {
          rc = ACC_ESTORE;
          break;
        }
        sqlite3_bind_int64(del, 1, vids[i]);
        sqlite3_bind_int64(del, 2, cls);
        sqlite3_bind_int64(del, 3, seq);
        if (sqlite3_step(del) != SQLITE_DONE)
          rc = db_err(s, d, "removing a posting");
        sqlite3_reset(del);
      }
    }
  }
  free(vids);
  if (rc)
    return rc;
  st = stmt(s, drop ? S_DOC_DEL : S_DOC_LIVE, d);
  if (!st)
    return ACC_ESTORE;
  sqlite3_bind_int64(st, 1, seq);
  if (!drop)
    sqlite3_bind_int(st, 2, live);
  if (sqlite3_step(st) != SQLITE_DONE)
    return db_err(s, d, "updating indexed versions");
  sqlite3_reset(st);
  return ACC_OK;
}

acc_rc acc_sqc_unlive(acc_store *s, int64_t seq, acc_diag *d) {
  return doc_set_live(s, seq, 0, 0, d);
}

acc_rc acc_sqc_forget(acc_store *s, int64_t seq, acc_diag *d) {
  return doc_set_live(s, seq, 0, 1, d);
}

acc_rc acc_sqc_relive(acc_store *s, const char *id, int64_t collection,
                      acc_diag *d) {
  sqlite3_stmt *st = stmt(s, S_LATEST, d);
  if (!st)
    return ACC_ESTORE;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, collection);
  int step = sqlite3_step(st);
  if (step == SQLITE_DONE) {
    sqlite3_reset(st);
    return ACC_OK;
  }
  if (step != SQLITE_ROW)
    return db_err(s, d, "reading versions");
  int64_t seq = sqlite3_column_int64(st, 0);
  int unversioned = sqlite3_column_int(st, 1);
  int revoked = sqlite3_column_int(st, 2);
  sqlite3_reset(st);
  if (unversioned || revoked)
    return ACC_OK;
  return doc_set_live(s, seq, 1, 0, d);
}

acc_rc acc_sqc_index(acc_store *s, const acc_corr_doc *doc,
                     const acc_corr_val *vals, size_t n, acc_diag *d) {
  sqc *c = state(s);
  if (!c)
    return ACC_ENOMEM;
  if (!acc_sq_in_txn(s))
    return acc_diag_set(d, ACC_ESTORE, "indexing outside a transaction");
  int64_t seq = doc->seq ? doc->seq : acc_sq_last_seq(s);
  acc_rc rc;
  /* a version put just now has nothing indexed yet */
  if (!c->bulk && doc->seq && (rc = acc_sqc_forget(s, seq, d)))
    return rc;
  if (!n)
    return ACC_OK;
  int64_t cls = 0;
  int live;
  const acc_sq_facts *lf = doc->seq ? NULL : acc_sq_last_facts(s);
  if (lf) {
    rc = class_of(s, lf->ints, lf->txt, &cls, d);
    live = lf->live;
  } else {
    sqlite3_stmt *row = stmt(s, S_ROW, d);
    if (!row)
      return ACC_ESTORE;
    sqlite3_bind_int64(row, 1, seq);
    int step = sqlite3_step(row);
    if (step != SQLITE_ROW) {
      sqlite3_reset(row);
      return step == SQLITE_DONE
                 ? acc_diag_set(d, ACC_ENOTFOUND, "no version %lld to index",
                                (long long)seq)
                 : db_err(s, d, "reading a version");
    }
    int64_t ints[5];
    const char *txt[3];
    for (int i = 0; i < 5; i++)
      ints[i] = sqlite3_column_int64(row, i);
    for (int i = 0; i < 3; i++) {
      txt[i] = (const char *)sqlite3_column_text(row, 5 + i);
      if (!txt[i])
        txt[i] = "";
    }
    rc = class_of(s, ints, txt, &cls, d);
    live = sqlite3_column_int(row, 10) ||
           (sqlite3_column_int(row, 8) && !sqlite3_column_int(row, 9));
    sqlite3_reset(row);
  }
  if (rc)
    return rc;
  int64_t *vids = malloc(n * sizeof *vids);
  if (!vids)
    return ACC_ENOMEM;
  if (c->bulk) /* the slots each value will probe, fetched ahead */
    for (size_t i = 0; i < n; i++) {
      vids[i] = base_vid(&vals[i]);
      PREFETCH(&c->slots[slot_of(vids[i], c->slot_bits)]);
    }
  for (size_t i = 0; i < n && !rc; i++) {
    if (c->bulk) {
      rc = bulk_value(c, &vals[i], vids[i], &vids[i]);
      if (rc)
        acc_diag_set(d, rc, "rebuilding the index: memory");
    } else {
      rc = value_id(s, &vals[i], 1, &vids[i], d);
    }
  }
  size_t m = 0;
  if (!rc) {
    qsort(vids, n, sizeof *vids, cmp_i64);
    for (size_t i = 0; i < n; i++)
      if (!m || vids[m - 1] != vids[i])
        vids[m++] = vids[i];
  }
  int64_t t = secs(doc->t_us);
  int64_t dt = doc->t_end_us > doc->t_us && doc->t_us != ACC_TIME_NONE
                   ? secs(doc->t_end_us) - t
                   : 0;
  unsigned char *blob = rc ? NULL : malloc(m * VID_BYTES + 1);
  if (!rc && !blob)
    rc = ACC_ENOMEM;
  for (size_t i = 0; !rc && i < m; i++)
    put_vid(blob + VID_BYTES * i, vids[i]);
  if (!rc) {
    sqlite3_stmt *st = stmt(s, S_DOC_ADD, d);
    if (!st) {
      rc = ACC_ESTORE;
    } else {
      sqlite3_bind_int64(st, 1, seq);
      sqlite3_bind_int64(st, 2, cls);
      sqlite3_bind_int64(st, 3, t);
      sqlite3_bind_int64(st, 4, dt);
      sqlite3_bind_int(st, 5, live);
      sqlite3_bind_blob(st, 6, blob, (int)(m * VID_BYTES), SQLITE_STATIC);
      if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_err(s, d, "adding an indexed version");
      sqlite3_reset(st);
    }
  }
  if (!rc && live && c->bulk) {
    /* collected, written sorted by bulk_flush */
    if (cls < 0 || cls > (int64_t)UINT32_MAX || c->n_docs >= UINT32_MAX ||
        grow((void **)&c->docs, &c->cap_docs, c->n_docs, sizeof *c->docs,
             1 << 12))
      rc = acc_diag_set(d, ACC_ENOMEM, "rebuilding the index: memory");
    while (!rc && c->n_posts + m > c->cap_posts)
      if (grow((void **)&c->posts, &c->cap_posts, c->cap_posts,
               sizeof *c->posts, (size_t)1 << 16))
        rc = acc_diag_set(d, ACC_ENOMEM, "rebuilding the index: memory");
    if (!rc) {
      uint32_t di = (uint32_t)c->n_docs;
      c->docs[c->n_docs++] = (bulk_doc){seq, t, dt};
      for (size_t i = 0; !rc && i < m; i++)
        c->posts[c->n_posts++] =
            (bulk_post){(uint64_t)vids[i], (uint32_t)cls, di};
    }
  }
  for (size_t i = 0; !rc && live && !c->bulk && i < m; i++)
    rc = post_add(s, vids[i], cls, seq, t, dt, d);
  free(blob);
  free(vids);
  return rc;
}

acc_rc acc_sqc_reset(acc_store *s, acc_diag *d) {
  char *msg = NULL;
  /* Debian's SQLite overwrites every freed page with zeros (secure_delete):
   * for the whole index that is a gigabyte written for nothing, as the new
   * index is written into the same pages at once.  FAST still clears the
   * deleted cells of pages that stay in use. */
  int secure = 1;
  sqlite3_stmt *sd;
  if (sqlite3_prepare_v2(acc_sq_db(s), "PRAGMA secure_delete", -1, &sd, NULL) ==
      SQLITE_OK) {
    if (sqlite3_step(sd) == SQLITE_ROW)
      secure = sqlite3_column_int(sd, 0);
    sqlite3_finalize(sd);
  }
  sqlite3_exec(acc_sq_db(s), "PRAGMA secure_delete=FAST", NULL, NULL, NULL);
  int ok = sqlite3_exec(acc_sq_db(s),
                        "DELETE FROM corr_postings; DELETE FROM corr_docs;"
                        " DELETE FROM corr_values; DELETE FROM corr_net6;"
                        " DELETE FROM corr_plens;",
                        NULL, NULL, &msg) == SQLITE_OK;
  char pragma[40];
  snprintf(pragma, sizeof pragma, "PRAGMA secure_delete=%d", secure);
  sqlite3_exec(acc_sq_db(s), pragma, NULL, NULL, NULL);
  if (!ok) {
    acc_rc rc = acc_diag_set(d, ACC_ESTORE, "store %s: emptying the index: %s",
                             acc_sq_path(s), msg ? msg : "?");
    sqlite3_free(msg);
    return rc;
  }
  /* classes are kept: they are immutable sets of facts, and other handles
   * may hold their ids */
  sqc *c = state(s);
  if (c)
    c->local_changes++;
  return ACC_OK;
}

static int cmp_post(const void *a, const void *b) {
  const bulk_post *x = a, *y = b;
  if (x->vid != y->vid)
    return x->vid < y->vid ? -1 : 1;
  if (x->cls != y->cls)
    return x->cls < y->cls ? -1 : 1;
  return x->doc < y->doc ? -1 : x->doc > y->doc; /* doc order is seq order */
}

static int cmp_val(const void *a, const void *b) {
  const bulk_val *x = a, *y = b;
  return x->vid < y->vid ? -1 : x->vid > y->vid;
}

static void *sort_posts(void *arg) {
  sqc *c = arg;
  qsort(c->posts, c->n_posts, sizeof *c->posts, cmp_post);
  return NULL;
}

static void *sort_vals(void *arg) {
  sqc *c = arg;
  qsort(c->vals, c->n_vals, sizeof *c->vals, cmp_val);
  return NULL;
}

/* Two eponymous virtual tables hand the sorted arrays to one INSERT ...
 * SELECT each: acc_bulk_vals(vid, kind, text) and acc_bulk_posts(vid, cls,
 * seq, t, dt).  One statement for millions of rows, instead of a bind,
 * step and reset per row. */
typedef struct bulk_vtab {
  sqlite3_vtab base;
  sqc *c;
  int posts; /* which array */
} bulk_vtab;

typedef struct bulk_cur {
  sqlite3_vtab_cursor base;
  size_t i;
} bulk_cur;

static int bulk_connect(sqlite3 *db, void *aux, int argc,
                        const char *const *argv, sqlite3_vtab **out,
                        char **err) {
  (void)argc;
  (void)err;
  int posts = strcmp(argv[0], "acc_bulk_posts") == 0;
  int rc =
      sqlite3_declare_vtab(db, posts ? "CREATE TABLE x(vid, cls, seq, t, dt)"
                                     : "CREATE TABLE x(vid, kind, text)");
  if (rc != SQLITE_OK)
    return rc;
  bulk_vtab *v = sqlite3_malloc(sizeof *v);
  if (!v)
    return SQLITE_NOMEM;
  memset(v, 0, sizeof *v);
  v->c = aux;
  v->posts = posts;
  *out = &v->base;
  return SQLITE_OK;
}

static int bulk_disconnect(sqlite3_vtab *v) {
  sqlite3_free(v);
  return SQLITE_OK;
}

static int bulk_best_index(sqlite3_vtab *v, sqlite3_index_info *ii) {
  (void)v;
  ii->estimatedCost = 1e6;
  ii->orderByConsumed = 0;
  return SQLITE_OK;
}

static int bulk_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out) {
  (void)v;
  bulk_cur *k = sqlite3_malloc(sizeof *k);
  if (!k)
    return SQLITE_NOMEM;
  memset(k, 0, sizeof *k);
  *out = &k->base;
  return SQLITE_OK;
}

static int bulk_close(sqlite3_vtab_cursor *k) {
  sqlite3_free(k);
  return SQLITE_OK;
}

static int bulk_filter(sqlite3_vtab_cursor *k, int idx, const char *idxs,
                       int argc, sqlite3_value **argv) {
  (void)idx;
  (void)idxs;
  (void)argc;
  (void)argv;
  ((bulk_cur *)k)->i = 0;
  return SQLITE_OK;
}

static int bulk_next(sqlite3_vtab_cursor *k) {
  bulk_cur *cur = (bulk_cur *)k;
  bulk_vtab *v = (bulk_vtab *)k->pVtab;
  cur->i++;
  /* fetch ahead what the next rows will read at random */
  size_t a = cur->i + AHEAD;
  if (v->posts && a < v->c->n_posts)
    PREFETCH(&v->c->docs[v->c->posts[a].doc]);
  else if (!v->posts && a < v->c->n_vals)
    PREFETCH(v->c->texts + v->c->vals[a].off);
  return SQLITE_OK;
}

static int bulk_eof(sqlite3_vtab_cursor *k) {
  bulk_cur *cur = (bulk_cur *)k;
  bulk_vtab *v = (bulk_vtab *)k->pVtab;
  return cur->i >= (v->posts ? v->c->n_posts : v->c->n_vals);
}

static int bulk_column(sqlite3_vtab_cursor *k, sqlite3_context *ctx, int col) {
  bulk_cur *cur = (bulk_cur *)k;
  bulk_vtab *v = (bulk_vtab *)k->pVtab;
  sqc *c = v->c;
  if (v->posts) {
    const bulk_post *p = &c->posts[cur->i];
    const bulk_doc *dc = &c->docs[p->doc];
    int64_t x = col == 0   ? (int64_t)p->vid
                : col == 1 ? (int64_t)p->cls
                : col == 2 ? dc->seq
                : col == 3 ? dc->t
                           : dc->dt;
    sqlite3_result_int64(ctx, x);
    return SQLITE_OK;
  }
  const bulk_val *b = &c->vals[cur->i];
  if (col == 0)
    sqlite3_result_int64(ctx, b->vid);
  else if (col == 1)
    sqlite3_result_int(ctx, b->kind);
  else if (b->kind == ACC_CK_IPV4)
    sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
  else
    sqlite3_result_text(ctx, c->texts + b->off, (int)b->len, SQLITE_STATIC);
  return SQLITE_OK;
}

static int bulk_rowid(sqlite3_vtab_cursor *k, sqlite_int64 *out) {
  *out = (sqlite_int64)((bulk_cur *)k)->i;
  return SQLITE_OK;
}

static const sqlite3_module bulk_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only */
    .xConnect = bulk_connect,
    .xBestIndex = bulk_best_index,
    .xDisconnect = bulk_disconnect,
    .xDestroy = bulk_disconnect,
    .xOpen = bulk_open,
    .xClose = bulk_close,
    .xFilter = bulk_filter,
    .xNext = bulk_next,
    .xEof = bulk_eof,
    .xColumn = bulk_column,
    .xRowid = bulk_rowid,
};

static acc_rc bulk_insert(acc_store *s, const char *sql, acc_diag *d) {
  char *msg = NULL;
  if (sqlite3_exec(acc_sq_db(s), sql, NULL, NULL, &msg) != SQLITE_OK) {
    acc_rc rc = acc_diag_set(d, ACC_ESTORE, "store %s: writing the index: %s",
                             acc_sq_path(s), msg ? msg : "?");
    sqlite3_free(msg);
    return rc;
  }
  return ACC_OK;
}

/* Write what bulk mode collected: values and postings in key order, so
 * each b-tree is appended to, page after full page.  The postings are
 * sorted on a second thread while the values are written. */
static acc_rc bulk_flush(acc_store *s, acc_diag *d) {
  sqc *c = state(s);
  acc_rc rc = ACC_OK;
  c->bulk = 0;
  free(c->slots);
  c->slots = NULL;
  c->cap_slots = 0;
  c->slot_bits = 0;
  if (!c->bulk_modules) {
    if (sqlite3_create_module_v2(acc_sq_db(s), "acc_bulk_vals", &bulk_module, c,
                                 NULL) != SQLITE_OK ||
        sqlite3_create_module_v2(acc_sq_db(s), "acc_bulk_posts", &bulk_module,
                                 c, NULL) != SQLITE_OK) {
      bulk_free(c);
      return db_err(s, d, "registering the bulk tables");
    }
    c->bulk_modules = 1;
  }
  /* both sorts at once, the postings' while the values are written */
  pthread_t th;
  int threaded =
      c->n_posts > 4096 && pthread_create(&th, NULL, sort_posts, c) == 0;
  if (!threaded && c->n_posts)
    sort_posts(c);
  sort_vals(c);
  rc = bulk_insert(s,
                   "INSERT OR FAIL INTO corr_values(vid, kind, text)"
                   " SELECT vid, kind, text FROM acc_bulk_vals",
                   d);
  /* networks: their extra rows */
  for (size_t i = 0; i < c->n_vals && !rc; i++) {
    const bulk_val *b = &c->vals[i];
    int v4 = b->kind == ACC_CK_IPV4;
    if (!(v4 ? b->plen < 32 : b->kind == ACC_CK_IPV6))
      continue;
    const char *text = v4 ? "" : c->texts + b->off;
    acc_corr_val v = {.kind = b->kind, .text = text, .plen = b->plen};
    if (v4) {
      uint64_t a = (uint64_t)b->vid >> 8;
      v.net[0] = (uint8_t)(a >> 24);
      v.net[1] = (uint8_t)(a >> 16);
      v.net[2] = (uint8_t)(a >> 8);
      v.net[3] = (uint8_t)a;
    } else {
      memcpy(v.net, text + b->len + 1, 16);
    }
    rc = net_rows(s, &v, b->vid, d);
  }
  if (threaded)
    pthread_join(th, NULL);
  if (!rc && c->n_posts)
    rc = bulk_insert(s,
                     "INSERT OR FAIL INTO corr_postings(vid, cls, seq, t, dt)"
                     " SELECT vid, cls, seq, t, dt FROM acc_bulk_posts",
                     d);
  bulk_free(c);
  return rc;
}

/* A larger page cache while bulk mode writes: fewer pages spilled to the
 * WAL before the commit. */
#define BULK_CACHE "PRAGMA cache_size=-262144"
#define NORMAL_CACHE "PRAGMA cache_size=-65536" /* as store_sqlite.c opens */

acc_rc acc_sqc_bulk(acc_store *s, int on, acc_diag *d) {
  sqc *c = state(s);
  if (!c)
    return ACC_ENOMEM;
  if (on < 0) {
    if (c->bulk)
      sqlite3_exec(acc_sq_db(s), NORMAL_CACHE, NULL, NULL, NULL);
    bulk_free(c);
    return ACC_OK;
  }
  if (on) {
    bulk_free(c);
    c->bulk = 1;
    sqlite3_exec(acc_sq_db(s), BULK_CACHE, NULL, NULL, NULL);
    return bulk_grow_slots(c);
  }
  if (!c->bulk)
    return ACC_OK;
  acc_rc rc = bulk_flush(s, d);
  sqlite3_exec(acc_sq_db(s), NORMAL_CACHE, NULL, NULL, NULL);
  return rc;
}

/* ---- lookups ---- */

static acc_rc value_rows(acc_store *s, sqlite3_stmt *st, acc_corr_value_cb cb,
                         void *ctx, size_t *n, acc_diag *d) {
  int step;
  acc_rc rc = ACC_OK;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    acc_corr_value v = {.vid = sqlite3_column_int64(st, 0),
                        .kind = sqlite3_column_int(st, 1),
                        .text = (const char *)sqlite3_column_text(st, 2)};
    if (!v.text)
      v.text = "";
    char v4[24];
    if (v.kind == ACC_CK_IPV4) {
      uint64_t a = (uint64_t)v.vid >> 8;
      v.net[0] = (uint8_t)(a >> 24);
      v.net[1] = (uint8_t)(a >> 16);
      v.net[2] = (uint8_t)(a >> 8);
      v.net[3] = (uint8_t)a;
      v.plen = (uint8_t)(v.vid & 255);
      int k = snprintf(v4, sizeof v4, "%u.%u.%u.%u", v.net[0], v.net[1],
                       v.net[2], v.net[3]);
      if (v.plen < 32 && k > 0)
        snprintf(v4 + k, sizeof v4 - (size_t)k, "/%u", v.plen);
      v.text = v4;
    }
    if (n)
      (*n)++;
    int stop = cb(ctx, &v);
    if (stop) {
      rc = (acc_rc)stop;
      break;
    }
  }
  if (!rc && step != SQLITE_DONE)
    rc = db_err(s, d, "reading values");
  sqlite3_reset(st);
  return rc;
}

acc_rc acc_sqc_value(acc_store *s, int64_t vid, acc_corr_value_cb cb, void *ctx,
                     acc_diag *d) {
  sqlite3_stmt *st = stmt(s, S_VAL_GET, d);
  if (!st)
    return ACC_ESTORE;
  sqlite3_bind_int64(st, 1, vid);
  size_t n = 0;
  acc_rc rc = value_rows(s, st, cb, ctx, &n, d);
  if (!rc && !n)
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no value %lld", (long long)vid);
  return rc;
}

/* Postings of value vid from st's rows: (cls, seq, t, dt), or (seq, t, dt)
 * when every row is of class cls (cls >= 0). */
static acc_rc posting_rows(acc_store *s, sqlite3_stmt *st, int64_t vid,
                           int64_t cls, acc_corr_posting_cb cb, void *ctx,
                           acc_diag *d) {
  int c = cls < 0 ? 1 : 0; /* the first column after cls */
  int step;
  acc_rc rc = ACC_OK;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t t = sqlite3_column_int64(st, c + 1);
    acc_corr_posting p = {.vid = vid,
                          .cls = cls < 0 ? sqlite3_column_int64(st, 0) : cls,
                          .seq = sqlite3_column_int64(st, c),
                          .t_us = t * 1000000,
                          .t_end_us =
                              (t + sqlite3_column_int64(st, c + 2)) * 1000000};
    int stop = cb(ctx, &p);
    if (stop) {
      rc = (acc_rc)stop;
      break;
    }
  }
  if (!rc && step != SQLITE_DONE)
    rc = db_err(s, d, "reading postings");
  sqlite3_reset(st);
  return rc;
}

acc_rc acc_sqc_postings(acc_store *s, int64_t vid, acc_corr_posting_cb cb,
                        void *ctx, acc_diag *d) {
  sqlite3_stmt *st = stmt(s, S_POSTINGS, d);
  if (!st)
    return ACC_ESTORE;
  sqlite3_bind_int64(st, 1, vid);
  return posting_rows(s, st, vid, -1, cb, ctx, d);
}

/* Summed up here rather than by GROUP BY: the postings come in (cls, seq)
 * order, so each class is a run; a value with a handful of postings (most
 * of them) costs one range read and no aggregate machinery. */
acc_rc acc_sqc_agg(acc_store *s, int64_t vid, acc_corr_agg_cb cb, void *ctx,
                   acc_diag *d) {
  sqlite3_stmt *st = stmt(s, S_POSTINGS, d);
  if (!st)
    return ACC_ESTORE;
  sqlite3_bind_int64(st, 1, vid);
  int step;
  acc_rc rc = ACC_OK;
  acc_corr_agg a = {0};
  int have = 0;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t cls = sqlite3_column_int64(st, 0);
    int64_t seq = sqlite3_column_int64(st, 1);
    int64_t t = sqlite3_column_int64(st, 2);
    int64_t te = t + sqlite3_column_int64(st, 3);
    if (have && cls != a.cls) {
      acc_corr_agg out = a;
      out.t_min_us *= 1000000;
      out.t_max_us *= 1000000;
      int stop = cb(ctx, &out);
      if (stop) {
        rc = (acc_rc)stop;
        have = 0;
        break;
      }
      have = 0;
    }
    if (!have) {
      a = (acc_corr_agg){
          .cls = cls, .n = 0, .t_min_us = t, .t_max_us = te, .seq_max = seq};
      have = 1;
    }
    a.n++;
    if (t < a.t_min_us)
      a.t_min_us = t;
    if (te > a.t_max_us)
      a.t_max_us = te;
    if (seq > a.seq_max)
      a.seq_max = seq;
  }
  if (!rc && step != SQLITE_DONE)
    rc = db_err(s, d, "reading postings");
  sqlite3_reset(st);
  if (!rc && have) {
    acc_corr_agg out = a;
    out.t_min_us *= 1000000;
    out.t_max_us *= 1000000;
    int stop = cb(ctx, &out);
    if (stop)
      rc = (acc_rc)stop;
  }
  return rc;
}

acc_rc acc_sqc_doc_cls(acc_store *s, int64_t seq, int64_t *cls, acc_diag *d) {
  sqlite3_stmt *st = stmt(s, S_DOC_GET, d);
  if (!st)
    return ACC_ESTORE;
  sqlite3_bind_int64(st, 1, seq);
  int step = sqlite3_step(st);
  acc_rc rc = ACC_OK;
  if (step == SQLITE_ROW && sqlite3_column_int(st, 3))
    *cls = sqlite3_column_int64(st, 0);
  else if (step == SQLITE_ROW || step == SQLITE_DONE)
    rc = ACC_ENOTFOUND;
  else
    rc = db_err(s, d, "reading indexed versions");
  sqlite3_reset(st);
  return rc;
}

acc_rc acc_sqc_recent(acc_store *s, int64_t vid, int64_t cls, size_t limit,
                      acc_corr_posting_cb cb, void *ctx, acc_diag *d) {
  sqlite3_stmt *st = stmt(s, S_RECENT, d);
  if (!st)
    return ACC_ESTORE;
  sqlite3_bind_int64(st, 1, vid);
  sqlite3_bind_int64(st, 2, cls);
  sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
  return posting_rows(s, st, vid, cls, cb, ctx, d);
}

static void set_bit(uint64_t bits[3], unsigned i) {
  bits[i / 64] |= (uint64_t)1 << (i % 64);
}
static int has_bit(const uint64_t bits[3], unsigned i) {
  return (int)((bits[i / 64] >> (i % 64)) & 1);
}

/* PRAGMA data_version: changes when another connection commits. */
static int64_t data_version(acc_store *s) {
  sqlite3_stmt *st = stmt(s, S_DATA_VERSION, NULL);
  int64_t v = -1;
  if (st && sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  if (st)
    sqlite3_reset(st);
  return v;
}

/* The prefix lengths of stored networks (cached while nothing changed). */
static acc_rc corr_plens(acc_store *s, acc_diag *d) {
  sqc *c = state(s);
  int64_t dv = data_version(s);
  if (c->plens_ok && c->plens_dv == dv && c->plens_local == c->local_changes)
    return ACC_OK;
  memset(c->plens, 0, sizeof c->plens);
  sqlite3_stmt *st = stmt(s, S_PLENS, d);
  if (!st)
    return ACC_ESTORE;
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    int v6 = sqlite3_column_int(st, 0) ? 1 : 0;
    int p = sqlite3_column_int(st, 1);
    if (p >= 0 && p <= 128)
      set_bit(c->plens[v6], (unsigned)p);
  }
  sqlite3_reset(st);
  if (step != SQLITE_DONE)
    return db_err(s, d, "reading prefix lengths");
  c->plens_ok = 1;
  c->plens_dv = dv;
  c->plens_local = c->local_changes;
  return ACC_OK;
}

static void mask_net(const uint8_t in[16], unsigned plen, unsigned bits,
                     uint8_t out[16], int fill) {
  memset(out, 0, 16);
  for (unsigned i = 0; i < bits / 8; i++) {
    unsigned keep = plen >= (i + 1) * 8 ? 8 : plen > i * 8 ? plen - i * 8 : 0;
    uint8_t m = keep ? (uint8_t)(0xff << (8 - keep)) : 0;
    out[i] = (uint8_t)((in[i] & m) | (fill ? (uint8_t)~m : 0));
  }
}

acc_rc acc_sqc_nets(acc_store *s, const acc_corr_val *v, acc_corr_net_mode mode,
                    acc_corr_value_cb cb, void *ctx, acc_diag *d) {
  int v6 = v->kind == ACC_CK_IPV6;
  if (v->kind != ACC_CK_IPV4 && !v6)
    return ACC_OK;
  unsigned bits = v6 ? 128 : 32;
  uint8_t lo[16], hi[16];
  acc_rc rc;
  if (mode == ACC_CORR_NET_INSIDE) {
    mask_net(v->net, v->plen, bits, lo, 0);
    mask_net(v->net, v->plen, bits, hi, 1);
    if (!v6) {
      sqlite3_stmt *st = stmt(s, S_V4_RANGE, d);
      if (!st)
        return ACC_ESTORE;
      sqlite3_bind_int64(st, 1, v4_vid(lo, 0));
      sqlite3_bind_int64(st, 2, v4_vid(hi, 255));
      sqlite3_bind_int(st, 3, v->plen);
      return value_rows(s, st, cb, ctx, NULL, d);
    }
    sqlite3_stmt *st = stmt(s, S_NET6_RANGE, d);
    if (!st)
      return ACC_ESTORE;
    sqlite3_bind_blob(st, 1, lo, 16, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, hi, 16, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, v->plen);
    /* Collect the ids first: the value statement is another one. */
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int step;
    rc = ACC_OK;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
      if (n == cap) {
        size_t ncap = cap ? cap * 2 : 64;
        int64_t *p = realloc(ids, ncap * sizeof *p);
        if (!p) {
          rc = ACC_ENOMEM;
          break;
        }
        ids = p;
        cap = ncap;
      }
      ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (!rc && step != SQLITE_DONE)
      rc = db_err(s, d, "reading networks");
    for (size_t i = 0; i < n && !rc; i++) {
      rc = acc_sqc_value(s, ids[i], cb, ctx, d);
      if (rc == ACC_ENOTFOUND)
        rc = ACC_OK;
    }
    free(ids);
    return rc;
  }
  if ((rc = corr_plens(s, d)))
    return rc;
  sqc *c = state(s);
  for (unsigned p = 0; p < v->plen; p++) {
    if (!has_bit(c->plens[v6], p))
      continue;
    mask_net(v->net, p, bits, lo, 0);
    int64_t vid;
    if (!v6) {
      vid = v4_vid(lo, p);
    } else {
      sqlite3_stmt *st = stmt(s, S_NET6_GET, d);
      if (!st)
        return ACC_ESTORE;
      sqlite3_bind_blob(st, 1, lo, 16, SQLITE_TRANSIENT);
      sqlite3_bind_int(st, 2, (int)p);
      int step = sqlite3_step(st);
      vid = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
      sqlite3_reset(st);
      if (step != SQLITE_ROW && step != SQLITE_DONE)
        return db_err(s, d, "reading networks");
      if (!vid)
        continue;
    }
    rc = acc_sqc_value(s, vid, cb, ctx, d);
    if (rc == ACC_ENOTFOUND)
      rc = ACC_OK;
    if (rc)
      return rc;
  }
  return ACC_OK;
}

static acc_rc count(acc_store *s, const char *sql, int64_t *out, acc_diag *d) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(acc_sq_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
    *out = 0;
    return db_err(s, d, "preparing a query");
  }
  int step = sqlite3_step(st);
  *out = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return step == SQLITE_ROW ? ACC_OK : db_err(s, d, "reading");
}

acc_rc acc_sqc_stats(acc_store *s, acc_corr_stats *out, acc_diag *d) {
  acc_corr_stats st = {0};
  acc_rc rc;
  if ((rc = count(s, "SELECT count(*) FROM corr_values", &st.values, d)) ||
      (rc = count(s, "SELECT count(*) FROM corr_postings", &st.postings, d)) ||
      (rc = count(s, "SELECT count(*) FROM corr_docs", &st.docs, d)) ||
      (rc = count(s, "SELECT count(*) FROM corr_docs WHERE live", &st.live_docs,
                  d)) ||
      (rc = count(s, "SELECT count(*) FROM corr_cls", &st.classes, d)))
    return rc;
  /* dbstat is optional in SQLite builds: without it, bytes stays 0. */
  acc_diag ignore;
  if (count(s,
            "SELECT sum(pgsize) FROM dbstat WHERE name IN ('corr_values',"
            " 'corr_postings', 'corr_docs', 'corr_cls', 'corr_net6',"
            " 'corr_plens', 'sqlite_autoindex_corr_cls_1',"
            " 'sqlite_autoindex_corr_postings_1',"
            " 'sqlite_autoindex_corr_net6_1',"
            " 'sqlite_autoindex_corr_plens_1')",
            &st.bytes, &ignore))
    st.bytes = 0;
  *out = st;
  return ACC_OK;
}

/* ---- anonymiser and relay lists ---- */

static int64_t lfrom(int64_t us) {
  return us == ACC_TIME_NONE ? INT64_MIN : us;
}
static int64_t luntil(int64_t us) {
  return us == ACC_TIME_NONE ? INT64_MAX : us;
}

acc_rc acc_sqc_list_put(acc_store *s, acc_list_info *l, int replace,
                        acc_diag *d) {
  sqlite3_stmt *st = stmt(s, S_LIST_FIND, d);
  if (!st)
    return ACC_ESTORE;
  sqlite3_bind_text(st, 1, l->name, -1, SQLITE_TRANSIENT);
  int step = sqlite3_step(st);
  int64_t lid = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  if (step != SQLITE_ROW && step != SQLITE_DONE)
    return db_err(s, d, "reading lists");
  int64_t now = acc_time_now_us();
  if (lid) {
    if (replace) {
      if (!(st = stmt(s, S_LIST_CLEAR, d)))
        return ACC_ESTORE;
      sqlite3_bind_int64(st, 1, lid);
      if (sqlite3_step(st) != SQLITE_DONE)
        return db_err(s, d, "clearing a list");
      sqlite3_reset(st);
    }
    if (!(st = stmt(s, S_LIST_UPD, d)))
      return ACC_ESTORE;
    sqlite3_bind_int64(st, 1, lid);
  } else {
    if (!(st = stmt(s, S_LIST_ADD, d)))
      return ACC_ESTORE;
    sqlite3_bind_text(st, 1, l->name, -1, SQLITE_TRANSIENT);
  }
  sqlite3_bind_text(st, 2, l->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, l->format, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, l->source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 5, now);
  if (sqlite3_step(st) != SQLITE_DONE)
    return db_err(s, d, "adding a list");
  sqlite3_reset(st);
  if (!lid)
    lid = sqlite3_last_insert_rowid(acc_sq_db(s));
  l->lid = lid;
  l->imported_us = now;
  state(s)->local_changes++;
  return ACC_OK;
}

acc_rc acc_sqc_list_entry_add(acc_store *s, int64_t lid,
                              const acc_list_entry *e, acc_diag *d) {
  sqlite3_stmt *st = stmt(s, S_ENTRY_ADD, d);
  if (!st)
    return ACC_ESTORE;
  sqlite3_bind_int(st, 1, e->v6 ? 1 : 0);
  sqlite3_bind_int(st, 2, e->plen);
  sqlite3_bind_blob(st, 3, e->net, e->v6 ? 16 : 4, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, lid);
  sqlite3_bind_int(st, 5, e->kind);
  sqlite3_bind_int64(st, 6, lfrom(e->valid_from_us));
  sqlite3_bind_int64(st, 7, luntil(e->valid_until_us));
  if (sqlite3_step(st) != SQLITE_DONE)
    return db_err(s, d, "adding a list entry");
  sqlite3_reset(st);
  state(s)->local_changes++;
  return ACC_OK;
}

acc_rc acc_sqc_list_finish(acc_store *s, int64_t lid, acc_diag *d) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(
          acc_sq_db(s),
          "UPDATE lists SET n_entries = (SELECT count(*) FROM list_entries"
          " WHERE lid = ?1), valid_from_us = (SELECT nullif(min(valid_from),"
          " -9223372036854775807 - 1) FROM list_entries WHERE lid = ?1),"
          " valid_until_us = (SELECT nullif(max(valid_until),"
          " 9223372036854775807) FROM list_entries WHERE lid = ?1)"
          " WHERE lid = ?1",
          -1, &st, NULL) != SQLITE_OK)
    return db_err(s, d, "preparing a statement");
  sqlite3_bind_int64(st, 1, lid);
  int step = sqlite3_step(st);
  sqlite3_finalize(st);
  return step == SQLITE_DONE ? ACC_OK : db_err(s, d, "counting a list");
}

static int64_t col_opt(sqlite3_stmt *st, int i) {
  return sqlite3_column_type(st, i) == SQLITE_NULL
             ? ACC_TIME_NONE
             : sqlite3_column_int64(st, i);
}

acc_rc acc_sqc_list_list(acc_store *s, acc_list_info_cb cb, void *ctx,
                         acc_diag *d) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(acc_sq_db(s),
                         "SELECT lid, name, kind, format, source, imported_us,"
                         " n_entries, valid_from_us, valid_until_us FROM lists"
                         " ORDER BY name",
                         -1, &st, NULL) != SQLITE_OK)
    return db_err(s, d, "preparing a query");
  int step;
  acc_rc rc = ACC_OK;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    acc_list_info l;
    memset(&l, 0, sizeof l);
    l.lid = sqlite3_column_int64(st, 0);
    snprintf(l.name, sizeof l.name, "%s", sqlite3_column_text(st, 1));
    snprintf(l.kind, sizeof l.kind, "%s", sqlite3_column_text(st, 2));
    snprintf(l.format, sizeof l.format, "%s", sqlite3_column_text(st, 3));
    snprintf(l.source, sizeof l.source, "%s", sqlite3_column_text(st, 4));
    l.imported_us = sqlite3_column_int64(st, 5);
    l.n_entries = sqlite3_column_int64(st, 6);
    l.valid_from_us = col_opt(st, 7);
    l.valid_until_us = col_opt(st, 8);
    int stop = cb(ctx, &l);
    if (stop) {
      rc = (acc_rc)stop;
      break;
    }
  }
  if (!rc && step != SQLITE_DONE)
    rc = db_err(s, d, "reading lists");
  sqlite3_finalize(st);
  return rc;
}

acc_rc acc_sqc_list_drop(acc_store *s, const char *name, acc_diag *d) {
  sqlite3_stmt *st = stmt(s, S_LIST_FIND, d);
  if (!st)
    return ACC_ESTORE;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
  int step = sqlite3_step(st);
  int64_t lid = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  if (step != SQLITE_ROW && step != SQLITE_DONE)
    return db_err(s, d, "reading lists");
  if (!lid)
    return acc_diag_set(d, ACC_ENOTFOUND,
                        "no list '%s' (see `accord lists "
                        "list`)",
                        name);
  if (!(st = stmt(s, S_LIST_CLEAR, d)))
    return ACC_ESTORE;
  sqlite3_bind_int64(st, 1, lid);
  if (sqlite3_step(st) != SQLITE_DONE)
    return db_err(s, d, "clearing a list");
  sqlite3_reset(st);
  sqlite3_stmt *del;
  if (sqlite3_prepare_v2(acc_sq_db(s), "DELETE FROM lists WHERE lid = ?1", -1,
                         &del, NULL) != SQLITE_OK)
    return db_err(s, d, "preparing a statement");
  sqlite3_bind_int64(del, 1, lid);
  step = sqlite3_step(del);
  sqlite3_finalize(del);
  state(s)->local_changes++;
  return step == SQLITE_DONE ? ACC_OK : db_err(s, d, "removing a list");
}

/* Prefix lengths present among list entries, per family. */
static acc_rc list_plens(acc_store *s, acc_diag *d) {
  sqc *c = state(s);
  int64_t dv = data_version(s);
  if (c->lplens_ok && c->lplens_dv == dv && c->lplens_local == c->local_changes)
    return ACC_OK;
  memset(c->lplens, 0, sizeof c->lplens);
  for (int v6 = 0; v6 < 2; v6++) {
    int last = -1;
    for (int guard = 0; guard <= 129; guard++) {
      sqlite3_stmt *st = stmt(s, S_LIST_PLEN_NEXT, d);
      if (!st)
        return ACC_ESTORE;
      sqlite3_bind_int(st, 1, v6);
      sqlite3_bind_int(st, 2, last);
      int step = sqlite3_step(st);
      int p = step == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
      sqlite3_reset(st);
      if (step != SQLITE_ROW && step != SQLITE_DONE)
        return db_err(s, d, "reading list entries");
      if (p < 0 || p > 128)
        break;
      set_bit(c->lplens[v6], (unsigned)p);
      last = p;
    }
  }
  c->lplens_ok = 1;
  c->lplens_dv = dv;
  c->lplens_local = c->local_changes;
  return ACC_OK;
}

acc_rc acc_sqc_list_lookup(acc_store *s, int v6, const uint8_t addr[16],
                           int64_t from_us, int64_t until_us,
                           acc_list_match_cb cb, void *ctx, acc_diag *d) {
  acc_rc rc = list_plens(s, d);
  if (rc)
    return rc;
  sqc *c = state(s);
  v6 = v6 ? 1 : 0;
  unsigned bits = v6 ? 128 : 32;
  for (unsigned p = 0; p <= bits && !rc; p++) {
    if (!has_bit(c->lplens[v6], p))
      continue;
    uint8_t net[16];
    mask_net(addr, p, bits, net, 0);
    sqlite3_stmt *st = stmt(s, S_LIST_MATCH, d);
    if (!st)
      return ACC_ESTORE;
    sqlite3_bind_int(st, 1, v6);
    sqlite3_bind_int(st, 2, (int)p);
    sqlite3_bind_blob(st, 3, net, v6 ? 16 : 4, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, lfrom(from_us));
    sqlite3_bind_int64(st, 5, luntil(until_us));
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
      acc_list_entry e = {.kind = sqlite3_column_int(st, 0),
                          .v6 = (uint8_t)v6,
                          .plen = (uint8_t)p};
      memcpy(e.net, net, 16);
      int64_t f = sqlite3_column_int64(st, 1), u = sqlite3_column_int64(st, 2);
      e.valid_from_us = f == INT64_MIN ? ACC_TIME_NONE : f;
      e.valid_until_us = u == INT64_MAX ? ACC_TIME_NONE : u;
      acc_list_match m = {.e = &e,
                          .list = (const char *)sqlite3_column_text(st, 3)};
      int stop = cb(ctx, &m);
      if (stop) {
        rc = (acc_rc)stop;
        break;
      }
    }
    if (!rc && step != SQLITE_DONE)
      rc = db_err(s, d, "reading list entries");
    sqlite3_reset(st);
  }
  return rc;
}
