/*
 * pattern.h — STIX 2.1 patterning (STIX §9): parse and validate a
 * pattern, compile many indicators into one matcher, match observations
 * (observed-data objects with their SCOs) against all of them at once, and
 * turn the matches into sighting objects.
 *
 * The matcher has the shape of a YARA scanner: every indicator is compiled
 * once; equality and IN comparisons become hash lookups, ISSUBSET a prefix
 * index, LIKE and MATCHES one Hyperscan database per object path; only the
 * indicators whose prefilter fires are evaluated in full (PCRE2 confirms
 * regular expressions).  Cost grows with the observations and the
 * candidate indicators, not with the number of indicators.
 *
 * Positions in messages are 0-based character offsets into the pattern
 * (as in the OASIS reference validator's "line 1:N").
 */
#ifndef ACC_PATTERN_H
#define ACC_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/buf.h"
#include "util/error.h"

/* Longest pattern accepted, in bytes. */
#define ACC_PATTERN_MAX_BYTES (1u << 20)

typedef struct acc_pattern acc_pattern;

/* A warning about a valid pattern (an impossible calendar date, an AND
 * that can never be true, ...); pos is a character offset. */
typedef void (*acc_pattern_warn_fn)(void *ctx, size_t pos, const char *msg);

/*
 * Parse and validate text[0..len).  On error returns ACC_EINVAL with diag
 * "position N: expected ..., got ...".  warn may be NULL.  Regular
 * expressions are compiled with PCRE2 here, so a MATCHES that PCRE2
 * refuses is an error of the pattern.
 */
acc_rc acc_pattern_parse(const char *text, size_t len, acc_pattern **out,
                         acc_diag *diag, acc_pattern_warn_fn warn,
                         void *warn_ctx);
void acc_pattern_free(acc_pattern *p);

/* Parse, then free: validation only. */
acc_rc acc_pattern_check(const char *text, size_t len, acc_diag *diag,
                         acc_pattern_warn_fn warn, void *warn_ctx);

/* A canonical, fully parenthesised rendering of the parsed pattern (for
 * tests and `accord pattern check --tree`). */
acc_rc acc_pattern_dump(const acc_pattern *p, acc_buf *out);

/* Number of observation expressions ([...]) in p, and whether p can be
 * matched by one observation on its own (one [...], at most START/STOP). */
unsigned acc_pattern_leaves(const acc_pattern *p);
int acc_pattern_single(const acc_pattern *p);

/* ---- operands (operands.c) ---------------------------------------------
 *
 * The literals that comparisons of a pattern test for equality (=, IN) or
 * containment (ISSUBSET), with their object path — what correlation
 * indexes of an indicator.  Negated comparisons are left out.
 */
typedef struct acc_pattern_operand {
  const char *type;  /* object type, e.g. "ipv4-addr" */
  const char *path;  /* after "type:", keys joined by '.', lists "[*]":
                        "value", "hashes.SHA-256", "src_ref.value" */
  int op;            /* '=', 'I' (IN) or 'S' (ISSUBSET) */
  const char *value; /* a string literal (UTF-8, unescaped), len bytes */
  size_t len;
  int is_int; /* an integer literal: ival */
  int64_t ival;
} acc_pattern_operand;

/* Return non-zero to stop (that value is returned). */
typedef int (*acc_pattern_operand_fn)(void *ctx, const acc_pattern_operand *o);
int acc_pattern_operands(const acc_pattern *p, acc_pattern_operand_fn fn,
                         void *ctx);

/* ---- matching ----------------------------------------------------------
 *
 * An observation is an observed-data object: its SCOs are those named in
 * object_refs (found among the SCOs given to the same run) or those of its
 * deprecated embedded `objects` dictionary.  Its time is the interval
 * first_observed .. last_observed; number_observed counts for REPEATS.
 *
 * Observation operators need distinct observed-data objects.  FOLLOWEDBY
 * needs the right side's earliest first_observed at or after the left
 * side's latest last_observed; WITHIN x SECONDS needs the latest
 * last_observed less than x seconds after the earliest first_observed;
 * START x STOP y needs every observation's interval inside [x, y).  At
 * most ACC_PBIND_MAX combinations are kept per expression node and about
 * two million examined per indicator, so a pathological input can miss a
 * multi-observation match; it never produces a false one.
 */

typedef struct acc_matcher acc_matcher;

acc_rc acc_matcher_new(acc_matcher **out);
void acc_matcher_free(acc_matcher *m);

/* Add one indicator (its id and STIX pattern).  An invalid pattern
 * returns ACC_EINVAL with diag and leaves m as it was. */
acc_rc acc_matcher_add(acc_matcher *m, const char *indicator_id,
                       const char *pattern, size_t len, acc_diag *diag);

/* Build the indexes and the Hyperscan databases; no add after this. */
acc_rc acc_matcher_compile(acc_matcher *m, acc_diag *diag);

/* What a compiled matcher holds. */
typedef struct acc_matcher_stats {
  size_t indicators;
  size_t leaves;      /* observation expressions */
  size_t hash_keys;   /* equality / IN values indexed */
  size_t prefixes;    /* ISSUBSET networks indexed */
  size_t regexes;     /* LIKE / MATCHES in Hyperscan databases */
  size_t prefiltered; /* of which in Hyperscan's prefilter mode */
  size_t unfiltered;  /* observation expressions evaluated for every
                         SCO of their type (no usable prefilter) */
  size_t databases;   /* Hyperscan databases */
} acc_matcher_stats;

void acc_matcher_stats_get(const acc_matcher *m, acc_matcher_stats *st);

/* One match: an indicator and the observations that satisfy it. */
typedef struct acc_match {
  const char *indicator_id;
  size_t indicator_index;     /* order of acc_matcher_add */
  const char *const *obs_ids; /* observed-data ids, n_obs of them */
  size_t n_obs;
  int64_t first_us; /* earliest first_observed */
  int64_t last_us;  /* latest last_observed */
  uint64_t count;   /* sum of number_observed */
} acc_match;

/* Called for each match; return non-zero to stop (that value returns). */
typedef int (*acc_match_cb)(void *ctx, const acc_match *mt);

/* A matching run over a stream of STIX objects. */
typedef struct acc_match_run acc_match_run;

typedef struct acc_match_counts {
  size_t objects;      /* objects read */
  size_t observations; /* observed-data objects matched */
  size_t scos;         /* SCOs kept for object_refs */
  size_t unresolved;   /* object_refs naming an SCO never given */
  size_t bad;          /* objects that could not be read (skipped) */
  size_t candidates;   /* observation expressions evaluated in full */
  size_t matches;      /* matches reported */
} acc_match_counts;

acc_rc acc_match_run_new(const acc_matcher *m, acc_match_run **out);
void acc_match_run_free(acc_match_run *r);

/* Feed one document (bundle, TAXII envelope, JSON array, JSON lines or
 * one object).  SCOs and observed-data may come in any order, across
 * documents.  A malformed document returns ACC_EJSON with diag (line and
 * column); in JSON lines a bad line is skipped and counted instead. */
acc_rc acc_match_run_feed(acc_match_run *r, const char *doc, size_t len,
                          acc_diag *diag);

/* Evaluate what remains (observed-data waiting for their SCOs, patterns
 * over several observations) and report every match, ordered by
 * indicator then by observation. */
acc_rc acc_match_run_finish(acc_match_run *r, acc_match_cb cb, void *ctx,
                            acc_diag *diag);

void acc_match_run_counts(const acc_match_run *r, acc_match_counts *c);

/* ---- sightings ------------------------------------------------------ */

/* Most observed_data_refs in one sighting; more matches of one indicator
 * are split over several sightings. */
#define ACC_SIGHTING_MAX_REFS 1000

/* Writes sightings of matches: one per indicator (per
 * ACC_SIGHTING_MAX_REFS observations) with sighting_of_ref,
 * observed_data_refs, where_sighted_refs (where_ref, may be NULL), count,
 * first_seen and last_seen.  Ids are UUIDv5 of the indicator, the place
 * and the observations, so the same matches give the same ids. */
typedef struct acc_sightings acc_sightings;

acc_rc acc_sightings_new(const char *where_ref, int64_t created_us,
                         acc_sightings **out);
void acc_sightings_free(acc_sightings *s);
/* Add one match (call in the order acc_match_run_finish reports). */
acc_rc acc_sightings_add(acc_sightings *s, const acc_match *mt);
/* Emit the sightings, each as one line of JSON, to cb. */
typedef acc_rc (*acc_sighting_cb)(void *ctx, const char *json, size_t len);
acc_rc acc_sightings_flush(acc_sightings *s, acc_sighting_cb cb, void *ctx,
                           size_t *n_written);

/* ---- the store ---------------------------------------------------------
 *
 * For a server: match one stored observed-data object (and the SCOs its
 * object_refs name, read from the store) against m, and store a sighting
 * of each matching indicator (where_ref may be NULL).  Only patterns a
 * single observation can satisfy are considered.  *n_sightings (may be
 * NULL) receives the number of sightings stored.
 */
struct acc_store;
acc_rc acc_match_stored_observation(struct acc_store *s, const acc_matcher *m,
                                    const char *observed_data_id,
                                    const char *where_ref, int64_t now_us,
                                    size_t *n_sightings, acc_diag *diag);

/* Add to m the latest version of every stored indicator whose pattern_type
 * is stix (revoked ones are left out); *n_bad (may be NULL) counts those
 * whose pattern is invalid, which are skipped. */
acc_rc acc_matcher_add_from_store(acc_matcher *m, struct acc_store *s,
                                  size_t *n_added, size_t *n_bad,
                                  acc_diag *diag);

/* ---- benchmark data (gen.c) ------------------------------------------ */

/* Write n_ind indicators and n_obs observed-data objects (with their
 * SCOs), both as JSON lines, deterministic for a seed.  The mix of
 * indicators is the one of bench/match. */
acc_rc acc_pattern_gen(FILE *ind, FILE *obs, uint64_t n_ind, uint64_t n_obs,
                       uint64_t seed);

#endif
