/*
 * import.c — POST /api/v1/import: a STIX document (bundle, TAXII envelope,
 * array, JSON lines or one object) or a MISP document (event, array of
 * events, REST answer) into a collection the caller may write, through the
 * same path as `accord import` and TAXII POST (acc_ingest, with the caller
 * as originator), and the observed-data it brings matched against stored
 * indicators as TAXII POST does.  The answer counts what was stored and
 * lists each refused object or attribute with where it is and why.
 *
 * Query parameters: collection (alias or id, default "default"), format
 * (auto, stix or misp; auto recognises MISP by its Event/Attribute keys).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "ingest/ingest.h"
#include "misp/misp.h"
#include "taxii/server_int.h"

#define IMPORT_ERRORS_MAX 1000

typedef struct import_ctx {
  json_t *errors;
  json_t *warnings;
  size_t n_errors, n_warnings;
  acc_buf observed; /* new observed-data ids, NUL-separated */
  int new_indicators;
} import_ctx;

static void on_stored(void *ctx, size_t index, const acc_stix_obj *o,
                      int duplicate, int64_t added) {
  import_ctx *x = ctx;
  (void)index;
  (void)added;
  if (duplicate)
    return;
  if (strcmp(o->type, "observed-data") == 0)
    acc_buf_append(&x->observed, o->id, strlen(o->id) + 1);
  if (strcmp(o->type, "indicator") == 0)
    x->new_indicators = 1;
}

static void on_reject(void *ctx, const acc_ingest_reject *rj) {
  import_ctx *x = ctx;
  if (x->n_errors++ >= IMPORT_ERRORS_MAX)
    return;
  json_array_append_new(
      x->errors, json_pack("{s:I,s:I,s:s?,s:s}", "index",
                           (json_int_t)rj->index, "line", (json_int_t)rj->line,
                           "id", rj->id, "message",
                           rj->msg ? rj->msg : acc_strerror(rj->rc)));
}

static void on_warning(void *ctx, size_t index, const char *id,
                       const char *msg) {
  import_ctx *x = ctx;
  if (x->n_warnings++ >= IMPORT_ERRORS_MAX)
    return;
  json_array_append_new(x->warnings,
                        json_pack("{s:I,s:s?,s:s}", "index", (json_int_t)index,
                                  "id", id, "message", msg ? msg : ""));
}

static void on_misp(void *ctx, const acc_misp_msg *m) {
  import_ctx *x = ctx;
  int err = m->level == ACC_MISP_ERROR;
  size_t *n = err ? &x->n_errors : &x->n_warnings;
  if ((*n)++ >= IMPORT_ERRORS_MAX)
    return;
  json_t *e = json_pack("{s:s?,s:s?,s:s}", "event", m->event_uuid, "attribute",
                        m->attr_uuid, "message", m->msg ? m->msg : "");
  if (m->object_index >= 0)
    json_object_set_new(e, "object_index", json_integer(m->object_index));
  if (m->attr_index >= 0)
    json_object_set_new(e, "attribute_index", json_integer(m->attr_index));
  json_array_append_new(err ? x->errors : x->warnings, e);
}

/* MISP rather than STIX, from the first 64 KiB. */
static int looks_misp(const char *body, size_t len) {
  size_t n = len < 65536 ? len : 65536;
  char *head = strndup(body, n);
  if (!head)
    return 0;
  int misp = (strstr(head, "\"Event\"") || strstr(head, "\"Attribute\"")) &&
             !strstr(head, "\"spec_version\"") && !strstr(head, "\"bundle\"");
  free(head);
  return misp;
}

void acc_api_import(acc_api_call *c, acc_api_reply *r) {
  acc_taxii_server *s = c->srv;
  const char *cname = acc_api_query(c, "collection");
  const char *format = acc_api_query(c, "format");
  if (!cname || !*cname)
    cname = "default";
  if (!format || !*format)
    format = "auto";
  int misp;
  if (strcmp(format, "misp") == 0)
    misp = 1;
  else if (strcmp(format, "stix") == 0)
    misp = 0;
  else if (strcmp(format, "auto") == 0)
    misp = looks_misp(c->body, c->body_len);
  else {
    acc_api_error(r, 400, "format must be auto, stix or misp, not '%.20s'",
                  format);
    return;
  }
  if (!c->body_len) {
    acc_api_error(r, 400, "the request has no body: send the file's content");
    return;
  }
  acc_collection coll;
  acc_diag d = {{0}};
  acc_rc rc = c->st->ops->coll_get(c->st, s->cfg.api_root, cname, &coll, &d);
  int rd = 0, wr = 0;
  if (rc == ACC_OK) {
    if (c->who->admin)
      rd = wr = 1;
    else
      rc = c->st->ops->grant_get(c->st, coll.cid, c->who->oid, &rd, &wr, &d);
  }
  if (rc == ACC_ENOTFOUND || (rc == ACC_OK && !rd && !wr)) {
    acc_api_error(r, 404, "no collection '%.100s' (pick one you may write to)",
                  cname);
    return;
  }
  if (rc) {
    acc_api_error(r, 500, "reading the collection failed: %s", d.msg);
    return;
  }
  if (!wr) {
    acc_api_error(r, 403,
                  "your organisation may not write to collection '%.100s': "
                  "pick another, or ask an administrator for a grant",
                  cname);
    return;
  }
  import_ctx x = {.errors = json_array(), .warnings = json_array()};
  acc_buf_init(&x.observed, (size_t)64 << 20);
  acc_ingest_opts o = {
      .limits = {.max_doc_bytes = s->cfg.max_content_length},
      .collection = coll.cid,
      .origin_oid = c->who->oid,
      .origin_uid = c->who->uid,
      .ctx = &x,
      .on_stored = on_stored,
      .on_reject = on_reject,
      .on_warning = on_warning};
  json_t *out = NULL;
  if (misp) {
    acc_misp_import_opts mo = {.ingest = o, .ctx = &x, .on_message = on_misp};
    acc_misp_importer *m = NULL;
    rc = acc_misp_importer_new(c->st, &mo, &m);
    if (!rc)
      rc = acc_misp_import_buf(m, "upload", c->body, c->body_len, &d);
    if (rc == ACC_OK || rc == ACC_EINVAL) {
      const acc_misp_counts *mc = acc_misp_importer_counts(m);
      out = json_pack(
          "{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "format", "misp",
          "collection", coll.alias[0] ? coll.alias : coll.id, "events",
          (json_int_t)mc->events, "events_imported",
          (json_int_t)mc->events_imported, "attributes",
          (json_int_t)mc->attributes, "stored", (json_int_t)mc->stix.stored,
          "duplicate", (json_int_t)mc->stix.duplicate, "rejected",
          (json_int_t)(mc->rejected + mc->unmapped + mc->events_failed),
          "warnings_count", (json_int_t)mc->warnings);
      rc = ACC_OK;
    }
    acc_misp_importer_free(m);
  } else {
    acc_ingest_counts counts;
    acc_doc_shape shape = ACC_SHAPE_OBJECT;
    rc = acc_ingest(c->st, c->body, c->body_len, &o, &counts, &shape, &d);
    if (!rc)
      out = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I}", "format", "stix",
                      "shape", acc_doc_shape_name(shape), "collection",
                      coll.alias[0] ? coll.alias : coll.id, "stored",
                      (json_int_t)counts.stored, "duplicate",
                      (json_int_t)counts.duplicate, "rejected",
                      (json_int_t)counts.rejected, "warnings_count",
                      (json_int_t)counts.warnings);
    if (!rc) {
      atomic_fetch_add(&s->m.objects_ingested, counts.stored);
      atomic_fetch_add(&s->m.objects_rejected, counts.rejected);
    }
  }
  if (rc) {
    int code = (rc == ACC_EJSON || rc == ACC_ESHAPE || rc == ACC_ETOODEEP ||
                rc == ACC_ETOOBIG || rc == ACC_EINVAL)
                   ? 422
                   : 500;
    acc_api_error(r, code,
                  "the file could not be read as %s: %s (nothing was stored; "
                  "check that it is a %s document, or pick the other format)",
                  misp ? "MISP" : "STIX", d.msg,
                  misp ? "MISP event" : "STIX 2.x");
    goto out;
  }
  if (x.new_indicators)
    acc_taxii_detect_invalidate(s);
  size_t n_sight = 0;
  if (x.observed.len) {
    acc_diag dd;
    if (acc_taxii_detect(s, c->st, x.observed.data, x.observed.len, &n_sight,
                         &dd))
      acc_taxii_log_note(s, NULL, "detection failed", dd.msg);
    atomic_fetch_add(&s->m.sightings, n_sight);
  }
  json_object_set_new(out, "sightings", json_integer((json_int_t)n_sight));
  json_object_set_new(out, "errors_total", json_integer((json_int_t)x.n_errors));
  json_object_set(out, "errors", x.errors);
  json_object_set(out, "warnings", x.warnings);
  acc_api_json(r, 200, out);
  out = NULL;
out:
  json_decref(out);
  json_decref(x.errors);
  json_decref(x.warnings);
  acc_buf_free(&x.observed);
}
