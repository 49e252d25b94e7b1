/*
 * matcher_int.h — the compiled matcher (matcher.c) as the match run
 * (observe.c) and the store glue (pstore.c) see it: indicators, leaves
 * (observation expressions), per-type prefilters, and the scanner that
 * finds which leaves one observation satisfies.
 */
#ifndef ACC_MATCHER_INT_H
#define ACC_MATCHER_INT_H

#include <hs/hs.h>

#include "pattern/pattern_int.h"

typedef struct mind {
  const char *id; /* the indicator's id */
  acc_pattern *pat;
  uint32_t leaf0; /* global index of its first leaf */
} mind;

typedef struct mleaf {
  uint32_t ind;           /* index of its indicator */
  const acc_ponode *node; /* the PO_SIMPLE node */
} mleaf;

/* The leaves a hash or prefix key leads to. */
typedef struct mpost {
  uint32_t *leaves;
  size_t n, cap;
} mpost;

typedef struct mregex {
  const char *expr; /* as given to Hyperscan */
  unsigned flags;
  uint32_t leaf;
} mregex;

/* An object path some prefilter reads values from. */
typedef struct mpath {
  const acc_ppath *path; /* the first comparison seen with it */
  uint32_t id;
  int has_hash;
  int has_prefix;
  uint64_t v4lens;    /* bit L: an IPv4 network of length L is indexed */
  uint64_t v6lens[3]; /* same for IPv6, lengths 0..128 */
  mregex *rx;         /* Hyperscan id = index */
  size_t nrx, caprx;
  hs_database_t *db;
} mpath;

/* What is known about SCOs of one type. */
typedef struct mtype {
  const char *name;
  size_t namelen;
  mpath **paths; /* paths to read values from */
  size_t npaths, cappaths;
  uint32_t *always; /* leaves evaluated for every SCO of the type */
  size_t nalways, capalways;
} mtype;

struct acc_matcher {
  acc_parena arena;
  mind *ind;
  size_t nind, capind;
  mleaf *leaves;
  size_t nleaves, capleaves;
  acc_phtab types; /* name -> mtype */
  mtype **typev;
  size_t ntypev, captypev;
  acc_phtab paths; /* canonical path -> mpath */
  mpath **pathv;
  size_t npathv, cappathv;
  acc_phtab keys;        /* hash and prefix keys -> mpost */
  acc_phtab freq;        /* while compiling: equality literal -> count */
  hs_scratch_t *scratch; /* prototype, cloned by each scanner */
  int hs_ok;             /* Hyperscan runs on this processor */
  int compiled;
  int no_prefilter; /* tests: every leaf evaluated for every SCO */
  acc_buf tmp;
  acc_matcher_stats st;
};

/* Tests: compile without prefilters (before acc_matcher_compile), so
 * that results can be compared with the prefiltered matcher's. */
void acc_matcher_no_prefilter(acc_matcher *m);

/* Scanning state of one thread. */
typedef struct acc_mscan {
  const acc_matcher *m;
  acc_peval ev;
  hs_scratch_t *scratch;
  uint32_t *mark;   /* per leaf: stamp of the SCO it is a candidate for */
  uint32_t *hitobs; /* per leaf: stamp of the observation it matched */
  uint32_t stamp, obsstamp;
  uint32_t *cand;
  size_t ncand, capcand;
  acc_buf key;
  size_t candidates; /* leaves evaluated in full */
  int oom;
} acc_mscan;

typedef acc_rc (*acc_mscan_hit_fn)(void *ctx, uint32_t leaf);

acc_rc acc_mscan_init(acc_mscan *s, const acc_matcher *m);
void acc_mscan_free(acc_mscan *s);
/* Call hit once for each leaf that observation o satisfies. */
acc_rc acc_mscan_obs(acc_mscan *s, const acc_pobs *o, acc_mscan_hit_fn hit,
                     void *ctx);

#endif
