/*
 * cbm_int.h — what the files of src/cbm/ share beyond the public
 * interface: who acts, reading one object through the guard, and writing
 * through acc_ingest.
 */
#ifndef ACC_CBM_INT_H
#define ACC_CBM_INT_H

#include "cbm/cbm.h"

/* Who acts, resolved once per operation. */
typedef struct acc_cbm_actor {
  int64_t oid, uid; /* uid 0 for the operator */
  char org[ACC_NAME_MAX];
  char user[ACC_NAME_MAX];
  char identity[ACC_ID_MAX]; /* the organisation's STIX identity */
  int operator;              /* the instance operator acts */
} acc_cbm_actor;

/* The acting principal: a user (for its organisation), or the operator
 * for org (required then). */
acc_rc acc_cbm_actor_of(const acc_cbm_ctx *ctx, const char *org,
                        acc_cbm_actor *a, acc_diag *d);
/* Whether the actor may write to collection cid. */
acc_rc acc_cbm_may_write(const acc_cbm_ctx *ctx, const acc_cbm_actor *a,
                         int64_t cid, acc_diag *d);

/* Now for ctx, to the millisecond. */
int64_t acc_cbm_ctx_now(const acc_cbm_ctx *ctx);
json_t *acc_cbm_ts(int64_t us);

/* The latest version of id the reader can see (any collection):
 * ACC_ENOTFOUND as for an absent one.  *out is a new reference; rec (may
 * be NULL) gets the record's metadata (no strings). */
acc_rc acc_cbm_get(const acc_cbm_ctx *ctx, const char *id, json_t **out,
                   acc_record *rec, acc_diag *d);

/* Every version of id the reader can see, in every collection, ordered
 * by modified then date_added (at most ACC_CBM_MAX_VERSIONS: the oldest
 * ones).  Messages are never versioned by Accord and a point of contact
 * only by its organisation, so a later version written by someone else
 * must not hide the one that counts: readers choose among them
 * (thread.c, poc.c).  ACC_ENOTFOUND as for an absent object. */
#define ACC_CBM_MAX_VERSIONS 64
typedef struct acc_cbm_version {
  json_t *j;
  acc_record r; /* metadata only: no strings */
} acc_cbm_version;
acc_rc acc_cbm_versions(const acc_cbm_ctx *ctx, const char *id,
                        acc_cbm_version **out, size_t *n, acc_diag *d);
void acc_cbm_versions_free(acc_cbm_version *v, size_t n);

/* Whether a version was added by organisation org (by name) or by this
 * instance itself (origin 0: the operator). */
int acc_cbm_added_by(acc_store *s, const acc_record *r, const char *org);

/* Store objs (a JSON array) through acc_ingest into cid, all or nothing,
 * as added by organisation oid (0: the instance) and user uid; Accord's
 * extension-definitions go first. */
acc_rc acc_cbm_store(const acc_cbm_ctx *ctx, json_t *objs, int64_t cid,
                     int64_t oid, int64_t uid, acc_diag *d);

/* Find the indexed object of kind ('m' openings, or 'p') whose id is id or
 * whose UUID starts with id (8 characters or more, unambiguous among
 * those the reader can see). */
acc_rc acc_cbm_resolve(const acc_cbm_ctx *ctx, char kind, const char *id,
                       char out[ACC_ID_MAX], acc_diag *d);

/* Whether a stored text mentions the extension (a quick test before
 * parsing it). */
int acc_cbm_kind_of_text(const char *raw, size_t len);

#endif
