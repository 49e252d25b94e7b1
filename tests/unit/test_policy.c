/*
 * test_policy.c — the sharing policy as pure functions: TLP of markings
 * (2.0 and 1.0 ids), recipients from Accord's extension, the decision table
 * of docs/PRODUCT.md row by row, and granular-marking redaction.
 */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include <string.h>

#include "policy/policy.h"

#define M_CLEAR "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define M_GREEN "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define M_AMBER "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
#define M_STRICT "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
#define M_RED "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
#define M1_WHITE "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
#define M1_RED "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"

static void test_markings(void **state) {
  (void)state;
  assert_int_equal(acc_tlp_of_marking(M_CLEAR), ACC_TLP_CLEAR);
  assert_int_equal(acc_tlp_of_marking(M_STRICT), ACC_TLP_AMBER_STRICT);
  assert_int_equal(acc_tlp_of_marking(M1_WHITE), ACC_TLP_CLEAR);
  assert_int_equal(acc_tlp_of_marking(M1_RED), ACC_TLP_RED);
  assert_int_equal(acc_tlp_of_marking("marking-definition--00000000-0000-4000-"
                                      "8000-000000000000"),
                   ACC_TLP_NONE);
  assert_int_equal(acc_tlp_of_marking(NULL), ACC_TLP_NONE);
  for (int t = ACC_TLP_CLEAR; t <= ACC_TLP_RED; t++) {
    assert_int_equal(acc_tlp_of_marking(acc_tlp_marking_id((acc_tlp)t)), t);
    acc_tlp back;
    assert_int_equal(acc_tlp_parse(acc_tlp_name((acc_tlp)t), &back), ACC_OK);
    assert_int_equal(back, t);
  }
  acc_tlp x;
  assert_int_equal(acc_tlp_parse("TLP:WHITE", &x), ACC_OK);
  assert_int_equal(x, ACC_TLP_CLEAR);
  assert_int_equal(acc_tlp_parse("purple", &x), ACC_EINVAL);
}

static void test_meta(void **state) {
  (void)state;
  json_t *o = json_loads(
      "{\"type\":\"indicator\",\"object_marking_refs\":[\"" M_GREEN
      "\",\"" M_AMBER "\",\"marking-definition--00000000-0000-4000-8000-"
      "000000000001\"],\"granular_markings\":[{\"marking_ref\":\"" M_RED
      "\",\"selectors\":[\"description\"]}],\"extensions\":{\"" ACC_EXT_SHARING
      "\":{\"extension_type\":\"property-extension\",\"recipient_orgs\":["
      "\"CERT-A\",\"identity--0b6a4c2e-93f1-4d57-a8e0-7c1d2f3e4b5a\"],"
      "\"recipient_users\":[\"alice\"]}}}",
      0, NULL);
  acc_share_meta m;
  acc_diag d;
  assert_int_equal(acc_share_meta_from_json(o, &m, &d), ACC_OK);
  assert_int_equal(m.tlp, ACC_TLP_AMBER); /* most restrictive wins */
  assert_int_equal(m.granular_max, ACC_TLP_RED);
  assert_true(acc_policy_list_has(m.orgs, "CERT-A"));
  assert_true(acc_policy_list_has(
      m.orgs, "identity--0b6a4c2e-93f1-4d57-a8e0-7c1d2f3e4b5a"));
  assert_false(acc_policy_list_has(m.orgs, "CERT"));
  assert_false(acc_policy_list_has(m.orgs, "A"));
  assert_true(acc_policy_list_has(m.users, "alice"));
  acc_share_meta_free(&m);
  json_decref(o);
  /* Malformed extension content is refused, saying where. */
  o = json_loads("{\"extensions\":{\"" ACC_EXT_SHARING
                 "\":{\"recipient_orgs\":[\"a|b\"]}}}",
                 0, NULL);
  assert_int_equal(acc_share_meta_from_json(o, &m, &d), ACC_EINVAL);
  assert_non_null(strstr(d.msg, "recipient_orgs[0]"));
  json_decref(o);
  o = json_loads("{\"extensions\":{\"" ACC_EXT_SHARING
                 "\":{\"recipient_users\":\"bob\"}}}",
                 0, NULL);
  assert_int_equal(acc_share_meta_from_json(o, &m, &d), ACC_EINVAL);
  json_decref(o);
  /* Unmarked: NONE (the collection default applies later). */
  o = json_loads("{}", 0, NULL);
  assert_int_equal(acc_share_meta_from_json(o, &m, &d), ACC_OK);
  assert_int_equal(m.tlp, ACC_TLP_NONE);
  assert_null(m.orgs);
  json_decref(o);
  /* The published extension objects are valid JSON. */
  json_t *ext = json_loads(acc_policy_extension_objects(), 0, NULL);
  assert_non_null(ext);
  assert_int_equal(json_array_size(ext), 2);
  json_decref(ext);
}

/* Principals: a member org A (alice, amy), a member org B (bob), a partner
 * outside the community P (pat), anonymous. */
static acc_principal pr(int64_t uid, int64_t oid, const char *user,
                        const char *org, int member) {
  acc_principal p = {.uid = uid, .oid = oid, .org_member = member};
  snprintf(p.user, sizeof p.user, "%s", user);
  snprintf(p.org, sizeof p.org, "%s", org);
  return p;
}

static void test_decisions(void **state) {
  (void)state;
  acc_principal alice = pr(1, 1, "alice", "A", 1);
  acc_principal amy = pr(2, 1, "amy", "A", 1);
  acc_principal bob = pr(3, 2, "bob", "B", 1);
  acc_principal pat = pr(4, 3, "pat", "P", 0);
  acc_principal anon = acc_principal_anonymous;
  acc_share_access rd = {.can_read = 1}, none = {0}, pub = {.public_read = 1};
  /* Object added by alice (org A). */
  acc_share_facts f = {
      .origin_oid = 1, .origin_uid = 1, .granular_max = ACC_TLP_NONE};

  /* CLEAR: anyone the collection lets read; anonymous only if public. */
  f.tlp = ACC_TLP_CLEAR;
  assert_int_equal(acc_policy_decide(&pat, &rd, &f), ACC_ALLOW);
  assert_int_equal(acc_policy_decide(&pat, &none, &f), ACC_DENY);
  assert_int_equal(acc_policy_decide(&anon, &rd, &f), ACC_DENY);
  assert_int_equal(acc_policy_decide(&anon, &pub, &f), ACC_ALLOW);

  /* GREEN: authenticated community members. */
  f.tlp = ACC_TLP_GREEN;
  assert_int_equal(acc_policy_decide(&bob, &rd, &f), ACC_ALLOW);
  assert_int_equal(acc_policy_decide(&pat, &rd, &f), ACC_DENY);
  assert_int_equal(acc_policy_decide(&anon, &pub, &f), ACC_DENY);
  assert_int_equal(acc_policy_decide(&bob, &none, &f), ACC_DENY);

  /* AMBER naming B: originator org and B; not the partner. */
  f.tlp = ACC_TLP_AMBER;
  f.orgs = "|B|";
  assert_int_equal(acc_policy_decide(&amy, &rd, &f), ACC_ALLOW);
  assert_int_equal(acc_policy_decide(&bob, &rd, &f), ACC_ALLOW);
  assert_int_equal(acc_policy_decide(&pat, &rd, &f), ACC_DENY);
  /* ... TLP narrows read rights, never widens them. */
  assert_int_equal(acc_policy_decide(&bob, &none, &f), ACC_DENY);
  /* AMBER naming the partner: it may read AMBER though not GREEN. */
  f.orgs = "|P|";
  assert_int_equal(acc_policy_decide(&pat, &rd, &f), ACC_ALLOW);
  assert_int_equal(acc_policy_decide(&bob, &rd, &f), ACC_DENY);
  /* AMBER naming nobody: the organisations that may read the collection. */
  f.orgs = NULL;
  assert_int_equal(acc_policy_decide(&bob, &rd, &f), ACC_ALLOW);
  assert_int_equal(acc_policy_decide(&pat, &rd, &f), ACC_ALLOW);
  assert_int_equal(acc_policy_decide(&pat, &none, &f), ACC_DENY);

  /* AMBER+STRICT reads like AMBER here (the difference is onward
   * sharing, enforced on federation). */
  f.tlp = ACC_TLP_AMBER_STRICT;
  f.orgs = "|B|";
  assert_int_equal(acc_policy_decide(&bob, &rd, &f), ACC_ALLOW);
  assert_int_equal(acc_policy_decide(&pat, &rd, &f), ACC_DENY);

  /* RED: named individuals only (and whoever added it). */
  f.tlp = ACC_TLP_RED;
  f.orgs = "|A|B|";
  f.users = "|bob|";
  assert_int_equal(acc_policy_decide(&bob, &rd, &f), ACC_ALLOW);
  assert_int_equal(acc_policy_decide(&alice, &rd, &f), ACC_ALLOW);
  assert_int_equal(acc_policy_decide(&amy, &rd, &f), ACC_DENY);
  f.users = NULL;
  assert_int_equal(acc_policy_decide(&bob, &rd, &f), ACC_DENY);
  /* An administrator is not a named recipient. */
  acc_principal root = pr(9, 9, "root", "Ops", 1);
  root.admin = 1;
  assert_int_equal(acc_policy_decide(&root, &none, &f), ACC_DENY);
  f.tlp = ACC_TLP_GREEN;
  assert_int_equal(acc_policy_decide(&root, &none, &f), ACC_ALLOW);

  /* Unmarked objects take AMBER when no default was resolved. */
  f.tlp = ACC_TLP_NONE;
  f.orgs = "|A|";
  assert_int_equal(acc_policy_decide(&bob, &rd, &f), ACC_DENY);
  assert_int_equal(acc_policy_decide(&amy, &rd, &f), ACC_ALLOW);

  /* Granular: a GREEN object with a RED part is served redacted. */
  f.tlp = ACC_TLP_GREEN;
  f.granular_max = ACC_TLP_RED;
  assert_int_equal(acc_policy_decide(&bob, &rd, &f), ACC_ALLOW_REDACTED);
  f.users = "|bob|";
  f.orgs = NULL;
  assert_int_equal(acc_policy_decide(&bob, &rd, &f), ACC_ALLOW);
}

static const char *indicator =
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
    "\"id\":\"indicator--0f7c4d3e-2b1a-4e5f-8a9b-1c2d3e4f5a6b\","
    "\"created\":\"2026-01-11T10:00:00.000Z\","
    "\"modified\":\"2026-01-11T10:00:00.000Z\","
    "\"name\":\"C2\",\"description\":\"secret source\","
    "\"labels\":[\"a\",\"b\",\"c\"],"
    "\"pattern\":\"[ipv4-addr:value = '203.0.113.7']\","
    "\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-11T10:00:00Z\","
    "\"object_marking_refs\":[\"" M_GREEN "\"],"
    "\"granular_markings\":["
    "{\"marking_ref\":\"" M_RED "\",\"selectors\":[\"description\","
    "\"labels.[1]\"]},"
    "{\"marking_ref\":\"" M_GREEN "\",\"selectors\":[\"name\"]}]}";

static void test_redact(void **state) {
  (void)state;
  json_t *o = json_loads(indicator, 0, NULL);
  assert_non_null(o);
  unsigned green_only = (1u << ACC_TLP_CLEAR) | (1u << ACC_TLP_GREEN);
  json_t *r = NULL;
  assert_int_equal(acc_policy_redact(o, green_only, &r), ACC_OK);
  assert_null(json_object_get(r, "description"));
  json_t *labels = json_object_get(r, "labels");
  assert_int_equal(json_array_size(labels), 2);
  assert_string_equal(json_string_value(json_array_get(labels, 1)), "c");
  /* The RED marking is gone with its content; the GREEN one stays. */
  json_t *gm = json_object_get(r, "granular_markings");
  assert_int_equal(json_array_size(gm), 1);
  char *txt = json_dumps(r, 0);
  assert_null(strstr(txt, "secret source"));
  assert_null(strstr(txt, M_RED));
  free(txt);
  json_decref(r);
  /* The source object is untouched. */
  assert_non_null(json_object_get(o, "description"));
  /* Seeing RED: nothing removed. */
  assert_int_equal(acc_policy_redact(o, 0x1f, &r), ACC_OK);
  assert_non_null(json_object_get(r, "description"));
  json_decref(r);
  json_decref(o);

  /* A RED pattern: a required property, so the object is withheld. */
  o = json_loads(indicator, 0, NULL);
  json_t *g = json_array_get(json_object_get(o, "granular_markings"), 0);
  json_array_append_new(json_object_get(g, "selectors"),
                        json_string("pattern"));
  assert_int_equal(acc_policy_redact(o, green_only, &r), ACC_EINVAL);
  /* A selector that does not resolve: withheld, never guessed. */
  json_array_clear(json_object_get(g, "selectors"));
  json_array_append_new(json_object_get(g, "selectors"),
                        json_string("labels.[9]"));
  assert_int_equal(acc_policy_redact(o, green_only, &r), ACC_EINVAL);
  json_decref(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_markings),
      cmocka_unit_test(test_meta),
      cmocka_unit_test(test_decisions),
      cmocka_unit_test(test_redact),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
