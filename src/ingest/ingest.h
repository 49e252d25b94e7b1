/*
 * ingest.h — the one way content enters a store: decode a document,
 * validate each object, and store it with its exact bytes.  The CLI import
 * and (later) TAXII POST and federation pulls all call acc_ingest.
 */
#ifndef ACC_INGEST_H
#define ACC_INGEST_H

#include <stddef.h>

#include "stix/decode.h"
#include "store/store.h"

/* Why one object was not stored. */
typedef struct acc_ingest_reject {
  size_t index;   /* 0-based position of the object in the document */
  size_t line;    /* 1-based line where it starts */
  const char *id; /* its id when known, else NULL */
  acc_rc rc;
  const char *msg; /* what was wrong, naming the property */
} acc_ingest_reject;

typedef struct acc_ingest_counts {
  size_t stored;
  size_t duplicate;
  size_t rejected;
  size_t warnings;
} acc_ingest_counts;

typedef struct acc_ingest_opts {
  acc_decode_limits limits;
  int64_t collection; /* acc_collection.cid; 0 = the default collection */
  int strict;         /* the document is all-or-nothing */
  size_t batch;       /* objects per transaction when not strict; 0 = 50,000 */
  /* Who adds the content: the sharing policy's originator (0 = the
   * instance itself). */
  int64_t origin_oid;
  int64_t origin_uid;
  /* Marking on import: objects without a TLP marking get mark_tlp (an
   * acc_tlp) when mark_tlp_set; objects naming no recipients get these.
   * Such objects are rewritten (same id and modified) before storing. */
  int mark_tlp_set;
  int mark_tlp;
  const char *const *share_orgs;
  size_t n_share_orgs;
  const char *const *share_users;
  size_t n_share_users;
  void *ctx; /* passed to the callbacks below, all optional */
  void (*on_reject)(void *ctx, const acc_ingest_reject *r);
  void (*on_warning)(void *ctx, size_t index, const char *id, const char *msg);
  /* Each object stored or found already stored (duplicate set). */
  void (*on_stored)(void *ctx, size_t index, const acc_stix_obj *o,
                    int duplicate, int64_t date_added_us);
  /* Called now and then with the bytes of the document consumed. */
  void (*on_progress)(void *ctx, size_t done, size_t total,
                      const acc_ingest_counts *c);
  /* Called inside the write transaction just before each commit (each
   * batch, and the end of the document), so that what it writes commits
   * or rolls back together with the objects (federation keeps its
   * watermark so).  An error rolls the open batch back and ends the
   * ingest with that error. */
  acc_rc (*before_commit)(void *ctx, acc_store *s, const acc_ingest_counts *c,
                          acc_diag *d);
} acc_ingest_opts;

/*
 * Ingest buf[0..len) into s.  Returns ACC_OK when the document could be
 * read (individual objects may still have been rejected: see counts), or a
 * document-level error with diag (nothing stored).  In strict mode any
 * rejected object rolls back the whole document and ACC_EINVAL is
 * returned.  counts is always written.
 */
acc_rc acc_ingest(acc_store *s, const char *buf, size_t len,
                  const acc_ingest_opts *opts, acc_ingest_counts *counts,
                  acc_doc_shape *shape, acc_diag *diag);

#endif
