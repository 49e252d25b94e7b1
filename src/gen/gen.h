/*
 * gen.h — generators of STIX 2.1 content: the demo scenario (a realistic,
 * self-contained story with several organisations and mixed TLP) and
 * synthetic load of any size for benchmarks.  Output is deterministic for
 * a given seed: the same call writes the same bytes.
 */
#ifndef ACC_GEN_H
#define ACC_GEN_H

#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

typedef enum acc_gen_format {
  ACC_GEN_BUNDLE, /* one STIX bundle */
  ACC_GEN_LINES,  /* JSON lines, one object per line */
} acc_gen_format;

/* Write the demo scenario.  Summary counts go to *n_objects. */
acc_rc acc_gen_demo(FILE *out, acc_gen_format fmt, uint64_t seed,
                    uint64_t *n_objects);

/* Write `count` synthetic objects: a mix of indicators, SCOs (ipv4-addr,
 * domain-name, url, file), relationships, sightings and identities, with
 * references that resolve within the output. */
acc_rc acc_gen_synthetic(FILE *out, acc_gen_format fmt, uint64_t count,
                         uint64_t seed);

#endif
