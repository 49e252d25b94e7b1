/*
 * test_cbm.c — confidence-building (src/cbm): the consultation state
 * machine and its deadlines (boundaries included), durations and the
 * pinned clock, signatures of messages and points of contact (every kind
 * of tampering), the parser of objects received from outside, the index
 * rows, and the whole path on a real store: directory, keyring, open,
 * acknowledge, reply, close, forged and late messages, the census.
 */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbm/cbm.h"
#include "cbm/cbm_int.h"
#include "ingest/ingest.h"
#include "policy/guard.h"
#include "testutil.h"
#include "util/time.h"

#define MS INT64_C(1000)
#define MIN (60 * 1000 * MS)
#define HOUR (60 * MIN)

static int64_t ts(const char *s) {
  int64_t t = 0;
  assert_int_equal(acc_time_parse(s, strlen(s), 1, &t), ACC_OK);
  return t;
}

/* ---- the state machine ---- */

static void test_fsm_happy(void **state) {
  (void)state;
  acc_cbm_fsm f;
  int64_t t0 = ts("2026-12-01T10:00:00Z");
  acc_cbm_fsm_init(&f, t0, t0 + 4 * HOUR, t0 + 72 * HOUR);
  assert_int_equal(f.state, ACC_CBM_OPEN);
  acc_diag d;
  /* The requester may add to the thread; nothing changes. */
  assert_int_equal(
      acc_cbm_fsm_apply(&f, ACC_CBM_MSG_REPLY, ACC_CBM_REQUESTER, t0 + MIN, &d),
      ACC_OK);
  assert_int_equal(f.state, ACC_CBM_OPEN);
  /* Only the responder acknowledges. */
  assert_int_equal(acc_cbm_fsm_apply(&f, ACC_CBM_MSG_ACK, ACC_CBM_REQUESTER,
                                     t0 + 2 * MIN, &d),
                   ACC_EINVAL);
  assert_non_null(strstr(d.msg, "only the state consulted"));
  assert_int_equal(acc_cbm_fsm_apply(&f, ACC_CBM_MSG_ACK, ACC_CBM_OBSERVER,
                                     t0 + 2 * MIN, &d),
                   ACC_EINVAL);
  assert_int_equal(
      acc_cbm_fsm_apply(&f, ACC_CBM_MSG_ACK, ACC_CBM_NOBODY, t0 + 2 * MIN, &d),
      ACC_EINVAL);
  assert_int_equal(acc_cbm_fsm_apply(&f, ACC_CBM_MSG_ACK, ACC_CBM_RESPONDER,
                                     t0 + 30 * MIN, &d),
                   ACC_OK);
  assert_int_equal(f.state, ACC_CBM_ACKNOWLEDGED);
  assert_int_equal(f.acked_us, t0 + 30 * MIN);
  assert_int_equal(acc_cbm_fsm_apply(&f, ACC_CBM_MSG_ACK, ACC_CBM_RESPONDER,
                                     t0 + 31 * MIN, &d),
                   ACC_EINVAL);
  assert_non_null(strstr(d.msg, "already acknowledged"));
  /* Past the acknowledgement deadline, an acknowledged consultation is
   * fine until the answer deadline. */
  acc_cbm_fsm_tick(&f, t0 + 10 * HOUR);
  assert_int_equal(f.state, ACC_CBM_ACKNOWLEDGED);
  assert_int_equal(acc_cbm_fsm_apply(&f, ACC_CBM_MSG_REPLY, ACC_CBM_RESPONDER,
                                     t0 + 20 * HOUR, &d),
                   ACC_OK);
  assert_int_equal(f.state, ACC_CBM_ANSWERED);
  assert_int_equal(f.answered_us, t0 + 20 * HOUR);
  /* Further replies keep it answered; the first answer's time stays. */
  assert_int_equal(acc_cbm_fsm_apply(&f, ACC_CBM_MSG_REPLY, ACC_CBM_RESPONDER,
                                     t0 + 21 * HOUR, &d),
                   ACC_OK);
  assert_int_equal(f.answered_us, t0 + 20 * HOUR);
  /* An answered consultation never expires. */
  acc_cbm_fsm_tick(&f, t0 + 1000 * HOUR);
  assert_int_equal(f.state, ACC_CBM_ANSWERED);
  assert_int_equal(acc_cbm_fsm_apply(&f, ACC_CBM_MSG_CLOSE, ACC_CBM_REQUESTER,
                                     t0 + 1000 * HOUR, &d),
                   ACC_OK);
  assert_int_equal(f.state, ACC_CBM_CLOSED);
  /* Closed is final. */
  assert_int_equal(acc_cbm_fsm_apply(&f, ACC_CBM_MSG_REPLY, ACC_CBM_RESPONDER,
                                     t0 + 1001 * HOUR, &d),
                   ACC_EINVAL);
  assert_int_equal(acc_cbm_fsm_apply(&f, ACC_CBM_MSG_CLOSE, ACC_CBM_RESPONDER,
                                     t0 + 1001 * HOUR, &d),
                   ACC_EINVAL);
  assert_int_equal(
      acc_cbm_fsm_apply(&f, ACC_CBM_MSG_OPEN, ACC_CBM_REQUESTER, t0, &d),
      ACC_EINVAL);
}

static void test_fsm_deadlines(void **state) {
  (void)state;
  acc_cbm_fsm f;
  acc_diag d;
  int64_t t0 = ts("2026-12-05T08:00:00Z");
  int64_t ack = t0 + HOUR, ans = t0 + 12 * HOUR;
  /* At the deadline exactly: in time.  One millisecond later: late. */
  acc_cbm_fsm_init(&f, t0, ack, ans);
  acc_cbm_fsm_tick(&f, ack);
  assert_int_equal(f.state, ACC_CBM_OPEN);
  assert_int_equal(
      acc_cbm_fsm_apply(&f, ACC_CBM_MSG_ACK, ACC_CBM_RESPONDER, ack, &d),
      ACC_OK);
  acc_cbm_fsm_init(&f, t0, ack, ans);
  assert_int_equal(
      acc_cbm_fsm_apply(&f, ACC_CBM_MSG_ACK, ACC_CBM_RESPONDER, ack + MS, &d),
      ACC_EINVAL);
  assert_non_null(strstr(d.msg, "expired at 2026-12-05T09:00:00.000Z"));
  assert_non_null(strstr(d.msg, "acknowledgement"));
  assert_int_equal(f.state, ACC_CBM_OPEN); /* refused: unchanged */
  acc_cbm_fsm_tick(&f, ack + MS);
  assert_int_equal(f.state, ACC_CBM_EXPIRED);
  assert_int_equal(f.missed, ACC_CBM_MISSED_ACK);
  assert_int_equal(f.expired_us, ack);
  /* A late reply does not revive it; closing is still possible. */
  assert_int_equal(acc_cbm_fsm_apply(&f, ACC_CBM_MSG_REPLY, ACC_CBM_RESPONDER,
                                     ack + HOUR, &d),
                   ACC_EINVAL);
  assert_int_equal(acc_cbm_fsm_apply(&f, ACC_CBM_MSG_CLOSE, ACC_CBM_REQUESTER,
                                     ack + HOUR, &d),
                   ACC_OK);
  assert_int_equal(f.state, ACC_CBM_CLOSED);
  assert_int_equal(f.missed, ACC_CBM_MISSED_ACK); /* remembered */

  /* The answer deadline. */
  acc_cbm_fsm_init(&f, t0, ack, ans);
  assert_int_equal(
      acc_cbm_fsm_apply(&f, ACC_CBM_MSG_ACK, ACC_CBM_RESPONDER, t0 + MIN, &d),
      ACC_OK);
  acc_cbm_fsm_tick(&f, ans);
  assert_int_equal(f.state, ACC_CBM_ACKNOWLEDGED);
  acc_cbm_fsm_tick(&f, ans + MS);
  assert_int_equal(f.state, ACC_CBM_EXPIRED);
  assert_int_equal(f.missed, ACC_CBM_MISSED_ANSWER);
  assert_string_equal(acc_cbm_missed_name(f.missed), "answer");

  /* A reply while open acknowledges and answers at once. */
  acc_cbm_fsm_init(&f, t0, ack, ans);
  assert_int_equal(acc_cbm_fsm_apply(&f, ACC_CBM_MSG_REPLY, ACC_CBM_RESPONDER,
                                     t0 + 10 * MIN, &d),
                   ACC_OK);
  assert_int_equal(f.state, ACC_CBM_ANSWERED);
  assert_int_equal(f.acked_us, t0 + 10 * MIN);
  assert_int_equal(f.answered_us, t0 + 10 * MIN);
  /* A message dated before the opening is refused. */
  acc_cbm_fsm_init(&f, t0, ack, ans);
  assert_int_equal(
      acc_cbm_fsm_apply(&f, ACC_CBM_MSG_ACK, ACC_CBM_RESPONDER, t0 - MS, &d),
      ACC_EINVAL);

  /* Deadlines must be in order. */
  assert_int_equal(acc_cbm_deadlines_check(t0, t0 + HOUR, t0 + 2 * HOUR, &d),
                   ACC_OK);
  assert_int_equal(acc_cbm_deadlines_check(t0, t0 + HOUR, t0 + HOUR, &d),
                   ACC_OK);
  assert_int_equal(acc_cbm_deadlines_check(t0, t0, t0 + HOUR, &d), ACC_EINVAL);
  assert_int_equal(acc_cbm_deadlines_check(t0, t0 + 2 * HOUR, t0 + HOUR, &d),
                   ACC_EINVAL);
  assert_int_equal(acc_cbm_deadlines_check(t0, ACC_TIME_NONE, t0 + HOUR, &d),
                   ACC_EINVAL);

  /* Names round-trip. */
  for (int i = 0; i < ACC_CBM_N_STATES; i++) {
    acc_cbm_state s;
    assert_int_equal(
        acc_cbm_state_parse(acc_cbm_state_name((acc_cbm_state)i), &s), ACC_OK);
    assert_int_equal((int)s, i);
  }
  acc_cbm_action a;
  assert_int_equal(acc_cbm_action_parse("acknowledge", &a), ACC_OK);
  assert_int_equal(a, ACC_CBM_MSG_ACK);
  assert_int_equal(acc_cbm_action_parse("ack", &a), ACC_EINVAL);
}

static void test_durations_clock(void **state) {
  (void)state;
  int64_t us;
  acc_diag d;
  assert_int_equal(acc_cbm_duration("90m", &us, &d), ACC_OK);
  assert_int_equal(us, 90 * MIN);
  assert_int_equal(acc_cbm_duration("1d12h", &us, &d), ACC_OK);
  assert_int_equal(us, 36 * HOUR);
  assert_int_equal(acc_cbm_duration("2w", &us, &d), ACC_OK);
  assert_int_equal(us, 14 * 24 * HOUR);
  assert_int_equal(acc_cbm_duration("30s", &us, &d), ACC_OK);
  static const char *const bad[] = {
      "", "h", "4", "4x", "-4h", "0h", "99999999999999999999d", "4h ", " 4h"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(acc_cbm_duration(bad[i], &us, &d), ACC_EUSAGE);
  char t[64];
  acc_cbm_duration_text(365 * 24 * HOUR, t, sizeof t);
  assert_string_equal(t, "365d");
  acc_cbm_duration_text(26 * HOUR, t, sizeof t);
  assert_string_equal(t, "1d 2h");
  acc_cbm_duration_text(45 * MIN, t, sizeof t);
  assert_string_equal(t, "45m");
  /* The clock: pinned, then $ACCORD_NOW, to the millisecond. */
  int64_t p = ts("2026-12-01T10:00:00.123456Z");
  assert_int_equal(acc_cbm_now(p), p - 456);
  setenv("ACCORD_NOW", "2030-01-01T00:00:00Z", 1);
  assert_int_equal(acc_cbm_now(ACC_TIME_NONE), ts("2030-01-01T00:00:00Z"));
  assert_int_equal(acc_cbm_now(p), p - 456);
  setenv("ACCORD_NOW", "next tuesday", 1);
  assert_int_equal(acc_cbm_env_now(&us, &d), ACC_EUSAGE);
  unsetenv("ACCORD_NOW");
  assert_int_equal(acc_cbm_env_now(&us, &d), ACC_ENOTFOUND);
}

/* ---- objects, signatures, parsing ---- */

static void make_key(const char *org, acc_org_key *k) {
  memset(k, 0, sizeof *k);
  snprintf(k->org, sizeof k->org, "%s", org);
  crypto_sign_keypair(k->pk, k->sk);
  k->has_secret = 1;
  acc_key_id(k->pk, k->key_id);
}

#define STRICT "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"

/* An opening from cert-a to cert-b (observers as given). */
static json_t *opening(const char *observers_json) {
  char text[4096], extra[256];
  snprintf(extra, sizeof extra, "%s%s", observers_json[0] ? "," : "",
           observers_json);
  snprintf(text, sizeof text,
           "{\"type\":\"note\",\"spec_version\":\"2.1\","
           "\"id\":\"note--11111111-2222-4333-8444-555555555555\","
           "\"created\":\"2026-12-01T10:00:00.000Z\","
           "\"modified\":\"2026-12-01T10:00:00.000Z\","
           "\"content\":\"Can you clarify?\",\"abstract\":\"x\","
           "\"object_refs\":[\"incident--0c0a0b0c-1d1e-4f2a-8b3c-"
           "4d5e6f708192\"],"
           "\"object_marking_refs\":[\"" STRICT "\"],"
           "\"extensions\":{\"" ACC_EXT_SHARING "\":{\"extension_type\":"
           "\"property-extension\",\"recipient_orgs\":[\"cert-a\","
           "\"cert-b\"%s]},"
           "\"" ACC_EXT_CBM "\":{\"extension_type\":\"property-extension\","
           "\"kind\":\"consultation-message\",\"action\":\"open\","
           "\"from_org\":\"cert-a\",\"from_user\":\"alice\","
           "\"to_org\":\"cert-b\",\"observers\":[%s],"
           "\"consultation_kind\":\"clarification\",\"urgency\":\"urgent\","
           "\"subject\":\"Scanning\","
           "\"ack_due\":\"2026-12-01T14:00:00.000Z\","
           "\"answer_due\":\"2026-12-04T10:00:00.000Z\","
           "\"refs\":[{\"ref\":\"incident--0c0a0b0c-1d1e-4f2a-8b3c-"
           "4d5e6f708192\",\"type\":\"incident\",\"tlp\":\"AMBER\"}]}}}",
           extra, observers_json);
  json_error_t e;
  json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &e);
  if (!j)
    fail_msg("%s", e.text);
  return j;
}

static json_t *cbm_ext(json_t *o) {
  return json_object_get(json_object_get(o, "extensions"), ACC_EXT_CBM);
}

static void test_sign_verify(void **state) {
  (void)state;
  acc_org_key k, other;
  make_key("cert-a", &k);
  make_key("cert-x", &other);
  json_t *o = opening("");
  acc_diag d;
  char key[ACC_KEY_PUB_TEXT_MAX], want[ACC_KEY_PUB_TEXT_MAX];
  acc_key_public_text(k.pk, want);
  assert_int_equal(acc_cbm_verify(o, key), ACC_CBM_SIG_NONE);
  assert_int_equal(acc_cbm_sign(o, &k, &d), ACC_OK);
  assert_int_equal(acc_cbm_verify(o, key), ACC_CBM_SIG_OK);
  assert_string_equal(key, want);
  json_t *sig = json_object_get(cbm_ext(o), "signature");
  assert_string_equal(json_string_value(json_object_get(sig, "key_id")),
                      k.key_id);
  /* The signature survives serialisation in any key order (JCS). */
  char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
  json_t *back = json_loads(text, 0, NULL);
  free(text);
  assert_int_equal(acc_cbm_verify(back, NULL), ACC_CBM_SIG_OK);
  json_decref(back);

  /* Each kind of tampering breaks it. */
  static const char *const edits[] = {
      "content",  "created", "id",         "recipients", "marking",
      "deadline", "key_id",  "public_key", "value",      "alg"};
  for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
    json_t *t = json_deep_copy(o);
    json_t *e = cbm_ext(t);
    json_t *s = json_object_get(e, "signature");
    const char *w = edits[i];
    if (!strcmp(w, "content"))
      json_object_set_new(t, "content", json_string("Can you clarify!"));
    else if (!strcmp(w, "created"))
      json_object_set_new(t, "created",
                          json_string("2026-12-01T10:00:00.001Z"));
    else if (!strcmp(w, "id"))
      json_object_set_new(
          t, "id", json_string("note--11111111-2222-4333-8444-555555555556"));
    else if (!strcmp(w, "recipients"))
      json_array_append_new(
          json_object_get(json_object_get(json_object_get(t, "extensions"),
                                          ACC_EXT_SHARING),
                          "recipient_orgs"),
          json_string("cert-c"));
    else if (!strcmp(w, "marking"))
      json_object_set_new(t, "object_marking_refs", json_array());
    else if (!strcmp(w, "deadline"))
      json_object_set_new(e, "answer_due",
                          json_string("2026-12-24T10:00:00.000Z"));
    else if (!strcmp(w, "key_id"))
      json_object_set_new(s, "key_id", json_string(other.key_id));
    else if (!strcmp(w, "public_key")) {
      /* Someone else's key named: the signature is not theirs. */
      char pub[ACC_KEY_PUB_TEXT_MAX];
      acc_key_public_text(other.pk, pub);
      json_object_set_new(s, "public_key", json_string(pub));
      json_object_del(s, "key_id");
    } else if (!strcmp(w, "value"))
      json_object_set_new(s, "value", json_string("AAAA"));
    else
      json_object_set_new(s, "alg", json_string("rsa"));
    assert_int_equal(acc_cbm_verify(t, NULL), ACC_CBM_SIG_BAD);
    json_decref(t);
  }
  /* Re-signed by another key: valid, but that key is not cert-a's (the
   * keyring decides; see test_store_flow). */
  json_t *t = json_deep_copy(o);
  assert_int_equal(acc_cbm_sign(t, &other, &d), ACC_OK);
  assert_int_equal(acc_cbm_verify(t, key), ACC_CBM_SIG_OK);
  assert_string_not_equal(key, want);
  json_decref(t);
  /* No secret, no signature. */
  acc_org_key pub = k;
  acc_key_wipe(&pub);
  assert_int_equal(acc_cbm_sign(o, &pub, &d), ACC_EINVAL);
  acc_key_wipe(&k);
  acc_key_wipe(&other);
  json_decref(o);
}

static void test_parse_messages(void **state) {
  (void)state;
  acc_cbm_msg m;
  acc_diag d;
  json_t *o = opening("");
  assert_int_equal(acc_cbm_kind_of(o), 'm');
  assert_int_equal(acc_cbm_msg_parse(o, &m, &d), ACC_OK);
  assert_int_equal(m.action, ACC_CBM_MSG_OPEN);
  assert_string_equal(m.consultation, m.id);
  assert_string_equal(m.to_org, "cert-b");
  assert_int_equal(m.n_recipients, 2);
  assert_int_equal(m.n_refs, 1);
  assert_string_equal(m.refs[0].tlp, "AMBER");
  assert_int_equal(m.ack_due_us, ts("2026-12-01T14:00:00Z"));
  acc_cbm_msg_clear(&m);
  json_decref(o);

  /* Observers must be among the recipients, and only they. */
  o = opening("\"cert-c\"");
  assert_int_equal(acc_cbm_msg_parse(o, &m, &d), ACC_OK);
  assert_int_equal(m.n_observers, 1);
  acc_cbm_msg_clear(&m);
  json_array_remove(
      json_object_get(
          json_object_get(json_object_get(o, "extensions"), ACC_EXT_SHARING),
          "recipient_orgs"),
      2);
  assert_int_equal(acc_cbm_msg_parse(o, &m, &d), ACC_EINVAL);
  assert_non_null(strstr(d.msg, "observer cert-c"));
  json_decref(o);

  /* Each broken member is named. */
  struct {
    const char *member; /* in the extension, or "!marking", "!recipients" */
    json_t *value;      /* NULL: removed */
    const char *says;
  } cases[] = {
      {"action", json_string("shout"), "action"},
      {"from_org", NULL, "from_org"},
      {"to_org", json_string("cert-a"), "consult itself"},
      {"consultation_kind", json_string("threat"), "consultation_kind"},
      {"urgency", json_string("whenever"), "urgency"},
      {"ack_due", json_string("2026-12-01T09:00:00.000Z"), "acknowledgement"},
      {"answer_due", json_string("2026-12-01T12:00:00.000Z"), "answer"},
      {"ack_due", json_string("soon"), "not a timestamp"},
      {"refs", json_string("x"), "refs"},
      {"refs", json_pack("[{s:s}]", "ref", "nonsense"), "refs[0]"},
      {"observers", json_pack("[s]", "cert-b"), "observers[0]"},
      {"to_poc_ref", json_string("note--x"), "to_poc_ref"},
      {"subject", json_integer(3), "subject"},
      {"consultation_ref",
       json_string("note--aaaaaaaa-2222-4333-8444-"
                   "555555555555"),
       "consultation_ref"},
      {"!marking", NULL, "AMBER+STRICT"},
      {"!recipients", NULL, "recipient_orgs"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    o = opening("");
    json_t *e = cbm_ext(o);
    if (!strcmp(cases[i].member, "!marking"))
      json_object_set_new(o, "object_marking_refs",
                          json_pack("[s]", acc_tlp_marking_id(ACC_TLP_AMBER)));
    else if (!strcmp(cases[i].member, "!recipients"))
      json_object_del(json_object_get(o, "extensions"), ACC_EXT_SHARING);
    else if (cases[i].value)
      json_object_set_new(e, cases[i].member, cases[i].value);
    else
      json_object_del(e, cases[i].member);
    acc_rc rc = acc_cbm_msg_parse(o, &m, &d);
    if (rc != ACC_EINVAL || !strstr(d.msg, cases[i].says))
      fail_msg("case %zu (%s): rc %d, '%s'", i, cases[i].member, rc, d.msg);
    json_decref(o);
  }

  /* A reply refers to its consultation. */
  o = opening("");
  json_t *e = cbm_ext(o);
  json_object_set_new(
      o, "id", json_string("note--99999999-2222-4333-8444-555555555555"));
  json_object_set_new(e, "action", json_string("reply"));
  assert_int_equal(acc_cbm_msg_parse(o, &m, &d), ACC_EINVAL);
  json_object_set_new(
      e, "consultation_ref",
      json_string("note--11111111-2222-4333-8444-555555555555"));
  assert_int_equal(acc_cbm_msg_parse(o, &m, &d), ACC_OK);
  assert_int_equal(m.action, ACC_CBM_MSG_REPLY);
  assert_string_equal(m.consultation,
                      "note--11111111-2222-4333-8444-555555555555");
  acc_cbm_msg_clear(&m);
  /* Not a consultation message at all. */
  json_object_set_new(e, "kind", json_string("point-of-contact"));
  assert_int_equal(acc_cbm_kind_of(o), 0);
  assert_int_equal(acc_cbm_msg_parse(o, &m, &d), ACC_EINVAL);
  json_decref(o);
}

static json_t *poc_obj(void) {
  return json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:{s:s,s:s,s:s,s:s,s:[{s:s,s:s}],s:[s,"
      "s],s:s,s:s}}}",
      "type", "identity", "spec_version", "2.1", "id",
      "identity--aaaaaaaa-2222-4333-8444-555555555555", "created",
      "2026-11-01T00:00:00.000Z", "modified", "2026-11-01T00:00:00.000Z",
      "name", "CERT-B operations", "identity_class", "group", "extensions",
      ACC_EXT_CBM, "extension_type", "property-extension", "kind",
      "point-of-contact", "org", "cert-b", "level", "technical", "channels",
      "type", "email", "value", "ops@cert-b.example", "languages", "en", "de",
      "hours", "24/7", "confirmed", "2026-11-01T00:00:00.000Z");
}

static void test_parse_poc(void **state) {
  (void)state;
  acc_cbm_poc p;
  acc_diag d;
  acc_org_key k;
  make_key("cert-b", &k);
  char pub[ACC_KEY_PUB_TEXT_MAX];
  acc_key_public_text(k.pk, pub);
  json_t *o = poc_obj();
  assert_non_null(o);
  assert_int_equal(acc_cbm_kind_of(o), 'p');
  assert_int_equal(acc_cbm_poc_parse(o, &p, &d), ACC_OK);
  assert_string_equal(p.org, "cert-b");
  assert_int_equal(p.n_channels, 1);
  assert_int_equal(p.n_languages, 2);
  assert_true(p.always);
  assert_null(p.public_key);
  assert_int_equal(p.confirmed_us, ts("2026-11-01T00:00:00Z"));
  acc_cbm_poc_clear(&p);
  /* Index row: unsigned, no key. */
  acc_cbm_row row;
  assert_int_equal(acc_cbm_index_row(o, &row), 1);
  assert_int_equal(row.kind, 'p');
  assert_int_equal(row.sig, ACC_CBM_SIG_NONE);
  /* With its organisation's key, signed by it: proven. */
  json_object_set_new(cbm_ext(o), "public_key", json_string(pub));
  assert_int_equal(acc_cbm_sign(o, &k, &d), ACC_OK);
  assert_int_equal(acc_cbm_index_row(o, &row), 1);
  assert_int_equal(row.sig, ACC_CBM_SIG_OK);
  assert_string_equal(row.public_key, pub);
  assert_int_equal(row.due1_us, ts("2026-11-01T00:00:00Z"));
  /* Listing a key it was not signed with: not proven. */
  acc_org_key other;
  make_key("cert-x", &other);
  assert_int_equal(acc_cbm_sign(o, &other, &d), ACC_OK);
  assert_int_equal(acc_cbm_index_row(o, &row), 1);
  assert_int_equal(row.sig, ACC_CBM_SIG_BAD);
  /* Broken members. */
  json_object_set_new(cbm_ext(o), "level", json_string("strategic"));
  assert_int_equal(acc_cbm_poc_parse(o, &p, &d), ACC_EINVAL);
  assert_non_null(strstr(d.msg, "level"));
  json_object_set_new(cbm_ext(o), "level", json_string("policy"));
  json_object_set_new(cbm_ext(o), "channels", json_array());
  assert_int_equal(acc_cbm_poc_parse(o, &p, &d), ACC_EINVAL);
  assert_non_null(strstr(d.msg, "channels"));
  json_object_set_new(cbm_ext(o), "channels",
                      json_pack("[{s:s,s:s}]", "type", "pigeon", "value", "x"));
  assert_int_equal(acc_cbm_poc_parse(o, &p, &d), ACC_EINVAL);
  assert_non_null(strstr(d.msg, "pigeon"));
  json_object_set_new(cbm_ext(o), "channels",
                      json_pack("[{s:s,s:s}]", "type", "phone", "value", "1"));
  json_object_set_new(cbm_ext(o), "public_key", json_string("ed25519:xx"));
  assert_int_equal(acc_cbm_poc_parse(o, &p, &d), ACC_EINVAL);
  json_object_del(cbm_ext(o), "public_key");
  json_object_set_new(cbm_ext(o), "country", json_string("de"));
  assert_int_equal(acc_cbm_poc_parse(o, &p, &d), ACC_EINVAL);
  json_object_del(cbm_ext(o), "country");
  json_object_del(cbm_ext(o), "confirmed");
  assert_int_equal(acc_cbm_poc_parse(o, &p, &d), ACC_EINVAL);
  assert_non_null(strstr(d.msg, "confirmed"));
  acc_key_wipe(&k);
  acc_key_wipe(&other);
  json_decref(o);
}

/* ---- the whole path on a real store ---- */

typedef struct world {
  fx *f;
  acc_audit *audit;
  acc_principal alice, bob, carol;
  acc_reader ra, rb, rc;
  acc_cbm_ctx a, b, c;
} world;

static void add_org_user(fx *f, const char *org, const char *user,
                         acc_principal *p) {
  acc_diag d;
  acc_org o = {.member = 1};
  snprintf(o.name, sizeof o.name, "%s", org);
  assert_int_equal(f->s->ops->org_add(f->s, &o, &d), ACC_OK);
  acc_user u = {.oid = o.oid};
  snprintf(u.name, sizeof u.name, "%s", user);
  assert_int_equal(f->s->ops->user_add(f->s, &u, &d), ACC_OK);
  assert_int_equal(
      f->s->ops->grant_set(f->s, ACC_DEFAULT_COLLECTION, o.oid, 1, 1, &d),
      ACC_OK);
  assert_int_equal(acc_auth_principal_of(f->s, user, p, &d), ACC_OK);
}

static void world_init(world *w, fx *f) {
  memset(w, 0, sizeof *w);
  w->f = f;
  acc_diag d;
  add_org_user(f, "cert-a", "alice", &w->alice);
  add_org_user(f, "cert-b", "bob", &w->bob);
  add_org_user(f, "cert-c", "carol", &w->carol);
  assert_int_equal(acc_audit_open(f->dir, &w->audit, &d), ACC_OK);
  w->ra = (acc_reader){.who = &w->alice, .path = "test", .audit = w->audit};
  w->rb = (acc_reader){.who = &w->bob, .path = "test", .audit = w->audit};
  w->rc = (acc_reader){.who = &w->carol, .path = "test", .audit = w->audit};
  w->a = (acc_cbm_ctx){.st = f->s, .rd = &w->ra, .data_dir = f->dir};
  w->b = (acc_cbm_ctx){.st = f->s, .rd = &w->rb, .data_dir = f->dir};
  w->c = (acc_cbm_ctx){.st = f->s, .rd = &w->rc, .data_dir = f->dir};
}

static void at(world *w, const char *t) {
  int64_t now = ts(t);
  w->a.now_us = w->b.now_us = w->c.now_us = now;
}

static void test_store_flow(void **state) {
  fx *f = *state;
  world w;
  world_init(&w, f);
  acc_diag d;
  acc_org_key ka, kb;
  char id[ACC_ID_MAX], cid[ACC_ID_MAX], mid[ACC_ID_MAX];
  at(&w, "2026-12-01T09:00:00Z");

  /* Without a key, nothing is sent. */
  json_t *spec =
      json_pack("{s:s,s:s,s:s,s:s}", "to", "cert-b", "kind", "clarification",
                "subject", "Scanning", "message", "Can you clarify?");
  assert_int_equal(
      acc_cbm_open(&w.a, spec, ACC_DEFAULT_COLLECTION, cid, NULL, &d),
      ACC_ENOTFOUND);
  assert_non_null(strstr(d.msg, "key generate"));
  assert_int_equal(acc_key_generate(f->dir, "cert-a", 0, &ka, &d), ACC_OK);
  assert_int_equal(acc_key_generate(f->dir, "cert-b", 0, &kb, &d), ACC_OK);

  /* The directory: B publishes its contact with its key. */
  json_t *ps =
      json_pack("{s:s,s:s,s:[s],s:s}", "level", "policy", "name", "MFA-B desk",
                "channels", "email:desk@b.example", "hours", "24/7");
  assert_int_equal(acc_cbm_poc_add(&w.b, ps, ACC_DEFAULT_COLLECTION, id, &d),
                   ACC_OK);
  json_decref(ps);
  /* A user acts for its own organisation only. */
  ps = json_pack("{s:s,s:s,s:s,s:[s]}", "org", "cert-a", "level", "policy",
                 "name", "x", "channels", "email:x@x");
  assert_int_equal(acc_cbm_poc_add(&w.b, ps, ACC_DEFAULT_COLLECTION, mid, &d),
                   ACC_EINVAL);
  json_decref(ps);
  acc_cbm_keyring *kr = NULL;
  assert_int_equal(acc_cbm_index_update(f->s, &d), ACC_OK);
  assert_int_equal(acc_cbm_keyring_load(f->s, f->dir, &kr, &d), ACC_OK);
  char pa[ACC_KEY_PUB_TEXT_MAX], pb[ACC_KEY_PUB_TEXT_MAX];
  acc_key_public_text(ka.pk, pa);
  acc_key_public_text(kb.pk, pb);
  assert_true(acc_cbm_keyring_has(kr, "cert-a", pa));
  assert_true(acc_cbm_keyring_has(kr, "cert-b", pb));
  assert_false(acc_cbm_keyring_has(kr, "cert-b", pa));
  acc_cbm_keyring_free(kr);

  /* A opens; the policy-level contact of B is addressed. */
  assert_int_equal(
      acc_cbm_open(&w.a, spec, ACC_DEFAULT_COLLECTION, cid, NULL, &d), ACC_OK);
  json_decref(spec);
  acc_cbm_thread *t = NULL;
  assert_int_equal(acc_cbm_thread_load(&w.b, cid, &t, &d), ACC_OK);
  assert_int_equal(t->fsm.state, ACC_CBM_OPEN);
  assert_string_equal(t->msgs[0].m.to_poc, id);
  /* priority by default: acknowledgement in a day, answer in a week */
  assert_int_equal(t->fsm.ack_due_us, ts("2026-12-02T09:00:00Z"));
  assert_int_equal(t->fsm.answer_due_us, ts("2026-12-08T09:00:00Z"));
  assert_int_equal(t->n_bad, 0);
  acc_cbm_thread_free(t);
  /* C is no party: it cannot see it, nor act in it. */
  assert_int_equal(acc_cbm_thread_load(&w.c, cid, &t, &d), ACC_ENOTFOUND);
  assert_int_equal(acc_cbm_respond(&w.c, cid, ACC_CBM_MSG_ACK, NULL, mid, &d),
                   ACC_ENOTFOUND);
  /* ... nor find it by a prefix of its id. */
  assert_int_equal(acc_cbm_thread_load(&w.c, cid + 6, &t, &d), ACC_ENOTFOUND);
  /* A cannot acknowledge its own consultation. */
  assert_int_equal(acc_cbm_respond(&w.a, cid, ACC_CBM_MSG_ACK, NULL, mid, &d),
                   ACC_EINVAL);

  at(&w, "2026-12-01T10:00:00Z");
  assert_int_equal(
      acc_cbm_respond(&w.b, cid + 6, ACC_CBM_MSG_ACK, NULL, mid, &d), ACC_OK);
  char t_ack[ACC_ID_MAX];
  snprintf(t_ack, sizeof t_ack, "%s", mid);
  json_t *r = json_pack("{s:s}", "message", "It was a university.");
  at(&w, "2026-12-02T10:00:00Z");
  assert_int_equal(acc_cbm_respond(&w.b, cid, ACC_CBM_MSG_REPLY, r, mid, &d),
                   ACC_OK);
  json_decref(r);
  assert_int_equal(acc_cbm_thread_load(&w.a, cid, &t, &d), ACC_OK);
  assert_int_equal(t->fsm.state, ACC_CBM_ANSWERED);
  assert_int_equal(t->n_msgs, 3);
  assert_int_equal(t->n_bad, 0);
  assert_string_equal(t->msgs[2].m.in_reply_to, t->msgs[1].m.id);
  json_t *j = acc_cbm_thread_json(t);
  assert_true(json_is_true(json_object_get(j, "verified")));
  json_decref(j);
  acc_cbm_thread_free(t);

  /* A later version of B's acknowledgement, and of B's point of contact,
   * written by C (who could know their ids as an observer): neither hides
   * what B wrote. */
  {
    acc_org_key kc;
    assert_int_equal(acc_key_generate(f->dir, "cert-c", 0, &kc, &d), ACC_OK);
    json_t *ack = NULL, *poc = NULL;
    assert_int_equal(acc_cbm_get(&w.a, t_ack, &ack, NULL, &d), ACC_OK);
    assert_int_equal(acc_cbm_get(&w.a, id, &poc, NULL, &d), ACC_OK);
    json_object_set_new(ack, "modified",
                        json_string("2026-12-02T10:30:00.000Z"));
    json_object_set_new(ack, "content", json_string("We never said that."));
    assert_int_equal(acc_cbm_sign(ack, &kc, &d), ACC_OK);
    char pc[ACC_KEY_PUB_TEXT_MAX];
    acc_key_public_text(kc.pk, pc);
    json_object_set_new(poc, "modified",
                        json_string("2026-12-02T10:30:00.000Z"));
    json_object_set_new(cbm_ext(poc), "public_key", json_string(pc));
    assert_int_equal(acc_cbm_sign(poc, &kc, &d), ACC_OK);
    json_t *both = json_pack("[o,o]", ack, poc);
    char *btext = json_dumps(both, JSON_COMPACT);
    json_decref(both);
    acc_ingest_opts co = {.collection = ACC_DEFAULT_COLLECTION,
                          .strict = 1,
                          .origin_oid = w.carol.oid,
                          .origin_uid = w.carol.uid};
    acc_ingest_counts cn;
    assert_int_equal(acc_ingest(f->s, btext, strlen(btext), &co, &cn, NULL, &d),
                     ACC_OK);
    assert_int_equal(cn.stored, 2);
    free(btext);
    assert_int_equal(acc_cbm_thread_load(&w.a, cid, &t, &d), ACC_OK);
    assert_int_equal(t->fsm.state, ACC_CBM_ANSWERED);
    assert_int_equal(t->n_bad, 0);
    assert_string_equal(t->msgs[1].m.text,
                        "Your request is acknowledged; an answer will "
                        "follow.");
    acc_cbm_thread_free(t);
    kr = NULL;
    assert_int_equal(acc_cbm_index_update(f->s, &d), ACC_OK);
    assert_int_equal(acc_cbm_keyring_load(f->s, f->dir, &kr, &d), ACC_OK);
    assert_true(acc_cbm_keyring_has(kr, "cert-b", pb));
    assert_false(acc_cbm_keyring_has(kr, "cert-b", pc));
    acc_cbm_keyring_free(kr);
    acc_cbm_census c0;
    assert_int_equal(acc_cbm_census_take(f->s, f->dir,
                                         ts("2026-12-02T11:00:00Z"), &c0, NULL,
                                         &d),
                     ACC_OK);
    assert_int_equal(c0.by_state[ACC_CBM_ANSWERED], 1);
    acc_key_wipe(&kc);
  }

  /* A forged close "from cert-b", signed by a key that is not cert-b's,
   * stored as cert-b's: verifies, but does not count. */
  acc_org_key mallory;
  memset(&mallory, 0, sizeof mallory);
  snprintf(mallory.org, sizeof mallory.org, "cert-b");
  crypto_sign_keypair(mallory.pk, mallory.sk);
  mallory.has_secret = 1;
  acc_key_id(mallory.pk, mallory.key_id);
  json_t *got = NULL;
  assert_int_equal(acc_cbm_get(&w.a, mid, &got, NULL, &d), ACC_OK);
  json_t *forged = json_deep_copy(got);
  json_decref(got);
  json_object_set_new(
      forged, "id", json_string("note--0ddba11c-2222-4333-8444-555555555555"));
  json_object_set_new(cbm_ext(forged), "action", json_string("close"));
  json_object_set_new(forged, "created",
                      json_string("2026-12-02T11:00:00.000Z"));
  json_object_set_new(forged, "modified",
                      json_string("2026-12-02T11:00:00.000Z"));
  assert_int_equal(acc_cbm_sign(forged, &mallory, &d), ACC_OK);
  json_t *objs = json_pack("[o]", forged);
  char *text = json_dumps(objs, JSON_COMPACT);
  json_decref(objs);
  acc_ingest_opts io = {.collection = ACC_DEFAULT_COLLECTION,
                        .strict = 1,
                        .origin_oid = w.bob.oid,
                        .origin_uid = w.bob.uid};
  acc_ingest_counts n;
  assert_int_equal(acc_ingest(f->s, text, strlen(text), &io, &n, NULL, &d),
                   ACC_OK);
  free(text);
  assert_int_equal(acc_cbm_thread_load(&w.a, cid, &t, &d), ACC_OK);
  assert_int_equal(t->n_msgs, 4);
  assert_int_equal(t->fsm.state, ACC_CBM_ANSWERED);
  assert_int_equal(t->n_bad, 1);
  assert_int_equal(t->msgs[3].verdict, ACC_CBM_UNKNOWN_KEY);
  acc_cbm_thread_free(t);

  /* Close for real; then the census. */
  at(&w, "2026-12-03T10:00:00Z");
  assert_int_equal(acc_cbm_respond(&w.a, cid, ACC_CBM_MSG_CLOSE, NULL, mid, &d),
                   ACC_OK);
  /* A second one, never acknowledged. */
  spec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "to", "cert-b", "kind",
                   "assistance-request", "subject", "Outage", "message", "Help",
                   "urgency", "critical", "ack_within", "1h");
  at(&w, "2026-12-05T08:00:00Z");
  char cid2[ACC_ID_MAX];
  assert_int_equal(
      acc_cbm_open(&w.a, spec, ACC_DEFAULT_COLLECTION, cid2, NULL, &d), ACC_OK);
  json_decref(spec);
  acc_cbm_census c;
  assert_int_equal(acc_cbm_census_take(f->s, f->dir, ts("2026-12-05T08:30:00Z"),
                                       &c, NULL, &d),
                   ACC_OK);
  assert_int_equal(c.by_state[ACC_CBM_CLOSED], 1);
  assert_int_equal(c.by_state[ACC_CBM_OPEN], 1);
  assert_int_equal(c.overdue_ack, 0);
  assert_int_equal(acc_cbm_census_take(f->s, f->dir, ts("2026-12-05T09:30:00Z"),
                                       &c, NULL, &d),
                   ACC_OK);
  assert_int_equal(c.by_state[ACC_CBM_EXPIRED], 1);
  assert_int_equal(c.overdue_ack, 1);
  assert_int_equal(c.overdue_answer, 0);
  /* The directory entry falls due a year after its confirmation. */
  assert_int_equal(c.poc_due_here, 0);
  assert_int_equal(acc_cbm_census_take(f->s, f->dir, ts("2027-12-02T00:00:00Z"),
                                       &c, NULL, &d),
                   ACC_OK);
  assert_int_equal(c.poc_due_here, 1);
  assert_int_equal(acc_cbm_period_set(f->s, 30 * 24 * HOUR, &d), ACC_OK);
  assert_int_equal(acc_cbm_census_take(f->s, f->dir, ts("2027-01-15T00:00:00Z"),
                                       &c, NULL, &d),
                   ACC_OK);
  assert_int_equal(c.poc_due_here, 1);
  at(&w, "2027-01-15T00:00:00Z");
  assert_int_equal(acc_cbm_poc_confirm(&w.b, id, &d), ACC_OK);
  assert_int_equal(acc_cbm_poc_confirm(&w.a, id, &d), ACC_EINVAL);
  assert_int_equal(acc_cbm_census_take(f->s, f->dir, ts("2027-01-16T00:00:00Z"),
                                       &c, NULL, &d),
                   ACC_OK);
  assert_int_equal(c.poc_due_here, 0);
  /* The late acknowledgement is refused. */
  at(&w, "2026-12-05T09:30:00Z");
  assert_int_equal(acc_cbm_respond(&w.b, cid2, ACC_CBM_MSG_ACK, NULL, mid, &d),
                   ACC_EINVAL);
  assert_non_null(strstr(d.msg, "expired"));
  acc_key_wipe(&ka);
  acc_key_wipe(&kb);
  acc_audit_close(w.audit);
}

int main(void) {
  if (sodium_init() < 0)
    return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fsm_happy),
      cmocka_unit_test(test_fsm_deadlines),
      cmocka_unit_test(test_durations_clock),
      cmocka_unit_test(test_sign_verify),
      cmocka_unit_test(test_parse_messages),
      cmocka_unit_test(test_parse_poc),
      cmocka_unit_test_setup_teardown(test_store_flow, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
