/*
 * correlate.h — correlation: every observable value (IP addresses and
 * networks, domains, URLs, e-mail addresses, hashes, ...) of every stored
 * object, normalised and indexed once, so that an analyst sees at once
 * which objects, reports, sightings and partners mention the same value.
 *
 *   normalise.c  one value of a kind → its canonical text (and network)
 *   extract.c    a STIX object (parsed) → its values; indicator patterns
 *                through the pattern parser
 *   index.c      the import hook, removal, and the rebuild
 *   query.c      answers, through the sharing policy's enforcement point
 *   lists.c      anonymiser and relay lists (lists.h)
 *
 * Storage is the store's business (store/store_corr.h).  No pairwise
 * table: a value is stored once with postings to the versions holding it.
 */
#ifndef ACC_CORRELATE_H
#define ACC_CORRELATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/guard.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/error.h"

/* Longest normalised value indexed (longer ones are skipped). */
#define ACC_CVAL_MAX 2048

/* A normalised value with its own storage (v.text points at text). */
typedef struct acc_cval {
  acc_corr_val v;
  char text[ACC_CVAL_MAX];
} acc_cval;

/* ---- normalise.c ---- */

/* The kind's name as shown to users ("ipv4-addr", "domain-name", ...) and
 * back (also accepts short forms: ip, domain, hash, sha256, ...). */
const char *acc_corr_kind_name(int kind);
int acc_corr_kind_parse(const char *name);

/* Normalise text s[0..n) as a value of kind.  For ACC_CK_HASH, algo names
 * the algorithm ("SHA-256", "sha256", "MD5" ...).  ACC_EINVAL when s is not
 * a value of that kind (then out is unspecified). */
acc_rc acc_corr_normalise(int kind, const char *algo, const char *s, size_t n,
                          acc_cval *out);

/* An IPv4 or IPv6 address or network ("ADDR" or "ADDR/LEN"), canonical:
 * host bits cleared, /32 and /128 written as the address, IPv4-mapped
 * IPv6 as IPv4, IPv6 as RFC 5952. */
acc_rc acc_corr_ip(const char *s, size_t n, acc_cval *out);

/* Guess the kind of a value typed by a user: "kind:value" names it
 * (sha256:…, domain:…, mutex:…), otherwise IP/CIDR, URL, e-mail, MAC,
 * ASN ("AS64500"), a hash by its length, or a domain name. */
acc_rc acc_corr_guess(const char *s, acc_cval *out);

/* Canonical name of a hash algorithm ("SHA-256" → "sha256"). */
void acc_corr_hash_algo(const char *name, char out[32]);

/* ---- extract.c ---- */

/* The values of one object, growing as they are added. */
typedef struct acc_cvals {
  acc_cval *v;
  size_t n, cap;
  size_t limit; /* most values kept (0 = 100,000) */
  int64_t t_us, t_end_us; /* when the object saw them (see extract.c) */
} acc_cvals;

void acc_cvals_init(acc_cvals *vs);
void acc_cvals_free(acc_cvals *vs);
void acc_cvals_reset(acc_cvals *vs);
acc_rc acc_cvals_add(acc_cvals *vs, const acc_cval *v);

/* Every value of a STIX object (2.1 or 2.0): SCO properties, embedded
 * observed-data `objects`, indicator pattern operands (=, IN, ISSUBSET),
 * the SCO / observed-data / indicator ids it refers to (object_refs,
 * sighting_of_ref, observed_data_refs) as ACC_CK_REF values, and the
 * hosts of URLs.  Also sets vs->t_us / t_end_us. */
acc_rc acc_corr_extract(json_t *obj, acc_cvals *vs);

/* Whether objects of this type can carry values at all. */
int acc_corr_type_indexed(const char *type);

/* ---- index.c ---- */

/* Index the version the last acc_store_put stored (obj is its parsed
 * JSON), in the caller's transaction: called by acc_ingest for every
 * stored object. */
acc_rc acc_corr_on_stored(acc_store *s, json_t *obj, acc_diag *d);

/* The same in two steps, for acc_ingest's two threads: take an object's
 * values out of its tree (no store; *out NULL when it has none), then
 * index them for the version the last acc_store_put stored. */
typedef struct acc_corr_pending acc_corr_pending;
acc_rc acc_corr_prepare(json_t *obj, acc_corr_pending **out);
acc_rc acc_corr_index_pending(acc_store *s, const acc_corr_pending *p,
                              acc_diag *d);
void acc_corr_pending_free(acc_corr_pending *p);

/* Rebuild the whole index from the stored objects (one transaction). */
typedef struct acc_corr_rebuild_counts {
  size_t versions; /* read */
  size_t indexed;  /* with at least one value */
  size_t values;   /* occurrences extracted */
  size_t bad;      /* unreadable (skipped) */
  /* seconds spent emptying the index, reading and extracting every version
   * (the pipeline), writing the sorted tables, committing */
  double s_clear, s_read, s_write, s_commit;
} acc_corr_rebuild_counts;
acc_rc acc_corr_rebuild(acc_store *s, acc_corr_rebuild_counts *c,
                        acc_diag *d);

/* Remove versions (like acc_store_remove, which takes them out of the
 * index as well); here for symmetry with the CLI. */

/* The number of sources above which a value is "common": the store's
 * setting (meta key correlation_common_sources), else the default. */
#define ACC_CORR_COMMON_DEFAULT 20
unsigned acc_corr_common_sources(acc_store *s);
acc_rc acc_corr_set_common_sources(acc_store *s, unsigned n, acc_diag *d);

/* ---- query.c ---- */

typedef struct acc_corr_opts {
  unsigned common;       /* sources above which a value is common; 0 =
                            acc_corr_common_sources(s) */
  size_t max_objects;    /* objects listed per value (0 = 50) */
  size_t max_values;     /* values answered (0 = 1,000) */
  size_t max_nets;       /* related networks per IP value (0 = 100) */
  int64_t at_us;         /* date for list flags (ACC_TIME_NONE = each
                            occurrence's own time span) */
  size_t sum_min;        /* postings above which a value is summed per
                            sharing class rather than read one by one
                            (0 = 512; tests set 1) */
} acc_corr_opts;

/*
 * Correlate a value typed by a user (acc_corr_guess) or, when the text is
 * a STIX id, every value of that object as the reader sees it.  The
 * answer (a JSON object, see docs/CORRELATION.md) holds only what
 * rd->who may see: postings are decided per sharing class with
 * acc_guard_visible, objects named are read through acc_guard_scan, and
 * counts, sources, times and flags are computed over visible postings
 * only.  ACC_ENOTFOUND when an id names nothing the reader can see;
 * ACC_EINVAL when a value cannot be understood.
 */
acc_rc acc_corr_query(acc_store *s, const acc_reader *rd, const char *what,
                      const acc_corr_opts *o, json_t **out, acc_diag *d);

/* The same for an already normalised value list (used by tests). */
acc_rc acc_corr_query_values(acc_store *s, const acc_reader *rd,
                             const acc_cvals *vs, const char *self_id,
                             const acc_corr_opts *o, json_t **out,
                             acc_diag *d);

/* Print an answer for people. */
void acc_corr_print(FILE *f, const json_t *answer);

#endif
