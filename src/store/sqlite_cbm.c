/*
 * sqlite_cbm.c — confidence-building's table in the SQLite store:
 * cbm_index, one row per consultation message (a note) and per point of
 * contact (an identity) carrying Accord's confidence-building extension,
 * with what deadlines, metrics and lists need and nothing a reader could
 * not learn from the objects themselves.  The objects are the truth;
 * src/cbm/index.c fills the rows from them.  Rows go with the last stored
 * version of their object (trigger cbm_index_gone).
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/sqlite_cbm.h"
#include "store/sqlite_int.h"
#include "store/sqlite_sync.h"
#include "util/time.h"

const char acc_sq_cbm_migration[] =
    "CREATE TABLE cbm_index("
    "  id TEXT PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  thread TEXT NOT NULL DEFAULT '',"
    "  action TEXT NOT NULL DEFAULT '',"
    "  org TEXT NOT NULL DEFAULT '',"
    "  to_org TEXT NOT NULL DEFAULT '',"
    "  recipients TEXT NOT NULL DEFAULT '',"
    "  public_key TEXT NOT NULL DEFAULT '',"
    "  sig INTEGER NOT NULL,"
    "  t_us INTEGER,"
    "  due1_us INTEGER,"
    "  due2_us INTEGER,"
    "  modified_us INTEGER,"
    "  origin_oid INTEGER NOT NULL DEFAULT 0,"
    "  collection INTEGER NOT NULL,"
    "  revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX cbm_index_thread ON cbm_index(kind, thread, t_us);"
    "CREATE INDEX cbm_index_org ON cbm_index(kind, org);"
    "CREATE TRIGGER cbm_index_gone AFTER DELETE ON objects"
    "  WHEN NOT EXISTS (SELECT 1 FROM objects WHERE id = old.id) BEGIN"
    "  DELETE FROM cbm_index WHERE id = old.id;"
    "  END;";

static acc_rc db_err(sqlite3 *db, acc_diag *d, const char *what) {
  const char *file = sqlite3_db_filename(db, "main");
  return acc_diag_set(d, ACC_ESTORE, "store %s: %s: %s", file ? file : "?",
                      what, sqlite3_errmsg(db));
}

acc_rc acc_sq_cbm_put(acc_store *s, const acc_cbm_row *r, acc_diag *d) {
  sqlite3 *db = acc_sq_db(s);
  sqlite3_stmt *st;
  /* A version older than the row's is ignored: the newest wins. */
  static const char sql[] =
      "INSERT OR REPLACE INTO cbm_index(id, kind, thread, action, org, to_org,"
      " recipients, public_key, sig, t_us, due1_us, due2_us, modified_us,"
      " origin_oid, collection, revoked)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
      " ?15, ?16)";
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    return db_err(db, d, "indexing consultations");
  char kind[2] = {r->kind, '\0'};
  sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, r->thread, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, r->action, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, r->org, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 6, r->to_org, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, r->recipients, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 8, r->public_key, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 9, r->sig);
  acc_sq_bind_time(st, 10, r->t_us);
  acc_sq_bind_time(st, 11, r->due1_us);
  acc_sq_bind_time(st, 12, r->due2_us);
  acc_sq_bind_time(st, 13, r->modified_us);
  sqlite3_bind_int64(st, 14, r->origin_oid);
  sqlite3_bind_int64(st, 15, r->collection);
  sqlite3_bind_int(st, 16, r->revoked);
  acc_rc rc = ACC_OK;
  if (sqlite3_step(st) != SQLITE_DONE)
    rc = db_err(db, d, "indexing consultations");
  sqlite3_finalize(st);
  return rc;
}

static void fill(sqlite3_stmt *st, acc_cbm_row *r) {
  memset(r, 0, sizeof *r);
  acc_sq_col_str(st, 0, r->id, sizeof r->id);
  const unsigned char *kk = sqlite3_column_text(st, 1);
  r->kind = kk ? (char)kk[0] : '?';
  acc_sq_col_str(st, 2, r->thread, sizeof r->thread);
  acc_sq_col_str(st, 3, r->action, sizeof r->action);
  acc_sq_col_str(st, 4, r->org, sizeof r->org);
  acc_sq_col_str(st, 5, r->to_org, sizeof r->to_org);
  acc_sq_col_str(st, 6, r->recipients, sizeof r->recipients);
  acc_sq_col_str(st, 7, r->public_key, sizeof r->public_key);
  r->sig = sqlite3_column_int(st, 8);
  r->t_us = acc_sq_col_time(st, 9);
  r->due1_us = acc_sq_col_time(st, 10);
  r->due2_us = acc_sq_col_time(st, 11);
  r->modified_us = acc_sq_col_time(st, 12);
  r->origin_oid = sqlite3_column_int64(st, 13);
  r->collection = sqlite3_column_int64(st, 14);
  r->revoked = sqlite3_column_int(st, 15);
}

#define COLS                                                                   \
  "id, kind, thread, action, org, to_org, recipients, public_key, sig, t_us,"  \
  " due1_us, due2_us, modified_us, origin_oid, collection, revoked"

acc_rc acc_sq_cbm_get(acc_store *s, const char *id, acc_cbm_row *out,
                      acc_diag *d) {
  sqlite3 *db = acc_sq_db(s);
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, "SELECT " COLS " FROM cbm_index WHERE id = ?1", -1,
                         &st, NULL) != SQLITE_OK)
    return db_err(db, d, "reading the consultation index");
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  acc_rc rc = ACC_OK;
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW)
    fill(st, out);
  else if (step == SQLITE_DONE)
    rc = acc_diag_set(d, ACC_ENOTFOUND, "%s is not indexed", id);
  else
    rc = db_err(db, d, "reading the consultation index");
  sqlite3_finalize(st);
  return rc;
}

acc_rc acc_sq_cbm_list(acc_store *s, char kind, const char *key,
                       acc_cbm_row_cb cb, void *ctx, acc_diag *d) {
  sqlite3 *db = acc_sq_db(s);
  sqlite3_stmt *st;
  const char *sql;
  if (kind == 'm')
    sql = key ? "SELECT " COLS
                " FROM cbm_index WHERE kind = 'm' AND thread = ?1"
                " ORDER BY thread, t_us, id"
              : "SELECT " COLS " FROM cbm_index WHERE kind = 'm'"
                " ORDER BY thread, t_us, id";
  else
    sql = key ? "SELECT " COLS " FROM cbm_index WHERE kind = ?2 AND org = ?1"
                " ORDER BY org, id"
              : "SELECT " COLS
                " FROM cbm_index WHERE kind = ?2 ORDER BY org, id";
  /* Not a cached statement: the callback may use the store. */
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    return db_err(db, d, "reading the consultation index");
  char k[2] = {kind, '\0'};
  if (key)
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  if (kind != 'm')
    sqlite3_bind_text(st, 2, k, -1, SQLITE_STATIC);
  acc_cbm_row *r = sqlite3_malloc(sizeof *r);
  if (!r) {
    sqlite3_finalize(st);
    return ACC_ENOMEM;
  }
  acc_rc rc = ACC_OK;
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    fill(st, r);
    int stop = cb(ctx, r);
    if (stop) {
      rc = (acc_rc)stop;
      break;
    }
  }
  if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
    rc = db_err(db, d, "reading the consultation index");
  sqlite3_free(r);
  sqlite3_finalize(st);
  return rc;
}
