/*
 * fuzz_misp.c — libFuzzer harness for the MISP parser and mapper: any
 * bytes in, no crash, no leak, and whatever the mapper writes for an event
 * is a well-formed JSON array of objects (acc_decode accepts it whole), so
 * acc_ingest always sees either valid STIX or a clear per-object refusal.
 */
#include <stdint.h>
#include <stdlib.h>

#include "misp/misp.h"
#include "stix/decode.h"
#include "stix/stix.h"

static acc_rc on_obj(void *ctx, const acc_decoded *d) {
  (void)ctx;
  if (d->err || !json_is_object(d->json))
    abort(); /* the mapper wrote something that is not a JSON object */
  acc_stix_obj o;
  acc_diag diag;
  acc_stix_validate(d->json, &o, &diag, NULL, NULL);
  return ACC_OK;
}

static void map_one(json_t *ev) {
  acc_misp_import_opts opts = {0};
  acc_misp_counts c = {0};
  acc_buf out;
  acc_diag d;
  acc_buf_init(&out, (size_t)1 << 26);
  if (acc_misp_map_event(ev, "fuzz", &opts, &out, &c, &d) == ACC_OK) {
    acc_doc_shape shape;
    if (acc_decode(out.data, out.len, NULL, on_obj, NULL, &shape, &d) ||
        shape != ACC_SHAPE_ARRAY)
      abort();
  }
  acc_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *root =
      json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
  if (!root)
    return 0;
  json_t *resp = json_object_get(root, "response");
  json_t *list = json_is_array(resp) ? resp : json_is_array(root) ? root : NULL;
  if (list) {
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) {
      if (i >= 16)
        break;
      map_one(e);
    }
  } else {
    map_one(root);
  }
  /* and the whole import path, without a store */
  acc_misp_import_opts io = {.no_store = 1};
  acc_misp_importer *m;
  if (acc_misp_importer_new(NULL, &io, &m) == ACC_OK) {
    acc_diag d;
    acc_misp_import_buf(m, "fuzz", (const char *)data, size, &d);
    acc_misp_importer_free(m);
  }
  json_decref(root);
  return 0;
}
