/*
 * sqlite_int.h — what the files of the SQLite backend share: column
 * helpers, access to a handle's database for its sibling files, and the
 * correlation hooks that store_sqlite.c calls when versions are put or removed.
 */
#ifndef ACC_SQLITE_INT_H
#define ACC_SQLITE_INT_H

#include <sqlite3.h>
#include <stdio.h>

#include "store/store.h"
#include "util/time.h"

/* Column helpers shared by the backend's files: ACC_TIME_NONE as NULL,
 * and text copied into a fixed buffer ("" for NULL). */
static inline void acc_sq_bind_time(sqlite3_stmt *st, int i, int64_t us) {
  if (us == ACC_TIME_NONE)
    sqlite3_bind_null(st, i);
  else
    sqlite3_bind_int64(st, i, us);
}

static inline int64_t acc_sq_col_time(sqlite3_stmt *st, int i) {
  if (sqlite3_column_type(st, i) == SQLITE_NULL)
    return ACC_TIME_NONE;
  return sqlite3_column_int64(st, i);
}

static inline void acc_sq_col_str(sqlite3_stmt *st, int i, char *out,
                                  size_t size) {
  const unsigned char *t = sqlite3_column_text(st, i);
  snprintf(out, size, "%s", t ? (const char *)t : "");
}

/* store_sqlite.c */
sqlite3 *acc_sq_db(acc_store *s);
const char *acc_sq_path(acc_store *s);
void **acc_sq_corr(acc_store *s); /* the slot for sqlite_correlate.c state */
int64_t acc_sq_last_seq(acc_store *s);

/* What the sharing policy and the index need of the version the last put()
 * stored, so indexing it does not read its row back. */
typedef struct acc_sq_facts {
  int64_t ints[5];    /* collection, tlp, granular_tlp, origin_oid,
                         origin_uid */
  const char *txt[3]; /* share_orgs, share_users, created_by_ref ("" when
                         none) */
  int live;           /* unversioned, or latest and not revoked */
} acc_sq_facts;
const acc_sq_facts *acc_sq_last_facts(acc_store *s);
int acc_sq_in_txn(acc_store *s);

/* sqlite_correlate.c: hooks */
void acc_sqc_close(acc_store *s);
/* The transaction (or savepoint) was rolled back. */
void acc_sqc_rolled_back(acc_store *s);
/* Version seq is no longer the latest: its postings go. */
acc_rc acc_sqc_unlive(acc_store *s, int64_t seq, acc_diag *d);
/* Version seq is being removed: postings and doc go. */
acc_rc acc_sqc_forget(acc_store *s, int64_t seq, acc_diag *d);
/* After a removal: the latest version of (id, collection), if indexed and
 * live by the rules, gets its postings back. */
acc_rc acc_sqc_relive(acc_store *s, const char *id, int64_t collection,
                      acc_diag *d);

/* sqlite_correlate.c: the operations of acc_store_ops */
acc_rc acc_sqc_index(acc_store *s, const acc_corr_doc *doc,
                     const acc_corr_val *vals, size_t n, acc_diag *d);
acc_rc acc_sqc_reset(acc_store *s, acc_diag *d);
acc_rc acc_sqc_bulk(acc_store *s, int on, acc_diag *d);
acc_rc acc_sqc_find(acc_store *s, const acc_corr_val *v, int64_t *vid,
                    acc_diag *d);
acc_rc acc_sqc_value(acc_store *s, int64_t vid, acc_corr_value_cb cb, void *ctx,
                     acc_diag *d);
acc_rc acc_sqc_postings(acc_store *s, int64_t vid, acc_corr_posting_cb cb,
                        void *ctx, acc_diag *d);
acc_rc acc_sqc_cls(acc_store *s, int64_t cls, acc_corr_cls *out, acc_diag *d);
acc_rc acc_sqc_nets(acc_store *s, const acc_corr_val *v, acc_corr_net_mode mode,
                    acc_corr_value_cb cb, void *ctx, acc_diag *d);
acc_rc acc_sqc_stats(acc_store *s, acc_corr_stats *out, acc_diag *d);
acc_rc acc_sqc_cls_all(acc_store *s, acc_corr_cls_cb cb, void *ctx,
                       acc_diag *d);
acc_rc acc_sqc_agg(acc_store *s, int64_t vid, acc_corr_agg_cb cb, void *ctx,
                   acc_diag *d);
acc_rc acc_sqc_doc_cls(acc_store *s, int64_t seq, int64_t *cls, acc_diag *d);
acc_rc acc_sqc_recent(acc_store *s, int64_t vid, int64_t cls, size_t limit,
                      acc_corr_posting_cb cb, void *ctx, acc_diag *d);
acc_rc acc_sqc_list_put(acc_store *s, acc_list_info *l, int replace,
                        acc_diag *d);
acc_rc acc_sqc_list_entry_add(acc_store *s, int64_t lid,
                              const acc_list_entry *e, acc_diag *d);
acc_rc acc_sqc_list_finish(acc_store *s, int64_t lid, acc_diag *d);
acc_rc acc_sqc_list_list(acc_store *s, acc_list_info_cb cb, void *ctx,
                         acc_diag *d);
acc_rc acc_sqc_list_drop(acc_store *s, const char *name, acc_diag *d);
acc_rc acc_sqc_list_lookup(acc_store *s, int v6, const uint8_t addr[16],
                           int64_t from_us, int64_t until_us,
                           acc_list_match_cb cb, void *ctx, acc_diag *d);

#endif
