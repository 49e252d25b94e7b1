/*
 * sync.h — federation: Accord instances and any TAXII 2.1 server pull
 * from and push to each other.
 *
 * A peer is a remote TAXII collection with its credentials, the
 * organisation it stands for here (the sharing policy treats what comes
 * from it as that organisation's, and decides what may go to it as for
 * that organisation), a direction (pull, push or both), a schedule, and
 * the local collections objects are pulled into and pushed from.
 *
 * Pull pages through the peer's collection (next tokens, else added_after
 * from X-TAXII-Date-Added-Last) and stores each page with acc_ingest —
 * exact bytes, versions merged by (id, modified) — in one transaction with
 * the page's watermark and the provenance of every stored version, so a
 * crash loses nothing and duplicates nothing.  Push reads through the
 * enforcement point (acc_guard_scan) as the peer's organisation, posts
 * envelopes and follows their status resources; RED never leaves and
 * AMBER+STRICT leaves only the instance where it originated.
 */
#ifndef ACC_SYNC_H
#define ACC_SYNC_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "audit/audit.h"
#include "store/store.h"
#include "sync/client.h"

enum { ACC_SYNC_PULL = 1, ACC_SYNC_PUSH = 2 };

#define ACC_SYNC_URL_MAX 1024

/* A peer's settings (kept as JSON in the store's peers table). */
typedef struct acc_sync_peer {
  int64_t pid;
  char name[ACC_NAME_MAX];
  int64_t oid;                     /* its organisation here */
  char org[ACC_NAME_MAX];          /* that organisation's name */
  char url[ACC_SYNC_URL_MAX];      /* the server, https://host[:port] */
  char api_root[ACC_SYNC_URL_MAX]; /* API root path or URL; "" = the
                                      server's default (discovery) */
  char collection[ACC_NAME_MAX];   /* the peer's collection id */
  unsigned direction;              /* ACC_SYNC_PULL | ACC_SYNC_PUSH bits;
                                      0 = "receive": the peer pushes to us
                                      and is never contacted; registered so
                                      that the policy knows its
                                      organisation */
  int64_t interval_ms;             /* between runs under `accord serve` */
  int enabled;                     /* `accord serve` runs it */
  int64_t local_cid;               /* pulled objects go here */
  int64_t push_cid;                /* pushed objects come from here */
  acc_sync_auth auth;
  char user[ACC_NAME_MAX]; /* Basic */
  char ca_file[ACC_SYNC_URL_MAX];
  int insecure_http;
  int all_versions;      /* pull every version, not only the latest */
  unsigned page_size;    /* objects per GET (limit) */
  unsigned max_pages;    /* per pull run */
  unsigned push_batch;   /* objects per POST */
  size_t push_max_bytes; /* bytes per POST (also capped by the API
                            root's max_content_length) */
  size_t max_response;   /* largest answer accepted */
  unsigned connect_timeout_ms;
  unsigned timeout_ms;
  unsigned low_speed_bytes;
  unsigned low_speed_s;
  unsigned retries;
  unsigned retry_max_ms;
  unsigned status_wait_ms; /* how long a pending status is followed */
} acc_sync_peer;

void acc_sync_peer_defaults(acc_sync_peer *p);

/* Set one setting from text, as `accord peer add/edit` options name them
 * (url, api-root, collection, org, direction, interval, local-collection,
 * push-from, ca-file, insecure-http, versions, page-size, max-pages,
 * push-batch, push-max-bytes, max-response, connect-timeout, timeout,
 * low-speed, retries, retry-max, status-wait, enabled).  Settings that
 * name an organisation or a collection are checked against the store.
 * ACC_EUSAGE with diag for a bad value. */
acc_rc acc_sync_peer_set(acc_store *s, acc_sync_peer *p, const char *key,
                         const char *value, acc_diag *d);

/* Whether a name may be a peer's: 1-64 of [A-Za-z0-9._-]. */
int acc_sync_peer_name_ok(const char *name);

/* The complete-settings check before saving (url and collection given,
 * https or loopback, organisation set). */
acc_rc acc_sync_peer_check(const acc_sync_peer *p, acc_diag *d);

acc_rc acc_sync_peer_load(acc_store *s, const char *name, acc_sync_peer *p,
                          acc_diag *d);
acc_rc acc_sync_peer_from_row(acc_store *s, const acc_peer_row *row,
                              acc_sync_peer *p, acc_diag *d);
/* Add (pid 0: sets p->pid) or update. */
acc_rc acc_sync_peer_save(acc_store *s, acc_sync_peer *p, acc_diag *d);

/* Settings as JSON (never the secret); the caller owns the result. */
json_t *acc_sync_peer_json(acc_store *s, const acc_sync_peer *p);
/* State and the figures derived from it (lag, pending); now_us for
 * ages. */
json_t *acc_sync_state_json(acc_store *s, const acc_sync_peer *p,
                            const acc_peer_state *st, int64_t now_us);

/* The peers (all, or only `name`) as a JSON array: each peer's settings,
 * "secret_stored", and its "status" (acc_sync_state_json).  ACC_ENOTFOUND
 * for an unknown name. */
acc_rc acc_sync_report(acc_store *s, const char *data_dir, const char *name,
                       int64_t now_us, json_t **out, acc_diag *d);

/* "pull", "push", "both" or "receive". */
const char *acc_sync_direction_name(unsigned dir);

/* ---- secrets: DIR/secrets/peer-PID, mode 0600 in a 0700 directory ---- */

acc_rc acc_sync_secret_write(const char *data_dir, int64_t pid,
                             const char *secret, acc_diag *d);
/* ACC_ENOTFOUND when none is stored. */
acc_rc acc_sync_secret_read(const char *data_dir, int64_t pid, char *out,
                            size_t size, acc_diag *d);
acc_rc acc_sync_secret_remove(const char *data_dir, int64_t pid, acc_diag *d);

/* ---- one peer, one run ---- */

/* A per-peer lock across processes (DIR/sync/peer-PID.lock): one run of
 * a peer at a time.  wait_ms 0 = try once (ACC_EEXIST when held). */
typedef struct acc_sync_lock acc_sync_lock;
acc_rc acc_sync_lock_take(const char *data_dir, int64_t pid, unsigned wait_ms,
                          acc_sync_lock **out, acc_diag *d);
void acc_sync_lock_release(acc_sync_lock *l);

typedef struct acc_sync_env {
  const char *data_dir;
  acc_store *store;
  acc_audit *audit;       /* push reads are audited here */
  const atomic_int *stop; /* may be NULL */
  unsigned lock_wait_ms;  /* wait this long for another process's run of
                             the same peer to end (0: give up at once) */
  void *log_ctx;          /* retries and notes (may be NULL) */
  void (*log)(void *ctx, const char *peer, const char *msg);
  /* After each pulled page commits (may be NULL): whether indicators were
   * stored, and the ids of new observed-data (NUL-separated), so that a
   * server can run detection on them (st: this run's store handle). */
  void *ingest_ctx;
  void (*on_ingest)(void *ctx, acc_store *st, int new_indicators,
                    const char *observed, size_t len);
} acc_sync_env;

typedef struct acc_sync_result {
  unsigned dirs; /* what ran */
  /* pull */
  size_t pages, stored, duplicate, rejected;
  int pull_caught_up;
  /* push */
  size_t batches, pushed, push_rejected, withheld, echoes;
  int push_caught_up;
  acc_rc pull_rc, push_rc;
  char pull_err[512], push_err[512];
  int64_t ms; /* wall time of the run */
} acc_sync_result;

/*
 * Run peer `name` once: pull, then push, as its direction allows and
 * mask selects.  The run's outcome (counters, watermarks, the error if
 * any, consecutive failures) is recorded in the peer's state.  Returns
 * the first error (with diag); res is always filled.  ACC_EEXIST when
 * another process is running this peer.
 */
acc_rc acc_sync_run(const acc_sync_env *env, const char *name, unsigned mask,
                    acc_sync_result *res, acc_diag *d);

/* `accord peer test`: reach the peer, find its API root, and print what
 * it says of the API root and of the collection (title, can_read,
 * can_write) to out.  An error when it cannot be reached, or may neither
 * be read (pull) nor written (push) as the peer's direction needs. */
acc_rc acc_sync_test(acc_store *s, const char *data_dir, const char *name,
                     FILE *out, acc_diag *d);

/* The pieces of a run (sync.c calls them with the peer locked). */
typedef struct acc_sync_job {
  const acc_sync_env *env;
  const acc_sync_peer *peer;
  acc_sync_client *client;
  char api_root[ACC_SYNC_URL_MAX]; /* resolved, ending in '/' */
  acc_sync_result *res;
} acc_sync_job;

acc_rc acc_sync_resolve_root(acc_sync_job *j, acc_diag *d);
acc_rc acc_sync_pull(acc_sync_job *j, acc_diag *d);
acc_rc acc_sync_push(acc_sync_job *j, acc_diag *d);

/* ---- continuous sync under `accord serve` ---- */

typedef struct acc_sync_service acc_sync_service;

/* Start a thread per enabled peer (the list is re-read every few
 * seconds, so peers added, edited or removed are followed), each running
 * its peer on its schedule, with backoff after failures.  Logs JSON
 * lines on stderr unless quiet.  on_ingest/ctx (may be NULL) is told of
 * each pulled page, as acc_sync_env says. */
acc_rc acc_sync_service_start(
    const char *data_dir, int quiet,
    void (*on_ingest)(void *ctx, acc_store *st, int new_indicators,
                      const char *observed, size_t len),
    void *ingest_ctx, acc_sync_service **out, acc_diag *d);
/* Stop: transfers in flight are cut (their page is not committed), the
 * threads are joined.  NULL is a no-op. */
void acc_sync_service_stop(acc_sync_service *s);

#endif
