/*
 * sqlite_sync.c — federation's tables in the SQLite store: peers (name,
 * organisation, settings as JSON), peer_state (watermarks and counters,
 * written in the same transaction as the objects a pull page brings) and
 * provenance (which peer each pulled version came from, and when).
 *
 * Statements are prepared once per connection and found again by their
 * text (sqlite3_next_stmt), so the per-object provenance insert of a pull
 * costs no parse; store_sqlite.c finalizes them when the store closes.
 */
#include <stdio.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "store/sqlite_sync.h"
#include "util/time.h"

const char acc_sq_sync_migration[] =
    "CREATE TABLE peers("
    "  pid INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  oid INTEGER NOT NULL REFERENCES orgs(oid),"
    "  config TEXT NOT NULL,"
    "  created_us INTEGER NOT NULL);"
    "CREATE TABLE peer_state("
    "  pid INTEGER PRIMARY KEY REFERENCES peers(pid) ON DELETE CASCADE,"
    "  pull_after TEXT NOT NULL DEFAULT '',"
    "  pull_run_after TEXT NOT NULL DEFAULT '',"
    "  pull_next TEXT NOT NULL DEFAULT '',"
    "  push_after_us INTEGER,"
    "  pulled INTEGER NOT NULL DEFAULT 0,"
    "  pull_duplicates INTEGER NOT NULL DEFAULT 0,"
    "  pull_rejected INTEGER NOT NULL DEFAULT 0,"
    "  pushed INTEGER NOT NULL DEFAULT 0,"
    "  push_rejected INTEGER NOT NULL DEFAULT 0,"
    "  push_withheld INTEGER NOT NULL DEFAULT 0,"
    "  pull_ok_us INTEGER,"
    "  push_ok_us INTEGER,"
    "  attempt_us INTEGER,"
    "  error_us INTEGER,"
    "  error TEXT NOT NULL DEFAULT '',"
    "  reject TEXT NOT NULL DEFAULT '',"
    "  failures INTEGER NOT NULL DEFAULT 0);"
    /* One row per version that arrived from a peer, keyed by the
     * version's date_added (unique in objects).  No foreign key to peers:
     * the history outlives a removed peer, and names it. */
    "CREATE TABLE provenance("
    "  date_added_us INTEGER PRIMARY KEY,"
    "  pid INTEGER NOT NULL,"
    "  peer TEXT NOT NULL,"
    "  received_us INTEGER NOT NULL);"
    "CREATE TRIGGER provenance_gone AFTER DELETE ON objects BEGIN"
    "  DELETE FROM provenance WHERE date_added_us = old.date_added_us;"
    "  END;";

static acc_rc db_err(sqlite3 *db, acc_diag *d, const char *what) {
  const char *file = sqlite3_db_filename(db, "main");
  return acc_diag_set(d, ACC_ESTORE, "store %s: %s: %s", file ? file : "?",
                      what, sqlite3_errmsg(db));
}

/* A statement for sql on this connection: one prepared earlier and idle,
 * or a new persistent one.  The caller resets it (done()). */
static acc_rc prep(sqlite3 *db, const char *sql, sqlite3_stmt **out,
                   acc_diag *d) {
  for (sqlite3_stmt *st = sqlite3_next_stmt(db, NULL); st;
       st = sqlite3_next_stmt(db, st)) {
    const char *t = sqlite3_sql(st);
    if (t && !sqlite3_stmt_busy(st) && strcmp(t, sql) == 0) {
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
      *out = st;
      return ACC_OK;
    }
  }
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) !=
      SQLITE_OK)
    return db_err(db, d, "preparing a statement");
  return ACC_OK;
}

static void done(sqlite3_stmt *st) {
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
}

/* Step a write to completion, mapping constraint failures. */
static acc_rc step_write(sqlite3 *db, sqlite3_stmt *st, acc_diag *d,
                         const char *what) {
  int step = sqlite3_step(st);
  int ext = sqlite3_extended_errcode(db);
  acc_rc rc = ACC_OK;
  if (step != SQLITE_DONE) {
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
      rc = acc_diag_set(d, ACC_EEXIST, "%s already exists", what);
    else if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
      rc =
          acc_diag_set(d, ACC_ENOTFOUND, "%s refers to something absent", what);
    else
      rc = db_err(db, d, what);
  }
  done(st);
  return rc;
}

/* ---- peers ---- */

acc_rc acc_sq_peer_add(acc_store *s, acc_peer_row *p, acc_diag *d) {
  sqlite3 *db = acc_sq_db(s);
  sqlite3_stmt *st;
  acc_rc rc = prep(db,
                   "INSERT INTO peers(name, oid, config, created_us)"
                   " VALUES(?1, ?2, ?3, ?4)",
                   &st, d);
  if (rc)
    return rc;
  sqlite3_bind_text(st, 1, p->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, p->oid);
  sqlite3_bind_text(st, 3, p->config, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, acc_time_now_us());
  rc = step_write(db, st, d, "a peer with this name");
  if (!rc)
    p->pid = sqlite3_last_insert_rowid(db);
  return rc;
}

acc_rc acc_sq_peer_update(acc_store *s, const acc_peer_row *p, acc_diag *d) {
  sqlite3 *db = acc_sq_db(s);
  sqlite3_stmt *st;
  acc_rc rc =
      prep(db, "UPDATE peers SET oid = ?2, config = ?3 WHERE pid = ?1", &st, d);
  if (rc)
    return rc;
  sqlite3_bind_int64(st, 1, p->pid);
  sqlite3_bind_int64(st, 2, p->oid);
  sqlite3_bind_text(st, 3, p->config, -1, SQLITE_TRANSIENT);
  rc = step_write(db, st, d, "peer");
  if (!rc && sqlite3_changes(db) == 0)
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no peer '%s'", p->name);
  return rc;
}

static void fill_peer(sqlite3_stmt *st, acc_peer_row *p) {
  p->pid = sqlite3_column_int64(st, 0);
  acc_sq_col_str(st, 1, p->name, sizeof p->name);
  p->oid = sqlite3_column_int64(st, 2);
  acc_sq_col_str(st, 3, p->config, sizeof p->config);
}

acc_rc acc_sq_peer_get(acc_store *s, const char *name, acc_peer_row *out,
                       acc_diag *d) {
  sqlite3 *db = acc_sq_db(s);
  sqlite3_stmt *st;
  acc_rc rc = prep(
      db, "SELECT pid, name, oid, config FROM peers WHERE name = ?1", &st, d);
  if (rc)
    return rc;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW)
    fill_peer(st, out);
  else if (step == SQLITE_DONE)
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no peer '%s' (see `accord peer list`)",
                      name);
  else
    rc = db_err(db, d, "reading peers");
  done(st);
  return rc;
}

acc_rc acc_sq_peer_list(acc_store *s, acc_peer_cb cb, void *ctx, acc_diag *d) {
  sqlite3 *db = acc_sq_db(s);
  sqlite3_stmt *st;
  /* Not a cached statement: the callback may use the store. */
  if (sqlite3_prepare_v2(db,
                         "SELECT pid, name, oid, config FROM peers"
                         " ORDER BY name",
                         -1, &st, NULL) != SQLITE_OK)
    return db_err(db, d, "reading peers");
  acc_rc rc = ACC_OK;
  acc_peer_row *p = sqlite3_malloc(sizeof *p);
  if (!p) {
    sqlite3_finalize(st);
    return ACC_ENOMEM;
  }
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    fill_peer(st, p);
    int stop = cb(ctx, p);
    if (stop) {
      rc = (acc_rc)stop;
      break;
    }
  }
  if (!rc && step != SQLITE_DONE)
    rc = db_err(db, d, "reading peers");
  sqlite3_free(p);
  sqlite3_finalize(st);
  return rc;
}

acc_rc acc_sq_peer_remove(acc_store *s, int64_t pid, acc_diag *d) {
  sqlite3 *db = acc_sq_db(s);
  sqlite3_stmt *st;
  acc_rc rc = prep(db, "DELETE FROM peer_state WHERE pid = ?1", &st, d);
  if (rc)
    return rc;
  sqlite3_bind_int64(st, 1, pid);
  if ((rc = step_write(db, st, d, "peer state")))
    return rc;
  if ((rc = prep(db, "DELETE FROM peers WHERE pid = ?1", &st, d)))
    return rc;
  sqlite3_bind_int64(st, 1, pid);
  rc = step_write(db, st, d, "peer");
  if (!rc && sqlite3_changes(db) == 0)
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no peer %lld", (long long)pid);
  return rc;
}

acc_rc acc_sq_peer_orgs(acc_store *s, int64_t *oids, size_t max, size_t *n,
                        acc_diag *d) {
  sqlite3 *db = acc_sq_db(s);
  sqlite3_stmt *st;
  acc_rc rc = prep(db, "SELECT DISTINCT oid FROM peers ORDER BY oid", &st, d);
  if (rc)
    return rc;
  size_t k = 0;
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (k < max)
      oids[k] = sqlite3_column_int64(st, 0);
    k++;
  }
  if (step != SQLITE_DONE)
    rc = db_err(db, d, "reading peers");
  done(st);
  if (!rc)
    *n = k;
  return rc;
}

/* ---- sync state ---- */

#define STATE_COLS                                                             \
  "pull_after, pull_run_after, pull_next, push_after_us, pulled,"              \
  " pull_duplicates, pull_rejected, pushed, push_rejected, push_withheld,"     \
  " pull_ok_us, push_ok_us, attempt_us, error_us, error, reject, failures"

static void state_init(acc_peer_state *s, int64_t pid) {
  memset(s, 0, sizeof *s);
  s->pid = pid;
  s->push_after_us = ACC_TIME_NONE;
  s->pull_ok_us = s->push_ok_us = ACC_TIME_NONE;
  s->attempt_us = s->error_us = ACC_TIME_NONE;
}

acc_rc acc_sq_peer_state_get(acc_store *s, int64_t pid, acc_peer_state *out,
                             acc_diag *d) {
  sqlite3 *db = acc_sq_db(s);
  sqlite3_stmt *st;
  acc_rc rc =
      prep(db, "SELECT " STATE_COLS " FROM peer_state WHERE pid = ?1", &st, d);
  if (rc)
    return rc;
  sqlite3_bind_int64(st, 1, pid);
  state_init(out, pid);
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    acc_sq_col_str(st, 0, out->pull_after, sizeof out->pull_after);
    acc_sq_col_str(st, 1, out->pull_run_after, sizeof out->pull_run_after);
    acc_sq_col_str(st, 2, out->pull_next, sizeof out->pull_next);
    out->push_after_us = acc_sq_col_time(st, 3);
    out->pulled = sqlite3_column_int64(st, 4);
    out->pull_duplicates = sqlite3_column_int64(st, 5);
    out->pull_rejected = sqlite3_column_int64(st, 6);
    out->pushed = sqlite3_column_int64(st, 7);
    out->push_rejected = sqlite3_column_int64(st, 8);
    out->push_withheld = sqlite3_column_int64(st, 9);
    out->pull_ok_us = acc_sq_col_time(st, 10);
    out->push_ok_us = acc_sq_col_time(st, 11);
    out->attempt_us = acc_sq_col_time(st, 12);
    out->error_us = acc_sq_col_time(st, 13);
    acc_sq_col_str(st, 14, out->error, sizeof out->error);
    acc_sq_col_str(st, 15, out->reject, sizeof out->reject);
    out->failures = sqlite3_column_int64(st, 16);
  } else if (step != SQLITE_DONE) {
    rc = db_err(db, d, "reading peer state");
  }
  done(st);
  return rc;
}

acc_rc acc_sq_peer_state_put(acc_store *s, const acc_peer_state *v,
                             acc_diag *d) {
  sqlite3 *db = acc_sq_db(s);
  sqlite3_stmt *st;
  acc_rc rc = prep(db,
                   "INSERT OR REPLACE INTO peer_state(pid, " STATE_COLS ")"
                   " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
                   "?15,?16,?17,?18)",
                   &st, d);
  if (rc)
    return rc;
  sqlite3_bind_int64(st, 1, v->pid);
  sqlite3_bind_text(st, 2, v->pull_after, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, v->pull_run_after, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, v->pull_next, -1, SQLITE_TRANSIENT);
  acc_sq_bind_time(st, 5, v->push_after_us);
  sqlite3_bind_int64(st, 6, v->pulled);
  sqlite3_bind_int64(st, 7, v->pull_duplicates);
  sqlite3_bind_int64(st, 8, v->pull_rejected);
  sqlite3_bind_int64(st, 9, v->pushed);
  sqlite3_bind_int64(st, 10, v->push_rejected);
  sqlite3_bind_int64(st, 11, v->push_withheld);
  acc_sq_bind_time(st, 12, v->pull_ok_us);
  acc_sq_bind_time(st, 13, v->push_ok_us);
  acc_sq_bind_time(st, 14, v->attempt_us);
  acc_sq_bind_time(st, 15, v->error_us);
  sqlite3_bind_text(st, 16, v->error, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 17, v->reject, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 18, v->failures);
  return step_write(db, st, d, "peer state");
}

/* ---- provenance ---- */

acc_rc acc_sq_provenance_add(acc_store *s, int64_t date_added_us, int64_t pid,
                             const char *peer, int64_t received_us,
                             acc_diag *d) {
  sqlite3 *db = acc_sq_db(s);
  sqlite3_stmt *st;
  acc_rc rc = prep(db,
                   "INSERT OR IGNORE INTO provenance(date_added_us, pid,"
                   " peer, received_us) VALUES(?1, ?2, ?3, ?4)",
                   &st, d);
  if (rc)
    return rc;
  sqlite3_bind_int64(st, 1, date_added_us);
  sqlite3_bind_int64(st, 2, pid);
  sqlite3_bind_text(st, 3, peer, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, received_us);
  return step_write(db, st, d, "provenance");
}

acc_rc acc_sq_provenance_get(acc_store *s, int64_t date_added_us,
                             char peer[ACC_NAME_MAX], int64_t *received_us,
                             acc_diag *d) {
  sqlite3 *db = acc_sq_db(s);
  sqlite3_stmt *st;
  acc_rc rc = prep(db,
                   "SELECT peer, received_us FROM provenance"
                   " WHERE date_added_us = ?1",
                   &st, d);
  if (rc)
    return rc;
  sqlite3_bind_int64(st, 1, date_added_us);
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    acc_sq_col_str(st, 0, peer, ACC_NAME_MAX);
    *received_us = sqlite3_column_int64(st, 1);
  } else if (step == SQLITE_DONE) {
    rc = ACC_ENOTFOUND; /* added here, not received */
  } else {
    rc = db_err(db, d, "reading provenance");
  }
  done(st);
  return rc;
}

acc_rc acc_sq_added_range(acc_store *s, int64_t cid, int64_t after_us,
                          int64_t *count, int64_t *first_us, int64_t *last_us,
                          acc_diag *d) {
  sqlite3 *db = acc_sq_db(s);
  sqlite3_stmt *st;
  acc_rc rc = prep(db,
                   "SELECT count(*), min(date_added_us), max(date_added_us)"
                   " FROM objects WHERE collection = ?1 AND"
                   " date_added_us > ?2",
                   &st, d);
  if (rc)
    return rc;
  sqlite3_bind_int64(st, 1, cid);
  sqlite3_bind_int64(st, 2, after_us == ACC_TIME_NONE ? INT64_MIN : after_us);
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    *count = sqlite3_column_int64(st, 0);
    *first_us = acc_sq_col_time(st, 1);
    *last_us = acc_sq_col_time(st, 2);
  } else {
    rc = db_err(db, d, "reading objects");
  }
  done(st);
  return rc;
}
