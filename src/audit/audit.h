/*
 * audit.h — the tamper-evident audit log: every release and every denial
 * of stored content, appended to DIR/audit.log as JSON lines, each line
 * carrying the SHA-256 of the line before it.  Editing, deleting or
 * reordering any entry breaks the chain, which `accord audit verify`
 * detects.  Several processes (the server, the CLI) may append at once:
 * appends are serialised with an exclusive file lock.
 */
#ifndef ACC_AUDIT_H
#define ACC_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef struct acc_audit acc_audit;

/* One entry: a principal was given (or refused) some objects. */
typedef struct acc_audit_entry {
  const char *action;         /* "release" or "deny" */
  const char *principal;      /* user name, "anonymous", "operator", "peer:X" */
  const char *org;            /* organisation name, or "" */
  const char *path;           /* the way out, e.g. "taxii GET /api/..." */
  const char *const *objects; /* object ids (with version when known) */
  size_t n_objects;
  /* Or, instead of objects: the list already written as JSON strings
   * separated by commas (n_objects still counts them). */
  const char *objects_json;
  size_t objects_json_len;
} acc_audit_entry;

/* Open (creating) the log of data directory dir. */
acc_rc acc_audit_open(const char *dir, acc_audit **out, acc_diag *d);
void acc_audit_close(acc_audit *a);

/* Append one entry (a no-op when n_objects is 0).  Thread-safe. */
acc_rc acc_audit_append(acc_audit *a, const acc_audit_entry *e, acc_diag *d);

/* Deferred appends, for a server thread answering a request: after
 * acc_audit_defer(a), this thread's appends to a only queue their entries
 * (chained in queue order) and return; acc_audit_settle then returns once
 * every one of them is written (writing the queue itself when nobody else
 * is), or the error that stopped the log.  The server calls settle before
 * anything of the answer leaves, so no release goes unrecorded; meanwhile
 * other threads' entries join the same write.  settle ends the deferral. */
void acc_audit_defer(acc_audit *a);
acc_rc acc_audit_settle(acc_diag *d);

/* Verify the whole chain of dir's log.  ACC_OK with *n_entries and the
 * hash of the last entry (65 bytes, hex) written; ACC_EINVAL with diag
 * naming the first broken entry (line number and why). */
acc_rc acc_audit_verify(const char *dir, size_t *n_entries, char head_hex[65],
                        acc_diag *d);

/* Call cb for every entry line (verbatim, without the newline) matching
 * the filters (NULL = any): principal, an object id among its objects,
 * and a time window [since_us, until_us] (ACC_TIME_NONE = open). */
typedef int (*acc_audit_cb)(void *ctx, const char *line, size_t len);
acc_rc acc_audit_show(const char *dir, const char *principal,
                      const char *object, int64_t since_us, int64_t until_us,
                      acc_audit_cb cb, void *ctx, acc_diag *d);

#endif
