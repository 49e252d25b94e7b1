/*
 * gen.c — the pieces both generators use: the PRNG, UUIDs, the TLP 2.0
 * marking definitions and the bundle / JSON-lines framing.
 */
#include "gen/gen_int.h"

void acc_gen_rng_seed(acc_gen_rng *r, uint64_t seed, uint64_t stream) {
  r->s = seed ^ (stream * UINT64_C(0xd1342543de82ef95));
  /* Mix once so that nearby seeds start far apart. */
  (void)acc_gen_rng_next(r);
}

uint64_t acc_gen_rng_next(acc_gen_rng *r) {
  uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

uint64_t acc_gen_rng_below(acc_gen_rng *r, uint64_t n) {
  if (n == 0)
    return 0;
  /* The modulo bias is below 2^-40 for the small ranges used here. */
  return acc_gen_rng_next(r) % n;
}

void acc_gen_uuid_fmt(const unsigned char b[16],
                      char out[ACC_GEN_UUID_LEN + 1]) {
  static const char hex[] = "0123456789abcdef";
  size_t j = 0;
  for (size_t i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[j++] = '-';
    out[j++] = hex[b[i] >> 4];
    out[j++] = hex[b[i] & 15];
  }
  out[j] = '\0';
}

void acc_gen_uuid4(acc_gen_rng *r, char out[ACC_GEN_UUID_LEN + 1]) {
  unsigned char b[16];
  uint64_t hi = acc_gen_rng_next(r), lo = acc_gen_rng_next(r);
  for (size_t i = 0; i < 8; i++) {
    b[i] = (unsigned char)(hi >> (56 - 8 * i));
    b[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
  }
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
  acc_gen_uuid_fmt(b, out);
}

/* TLP 2.0 as published by OASIS (cti-stix-common-objects): fixed ids, one
 * creation date, and the level carried in a property extension. */
static const struct {
  const char *id;
  const char *name;
  const char *level;
} tlp_defs[ACC_GEN_TLP_COUNT] = {
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR",
     "clear"},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN",
     "green"},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER",
     "amber"},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
     "TLP:AMBER+STRICT", "amber+strict"},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED",
     "red"},
};

#define TLP_EXTENSION_ID                                                       \
  "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#define TLP_CREATED "2022-10-01T00:00:00.000Z"

const char *acc_gen_tlp_id(acc_gen_tlp level) {
  if ((unsigned)level >= ACC_GEN_TLP_COUNT)
    return NULL;
  return tlp_defs[level].id;
}

json_t *acc_gen_tlp_marking(acc_gen_tlp level) {
  if ((unsigned)level >= ACC_GEN_TLP_COUNT)
    return NULL;
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type",
                   "marking-definition", "spec_version", "2.1", "id",
                   tlp_defs[level].id, "created", TLP_CREATED, "name",
                   tlp_defs[level].name, "extensions", TLP_EXTENSION_ID,
                   "extension_type", "property-extension", "tlp_2_0",
                   tlp_defs[level].level);
}

static void out_puts(acc_gen_out *o, const char *s) {
  if (o->rc == ACC_OK && fputs(s, o->f) == EOF)
    o->rc = ACC_EIO;
}

void acc_gen_out_begin(acc_gen_out *o, FILE *f, acc_gen_format fmt,
                       const char *bundle_uuid) {
  o->f = f;
  o->fmt = fmt;
  o->n = 0;
  o->rc = ACC_OK;
  if (fmt != ACC_GEN_BUNDLE)
    return;
  if (fprintf(f, "{\"type\":\"bundle\",\"id\":\"bundle--%s\",\"objects\":[",
              bundle_uuid) < 0)
    o->rc = ACC_EIO;
}

void acc_gen_out_open(acc_gen_out *o) {
  if (o->fmt == ACC_GEN_BUNDLE && o->n > 0)
    out_puts(o, ",");
}

void acc_gen_out_close(acc_gen_out *o) {
  if (o->fmt == ACC_GEN_LINES)
    out_puts(o, "\n");
  o->n++;
}

void acc_gen_out_json(acc_gen_out *o, const json_t *obj) {
  acc_gen_out_open(o);
  if (o->rc == ACC_OK && json_dumpf(obj, o->f, JSON_COMPACT) != 0)
    o->rc = ACC_EIO;
  acc_gen_out_close(o);
}

acc_rc acc_gen_out_end(acc_gen_out *o) {
  if (o->fmt == ACC_GEN_BUNDLE)
    out_puts(o, "]}\n");
  if (o->rc == ACC_OK && (fflush(o->f) != 0 || ferror(o->f)))
    o->rc = ACC_EIO;
  return o->rc;
}
