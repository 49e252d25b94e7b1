/*
 * store.c — backend selection and the small helpers shared by backends.
 * Today every data directory holds an SQLite store; a PostgreSQL backend
 * will be chosen here from the data directory's configuration.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/time.h"

acc_rc acc_store_open(const char *dir, int create, acc_store **out,
                      acc_diag *d) {
  return acc_store_sqlite_ops.open(dir, create, out, d);
}

void acc_store_close(acc_store *s) {
  if (!s)
    return;
  if (s->guard_cache && s->guard_cache_free)
    s->guard_cache_free(s->guard_cache);
  s->guard_cache = NULL;
  s->ops->close(s);
}

void acc_query_init(acc_query *q) {
  memset(q, 0, sizeof *q);
  q->version = ACC_VER_LATEST;
  q->added_after_us = ACC_TIME_NONE;
  q->added_before_us = ACC_TIME_NONE;
}

void acc_stats_free(acc_stats *s) {
  if (!s)
    return;
  free(s->types);
  s->types = NULL;
  s->n_types = 0;
}
