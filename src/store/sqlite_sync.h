/*
 * sqlite_sync.h — the SQLite side of federation (peers, sync state,
 * provenance): the schema migration and the acc_store_ops entries that
 * store_sqlite.c puts in its table.  Internal to the store.
 */
#ifndef ACC_SQLITE_SYNC_H
#define ACC_SQLITE_SYNC_H

#include <sqlite3.h>

#include "store/store.h"

/* The connection behind an SQLite store (store_sqlite.c). */
sqlite3 *acc_sq_db(acc_store *s);

/* Migration: tables peers, peer_state and provenance. */
extern const char acc_sq_sync_migration[];

acc_rc acc_sq_peer_add(acc_store *s, acc_peer_row *p, acc_diag *d);
acc_rc acc_sq_peer_update(acc_store *s, const acc_peer_row *p, acc_diag *d);
acc_rc acc_sq_peer_get(acc_store *s, const char *name, acc_peer_row *out,
                       acc_diag *d);
acc_rc acc_sq_peer_list(acc_store *s, acc_peer_cb cb, void *ctx, acc_diag *d);
acc_rc acc_sq_peer_remove(acc_store *s, int64_t pid, acc_diag *d);
acc_rc acc_sq_peer_orgs(acc_store *s, int64_t *oids, size_t max, size_t *n,
                        acc_diag *d);
acc_rc acc_sq_peer_state_get(acc_store *s, int64_t pid, acc_peer_state *out,
                             acc_diag *d);
acc_rc acc_sq_peer_state_put(acc_store *s, const acc_peer_state *st,
                             acc_diag *d);
acc_rc acc_sq_provenance_add(acc_store *s, int64_t date_added_us, int64_t pid,
                             const char *peer, int64_t received_us,
                             acc_diag *d);
acc_rc acc_sq_provenance_get(acc_store *s, int64_t date_added_us,
                             char peer[ACC_NAME_MAX], int64_t *received_us,
                             acc_diag *d);
acc_rc acc_sq_added_range(acc_store *s, int64_t cid, int64_t after_us,
                          int64_t *count, int64_t *first_us, int64_t *last_us,
                          acc_diag *d);

#endif
