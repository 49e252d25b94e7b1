/*
 * case.h — attribution cases: a claim (operation → actor → state) with a
 * calibrated likelihood, a separate analytic confidence, graded evidence,
 * the norms and sanctions criteria it engages, derived caveats, and the
 * partners' endorsements.
 *
 * A case is ordinary STIX 2.1 content (docs/CASES.md): a `report` carrying
 * Accord's case extension, two `attributed-to` relationships with the
 * likelihood as `confidence`, one `note` per evidence item and one
 * `opinion` per endorsing organisation.  It is written through acc_ingest
 * (so it is versioned, federated and served by TAXII like anything else)
 * and read back only through the enforcement point (policy/guard.h): a
 * case looks to each reader exactly as much as the sharing policy lets
 * them see.
 */
#ifndef ACC_CASE_H
#define ACC_CASE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/guard.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/error.h"

/* Accord's property extension for cases, evidence, endorsements and the
 * claim's relationships (published by acc_case_extension_objects). */
#define ACC_EXT_CASE                                                           \
  "extension-definition--3f1b8c2a-7d4e-4a6b-9c5d-2e8f0a1b3c4d"

/* ---- reference lists (vocab.c) ---- */

/* One entry of a fixed list: a key used in JSON and on the command line,
 * a short label, and (norms, criteria) the text it stands for. */
typedef struct acc_vocab {
  const char *key;
  const char *label;
  const char *text;
} acc_vocab;

typedef enum acc_vocab_list {
  ACC_VOCAB_NORM,        /* UN GGE 2015, A/70/174 §13 (a)-(k) */
  ACC_VOCAB_NIS2,        /* NIS2 Annex I and II sectors (text: "I"/"II") */
  ACC_VOCAB_EU_ACTION,   /* Regulation (EU) 2019/796, type of action */
  ACC_VOCAB_EU_TARGET,   /* ... target category */
  ACC_VOCAB_EU_EFFECT,   /* ... significant-effect factors */
  ACC_VOCAB_CATEGORY,    /* evidence categories */
  ACC_VOCAB_CONFIDENCE,  /* analytic confidence: low, moderate, high */
  ACC_VOCAB_RELIABILITY, /* Admiralty source reliability A-F */
  ACC_VOCAB_CREDIBILITY, /* Admiralty information credibility 1-6 */
  ACC_VOCAB_STANCE,      /* concur, dissent, abstain */
  ACC_VOCAB_COUNT
} acc_vocab_list;

const acc_vocab *acc_case_vocab(acc_vocab_list l, size_t *n);
const acc_vocab *acc_case_vocab_find(acc_vocab_list l, const char *key);
const char *acc_case_vocab_name(acc_vocab_list l); /* "norms", ... */

/* A calibrated likelihood term (ICD 203 or the UK PHIA yardstick). */
typedef struct acc_likelihood {
  const char *scale; /* "icd203" or "phia" */
  const char *key;   /* "very-likely" */
  const char *label; /* "very likely" */
  const char *range; /* "80-95%" */
  int rank;          /* 1 (lowest) .. 7 (highest); same rank, same band */
  int stix;          /* STIX confidence (Appendix A, DNI scale row) */
} acc_likelihood;

const acc_likelihood *acc_case_likelihoods(size_t *n);
const acc_likelihood *acc_case_likelihood_find(const char *scale,
                                               const char *key);
/* The ICD 203 term of a rank (1..7). */
const acc_likelihood *acc_case_likelihood_rank(int rank);

/* STIX confidence of an Admiralty credibility (1..5 → 90..10; 6 → -1). */
int acc_case_credibility_stix(int credibility);

/* STIX opinion value of a stance, and the stance an opinion value reads
 * as (agree and strongly-agree concur; neutral abstains; disagree and
 * strongly-disagree dissent).  NULL when unknown. */
const char *acc_case_stance_opinion(const char *stance);
const char *acc_case_opinion_stance(const char *opinion);

/* ---- a case as its reader sees it (load.c) ---- */

/* Which part of the claim an evidence item bears on. */
enum {
  ACC_SUP_ACTOR = 1,    /* operation → actor */
  ACC_SUP_STATE = 2,    /* actor → state */
  ACC_SUP_ACTIVITY = 4, /* what happened: effects, norms, criteria */
};

/* An object a case refers to, as the reader sees it. */
typedef struct acc_case_obj {
  char *id;
  char type[64];
  int visible;      /* the reader may see it (else nothing below is set) */
  acc_tlp tlp;      /* effective TLP (the collection default if unmarked) */
  int granular_tlp; /* most restrictive granular TLP, -1 when none */
  int marked;       /* carries a TLP marking itself */
  int64_t origin_oid;
  char origin_org[128]; /* name of the adding organisation, "" = instance */
  json_t *json;         /* the object (redacted for the reader if need be) */
  char *name;           /* its name, or "" */
  int64_t when_us;      /* first observed / first seen / valid from /
                           created: when the activity it records happened */
  char **ips;           /* IP addresses it rests on (values) */
  size_t n_ips;
  size_t *sub; /* for observed-data: objects it refers to */
  size_t n_sub;
} acc_case_obj;

typedef struct acc_case_evidence {
  char *id; /* the note */
  int64_t created_us, modified_us;
  char *summary;
  size_t *refs; /* indexes into acc_case.objs */
  size_t n_refs;
  char reliability; /* 'A'..'F' */
  int credibility;  /* 1..6 */
  char category[32];
  unsigned supports; /* ACC_SUP_* */
  acc_tlp tlp;       /* the note's effective TLP: its releasability */
  char *source;      /* the source named on it, or NULL */
  int protect_source;
  int64_t observed_us; /* when the activity happened; ACC_TIME_NONE */
  /* derived */
  acc_tlp material_tlp; /* most restrictive of the note and everything it
                           rests on (RED when some of it is invisible) */
  char **sources;       /* the named source, else the origins of its refs */
  size_t n_sources;
} acc_case_evidence;

typedef struct acc_case_endorsement {
  char *id;        /* the opinion */
  char org[128];   /* the organisation answering */
  char stance[16]; /* concur, dissent, abstain */
  char *statement; /* the opinion's explanation */
  char *author;    /* the user who recorded it, or "" */
  int64_t modified_us;
  int partner; /* the organisation is a named partner */
} acc_case_endorsement;

typedef enum acc_caveat_kind {
  ACC_CAVEAT_ANONYMISER,     /* rests on a known anonymiser or relay */
  ACC_CAVEAT_SINGLE_SOURCE,  /* one source only */
  ACC_CAVEAT_NON_RELEASABLE, /* only non-releasable material */
  ACC_CAVEAT_OVERSTATED,     /* likelihood above what the evidence bears */
  ACC_CAVEAT_UNSUPPORTED,    /* a link of the claim rests on no evidence */
} acc_caveat_kind;

typedef struct acc_case_caveat {
  acc_caveat_kind kind;
  char *text; /* for the case's readers (names evidence E1, E2 ...) */
  size_t *ev; /* the evidence items concerned (indexes) */
  size_t n_ev;
  unsigned link; /* ACC_SUP_ACTOR or ACC_SUP_STATE when about one link */
  char *detail;  /* anonymiser: "ADDRESS, listed as KIND (LIST)";
                    single source: the source; else NULL */
} acc_case_caveat;

/* The endorsement rule and where it stands. */
typedef struct acc_case_rule {
  int quorum;      /* 0 = unanimity, else concurrences needed */
  char **partners; /* named partner organisations */
  size_t n_partners;
  size_t concur, dissent, abstain, pending; /* among the partners */
  int met;
} acc_case_rule;

/* Which anonymiser lists hold an IP at a time (caveat.c); the default
 * hook (NULL) consults none. */
typedef struct acc_case_list_hit {
  char kind[16]; /* tor-exit, vpn, proxy, scanner, cdn */
  char list[128];
} acc_case_list_hit;
typedef acc_rc (*acc_case_lists_fn)(void *ctx, acc_store *s, const char *ip,
                                    int64_t at_us, acc_case_list_hit *out,
                                    size_t max, size_t *n, acc_diag *d);

typedef struct acc_case {
  char *id; /* the report */
  int64_t created_us, modified_us;
  int64_t collection;
  char *title;
  char *description;
  int64_t owner_oid;   /* organisation that added the report */
  char owner_org[128]; /* its name ("" = the instance) */
  acc_tlp tlp;         /* the report's effective TLP */
  json_t *report;      /* the report as the reader sees it */
  json_t *ext;         /* borrowed from report: the case extension */
  const acc_likelihood *likelihood;
  const char *confidence; /* low, moderate, high */
  size_t claim[3];        /* indexes into objs: operation, actor, state */
  char *rel_ids[2];       /* the attributed-to relationships, or NULL */
  acc_case_obj *objs;     /* claim objects and everything evidence rests on,
                             sorted by id after load (claim[] follow) */
  size_t n_objs;
  acc_case_evidence *ev;
  size_t n_ev;
  size_t ev_hidden; /* evidence items the reader may not see */
  acc_case_endorsement *en;
  size_t n_en;
  acc_case_caveat *cav;
  size_t n_cav;
  acc_case_rule rule;
  int ceiling_rank; /* the highest likelihood rank the evidence supports */
} acc_case;

/* Everything a case operation needs: the store, who acts (and where reads
 * are audited), and the data directory (keys). */
typedef struct acc_case_ctx {
  acc_store *st;
  const acc_reader *rd;  /* rd->who acts; the operator may act for
                            owner_org */
  const char *owner_org; /* operator only: the organisation to act for */
  const char *data_dir;
  acc_case_lists_fn lists; /* anonymiser lists, or NULL for none */
  void *lists_ctx;
  int64_t now_us; /* ACC_TIME_NONE = the clock (tests pin it) */
} acc_case_ctx;

/* The anonymiser lists of this build (correlate/lists.h), or NULL when
 * this build has none. */
extern const acc_case_lists_fn acc_case_default_lists;

/* Load case `id` (a report id, or an unambiguous prefix of its UUID of 8
 * characters or more) as ctx->rd->who sees it.  ACC_ENOTFOUND when the
 * reader cannot see it (same message as absent). */
acc_rc acc_case_load(const acc_case_ctx *ctx, const char *id, acc_case **out,
                     acc_diag *d);
void acc_case_free(acc_case *c);

/* Derive caveats, the likelihood ceiling and the rule's status (load
 * calls it; exposed for tests). */
acc_rc acc_case_derive(const acc_case_ctx *ctx, acc_case *c, acc_diag *d);

/* List the cases the reader can see: cb gets each case's report. */
typedef int (*acc_case_list_cb)(void *cbctx, const acc_record *r, json_t *rep);
acc_rc acc_case_list(const acc_case_ctx *ctx, acc_case_list_cb cb, void *cbctx,
                     acc_diag *d);

/* ---- writing (write.c): each returns the id of what it wrote ---- */

/* Check a case specification (the JSON of POST /api/v1/cases, or of an
 * edit when edit is set): every member known and well-typed, every term
 * from its list.  Names the offending member in d. */
acc_rc acc_case_spec_check(json_t *spec, int edit, acc_diag *d);
/* Parse and check a specification from text (the API body). */
acc_rc acc_case_spec_parse(const char *text, size_t len, int edit, json_t **out,
                           acc_diag *d);
/* Check an evidence specification (add, update or withdraw). */
acc_rc acc_case_evidence_check(json_t *spec, acc_diag *d);
acc_rc acc_case_endorse_check(json_t *spec, acc_diag *d);

acc_rc acc_case_create(const acc_case_ctx *ctx, json_t *spec,
                       int64_t collection, char out_id[ACC_ID_MAX],
                       acc_diag *d);
acc_rc acc_case_edit(const acc_case_ctx *ctx, const char *id, json_t *spec,
                     char out_id[ACC_ID_MAX], acc_diag *d);
/* Add, update ({"update": NOTE-ID, ...}) or withdraw ({"withdraw":
 * NOTE-ID}) an evidence item; out_note gets the note's id. */
acc_rc acc_case_add_evidence(const acc_case_ctx *ctx, const char *id,
                             json_t *spec, char out_note[ACC_ID_MAX],
                             acc_diag *d);
/* Record the endorsement of ctx->rd->who's organisation. */
acc_rc acc_case_endorse(const acc_case_ctx *ctx, const char *id, json_t *spec,
                        char out_opinion[ACC_ID_MAX], acc_diag *d);

/* ---- views (view.c) ---- */

/* The case as JSON (GET /api/v1/cases/ID, `accord case show --json`). */
json_t *acc_case_to_json(const acc_case *c);
/* A one-line summary of a listed case, from its report. */
json_t *acc_case_summary_json(const acc_record *r, json_t *rep);
/* The case as text for a terminal. */
acc_rc acc_case_to_text(const acc_case *c, acc_buf *b);

/* Accord's case extension-definition (and its publisher's identity), as
 * one JSON array text. */
const char *acc_case_extension_objects(void);

/* ---- small helpers shared with the pack (ids.c) ---- */

/* UUIDv5 (RFC 9562) in Accord's namespace of name, as "type--uuid". */
acc_rc acc_case_uuid5(const char *type, const char *name, size_t len,
                      char out[ACC_ID_MAX]);
/* A random "type--uuid". */
void acc_case_uuid4(const char *type, char out[ACC_ID_MAX]);
/* The STIX identity id Accord uses for an organisation: its registered
 * identity, else a UUIDv5 of its name. */
acc_rc acc_case_org_identity(acc_store *s, const char *org,
                             char out[ACC_ID_MAX], acc_diag *d);
/* The name of organisation oid ("" for 0 or unknown). */
void acc_case_org_name(acc_store *s, int64_t oid, char *out, size_t size);

#endif
