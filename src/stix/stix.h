/*
 * stix.h — the STIX 2.1 object model as the rest of Accord sees it: what
 * validation learns about an object (its kind, id, versioning timestamps),
 * the validator itself, and deterministic SCO identifiers (STIX §2.9).
 *
 * Validation works on a parsed jansson value; the exact bytes it came from
 * are the decoder's business (decode.h) and are what the store keeps.
 */
#ifndef ACC_STIX_H
#define ACC_STIX_H

#include <jansson.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/error.h"

/* Longest identifier we accept: type (<= 250) + "--" + 36-char UUID. */
#define ACC_ID_MAX 300

typedef enum acc_stix_kind {
  ACC_KIND_SDO,    /* domain object (attack-pattern, indicator, ...) */
  ACC_KIND_SRO,    /* relationship or sighting */
  ACC_KIND_SCO,    /* cyber-observable (ipv4-addr, file, ...) */
  ACC_KIND_META,   /* marking-definition, extension-definition,
                      language-content */
  ACC_KIND_CUSTOM, /* a type the specification does not define */
} acc_stix_kind;

/* What validation learned about one object.  Strings point into the
 * validated json_t and live as long as it does. */
typedef struct acc_stix_obj {
  const char *type;
  const char *id;
  const char *spec_version; /* "2.1" or "2.0" (objects without the
                               property, other than SCOs, are 2.0) */
  acc_stix_kind kind;
  int64_t created_us;  /* ACC_TIME_NONE when absent */
  int64_t modified_us; /* ACC_TIME_NONE when absent (unversioned object) */
  int revoked;         /* the "revoked" property is true */
  const char *created_by_ref; /* NULL when absent */
} acc_stix_obj;

/* Called once per warning; msg names the property concerned. */
typedef void (*acc_stix_warn_fn)(void *ctx, const char *msg);

/*
 * Validate one STIX object (2.1, or 2.0 when it has no spec_version).
 * On success fills *out.  On failure returns ACC_EINVAL and writes to diag
 * what is wrong and which property ("property 'valid_from': ...").
 * Warnings (e.g. an SCO id that is not the deterministic one) go to warn,
 * which may be NULL.
 */
acc_rc acc_stix_validate(json_t *obj, acc_stix_obj *out, acc_diag *diag,
                         acc_stix_warn_fn warn, void *warn_ctx);

/* Kind of a type name as defined by STIX 2.1 (ACC_KIND_CUSTOM otherwise). */
acc_stix_kind acc_stix_type_kind(const char *type);

/* 1 when s is "TYPE--UUID" with a well-formed UUID, and (when type is not
 * NULL) its prefix equals type. */
int acc_stix_id_valid(const char *s, const char *type);

/*
 * Compute the deterministic identifier of an SCO (UUIDv5 in the STIX
 * namespace over the JCS serialisation of its ID-contributing properties).
 * Returns ACC_ENOTFOUND when the type has no ID-contributing properties
 * defined or the object carries none of them (then a UUIDv4 is correct).
 */
acc_rc acc_stix_sco_id(json_t *sco, char out[ACC_ID_MAX]);

/* RFC 8785 JSON Canonicalization Scheme serialisation of v into b. */
acc_rc acc_jcs_dump(const json_t *v, acc_buf *b);

#endif
