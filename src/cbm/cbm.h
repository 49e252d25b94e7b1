/*
 * cbm.h — confidence-building between states (OSCE ICT CBMs 3, 8 and 13):
 * a directory of national points of contact, and consultations between
 * states with deadlines, carried between Accord instances next to the
 * evidence they refer to.
 *
 * Both are ordinary STIX 2.1 content (docs/CBM.md):
 *  - a point of contact is an `identity` carrying Accord's confidence-
 *    building extension (kind "point-of-contact": organisation, level,
 *    role, channels, languages, hours, public signing key, the date it
 *    was last confirmed);
 *  - a consultation is a thread of `note` objects carrying the extension
 *    (kind "consultation-message": open, acknowledge, reply, close), each
 *    signed with the sending organisation's Ed25519 key (case/keys.h) and
 *    marked TLP:AMBER+STRICT naming exactly the two parties and their
 *    observers as recipients, so that the enforcement point
 *    (policy/guard.h) releases it to them alone on every way out and
 *    federation never forwards it beyond the instance where it was written.
 *
 * Everything is written through acc_ingest and read back through the
 * guard; an index in the store (store.h, acc_cbm_row; index.c) finds the
 * messages of a consultation and the deadlines without reading every note.
 */
#ifndef ACC_CBM_H
#define ACC_CBM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "case/keys.h"
#include "policy/guard.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/error.h"

/* Accord's confidence-building property extension (published by
 * acc_cbm_extension_objects). */
#define ACC_EXT_CBM "extension-definition--8d2f4b61-3c7a-4e59-a1d8-6b0e9f2c4a73"

#define ACC_CBM_MAX_OBSERVERS 16
#define ACC_CBM_MAX_REFS 64
#define ACC_CBM_MAX_CHANNELS 16
#define ACC_CBM_TEXT_MAX 65536 /* a message's text, in bytes */

/* ---- vocabularies (vocab.c) ---- */

/* Kinds of consultation. */
extern const char *const acc_cbm_kinds[]; /* NULL-terminated */
/* Point-of-contact levels: policy, technical. */
extern const char *const acc_cbm_levels[];
/* Channel types of a point of contact. */
extern const char *const acc_cbm_channel_types[];

/* An urgency and the deadlines it sets by default. */
typedef struct acc_cbm_urgency {
  const char *key;   /* routine, priority, urgent, critical */
  int64_t ack_us;    /* acknowledgement due this long after opening */
  int64_t answer_us; /* answer due this long after opening */
} acc_cbm_urgency;

const acc_cbm_urgency *acc_cbm_urgencies(size_t *n);
const acc_cbm_urgency *acc_cbm_urgency_find(const char *key);
/* Whether s is one of the NULL-terminated list. */
int acc_cbm_in(const char *const *list, const char *s);
/* The list as "a, b, c" (for messages). */
void acc_cbm_list_text(const char *const *list, char *out, size_t size);

/* ---- the clock (clock.c) ---- */

/* Now: pinned when not ACC_TIME_NONE, else $ACCORD_NOW (an RFC 3339
 * timestamp, so that tests need not wait for deadlines), else the
 * system clock; truncated to milliseconds (STIX timestamps). */
int64_t acc_cbm_now(int64_t pinned);
/* $ACCORD_NOW: ACC_OK with *out, ACC_ENOTFOUND when unset, ACC_EUSAGE
 * when malformed. */
acc_rc acc_cbm_env_now(int64_t *out, acc_diag *d);
/* A duration: a number and a unit, s m h d w ("90m", "4h", "365d"), or
 * several ("1d12h").  ACC_EUSAGE with diag otherwise. */
acc_rc acc_cbm_duration(const char *s, int64_t *out_us, acc_diag *d);
/* A duration for people: "3d 4h", "45m", "12s". */
void acc_cbm_duration_text(int64_t us, char *out, size_t size);

/* ---- the state machine (state.c) ---- */

typedef enum acc_cbm_state {
  ACC_CBM_OPEN = 0,
  ACC_CBM_ACKNOWLEDGED,
  ACC_CBM_ANSWERED,
  ACC_CBM_CLOSED,
  ACC_CBM_EXPIRED, /* a deadline passed without what was due */
  ACC_CBM_N_STATES
} acc_cbm_state;

typedef enum acc_cbm_action {
  ACC_CBM_MSG_OPEN = 0,
  ACC_CBM_MSG_ACK,
  ACC_CBM_MSG_REPLY,
  ACC_CBM_MSG_CLOSE,
} acc_cbm_action;

typedef enum acc_cbm_role {
  ACC_CBM_NOBODY = 0, /* not a party */
  ACC_CBM_REQUESTER,  /* the state that opened it */
  ACC_CBM_RESPONDER,  /* the state consulted */
  ACC_CBM_OBSERVER,   /* named by the parties to follow it */
} acc_cbm_role;

typedef enum acc_cbm_missed {
  ACC_CBM_MISSED_NONE = 0,
  ACC_CBM_MISSED_ACK,    /* no acknowledgement by ack_due */
  ACC_CBM_MISSED_ANSWER, /* no answer by answer_due */
} acc_cbm_missed;

/* Where a consultation stands. */
typedef struct acc_cbm_fsm {
  acc_cbm_state state;
  acc_cbm_missed missed; /* why it expired */
  int64_t opened_us;
  int64_t ack_due_us;
  int64_t answer_due_us;
  int64_t acked_us; /* ACC_TIME_NONE until then */
  int64_t answered_us;
  int64_t closed_us;
  int64_t expired_us; /* the deadline that passed */
} acc_cbm_fsm;

void acc_cbm_fsm_init(acc_cbm_fsm *f, int64_t opened_us, int64_t ack_due_us,
                      int64_t answer_due_us);
/* Let time pass until t: a deadline that passed (t > due) without its
 * acknowledgement or answer expires the consultation. */
void acc_cbm_fsm_tick(acc_cbm_fsm *f, int64_t t_us);
/*
 * A message sent at t by a party in role: ACC_OK and the new state, or
 * ACC_EINVAL with why (the state is unchanged).  Time passes first.
 *   ack    responder; open → acknowledged
 *   reply  responder: open or acknowledged → answered (a reply
 *          acknowledges too), answered stays; requester: adds to the
 *          thread without changing the state (not once closed or expired)
 *   close  either party, any state but closed → closed
 * Observers send nothing; open only starts a consultation.
 */
acc_rc acc_cbm_fsm_apply(acc_cbm_fsm *f, acc_cbm_action a, acc_cbm_role r,
                         int64_t t_us, acc_diag *d);

const char *acc_cbm_state_name(acc_cbm_state s);
acc_rc acc_cbm_state_parse(const char *s, acc_cbm_state *out);
const char *acc_cbm_action_name(acc_cbm_action a); /* open, acknowledge ... */
acc_rc acc_cbm_action_parse(const char *s, acc_cbm_action *out);
const char *acc_cbm_role_name(acc_cbm_role r);
const char *acc_cbm_missed_name(acc_cbm_missed m); /* acknowledgement, answer */

/* Deadline checks when opening: ack due after opening, answer due no
 * earlier than ack due. */
acc_rc acc_cbm_deadlines_check(int64_t opened_us, int64_t ack_due_us,
                               int64_t answer_due_us, acc_diag *d);

/* ---- signatures (sign.c) ---- */

enum { ACC_CBM_SIG_NONE = -1, ACC_CBM_SIG_BAD = 0, ACC_CBM_SIG_OK = 1 };

/* The bytes a signature covers: a domain tag, then the RFC 8785 JSON
 * canonical form of the object without the signature's own member. */
acc_rc acc_cbm_signed_bytes(json_t *obj, acc_buf *out, acc_diag *d);
/* Sign obj (an identity or note carrying the extension) with k: sets
 * extensions[ACC_EXT_CBM].signature {alg, key_id, public_key, value}. */
acc_rc acc_cbm_sign(json_t *obj, const acc_org_key *k, acc_diag *d);
/* Check obj's signature against the key it names: ACC_CBM_SIG_OK,
 * ACC_CBM_SIG_BAD (also for a malformed signature) or ACC_CBM_SIG_NONE.
 * key_out (may be NULL) gets the public key text it names, or "". */
int acc_cbm_verify(json_t *obj, char key_out[ACC_KEY_PUB_TEXT_MAX]);

/* ---- objects received from anywhere (parse.c) ---- */

/* Which Accord confidence-building object obj is: 'p' (point of
 * contact), 'm' (consultation message), or 0 (neither). */
char acc_cbm_kind_of(json_t *obj);

typedef struct acc_cbm_channel {
  const char *type; /* email, phone, ... */
  const char *value;
} acc_cbm_channel;

/* A point of contact as read from its identity.  Strings are borrowed
 * from json (held). */
typedef struct acc_cbm_poc {
  json_t *json;
  const char *id;
  const char *name;  /* the contact (person or desk) */
  const char *org;   /* whose contact: an organisation's name */
  const char *level; /* policy or technical */
  const char *role;
  const char *country; /* ISO 3166-1 alpha-2, or NULL */
  acc_cbm_channel channels[ACC_CBM_MAX_CHANNELS];
  size_t n_channels;
  const char *languages[16];
  size_t n_languages;
  const char *hours;      /* "24/7" or the hours in words */
  int always;             /* reachable 24/7 */
  const char *public_key; /* "ed25519:..." or NULL */
  int64_t confirmed_us;
  int64_t created_us, modified_us;
  int revoked;
} acc_cbm_poc;

/* Read and check a point of contact (a validated STIX identity).
 * ACC_EINVAL naming the property otherwise. */
acc_rc acc_cbm_poc_parse(json_t *obj, acc_cbm_poc *out, acc_diag *d);
void acc_cbm_poc_clear(acc_cbm_poc *p);

typedef struct acc_cbm_ref {
  const char *id;
  const char *type;
  const char *tlp; /* as the sender saw it: CLEAR ... RED */
} acc_cbm_ref;

/* A consultation message as read from its note. */
typedef struct acc_cbm_msg {
  json_t *json;
  const char *id;
  const char *consultation; /* the opening's id (its own for open) */
  acc_cbm_action action;
  int64_t created_us;
  const char *from_org;
  const char *from_user;                             /* or NULL */
  const char *text;                                  /* the note's content */
  const char *in_reply_to;                           /* or NULL */
  const char *recipients[2 + ACC_CBM_MAX_OBSERVERS]; /* as marked */
  size_t n_recipients;
  /* open only */
  const char *to_org;
  const char *to_poc; /* the point of contact addressed, or NULL */
  const char *observers[ACC_CBM_MAX_OBSERVERS];
  size_t n_observers;
  const char *kind;
  const char *urgency;
  const char *subject;
  int64_t ack_due_us, answer_due_us;
  acc_cbm_ref refs[ACC_CBM_MAX_REFS];
  size_t n_refs;
} acc_cbm_msg;

/* Read and check a message (a validated STIX note): the extension's
 * members and their types, the action's required members, deadlines in
 * order, and recipients naming both parties.  ACC_EINVAL with the
 * property otherwise. */
acc_rc acc_cbm_msg_parse(json_t *obj, acc_cbm_msg *out, acc_diag *d);
void acc_cbm_msg_clear(acc_cbm_msg *m);

/* ---- what a command acts with ---- */

typedef struct acc_cbm_ctx {
  acc_store *st;
  const acc_reader *rd; /* rd->who acts and reads; the operator acts for
                           act_org */
  const char *act_org;  /* operator only: the organisation to act for */
  const char *data_dir; /* organisation keys (DIR/keys) */
  int64_t now_us;       /* ACC_TIME_NONE: $ACCORD_NOW, else the clock */
} acc_cbm_ctx;

/* Bring the index up to date with the objects stored since it was last
 * brought up to date (index.c).  Every reader below calls it first. */
acc_rc acc_cbm_index_update(acc_store *s, acc_diag *d);
/* Index one object (validated STIX, as stored) into *row: 0 when it is
 * no confidence-building object, 1 when row is filled. */
int acc_cbm_index_row(json_t *obj, acc_cbm_row *row);

/* Keys trusted as an organisation's: its key file here (DIR/keys), and
 * the keys of its points of contact that the organisation itself
 * published (the version was added by that organisation, or by this
 * instance's operator) and signed (keyring.c). */
typedef struct acc_cbm_keyring acc_cbm_keyring;
acc_rc acc_cbm_keyring_load(acc_store *s, const char *data_dir,
                            acc_cbm_keyring **out, acc_diag *d);
int acc_cbm_keyring_has(const acc_cbm_keyring *kr, const char *org,
                        const char *key_text);
/* The name of organisation oid here ("" when 0 or unknown). */
const char *acc_cbm_keyring_org(const acc_cbm_keyring *kr, int64_t oid);
/* The organisation named name here (0 when unknown). */
int64_t acc_cbm_keyring_oid(const acc_cbm_keyring *kr, const char *name);
void acc_cbm_keyring_free(acc_cbm_keyring *kr);

/* ---- points of contact (poc.c) ---- */

/* The confirmation period after which an entry is due for confirmation
 * (a year unless set: OSCE CBM 8 asks for yearly updates). */
#define ACC_CBM_PERIOD_DEFAULT (INT64_C(365) * 86400 * 1000000)
acc_rc acc_cbm_period(acc_store *s, int64_t *out_us, acc_diag *d);
acc_rc acc_cbm_period_set(acc_store *s, int64_t us, acc_diag *d);

/* Check a point-of-contact specification (the JSON of `accord poc add`):
 * {org, level, name, role, channels [{type, value}], languages [..],
 * hours, country, public_key ("auto", "none" or ed25519:...), tlp,
 * description, confirmed}. */
acc_rc acc_cbm_poc_spec_check(json_t *spec, acc_diag *d);
acc_rc acc_cbm_poc_add(const acc_cbm_ctx *ctx, json_t *spec, int64_t collection,
                       char out[ACC_ID_MAX], acc_diag *d);
/* Record that entry id is still right: a new version, confirmed now,
 * signed again.  Only its organisation may. */
acc_rc acc_cbm_poc_confirm(const acc_cbm_ctx *ctx, const char *id, acc_diag *d);

/* An entry as its reader sees it. */
typedef struct acc_cbm_poc_view {
  acc_cbm_poc p;
  char origin_org[ACC_NAME_MAX]; /* who added it here ("" = the instance) */
  int sig;                       /* ACC_CBM_SIG_* */
  int published;  /* added by its own organisation (or the operator) */
  int64_t age_us; /* since confirmed */
  int due;        /* older than the confirmation period */
  int own;        /* the reader's organisation's (operator: any added
                     here), so the reader is the one to confirm it */
} acc_cbm_poc_view;

typedef int (*acc_cbm_poc_cb)(void *cbctx, const acc_cbm_poc_view *v);
/* The entries the reader can see (of org only, when set), by organisation
 * and id; due_only keeps those due for confirmation. */
acc_rc acc_cbm_poc_list(const acc_cbm_ctx *ctx, const char *org, int due_only,
                        acc_cbm_poc_cb cb, void *cbctx, acc_diag *d);
/* One entry (id or an unambiguous prefix of 8+ characters of its UUID). */
acc_rc acc_cbm_poc_show(const acc_cbm_ctx *ctx, const char *id,
                        acc_cbm_poc_cb cb, void *cbctx, acc_diag *d);
json_t *acc_cbm_poc_json(const acc_cbm_poc_view *v);

/* ---- consultations (consult.c, thread.c) ---- */

/* Check an opening specification (the JSON of POST /api/v1/consultations):
 * {to, kind, urgency, subject, message, refs [ids], observers [orgs],
 * poc, ack_within | ack_by, answer_within | answer_by, org}. */
acc_rc acc_cbm_open_check(json_t *spec, acc_diag *d);
/* Open a consultation; out gets its id.  warnings (may be NULL) gets one
 * line per referred object the responder will not be able to see. */
acc_rc acc_cbm_open(const acc_cbm_ctx *ctx, json_t *spec, int64_t collection,
                    char out[ACC_ID_MAX], json_t **warnings, acc_diag *d);
/* Acknowledge, reply to or close consultation id ({message} optional,
 * except for a reply); out gets the message's id. */
acc_rc acc_cbm_respond(const acc_cbm_ctx *ctx, const char *id, acc_cbm_action a,
                       json_t *spec, char out[ACC_ID_MAX], acc_diag *d);

/* Why a message does or does not count. */
typedef enum acc_cbm_verdict {
  ACC_CBM_COUNTED = 0,
  ACC_CBM_BAD_SIGNATURE, /* unsigned, or the signature does not verify */
  ACC_CBM_UNKNOWN_KEY,   /* verifies, with a key not known as the sender's */
  ACC_CBM_WRONG_ORIGIN,  /* added here by another organisation than the
                            sender it names */
  ACC_CBM_RECIPIENTS,    /* names other recipients than the consultation */
  ACC_CBM_REFUSED,       /* not allowed then (late, not a party ...) */
} acc_cbm_verdict;
const char *acc_cbm_verdict_name(acc_cbm_verdict v);

typedef struct acc_cbm_tmsg {
  acc_cbm_msg m;
  char origin_org[ACC_NAME_MAX];
  char key[ACC_KEY_PUB_TEXT_MAX]; /* the key its signature names */
  char key_id[ACC_KEY_ID_LEN];
  int sig; /* ACC_CBM_SIG_* */
  acc_cbm_role role;
  acc_cbm_verdict verdict;
  char why[512]; /* for a verdict other than counted */
} acc_cbm_tmsg;

typedef struct acc_cbm_tref {
  acc_cbm_ref ref;
  int available;    /* the reader can see it */
  char tlp_now[16]; /* its effective TLP as the reader sees it, "" */
} acc_cbm_tref;

/* A consultation as its reader sees it, as of now_us. */
typedef struct acc_cbm_thread {
  char id[ACC_ID_MAX];
  int64_t collection; /* where its opening is stored here */
  acc_cbm_tmsg *msgs; /* in order: the opening first, then by time */
  size_t n_msgs;
  acc_cbm_fsm fsm;
  int64_t now_us;
  acc_cbm_tref refs[ACC_CBM_MAX_REFS];
  size_t n_refs;
  int opening_ok; /* the opening itself is signed and counted */
  size_t n_bad;   /* messages that do not count */
} acc_cbm_thread;

/* Load consultation id (its opening's id, or an unambiguous prefix of 8+
 * characters of its UUID).  ACC_ENOTFOUND when the reader cannot see it
 * (the same message as for an absent one). */
acc_rc acc_cbm_thread_load(const acc_cbm_ctx *ctx, const char *id,
                           acc_cbm_thread **out, acc_diag *d);
void acc_cbm_thread_free(acc_cbm_thread *t);

/* The role of an organisation in a loaded consultation. */
acc_cbm_role acc_cbm_thread_role(const acc_cbm_thread *t, const char *org);

typedef struct acc_cbm_filter {
  int overdue_only; /* expired for a missed deadline, not closed */
  int state;        /* an acc_cbm_state, or -1 for any */
} acc_cbm_filter;

typedef int (*acc_cbm_thread_cb)(void *cbctx, const acc_cbm_thread *t);
/* The consultations the reader can see, oldest first. */
acc_rc acc_cbm_list(const acc_cbm_ctx *ctx, const acc_cbm_filter *f,
                    acc_cbm_thread_cb cb, void *cbctx, acc_diag *d);

/* Views: the whole thread (the same at both ends, but for the
 * availability of referred objects), a one-line summary, text. */
json_t *acc_cbm_thread_json(const acc_cbm_thread *t);
json_t *acc_cbm_thread_summary(const acc_cbm_thread *t);
acc_rc acc_cbm_thread_text(const acc_cbm_thread *t, acc_buf *b);

/* ---- deadlines watched (watch.c) ---- */

/* Consultations and points of contact as the instance knows them (from
 * the index, as the operator; no content is read). */
typedef struct acc_cbm_census {
  size_t by_state[ACC_CBM_N_STATES];
  size_t overdue_ack;    /* expired for want of an acknowledgement */
  size_t overdue_answer; /* expired for want of an answer */
  size_t poc_due_here;   /* entries published here, due for confirmation */
  size_t poc_due_partners;
} acc_cbm_census;

/* Called per overdue consultation or due entry (may be NULL). */
typedef struct acc_cbm_census_cb {
  void *ctx;
  void (*overdue)(void *ctx, const char *id, acc_cbm_missed m, int64_t due_us,
                  const char *requester, const char *responder);
  void (*poc_due)(void *ctx, const char *id, const char *org,
                  int64_t confirmed_us, int here);
} acc_cbm_census_cb;

acc_rc acc_cbm_census_take(acc_store *s, const char *data_dir, int64_t now_us,
                           acc_cbm_census *out, const acc_cbm_census_cb *cb,
                           acc_diag *d);
/* Prometheus text of the census (appended to /metrics). */
acc_rc acc_cbm_metrics_text(acc_store *s, const char *data_dir, acc_buf *b);

/* A thread under `accord serve` that logs (JSON lines on stderr) each
 * consultation that becomes overdue and each point of contact that falls
 * due for confirmation, once per process, every interval
 * ($ACCORD_CBM_WATCH, a duration; 60s by default). */
typedef struct acc_cbm_watch acc_cbm_watch;
acc_rc acc_cbm_watch_start(const char *data_dir, int quiet, acc_cbm_watch **out,
                           acc_diag *d);
void acc_cbm_watch_stop(acc_cbm_watch *w);

/* Accord's confidence-building extension-definition and its publisher's
 * identity, as one JSON array text. */
const char *acc_cbm_extension_objects(void);

#endif
