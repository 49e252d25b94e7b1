/*
 * policy.h — the sharing policy (TLP 2.0), as pure functions: what TLP an
 * object carries, whom it names as recipients, and whether a principal may
 * read it.  Every egress path decides through acc_policy_decide; nothing
 * else in Accord answers "may this leave?".
 */
#ifndef ACC_POLICY_H
#define ACC_POLICY_H

#include <jansson.h>
#include <stdint.h>

#include "auth/auth.h"
#include "util/buf.h"
#include "util/error.h"

typedef enum acc_tlp {
  ACC_TLP_NONE = -1, /* no TLP marking: the collection default applies */
  ACC_TLP_CLEAR = 0,
  ACC_TLP_GREEN = 1,
  ACC_TLP_AMBER = 2,
  ACC_TLP_AMBER_STRICT = 3,
  ACC_TLP_RED = 4,
} acc_tlp;

/* The TLP level a marking-definition id stands for: the TLP 2.0 ids, and
 * the TLP 1.0 ids of STIX §7.2.1.4 read as their 2.0 equivalents (WHITE is
 * CLEAR).  ACC_TLP_NONE for any other marking. */
acc_tlp acc_tlp_of_marking(const char *marking_id);

/* "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED" (or "NONE"). */
const char *acc_tlp_name(acc_tlp t);

/* The TLP 2.0 marking-definition id of a level (NULL for NONE). */
const char *acc_tlp_marking_id(acc_tlp t);

/* Parse a level name, case-insensitive; "white" is accepted as CLEAR. */
acc_rc acc_tlp_parse(const char *name, acc_tlp *out);

/* Accord's property extension naming an object's recipients, published as
 * an extension-definition object (acc_policy_extension_objects). */
#define ACC_EXT_SHARING                                                        \
  "extension-definition--5c6d7a1e-2f48-4b9c-8e3a-6d0f1b2c3e4a"
#define ACC_IDENTITY_ACCORD "identity--0b6a4c2e-93f1-4d57-a8e0-7c1d2f3e4b5a"

/* The identity and extension-definition objects, as one JSON array text. */
const char *acc_policy_extension_objects(void);

/* What the policy needs to know of one object version, computed once when
 * it is stored.  Recipient lists are "|a|b|" strings (NULL when none). */
typedef struct acc_share_meta {
  acc_tlp tlp;          /* most restrictive TLP of object_marking_refs */
  acc_tlp granular_max; /* most restrictive TLP in granular_markings */
  char *orgs;           /* recipient organisations: names or identity ids */
  char *users;          /* recipient users (names), for RED */
} acc_share_meta;

/* Read TLP and recipients from a validated object.  ACC_EINVAL with diag
 * when the Accord extension is malformed. */
acc_rc acc_share_meta_from_json(json_t *obj, acc_share_meta *out, acc_diag *d);
void acc_share_meta_free(acc_share_meta *m);

/* Whether the "|a|b|" list holds item. */
int acc_policy_list_has(const char *list, const char *item);

/* What is known about an object when it is about to leave. */
typedef struct acc_share_facts {
  acc_tlp tlp;          /* effective: the object's, else the collection's */
  acc_tlp granular_max; /* ACC_TLP_NONE when no granular TLP markings */
  int64_t origin_oid;   /* organisation that added it (0 = the instance) */
  int64_t origin_uid;   /* user who added it (0 = none) */
  const char *orgs;     /* recipient organisations, "|...|" or NULL */
  const char *users;    /* recipient users, "|...|" or NULL */
  int foreign;          /* received from another instance: its originating
                           organisation is a federation peer's */
} acc_share_facts;

/* What the reader may do with the collection the object is in. */
typedef struct acc_share_access {
  int can_read;    /* the reader's organisation may read the collection */
  int public_read; /* anonymous readers may read CLEAR content */
  int peer;        /* the reader is a federation peer (its organisation
                      is a registered peer's): what it reads leaves this
                      instance, so RED never, and AMBER+STRICT only when
                      it originated here (or goes back to its originator) */
} acc_share_access;

typedef enum acc_decision {
  ACC_DENY = 0,
  ACC_ALLOW = 1,
  ACC_ALLOW_REDACTED = 2, /* serve with granular-marked parts removed */
} acc_decision;

/* The TLP levels principal p may read on this object, as a bit set
 * (bit ACC_TLP_x).  Not a simple ceiling: a partner outside the community
 * may be a named AMBER recipient and still not read GREEN. */
unsigned acc_policy_levels(const acc_principal *p, const acc_share_access *a,
                           const acc_share_facts *f);

/* The one decision: may principal p read this object here? */
acc_decision acc_policy_decide(const acc_principal *p,
                               const acc_share_access *a,
                               const acc_share_facts *f);

/*
 * Remove from a copy of obj the parts whose granular TLP marking is not in
 * the levels the reader may see (and the granular markings that applied to
 * them).  Returns ACC_OK with *out (a new reference); ACC_EINVAL when a
 * required property (type, id, spec_version, created, modified, or one the
 * type requires) would be removed: then the object is not served at all.
 */
acc_rc acc_policy_redact(json_t *obj, unsigned levels, json_t **out);

#endif
