/*
 * misp_int.h — what the MISP files (types.c, util.c, map.c, import.c,
 * export.c, pattern.c, synth.c) share and nothing else needs: the
 * attribute type table, a small streaming JSON writer, UUIDv5, MISP
 * timestamps, and the reader of the simple STIX patterns the mapper
 * writes.
 */
#ifndef ACC_MISP_INT_H
#define ACC_MISP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "misp/misp.h"
#include "util/buf.h"
#include "util/error.h"

/* ---- attribute types -------------------------------------------------- */

/* How a type is carried in STIX (docs/MISP.md, "Attribute types"). */
typedef enum acc_misp_fam {
  MF_CUSTOM,         /* x-misp-attribute custom object */
  MF_NOTE,           /* note */
  MF_HASH,           /* file, hashes.ARG */
  MF_FILENAME,       /* file, name */
  MF_FILENAME_HASH,  /* file, name + hashes.ARG (value "name|hash") */
  MF_IP,             /* ipv4-addr or ipv6-addr */
  MF_IP_PORT,        /* ip + network-traffic (ARG "src" or "dst") */
  MF_HOST_PORT,      /* domain-name + network-traffic */
  MF_DOMAIN,         /* domain-name */
  MF_DOMAIN_IP,      /* domain-name resolving to an ip */
  MF_EMAIL_ADDR,     /* email-addr */
  MF_EMAIL_MSG,      /* email-message, property ARG */
  MF_URL,            /* url */
  MF_AS,             /* autonomous-system */
  MF_MAC,            /* mac-addr */
  MF_REGKEY,         /* windows-registry-key */
  MF_REGKEY_VALUE,   /* windows-registry-key with one value's data */
  MF_MUTEX,          /* mutex */
  MF_X509,           /* x509-certificate, hashes.ARG */
  MF_ACCOUNT,        /* user-account of account_type ARG */
  MF_ATTACHMENT,     /* file (+ artifact holding the data) */
  MF_MALWARE_SAMPLE, /* file name|md5 (+ encrypted artifact) */
  MF_USER_AGENT,     /* pattern only (HTTP request header) */
  MF_RULE,           /* indicator with pattern_type ARG */
  MF_SDO,            /* the SDO of type ARG, named by the value */
} acc_misp_fam;

typedef struct acc_misp_type {
  const char *name;
  int default_category; /* index into acc_misp_categories */
  int default_to_ids;
  unsigned category_mask; /* bit i: acc_misp_categories[i] allowed */
  acc_misp_fam fam;
  const char *arg;
} acc_misp_type;

extern const char *const acc_misp_categories[];
extern const acc_misp_type acc_misp_types[]; /* sorted by name */
extern const size_t acc_misp_n_types;

const acc_misp_type *acc_misp_type_find(const char *name);
/* Index of a category name, -1 when not one of MISP's. */
int acc_misp_category_index(const char *name);

/* ---- JSON writer ---------------------------------------------------- */

#define ACC_JW_DEPTH 32

/* Writes JSON text into a buffer; errors are sticky (first one kept). */
typedef struct acc_jw {
  acc_buf *b;
  int depth;
  unsigned char first[ACC_JW_DEPTH]; /* nothing written yet at this level */
  int pretty;
  int keyed; /* a key was written, its value is next */
  acc_rc rc;
} acc_jw;

void acc_jw_init(acc_jw *w, acc_buf *b, int pretty);
void acc_jw_obj(acc_jw *w);             /* { */
void acc_jw_arr(acc_jw *w);             /* [ */
void acc_jw_end(acc_jw *w, char close); /* } or ] */
void acc_jw_key(acc_jw *w, const char *k);
void acc_jw_str(acc_jw *w, const char *s);
void acc_jw_strn(acc_jw *w, const char *s, size_t n);
void acc_jw_int(acc_jw *w, long long v);
void acc_jw_bool(acc_jw *w, int v);
void acc_jw_null(acc_jw *w);
/* Already-serialised JSON (a value). */
void acc_jw_raw(acc_jw *w, const char *s, size_t n);
/* A jansson value. */
void acc_jw_json(acc_jw *w, const json_t *v);
/* Shorthands: key + value. */
void acc_jw_kstr(acc_jw *w, const char *k, const char *s);
void acc_jw_kint(acc_jw *w, const char *k, long long v);
void acc_jw_kbool(acc_jw *w, const char *k, int v);
/* A JSON string literal's text for s (quotes included) into b. */
acc_rc acc_json_quote(acc_buf *b, const char *s, size_t n);

/* ---- identifiers and time ---------------------------------------------- */

/* Namespace of the UUIDv5 ids Accord derives for MISP items. */
#define ACC_MISP_NS "5b0f3a6e-8d41-4c27-9e1a-3f7c2d9b6a18"

/* UUIDv5 (RFC 9562) of name in namespace ns, lower-case, into out. */
acc_rc acc_misp_uuid5(const char *ns, const char *name, size_t len,
                      char out[37]);
/* 1 when s is 8-4-4-4-12 hexadecimal digits. */
int acc_misp_uuid_ok(const char *s);
/* Copy a uuid lower-cased (out has 37 bytes). */
void acc_misp_uuid_lower(const char *s, char out[37]);

/* MISP timestamps: decimal seconds since the epoch, as a string or a JSON
 * integer.  Returns 0 on success. */
int acc_misp_unix(const json_t *v, int64_t *secs);
/* ISO 8601 date-time with an offset or Z, or a plain date; to UTC us. */
int acc_misp_iso(const char *s, int64_t *us);
/* A JSON value read as an integer: a number or a string of digits. */
int acc_misp_intval(const json_t *v, long long *out);
/* A JSON value read as a boolean: true/false, 0/1, "0"/"1", "true". */
int acc_misp_boolval(const json_t *v, int *out);

/* ---- string map ------------------------------------------------------- */

/* Open addressing, string keys (copied), void * values. */
typedef struct acc_smap_ent {
  char *key; /* NULL: empty; a private marker: removed */
  void *val;
  uint64_t h;
} acc_smap_ent;

typedef struct acc_smap {
  acc_smap_ent *e;
  size_t cap;  /* power of two */
  size_t n;    /* live entries */
  size_t used; /* live + removed slots */
} acc_smap;

void acc_smap_init(acc_smap *m);
void acc_smap_free(acc_smap *m, void (*free_val)(void *));
/* Empty the map, keeping its table for reuse. */
void acc_smap_clear(acc_smap *m, void (*free_val)(void *));
/* The value slot of key, or NULL when absent. */
void **acc_smap_get(const acc_smap *m, const char *key);
/* Insert or replace; *existed (may be NULL) says which. */
acc_rc acc_smap_put(acc_smap *m, const char *key, void *val, int *existed);
/* Remove key; returns its value (NULL when absent). */
void *acc_smap_del(acc_smap *m, const char *key);

/* ---- simple STIX patterns ---------------------------------------------- */

#define ACC_PAT_MAX_TERMS 8

typedef struct acc_pat_term {
  char path[160]; /* e.g. "file:hashes.'SHA-256'" */
  char *value;    /* unescaped; malloc'd */
  int is_int;     /* the right-hand side was an integer */
} acc_pat_term;

typedef struct acc_pat {
  acc_pat_term t[ACC_PAT_MAX_TERMS];
  size_t n;
} acc_pat;

/* Read "[a:b = 'v' AND c:d = 2]" (one observation, '=' comparisons joined
 * by AND).  ACC_EINVAL for anything else. */
acc_rc acc_pat_parse(const char *s, acc_pat *p);
void acc_pat_free(acc_pat *p);
/* Append s as a pattern string literal ('...' with \' and \\). */
acc_rc acc_pat_quote(acc_buf *b, const char *s);

/* The comparison paths of type t in the patterns Accord writes: a for
 * the value (or its first part), b for the second part of a two-part
 * value ("" when none); ipv6 selects ipv6-addr for an address.  Returns
 * 0 when the type is not written as a STIX pattern. */
int acc_misp_paths(const acc_misp_type *t, int ipv6, char a[160], char b[160]);
/* The fixed extra comparison some types add ("" when none), e.g.
 * user-account:account_type = 'github'. */
const char *acc_misp_fixed_path(const acc_misp_type *t);

/* ---- the mapper ------------------------------------------------------- */

/* Where each object of a mapped document came from (index = position in
 * the array), so a rejection can name the attribute. */
typedef struct acc_misp_origin {
  size_t ev;   /* the event, for the importer's batches */
  long oi, ai; /* -1 when not applicable */
  char ouuid[37], auuid[37];
} acc_misp_origin;

typedef struct acc_misp_origins {
  acc_misp_origin *v;
  size_t n, cap;
} acc_misp_origins;

/* acc_misp_map_event, with Accord's identity and extension-definitions
 * written first when with_defs, and origins recorded when orig. */
acc_rc acc_misp_map_event_x(json_t *ev, const char *file,
                            const acc_misp_import_opts *opts, int with_defs,
                            acc_buf *out, acc_misp_counts *counts,
                            acc_misp_origins *orig, acc_diag *d);

#endif
