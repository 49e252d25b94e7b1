/*
 * arena.c — the bump allocator of the pattern subsystem: a parsed pattern,
 * an observation read from JSON and a matcher's tables each live in one
 * arena and are freed at once.  Every arena has a hard cap.
 */
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_int.h"

struct acc_parena_chunk {
  acc_parena_chunk *next;
  size_t size; /* usable bytes after the header */
  size_t used;
  max_align_t data[];
};

void acc_parena_init(acc_parena *a, size_t chunk_size, size_t limit) {
  a->head = NULL;
  a->total = 0;
  a->limit = limit ? limit : (size_t)1 << 30;
  a->chunk_size = chunk_size ? chunk_size : 4096;
}

void *acc_parena_alloc(acc_parena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  if (n == 0)
    n = 16;
  acc_parena_chunk *c = a->head;
  if (c && c->size - c->used >= n) {
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
  }
  size_t size = n > a->chunk_size / 4 ? n : a->chunk_size;
  if (size > a->limit || a->total > a->limit - size)
    return NULL;
  acc_parena_chunk *nc = malloc(sizeof *nc + size);
  if (!nc)
    return NULL;
  nc->size = size;
  nc->used = n;
  a->total += size;
  if (c && size == n && c->size - c->used > 64) {
    /* A large block: keep the current chunk in front for small ones. */
    nc->next = c->next;
    c->next = nc;
  } else {
    nc->next = c;
    a->head = nc;
  }
  return nc->data;
}

char *acc_parena_strdup(acc_parena *a, const char *s, size_t n) {
  char *p = acc_parena_alloc(a, n + 1);
  if (!p)
    return NULL;
  if (n)
    memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

void acc_parena_reset(acc_parena *a) {
  acc_parena_chunk *c = a->head;
  if (!c)
    return;
  /* Keep one ordinary-sized chunk (the last one allocated of that size). */
  acc_parena_chunk *keep = NULL;
  while (c) {
    acc_parena_chunk *next = c->next;
    if (!keep && c->size == a->chunk_size)
      keep = c;
    else
      free(c);
    c = next;
  }
  a->head = keep;
  a->total = 0;
  if (keep) {
    keep->next = NULL;
    keep->used = 0;
    a->total = keep->size;
  }
}

void acc_parena_free(acc_parena *a) {
  if (!a)
    return;
  acc_parena_chunk *c = a->head;
  while (c) {
    acc_parena_chunk *next = c->next;
    free(c);
    c = next;
  }
  a->head = NULL;
  a->total = 0;
}

size_t acc_pat_charpos(const char *s, size_t off) {
  size_t n = 0;
  for (size_t i = 0; i < off; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      n++;
  return n;
}

/* ---- hash table -----------------------------------------------------------
 */

uint64_t acc_phash(const void *p, size_t n) {
  const unsigned char *s = p;
  uint64_t h = 0x243F6A8885A308D3u ^ (n * 0x9E3779B97F4A7C15u);
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, s, 8);
    h = (h ^ w) * 0x9E3779B97F4A7C15u;
    h ^= h >> 29;
    s += 8;
    n -= 8;
  }
  uint64_t w = 0;
  memcpy(&w, s, n);
  h = (h ^ w) * 0xBF58476D1CE4E5B9u;
  h ^= h >> 31;
  h *= 0x94D049BB133111EBu;
  h ^= h >> 32;
  return h;
}

void acc_phtab_init(acc_phtab *t, size_t limit) {
  memset(t, 0, sizeof *t);
  t->limit = limit ? limit : (size_t)1 << 28;
}

void acc_phtab_free(acc_phtab *t) {
  if (!t)
    return;
  free(t->e);
  t->e = NULL;
  t->cap = t->n = 0;
}

void *acc_phtab_get(const acc_phtab *t, const void *key, size_t n, uint64_t h) {
  if (!t->cap)
    return NULL;
  size_t mask = t->cap - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const acc_phent *e = &t->e[i];
    if (!e->key)
      return NULL;
    if (e->h == h && e->keylen == n && !memcmp(e->key, key, n))
      return e->val;
  }
}

static acc_rc grow(acc_phtab *t) {
  size_t nc = t->cap ? t->cap * 2 : 64;
  if (nc / 2 > t->limit)
    return ACC_ENOMEM;
  acc_phent *ne = calloc(nc, sizeof *ne);
  if (!ne)
    return ACC_ENOMEM;
  for (size_t i = 0; i < t->cap; i++) {
    acc_phent *e = &t->e[i];
    if (!e->key)
      continue;
    size_t j = e->h & (nc - 1);
    while (ne[j].key)
      j = (j + 1) & (nc - 1);
    ne[j] = *e;
  }
  free(t->e);
  t->e = ne;
  t->cap = nc;
  return ACC_OK;
}

acc_rc acc_phtab_put(acc_phtab *t, const void *key, size_t n, uint64_t h,
                     void ***slot, int *existed) {
  if ((t->n + 1) * 2 > t->cap) {
    acc_rc rc = grow(t);
    if (rc)
      return rc;
  }
  size_t mask = t->cap - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    acc_phent *e = &t->e[i];
    if (!e->key) {
      e->h = h;
      e->key = key;
      e->keylen = n;
      e->val = NULL;
      t->n++;
      *slot = &e->val;
      *existed = 0;
      return ACC_OK;
    }
    if (e->h == h && e->keylen == n && !memcmp(e->key, key, n)) {
      *slot = &e->val;
      *existed = 1;
      return ACC_OK;
    }
  }
}
