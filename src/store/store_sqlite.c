/*
 * store_sqlite.c — the embedded storage backend: one SQLite database
 * (WAL mode) in the data directory.  This is the only file that writes SQL
 * for objects; everything else goes through acc_store_ops.
 *
 * One row per stored version.  Rows are appended in date_added order, so
 * the rowid (seq) and date_added_us rise together.  is_latest / is_first
 * mark the latest and earliest version of each id and are kept exact by
 * put(), which makes "latest version" queries a partial-index scan.
 */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/sqlite_cbm.h"
#include "store/sqlite_int.h"
#include "store/sqlite_sync.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/time.h"

#define DB_FILE "accord.db"

#define STMT_CACHE 48

typedef struct sq_store {
  acc_store base;
  sqlite3 *db;
  uint64_t undone; /* rollbacks of this connection (see sq_generation) */
  char *path;         /* database file */
  int64_t last_added; /* highest date_added_us issued (inside a txn) */
  int in_txn;
  int sp_depth; /* open savepoints */
  sqlite3_stmt *st_versions;
  sqlite3_stmt *st_insert;
  sqlite3_stmt *st_clear_latest;
  sqlite3_stmt *st_clear_first;
  sqlite3_stmt *st_max_added;
  sqlite3_stmt *st_get_latest;
  sqlite3_stmt *st_get_version;
  /* Prepared statements kept for reuse (see cache_prepare): preparing
   * costs more than running most of the small queries a request makes. */
  struct sq_cached {
    char *sql;          /* the statement's text (owned) */
    uint64_t hash;      /* of sql, to skip most comparisons */
    sqlite3_stmt *st;
    int busy;           /* handed out and not yet released */
    uint64_t used;      /* tick of the last hand-out, for eviction */
  } cache[STMT_CACHE];
  uint64_t tick;
  sqlite3_stmt *st_corr_record; /* prepared on first use */
  int64_t last_seq; /* seq of the version the last put() stored */
  acc_sq_facts last_facts; /* and its facts (strings in fact_buf) */
  acc_buf fact_buf[3];
  void *corr;       /* correlation state (sqlite_correlate.c) */
  struct count_cache *counts; /* the last count_latest answer */
} sq_store;

/* Schema migrations, applied in order; PRAGMA user_version counts them. */
static const char *const migrations[] = {
    /* 1: objects and their versions */
    "CREATE TABLE objects("
    "  seq INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  spec_version TEXT NOT NULL,"
    "  created_us INTEGER,"
    "  modified_us INTEGER,"
    "  date_added_us INTEGER NOT NULL UNIQUE,"
    "  revoked INTEGER NOT NULL DEFAULT 0,"
    "  is_latest INTEGER NOT NULL DEFAULT 0,"
    "  is_first INTEGER NOT NULL DEFAULT 0,"
    "  created_by_ref TEXT,"
    "  raw_len INTEGER NOT NULL,"
    "  raw TEXT NOT NULL);"
    "CREATE INDEX objects_id ON objects(id, modified_us);"
    "CREATE INDEX objects_latest ON objects(date_added_us) WHERE is_latest;"
    "CREATE INDEX objects_first ON objects(date_added_us) WHERE is_first;"
    "CREATE INDEX objects_type_latest ON objects(type, date_added_us)"
    "  WHERE is_latest;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    "  WITHOUT ROWID;",
    /* 2: collections, organisations, users, tokens, grants, status */
    "CREATE TABLE collections("
    "  cid INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  api_root TEXT NOT NULL DEFAULT 'api',"
    "  alias TEXT,"
    "  title TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  default_marking TEXT NOT NULL DEFAULT '',"
    "  public_read INTEGER NOT NULL DEFAULT 0,"
    "  created_us INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX collections_alias ON collections(api_root, alias)"
    "  WHERE alias IS NOT NULL;"
    "INSERT INTO collections(cid, id, alias, title, description, created_us)"
    "  VALUES(1, lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2)))"
    "  || '-4' || substr(lower(hex(randomblob(2))), 2) || '-'"
    "  || substr('89ab', 1 + abs(random() % 4), 1)"
    "  || substr(lower(hex(randomblob(2))), 2) || '-'"
    "  || lower(hex(randomblob(6))), 'default', 'Default',"
    "  'Objects imported without naming a collection',"
    "  CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER));"
    "ALTER TABLE objects ADD COLUMN collection INTEGER NOT NULL DEFAULT 1;"
    "DROP INDEX objects_id;"
    "DROP INDEX objects_latest;"
    "DROP INDEX objects_first;"
    "DROP INDEX objects_type_latest;"
    "CREATE INDEX objects_id ON objects(id, collection, modified_us);"
    "CREATE INDEX objects_added ON objects(collection, date_added_us);"
    "CREATE INDEX objects_latest ON objects(collection, date_added_us)"
    "  WHERE is_latest;"
    "CREATE INDEX objects_first ON objects(collection, date_added_us)"
    "  WHERE is_first;"
    "CREATE INDEX objects_type_latest ON objects(collection, type,"
    "  date_added_us) WHERE is_latest;"
    "CREATE TABLE orgs("
    "  oid INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  identity_ref TEXT NOT NULL DEFAULT '',"
    "  member INTEGER NOT NULL DEFAULT 1,"
    "  created_us INTEGER NOT NULL);"
    "CREATE TABLE users("
    "  uid INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  oid INTEGER NOT NULL REFERENCES orgs(oid),"
    "  pwhash TEXT NOT NULL DEFAULT '',"
    "  admin INTEGER NOT NULL DEFAULT 0,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  created_us INTEGER NOT NULL);"
    "CREATE TABLE tokens("
    "  tid INTEGER PRIMARY KEY,"
    "  prefix TEXT NOT NULL UNIQUE,"
    "  hash BLOB NOT NULL,"
    "  uid INTEGER NOT NULL REFERENCES users(uid),"
    "  label TEXT NOT NULL DEFAULT '',"
    "  expires_us INTEGER,"
    "  revoked INTEGER NOT NULL DEFAULT 0,"
    "  created_us INTEGER NOT NULL);"
    "CREATE TABLE grants("
    "  cid INTEGER NOT NULL REFERENCES collections(cid),"
    "  oid INTEGER NOT NULL REFERENCES orgs(oid),"
    "  can_read INTEGER NOT NULL,"
    "  can_write INTEGER NOT NULL,"
    "  PRIMARY KEY(cid, oid)) WITHOUT ROWID;"
    "CREATE TABLE status("
    "  id TEXT PRIMARY KEY,"
    "  json TEXT NOT NULL,"
    "  created_us INTEGER NOT NULL);"
    "CREATE INDEX status_created ON status(created_us);",
    /* 3: what the sharing policy needs, kept with each version and
     * backfilled from the stored JSON of earlier versions */
    "ALTER TABLE objects ADD COLUMN tlp INTEGER NOT NULL DEFAULT -1;"
    "ALTER TABLE objects ADD COLUMN granular_tlp INTEGER NOT NULL"
    "  DEFAULT -1;"
    "ALTER TABLE objects ADD COLUMN share_orgs TEXT;"
    "ALTER TABLE objects ADD COLUMN share_users TEXT;"
    "ALTER TABLE objects ADD COLUMN origin_oid INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE objects ADD COLUMN origin_uid INTEGER NOT NULL DEFAULT 0;"
    "CREATE TEMP TABLE tlp_ids(id TEXT PRIMARY KEY, level INTEGER);"
    "INSERT INTO tlp_ids VALUES"
    "  ('marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', 0),"
    "  ('marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', 1),"
    "  ('marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421', 2),"
    "  ('marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003', 3),"
    "  ('marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', 4),"
    "  ('marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', 0),"
    "  ('marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', 1),"
    "  ('marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', 2),"
    "  ('marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', 4);"
    "UPDATE objects SET"
    "  tlp = coalesce((SELECT max(t.level) FROM"
    "    json_each(objects.raw, '$.object_marking_refs') j"
    "    JOIN tlp_ids t ON t.id = j.value), -1),"
    "  granular_tlp = coalesce((SELECT max(t.level) FROM"
    "    json_each(objects.raw, '$.granular_markings') j"
    "    JOIN tlp_ids t ON t.id = json_extract(j.value, '$.marking_ref')),"
    "    -1),"
    "  share_orgs = (SELECT '|' || group_concat(j.value, '|') || '|' FROM"
    "    json_each(objects.raw, '$.extensions.\"extension-definition--"
    "5c6d7a1e-2f48-4b9c-8e3a-6d0f1b2c3e4a\".recipient_orgs') j),"
    "  share_users = (SELECT '|' || group_concat(j.value, '|') || '|' FROM"
    "    json_each(objects.raw, '$.extensions.\"extension-definition--"
    "5c6d7a1e-2f48-4b9c-8e3a-6d0f1b2c3e4a\".recipient_users') j)"
    "  WHERE json_valid(raw);"
    "DROP TABLE tlp_ids;",
    /* 4: correlation — observable values stored once, postings of each to
     * the live versions holding it, sharing classes; anonymiser and relay
     * lists (sqlite_correlate.c, store/store_corr.h) */
    "CREATE TABLE corr_values("
    "  vid INTEGER PRIMARY KEY,"
    "  kind INTEGER NOT NULL,"
    "  text TEXT NOT NULL);"
    "CREATE TABLE corr_postings("
    "  vid INTEGER NOT NULL,"
    "  cls INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  t INTEGER NOT NULL,"
    "  dt INTEGER NOT NULL,"
    "  PRIMARY KEY(vid, cls, seq)) WITHOUT ROWID;"
    "CREATE TABLE corr_docs("
    "  seq INTEGER PRIMARY KEY,"
    "  cls INTEGER NOT NULL,"
    "  t INTEGER NOT NULL,"
    "  dt INTEGER NOT NULL,"
    "  live INTEGER NOT NULL,"
    "  vids BLOB NOT NULL);"
    "CREATE TABLE corr_cls("
    "  cls INTEGER PRIMARY KEY,"
    "  collection INTEGER NOT NULL,"
    "  tlp INTEGER NOT NULL,"
    "  granular_tlp INTEGER NOT NULL,"
    "  origin_oid INTEGER NOT NULL,"
    "  origin_uid INTEGER NOT NULL,"
    "  share_orgs TEXT NOT NULL,"
    "  share_users TEXT NOT NULL,"
    "  created_by_ref TEXT NOT NULL,"
    "  UNIQUE(collection, tlp, granular_tlp, origin_oid, origin_uid,"
    "    share_orgs, share_users, created_by_ref));"
    "CREATE TABLE corr_net6("
    "  net BLOB NOT NULL,"
    "  plen INTEGER NOT NULL,"
    "  vid INTEGER NOT NULL,"
    "  PRIMARY KEY(net, plen)) WITHOUT ROWID;"
    "CREATE TABLE corr_plens("
    "  v6 INTEGER NOT NULL,"
    "  plen INTEGER NOT NULL,"
    "  PRIMARY KEY(v6, plen)) WITHOUT ROWID;"
    "CREATE TABLE lists("
    "  lid INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL,"
    "  format TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  imported_us INTEGER NOT NULL,"
    "  n_entries INTEGER NOT NULL DEFAULT 0,"
    "  valid_from_us INTEGER,"
    "  valid_until_us INTEGER);"
    "CREATE TABLE list_entries("
    "  v6 INTEGER NOT NULL,"
    "  plen INTEGER NOT NULL,"
    "  net BLOB NOT NULL,"
    "  lid INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  valid_from INTEGER NOT NULL,"
    "  valid_until INTEGER NOT NULL,"
    "  PRIMARY KEY(v6, plen, net, lid, kind, valid_from, valid_until))"
    "  WITHOUT ROWID;"
    "CREATE INDEX list_entries_lid ON list_entries(lid);",
    /* 5: federation peers, their sync state, provenance (sqlite_sync.c) */
    acc_sq_sync_migration,
    /* 6: consultations and points of contact index (sqlite_cbm.c) */
    acc_sq_cbm_migration,
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

static acc_rc db_err(sq_store *s, acc_diag *d, const char *what) {
  return acc_diag_set(d, ACC_ESTORE, "store %s: %s: %s", s->path, what,
                      sqlite3_errmsg(s->db));
}

static acc_rc exec(sq_store *s, const char *sql, acc_diag *d) {
  char *msg = NULL;
  if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    acc_rc rc = acc_diag_set(d, ACC_ESTORE, "store %s: %s", s->path,
                             msg ? msg : sqlite3_errmsg(s->db));
    sqlite3_free(msg);
    return rc;
  }
  return ACC_OK;
}

static acc_rc prepare(sq_store *s, sqlite3_stmt **st, const char *sql,
                      acc_diag *d) {
  if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) !=
      SQLITE_OK)
    return db_err(s, d, "preparing a statement");
  return ACC_OK;
}

static acc_rc migrate(sq_store *s, acc_diag *d) {
  sqlite3_stmt *st;
  int version = 0;
  if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL))
    return db_err(s, d, "reading the schema version");
  if (sqlite3_step(st) == SQLITE_ROW)
    version = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (version > N_MIGRATIONS)
    return acc_diag_set(d, ACC_ESCHEMA,
                        "store %s has schema version %d; this accord knows "
                        "up to %d (upgrade accord)",
                        s->path, version, N_MIGRATIONS);
  if (version == N_MIGRATIONS)
    return ACC_OK;
  acc_rc rc = exec(s, "BEGIN IMMEDIATE", d);
  if (rc)
    return rc;
  for (int v = version; v < N_MIGRATIONS; v++) {
    char pragma[64];
    rc = exec(s, migrations[v], d);
    if (rc)
      goto out_rollback;
    snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
    rc = exec(s, pragma, d);
    if (rc)
      goto out_rollback;
  }
  return exec(s, "COMMIT", d);
out_rollback:
  exec(s, "ROLLBACK", NULL);
  return rc;
}

struct count_cache;
static void count_cache_free(struct count_cache *c);

static void sq_close(acc_store *base) {
  sq_store *s = (sq_store *)base;
  if (!s)
    return;
  sqlite3_finalize(s->st_versions);
  sqlite3_finalize(s->st_insert);
  sqlite3_finalize(s->st_clear_latest);
  sqlite3_finalize(s->st_clear_first);
  sqlite3_finalize(s->st_max_added);
  sqlite3_finalize(s->st_get_latest);
  sqlite3_finalize(s->st_get_version);
  for (size_t i = 0; i < STMT_CACHE; i++) {
    sqlite3_finalize(s->cache[i].st);
    free(s->cache[i].sql);
  }
  sqlite3_finalize(s->st_corr_record);
  for (int i = 0; i < 3; i++)
    acc_buf_free(&s->fact_buf[i]);
  count_cache_free(s->counts);
  acc_sqc_close(base);
  if (s->db) {
    /* Statements other files keep on this connection (sqlite_sync.c). */
    sqlite3_stmt *left;
    while ((left = sqlite3_next_stmt(s->db, NULL)))
      sqlite3_finalize(left);
    sqlite3_close(s->db);
  }
  free(s->path);
  free(s);
}

/* ---- the statement cache ---- */

static uint64_t sql_hash(const char *sql) {
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
    h = (h ^ *p) * 1099511628211ULL;
  return h;
}

/* Any rollback, asked for or forced by an error, undoes what
 * total_changes counted: the generation must move on. */
static void on_rollback(void *p) {
  ((sq_store *)p)->undone++;
}

/* A prepared statement for sql: a cached one not in use when there is
 * one, else a new one, kept (evicting the least recently used idle one)
 * when a slot can be had.  Release it with sq_done. */
static int cache_prepare(sq_store *s, const char *sql, sqlite3_stmt **out) {
  uint64_t h = sql_hash(sql);
  struct sq_cached *slot = NULL;
  for (size_t i = 0; i < STMT_CACHE; i++) {
    struct sq_cached *c = &s->cache[i];
    if (c->st && !c->busy && c->hash == h && strcmp(c->sql, sql) == 0) {
      c->busy = 1;
      c->used = ++s->tick;
      *out = c->st;
      return SQLITE_OK;
    }
    if (c->busy)
      continue;
    if (!slot || !c->st || (slot->st && c->used < slot->used))
      slot = c;
  }
  int rc = sqlite3_prepare_v3(s->db, sql, -1, slot ? SQLITE_PREPARE_PERSISTENT : 0,
                              out, NULL);
  if (rc != SQLITE_OK || !slot)
    return rc;
  char *copy = strdup(sql);
  if (!copy)
    return SQLITE_OK; /* used once, finalized by sq_done */
  sqlite3_finalize(slot->st);
  free(slot->sql);
  *slot = (struct sq_cached){
      .sql = copy, .hash = h, .st = *out, .busy = 1, .used = ++s->tick};
  return SQLITE_OK;
}

/* Release a statement: back to the cache (reset, bindings cleared) or,
 * when it is not a cached one, finalized. */
static void sq_done(sq_store *s, sqlite3_stmt *st) {
  if (!st)
    return;
  for (size_t i = 0; i < STMT_CACHE; i++) {
    if (s->cache[i].st == st) {
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
      s->cache[i].busy = 0;
      return;
    }
  }
  sqlite3_finalize(st);
}

#define COLS_META                                                              \
  "seq, id, type, spec_version, created_us, modified_us, date_added_us, "      \
  "revoked, is_latest, collection, tlp, granular_tlp, share_orgs, "            \
  "share_users, origin_oid, origin_uid, "
#define COLS COLS_META "raw"

static acc_rc sq_open(const char *dir, int create, acc_store **out,
                      acc_diag *d) {
  acc_rc rc;
  struct stat stb;
  if (create) {
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
      return acc_diag_set(d, ACC_EIO, "cannot create data directory %s: %s",
                          dir, strerror(errno));
  }
  if (stat(dir, &stb) != 0 || !S_ISDIR(stb.st_mode))
    return acc_diag_set(d, ACC_ENOTFOUND,
                        "no data directory %s (create one with `accord init "
                        "%s`)",
                        dir, dir);
  sq_store *s = calloc(1, sizeof *s);
  if (!s)
    return ACC_ENOMEM;
  s->base.ops = &acc_store_sqlite_ops;
  for (int i = 0; i < 3; i++)
    acc_buf_init(&s->fact_buf[i], (size_t)1 << 20);
  size_t n = strlen(dir) + sizeof DB_FILE + 2;
  s->path = malloc(n);
  if (!s->path) {
    rc = ACC_ENOMEM;
    goto out_free;
  }
  snprintf(s->path, n, "%s/%s", dir, DB_FILE);
  if (!create && stat(s->path, &stb) != 0) {
    rc = acc_diag_set(d, ACC_ENOTFOUND,
                      "no Accord store in %s (create one with `accord init "
                      "%s`)",
                      dir, dir);
    goto out_free;
  }
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
              (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK) {
    rc = db_err(s, d, "opening");
    goto out_free;
  }
  sqlite3_busy_timeout(s->db, 10000);
  sqlite3_rollback_hook(s->db, on_rollback, s);
  rc = exec(s,
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA cache_size=-65536;"
            "PRAGMA temp_store=MEMORY;",
            d);
  if (rc)
    goto out_free;
  rc = migrate(s, d);
  if (rc)
    goto out_free;
  if ((rc = prepare(s, &s->st_versions,
                    "SELECT seq, modified_us, is_latest, is_first, raw "
                    "FROM objects WHERE id = ?1 AND collection = ?2",
                    d)) ||
      (rc = prepare(s, &s->st_insert,
                    "INSERT INTO objects(id, type, spec_version, created_us,"
                    " modified_us, date_added_us, revoked, is_latest,"
                    " is_first, created_by_ref, raw_len, raw, collection,"
                    " tlp, granular_tlp, share_orgs, share_users,"
                    " origin_oid, origin_uid)"
                    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
                    "?14,?15,?16,?17,?18,?19)",
                    d)) ||
      (rc = prepare(s, &s->st_clear_latest,
                    "UPDATE objects SET is_latest = 0 WHERE seq = ?1", d)) ||
      (rc = prepare(s, &s->st_clear_first,
                    "UPDATE objects SET is_first = 0 WHERE seq = ?1", d)) ||
      (rc = prepare(s, &s->st_max_added,
                    "SELECT max(date_added_us) FROM objects", d)) ||
      (rc = prepare(s, &s->st_get_latest,
                    "SELECT " COLS " FROM objects WHERE id = ?1 AND is_latest"
                    " AND (?3 = 0 OR collection = ?3)"
                    " ORDER BY date_added_us DESC LIMIT 1",
                    d)) ||
      (rc = prepare(s, &s->st_get_version,
                    "SELECT " COLS " FROM objects WHERE id = ?1 AND "
                    "modified_us = ?2 AND (?3 = 0 OR collection = ?3)"
                    " ORDER BY date_added_us DESC LIMIT 1",
                    d)))
    goto out_free;
  *out = &s->base;
  return ACC_OK;
out_free:
  sq_close(&s->base);
  return rc;
}

static acc_rc sq_begin(acc_store *base, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  acc_rc rc = exec(s, "BEGIN IMMEDIATE", d);
  if (rc)
    return rc;
  s->in_txn = 1;
  s->sp_depth = 0;
  /* date_added must rise strictly across every writer of this store; the
   * write lock is held from here, so the maximum cannot move under us. */
  sqlite3_reset(s->st_max_added);
  s->last_added = INT64_MIN;
  if (sqlite3_step(s->st_max_added) == SQLITE_ROW &&
      sqlite3_column_type(s->st_max_added, 0) != SQLITE_NULL)
    s->last_added = sqlite3_column_int64(s->st_max_added, 0);
  sqlite3_reset(s->st_max_added);
  return ACC_OK;
}

static acc_rc sq_commit(acc_store *base, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  acc_rc rc = exec(s, "COMMIT", d);
  if (rc) {
    exec(s, "ROLLBACK", NULL);
    acc_sqc_rolled_back(base);
  }
  s->in_txn = 0;
  return rc;
}

static acc_rc sq_rollback(acc_store *base) {
  sq_store *s = (sq_store *)base;
  if (!s->in_txn)
    return ACC_OK;
  s->in_txn = 0;
  acc_sqc_rolled_back(base);
  return exec(s, "ROLLBACK", NULL);
}

static acc_rc sq_savepoint(acc_store *base, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  acc_rc rc = exec(s, "SAVEPOINT acc_sp", d);
  if (!rc)
    s->sp_depth++;
  return rc;
}

static acc_rc sq_release(acc_store *base, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  acc_rc rc = exec(s, "RELEASE acc_sp", d);
  if (!rc)
    s->sp_depth--;
  return rc;
}

static acc_rc sq_rollback_to(acc_store *base, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  acc_rc rc = exec(s, "ROLLBACK TO acc_sp", d);
  s->undone++;
  if (rc)
    return rc;
  acc_sqc_rolled_back(base);
  rc = exec(s, "RELEASE acc_sp", d);
  if (!rc)
    s->sp_depth--;
  /* Rows issued inside the savepoint are gone; date_added values may be
   * reused safely since none of them was committed. */
  return rc;
}

/* Same content?  Byte-equal, or equal as JSON (key order, whitespace). */
static int same_content(const char *a, size_t alen, const char *b,
                        size_t blen) {
  if (alen == blen && memcmp(a, b, alen) == 0)
    return 1;
  json_t *ja = json_loadb(a, alen, 0, NULL);
  json_t *jb = json_loadb(b, blen, 0, NULL);
  int eq = ja && jb && json_equal(ja, jb);
  json_decref(ja);
  json_decref(jb);
  return eq;
}

static acc_rc sq_put(acc_store *base, int64_t collection, const acc_stix_obj *o,
                     const acc_put_meta *meta, const char *raw, size_t raw_len,
                     acc_put_status *status, int64_t *date_added_us,
                     acc_diag *d) {
  sq_store *s = (sq_store *)base;
  acc_rc rc = ACC_OK;
  if (!s->in_txn)
    return acc_diag_set(d, ACC_ESTORE, "put outside a transaction");
  if (raw_len > INT_MAX)
    return acc_diag_set(d, ACC_ETOOBIG, "object larger than 2 GiB");

  /* Look at the versions already stored for this id. */
  int versioned = o->modified_us != ACC_TIME_NONE;
  int64_t latest_seq = 0, first_seq = 0;
  int64_t latest_mod = ACC_TIME_NONE, first_mod = ACC_TIME_NONE;
  int any = 0;
  sqlite3_stmt *st = s->st_versions;
  sqlite3_bind_text(st, 1, o->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, collection);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    any = 1;
    int64_t seq = sqlite3_column_int64(st, 0);
    int64_t mod = acc_sq_col_time(st, 1);
    if (sqlite3_column_int(st, 2)) {
      latest_seq = seq;
      latest_mod = mod;
    }
    if (sqlite3_column_int(st, 3)) {
      first_seq = seq;
      first_mod = mod;
    }
    if (mod == o->modified_us) {
      const char *praw = (const char *)sqlite3_column_text(st, 4);
      size_t plen = (size_t)sqlite3_column_bytes(st, 4);
      if (same_content(praw, plen, raw, raw_len)) {
        sqlite3_reset(st);
        *status = ACC_PUT_DUPLICATE;
        return ACC_OK;
      }
      if (versioned) {
        char ts[ACC_TIME_BUFSZ];
        acc_time_format(mod, ts);
        sqlite3_reset(st);
        return acc_diag_set(d, ACC_ECONFLICT,
                            "version modified %s is already stored with "
                            "different content (a new version needs a later "
                            "'modified')",
                            ts);
      }
    }
  }
  sqlite3_reset(st);
  if (step != SQLITE_DONE)
    return db_err(s, d, "reading versions");

  /* Order of versions: by modified; unversioned content by arrival. */
  int is_latest = !any || !versioned || latest_mod == ACC_TIME_NONE ||
                  o->modified_us > latest_mod;
  int is_first = !any || (versioned && first_mod != ACC_TIME_NONE &&
                          o->modified_us < first_mod);
  if (any && is_latest && latest_seq) {
    sqlite3_bind_int64(s->st_clear_latest, 1, latest_seq);
    step = sqlite3_step(s->st_clear_latest);
    sqlite3_reset(s->st_clear_latest);
    if (step != SQLITE_DONE)
      return db_err(s, d, "updating the latest version");
    /* A superseded version of a versioned object leaves the
     * correlation index (its postings go; sqlite_correlate.c). */
    if (latest_mod != ACC_TIME_NONE &&
        (rc = acc_sqc_unlive(base, latest_seq, d)))
      return rc;
  }
  if (any && is_first && first_seq) {
    sqlite3_bind_int64(s->st_clear_first, 1, first_seq);
    step = sqlite3_step(s->st_clear_first);
    sqlite3_reset(s->st_clear_first);
    if (step != SQLITE_DONE)
      return db_err(s, d, "updating the first version");
  }

  int64_t now = acc_time_now_us();
  int64_t added = now > s->last_added ? now : s->last_added + 1;
  st = s->st_insert;
  sqlite3_bind_text(st, 1, o->id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, o->type, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, o->spec_version, -1, SQLITE_STATIC);
  acc_sq_bind_time(st, 4, o->created_us);
  acc_sq_bind_time(st, 5, o->modified_us);
  sqlite3_bind_int64(st, 6, added);
  sqlite3_bind_int(st, 7, o->revoked ? 1 : 0);
  sqlite3_bind_int(st, 8, is_latest);
  sqlite3_bind_int(st, 9, is_first);
  if (o->created_by_ref)
    sqlite3_bind_text(st, 10, o->created_by_ref, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 10);
  sqlite3_bind_int64(st, 11, (sqlite3_int64)raw_len);
  sqlite3_bind_text(st, 12, raw, (int)raw_len, SQLITE_STATIC);
  sqlite3_bind_int64(st, 13, collection);
  static const acc_put_meta none = {.tlp = -1, .granular_tlp = -1};
  const acc_put_meta *m = meta ? meta : &none;
  sqlite3_bind_int(st, 14, m->tlp);
  sqlite3_bind_int(st, 15, m->granular_tlp);
  if (m->share_orgs)
    sqlite3_bind_text(st, 16, m->share_orgs, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 16);
  if (m->share_users)
    sqlite3_bind_text(st, 17, m->share_users, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 17);
  sqlite3_bind_int64(st, 18, m->origin_oid);
  sqlite3_bind_int64(st, 19, m->origin_uid);
  step = sqlite3_step(st);
  sqlite3_clear_bindings(st);
  sqlite3_reset(st);
  if (step != SQLITE_DONE)
    return db_err(s, d, "inserting");
  s->last_added = added;
  s->last_seq = sqlite3_last_insert_rowid(s->db);
  /* for the correlation index, which indexes this version next */
  acc_sq_facts *f = &s->last_facts;
  f->ints[0] = collection;
  f->ints[1] = m->tlp;
  f->ints[2] = m->granular_tlp;
  f->ints[3] = m->origin_oid;
  f->ints[4] = m->origin_uid;
  const char *strs[3] = {m->share_orgs, m->share_users, o->created_by_ref};
  for (int i = 0; i < 3; i++) {
    acc_buf_reset(&s->fact_buf[i]);
    if (acc_buf_puts(&s->fact_buf[i], strs[i] ? strs[i] : "") ||
        !acc_buf_cstr(&s->fact_buf[i]))
      return acc_diag_set(d, ACC_ENOMEM, "put: memory");
    f->txt[i] = acc_buf_cstr(&s->fact_buf[i]);
  }
  f->live = !versioned || (is_latest && !o->revoked);
  *status = ACC_PUT_STORED;
  if (date_added_us)
    *date_added_us = added;
  return rc;
}

static void fill_record(sqlite3_stmt *st, acc_record *r) {
  r->seq = sqlite3_column_int64(st, 0);
  r->id = (const char *)sqlite3_column_text(st, 1);
  r->type = (const char *)sqlite3_column_text(st, 2);
  r->spec_version = (const char *)sqlite3_column_text(st, 3);
  r->created_us = acc_sq_col_time(st, 4);
  r->modified_us = acc_sq_col_time(st, 5);
  r->date_added_us = sqlite3_column_int64(st, 6);
  r->revoked = sqlite3_column_int(st, 7);
  r->is_latest = sqlite3_column_int(st, 8);
  r->collection = sqlite3_column_int64(st, 9);
  r->tlp = sqlite3_column_int(st, 10);
  r->granular_tlp = sqlite3_column_int(st, 11);
  r->share_orgs = (const char *)sqlite3_column_text(st, 12);
  r->share_users = (const char *)sqlite3_column_text(st, 13);
  r->origin_oid = sqlite3_column_int64(st, 14);
  r->origin_uid = sqlite3_column_int64(st, 15);
  r->raw = (const char *)sqlite3_column_text(st, 16);
  r->raw_len = r->raw ? (size_t)sqlite3_column_bytes(st, 16) : 0;
}

/* Step st to the end, handing each row to cb. */
static acc_rc run_rows(sq_store *s, sqlite3_stmt *st, acc_record_cb cb,
                       void *ctx, size_t *n_rows, acc_diag *d) {
  int step;
  size_t n = 0;
  acc_rc rc = ACC_OK;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    acc_record r;
    fill_record(st, &r);
    n++;
    int stop = cb(ctx, &r);
    if (stop) {
      rc = (acc_rc)stop;
      break;
    }
  }
  if (!rc && step != SQLITE_DONE)
    rc = db_err(s, d, "reading");
  sqlite3_reset(st);
  if (n_rows)
    *n_rows = n;
  return rc;
}

static acc_rc sq_get(acc_store *base, int64_t collection, const char *id,
                     int64_t version_us, acc_record_cb cb, void *ctx,
                     acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st =
      version_us == ACC_TIME_NONE ? s->st_get_latest : s->st_get_version;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  if (version_us != ACC_TIME_NONE)
    sqlite3_bind_int64(st, 2, version_us);
  sqlite3_bind_int64(st, 3, collection);
  size_t n = 0;
  acc_rc rc = run_rows(s, st, cb, ctx, &n, d);
  sqlite3_clear_bindings(st);
  if (!rc && n == 0) {
    if (version_us == ACC_TIME_NONE)
      return acc_diag_set(d, ACC_ENOTFOUND, "no object with id %s", id);
    char ts[ACC_TIME_BUFSZ];
    acc_time_format(version_us, ts);
    return acc_diag_set(d, ACC_ENOTFOUND, "no version of %s with modified %s",
                        id, ts);
  }
  return rc;
}

/* One version by seq, without its content (correlation answers name the
 * versions they then read through the guard). */
static acc_rc sq_corr_record(acc_store *base, int64_t seq, acc_record_cb cb,
                             void *ctx, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  if (!s->st_corr_record &&
      sqlite3_prepare_v3(s->db,
                         "SELECT " COLS_META "NULL FROM objects WHERE seq = ?1",
                         -1, SQLITE_PREPARE_PERSISTENT, &s->st_corr_record,
                         NULL) != SQLITE_OK)
    return db_err(s, d, "preparing a query");
  sqlite3_stmt *st = s->st_corr_record;
  sqlite3_bind_int64(st, 1, seq);
  size_t n = 0;
  acc_rc rc = run_rows(s, st, cb, ctx, &n, d);
  if (!rc && n == 0)
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no version %lld", (long long)seq);
  return rc;
}

/* The WHERE clause of a query (parameters numbered: types from 1, ids
 * from 100, spec versions from 200, timestamps from 300, bounds at 400+). */
static acc_rc build_where(const acc_query *q, acc_buf *sql) {
  acc_rc rc = acc_buf_puts(sql, " WHERE 1");
  if (q->n_types > ACC_QUERY_MAX_TERMS || q->n_ids > ACC_QUERY_MAX_TERMS ||
      q->n_at > ACC_QUERY_MAX_TERMS || q->n_spec_versions > 4)
    return ACC_EINVAL;
  if (q->version == ACC_VER_LATEST)
    rc = rc ? rc : acc_buf_puts(sql, " AND is_latest");
  else if (q->version == ACC_VER_FIRST)
    rc = rc ? rc : acc_buf_puts(sql, " AND is_first");
  if (q->collection && !rc)
    rc = acc_buf_puts(sql, " AND collection = ?404");
  struct {
    size_t n;
    int base;
    const char *col;
  } in[] = {{q->n_types, 1, "type"},
            {q->n_ids, 100, "id"},
            {q->n_spec_versions, 200, "spec_version"},
            {q->version == ACC_VER_AT ? q->n_at : 0, 300,
             "coalesce(modified_us, created_us)"}};
  for (size_t k = 0; k < sizeof in / sizeof in[0] && !rc; k++) {
    if (!in[k].n)
      continue;
    rc = acc_buf_printf(sql, " AND %s IN (", in[k].col);
    for (size_t i = 0; i < in[k].n && !rc; i++)
      rc = acc_buf_printf(sql, "%s?%d", i ? "," : "", in[k].base + (int)i);
    rc = rc ? rc : acc_buf_putc(sql, ')');
  }
  if (q->version == ACC_VER_AT && !q->n_at && !rc)
    rc = acc_buf_puts(sql, " AND 0");
  if (q->added_after_us != ACC_TIME_NONE && !rc)
    rc = acc_buf_puts(sql, " AND date_added_us > ?400");
  if (q->added_before_us != ACC_TIME_NONE && !rc)
    rc = acc_buf_puts(sql, " AND date_added_us <= ?401");
  if (q->after_seq > 0 && !rc)
    rc = acc_buf_puts(sql, q->newest_first ? " AND seq < ?402"
                                           : " AND seq > ?402");
  if (q->raw_contains && !rc)
    rc = acc_buf_puts(sql, " AND raw LIKE ?405 ESCAPE '\\'");
  return rc;
}

static void bind_query(sqlite3_stmt *st, const acc_query *q) {
  for (size_t i = 0; i < q->n_types; i++)
    sqlite3_bind_text(st, 1 + (int)i, q->types[i], -1, SQLITE_STATIC);
  for (size_t i = 0; i < q->n_ids; i++)
    sqlite3_bind_text(st, 100 + (int)i, q->ids[i], -1, SQLITE_STATIC);
  for (size_t i = 0; i < q->n_spec_versions; i++)
    sqlite3_bind_text(st, 200 + (int)i, q->spec_versions[i], -1, SQLITE_STATIC);
  if (q->version == ACC_VER_AT)
    for (size_t i = 0; i < q->n_at; i++)
      sqlite3_bind_int64(st, 300 + (int)i, q->at_us[i]);
  if (q->added_after_us != ACC_TIME_NONE)
    sqlite3_bind_int64(st, 400, q->added_after_us);
  if (q->added_before_us != ACC_TIME_NONE)
    sqlite3_bind_int64(st, 401, q->added_before_us);
  if (q->after_seq > 0)
    sqlite3_bind_int64(st, 402, q->after_seq);
  if (q->limit)
    sqlite3_bind_int64(st, 403, (sqlite3_int64)q->limit);
  if (q->collection)
    sqlite3_bind_int64(st, 404, q->collection);
  if (q->raw_contains) {
    /* %text% with LIKE's own characters escaped. */
    size_t n = strlen(q->raw_contains);
    char *pat = malloc(2 * n + 3);
    if (pat) {
      size_t k = 0;
      pat[k++] = '%';
      for (size_t i = 0; i < n; i++) {
        char c = q->raw_contains[i];
        if (c == '%' || c == '_' || c == '\\')
          pat[k++] = '\\';
        pat[k++] = c;
      }
      pat[k++] = '%';
      sqlite3_bind_text(st, 405, pat, (int)k, SQLITE_TRANSIENT);
      free(pat);
    } else {
      sqlite3_bind_null(st, 405); /* LIKE NULL: nothing matches */
    }
  }
}

/* Prepare "head WHERE ... tail" for q. */
static acc_rc prepare_query(sq_store *s, const char *head, const acc_query *q,
                            const char *tail, sqlite3_stmt **out, acc_diag *d) {
  acc_buf sql;
  acc_buf_init(&sql, 1 << 16);
  acc_rc rc = acc_buf_puts(&sql, head);
  rc = rc ? rc : build_where(q, &sql);
  rc = rc ? rc : acc_buf_puts(&sql, tail);
  if (rc) {
    acc_buf_free(&sql);
    return acc_diag_set(d, ACC_EINVAL, "query has too many terms");
  }
  if (cache_prepare(s, sql.data, out) != SQLITE_OK) {
    rc = db_err(s, d, "preparing a query");
    acc_buf_free(&sql);
    return rc;
  }
  acc_buf_free(&sql);
  bind_query(*out, q);
  return ACC_OK;
}

static acc_rc sq_scan(acc_store *base, const acc_query *q, acc_record_cb cb,
                      void *ctx, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc =
      prepare_query(s,
                    q->meta_only ? "SELECT " COLS_META "NULL FROM objects"
                                 : "SELECT " COLS " FROM objects",
                    q,
                    q->newest_first
                        ? (q->limit ? " ORDER BY date_added_us DESC LIMIT ?403"
                                    : " ORDER BY date_added_us DESC")
                        : (q->limit ? " ORDER BY date_added_us LIMIT ?403"
                                    : " ORDER BY date_added_us"),
                    &st, d);
  if (rc)
    return rc;
  rc = run_rows(s, st, cb, ctx, NULL, d);
  sq_done(s, st);
  return rc;
}

/* Recompute is_latest / is_first of one id in one collection. */
static acc_rc remark(sq_store *s, const char *id, int64_t collection,
                     acc_diag *d) {
  static const char *const sql[] = {
      "UPDATE objects SET is_latest = (seq = (SELECT seq FROM objects"
      " WHERE id = ?1 AND collection = ?2 ORDER BY modified_us IS NULL,"
      " modified_us DESC, seq DESC LIMIT 1)) WHERE id = ?1 AND"
      " collection = ?2",
      "UPDATE objects SET is_first = (seq = (SELECT seq FROM objects"
      " WHERE id = ?1 AND collection = ?2 ORDER BY modified_us IS NULL,"
      " modified_us ASC, seq ASC LIMIT 1)) WHERE id = ?1 AND"
      " collection = ?2",
  };
  for (size_t i = 0; i < 2; i++) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) != SQLITE_OK)
      return db_err(s, d, "preparing an update");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, collection);
    int step = sqlite3_step(st);
    sq_done(s, st);
    if (step != SQLITE_DONE)
      return db_err(s, d, "updating version marks");
  }
  return ACC_OK;
}

static acc_rc sq_remove(acc_store *base, const acc_query *q, size_t *n_removed,
                        acc_diag *d) {
  sq_store *s = (sq_store *)base;
  if (!q->collection)
    return acc_diag_set(d, ACC_EINVAL, "remove needs a collection");
  if (!s->in_txn)
    return acc_diag_set(d, ACC_ESTORE, "remove outside a transaction");
  /* The ids touched, so their version marks can be recomputed. */
  sqlite3_stmt *st;
  acc_rc rc =
      prepare_query(s, "SELECT DISTINCT id FROM objects", q, "", &st, d);
  if (rc)
    return rc;
  char **ids = NULL;
  size_t n_ids = 0, cap = 0;
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (n_ids == cap) {
      size_t ncap = cap ? cap * 2 : 16;
      char **p = realloc(ids, ncap * sizeof *p);
      if (!p) {
        rc = ACC_ENOMEM;
        break;
      }
      ids = p;
      cap = ncap;
    }
    ids[n_ids] = strdup((const char *)sqlite3_column_text(st, 0));
    if (!ids[n_ids]) {
      rc = ACC_ENOMEM;
      break;
    }
    n_ids++;
  }
  sq_done(s, st);
  if (!rc && step != SQLITE_DONE)
    rc = db_err(s, d, "reading");
  if (rc)
    goto out_free;
  /* The removed versions leave the correlation index first. */
  rc = prepare_query(s, "SELECT seq FROM objects", q, "", &st, d);
  if (rc)
    goto out_free;
  while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
    rc = acc_sqc_forget(base, sqlite3_column_int64(st, 0), d);
  sq_done(s, st);
  if (rc)
    goto out_free;
  rc = prepare_query(s, "DELETE FROM objects", q, "", &st, d);
  if (rc)
    goto out_free;
  step = sqlite3_step(st);
  sq_done(s, st);
  if (step != SQLITE_DONE) {
    rc = db_err(s, d, "deleting");
    goto out_free;
  }
  if (n_removed)
    *n_removed = (size_t)sqlite3_changes(s->db);
  for (size_t i = 0; i < n_ids && !rc; i++)
    rc = remark(s, ids[i], q->collection, d);
  /* An earlier version that is the latest again rejoins the index. */
  for (size_t i = 0; i < n_ids && !rc; i++)
    rc = acc_sqc_relive(base, ids[i], q->collection, d);
out_free:
  for (size_t i = 0; i < n_ids; i++)
    free(ids[i]);
  free(ids);
  return rc;
}

static acc_rc scalar(sq_store *s, const char *sql, int64_t *out, acc_diag *d) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
    return db_err(s, d, "preparing a query");
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW)
    *out = sqlite3_column_type(st, 0) == SQLITE_NULL
               ? ACC_TIME_NONE
               : sqlite3_column_int64(st, 0);
  sq_done(s, st);
  if (step != SQLITE_ROW)
    return db_err(s, d, "reading");
  return ACC_OK;
}

static int64_t file_size(const char *path, const char *suffix) {
  char p[4096];
  struct stat stb;
  snprintf(p, sizeof p, "%s%s", path, suffix);
  return stat(p, &stb) == 0 ? (int64_t)stb.st_size : 0;
}

static acc_rc sq_stats(acc_store *base, acc_stats *out, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  acc_stats st = {0};
  acc_rc rc;
  int64_t v;
  if ((rc = scalar(s, "SELECT count(*) FROM objects", &st.versions, d)) ||
      (rc = scalar(s, "SELECT count(*) FROM objects WHERE is_latest",
                   &st.objects, d)) ||
      (rc =
           scalar(s, "SELECT count(*) FROM objects WHERE is_latest AND revoked",
                  &st.revoked, d)) ||
      (rc = scalar(s, "SELECT count(*) FROM objects WHERE spec_version = '2.0'",
                   &st.spec20, d)) ||
      (rc = scalar(s, "SELECT total(raw_len) FROM objects", &st.bytes_json,
                   d)) ||
      (rc = scalar(s, "SELECT min(date_added_us) FROM objects",
                   &st.first_added_us, d)) ||
      (rc = scalar(s, "SELECT max(date_added_us) FROM objects",
                   &st.last_added_us, d)) ||
      (rc = scalar(s, "PRAGMA user_version", &v, d)))
    return rc;
  st.schema_version = (int)v;
  st.bytes_on_disk = file_size(s->path, "") + file_size(s->path, "-wal");
  sqlite3_stmt *q;
  if (sqlite3_prepare_v2(s->db,
                         "SELECT type, sum(is_latest), count(*) FROM objects "
                         "GROUP BY type ORDER BY type",
                         -1, &q, NULL) != SQLITE_OK)
    return db_err(s, d, "preparing a query");
  size_t cap = 0;
  int step;
  while ((step = sqlite3_step(q)) == SQLITE_ROW) {
    if (st.n_types == cap) {
      size_t ncap = cap ? cap * 2 : 32;
      acc_type_count *p = realloc(st.types, ncap * sizeof *p);
      if (!p) {
        rc = ACC_ENOMEM;
        break;
      }
      st.types = p;
      cap = ncap;
    }
    acc_type_count *t = &st.types[st.n_types++];
    snprintf(t->type, sizeof t->type, "%s", sqlite3_column_text(q, 0));
    t->objects = sqlite3_column_int64(q, 1);
    t->versions = sqlite3_column_int64(q, 2);
  }
  sq_done(s, q);
  if (!rc && step != SQLITE_DONE)
    rc = db_err(s, d, "reading");
  if (rc) {
    free(st.types);
    return rc;
  }
  *out = st;
  return ACC_OK;
}

static acc_rc sq_check(acc_store *base, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL))
    return db_err(s, d, "checking");
  acc_rc rc = ACC_OK;
  if (sqlite3_step(st) == SQLITE_ROW) {
    const char *r = (const char *)sqlite3_column_text(st, 0);
    if (!r || strcmp(r, "ok") != 0)
      rc = acc_diag_set(d, ACC_ESTORE, "store %s is damaged: %s", s->path,
                        r ? r : "?");
  }
  sq_done(s, st);
  if (rc)
    return rc;
  static const struct {
    const char *sql;
    const char *what;
  } inv[] = {
      {"SELECT count(*) FROM (SELECT id FROM objects GROUP BY id,"
       " collection HAVING sum(is_latest) != 1)",
       "ids without exactly one latest version"},
      {"SELECT count(*) FROM (SELECT id FROM objects GROUP BY id,"
       " collection HAVING sum(is_first) != 1)",
       "ids without exactly one first version"},
      {"SELECT count(*) FROM (SELECT date_added_us - lag(date_added_us)"
       " OVER (ORDER BY seq) AS step FROM objects) WHERE step <= 0",
       "date_added values that do not strictly increase"},
      {"SELECT count(*) FROM objects WHERE raw_len != length(CAST(raw AS "
       "BLOB))",
       "objects whose stored length does not match their text"},
      {"SELECT count(*) FROM (SELECT id, modified_us FROM objects"
       " WHERE modified_us IS NOT NULL GROUP BY id, collection, modified_us"
       " HAVING count(*) > 1)",
       "duplicate (id, modified) versions"},
  };
  for (size_t i = 0; i < sizeof inv / sizeof inv[0]; i++) {
    int64_t n = 0;
    rc = scalar(s, inv[i].sql, &n, d);
    if (rc)
      return rc;
    if (n)
      return acc_diag_set(d, ACC_ESTORE, "store %s: %lld %s", s->path,
                          (long long)n, inv[i].what);
  }
  return ACC_OK;
}

/* ---- collections, organisations, users, tokens, grants, status ---- */

/* Run one statement with text/int64 parameters given as a format string:
 * 't' text (const char *), 'i' int64, 'b' 32-byte blob, 'n' NULL. */
static int bindv(sqlite3_stmt *st, const char *fmt, va_list ap) {
  /* 'n' consumes no argument. */
  for (int i = 0; fmt[i]; i++) {
    switch (fmt[i]) {
    case 't':
      sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1,
                        SQLITE_TRANSIENT);
      break;
    case 'i':
      sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
      break;
    case 'b':
      sqlite3_bind_blob(st, i + 1, va_arg(ap, const void *), 32,
                        SQLITE_TRANSIENT);
      break;
    default:
      sqlite3_bind_null(st, i + 1);
    }
  }
  return 0;
}

/* Prepare and bind; the caller steps and releases (sq_done). */
static acc_rc stmt(sq_store *s, sqlite3_stmt **out, acc_diag *d,
                   const char *sql, const char *fmt, ...) {
  if (cache_prepare(s, sql, out) != SQLITE_OK)
    return db_err(s, d, "preparing a statement");
  va_list ap;
  va_start(ap, fmt);
  bindv(*out, fmt, ap);
  va_end(ap);
  return ACC_OK;
}

/* Step an INSERT/UPDATE to completion; ACC_EEXIST on a uniqueness clash. */
static acc_rc finish(sq_store *s, sqlite3_stmt *st, acc_diag *d,
                     const char *what) {
  int step = sqlite3_step(st);
  int ext = sqlite3_extended_errcode(s->db);
  acc_rc rc = ACC_OK;
  if (step != SQLITE_DONE) {
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
      rc = acc_diag_set(d, ACC_EEXIST, "%s already exists", what);
    else if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
      rc =
          acc_diag_set(d, ACC_ENOTFOUND, "%s refers to something absent", what);
    else
      rc = db_err(s, d, what);
  }
  sq_done(s, st);
  return rc;
}

#define COLL_COLS                                                              \
  "cid, id, api_root, coalesce(alias, ''), title, description, "               \
  "default_marking, public_read"

static void fill_coll(sqlite3_stmt *st, acc_collection *c) {
  memset(c, 0, sizeof *c);
  c->cid = sqlite3_column_int64(st, 0);
  acc_sq_col_str(st, 1, c->id, sizeof c->id);
  acc_sq_col_str(st, 2, c->api_root, sizeof c->api_root);
  acc_sq_col_str(st, 3, c->alias, sizeof c->alias);
  acc_sq_col_str(st, 4, c->title, sizeof c->title);
  acc_sq_col_str(st, 5, c->description, sizeof c->description);
  acc_sq_col_str(st, 6, c->default_marking, sizeof c->default_marking);
  c->public_read = sqlite3_column_int(st, 7);
}

static acc_rc sq_coll_add(acc_store *base, acc_collection *c, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  if (!c->api_root[0])
    snprintf(c->api_root, sizeof c->api_root, "api");
  acc_rc rc =
      stmt(s, &st, d,
           "INSERT INTO collections(id, api_root, alias, title,"
           " description, default_marking, public_read, created_us)"
           " VALUES(?1, ?2, nullif(?3, ''), ?4, ?5, ?6, ?7, ?8)",
           "ttttttii", c->id, c->api_root, c->alias, c->title, c->description,
           c->default_marking, (int64_t)c->public_read, acc_time_now_us());
  if (rc)
    return rc;
  rc = finish(s, st, d, "a collection with this id or alias");
  if (!rc)
    c->cid = sqlite3_last_insert_rowid(s->db);
  return rc;
}

static acc_rc sq_coll_get(acc_store *base, const char *api_root,
                          const char *key, acc_collection *out, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc = stmt(s, &st, d,
                   "SELECT " COLL_COLS " FROM collections WHERE"
                   " (id = ?1 OR alias = ?1) AND (?2 = '' OR api_root = ?2)"
                   " ORDER BY id = ?1 DESC LIMIT 1",
                   "tt", key, api_root ? api_root : "");
  if (rc)
    return rc;
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW)
    fill_coll(st, out);
  else if (step == SQLITE_DONE)
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no collection '%s'", key);
  else
    rc = db_err(s, d, "reading collections");
  sq_done(s, st);
  return rc;
}

static acc_rc sq_coll_by_cid(acc_store *base, int64_t cid, acc_collection *out,
                             acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc = stmt(s, &st, d,
                   "SELECT " COLL_COLS " FROM collections WHERE cid = ?1", "i",
                   cid);
  if (rc)
    return rc;
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW)
    fill_coll(st, out);
  else if (step == SQLITE_DONE)
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no collection %lld", (long long)cid);
  else
    rc = db_err(s, d, "reading collections");
  sq_done(s, st);
  return rc;
}

static acc_rc sq_coll_list(acc_store *base, const char *api_root,
                           acc_collection_cb cb, void *ctx, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc = stmt(s, &st, d,
                   "SELECT " COLL_COLS " FROM collections WHERE"
                   " ?1 = '' OR api_root = ?1 ORDER BY cid",
                   "t", api_root ? api_root : "");
  if (rc)
    return rc;
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    acc_collection c;
    fill_coll(st, &c);
    int stop = cb(ctx, &c);
    if (stop) {
      rc = (acc_rc)stop;
      break;
    }
  }
  if (!rc && step != SQLITE_DONE)
    rc = db_err(s, d, "reading collections");
  sq_done(s, st);
  return rc;
}

static acc_rc sq_org_add(acc_store *base, acc_org *o, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc = stmt(s, &st, d,
                   "INSERT INTO orgs(name, identity_ref, member, created_us)"
                   " VALUES(?1, ?2, ?3, ?4)",
                   "ttii", o->name, o->identity_ref, (int64_t)o->member,
                   acc_time_now_us());
  if (rc)
    return rc;
  rc = finish(s, st, d, "an organisation with this name");
  if (!rc)
    o->oid = sqlite3_last_insert_rowid(s->db);
  return rc;
}

static void fill_org(sqlite3_stmt *st, acc_org *o) {
  memset(o, 0, sizeof *o);
  o->oid = sqlite3_column_int64(st, 0);
  acc_sq_col_str(st, 1, o->name, sizeof o->name);
  acc_sq_col_str(st, 2, o->identity_ref, sizeof o->identity_ref);
  o->member = sqlite3_column_int(st, 3);
}

static acc_rc sq_org_get(acc_store *base, const char *name, acc_org *out,
                         acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc = stmt(s, &st, d,
                   "SELECT oid, name, identity_ref, member FROM orgs"
                   " WHERE name = ?1",
                   "t", name);
  if (rc)
    return rc;
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW)
    fill_org(st, out);
  else if (step == SQLITE_DONE)
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no organisation '%s'", name);
  else
    rc = db_err(s, d, "reading organisations");
  sq_done(s, st);
  return rc;
}

static acc_rc sq_org_list(acc_store *base, acc_org_cb cb, void *ctx,
                          acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc = stmt(s, &st, d,
                   "SELECT oid, name, identity_ref, member FROM orgs"
                   " ORDER BY name",
                   "");
  if (rc)
    return rc;
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    acc_org o;
    fill_org(st, &o);
    int stop = cb(ctx, &o);
    if (stop) {
      rc = (acc_rc)stop;
      break;
    }
  }
  if (!rc && step != SQLITE_DONE)
    rc = db_err(s, d, "reading organisations");
  sq_done(s, st);
  return rc;
}

static acc_rc sq_user_add(acc_store *base, acc_user *u, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc = stmt(s, &st, d,
                   "INSERT INTO users(name, oid, pwhash, admin, disabled,"
                   " created_us) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                   "titiii", u->name, u->oid, u->pwhash, (int64_t)u->admin,
                   (int64_t)u->disabled, acc_time_now_us());
  if (rc)
    return rc;
  rc = finish(s, st, d, "a user with this name");
  if (!rc)
    u->uid = sqlite3_last_insert_rowid(s->db);
  return rc;
}

static acc_rc user_query(sq_store *s, const char *where, const char *fmt,
                         const void *key, acc_user *out, acc_diag *d) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT u.uid, u.name, u.oid, o.name, u.pwhash, u.admin,"
           " u.disabled FROM users u JOIN orgs o ON o.oid = u.oid WHERE %s",
           where);
  sqlite3_stmt *st;
  acc_rc rc = fmt[0] == 't' ? stmt(s, &st, d, sql, "t", (const char *)key)
                            : stmt(s, &st, d, sql, "i", *(const int64_t *)key);
  if (rc)
    return rc;
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    memset(out, 0, sizeof *out);
    out->uid = sqlite3_column_int64(st, 0);
    acc_sq_col_str(st, 1, out->name, sizeof out->name);
    out->oid = sqlite3_column_int64(st, 2);
    acc_sq_col_str(st, 3, out->org, sizeof out->org);
    acc_sq_col_str(st, 4, out->pwhash, sizeof out->pwhash);
    out->admin = sqlite3_column_int(st, 5);
    out->disabled = sqlite3_column_int(st, 6);
  } else if (step == SQLITE_DONE) {
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no such user");
  } else {
    rc = db_err(s, d, "reading users");
  }
  sq_done(s, st);
  return rc;
}

static acc_rc sq_user_get(acc_store *base, const char *name, acc_user *out,
                          acc_diag *d) {
  return user_query((sq_store *)base, "u.name = ?1", "t", name, out, d);
}

static acc_rc sq_user_by_id(acc_store *base, int64_t uid, acc_user *out,
                            acc_diag *d) {
  return user_query((sq_store *)base, "u.uid = ?1", "i", &uid, out, d);
}

static acc_rc sq_token_add(acc_store *base, acc_token *t, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc;
  if (t->expires_us == ACC_TIME_NONE)
    rc =
        stmt(s, &st, d,
             "INSERT INTO tokens(prefix, hash, uid, label, expires_us,"
             " created_us) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
             "tbitni", t->prefix, t->hash, t->uid, t->label, acc_time_now_us());
  else
    rc = stmt(s, &st, d,
              "INSERT INTO tokens(prefix, hash, uid, label, expires_us,"
              " created_us) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
              "tbitii", t->prefix, t->hash, t->uid, t->label, t->expires_us,
              acc_time_now_us());
  if (rc)
    return rc;
  rc = finish(s, st, d, "a token with this prefix");
  if (!rc)
    t->tid = sqlite3_last_insert_rowid(s->db);
  return rc;
}

static acc_rc sq_token_get(acc_store *base, const char *prefix, acc_token *out,
                           acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc = stmt(s, &st, d,
                   "SELECT tid, prefix, hash, uid, label, expires_us,"
                   " revoked FROM tokens WHERE prefix = ?1",
                   "t", prefix);
  if (rc)
    return rc;
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW && sqlite3_column_bytes(st, 2) == 32) {
    memset(out, 0, sizeof *out);
    out->tid = sqlite3_column_int64(st, 0);
    acc_sq_col_str(st, 1, out->prefix, sizeof out->prefix);
    memcpy(out->hash, sqlite3_column_blob(st, 2), 32);
    out->uid = sqlite3_column_int64(st, 3);
    acc_sq_col_str(st, 4, out->label, sizeof out->label);
    out->expires_us = acc_sq_col_time(st, 5);
    out->revoked = sqlite3_column_int(st, 6);
  } else if (step == SQLITE_ROW || step == SQLITE_DONE) {
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no such token");
  } else {
    rc = db_err(s, d, "reading tokens");
  }
  sq_done(s, st);
  return rc;
}

static acc_rc sq_grant_set(acc_store *base, int64_t cid, int64_t oid,
                           int can_read, int can_write, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc =
      stmt(s, &st, d,
           "INSERT INTO grants(cid, oid, can_read, can_write)"
           " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(cid, oid) DO UPDATE"
           " SET can_read = excluded.can_read,"
           " can_write = excluded.can_write",
           "iiii", cid, oid, (int64_t) !!can_read, (int64_t) !!can_write);
  if (rc)
    return rc;
  return finish(s, st, d, "grant");
}

static acc_rc sq_grant_get(acc_store *base, int64_t cid, int64_t oid,
                           int *can_read, int *can_write, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc = stmt(s, &st, d,
                   "SELECT can_read, can_write FROM grants WHERE cid = ?1"
                   " AND oid = ?2",
                   "ii", cid, oid);
  if (rc)
    return rc;
  int step = sqlite3_step(st);
  *can_read = *can_write = 0;
  if (step == SQLITE_ROW) {
    *can_read = sqlite3_column_int(st, 0);
    *can_write = sqlite3_column_int(st, 1);
  } else if (step != SQLITE_DONE) {
    rc = db_err(s, d, "reading grants");
  }
  sq_done(s, st);
  return rc;
}

static acc_rc sq_status_put(acc_store *base, const char *id, const char *json,
                            int64_t keep_us, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  int64_t now = acc_time_now_us();
  acc_rc rc = stmt(s, &st, d, "DELETE FROM status WHERE created_us < ?1", "i",
                   now - keep_us);
  if (rc || (rc = finish(s, st, d, "purging status")))
    return rc;
  rc = stmt(s, &st, d,
            "INSERT OR REPLACE INTO status(id, json, created_us)"
            " VALUES(?1, ?2, ?3)",
            "tti", id, json, now);
  if (rc)
    return rc;
  return finish(s, st, d, "status");
}

static acc_rc sq_status_get(acc_store *base, const char *id, char **json_out,
                            acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc = stmt(s, &st, d, "SELECT json FROM status WHERE id = ?1", "t", id);
  if (rc)
    return rc;
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    char *j = strdup((const char *)sqlite3_column_text(st, 0));
    if (!j)
      rc = ACC_ENOMEM;
    else
      *json_out = j;
  } else if (step == SQLITE_DONE) {
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no status '%s'", id);
  } else {
    rc = db_err(s, d, "reading status");
  }
  sq_done(s, st);
  return rc;
}

static acc_rc sq_meta_get(acc_store *base, const char *key, char *out,
                          size_t size, acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc =
      stmt(s, &st, d, "SELECT value FROM meta WHERE key = ?1", "t", key);
  if (rc)
    return rc;
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW)
    acc_sq_col_str(st, 0, out, size);
  else if (step == SQLITE_DONE)
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no setting '%s'", key);
  else
    rc = db_err(s, d, "reading settings");
  sq_done(s, st);
  return rc;
}

static acc_rc sq_meta_set(acc_store *base, const char *key, const char *value,
                          acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  acc_rc rc =
      stmt(s, &st, d, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
           "tt", key, value);
  if (rc)
    return rc;
  return finish(s, st, d, "setting");
}

/* ---- the web interface's dashboard ---- */

#define DAY_US 86400000000LL

/* The groups of the last count_latest, kept with the state of the objects
 * table they describe (its highest seq and its number of rows: any put or
 * removal changes one of them); each handle keeps its own. */
typedef struct count_group {
  acc_record facts; /* strings point into strs */
  int64_t n, n_revoked;
} count_group;

struct count_cache {
  int64_t max_seq, rows;
  count_group *g;
  size_t n, cap;
  acc_buf strs;
};

static void count_cache_free(struct count_cache *c) {
  if (!c)
    return;
  free(c->g);
  acc_buf_free(&c->strs);
  free(c);
}

/* Copy a string into the cache's arena; its offset, or -1 for NULL. */
static acc_rc keep_str(struct count_cache *c, const char *v, ptrdiff_t *off) {
  if (!v) {
    *off = -1;
    return ACC_OK;
  }
  *off = (ptrdiff_t)c->strs.len;
  return acc_buf_append(&c->strs, v, strlen(v) + 1);
}

static acc_rc count_fill(sq_store *s, struct count_cache *c, acc_diag *d) {
  sqlite3_stmt *st;
  acc_rc rc = stmt(
      s, &st, d,
      "SELECT collection, type, tlp, granular_tlp, share_orgs, share_users,"
      " origin_oid, origin_uid, count(*), sum(revoked), max(date_added_us),"
      " CASE WHEN type = 'sighting' THEN coalesce(created_us, date_added_us)"
      "   / 86400000000 END AS day"
      " FROM objects WHERE is_latest"
      " GROUP BY collection, type, tlp, granular_tlp, share_orgs, share_users,"
      " origin_oid, origin_uid, day",
      "");
  if (rc)
    return rc;
  /* Offsets first (the arena moves as it grows), pointers at the end. */
  ptrdiff_t (*offs)[3] = NULL;
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (c->n == c->cap) {
      size_t nc = c->cap ? 2 * c->cap : 256;
      count_group *g = realloc(c->g, nc * sizeof *g);
      ptrdiff_t(*o)[3] = realloc(offs, nc * sizeof *o);
      if (g)
        c->g = g;
      if (o)
        offs = o;
      if (!g || !o) {
        rc = acc_diag_set(d, ACC_ENOMEM, "counting: out of memory");
        break;
      }
      c->cap = nc;
    }
    count_group *g = &c->g[c->n];
    memset(g, 0, sizeof *g);
    acc_record *r = &g->facts;
    r->collection = sqlite3_column_int64(st, 0);
    r->tlp = sqlite3_column_int(st, 2);
    r->granular_tlp = sqlite3_column_int(st, 3);
    r->origin_oid = sqlite3_column_int64(st, 6);
    r->origin_uid = sqlite3_column_int64(st, 7);
    r->date_added_us = sqlite3_column_int64(st, 10);
    r->created_us = sqlite3_column_type(st, 11) == SQLITE_NULL
                        ? ACC_TIME_NONE
                        : sqlite3_column_int64(st, 11) * DAY_US;
    r->modified_us = ACC_TIME_NONE;
    r->is_latest = 1;
    g->n = sqlite3_column_int64(st, 8);
    g->n_revoked = sqlite3_column_int64(st, 9);
    if ((rc = keep_str(c, (const char *)sqlite3_column_text(st, 1),
                       &offs[c->n][0])) ||
        (rc = keep_str(c, (const char *)sqlite3_column_text(st, 4),
                       &offs[c->n][1])) ||
        (rc = keep_str(c, (const char *)sqlite3_column_text(st, 5),
                       &offs[c->n][2]))) {
      rc = acc_diag_set(d, ACC_ENOMEM, "counting: out of memory");
      break;
    }
    c->n++;
  }
  if (!rc && step != SQLITE_DONE)
    rc = db_err(s, d, "counting");
  sq_done(s, st);
  for (size_t i = 0; !rc && i < c->n; i++) {
    c->g[i].facts.type = offs[i][0] < 0 ? "" : c->strs.data + offs[i][0];
    c->g[i].facts.share_orgs =
        offs[i][1] < 0 ? NULL : c->strs.data + offs[i][1];
    c->g[i].facts.share_users =
        offs[i][2] < 0 ? NULL : c->strs.data + offs[i][2];
  }
  free(offs);
  return rc;
}

static acc_rc sq_count_latest(acc_store *base, acc_group_cb cb, void *ctx,
                              acc_diag *d) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st;
  int64_t max_seq = 0, rows = 0;
  acc_rc rc = stmt(s, &st, d, "SELECT max(seq), count(*) FROM objects", "");
  if (rc)
    return rc;
  if (sqlite3_step(st) == SQLITE_ROW) {
    max_seq = sqlite3_column_int64(st, 0);
    rows = sqlite3_column_int64(st, 1);
  } else {
    rc = db_err(s, d, "counting");
  }
  sq_done(s, st);
  if (rc)
    return rc;
  /* Inside a write transaction the table may still roll back to a state
   * with the same highest seq and size: nothing is kept then. */
  if (s->in_txn || !s->counts || s->counts->max_seq != max_seq ||
      s->counts->rows != rows) {
    count_cache_free(s->counts);
    s->counts = calloc(1, sizeof *s->counts);
    if (!s->counts)
      return acc_diag_set(d, ACC_ENOMEM, "counting: out of memory");
    acc_buf_init(&s->counts->strs, 0);
    if ((rc = count_fill(s, s->counts, d))) {
      count_cache_free(s->counts);
      s->counts = NULL;
      return rc;
    }
    s->counts->max_seq = max_seq;
    s->counts->rows = rows;
  }
  for (size_t i = 0; i < s->counts->n && !rc; i++) {
    const count_group *g = &s->counts->g[i];
    int stop = cb(ctx, &g->facts, g->n, g->n_revoked);
    if (stop)
      rc = (acc_rc)stop;
  }
  if (s->in_txn) {
    count_cache_free(s->counts);
    s->counts = NULL;
  }
  return rc;
}

/* PRAGMA data_version (other connections' commits), this connection's
 * total changes (its own writes) and its rollbacks (writes undone). */
static acc_rc sq_generation(acc_store *base, uint64_t gen[3]) {
  sq_store *s = (sq_store *)base;
  sqlite3_stmt *st = NULL;
  if (cache_prepare(s, "PRAGMA data_version", &st) != SQLITE_OK)
    return ACC_ESTORE;
  int step = sqlite3_step(st);
  gen[0] = step == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
  sq_done(s, st);
  gen[1] = (uint64_t)sqlite3_total_changes64(s->db);
  gen[2] = s->undone;
  return step == SQLITE_ROW ? ACC_OK : ACC_ESTORE;
}

static acc_rc sq_cache_mib(acc_store *base, unsigned mib, acc_diag *d) {
  char sql[64];
  snprintf(sql, sizeof sql, "PRAGMA cache_size=-%u", mib * 1024u);
  return exec((sq_store *)base, sql, d);
}

const acc_store_ops acc_store_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .put = sq_put,
    .get = sq_get,
    .scan = sq_scan,
    .remove = sq_remove,
    .stats = sq_stats,
    .check = sq_check,
    .coll_add = sq_coll_add,
    .coll_get = sq_coll_get,
    .coll_by_cid = sq_coll_by_cid,
    .coll_list = sq_coll_list,
    .org_add = sq_org_add,
    .org_get = sq_org_get,
    .org_list = sq_org_list,
    .user_add = sq_user_add,
    .user_get = sq_user_get,
    .user_by_id = sq_user_by_id,
    .token_add = sq_token_add,
    .token_get = sq_token_get,
    .grant_set = sq_grant_set,
    .grant_get = sq_grant_get,
    .status_put = sq_status_put,
    .status_get = sq_status_get,
    .meta_get = sq_meta_get,
    .meta_set = sq_meta_set,
    /* correlation (sqlite_correlate.c) */
    .corr_index = acc_sqc_index,
    .corr_reset = acc_sqc_reset,
    .corr_bulk = acc_sqc_bulk,
    .corr_find = acc_sqc_find,
    .corr_value = acc_sqc_value,
    .corr_postings = acc_sqc_postings,
    .corr_cls = acc_sqc_cls,
    .corr_nets = acc_sqc_nets,
    .corr_record = sq_corr_record,
    .corr_stats = acc_sqc_stats,
    .corr_cls_all = acc_sqc_cls_all,
    .corr_agg = acc_sqc_agg,
    .corr_recent = acc_sqc_recent,
    .corr_doc_cls = acc_sqc_doc_cls,
    .list_put = acc_sqc_list_put,
    .list_entry_add = acc_sqc_list_entry_add,
    .list_finish = acc_sqc_list_finish,
    .list_list = acc_sqc_list_list,
    .list_drop = acc_sqc_list_drop,
    .list_lookup = acc_sqc_list_lookup,
    /* federation (src/sync), in sqlite_sync.c */
    .peer_add = acc_sq_peer_add,
    .peer_update = acc_sq_peer_update,
    .peer_get = acc_sq_peer_get,
    .peer_list = acc_sq_peer_list,
    .peer_remove = acc_sq_peer_remove,
    .peer_orgs = acc_sq_peer_orgs,
    .peer_state_get = acc_sq_peer_state_get,
    .peer_state_put = acc_sq_peer_state_put,
    .provenance_add = acc_sq_provenance_add,
    .provenance_get = acc_sq_provenance_get,
    .added_range = acc_sq_added_range,
    /* confidence-building (src/cbm), in sqlite_cbm.c */
    .cbm_put = acc_sq_cbm_put,
    .cbm_get = acc_sq_cbm_get,
    .cbm_list = acc_sq_cbm_list,
    /* the web interface */
    .count_latest = sq_count_latest,
    .generation = sq_generation,
    .cache_mib = sq_cache_mib,
};

/* For the SQL kept in sibling files (sqlite_correlate.c, sqlite_sync.c;
 * store/sqlite_int.h). */
sqlite3 *acc_sq_db(acc_store *base) {
  return ((sq_store *)base)->db;
}
const char *acc_sq_path(acc_store *base) {
  return ((sq_store *)base)->path;
}
void **acc_sq_corr(acc_store *base) {
  return &((sq_store *)base)->corr;
}
int64_t acc_sq_last_seq(acc_store *base) {
  return ((sq_store *)base)->last_seq;
}
const acc_sq_facts *acc_sq_last_facts(acc_store *base) {
  sq_store *s = (sq_store *)base;
  return s->last_seq ? &s->last_facts : NULL;
}
int acc_sq_in_txn(acc_store *base) {
  return ((sq_store *)base)->in_txn;
}
