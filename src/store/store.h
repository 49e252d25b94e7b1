/*
 * store.h — the storage interface.  Everything above this line speaks in
 * objects, versions and queries; only a backend (store_sqlite.c today,
 * PostgreSQL later) speaks SQL.  A backend is a table of function pointers,
 * like SQLite's VFS, chosen by acc_store_open.
 *
 * Model: every version of every object is a record.  A version is
 * (id, modified); objects without `modified` (SCOs, marking definitions)
 * are unversioned and a record per distinct content is kept.  date_added is
 * assigned by the store in microseconds and strictly increases within a
 * store.  The exact bytes accepted are kept and returned unchanged.
 */
#ifndef ACC_STORE_H
#define ACC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "stix/stix.h"
#include "store/store_corr.h"
#include "util/error.h"

typedef struct acc_store acc_store;

/* One stored version. Strings and raw are valid until the next call on
 * the store (or, in a scan callback, until the callback returns). */
typedef struct acc_record {
  int64_t seq;        /* storage order; also a stable row handle */
  int64_t collection; /* the collection (acc_collection.cid) holding it */
  const char *id;
  const char *type;
  const char *spec_version;
  int64_t created_us;  /* ACC_TIME_NONE when absent */
  int64_t modified_us; /* ACC_TIME_NONE when unversioned */
  int64_t date_added_us;
  int revoked;
  int is_latest;
  const char *raw; /* exact JSON text as accepted */
  size_t raw_len;
  /* What the sharing policy needs (see policy/policy.h). */
  int tlp;                 /* acc_tlp of object_marking_refs, -1 when none */
  int granular_tlp;        /* most restrictive granular TLP, -1 when none */
  const char *share_orgs;  /* recipient organisations "|a|b|" or NULL */
  const char *share_users; /* recipient users "|a|b|" or NULL */
  int64_t origin_oid;      /* organisation that added it (0 = the instance) */
  int64_t origin_uid;      /* user who added it (0 = none) */
} acc_record;

/* Sharing facts stored with a version when it is put. */
typedef struct acc_put_meta {
  int tlp;                 /* acc_tlp of object_marking_refs, -1 when none */
  int granular_tlp;        /* most restrictive granular TLP, -1 when none */
  const char *share_orgs;  /* "|a|b|" or NULL */
  const char *share_users; /* "|a|b|" or NULL */
  int64_t origin_oid;
  int64_t origin_uid;
} acc_put_meta;

/* Outcome of a put. */
typedef enum acc_put_status {
  ACC_PUT_STORED,    /* a new version was written */
  ACC_PUT_DUPLICATE, /* exactly this version is already stored: no-op */
} acc_put_status;

typedef enum acc_version_sel {
  ACC_VER_LATEST, /* the latest version of each object (default) */
  ACC_VER_FIRST,  /* the earliest version of each object */
  ACC_VER_ALL,    /* every version */
  ACC_VER_AT,     /* the versions whose modified equals `at_us` */
} acc_version_sel;

#define ACC_QUERY_MAX_TERMS 64

/* A query over records, returned in date_added order. */
typedef struct acc_query {
  int64_t collection; /* acc_collection.cid; 0 = every collection */
  const char *types[ACC_QUERY_MAX_TERMS]; /* match any; none = all types */
  size_t n_types;
  const char *ids[ACC_QUERY_MAX_TERMS]; /* match any; none = all ids */
  size_t n_ids;
  const char *spec_versions[4]; /* match any; none = all */
  size_t n_spec_versions;
  acc_version_sel version;
  int64_t at_us[ACC_QUERY_MAX_TERMS]; /* for ACC_VER_AT (any of) */
  size_t n_at;
  int64_t added_after_us;  /* ACC_TIME_NONE = no bound */
  int64_t added_before_us; /* inclusive upper bound; ACC_TIME_NONE = none */
  int64_t after_seq;       /* resume after this date_added (paging); 0 */
  size_t limit;            /* 0 = no limit */
  int meta_only;           /* records without raw (manifests, versions) */
  /* The web interface's search and object pages (api/search.c): */
  int newest_first; /* descending date_added; after_seq then resumes below
                       it */
  /* A filter on each stored row, applied by the enforcement point
   * (policy/guard.c) before its decision: a row it refuses was not asked
   * for, so it is neither released nor denied nor audited.  It sees rows
   * the reader may not see: it may only select, never keep anything. */
  int (*match)(void *ctx, const acc_record *r);
  void *match_ctx;
  /* Only rows whose stored JSON contains this text, ASCII letters in any
   * case (evaluated by the store, e.g. SQL LIKE; NULL = any).  Like match,
   * a pre-filter: what it skips was not asked for. */
  const char *raw_contains;
} acc_query;

void acc_query_init(acc_query *q);

/* Called per record; return non-zero to stop (that value is returned). */
typedef int (*acc_record_cb)(void *ctx, const acc_record *r);

/* A group of latest versions sharing type and sharing facts (count_latest):
 * facts holds them (id and raw NULL; date_added_us the group's newest;
 * created_us the start of the day for sightings, else ACC_TIME_NONE). */
typedef int (*acc_group_cb)(void *ctx, const acc_record *facts, int64_t n,
                            int64_t n_revoked);

typedef struct acc_type_count {
  char type[64];
  int64_t objects;  /* distinct ids */
  int64_t versions; /* records */
} acc_type_count;

typedef struct acc_stats {
  int64_t objects;        /* distinct ids */
  int64_t versions;       /* records */
  int64_t revoked;        /* ids whose latest version is revoked */
  int64_t spec20;         /* records that are STIX 2.0 */
  int64_t bytes_json;     /* sum of stored JSON text */
  int64_t bytes_on_disk;  /* database files */
  int64_t first_added_us; /* ACC_TIME_NONE when empty */
  int64_t last_added_us;
  int schema_version;
  acc_type_count *types; /* malloc'd, n_types entries, by type name */
  size_t n_types;
} acc_stats;

void acc_stats_free(acc_stats *s);

/* ---- collections, organisations, users, tokens, grants, status ---- */

#define ACC_NAME_MAX 128
#define ACC_TEXT_MAX 1024

/* A TAXII collection.  cid is the store's handle; id is the UUID clients
 * see.  The default collection (cid 1) exists in every store. */
typedef struct acc_collection {
  int64_t cid;
  char id[40];              /* UUID */
  char api_root[64];        /* the API root it belongs to */
  char alias[ACC_NAME_MAX]; /* "" when none */
  char title[ACC_NAME_MAX];
  char description[ACC_TEXT_MAX];
  char default_marking[ACC_ID_MAX]; /* for unmarked objects; "" = AMBER */
  int public_read; /* anonymous readers may read (CLEAR only) */
} acc_collection;

typedef struct acc_org {
  int64_t oid;
  char name[ACC_NAME_MAX];
  char identity_ref[ACC_ID_MAX]; /* STIX identity of the org, "" if none */
  int member;                    /* part of this instance's community */
} acc_org;

typedef struct acc_user {
  int64_t uid;
  char name[ACC_NAME_MAX];
  int64_t oid;
  char org[ACC_NAME_MAX];
  char pwhash[160]; /* libsodium crypto_pwhash_str (argon2id), "" = none */
  int admin;
  int disabled;
} acc_user;

typedef struct acc_token {
  int64_t tid;
  char prefix[24];        /* the public, indexed start of the token */
  unsigned char hash[32]; /* BLAKE2b-256 of the whole token */
  int64_t uid;
  char label[ACC_NAME_MAX];
  int64_t expires_us; /* ACC_TIME_NONE = never */
  int revoked;
} acc_token;

typedef int (*acc_collection_cb)(void *ctx, const acc_collection *c);
typedef int (*acc_org_cb)(void *ctx, const acc_org *o);

/* ---- federation (src/sync): peers, their sync state, provenance ---- */

#define ACC_PEER_CONFIG_MAX 8192
#define ACC_PEER_NEXT_MAX 4096

/* A federation peer as the store keeps it: a name, the peer's
 * organisation (what the sharing policy knows it as) and its settings as
 * JSON text, which src/sync reads and writes.  Secrets are never here
 * (they live in DIR/secrets). */
typedef struct acc_peer_row {
  int64_t pid;
  char name[ACC_NAME_MAX];
  int64_t oid;                      /* the peer's organisation */
  char config[ACC_PEER_CONFIG_MAX]; /* JSON object text */
} acc_peer_row;

/* Where a peer's sync stands.  Pull watermarks are the peer's own
 * timestamps, kept as the text it sent; the push watermark is a local
 * date_added.  Written in the same transaction as the objects a page
 * brought, so a crash never separates them. */
typedef struct acc_peer_state {
  int64_t pid;
  char pull_after[64];     /* X-TAXII-Date-Added-Last of the last page
                              stored; "" = from the beginning */
  char pull_run_after[64]; /* added_after of the paging run in progress */
  char pull_next[ACC_PEER_NEXT_MAX + 1]; /* its next token, "" = none */
  int64_t push_after_us;   /* last local version pushed or passed over;
                              ACC_TIME_NONE = from the beginning */
  int64_t pulled;          /* versions stored from the peer */
  int64_t pull_duplicates; /* versions received that were already here */
  int64_t pull_rejected;   /* versions received and refused */
  int64_t pushed;          /* versions the peer accepted */
  int64_t push_rejected;   /* versions the peer refused */
  int64_t push_withheld;   /* versions the sharing policy kept back */
  int64_t pull_ok_us;      /* end of the last pull that caught up */
  int64_t push_ok_us;      /* end of the last push that caught up */
  int64_t attempt_us;      /* start of the last run */
  int64_t error_us;        /* when error was set; ACC_TIME_NONE = none */
  char error[512];         /* the last failure, "" after a clean run */
  char reject[512];        /* the last object refused, either way */
  int64_t failures;        /* consecutive failed runs (for backoff) */
} acc_peer_state;

typedef int (*acc_peer_cb)(void *ctx, const acc_peer_row *p);

/* ---- confidence-building (src/cbm): an index of consultation messages
 * and points of contact, kept beside the objects (which stay the truth:
 * src/cbm/index.c rebuilds rows from them) so that lists, deadlines and
 * metrics need not read every note and identity. ---- */

#define ACC_CBM_RECIPIENTS_MAX 4096

/* One indexed object: a consultation message (kind 'm', a note) or a
 * point of contact (kind 'p', an identity).  Metadata only. */
typedef struct acc_cbm_row {
  char id[ACC_ID_MAX];
  char kind;                /* 'm' or 'p' */
  char thread[ACC_ID_MAX];  /* m: the consultation (its opening's id) */
  char action[16];          /* m: open|acknowledge|reply|close;
                               p: policy|technical */
  char org[ACC_NAME_MAX];   /* m: the sender; p: whose contact it is */
  char to_org[ACC_NAME_MAX];/* m, open: the organisation consulted */
  char recipients[ACC_CBM_RECIPIENTS_MAX]; /* m: "|a|b|" as named */
  char public_key[64];      /* the key it names ("" = none) */
  int sig;                  /* 1: its signature checks with that key;
                               0: it does not; -1: unsigned */
  int64_t t_us;             /* m: created; p: modified */
  int64_t due1_us;          /* m, open: acknowledgement due; p: confirmed */
  int64_t due2_us;          /* m, open: answer due */
  int64_t modified_us;      /* the version's modified */
  int64_t origin_oid;       /* the organisation that added the version */
  int64_t collection;
  int revoked;
} acc_cbm_row;

typedef int (*acc_cbm_row_cb)(void *ctx, const acc_cbm_row *r);

/* The backend table. */
typedef struct acc_store_ops {
  const char *name;
  acc_rc (*open)(const char *dir, int create, acc_store **out, acc_diag *d);
  void (*close)(acc_store *s);
  acc_rc (*begin)(acc_store *s, acc_diag *d); /* write transaction */
  acc_rc (*commit)(acc_store *s, acc_diag *d);
  acc_rc (*rollback)(acc_store *s);
  acc_rc (*savepoint)(acc_store *s, acc_diag *d); /* nested, inside begin */
  acc_rc (*release)(acc_store *s, acc_diag *d);
  acc_rc (*rollback_to)(acc_store *s, acc_diag *d);
  /* Store one validated object with its exact bytes.  Must be inside a
   * transaction.  Returns ACC_ECONFLICT (with diag) when the same
   * (id, modified) is stored with different content. */
  acc_rc (*put)(acc_store *s, int64_t collection, const acc_stix_obj *o,
                const acc_put_meta *meta, /* NULL: unmarked, no origin */
                const char *raw, size_t raw_len, acc_put_status *status,
                int64_t *date_added_us, acc_diag *d);
  /* One version (of any collection when collection is 0): the latest when
   * version_us is ACC_TIME_NONE. */
  acc_rc (*get)(acc_store *s, int64_t collection, const char *id,
                int64_t version_us, acc_record_cb cb, void *ctx, acc_diag *d);
  acc_rc (*scan)(acc_store *s, const acc_query *q, acc_record_cb cb, void *ctx,
                 acc_diag *d);
  /* Remove the versions q selects (q->collection must be set; ids, spec
   * versions and version selection apply); the latest/first marks of what
   * remains are recomputed.  *n_removed may be NULL. */
  acc_rc (*remove)(acc_store *s, const acc_query *q, size_t *n_removed,
                   acc_diag *d);
  acc_rc (*stats)(acc_store *s, acc_stats *out, acc_diag *d);
  /* Integrity check: storage-level and model invariants (one latest per
   * id, date_added strictly increasing, ...). */
  acc_rc (*check)(acc_store *s, acc_diag *d);

  /* Collections.  get finds by UUID or alias (api_root may be NULL for
   * any). */
  acc_rc (*coll_add)(acc_store *s, acc_collection *c, acc_diag *d);
  acc_rc (*coll_get)(acc_store *s, const char *api_root,
                     const char *id_or_alias, acc_collection *out, acc_diag *d);
  acc_rc (*coll_by_cid)(acc_store *s, int64_t cid, acc_collection *out,
                        acc_diag *d);
  acc_rc (*coll_list)(acc_store *s, const char *api_root, acc_collection_cb cb,
                      void *ctx, acc_diag *d);
  /* Organisations and users.  Names are unique; adding one that exists
   * returns ACC_EEXIST. */
  acc_rc (*org_add)(acc_store *s, acc_org *o, acc_diag *d);
  acc_rc (*org_get)(acc_store *s, const char *name, acc_org *out, acc_diag *d);
  acc_rc (*org_list)(acc_store *s, acc_org_cb cb, void *ctx, acc_diag *d);
  acc_rc (*user_add)(acc_store *s, acc_user *u, acc_diag *d);
  acc_rc (*user_get)(acc_store *s, const char *name, acc_user *out,
                     acc_diag *d);
  acc_rc (*user_by_id)(acc_store *s, int64_t uid, acc_user *out, acc_diag *d);
  acc_rc (*token_add)(acc_store *s, acc_token *t, acc_diag *d);
  acc_rc (*token_get)(acc_store *s, const char *prefix, acc_token *out,
                      acc_diag *d);
  /* Read and write rights of an organisation on a collection (both 0 when
   * no grant is recorded). */
  acc_rc (*grant_set)(acc_store *s, int64_t cid, int64_t oid, int can_read,
                      int can_write, acc_diag *d);
  acc_rc (*grant_get)(acc_store *s, int64_t cid, int64_t oid, int *can_read,
                      int *can_write, acc_diag *d);
  /* TAXII status resources, kept as JSON text; those older than
   * keep_us are purged by status_put. */
  acc_rc (*status_put)(acc_store *s, const char *id, const char *json,
                       int64_t keep_us, acc_diag *d);
  acc_rc (*status_get)(acc_store *s, const char *id, char **json_out,
                       acc_diag *d);
  /* Small settings kept with the data (e.g. the pagination key). */
  acc_rc (*meta_get)(acc_store *s, const char *key, char *out, size_t size,
                     acc_diag *d);
  acc_rc (*meta_set)(acc_store *s, const char *key, const char *value,
                     acc_diag *d);

  /* ---- correlation (src/correlate/, store/store_corr.h) ---- */
  /* Index one version's values (inside a write transaction): the class
   * is taken from the version's row, the values are found or added, and
   * postings are written when the version is live.  Indexing a version
   * again replaces what was indexed for it. */
  acc_rc (*corr_index)(acc_store *s, const acc_corr_doc *doc,
                       const acc_corr_val *vals, size_t n, acc_diag *d);
  /* Empty the index (inside a write transaction), for a rebuild. */
  acc_rc (*corr_reset)(acc_store *s, acc_diag *d);
  /* Bulk mode for a rebuild: after corr_bulk(s, 1) corr_index collects
   * in memory; corr_bulk(s, 0) writes everything sorted, corr_bulk(s, -1)
   * drops it. */
  acc_rc (*corr_bulk)(acc_store *s, int on, acc_diag *d);
  /* The stored value equal to v (ACC_ENOTFOUND when none). */
  acc_rc (*corr_find)(acc_store *s, const acc_corr_val *v, int64_t *vid,
                      acc_diag *d);
  /* A value by id. */
  acc_rc (*corr_value)(acc_store *s, int64_t vid, acc_corr_value_cb cb,
                       void *ctx, acc_diag *d);
  /* Every posting of a value, in (cls, seq) order. */
  acc_rc (*corr_postings)(acc_store *s, int64_t vid, acc_corr_posting_cb cb,
                          void *ctx, acc_diag *d);
  /* A sharing class. */
  acc_rc (*corr_cls)(acc_store *s, int64_t cls, acc_corr_cls *out,
                     acc_diag *d);
  /* IP values inside v's network, or networks containing it. */
  acc_rc (*corr_nets)(acc_store *s, const acc_corr_val *v,
                      acc_corr_net_mode mode, acc_corr_value_cb cb, void *ctx,
                      acc_diag *d);
  /* The row of one version, without its content (raw NULL): for the
   * correlation engine to name what it then reads through the guard. */
  acc_rc (*corr_record)(acc_store *s, int64_t seq, acc_record_cb cb,
                        void *ctx, acc_diag *d);
  acc_rc (*corr_stats)(acc_store *s, acc_corr_stats *out, acc_diag *d);
  /* Every sharing class (an answer touching many decides them in one
   * pass); strings valid during the callback. */
  acc_rc (*corr_cls_all)(acc_store *s, acc_corr_cls_cb cb, void *ctx,
                         acc_diag *d);
  /* A value's postings summed up per class (for values with many), and
   * the most recent `limit` postings of one class, newest first. */
  acc_rc (*corr_agg)(acc_store *s, int64_t vid, acc_corr_agg_cb cb, void *ctx,
                     acc_diag *d);
  acc_rc (*corr_recent)(acc_store *s, int64_t vid, int64_t cls, size_t limit,
                        acc_corr_posting_cb cb, void *ctx, acc_diag *d);
  /* The class of an indexed, live version (ACC_ENOTFOUND otherwise). */
  acc_rc (*corr_doc_cls)(acc_store *s, int64_t seq, int64_t *cls,
                         acc_diag *d);

  /* ---- anonymiser and relay lists (src/correlate/lists.c) ---- */
  /* Find the list named l->name, or add it; with replace its entries are
   * dropped.  Fills l->lid. */
  acc_rc (*list_put)(acc_store *s, acc_list_info *l, int replace,
                     acc_diag *d);
  /* Add one entry (an identical entry is a no-op). */
  acc_rc (*list_entry_add)(acc_store *s, int64_t lid, const acc_list_entry *e,
                           acc_diag *d);
  /* Recount a list's entries and validity range after adding. */
  acc_rc (*list_finish)(acc_store *s, int64_t lid, acc_diag *d);
  acc_rc (*list_list)(acc_store *s, acc_list_info_cb cb, void *ctx,
                      acc_diag *d);
  /* Remove a list and its entries (ACC_ENOTFOUND when absent). */
  acc_rc (*list_drop)(acc_store *s, const char *name, acc_diag *d);
  /* Entries whose network holds addr (v6: 16 octets, else 4) and whose
   * validity overlaps [from_us, until_us] (ACC_TIME_NONE = open). */
  acc_rc (*list_lookup)(acc_store *s, int v6, const uint8_t addr[16],
                        int64_t from_us, int64_t until_us,
                        acc_list_match_cb cb, void *ctx, acc_diag *d);
  /* ---- federation (src/sync; SQL in store/sqlite_sync.c) ---- */
  /* Peers by name (unique: ACC_EEXIST); add sets p->pid.  remove drops
   * the peer and its state; provenance stays, naming it. */
  acc_rc (*peer_add)(acc_store *s, acc_peer_row *p, acc_diag *d);
  acc_rc (*peer_update)(acc_store *s, const acc_peer_row *p, acc_diag *d);
  acc_rc (*peer_get)(acc_store *s, const char *name, acc_peer_row *out,
                     acc_diag *d);
  acc_rc (*peer_list)(acc_store *s, acc_peer_cb cb, void *ctx, acc_diag *d);
  acc_rc (*peer_remove)(acc_store *s, int64_t pid, acc_diag *d);
  /* The organisations of registered peers: up to max in oids, the number
   * there are in *n. */
  acc_rc (*peer_orgs)(acc_store *s, int64_t *oids, size_t max, size_t *n,
                      acc_diag *d);
  /* A peer's sync state (all zero, watermarks empty, when never run).
   * put may run inside a write transaction (then it commits with it). */
  acc_rc (*peer_state_get)(acc_store *s, int64_t pid, acc_peer_state *out,
                           acc_diag *d);
  acc_rc (*peer_state_put)(acc_store *s, const acc_peer_state *st, acc_diag *d);
  /* Provenance of a stored version (by its date_added): the peer it came
   * from and when.  add runs inside the transaction that stored it. */
  acc_rc (*provenance_add)(acc_store *s, int64_t date_added_us, int64_t pid,
                           const char *peer, int64_t received_us, acc_diag *d);
  acc_rc (*provenance_get)(acc_store *s, int64_t date_added_us,
                           char peer[ACC_NAME_MAX], int64_t *received_us,
                           acc_diag *d); /* ACC_ENOTFOUND: added here */
  /* Versions of collection cid added after after_us (ACC_TIME_NONE: all):
   * how many, and the first and last date_added (ACC_TIME_NONE when
   * none).  Metadata only. */
  acc_rc (*added_range)(acc_store *s, int64_t cid, int64_t after_us,
                        int64_t *count, int64_t *first_us, int64_t *last_us,
                        acc_diag *d);

  /* ---- confidence-building (src/cbm; SQL in store/sqlite_cbm.c) ---- */
  /* Insert or replace the row of r->id (src/cbm/index.c decides which
   * version's row stands). */
  acc_rc (*cbm_put)(acc_store *s, const acc_cbm_row *r, acc_diag *d);
  /* The row of id (ACC_ENOTFOUND when none). */
  acc_rc (*cbm_get)(acc_store *s, const char *id, acc_cbm_row *out,
                    acc_diag *d);
  /* Rows of one kind ('m' or 'p'), all or those of one thread (m) or one
   * organisation (p) when key is set, ordered by (thread, t_us, id) for
   * messages and (org, id) for contacts.  The callback may use the
   * store. */
  acc_rc (*cbm_list)(acc_store *s, char kind, const char *key,
                     acc_cbm_row_cb cb, void *ctx, acc_diag *d);

  /* ---- the web interface (api/stats.c, through policy/guard.c) ---- */
  /* The latest versions of every collection counted in groups of the same
   * collection, type and sharing facts (the sharing policy decides on
   * those alone), sightings also by the day they were made: what a
   * dashboard counts once the policy has decided each group.  No content
   * is read. */
  acc_rc (*count_latest)(acc_store *s, acc_group_cb cb, void *ctx,
                         acc_diag *d);

  /* ---- caches above the store (policy/guard.c) ---- */
  /* A value that changes whenever anything in the store may have changed:
   * a commit by any other connection or any write through this handle
   * (committed or not, and its rollbacks).  What was read while it stays
   * equal is still true. */
  acc_rc (*generation)(acc_store *s, uint64_t gen[3]);

  /* ---- bulk imports (cli import, misp import) ---- */
  /* This handle's page cache, in MiB: a bulk import writes into indexes
   * larger than the default 64 MiB, which then spill to the WAL and are
   * read back (half the system time of a 1.25 M-object MISP import). */
  acc_rc (*cache_mib)(acc_store *s, unsigned mib, acc_diag *d);
} acc_store_ops;

/* The page cache of a bulk import (MiB; ops->cache_mib). */
#define ACC_STORE_IMPORT_CACHE_MIB 256u

/* Every backend begins with this header. */
struct acc_store {
  const acc_store_ops *ops;
  /* The enforcement point's cache for this handle (peers' organisations,
   * collection access), checked against ops->generation before each use;
   * freed by acc_store_close.  A handle is used by one thread at a time. */
  void *guard_cache;
  void (*guard_cache_free)(void *);
};

/* Open the store in data directory dir (creating it when create is set). */
acc_rc acc_store_open(const char *dir, int create, acc_store **out,
                      acc_diag *d);
void acc_store_close(acc_store *s);

extern const acc_store_ops acc_store_sqlite_ops;

/* Thin dispatchers, so callers read as acc_store_put(s, ...).  Reading
 * object content is not among them: that goes through the enforcement
 * point, policy/guard.h (raw reads are in store/store_raw.h, for the few
 * internal, non-egress users that tests/cli/test_structure.sh allows). */
static inline acc_rc acc_store_begin(acc_store *s, acc_diag *d) {
  return s->ops->begin(s, d);
}
static inline acc_rc acc_store_commit(acc_store *s, acc_diag *d) {
  return s->ops->commit(s, d);
}
static inline acc_rc acc_store_rollback(acc_store *s) {
  return s->ops->rollback(s);
}
static inline acc_rc acc_store_savepoint(acc_store *s, acc_diag *d) {
  return s->ops->savepoint(s, d);
}
static inline acc_rc acc_store_release(acc_store *s, acc_diag *d) {
  return s->ops->release(s, d);
}
static inline acc_rc acc_store_rollback_to(acc_store *s, acc_diag *d) {
  return s->ops->rollback_to(s, d);
}
static inline acc_rc acc_store_put(acc_store *s, int64_t collection,
                                   const acc_stix_obj *o,
                                   const acc_put_meta *meta, const char *raw,
                                   size_t len, acc_put_status *st,
                                   int64_t *added, acc_diag *d) {
  return s->ops->put(s, collection, o, meta, raw, len, st, added, d);
}
static inline acc_rc acc_store_remove(acc_store *s, const acc_query *q,
                                      size_t *n, acc_diag *d) {
  return s->ops->remove(s, q, n, d);
}
static inline acc_rc acc_store_stats(acc_store *s, acc_stats *out,
                                     acc_diag *d) {
  return s->ops->stats(s, out, d);
}
static inline acc_rc acc_store_check(acc_store *s, acc_diag *d) {
  return s->ops->check(s, d);
}

/* The default collection every store has. */
#define ACC_DEFAULT_COLLECTION 1

#endif
