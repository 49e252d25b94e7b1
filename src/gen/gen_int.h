/*
 * gen_int.h — what the generators (demo.c, synth.c) share and nothing else
 * needs: a small seeded PRNG, UUID text, the TLP 2.0 marking definitions,
 * and the writer that frames objects as one bundle or as JSON lines.
 */
#ifndef ACC_GEN_INT_H
#define ACC_GEN_INT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "gen/gen.h"
#include "util/error.h"

/* Length of a UUID in text form, without the NUL. */
#define ACC_GEN_UUID_LEN 36

/* 2026-03-01T00:00:00Z in microseconds: the anchor every generated
 * timestamp is an offset from, so output never depends on the clock. */
#define ACC_GEN_EPOCH_US (INT64_C(1772323200) * 1000000)
#define ACC_GEN_DAY_US (INT64_C(86400) * 1000000)

/* splitmix64: tiny, fast, and good enough to make test data look random. */
typedef struct acc_gen_rng {
  uint64_t s;
} acc_gen_rng;

/* Seed a generator; `stream` separates independent sequences drawn from
 * the same user seed. */
void acc_gen_rng_seed(acc_gen_rng *r, uint64_t seed, uint64_t stream);
uint64_t acc_gen_rng_next(acc_gen_rng *r);
/* Uniform-enough value in [0, n); n == 0 gives 0. */
uint64_t acc_gen_rng_below(acc_gen_rng *r, uint64_t n);

/* Format 16 bytes as a lower-case UUID (out gets 36 chars and a NUL). */
void acc_gen_uuid_fmt(const unsigned char b[16],
                      char out[ACC_GEN_UUID_LEN + 1]);
/* A random (version 4, RFC 9562 variant) UUID drawn from r. */
void acc_gen_uuid4(acc_gen_rng *r, char out[ACC_GEN_UUID_LEN + 1]);

/* TLP 2.0 levels, from least to most restrictive. */
typedef enum acc_gen_tlp {
  ACC_GEN_TLP_CLEAR,
  ACC_GEN_TLP_GREEN,
  ACC_GEN_TLP_AMBER,
  ACC_GEN_TLP_AMBER_STRICT,
  ACC_GEN_TLP_RED,
  ACC_GEN_TLP_COUNT
} acc_gen_tlp;

/* The published marking-definition id of a level. */
const char *acc_gen_tlp_id(acc_gen_tlp level);

/* A new marking-definition object for a level, in the form OASIS publishes
 * in cti-stix-common-objects; NULL when out of memory. */
json_t *acc_gen_tlp_marking(acc_gen_tlp level);

/* Frames objects on one output stream.  Errors are sticky: after the first
 * failure every call is a no-op and acc_gen_out_end returns the error. */
typedef struct acc_gen_out {
  FILE *f;
  acc_gen_format fmt;
  uint64_t n; /* objects written so far */
  acc_rc rc;  /* first error met, ACC_OK until then */
} acc_gen_out;

/* Start output; bundle_uuid names the bundle (ignored for JSON lines). */
void acc_gen_out_begin(acc_gen_out *o, FILE *f, acc_gen_format fmt,
                       const char *bundle_uuid);
/* Call before writing an object's text yourself ... */
void acc_gen_out_open(acc_gen_out *o);
/* ... and after it. */
void acc_gen_out_close(acc_gen_out *o);
/* Write one jansson object compactly, keeping its key order. */
void acc_gen_out_json(acc_gen_out *o, const json_t *obj);
/* Finish the bundle, flush, and return the first error met. */
acc_rc acc_gen_out_end(acc_gen_out *o);

#endif
