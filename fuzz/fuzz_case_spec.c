/*
 * fuzz_case_spec.c — libFuzzer harness for the JSON bodies of
 * /api/v1/cases: the case specification (new and edit), an evidence item
 * and an endorsement.  Each must be accepted or refused with a message,
 * never crash or leak.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "case/case.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  acc_diag d;
  json_t *j = NULL;
  if (acc_case_spec_parse((const char *)data, size, 0, &j, &d) == ACC_OK) {
    if (!json_is_object(j) || !json_object_get(j, "title"))
      abort();
    json_decref(j);
  }
  j = NULL;
  if (acc_case_spec_parse((const char *)data, size, 1, &j, &d) == ACC_OK)
    json_decref(j);
  j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
  if (j) {
    acc_case_evidence_check(j, &d);
    acc_case_endorse_check(j, &d);
    json_decref(j);
  }
  return 0;
}
