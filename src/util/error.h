/*
 * error.h — the one error enum of Accord, and the diagnostic record that
 * carries a human-readable "what and where" alongside it.
 *
 * Every fallible function returns acc_rc; ACC_OK is zero so callers write
 * `if (rc) goto out;`.  When a function can say more than the code, it
 * fills an acc_diag supplied by the caller (which may be NULL).
 */
#ifndef ACC_ERROR_H
#define ACC_ERROR_H

#include <stdarg.h>
#include <stddef.h>

typedef enum acc_rc {
  ACC_OK = 0,
  ACC_ENOMEM,    /* allocation failed or a cap was reached */
  ACC_EIO,       /* reading or writing a file failed */
  ACC_EJSON,     /* not well-formed JSON (syntax, UTF-8, duplicate key) */
  ACC_EINVAL,    /* well-formed but not valid STIX, or a bad argument */
  ACC_ETOOBIG,   /* a document or object larger than the configured bound */
  ACC_ETOODEEP,  /* nesting deeper than the configured bound */
  ACC_ESHAPE,    /* the top-level shape of a document is not one we read */
  ACC_ENOTFOUND, /* no such object, version or file */
  ACC_ECONFLICT, /* same (id, modified) already stored with other content */
  ACC_ESTORE,    /* the storage backend failed */
  ACC_ESCHEMA,   /* the store was written by a newer Accord */
  ACC_EUSAGE,    /* wrong command-line usage */
  ACC_EEXIST,    /* something that must not exist already does */
  ACC_ERC_COUNT
} acc_rc;

/* A short, static description of an error code. */
const char *acc_strerror(acc_rc rc);

/* The detail of an error: what was wrong and where, as one line. */
typedef struct acc_diag {
  char msg[768];
} acc_diag;

/* Write a message into diag (no-op when diag is NULL); returns rc. */
acc_rc acc_diag_set(acc_diag *diag, acc_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix an existing message with more context ("file.json: " ...). */
void acc_diag_prefix(acc_diag *diag, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
