/*
 * pattern_int.h — what the files of the pattern subsystem share and nobody
 * else needs: the arena, the syntax tree of a parsed pattern, the compact
 * JSON tree observations are read into, and the evaluation of one
 * comparison expression against one observation.
 *
 * Reading order: parse.c (lexer and parser → tree), value.c (literals,
 * CIDR, NFC, LIKE), pjson.c (observation JSON), eval.c (comparison
 * expressions against SCOs), obseval.c (observation operators and
 * qualifiers), matcher.c (many indicators at once), observe.c (reading
 * observations, the match run), sighting.c, gen.c.
 */
#ifndef ACC_PATTERN_INT_H
#define ACC_PATTERN_INT_H

#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "pattern/pattern.h"
#include "util/buf.h"
#include "util/error.h"

/* ---- arena ---------------------------------------------------------- */

/* A bump allocator: many small allocations freed together.  Never grows
 * past limit bytes (allocation then returns NULL). */
typedef struct acc_parena_chunk acc_parena_chunk;
typedef struct acc_parena {
  acc_parena_chunk *head; /* newest chunk first */
  size_t total;           /* bytes of all chunks */
  size_t limit;           /* cap on total */
  size_t chunk_size;      /* size of ordinary chunks */
} acc_parena;

void acc_parena_init(acc_parena *a, size_t chunk_size, size_t limit);
void *acc_parena_alloc(acc_parena *a, size_t n);
char *acc_parena_strdup(acc_parena *a, const char *s, size_t n);
/* Keep the first chunk, drop the rest. */
void acc_parena_reset(acc_parena *a);
void acc_parena_free(acc_parena *a);

/* ---- hash table ------------------------------------------------------ */

/* Open addressing over 64-bit hashes; keys are borrowed (they must
 * outlive the table).  At most limit entries. */
typedef struct acc_phent {
  uint64_t h;
  const void *key;
  size_t keylen;
  void *val;
} acc_phent;

typedef struct acc_phtab {
  acc_phent *e;
  size_t cap, n, limit;
} acc_phtab;

uint64_t acc_phash(const void *p, size_t n);
void acc_phtab_init(acc_phtab *t, size_t limit);
void acc_phtab_free(acc_phtab *t);
void *acc_phtab_get(const acc_phtab *t, const void *key, size_t n, uint64_t h);
/* Find or insert key: *slot points at its value (NULL when new). */
acc_rc acc_phtab_put(acc_phtab *t, const void *key, size_t n, uint64_t h,
                     void ***slot, int *existed);

/* ---- the syntax tree ------------------------------------------------ */

typedef enum pv_kind {
  PV_INT,   /* u.i */
  PV_FLOAT, /* u.f */
  PV_STR,   /* s, n: UTF-8 after unescaping */
  PV_BYTES, /* s, n: octets of b'...' or h'...' */
  PV_TS,    /* u.ts: microseconds since the epoch */
  PV_BOOL,  /* u.b */
} pv_kind;

typedef struct acc_pval {
  uint8_t kind;      /* pv_kind */
  uint8_t hex;       /* PV_BYTES written as h'...' (for printing) */
  uint8_t latin1_ok; /* PV_STR: every code point < U+0100 */
  size_t pos;        /* byte offset of the literal in the pattern */
  const char *s;     /* PV_STR, PV_BYTES */
  size_t n;
  const char *l1; /* PV_STR as octets (code point = octet) if latin1_ok */
  size_t l1n;
  union {
    int64_t i;
    double f;
    int64_t ts;
    int b;
  } u;
} acc_pval;

typedef enum ps_kind { PS_KEY, PS_INDEX, PS_STAR } ps_kind;

typedef struct acc_pstep {
  uint8_t kind;    /* ps_kind */
  const char *key; /* PS_KEY: the property name or dictionary key */
  size_t keylen;
  int64_t index; /* PS_INDEX (may be negative: never present) */
} acc_pstep;

typedef struct acc_ppath {
  const char *type; /* object type, NUL-terminated */
  size_t typelen;
  acc_pstep *steps; /* at least one; steps[0] is a PS_KEY */
  unsigned nsteps;
  uint8_t binary; /* the last property named ends in _bin (1) or _hex (2) */
  size_t pos;
} acc_ppath;

typedef enum pc_op {
  PC_EQ,
  PC_NE,
  PC_LT,
  PC_LE,
  PC_GT,
  PC_GE,
  PC_IN,
  PC_LIKE,
  PC_MATCHES,
  PC_SUBSET,
  PC_SUPERSET,
  PC_EXISTS,
} pc_op;

/* An IPv4 or IPv6 network: address octets (v4 in the first 4) and
 * prefix length. */
typedef struct acc_cidr {
  uint8_t v6;
  uint8_t len;
  uint8_t a[16];
} acc_cidr;

/* One comparison: path op literal, or EXISTS path. */
typedef struct acc_pcmp {
  uint8_t op;      /* pc_op */
  uint8_t negated; /* preceded by NOT */
  acc_ppath path;
  acc_pval val;  /* single-literal operators */
  acc_pval *set; /* PC_IN */
  unsigned nset;
  acc_cidr cidr;  /* PC_SUBSET, PC_SUPERSET */
  pcre2_code *re; /* PC_MATCHES (owned by the pattern) */
  unsigned id;    /* index of this comparison in the pattern */
} acc_pcmp;

typedef enum pn_kind { PN_AND, PN_OR, PN_TEST } pn_kind;

/* A comparison expression: AND / OR of children, or one comparison. */
typedef struct acc_pcnode {
  uint8_t kind; /* pn_kind */
  unsigned nkids;
  struct acc_pcnode **kids;
  acc_pcmp *cmp; /* PN_TEST */
} acc_pcnode;

typedef enum po_kind {
  PO_SIMPLE, /* [ comparison expression ] */
  PO_AND,    /* distinct observations */
  PO_OR,
  PO_FBY,       /* FOLLOWEDBY */
  PO_WITHIN,    /* kids[0] WITHIN within_us */
  PO_REPEATS,   /* kids[0] REPEATS repeats TIMES */
  PO_STARTSTOP, /* kids[0] START start_us STOP stop_us */
} po_kind;

typedef struct acc_ponode {
  uint8_t kind; /* po_kind */
  unsigned nkids;
  struct acc_ponode **kids;
  acc_pcnode *cexpr; /* PO_SIMPLE */
  unsigned leaf;     /* PO_SIMPLE: index among the pattern's leaves */
  int64_t within_us;
  uint64_t repeats;
  int64_t start_us, stop_us;
  size_t pos;
} acc_ponode;

struct acc_pattern {
  acc_parena arena;
  const char *text; /* copy of the pattern text */
  size_t len;
  acc_ponode *root;
  acc_ponode **leaves; /* the PO_SIMPLE nodes, left to right */
  unsigned nleaves;
  acc_pcmp **cmps; /* every comparison, in order */
  unsigned ncmps;
  /* 1 when the whole pattern is one [ ... ] with at most START/STOP
   * qualifiers: each matching observation is a match on its own. */
  int single;
};

/* ---- literals and values (value.c) ------------------------------------ */

/* Decode base64 (RFC 4648, padded; line feeds ignored when lf_ok) into
 * out (at least n*3/4 bytes).  Returns the length or -1. */
long acc_pat_base64(const char *s, size_t n, int lf_ok, unsigned char *out);
/* Decode hexadecimal (even length) into out.  Returns length or -1. */
long acc_pat_hex(const char *s, size_t n, unsigned char *out);
/* Parse "ADDR" or "ADDR/LEN" (IPv4 or IPv6); host bits are cleared. */
int acc_pat_cidr_parse(const char *s, size_t n, acc_cidr *out);
/* 1 when a is a subset of (or equal to) b. */
int acc_pat_cidr_within(const acc_cidr *a, const acc_cidr *b);
/* NFC of UTF-8 s[0..n): *out and *outn point either at s (already NFC, e.g.
 * ASCII) or into b.  Returns ACC_EINVAL for invalid UTF-8. */
acc_rc acc_pat_nfc(const char *s, size_t n, acc_buf *b, const char **out,
                   size_t *outn);
/* 1 when s is valid UTF-8. */
int acc_pat_utf8_ok(const char *s, size_t n);
/* SQL LIKE with % and _ over code points (both NFC already). */
int acc_pat_like(const char *pat, size_t pn, const char *s, size_t sn);
/* The LIKE pattern as an equivalent regular expression (anchored,
 * for Hyperscan and PCRE2). */
acc_rc acc_pat_like_regex(const char *pat, size_t pn, acc_buf *out);

/* ---- observation JSON (pjson.c) ---------------------------------------- */

typedef enum pj_type {
  PJ_NULL,
  PJ_FALSE,
  PJ_TRUE,
  PJ_INT,
  PJ_REAL,
  PJ_STR,
  PJ_ARR,
  PJ_OBJ,
} pj_type;

/* A JSON value.  Objects and arrays hold their members contiguously; an
 * object member carries its key. */
typedef struct acc_pj {
  uint8_t type;
  uint32_t n;      /* members, elements, or string bytes */
  const char *key; /* when a member of an object */
  uint32_t keylen;
  union {
    const char *s;
    int64_t i;
    double d;
    struct acc_pj *kids;
  } u;
} acc_pj;

/* Parser state over one document. */
typedef struct acc_pjp {
  const char *p, *end, *base;
  acc_parena *arena;
  unsigned depth, max_depth;
  acc_pj *stack; /* members under construction */
  size_t sp, scap;
  size_t stack_limit;
  size_t line; /* of p, maintained lazily */
  const char *line_at;
  char err[160];
} acc_pjp;

void acc_pjp_init(acc_pjp *ps, const char *buf, size_t len, acc_parena *a);
void acc_pjp_free(acc_pjp *ps);
/* Parse one value at ps->p into *out (allocated in ps->arena). */
acc_rc acc_pjp_value(acc_pjp *ps, acc_pj *out);
void acc_pjp_ws(acc_pjp *ps);
/* Member named key of an object (NULL when absent or not an object). */
const acc_pj *acc_pj_get(const acc_pj *o, const char *key);
/* Deep copy into arena a. */
acc_rc acc_pj_copy(acc_parena *a, const acc_pj *v, acc_pj *out);
/* Parse a whole text holding exactly one value. */
acc_rc acc_pj_parse(const char *buf, size_t len, acc_parena *a, acc_pj *out,
                    acc_diag *d);

/* Called for each STIX object of a document (index from 0, line from 1);
 * obj lives until the callback returns. */
typedef acc_rc (*acc_pj_obj_cb)(void *ctx, const acc_pj *obj, size_t index,
                                size_t line);
/* Stream the objects of a document of any accepted shape; elements that
 * are not objects, and bad lines of JSON lines, are counted in *bad. */
acc_rc acc_pj_stream(const char *buf, size_t len, acc_parena *scratch,
                     acc_pj_obj_cb cb, void *ctx, size_t *bad, acc_diag *d);

/* ---- one observation and comparison expressions (eval.c) -------------- */

/* An observation: an observed-data object and the SCOs it holds. */
typedef struct acc_pobs {
  const acc_pj **scos; /* each an object with a "type" */
  const char **keys;   /* the name each SCO is referred to by */
  uint32_t *keylens;
  size_t n;
  uint32_t *sorted; /* indexes of scos ordered by key (when n > 8) */
} acc_pobs;

/* Resolve ref (the value of an _ref property) in o: the SCO or NULL. */
const acc_pj *acc_pobs_deref(const acc_pobs *o, const char *ref, size_t n);
/* Prepare o for lookups (sorts keys when many). */
acc_rc acc_pobs_index(acc_pobs *o, acc_parena *a);

/* Scratch space for evaluation (normalised strings, decoded octets). */
typedef struct acc_peval {
  acc_buf nfc;
  acc_buf oct;
  pcre2_match_data *md;
  pcre2_match_context *mctx; /* bounds backtracking */
  size_t budget;             /* values visited; bounds [*] fan-out */
} acc_peval;

acc_rc acc_peval_init(acc_peval *e);
void acc_peval_free(acc_peval *e);

/* Values found at path from SCO root: cb is called for each, with bin
 * set when the last property is binary (_bin/_hex).  Stops when cb
 * returns non-zero (returned). */
typedef int (*acc_pvalue_cb)(void *ctx, const acc_pj *v, int bin);
int acc_ppath_values(const acc_pobs *o, const acc_pj *root, const acc_ppath *p,
                     acc_peval *e, acc_pvalue_cb cb, void *ctx);

/* Evaluate one comparison / a comparison expression with root as the
 * starting SCO (whose type must equal each path's type to be true). */
int acc_pcmp_eval(const acc_pobs *o, const acc_pj *root, const acc_pcmp *c,
                  acc_peval *e);
int acc_pcnode_eval(const acc_pobs *o, const acc_pj *root, const acc_pcnode *n,
                    acc_peval *e);
/* 1 when some SCO of o satisfies the comparison expression. */
int acc_pcnode_eval_obs(const acc_pobs *o, const acc_pcnode *n, acc_peval *e);

/* Compare a literal and a value under §9.6 (mismatched kinds: -2). */
int acc_pval_order(const acc_pval *lit, const acc_pj *v, int bin, acc_peval *e);

/* ---- observation operators and qualifiers (obseval.c) ----------------- */

/* What the observation-level evaluation knows of one observation. */
typedef struct acc_pobsinfo {
  int64_t first_us, last_us;
  uint64_t count; /* number_observed */
} acc_pobsinfo;

/* A set of distinct observations that together satisfy an expression. */
typedef struct acc_pbind {
  uint32_t *obs; /* sorted observation indexes */
  uint32_t n;
  int64_t tmin, tmax; /* earliest first_observed, latest last_observed */
  uint64_t weight;    /* how many times over it holds (REPEATS) */
} acc_pbind;

typedef struct acc_pbindset {
  acc_pbind *b;
  size_t n;
} acc_pbindset;

/* Limits on the combinations explored (documented in pattern.h). */
#define ACC_PBIND_MAX 1024
#define ACC_PBIND_WORK 2000000

/* Evaluate the observation tree of p given, for each leaf, the sorted
 * observation indexes it matched.  Results go to out (in arena a). */
acc_rc acc_pobs_evaluate(const acc_pattern *p, const uint32_t *const *hits,
                         const size_t *nhits, const acc_pobsinfo *info,
                         acc_parena *a, acc_pbindset *out);

/* ---- misc ------------------------------------------------------------- */

/* 0-based character (code point) offset of byte offset off in s. */
size_t acc_pat_charpos(const char *s, size_t off);

/* UUIDv5 (RFC 4122) of name in namespace ns, written as 36 characters. */
acc_rc acc_pat_uuid5(const unsigned char ns[16], const void *name, size_t n,
                     char out[37]);

#endif
