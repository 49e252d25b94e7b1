/*
 * types.h — the STIX 2.1 type catalogue, private to src/stix: every object
 * type the specification defines (SDOs §4, SROs §5, SCOs §6, meta objects
 * §7), each with the properties specific to it, the JSON shape of each
 * property, which are required (in 2.1 and, for types that existed then,
 * in 2.0), which object types an identifier may point to, the nested types
 * and predefined extensions, and each SCO's ID-contributing properties.
 *
 * The tables are data only (types.c); the rules that read them live in
 * validate.c and scoid.c.  Common properties (§3.2) are not listed per type:
 * validate.c checks them for every object.
 */
#ifndef ACC_STIX_TYPES_H
#define ACC_STIX_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "stix/stix.h"

/* The JSON shape of a property value (of each item, for lists). */
typedef enum acc_pk {
  ACC_PK_STRING,      /* string, open-vocab */
  ACC_PK_TIMESTAMP,   /* RFC 3339 UTC string */
  ACC_PK_INTEGER,     /* whole number within +-(2^53 - 1) */
  ACC_PK_FLOAT,       /* any JSON number */
  ACC_PK_BOOLEAN,     /* true or false */
  ACC_PK_ID,          /* identifier; acc_prop.targets restricts its type */
  ACC_PK_BINARY,      /* base64 string (RFC 4648) */
  ACC_PK_HEX,         /* even number of lowercase hex digits */
  ACC_PK_ENUM,        /* string from acc_prop.vals */
  ACC_PK_DICT,        /* non-empty object with restricted keys (§2.3) */
  ACC_PK_HASHES,      /* hashes dictionary (§2.7) */
  ACC_PK_OBJECT,      /* any JSON object (e.g. a marking definition) */
  ACC_PK_STRUCT,      /* object laid out by acc_prop.sub */
  ACC_PK_EXTENSIONS,  /* the extensions dictionary (§3.2) */
  ACC_PK_CONTAINER,   /* deprecated observable container (§2.13) */
  ACC_PK_LANGCONTENT, /* language-content contents (§7.1) */
  ACC_PK_MAC,         /* MAC-48, colon-delimited lowercase (§6.10) */
} acc_pk;

/* acc_prop.flags */
#define ACC_PF_REQ20 0x01 /* required in STIX 2.0 */
#define ACC_PF_REQ21 0x02 /* required in STIX 2.1 */
#define ACC_PF_REQ (ACC_PF_REQ20 | ACC_PF_REQ21)
#define ACC_PF_LIST 0x04  /* a non-empty list of the kind */
#define ACC_PF_RANGE 0x08 /* integer within [min, max] */

struct acc_struct;

/* One property of a type or nested type. */
typedef struct acc_prop {
  const char *name;
  unsigned char kind;  /* acc_pk */
  unsigned char flags; /* ACC_PF_* */
  /* ACC_PK_ID: space-separated allowed target types; "@sdo", "@sco",
   * "@sro" stand for every type of that kind (custom types included, as
   * their kind cannot be known), "@stix" for any object but a bundle.
   * NULL: any identifier. */
  const char *targets;
  const char *const *vals;      /* ACC_PK_ENUM: NULL-terminated values */
  const struct acc_struct *sub; /* ACC_PK_STRUCT: its layout */
  int64_t min, max;             /* ACC_PF_RANGE bounds, inclusive */
} acc_prop;

/* Rules beyond per-property shape, applied by validate.c after the
 * properties of a struct have been checked. */
typedef enum acc_check {
  ACC_CK_NONE,
  ACC_CK_SEEN,         /* last_seen >= first_seen */
  ACC_CK_INDICATOR,    /* valid_until > valid_from */
  ACC_CK_LOCATION,     /* region | country | latitude+longitude; ranges */
  ACC_CK_MALWARE,      /* family needs a name; last_seen >= first_seen */
  ACC_CK_MALANALYSIS,  /* result or analysis_sco_refs */
  ACC_CK_OBSERVED,     /* last >= first; objects xor object_refs */
  ACC_CK_RELATIONSHIP, /* relationship_type charset; stop > start */
  ACC_CK_MARKING,      /* definition_type/definition or extensions */
  ACC_CK_EXTDEF,       /* extension_properties only for toplevel */
  ACC_CK_ARTIFACT,     /* payload_bin xor url; url needs hashes; key */
  ACC_CK_EMAIL,        /* body / body_multipart against is_multipart */
  ACC_CK_MIMEPART,     /* exactly one of body, body_raw_ref */
  ACC_CK_FILE,         /* hashes or name */
  ACC_CK_NETTRAFFIC,   /* src_ref or dst_ref; end >= start; is_active */
  ACC_CK_PEBINARY,     /* a property other than pe_type */
  ACC_CK_EXTREF,       /* description, url or external_id */
  ACC_CK_GRANULAR,     /* exactly one of lang, marking_ref; selectors */
} acc_check;

/* acc_struct.flags */
#define ACC_SF_ANY1 0x01 /* at least one property (or extensions) present */

/* A struct has at most this many properties (a bit each while checking). */
#define ACC_STRUCT_MAX_PROPS 64

/* The layout of an object: a type's own properties, a nested type or a
 * predefined extension. */
typedef struct acc_struct {
  const char *name; /* for messages: "archive-ext", "kill-chain-phase" */
  const acc_prop *props;
  unsigned short nprops;
  unsigned char flags; /* ACC_SF_* */
  unsigned char check; /* acc_check */
} acc_struct;

/* acc_type.flags */
#define ACC_TF_NEW21 0x01    /* the type did not exist in STIX 2.0 */
#define ACC_TF_LABELS20 0x02 /* 2.0 required the common labels property */

/* One object type. */
typedef struct acc_type {
  const char *name;
  acc_stix_kind kind;
  unsigned char flags; /* ACC_TF_* */
  acc_struct body;     /* the type's own properties */
  /* SCOs: ID-contributing properties (§3.4), sorted by name so that they
   * are already in JCS order; NULL-terminated.  NULL: none defined. */
  const char *const *id_props;
  /* Predefined extensions (§3.10) this type defines; NULL-terminated. */
  const acc_struct *const *exts;
} acc_type;

/* The type named name, or NULL when the specification does not define it. */
const acc_type *acc_stix_type_find(const char *name);

/* The whole catalogue, sorted by name (for tests and tools). */
const acc_type *acc_stix_type_table(size_t *n);

/* Shared nested types used by the common properties. */
extern const acc_struct acc_stix_extref;   /* external-reference */
extern const acc_struct acc_stix_kcp;      /* kill-chain-phase */
extern const acc_struct acc_stix_granular; /* granular-marking */

/* extension-type-enum (§10.5), NULL-terminated. */
extern const char *const acc_stix_ext_types[];

/* Append s[0..len) to b as an RFC 8785 string literal (jcs.c). */
acc_rc acc_jcs_string(const char *s, size_t len, acc_buf *b);

#endif
