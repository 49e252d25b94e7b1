/*
 * spool.h — the sensor's outbox.  Each finished session's STIX (one JSON
 * array per line) is appended to an open segment file in the spool
 * directory; a segment is closed (synced, renamed to its sequence number)
 * after `batch` sessions, 4 MiB or flush_ms.  An uploader thread sends
 * closed segments in order, one TAXII POST (or one store transaction)
 * each, and deletes a segment only once it was accepted.  While the
 * destination is unreachable segments wait on disk, with growing pauses
 * between attempts, and a restarted sensor finds and sends them.  The
 * spool is bounded: past spool_max the event loop refuses new
 * connections rather than lose what it has.
 */
#ifndef ACC_SENSOR_SPOOL_H
#define ACC_SENSOR_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct acc_spool acc_spool;

typedef struct acc_spool_opts {
  const char *dir;         /* created when absent */
  const char *taxii_url;   /* the collection's objects URL, or NULL */
  const char *taxii_token; /* Bearer token, or NULL */
  const char *store_dir;   /* a local store, or NULL */
  size_t batch;            /* sessions per segment */
  unsigned flush_ms;       /* oldest a non-empty open segment may get */
  size_t max_bytes;        /* bound of the spool on disk */
  unsigned retry_max_s;    /* longest pause between attempts */
} acc_spool_opts;

typedef struct acc_spool_counts {
  uint64_t segments_sent; /* segments accepted by the destination */
  uint64_t sessions_sent; /* session lines in them */
  uint64_t attempts_failed;
  uint64_t lines_skipped; /* damaged lines (a crash mid-write) */
  uint64_t bytes;         /* on disk now */
  uint64_t segments;      /* closed segments waiting */
} acc_spool_counts;

/* Open (and recover) the spool; closes an open segment left by a
 * previous run so that it is sent. */
acc_rc acc_spool_open(const acc_spool_opts *o, acc_spool **out, acc_diag *d);
/* Start the uploader thread. */
acc_rc acc_spool_start(acc_spool *s, acc_diag *d);
/* Append one session (a JSON array, no newline).  Event-loop thread. */
acc_rc acc_spool_append(acc_spool *s, const char *line, size_t n, acc_diag *d);
/* Close the open segment when older than flush_ms.  Event-loop thread. */
void acc_spool_tick(acc_spool *s);
/* 1 when the spool holds max_bytes or more. */
int acc_spool_full(acc_spool *s);
void acc_spool_counts_get(acc_spool *s, acc_spool_counts *c);
/* Close the open segment, let the uploader send what it can while the
 * destination answers (at most drain_ms), stop it and free. */
void acc_spool_free(acc_spool *s, unsigned drain_ms);

#endif
