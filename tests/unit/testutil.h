/*
 * testutil.h — fixtures shared by the unit tests: a fresh store in a
 * temporary directory, whole-file and command-output readers, and the
 * location of the shared reference data (exit 77 = skipped when absent).
 */
#ifndef ACC_TESTUTIL_H
#define ACC_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

typedef struct fx {
  char dir[64];
  acc_store *s;
} fx;

static inline int setup(void **state) {
  fx *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/acc-test-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  acc_diag d;
  if (acc_store_open(f->dir, 1, &f->s, &d))
    return -1;
  *state = f;
  return 0;
}

static inline int teardown(void **state) {
  fx *f = *state;
  acc_store_close(f->s);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  if (system(cmd) != 0)
    return -1;
  free(f);
  return 0;
}

static inline char *slurp(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return NULL;
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  if (b && fread(b, 1, (size_t)n, fp) != (size_t)n) {
    free(b);
    b = NULL;
  }
  fclose(fp);
  if (b) {
    b[n] = '\0';
    *len = (size_t)n;
  }
  return b;
}

static inline char *slurp_cmd(const char *cmd, size_t *len) {
  FILE *p = popen(cmd, "r");
  if (!p)
    return NULL;
  size_t cap = 1 << 20, n = 0, r;
  char *b = malloc(cap);
  while (b && (r = fread(b + n, 1, cap - n, p)) > 0) {
    n += r;
    if (n == cap) {
      char *nb = realloc(b, cap * 2);
      if (!nb) {
        free(b);
        b = NULL;
        break;
      }
      b = nb;
      cap *= 2;
    }
  }
  if (pclose(p) != 0 || !b || n == 0) {
    free(b);
    return NULL;
  }
  *len = n;
  return b;
}

/* Path of a file under ../shared (or $ACC_SHARED); NULL if unreadable. */
static inline const char *shared_path(const char *rel, char *buf, size_t size) {
  const char *sh = getenv("ACC_SHARED");
  snprintf(buf, size, "%s/%s", sh && *sh ? sh : "../shared", rel);
  return access(buf, R_OK) == 0 ? buf : NULL;
}

#endif
