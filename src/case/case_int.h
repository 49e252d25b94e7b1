/*
 * case_int.h — what the files of src/case/ (and the pack builder, which
 * reads a loaded case) share beyond the public interface.
 */
#ifndef ACC_CASE_INT_H
#define ACC_CASE_INT_H

#include "case/case.h"

/* The case extension of an object when its kind is `kind`, else NULL. */
json_t *acc_case_ext_of(json_t *obj, const char *kind);

/* A timestamp property of a JSON object, ACC_TIME_NONE when absent. */
int64_t acc_case_json_time(json_t *o, const char *prop);

/* The effective TLP of a stored record (its own marking, else its
 * collection's default); the cache pair may be NULL. */
acc_tlp acc_case_effective_tlp(acc_store *s, const acc_record *r,
                               acc_tlp *cache_def, int64_t *cache_cid);

/* Names used in texts: "operation → actor" and "actor → state". */
const char *acc_case_link_name(unsigned link);

/* Evidence strength under the overstated-likelihood rule (caveat.c). */
typedef enum acc_ev_strength {
  ACC_EV_WEAK = 0,
  ACC_EV_MODERATE = 1,
  ACC_EV_STRONG = 2,
} acc_ev_strength;
acc_ev_strength acc_case_strength(char reliability, int credibility);

/* The highest likelihood rank (1..7) a set of evidence supports: counts
 * of strong and moderate items, distinct sources and categories among
 * them. */
int acc_case_ceiling(size_t strong, size_t moderate, size_t sources,
                     size_t categories);

/* Objects about to be written, seen by a load as if already stored
 * (so caveats can be derived before the write). */
typedef struct acc_case_overlay {
  json_t *objs;       /* array of STIX objects */
  int64_t origin_oid; /* who will have added them */
  int64_t collection;
} acc_case_overlay;

acc_rc acc_case_load_overlay(const acc_case_ctx *ctx, const char *name,
                             const acc_case_overlay *ov, acc_case **out,
                             acc_diag *d);

#endif
