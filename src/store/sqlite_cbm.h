/*
 * sqlite_cbm.h — the SQLite side of confidence-building (src/cbm): the
 * schema migration of the consultation and point-of-contact index and the
 * acc_store_ops entries store_sqlite.c puts in its table.  Internal to the
 * store.
 */
#ifndef ACC_SQLITE_CBM_H
#define ACC_SQLITE_CBM_H

#include "store/store.h"

/* Migration: table cbm_index (and its trigger on objects). */
extern const char acc_sq_cbm_migration[];

acc_rc acc_sq_cbm_put(acc_store *s, const acc_cbm_row *r, acc_diag *d);
acc_rc acc_sq_cbm_get(acc_store *s, const char *id, acc_cbm_row *out,
                      acc_diag *d);
acc_rc acc_sq_cbm_list(acc_store *s, char kind, const char *key,
                       acc_cbm_row_cb cb, void *ctx, acc_diag *d);

#endif
