/*
 * sighting.c — STIX 2.1 sighting objects (§5.2) from matches: one per
 * indicator and place, at most ACC_SIGHTING_MAX_REFS observed-data per
 * sighting, count the number of times seen, first_seen and last_seen the
 * span of the observations.  Ids are UUIDv5 of what the sighting says, so
 * matching the same data again gives the same ids (and, with the same
 * creation time, the same bytes).
 */
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_int.h"
#include "util/time.h"

/* UUIDv5 namespace of Accord's sightings (a fixed random UUID). */
static const unsigned char sighting_ns[16] = {
    0x6b, 0x1f, 0x3c, 0x52, 0x9e, 0x0d, 0x4a, 0x77,
    0xb2, 0x41, 0x58, 0xc3, 0x0e, 0x96, 0x2d, 0xa4};

#define MAX_COUNT UINT64_C(999999999)

struct acc_sightings {
  char *where;
  int64_t created_us;
  acc_buf out;  /* finished sightings, one JSON text per line */
  char *ind;    /* indicator of the sighting being built */
  acc_buf refs; /* its observed-data ids, NUL-separated */
  size_t nrefs;
  uint64_t count;
  int64_t first_us, last_us;
  size_t written;
};

acc_rc acc_sightings_new(const char *where_ref, int64_t created_us,
                         acc_sightings **out) {
  acc_sightings *s = calloc(1, sizeof *s);
  if (!s)
    return ACC_ENOMEM;
  if (where_ref && !(s->where = strdup(where_ref))) {
    free(s);
    return ACC_ENOMEM;
  }
  s->created_us = created_us;
  acc_buf_init(&s->out, (size_t)4 << 30);
  acc_buf_init(&s->refs, (size_t)1 << 30);
  *out = s;
  return ACC_OK;
}

void acc_sightings_free(acc_sightings *s) {
  if (!s)
    return;
  acc_buf_free(&s->out);
  acc_buf_free(&s->refs);
  free(s->where);
  free(s->ind);
  free(s);
}

static acc_rc jstr(acc_buf *b, const char *s) {
  acc_rc rc = acc_buf_putc(b, '"');
  for (const unsigned char *p = (const unsigned char *)s; !rc && *p; p++) {
    if (*p == '"' || *p == '\\')
      rc = acc_buf_putc(b, '\\');
    if (rc)
      break;
    rc = *p < 0x20 ? acc_buf_printf(b, "\\u%04x", *p)
                   : acc_buf_putc(b, (char)*p);
  }
  return rc ? rc : acc_buf_putc(b, '"');
}

/* Write the sighting being built, if any. */
static acc_rc emit(acc_sightings *s) {
  if (!s->ind || s->nrefs == 0)
    return ACC_OK;
  acc_buf name;
  acc_buf_init(&name, (size_t)1 << 30);
  acc_rc rc = acc_buf_printf(&name, "sighting|%s|%s|", s->ind,
                             s->where ? s->where : "");
  if (!rc)
    rc = acc_buf_append(&name, s->refs.data, s->refs.len);
  char uuid[37];
  if (!rc)
    rc = acc_pat_uuid5(sighting_ns, name.data, name.len, uuid);
  acc_buf_free(&name);
  if (rc)
    return rc;
  char created[ACC_TIME_BUFSZ], first[ACC_TIME_BUFSZ], last[ACC_TIME_BUFSZ];
  acc_time_format_ms(s->created_us, created);
  acc_time_format(s->first_us, first);
  acc_time_format(s->last_us, last);
  acc_buf *b = &s->out;
  rc = acc_buf_printf(
      b,
      "{\"type\":\"sighting\",\"spec_version\":\"2.1\","
      "\"id\":\"sighting--%s\",\"created\":\"%s\","
      "\"modified\":\"%s\",\"first_seen\":\"%s\","
      "\"last_seen\":\"%s\",\"count\":%llu,"
      "\"sighting_of_ref\":",
      uuid, created, created, first, last,
      (unsigned long long)(s->count > MAX_COUNT ? MAX_COUNT : s->count));
  if (!rc)
    rc = jstr(b, s->ind);
  if (!rc)
    rc = acc_buf_puts(b, ",\"observed_data_refs\":[");
  const char *r = s->refs.data;
  for (size_t i = 0; !rc && i < s->nrefs; i++) {
    if (i)
      rc = acc_buf_putc(b, ',');
    if (!rc)
      rc = jstr(b, r);
    r += strlen(r) + 1;
  }
  if (!rc)
    rc = acc_buf_putc(b, ']');
  if (!rc && s->where) {
    rc = acc_buf_puts(b, ",\"where_sighted_refs\":[");
    if (!rc)
      rc = jstr(b, s->where);
    if (!rc)
      rc = acc_buf_putc(b, ']');
  }
  if (!rc)
    rc = acc_buf_puts(b, "}\n");
  acc_buf_reset(&s->refs);
  s->nrefs = 0;
  s->count = 0;
  return rc;
}

/* 1 when id is already among the references being built. */
static int has_ref(const acc_sightings *s, const char *id) {
  const char *r = s->refs.data;
  for (size_t i = 0; i < s->nrefs; i++) {
    if (!strcmp(r, id))
      return 1;
    r += strlen(r) + 1;
  }
  return 0;
}

acc_rc acc_sightings_add(acc_sightings *s, const acc_match *mt) {
  acc_rc rc;
  if (!s->ind || strcmp(s->ind, mt->indicator_id)) {
    if ((rc = emit(s)))
      return rc;
    free(s->ind);
    if (!(s->ind = strdup(mt->indicator_id)))
      return ACC_ENOMEM;
  }
  if (s->nrefs + mt->n_obs > ACC_SIGHTING_MAX_REFS && s->nrefs)
    if ((rc = emit(s)))
      return rc;
  if (s->nrefs == 0) {
    s->first_us = mt->first_us;
    s->last_us = mt->last_us;
  }
  if (mt->first_us < s->first_us)
    s->first_us = mt->first_us;
  if (mt->last_us > s->last_us)
    s->last_us = mt->last_us;
  s->count += mt->count;
  for (size_t i = 0; i < mt->n_obs; i++) {
    if (mt->n_obs > 1 && has_ref(s, mt->obs_ids[i]))
      continue;
    if ((rc = acc_buf_append(&s->refs, mt->obs_ids[i],
                             strlen(mt->obs_ids[i]) + 1)))
      return rc;
    s->nrefs++;
  }
  return ACC_OK;
}

acc_rc acc_sightings_flush(acc_sightings *s, acc_sighting_cb cb, void *ctx,
                           size_t *n_written) {
  acc_rc rc = emit(s);
  if (rc)
    return rc;
  free(s->ind);
  s->ind = NULL;
  size_t n = 0;
  const char *p = s->out.data, *end = p + s->out.len;
  while (!rc && p && p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
      break;
    rc = cb(ctx, p, (size_t)(nl - p));
    n++;
    p = nl + 1;
  }
  acc_buf_reset(&s->out);
  s->written += n;
  if (n_written)
    *n_written = n;
  return rc;
}
