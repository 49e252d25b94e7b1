/*
 * error.c — error code descriptions and diagnostic formatting.
 */
#include "util/error.h"

#include <stdio.h>
#include <string.h>

static const char *const errstr[ACC_ERC_COUNT] = {
    [ACC_OK] = "success",
    [ACC_ENOMEM] = "out of memory",
    [ACC_EIO] = "input/output error",
    [ACC_EJSON] = "malformed JSON",
    [ACC_EINVAL] = "invalid content",
    [ACC_ETOOBIG] = "too large",
    [ACC_ETOODEEP] = "nested too deeply",
    [ACC_ESHAPE] = "unknown document shape",
    [ACC_ENOTFOUND] = "not found",
    [ACC_ECONFLICT] = "version conflict",
    [ACC_ESTORE] = "store error",
    [ACC_ESCHEMA] = "store schema is newer than this program",
    [ACC_EUSAGE] = "usage error",
    [ACC_EEXIST] = "already exists",
};

const char *acc_strerror(acc_rc rc) {
  if ((int)rc < 0 || rc >= ACC_ERC_COUNT || !errstr[rc])
    return "unknown error";
  return errstr[rc];
}

acc_rc acc_diag_set(acc_diag *diag, acc_rc rc, const char *fmt, ...) {
  if (!diag)
    return rc;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(diag->msg, sizeof diag->msg, fmt, ap);
  va_end(ap);
  return rc;
}

void acc_diag_prefix(acc_diag *diag, const char *fmt, ...) {
  if (!diag)
    return;
  char head[256];
  char old[sizeof diag->msg];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(head, sizeof head, fmt, ap);
  va_end(ap);
  memcpy(old, diag->msg, sizeof old);
  size_t hl = strnlen(head, sizeof head);
  size_t ol = strnlen(old, sizeof old - 1);
  if (hl > sizeof diag->msg - 1)
    hl = sizeof diag->msg - 1;
  if (ol > sizeof diag->msg - 1 - hl)
    ol = sizeof diag->msg - 1 - hl;
  memcpy(diag->msg, head, hl);
  memcpy(diag->msg + hl, old, ol);
  diag->msg[hl + ol] = '\0';
}
