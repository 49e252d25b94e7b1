/*
 * import.c — MISP documents and feed directories into a store.  Each
 * event is mapped (map.c) into one STIX document and handed to acc_ingest,
 * so its objects are validated and stored byte-exact like any import;
 * rejections are traced back to the MISP attribute they came from.  An
 * event whose report is already stored at the event's timestamp is
 * skipped: the store itself remembers what was imported, so re-running a
 * feed only maps the events that changed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "misp/misp_int.h"
#include "store/store_raw.h"
#include "util/time.h"

#define MAX_FEED_FILES 1000000
/* Events are stored in batches of about this many STIX objects, one
 * acc_ingest call (and so few transactions) per batch: one transaction
 * per event would rewrite the same index pages over and over. */
#define BATCH_OBJECTS 100000

typedef struct batch_event {
  char uuid[37];
  char *file;
} batch_event;

struct acc_misp_importer {
  acc_store *s;
  acc_misp_import_opts o;
  acc_misp_counts c;
  int defs_done;
  acc_buf doc;   /* one event's objects, as the mapper wrote them */
  acc_buf batch; /* the events waiting to be stored, one JSON array */
  batch_event *ev;
  size_t n_ev, cap_ev;
  acc_misp_origins orig; /* of every object in batch */
  const char *file;
  char event_uuid[37];
  struct mpipe *pipe; /* set on the worker's importer: events go there */
};

acc_rc acc_misp_importer_new(acc_store *s, const acc_misp_import_opts *opts,
                             acc_misp_importer **out) {
  *out = NULL;
  if (!s && !(opts && opts->no_store))
    return ACC_EINVAL;
  acc_misp_importer *m = calloc(1, sizeof *m);
  if (!m)
    return ACC_ENOMEM;
  m->s = s;
  if (opts)
    m->o = *opts;
  acc_buf_init(&m->doc, (size_t)1 << 31);
  acc_buf_init(&m->batch, (size_t)1 << 31);
  *out = m;
  return ACC_OK;
}

void acc_misp_importer_free(acc_misp_importer *m) {
  if (!m)
    return;
  acc_buf_free(&m->doc);
  acc_buf_free(&m->batch);
  for (size_t i = 0; i < m->n_ev; i++)
    free(m->ev[i].file);
  free(m->ev);
  free(m->orig.v);
  free(m);
}

const acc_misp_counts *acc_misp_importer_counts(const acc_misp_importer *m) {
  return &m->c;
}

static void message_ev(acc_misp_importer *m, const batch_event *be,
                       acc_misp_level lv, long oi, const char *ou, long ai,
                       const char *au, const char *text) {
  if (lv == ACC_MISP_ERROR)
    m->c.errors++;
  else
    m->c.warnings++;
  if (!m->o.on_message)
    return;
  const char *eu = be ? be->uuid : m->event_uuid;
  acc_misp_msg msg = {.level = lv,
                      .file = be ? be->file : m->file,
                      .event_uuid = eu[0] ? eu : NULL,
                      .object_index = oi,
                      .object_uuid = ou && *ou ? ou : NULL,
                      .attr_index = ai,
                      .attr_uuid = au && *au ? au : NULL,
                      .msg = text};
  m->o.on_message(m->o.ctx, &msg);
}

static void message(acc_misp_importer *m, acc_misp_level lv, long oi,
                    const char *ou, long ai, const char *au, const char *text) {
  message_ev(m, NULL, lv, oi, ou, ai, au, text);
}

static const batch_event *event_of(const acc_misp_importer *m,
                                   const acc_misp_origin *o) {
  return o && o->ev < m->n_ev ? &m->ev[o->ev] : NULL;
}

/* ---- acc_ingest callbacks: rejections back to attributes ---------------- */

static void on_reject(void *ctx, const acc_ingest_reject *r) {
  acc_misp_importer *m = ctx;
  const acc_misp_origin *o = r->index < m->orig.n ? &m->orig.v[r->index] : NULL;
  char text[900];
  snprintf(text, sizeof text, "%s %s: %s; not stored",
           r->rc == ACC_ECONFLICT ? "the store refused"
                                  : "STIX validation "
                                    "refused",
           r->id ? r->id : "an object", r->msg ? r->msg : "?");
  if (o && o->ai >= 0)
    m->c.rejected++;
  message_ev(m, event_of(m, o), ACC_MISP_ERROR, o ? o->oi : -1,
             o ? o->ouuid : NULL, o ? o->ai : -1, o ? o->auuid : NULL, text);
}

static void on_warning(void *ctx, size_t index, const char *id,
                       const char *msg) {
  acc_misp_importer *m = ctx;
  const acc_misp_origin *o = index < m->orig.n ? &m->orig.v[index] : NULL;
  char text[900];
  snprintf(text, sizeof text, "%s: %s", id ? id : "object", msg);
  message_ev(m, event_of(m, o), ACC_MISP_WARN, o ? o->oi : -1,
             o ? o->ouuid : NULL, o ? o->ai : -1, o ? o->auuid : NULL, text);
}

/* ---- dry run: validate without a store ----------------------------------- */

typedef struct dry_ctx {
  acc_misp_importer *m;
  acc_ingest_counts *ic;
} dry_ctx;

static acc_rc dry_one(void *ctx, const acc_decoded *dd) {
  dry_ctx *x = ctx;
  acc_ingest_reject r = {.index = dd->index, .line = dd->line};
  if (dd->err) {
    r.rc = dd->err;
    r.msg = dd->errmsg;
    on_reject(x->m, &r);
    x->ic->rejected++;
    return ACC_OK;
  }
  acc_stix_obj o;
  acc_diag vd;
  json_t *id = json_object_get(dd->json, "id");
  r.id = json_is_string(id) ? json_string_value(id) : NULL;
  if ((r.rc = acc_stix_validate(dd->json, &o, &vd, NULL, NULL))) {
    r.msg = vd.msg;
    on_reject(x->m, &r);
    x->ic->rejected++;
  } else {
    x->ic->stored++;
  }
  return ACC_OK;
}

/* ---- one event ------------------------------------------------------------
 */

typedef struct latest_ctx {
  int64_t modified_us;
  int found;
} latest_ctx;

static int latest_cb(void *ctx, const acc_record *r) {
  latest_ctx *l = ctx;
  l->found = 1;
  l->modified_us = r->modified_us;
  return 0;
}

/* Whether report--uuid is stored (in the import's collection) at
 * timestamp secs or later. */
static int already_stored(acc_misp_importer *m, const char *uuid,
                          int64_t secs) {
  if (m->o.force || m->o.no_store || !m->s)
    return 0;
  char id[ACC_ID_MAX], lu[37];
  acc_misp_uuid_lower(uuid, lu);
  snprintf(id, sizeof id, "report--%s", lu);
  latest_ctx l = {0};
  acc_diag d;
  /* a lookup by id (the store's id index), not a scan */
  if (acc_store_get(m->s,
                    m->o.ingest.collection ? m->o.ingest.collection
                                           : ACC_DEFAULT_COLLECTION,
                    id, ACC_TIME_NONE, latest_cb, &l, &d) ||
      !l.found)
    return 0;
  return l.modified_us != ACC_TIME_NONE &&
         l.modified_us >= secs * INT64_C(1000000);
}

static void add_counts(acc_ingest_counts *to, const acc_ingest_counts *c) {
  to->stored += c->stored;
  to->duplicate += c->duplicate;
  to->rejected += c->rejected;
  to->warnings += c->warnings;
}

/* Store the batch: one acc_ingest call. */
static acc_rc flush(acc_misp_importer *m, acc_diag *d) {
  if (!m->batch.len)
    return ACC_OK;
  acc_rc rc = acc_buf_putc(&m->batch, ']');
  acc_ingest_counts ic;
  memset(&ic, 0, sizeof ic);
  if (rc) {
    /* fall through to the reset */
  } else if (m->o.no_store) {
    dry_ctx x = {.m = m, .ic = &ic};
    rc = acc_decode(m->batch.data, m->batch.len, &m->o.ingest.limits, dry_one,
                    &x, NULL, d);
  } else {
    acc_ingest_opts io = m->o.ingest;
    io.ctx = m;
    io.on_reject = on_reject;
    io.on_warning = on_warning;
    io.on_stored = NULL;
    io.on_progress = NULL;
    io.strict = 0;
    if (!io.batch)
      io.batch = BATCH_OBJECTS;
    rc = acc_ingest(m->s, m->batch.data, m->batch.len, &io, &ic, NULL, d);
  }
  add_counts(&m->c.stix, &ic);
  for (size_t i = 0; i < m->n_ev; i++) {
    if (!rc && m->o.on_event)
      m->o.on_event(m->o.ctx, m->ev[i].uuid, 0);
    free(m->ev[i].file);
  }
  m->n_ev = 0;
  m->orig.n = 0;
  acc_buf_reset(&m->batch);
  return rc;
}

/* Add one mapped event (its array, origins from index first on) to the
 * batch; store the batch when it is big enough. */
static acc_rc append_event(acc_misp_importer *m, const char *uuid,
                           const char *file, const char *doc, size_t len,
                           size_t first, acc_diag *d) {
  acc_rc rc;
  if (m->n_ev == m->cap_ev) {
    size_t nc = m->cap_ev ? m->cap_ev * 2 : 64;
    batch_event *ne = realloc(m->ev, nc * sizeof *ne);
    if (!ne)
      return ACC_ENOMEM;
    m->ev = ne;
    m->cap_ev = nc;
  }
  batch_event *be = &m->ev[m->n_ev];
  snprintf(be->uuid, sizeof be->uuid, "%s", uuid);
  if (!(be->file = strdup(file ? file : "<input>")))
    return ACC_ENOMEM;
  for (size_t i = first; i < m->orig.n; i++)
    m->orig.v[i].ev = m->n_ev;
  m->n_ev++;
  /* the mapper's array without its brackets */
  if ((rc = acc_buf_putc(&m->batch, m->batch.len ? ',' : '[')) ||
      (rc = acc_buf_append(&m->batch, doc + 1, len - 2)))
    return rc;
  if (m->orig.n >= BATCH_OBJECTS)
    return flush(m, d);
  return ACC_OK;
}

static acc_rc pipe_push_event(acc_misp_importer *w, acc_diag *d);

static acc_rc import_event(acc_misp_importer *m, json_t *ev, acc_diag *d) {
  json_t *inner = json_object_get(ev, "Event");
  if (json_is_object(inner))
    ev = inner;
  m->event_uuid[0] = '\0';
  json_t *uj = json_object_get(ev, "uuid");
  if (json_is_string(uj) && acc_misp_uuid_ok(json_string_value(uj)))
    acc_misp_uuid_lower(json_string_value(uj), m->event_uuid);
  int64_t secs;
  if (m->event_uuid[0] &&
      !acc_misp_unix(json_object_get(ev, "timestamp"), &secs) &&
      already_stored(m, m->event_uuid, secs)) {
    m->c.events++;
    m->c.events_unchanged++;
    if (m->o.on_event)
      m->o.on_event(m->o.ctx, m->event_uuid, 1);
    return ACC_OK;
  }
  acc_buf_reset(&m->doc);
  size_t first = m->orig.n;
  acc_diag md;
  acc_rc rc = acc_misp_map_event_x(ev, m->file, &m->o, !m->defs_done, &m->doc,
                                   &m->c, &m->orig, &md);
  if (rc == ACC_EINVAL) {
    m->orig.n = first;
    if (m->o.on_event)
      m->o.on_event(m->o.ctx, m->event_uuid, -1);
    return ACC_OK; /* reported through on_message */
  }
  if (rc) {
    memcpy(d->msg, md.msg, sizeof md.msg);
    return rc;
  }
  m->defs_done = 1;
  m->c.events_imported++;
  if (m->pipe)
    return pipe_push_event(m, d);
  return append_event(m, m->event_uuid, m->file, m->doc.data, m->doc.len, first,
                      d);
}

/* ---- documents -------------------------------------------------------- */

static int looks_like_event(json_t *o) {
  return json_is_object(o) &&
         (json_is_object(json_object_get(o, "Event")) ||
          (json_object_get(o, "uuid") &&
           (json_object_get(o, "info") || json_object_get(o, "Attribute") ||
            json_object_get(o, "Object") || json_object_get(o, "date"))));
}

static int looks_like_manifest(json_t *o) {
  if (!json_is_object(o) || !json_object_size(o))
    return 0;
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    if (!acc_misp_uuid_ok(k) || !json_is_object(v))
      return 0;
  }
  return 1;
}

static acc_rc import_list(acc_misp_importer *m, json_t *arr, acc_diag *d) {
  size_t i;
  json_t *e;
  json_array_foreach(arr, i, e) {
    if (!looks_like_event(e)) {
      m->event_uuid[0] = '\0';
      m->c.events++;
      m->c.events_failed++;
      char text[160];
      snprintf(text, sizeof text,
               "element %zu of the list is not a MISP event; skipped", i);
      message(m, ACC_MISP_ERROR, -1, NULL, -1, NULL, text);
      continue;
    }
    acc_rc rc = import_event(m, e, d);
    if (rc)
      return rc;
  }
  return ACC_OK;
}

static acc_rc import_doc(acc_misp_importer *m, const char *name,
                         const char *buf, size_t len, acc_diag *d) {
  json_error_t je;
  m->file = name;
  m->event_uuid[0] = '\0';
  json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
  if (!root)
    return acc_diag_set(d, ACC_EJSON, "%s: not JSON: %s (line %d, column %d)",
                        name, je.text, je.line, je.column);
  acc_rc rc;
  json_t *resp = json_object_get(root, "response");
  if (looks_like_event(root)) {
    rc = import_event(m, root, d);
  } else if (json_is_array(resp)) {
    rc = import_list(m, resp, d);
  } else if (json_is_array(root)) {
    rc = import_list(m, root, d);
  } else if (looks_like_manifest(root)) {
    rc = acc_diag_set(d, ACC_ESHAPE,
                      "%s: a MISP feed manifest, not an event: import the "
                      "feed's directory instead",
                      name);
  } else {
    rc = acc_diag_set(d, ACC_ESHAPE,
                      "%s: no MISP event here (expected {\"Event\": {...}}, "
                      "an event object with a 'uuid', a JSON array of "
                      "events, or {\"response\": [...]})",
                      name);
  }
  json_decref(root);
  return rc;
}

acc_rc acc_misp_import_buf(acc_misp_importer *m, const char *name,
                           const char *buf, size_t len, acc_diag *d) {
  acc_rc rc = import_doc(m, name, buf, len, d);
  acc_rc frc = flush(m, rc ? NULL : d);
  return rc ? rc : frc;
}

/* ---- feed directories ------------------------------------------------- */

static acc_rc read_file(const char *path, size_t max, char **out, size_t *len,
                        acc_diag *d) {
  *out = NULL;
  *len = 0;
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return acc_diag_set(d, errno == ENOENT ? ACC_ENOTFOUND : ACC_EIO,
                        "%s: cannot open: %s", path, strerror(errno));
  struct stat st;
  acc_rc rc = ACC_OK;
  char *b = NULL;
  if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
    rc = acc_diag_set(d, ACC_EIO, "%s: not a regular file", path);
    goto out;
  }
  if ((size_t)st.st_size > max) {
    rc = acc_diag_set(d, ACC_ETOOBIG, "%s: %lld bytes, above the limit of %zu",
                      path, (long long)st.st_size, max);
    goto out;
  }
  size_t n = (size_t)st.st_size, got = 0;
  if (!(b = malloc(n + 1))) {
    rc = ACC_ENOMEM;
    goto out;
  }
  while (got < n) {
    ssize_t r = read(fd, b + got, n - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      rc = acc_diag_set(d, ACC_EIO, "%s: read failed", path);
      goto out;
    }
    got += (size_t)r;
  }
  b[n] = '\0';
  *out = b;
  *len = n;
  b = NULL;
out:
  free(b);
  close(fd);
  return rc;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One event file of a feed; expect_sha256 (hex) when the manifest gives
 * one. */
static acc_rc import_feed_file(acc_misp_importer *m, const char *path,
                               const char *uuid, const char *expect_sha256,
                               size_t max, acc_diag *d) {
  char *buf;
  size_t len;
  acc_diag fd;
  m->file = path;
  if (uuid)
    acc_misp_uuid_lower(uuid, m->event_uuid);
  acc_rc rc = read_file(path, max, &buf, &len, &fd);
  if (rc == ACC_ENOMEM)
    return rc;
  if (rc) {
    m->c.events++;
    m->c.events_failed++;
    message(m, ACC_MISP_ERROR, -1, NULL, -1, NULL, fd.msg);
    return ACC_OK;
  }
  if (expect_sha256) {
    /* libcrypto's SHA-256 uses the processor's SHA instructions: about
     * five times libsodium's portable one over a 350 MB feed */
    unsigned char h[SHA256_DIGEST_LENGTH];
    char hex[2 * SHA256_DIGEST_LENGTH + 1];
    SHA256((const unsigned char *)buf, len, h);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    if (strcasecmp(hex, expect_sha256) != 0) {
      m->c.events++;
      m->c.events_failed++;
      message(m, ACC_MISP_ERROR, -1, NULL, -1, NULL,
              "the file's SHA-256 differs from the manifest's "
              "integrity:sha256; the event is not imported");
      free(buf);
      return ACC_OK;
    }
  }
  rc = import_doc(m, path, buf, len, &fd);
  free(buf);
  if (rc == ACC_EJSON || rc == ACC_ESHAPE) {
    m->c.events++;
    m->c.events_failed++;
    message(m, ACC_MISP_ERROR, -1, NULL, -1, NULL, fd.msg);
    return ACC_OK;
  }
  if (rc)
    memcpy(d->msg, fd.msg, sizeof fd.msg);
  return rc;
}

/* ---- the pipeline: a worker maps feed files while the store writes ----- */

/* The mapper may run ahead of the storing thread by up to a batch or so
 * of mapped events, so that mapping the next batch overlaps storing this
 * one; bounded by count and by bytes. */
#define PIPE_DEPTH 4096
#define PIPE_BYTES ((size_t)128 << 20)

/* A message the worker met, replayed by the main thread in order. */
typedef struct pmsg {
  acc_misp_level level;
  long oi, ai;
  char ouuid[37], auuid[37], event[37];
  char *file, *text;
} pmsg;

typedef struct pitem {
  int end; /* the worker is done (rc, d say how) */
  char uuid[37];
  char *file;
  char *doc; /* one mapped event, NULL for messages only */
  size_t len;
  acc_misp_origin *orig;
  size_t n_orig;
  pmsg *msgs;
  size_t n_msgs;
  acc_rc rc;
  acc_diag d;
} pitem;

typedef struct mpipe {
  pthread_mutex_t mu;
  pthread_cond_t cv_put, cv_get;
  pitem *q[PIPE_DEPTH];
  size_t head, n;
  size_t bytes; /* of the mapped documents queued */
  int stop;
  acc_misp_importer *w;
  pmsg *msgs;
  size_t n_msgs, cap_msgs;
  const char *const *paths, *const *uuids, *const *shas;
  size_t n_files, max_bytes;
} mpipe;

static void pitem_free(pitem *it) {
  if (!it)
    return;
  for (size_t i = 0; i < it->n_msgs; i++) {
    free(it->msgs[i].file);
    free(it->msgs[i].text);
  }
  free(it->msgs);
  free(it->file);
  free(it->doc);
  free(it->orig);
  free(it);
}

static void collect_msg(void *ctx, const acc_misp_msg *m) {
  mpipe *p = ctx;
  if (p->n_msgs == p->cap_msgs) {
    size_t nc = p->cap_msgs ? p->cap_msgs * 2 : 16;
    pmsg *nm = realloc(p->msgs, nc * sizeof *nm);
    if (!nm)
      return; /* the count stands; the text is lost */
    p->msgs = nm;
    p->cap_msgs = nc;
  }
  pmsg *e = &p->msgs[p->n_msgs];
  memset(e, 0, sizeof *e);
  e->level = m->level;
  e->oi = m->object_index;
  e->ai = m->attr_index;
  snprintf(e->ouuid, sizeof e->ouuid, "%s",
           m->object_uuid ? m->object_uuid : "");
  snprintf(e->auuid, sizeof e->auuid, "%s", m->attr_uuid ? m->attr_uuid : "");
  snprintf(e->event, sizeof e->event, "%s", m->event_uuid ? m->event_uuid : "");
  e->file = strdup(m->file ? m->file : "<input>");
  e->text = strdup(m->msg);
  if (!e->file || !e->text) {
    free(e->file);
    free(e->text);
    return;
  }
  p->n_msgs++;
}

/* Hand an item to the main thread (waits while the queue is full). */
static void put_item(mpipe *p, pitem *it) {
  it->msgs = p->msgs;
  it->n_msgs = p->n_msgs;
  p->msgs = NULL;
  p->n_msgs = p->cap_msgs = 0;
  pthread_mutex_lock(&p->mu);
  while ((p->n == PIPE_DEPTH || (p->n && p->bytes >= PIPE_BYTES)) && !p->stop)
    pthread_cond_wait(&p->cv_put, &p->mu);
  if (p->stop && !it->end) {
    pthread_mutex_unlock(&p->mu);
    pitem_free(it);
    return;
  }
  p->q[(p->head + p->n) % PIPE_DEPTH] = it;
  p->n++;
  p->bytes += it->len;
  pthread_cond_signal(&p->cv_get);
  pthread_mutex_unlock(&p->mu);
}

static pitem *get_item(mpipe *p) {
  pthread_mutex_lock(&p->mu);
  while (p->n == 0)
    pthread_cond_wait(&p->cv_get, &p->mu);
  pitem *it = p->q[p->head];
  p->head = (p->head + 1) % PIPE_DEPTH;
  p->n--;
  p->bytes -= it->len;
  pthread_cond_signal(&p->cv_put);
  pthread_mutex_unlock(&p->mu);
  return it;
}

static acc_rc pipe_push_event(acc_misp_importer *w, acc_diag *d) {
  pitem *it = calloc(1, sizeof *it);
  if (!it)
    return ACC_ENOMEM;
  snprintf(it->uuid, sizeof it->uuid, "%s", w->event_uuid);
  it->file = strdup(w->file ? w->file : "<input>");
  it->doc = malloc(w->doc.len + 1);
  it->orig = malloc((w->orig.n ? w->orig.n : 1) * sizeof *it->orig);
  if (!it->file || !it->doc || !it->orig) {
    pitem_free(it);
    return acc_diag_set(d, ACC_ENOMEM, "out of memory mapping an event");
  }
  memcpy(it->doc, w->doc.data, w->doc.len);
  it->len = w->doc.len;
  memcpy(it->orig, w->orig.v, w->orig.n * sizeof *it->orig);
  it->n_orig = w->orig.n;
  w->orig.n = 0;
  put_item(w->pipe, it);
  return ACC_OK;
}

static acc_rc import_feed_file(acc_misp_importer *m, const char *path,
                               const char *uuid, const char *expect_sha256,
                               size_t max, acc_diag *d);

static void *worker(void *arg) {
  mpipe *p = arg;
  acc_misp_importer *w = p->w;
  acc_rc rc = ACC_OK;
  acc_diag d = {""};
  for (size_t i = 0; i < p->n_files && !rc; i++) {
    pthread_mutex_lock(&p->mu);
    int stop = p->stop;
    pthread_mutex_unlock(&p->mu);
    if (stop)
      break;
    rc = import_feed_file(w, p->paths[i], p->uuids[i], p->shas[i], p->max_bytes,
                          &d);
    if (!rc && p->n_msgs) {
      pitem *it = calloc(1, sizeof *it);
      if (it)
        put_item(p, it);
    }
  }
  pitem *end = calloc(1, sizeof *end);
  if (end) {
    end->end = 1;
    end->rc = rc;
    end->d = d;
    put_item(p, end);
  } else {
    /* no memory for the sentinel: wake the consumer another way */
    pthread_mutex_lock(&p->mu);
    p->stop = 2;
    pthread_cond_signal(&p->cv_get);
    pthread_mutex_unlock(&p->mu);
  }
  return NULL;
}

static void merge_counts(acc_misp_counts *to, const acc_misp_counts *c) {
  to->events += c->events;
  to->events_imported += c->events_imported;
  to->events_unchanged += c->events_unchanged;
  to->events_failed += c->events_failed;
  to->attributes += c->attributes;
  for (int i = 0; i < ACC_MISP_C_COUNT; i++)
    to->mapped[i] += c->mapped[i];
  to->unmapped += c->unmapped;
  to->objects += c->objects;
  to->references += c->references;
  to->references_unmapped += c->references_unmapped;
  to->sightings += c->sightings;
  to->galaxies += c->galaxies;
  to->tags += c->tags;
  to->warnings += c->warnings;
  to->errors += c->errors;
  for (size_t i = 0; i < c->n_by_type; i++) {
    size_t k;
    for (k = 0; k < to->n_by_type; k++)
      if (!strcmp(to->by_type[k].type, c->by_type[i].type))
        break;
    if (k == to->n_by_type) {
      if (k == ACC_MISP_UNMAPPED_KINDS)
        k--;
      else
        to->n_by_type++;
      memcpy(to->by_type[k].type, c->by_type[i].type,
             sizeof to->by_type[k].type);
    }
    to->by_type[k].n += c->by_type[i].n;
  }
}

/* Replay an item's messages (already counted by the worker). */
static void replay(acc_misp_importer *m, const pitem *it) {
  for (size_t i = 0; i < it->n_msgs && m->o.on_message; i++) {
    const pmsg *e = &it->msgs[i];
    acc_misp_msg msg = {.level = e->level,
                        .file = e->file,
                        .event_uuid = e->event[0] ? e->event : NULL,
                        .object_index = e->oi,
                        .object_uuid = e->ouuid[0] ? e->ouuid : NULL,
                        .attr_index = e->ai,
                        .attr_uuid = e->auuid[0] ? e->auuid : NULL,
                        .msg = e->text};
    m->o.on_message(m->o.ctx, &msg);
  }
}

/* Map files[] on a worker thread while this one stores. */
static acc_rc import_pipelined(acc_misp_importer *m, const char *const *paths,
                               const char *const *uuids,
                               const char *const *shas, size_t n,
                               size_t max_bytes, acc_diag *d) {
  mpipe p;
  memset(&p, 0, sizeof p);
  p.paths = paths;
  p.uuids = uuids;
  p.shas = shas;
  p.n_files = n;
  p.max_bytes = max_bytes;
  acc_misp_importer *w = calloc(1, sizeof *w);
  if (!w)
    return ACC_ENOMEM;
  w->o = m->o;
  w->o.ctx = &p;
  w->o.on_message = collect_msg;
  w->o.on_event = NULL;
  w->defs_done = m->defs_done;
  w->pipe = &p;
  acc_buf_init(&w->doc, (size_t)1 << 31);
  acc_buf_init(&w->batch, 1);
  p.w = w;
  pthread_mutex_init(&p.mu, NULL);
  pthread_cond_init(&p.cv_put, NULL);
  pthread_cond_init(&p.cv_get, NULL);
  pthread_t th;
  acc_rc rc = ACC_OK;
  if (pthread_create(&th, NULL, worker, &p) != 0) {
    rc = acc_diag_set(d, ACC_ENOMEM, "cannot start the mapping thread");
    goto out;
  }
  for (;;) {
    pthread_mutex_lock(&p.mu);
    while (p.n == 0 && p.stop != 2)
      pthread_cond_wait(&p.cv_get, &p.mu);
    int lost = p.n == 0 && p.stop == 2;
    pthread_mutex_unlock(&p.mu);
    if (lost) {
      if (!rc)
        rc = acc_diag_set(d, ACC_ENOMEM, "out of memory in the mapper");
      break;
    }
    pitem *it = get_item(&p);
    if (it->end) {
      if (!rc && it->rc) {
        rc = it->rc;
        memcpy(d->msg, it->d.msg, sizeof it->d.msg);
      }
      pitem_free(it);
      break;
    }
    if (!rc) {
      replay(m, it);
      if (it->doc) {
        size_t first = m->orig.n;
        if (m->orig.n + it->n_orig > m->orig.cap) {
          size_t nc = m->orig.cap ? m->orig.cap : 256;
          while (nc < m->orig.n + it->n_orig)
            nc *= 2;
          acc_misp_origin *nv = realloc(m->orig.v, nc * sizeof *nv);
          if (!nv)
            rc = ACC_ENOMEM;
          else
            m->orig.v = nv, m->orig.cap = nc;
        }
        if (!rc) {
          memcpy(m->orig.v + first, it->orig, it->n_orig * sizeof *it->orig);
          m->orig.n += it->n_orig;
          rc = append_event(m, it->uuid, it->file, it->doc, it->len, first, d);
        }
      }
      if (rc) {
        /* stop the worker; keep draining until its last item */
        pthread_mutex_lock(&p.mu);
        p.stop = 1;
        pthread_cond_signal(&p.cv_put);
        pthread_mutex_unlock(&p.mu);
      }
    }
    pitem_free(it);
  }
  pthread_join(th, NULL);
  merge_counts(&m->c, &w->c);
  m->defs_done |= w->defs_done;
out:
  for (size_t i = 0; i < p.n_msgs; i++) {
    free(p.msgs[i].file);
    free(p.msgs[i].text);
  }
  free(p.msgs);
  pthread_cond_destroy(&p.cv_put);
  pthread_cond_destroy(&p.cv_get);
  pthread_mutex_destroy(&p.mu);
  acc_misp_importer_free(w);
  return rc;
}

static acc_rc import_dir(acc_misp_importer *m, const char *dir,
                         size_t max_bytes, acc_diag *d);

acc_rc acc_misp_import_dir(acc_misp_importer *m, const char *dir,
                           size_t max_bytes, acc_diag *d) {
  acc_rc rc = import_dir(m, dir, max_bytes, d);
  acc_rc frc = flush(m, rc ? NULL : d);
  return rc ? rc : frc;
}

static acc_rc import_dir(acc_misp_importer *m, const char *dir,
                         size_t max_bytes, acc_diag *d) {
  char path[4096];
  acc_rc rc = ACC_OK;
  if (!max_bytes)
    max_bytes = (size_t)1 << 30;
  snprintf(path, sizeof path, "%s/manifest.json", dir);
  char *mbuf = NULL;
  size_t mlen;
  acc_diag md;
  acc_rc mrc = read_file(path, max_bytes, &mbuf, &mlen, &md);
  if (mrc == ACC_OK) {
    json_error_t je;
    json_t *man = json_loadb(mbuf, mlen, JSON_REJECT_DUPLICATES, &je);
    free(mbuf);
    if (!json_is_object(man)) {
      json_decref(man);
      return acc_diag_set(d, ACC_EJSON,
                          "%s: not a MISP manifest (a JSON object keyed by "
                          "event uuid): %s",
                          path, man ? "not an object" : je.text);
    }
    size_t n = json_object_size(man), k = 0;
    const char **keys = calloc(n ? n : 1, sizeof *keys);
    if (!keys) {
      json_decref(man);
      return ACC_ENOMEM;
    }
    const char *key;
    json_t *v;
    json_object_foreach(man, key, v) keys[k++] = key;
    qsort(keys, n, sizeof *keys, cmp_str);
    /* which events changed: decided here, from the manifest alone */
    char **paths = calloc(n ? n : 1, sizeof *paths);
    const char **shas = calloc(n ? n : 1, sizeof *shas);
    const char **uuids = calloc(n ? n : 1, sizeof *uuids);
    size_t nf = 0;
    if (!paths || !shas || !uuids)
      rc = ACC_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++) {
      v = json_object_get(man, keys[i]);
      m->file = "manifest.json";
      m->event_uuid[0] = '\0';
      if (!acc_misp_uuid_ok(keys[i]) || !json_is_object(v)) {
        char text[200];
        snprintf(text, sizeof text,
                 "manifest entry '%.60s' is not an event uuid with an object; "
                 "skipped",
                 keys[i]);
        m->c.events++;
        m->c.events_failed++;
        message(m, ACC_MISP_ERROR, -1, NULL, -1, NULL, text);
        continue;
      }
      int64_t secs;
      acc_misp_uuid_lower(keys[i], m->event_uuid);
      if (!acc_misp_unix(json_object_get(v, "timestamp"), &secs) &&
          already_stored(m, keys[i], secs)) {
        m->c.events++;
        m->c.events_unchanged++;
        if (m->o.on_event)
          m->o.on_event(m->o.ctx, m->event_uuid, 1);
        continue;
      }
      json_t *sha = json_object_get(v, "integrity:sha256");
      snprintf(path, sizeof path, "%s/%s.json", dir, keys[i]);
      if (!(paths[nf] = strdup(path))) {
        rc = ACC_ENOMEM;
        break;
      }
      shas[nf] = json_is_string(sha) ? json_string_value(sha) : NULL;
      uuids[nf] = keys[i];
      nf++;
    }
    if (!rc && nf > 1)
      rc = import_pipelined(m, (const char *const *)paths, uuids, shas, nf,
                            max_bytes, d);
    else if (!rc && nf == 1)
      rc = import_feed_file(m, paths[0], uuids[0], shas[0], max_bytes, d);
    for (size_t i = 0; i < nf; i++)
      free(paths[i]);
    free(paths);
    free(shas);
    free(uuids);
    free(keys);
    json_decref(man);
    return rc;
  }
  if (mrc != ACC_ENOTFOUND) {
    memcpy(d->msg, md.msg, sizeof md.msg);
    return mrc;
  }
  /* no manifest: every *.json file, in name order */
  DIR *dh = opendir(dir);
  if (!dh)
    return acc_diag_set(d, ACC_EIO, "%s: cannot open directory: %s", dir,
                        strerror(errno));
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(dh)) && n < MAX_FEED_FILES) {
    size_t l = strlen(de->d_name);
    if (l < 6 || strcmp(de->d_name + l - 5, ".json") ||
        strcmp(de->d_name, "manifest.json") == 0)
      continue;
    if (n == cap) {
      size_t nc = cap ? cap * 2 : 64;
      char **nn = realloc(names, nc * sizeof *nn);
      if (!nn) {
        rc = ACC_ENOMEM;
        break;
      }
      names = nn;
      cap = nc;
    }
    if (!(names[n] = strdup(de->d_name))) {
      rc = ACC_ENOMEM;
      break;
    }
    n++;
  }
  closedir(dh);
  if (!rc)
    qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n && !rc; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    m->event_uuid[0] = '\0';
    rc = import_feed_file(m, path, NULL, NULL, max_bytes, d);
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return rc;
}
