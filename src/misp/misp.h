/*
 * misp.h — MISP interoperability: MISP core-format events and feeds in
 * (mapped to STIX 2.1 and stored through acc_ingest) and out (stored STIX,
 * read through the sharing policy's guard, written back as MISP events or
 * a MISP feed directory).  The mapping is described in docs/MISP.md.
 */
#ifndef ACC_MISP_H
#define ACC_MISP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ingest/ingest.h"
#include "policy/guard.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/error.h"

/* Accord's property extension carrying what STIX has no place for (MISP
 * type, category, to_ids, distribution, ...), published by
 * acc_misp_extension_objects. */
#define ACC_EXT_MISP                                                           \
  "extension-definition--7d3f9a42-5c1b-4e8d-9f26-0a4b8c3e1d57"

/* The extension-definition object of ACC_EXT_MISP (one JSON object). */
const char *acc_misp_extension_object(void);

/* ---- import ---------------------------------------------------------- */

typedef enum acc_misp_level {
  ACC_MISP_WARN,  /* imported, with something changed or dropped */
  ACC_MISP_ERROR, /* that item was not imported */
} acc_misp_level;

/* One problem, with where it is.  Strings may be NULL when unknown;
 * indexes are -1 when not applicable (0-based otherwise). */
typedef struct acc_misp_msg {
  acc_misp_level level;
  const char *file;
  const char *event_uuid;
  long object_index; /* MISP object within the event */
  const char *object_uuid;
  long attr_index; /* attribute within the event or the object */
  const char *attr_uuid;
  const char *msg; /* what is wrong */
} acc_misp_msg;

/* How the attributes were carried in STIX (docs/MISP.md). */
typedef enum acc_misp_carrier {
  ACC_MISP_C_INDICATOR,
  ACC_MISP_C_OBSERVED,
  ACC_MISP_C_SDO,
  ACC_MISP_C_NOTE,
  ACC_MISP_C_CUSTOM,
  ACC_MISP_C_COUNT
} acc_misp_carrier;

typedef struct acc_misp_unmapped {
  char type[64];
  size_t n;
} acc_misp_unmapped;

#define ACC_MISP_UNMAPPED_KINDS 32

typedef struct acc_misp_counts {
  size_t events;           /* read */
  size_t events_imported;  /* mapped and handed to acc_ingest */
  size_t events_unchanged; /* already stored at this timestamp: skipped */
  size_t events_failed;    /* refused whole (no uuid, not an event, ...) */
  size_t attributes;       /* read, in events and objects */
  size_t mapped[ACC_MISP_C_COUNT];
  size_t unmapped; /* attributes not imported, all reasons */
  size_t rejected; /* mapped but refused by STIX validation / the store */
  size_t objects;  /* MISP objects (groupings) */
  size_t references, references_unmapped;
  size_t sightings, galaxies, tags;
  size_t warnings, errors;
  acc_ingest_counts stix; /* summed over every acc_ingest call */
  /* Unmapped attributes by their (claimed) type; the last slot collects
   * every type beyond the first ACC_MISP_UNMAPPED_KINDS - 1. */
  acc_misp_unmapped by_type[ACC_MISP_UNMAPPED_KINDS];
  size_t n_by_type;
} acc_misp_counts;

typedef struct acc_misp_import_opts {
  /* Passed to acc_ingest: collection, originator, import-time TLP and
   * recipients, batch.  Its callbacks are Accord's own and ignored. */
  acc_ingest_opts ingest;
  int force;    /* map events even when already stored at this timestamp */
  int no_store; /* map and validate, store nothing (--dry-run) */
  void *ctx;
  void (*on_message)(void *ctx, const acc_misp_msg *m);
  /* After each event: its uuid and what happened (0 imported, 1 skipped as
   * unchanged, -1 refused). */
  void (*on_event)(void *ctx, const char *uuid, int outcome);
} acc_misp_import_opts;

typedef struct acc_misp_importer acc_misp_importer;

/* s may be NULL with opts->no_store. */
acc_rc acc_misp_importer_new(acc_store *s, const acc_misp_import_opts *opts,
                             acc_misp_importer **out);
void acc_misp_importer_free(acc_misp_importer *m);

/*
 * Import one document: a MISP event ({"Event": {...}} or bare), a JSON
 * array of events, or a REST answer ({"response": [...]}).  name is used
 * in messages.  Returns ACC_OK when the document could be read (items may
 * still have been refused: see the counts), ACC_EJSON / ACC_ESHAPE when
 * it is not JSON or holds no MISP event, or a store error.
 */
acc_rc acc_misp_import_buf(acc_misp_importer *m, const char *name,
                           const char *buf, size_t len, acc_diag *d);

/*
 * Import a MISP feed directory: manifest.json (when present; otherwise
 * every *.json file but manifest.json) and <uuid>.json per event.  Events
 * already stored at the manifest's timestamp are skipped without reading
 * their file (unless force).  An integrity:sha256 in the manifest is
 * checked.
 */
acc_rc acc_misp_import_dir(acc_misp_importer *m, const char *dir,
                           size_t max_bytes, acc_diag *d);

const acc_misp_counts *acc_misp_importer_counts(const acc_misp_importer *m);

/*
 * The mapper alone (no store): map one MISP event object to STIX 2.1
 * objects written as one JSON array into out.  Used by the importer, the
 * fuzz harness and the tests.  Messages go to opts->on_message.
 */
acc_rc acc_misp_map_event(json_t *event, const char *file,
                          const acc_misp_import_opts *opts, acc_buf *out,
                          acc_misp_counts *counts, acc_diag *d);

/* ---- export ---------------------------------------------------------- */

typedef struct acc_misp_export_opts {
  FILE *out;            /* one document ({"Event"} or {"response": [...]}) */
  const char *feed_dir; /* or: a feed directory (created when absent) */
  int pretty;           /* indent the JSON */
  void *ctx;
  void (*on_message)(void *ctx, const char *msg);
} acc_misp_export_opts;

typedef struct acc_misp_export_counts {
  size_t objects;    /* STIX versions released by the guard */
  size_t events;     /* MISP events written */
  size_t attributes; /* of which in objects: */
  size_t in_objects;
  size_t objects_misp; /* MISP objects written */
  size_t sightings, galaxies, references;
  size_t skipped; /* STIX objects with no MISP form (listed in messages) */
  size_t missing; /* referenced but absent or not visible to the reader */
} acc_misp_export_counts;

/*
 * Export what q selects, read as rd->who through acc_guard_scan (so the
 * sharing policy applies and every release is audited): each report
 * becomes an event with the objects it refers to; selected objects that no
 * selected report holds are gathered in one more event.
 */
acc_rc acc_misp_export(acc_store *s, const acc_reader *rd, const acc_query *q,
                       const acc_misp_export_opts *o, acc_misp_export_counts *c,
                       acc_diag *d);

/* ---- synthetic feeds (benchmarks, tests) ------------------------------ */

/* Write a MISP feed of n_events events of n_attrs attributes each into dir
 * (manifest.json, hashes.csv, <uuid>.json); same seed, same bytes. */
acc_rc acc_misp_synth_feed(const char *dir, size_t n_events, size_t n_attrs,
                           uint64_t seed, acc_diag *d);

#endif
