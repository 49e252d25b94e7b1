/*
 * guard.h — the one way stored objects leave Accord.  Every read of object
 * content on behalf of someone (TAXII, CLI export/get/list, search,
 * correlation, federation push, evidence packs) goes through
 * acc_guard_scan or acc_guard_get, which apply the sharing policy
 * (policy.h) to each version, remove granular-marked parts the reader may
 * not see, and write every release and every denial to the audit log.
 * There is no way to read object content from the store without naming a
 * principal and an audit log.
 */
#ifndef ACC_GUARD_H
#define ACC_GUARD_H

#include "audit/audit.h"
#include "auth/auth.h"
#include "policy/policy.h"
#include "store/store.h"

/* Who reads, by which way out, recorded where. */
typedef struct acc_reader {
  const acc_principal *who;
  const char *path;  /* the egress path, for the audit log */
  acc_audit *audit;  /* required */
} acc_reader;

/* The instance operator: the person running the CLI on the data
 * directory, who may read everything (and is audited as "operator"). */
extern const acc_principal acc_principal_operator;

typedef struct acc_guard_counts {
  size_t released; /* versions handed to the callback */
  size_t redacted; /* of which with granular-marked parts removed */
  size_t denied;   /* versions withheld */
} acc_guard_counts;

/*
 * Scan like acc_store_scan, but only what rd->who may read reaches cb
 * (redacted records carry the redacted JSON in raw).  q->limit counts
 * released versions.  counts may be NULL.
 */
acc_rc acc_guard_scan(acc_store *s, const acc_reader *rd, const acc_query *q,
                      acc_record_cb cb, void *ctx, acc_guard_counts *counts,
                      acc_diag *d);

/* Get like acc_store_get; an object the reader may not see is reported as
 * ACC_ENOTFOUND with the same message as an absent one. */
acc_rc acc_guard_get(acc_store *s, const acc_reader *rd, int64_t collection,
                     const char *id, int64_t version_us, acc_record_cb cb,
                     void *ctx, acc_diag *d);

/* Whether rd->who may read one record (no audit): for counting in
 * answers that must not reveal invisible objects. */
int acc_guard_visible(acc_store *s, const acc_principal *who,
                      const acc_record *r);

/*
 * The latest versions rd->who may read, counted in groups (the store's
 * count_latest: same collection, type and sharing facts, sightings also by
 * day): the policy decides each group once — its facts are all a decision
 * looks at — and cb gets the groups it lets the reader see, with the
 * effective TLP in facts->tlp.  No content is read; nothing is audited.
 */
acc_rc acc_guard_count(acc_store *s, const acc_reader *rd, acc_group_cb cb,
                       void *ctx, acc_diag *d);
/* The same decision as acc_guard_visible for many records of one reader
 * (correlation answers): each collection's access is looked up once for
 * the life of the view.  A view holds no locks; free it after the
 * request. */
typedef struct acc_guard_view acc_guard_view;
acc_rc acc_guard_view_new(acc_store *s, const acc_principal *who,
                          acc_guard_view **out);
int acc_guard_view_visible(acc_guard_view *v, const acc_record *r);
void acc_guard_view_free(acc_guard_view *v);

#endif
