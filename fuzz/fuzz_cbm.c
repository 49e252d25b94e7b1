/*
 * fuzz_cbm.c — libFuzzer harness for what confidence-building reads from
 * outside: points of contact and consultation messages received from
 * peers, TAXII clients or imports (a STIX object: validated, then the
 * extension parsed, the signature checked, the index row built), and the
 * JSON bodies of POST /api/v1/consultations and /api/v1/poc.  Each must
 * be accepted or refused with a message, never crash or leak, and what is
 * accepted must hold together.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cbm/cbm.h"
#include "stix/stix.h"
#include "util/time.h"

static void object(json_t *j) {
  acc_stix_obj o;
  acc_diag d;
  if (acc_stix_validate(j, &o, &d, NULL, NULL) != ACC_OK)
    return;
  char kind = acc_cbm_kind_of(j);
  acc_cbm_msg m;
  if (acc_cbm_msg_parse(j, &m, &d) == ACC_OK) {
    if (kind != 'm' || !m.from_org || !m.consultation ||
        m.created_us == ACC_TIME_NONE || m.n_recipients < 1)
      abort();
    if (m.action == ACC_CBM_MSG_OPEN &&
        (!m.to_org || m.ack_due_us <= m.created_us ||
         m.answer_due_us < m.ack_due_us || m.n_recipients != 2 + m.n_observers))
      abort();
    acc_cbm_msg_clear(&m);
  }
  acc_cbm_poc p;
  if (acc_cbm_poc_parse(j, &p, &d) == ACC_OK) {
    if (kind != 'p' || !p.org || !p.level || p.n_channels < 1 ||
        p.confirmed_us == ACC_TIME_NONE)
      abort();
    acc_cbm_poc_clear(&p);
  }
  char key[ACC_KEY_PUB_TEXT_MAX];
  int s = acc_cbm_verify(j, key);
  if (s != ACC_CBM_SIG_OK && s != ACC_CBM_SIG_BAD && s != ACC_CBM_SIG_NONE)
    abort();
  acc_cbm_row row;
  if (acc_cbm_index_row(j, &row) && row.kind != kind)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *j =
      json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
  if (!j)
    return 0;
  acc_diag d;
  if (json_is_object(j)) {
    json_t *objs = json_object_get(j, "objects");
    if (json_is_array(objs)) {
      size_t i;
      json_t *o;
      json_array_foreach(objs, i, o) {
        if (i >= 16)
          break;
        object(o);
      }
    } else {
      object(j);
      /* The same text as an API body. */
      json_t *c = json_deep_copy(j);
      acc_cbm_open_check(c, &d);
      acc_cbm_poc_spec_check(c, &d);
      json_decref(c);
    }
  }
  int64_t us;
  if (json_is_string(j))
    acc_cbm_duration(json_string_value(j), &us, &d);
  json_decref(j);
  return 0;
}
