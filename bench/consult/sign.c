/*
 * sign.c — bench/consult: signing and verifying consultation messages
 * (src/cbm/sign.c: RFC 8785 canonical JSON + Ed25519), and reading them
 * as a peer does (parse + index row, which verifies again).  Messages
 * are real openings (about 1.5 KiB of JSON with the sharing and
 * confidence-building extensions), each with its own id and text.
 * usage: sign N   (prints one line per step: count, seconds, per second)
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cbm/cbm.h"
#include "policy/policy.h"

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static json_t *message(size_t i) {
  char id[64], text[512];
  snprintf(id, sizeof id, "note--%08zx-2222-4333-8444-555555555555", i);
  snprintf(text, sizeof text,
           "Message %zu: since 29 November we observe scanning of our grid "
           "operators from addresses in your territory (AS64500, "
           "198.51.100.0/24). Could you look into it and tell us what you "
           "find? We refer to the incident and indicators attached.",
           i);
  return json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[s],s:[s],s:{s:{s:s,s:[s,s,s]},s:{s:s,"
      "s:s,s:s,s:s,s:s,s:s,s:[s],s:s,s:s,s:s,s:s,s:s,s:[{s:s,s:s,s:s}]}}}",
      "type", "note", "spec_version", "2.1", "id", id, "created",
      "2026-12-01T10:00:00.000Z", "modified", "2026-12-01T10:00:00.000Z",
      "abstract", "Consultation (activity-notification, urgent): Scanning",
      "content", text, "object_refs",
      "incident--0c0a0b0c-1d1e-4f2a-8b3c-4d5e6f708192", "object_marking_refs",
      acc_tlp_marking_id(ACC_TLP_AMBER_STRICT), "extensions", ACC_EXT_SHARING,
      "extension_type", "property-extension", "recipient_orgs", "cert-a",
      "cert-b", "cert-c", ACC_EXT_CBM, "extension_type", "property-extension",
      "kind", "consultation-message", "action", "open", "from_org", "cert-a",
      "from_user", "alice", "to_org", "cert-b", "observers", "cert-c",
      "consultation_kind", "activity-notification", "urgency", "urgent",
      "subject", "Scanning of grid operators from AS64500", "ack_due",
      "2026-12-01T14:00:00.000Z", "answer_due", "2026-12-04T10:00:00.000Z",
      "refs", "ref", "incident--0c0a0b0c-1d1e-4f2a-8b3c-4d5e6f708192", "type",
      "incident", "tlp", "AMBER");
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
  if (sodium_init() < 0 || n == 0)
    return 1;
  acc_org_key k;
  memset(&k, 0, sizeof k);
  snprintf(k.org, sizeof k.org, "cert-a");
  crypto_sign_keypair(k.pk, k.sk);
  k.has_secret = 1;
  acc_key_id(k.pk, k.key_id);
  json_t **m = calloc(n, sizeof *m);
  char **text = calloc(n, sizeof *text);
  if (!m || !text)
    return 1;
  for (size_t i = 0; i < n; i++)
    m[i] = message(i);
  acc_diag d;
  double t0 = now_s();
  for (size_t i = 0; i < n; i++)
    if (acc_cbm_sign(m[i], &k, &d)) {
      fprintf(stderr, "sign: %s\n", d.msg);
      return 1;
    }
  double t1 = now_s();
  size_t bytes = 0;
  for (size_t i = 0; i < n; i++) {
    text[i] = json_dumps(m[i], JSON_COMPACT);
    bytes += strlen(text[i]);
  }
  double t2 = now_s();
  for (size_t i = 0; i < n; i++)
    if (acc_cbm_verify(m[i], NULL) != ACC_CBM_SIG_OK)
      return 1;
  double t3 = now_s();
  /* As a receiving peer: text → tree → message → index row. */
  for (size_t i = 0; i < n; i++) {
    json_t *j = json_loads(text[i], 0, NULL);
    acc_cbm_row row;
    if (!j || !acc_cbm_index_row(j, &row) || row.sig != ACC_CBM_SIG_OK)
      return 1;
    json_decref(j);
  }
  double t4 = now_s();
  printf("messages        %zu (%.0f bytes each)\n", n, (double)bytes / n);
  printf("sign            %.3f s  %8.0f/s  %6.1f us each\n", t1 - t0,
         n / (t1 - t0), 1e6 * (t1 - t0) / n);
  printf("verify          %.3f s  %8.0f/s  %6.1f us each\n", t3 - t2,
         n / (t3 - t2), 1e6 * (t3 - t2) / n);
  printf("receive+verify  %.3f s  %8.0f/s  %6.1f us each (parse, check, "
         "index row)\n",
         t4 - t3, n / (t4 - t3), 1e6 * (t4 - t3) / n);
  for (size_t i = 0; i < n; i++) {
    json_decref(m[i]);
    free(text[i]);
  }
  free(m);
  free(text);
  acc_key_wipe(&k);
  return 0;
}
