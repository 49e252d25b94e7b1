/*
 * server.c — the HTTP machinery of the TAXII server, on libmicrohttpd:
 * the daemon and its limits, TLS, the pool of store handles, request
 * bodies, the absolute request deadline (the reaper), access logs,
 * Prometheus metrics and the graceful stop.  The TAXII resources
 * themselves are in endpoints.c.
 *
 * Threading: libmicrohttpd's internal epoll loop with a thread pool
 * (threads, default 4).  A fixed pool bounds threads and memory however
 * many connections are open, and idle or slow connections cost no thread;
 * each worker runs a request's handler to the end (POST ingestion is
 * synchronous), and borrows a store handle only while it does (SQLite
 * handles are not shared across threads).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cbm/cbm.h"
#include "pattern/pattern.h"
#include "taxii/server_int.h"
#include "web/web.h"

/* TLS 1.2 and 1.3 only, AEAD ciphers with forward secrecy (none of the
 * RFC 7540 Appendix A list), server's order. */
#define TLS_PRIORITIES                                                         \
  "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:"                 \
  "+CHACHA20-POLY1305:+AES-256-GCM:+AES-128-GCM:-KX-ALL:+ECDHE-ECDSA:"         \
  "+ECDHE-RSA:+DHE-RSA:%SERVER_PRECEDENCE"

#define META_NEXT_KEY "taxii.next_key"
#define PEM_MAX (1 << 20)

const int64_t acc_taxii_buckets_us[TAXII_N_BUCKETS] = {
    1000,   2500,   5000,   10000,   25000,   50000,
    100000, 250000, 500000, 1000000, 2500000, 10000000};

int64_t acc_taxii_mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- logs ---- */

void acc_taxii_log(const char *event, const char *fields) {
  char ts[ACC_TIME_BUFSZ];
  acc_time_format_ms(acc_time_now_us(), ts);
  acc_buf b;
  acc_buf_init(&b, 1 << 16);
  acc_rc rc = acc_buf_printf(&b, "{\"ts\":\"%s\",\"event\":\"%s\"", ts, event);
  if (!rc && fields && *fields)
    rc = acc_buf_printf(&b, ",%s", fields);
  if (!rc)
    rc = acc_buf_puts(&b, "}\n");
  if (!rc) {
    /* One write per line, so lines of concurrent requests never mix. */
    size_t off = 0;
    while (off < b.len) {
      ssize_t n = write(STDERR_FILENO, b.data + off, b.len - off);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      off += (size_t)n;
    }
  }
  acc_buf_free(&b);
}

static void log_msg(const char *event, const char *msg) {
  acc_buf f;
  acc_buf_init(&f, 1 << 14);
  if (!acc_buf_puts(&f, "\"message\":") && !acc_taxii_json_str(&f, msg))
    acc_taxii_log(event, f.data);
  acc_buf_free(&f);
}

void acc_taxii_log_note(acc_taxii_server *s, const void *q, const char *what,
                        const char *msg) {
  (void)s;
  (void)q;
  char m[1200];
  snprintf(m, sizeof m, "%s: %s", what, msg);
  log_msg("note", m);
}

/* ---- detection ---- */

void acc_taxii_detect_invalidate(acc_taxii_server *s) {
  pthread_mutex_lock(&s->detect_mu);
  s->matcher_stale = 1;
  pthread_mutex_unlock(&s->detect_mu);
}

/* (Re)build the matcher from the store; detect_mu held. */
static acc_rc rebuild_matcher(acc_taxii_server *s, acc_store *st,
                              acc_diag *d) {
  acc_matcher *m;
  acc_rc rc = acc_matcher_new(&m);
  if (rc)
    return acc_diag_set(d, rc, "cannot make a matcher");
  size_t added = 0, bad = 0;
  if ((rc = acc_matcher_add_from_store(m, st, &added, &bad, d)) ||
      (rc = acc_matcher_compile(m, d))) {
    acc_matcher_free(m);
    return rc;
  }
  acc_matcher_free(s->matcher);
  s->matcher = m;
  s->matcher_stale = 0;
  char msg[160];
  snprintf(msg, sizeof msg,
           "detection matcher built: %zu indicators (%zu invalid patterns "
           "skipped)",
           added, bad);
  log_msg("detect", msg);
  return ACC_OK;
}

acc_rc acc_taxii_detect(acc_taxii_server *s, acc_store *st, const char *ids,
                        size_t len, size_t *n_sightings, acc_diag *d) {
  acc_rc rc = ACC_OK;
  size_t total = 0;
  pthread_mutex_lock(&s->detect_mu);
  if (!s->matcher || s->matcher_stale)
    rc = rebuild_matcher(s, st, d);
  for (const char *p = ids; !rc && p < ids + len; p += strlen(p) + 1) {
    size_t n = 0;
    rc = acc_match_stored_observation(st, s->matcher, p, NULL,
                                      acc_time_now_us(), &n, d);
    total += n;
  }
  pthread_mutex_unlock(&s->detect_mu);
  *n_sightings = total;
  return rc;
}

static void mhd_logger(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char msg[1024];
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n = strlen(msg);
  while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
    msg[--n] = '\0';
  log_msg("http", msg);
}

/* ---- store handles ---- */

acc_store *acc_taxii_store_get(acc_taxii_server *s, acc_diag *d) {
  acc_store *st = NULL;
  pthread_mutex_lock(&s->pool_mu);
  for (;;) {
    if (s->n_idle) {
      st = s->pool[--s->n_idle];
      break;
    }
    if (s->n_open < s->pool_max) {
      s->n_open++;
      pthread_mutex_unlock(&s->pool_mu);
      acc_rc rc = acc_store_open(s->data_dir, 0, &st, d);
      if (rc) {
        pthread_mutex_lock(&s->pool_mu);
        s->n_open--;
        pthread_cond_signal(&s->pool_cv);
        pthread_mutex_unlock(&s->pool_mu);
        return NULL;
      }
      return st;
    }
    pthread_cond_wait(&s->pool_cv, &s->pool_mu);
  }
  pthread_mutex_unlock(&s->pool_mu);
  return st;
}

void acc_taxii_store_put(acc_taxii_server *s, acc_store *st) {
  if (!st)
    return;
  pthread_mutex_lock(&s->pool_mu);
  s->pool[s->n_idle++] = st;
  pthread_cond_signal(&s->pool_cv);
  pthread_mutex_unlock(&s->pool_mu);
}

/* ---- connections and the reaper ---- */

static void notify_connection(void *cls, struct MHD_Connection *c,
                              void **socket_context,
                              enum MHD_ConnectionNotificationCode code) {
  acc_taxii_server *s = cls;
  pthread_mutex_lock(&s->conn_mu);
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    *socket_context = NULL;
    for (size_t i = 0; ci && i < s->n_conns; i++) {
      if (!s->conns[i].used) {
        s->conns[i] = (taxii_conn){.used = 1,
                                   .fd = ci->connect_fd,
                                   .since_us = acc_taxii_mono_us(),
                                   .receiving = 1};
        *socket_context = &s->conns[i];
        break;
      }
    }
  } else if (*socket_context) {
    /* Called before the socket is closed, so the reaper never touches a
     * descriptor that was closed and reused. */
    taxii_conn *tc = *socket_context;
    tc->used = 0;
    tc->fd = -1;
    *socket_context = NULL;
  }
  pthread_mutex_unlock(&s->conn_mu);
}

static void conn_state(acc_taxii_server *s, taxii_conn *tc, int receiving) {
  if (!tc)
    return;
  pthread_mutex_lock(&s->conn_mu);
  if (tc->used) {
    tc->receiving = receiving;
    if (receiving)
      tc->since_us = acc_taxii_mono_us();
  }
  pthread_mutex_unlock(&s->conn_mu);
}

/* Every second: a connection still receiving a request request_timeout
 * seconds after it began (slow headers, a trickled body, an idle
 * keep-alive) is shut down; libmicrohttpd then closes it. */
static void *reaper_main(void *arg) {
  acc_taxii_server *s = arg;
  int64_t limit = (int64_t)s->cfg.request_timeout * 1000000;
  pthread_mutex_lock(&s->conn_mu);
  while (!s->reaper_stop) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 1;
    pthread_cond_timedwait(&s->reaper_cv, &s->conn_mu, &ts);
    if (s->reaper_stop)
      break;
    int64_t now = acc_taxii_mono_us();
    for (size_t i = 0; i < s->n_conns; i++) {
      taxii_conn *tc = &s->conns[i];
      if (tc->used && tc->receiving && !tc->killed && tc->fd >= 0 &&
          now - tc->since_us > limit) {
        shutdown(tc->fd, SHUT_RDWR);
        tc->killed = 1;
        atomic_fetch_add(&s->m.timeouts, 1);
      }
    }
  }
  pthread_mutex_unlock(&s->conn_mu);
  return NULL;
}

/* ---- responses ---- */

static const char *reason(int status) {
  switch (status) {
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 406:
    return "Not Acceptable";
  case 408:
    return "Request Timeout";
  case 413:
    return "Payload Too Large";
  case 415:
    return "Unsupported Media Type";
  case 422:
    return "Unprocessable Entity";
  case 429:
    return "Too Many Requests";
  case 500:
    return "Internal Server Error";
  case 503:
    return "Service Unavailable";
  default:
    return "Error";
  }
}

void acc_taxii_error(taxii_resp *r, const taxii_req *q, int status,
                     const char *fmt, ...) {
  char desc[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(desc, sizeof desc, fmt, ap);
  va_end(ap);
  acc_buf_reset(&r->body);
  r->status = status;
  r->ctype = NULL;
  r->first[0] = r->last[0] = '\0';
  acc_rc rc = acc_buf_puts(&r->body, "{\"title\":");
  rc = rc ? rc : acc_taxii_json_str(&r->body, reason(status));
  rc = rc ? rc : acc_buf_puts(&r->body, ",\"description\":");
  rc = rc ? rc : acc_taxii_json_str(&r->body, desc);
  if (!rc && q)
    rc = acc_buf_printf(&r->body, ",\"error_id\":\"%s\"", q->rid);
  rc = rc ? rc : acc_buf_printf(&r->body, ",\"http_status\":\"%d\"}", status);
  if (rc) {
    acc_buf_reset(&r->body);
    acc_buf_printf(&r->body, "{\"title\":\"%s\",\"http_status\":\"%d\"}",
                   reason(status), status);
  }
}

static void queue(acc_taxii_server *s, struct MHD_Connection *c, taxii_req *q,
                  taxii_resp *r) {
  /* Nothing leaves before the audit entries of this answer are written. */
  acc_diag ad = {{0}};
  if (acc_audit_settle(&ad)) {
    acc_buf body = r->body;
    memset(r, 0, sizeof *r);
    r->body = body;
    acc_taxii_error(r, q, 500, "the audit log cannot be written: %s", ad.msg);
  }
  size_t len = r->body.len;
  char *data = r->body.data;
  r->body.data = NULL;
  r->body.len = r->body.cap = 0;
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      len, data ? data : (char *)"",
      data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
  if (!resp) {
    free(data);
    q->status = 500;
    return;
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                          r->ctype ? r->ctype : ACC_TAXII_MEDIA_TYPE);
  MHD_add_response_header(resp, "X-Request-Id", q->rid);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                          r->cache_control ? r->cache_control : "no-store");
  for (size_t i = 0; i + 1 < sizeof r->hdr / sizeof r->hdr[0] && r->hdr[i];
       i += 2)
    MHD_add_response_header(resp, r->hdr[i], r->hdr[i + 1]);
  if (r->set_cookie[0])
    MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  if (r->first[0])
    MHD_add_response_header(resp, "X-TAXII-Date-Added-First", r->first);
  if (r->last[0])
    MHD_add_response_header(resp, "X-TAXII-Date-Added-Last", r->last);
  if (r->www_auth)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                            "Basic realm=\"accord\", Bearer");
  if (r->retry_after) {
    char v[16];
    snprintf(v, sizeof v, "%u", r->retry_after);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
  }
  if (r->allow)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
  if (r->filename[0]) {
    char v[192];
    snprintf(v, sizeof v, "attachment; filename=\"%s\"", r->filename);
    MHD_add_response_header(resp, "Content-Disposition", v);
  }
  if (r->close || atomic_load(&s->stopping))
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
  if (MHD_queue_response(c, (unsigned)r->status, resp) == MHD_YES) {
    q->status = r->status;
    q->bytes_out = len;
  }
  MHD_destroy_response(resp);
}

/* ---- request bodies ---- */

static int reserve_upload(acc_taxii_server *s, taxii_req *q, size_t n) {
  size_t cur = atomic_load(&s->upload_used);
  do {
    if (n > s->cfg.max_upload_memory || cur > s->cfg.max_upload_memory - n)
      return -1;
  } while (!atomic_compare_exchange_weak(&s->upload_used, &cur, cur + n));
  q->reserved += n;
  return 0;
}

static void release_upload(acc_taxii_server *s, taxii_req *q) {
  if (q->reserved)
    atomic_fetch_sub(&s->upload_used, q->reserved);
  q->reserved = 0;
}

/* Append a piece of body; 0 on success, or the HTTP status to refuse
 * with. */
static int take_body(acc_taxii_server *s, taxii_req *q, const char *p,
                     size_t n) {
  if (n > s->cfg.max_content_length - q->body.len)
    return 413;
  if (q->body.len + n > q->reserved) {
    /* A chunked body (no Content-Length): reserve as it grows. */
    size_t want = q->body.len + n - q->reserved;
    size_t step = want < (1u << 20) ? (1u << 20) : want;
    if (q->reserved + step > s->cfg.max_content_length)
      step = s->cfg.max_content_length - q->reserved;
    if (step < want || reserve_upload(s, q, step))
      return 503;
  }
  return acc_buf_append(&q->body, p, n) ? 503 : 0;
}

/* ---- the access handler ---- */

static void client_addr(struct MHD_Connection *c, char *out, size_t size) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  snprintf(out, size, "?");
  if (!ci || !ci->client_addr)
    return;
  const struct sockaddr *sa = ci->client_addr;
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
              (socklen_t)size);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
              (socklen_t)size);
}

static taxii_req *req_new(acc_taxii_server *s, struct MHD_Connection *c,
                          const char *url, const char *method) {
  taxii_req *q = calloc(1, sizeof *q);
  if (!q)
    return NULL;
  q->srv = s;
  q->t0_us = acc_taxii_mono_us();
  q->request_ts = acc_time_now_us();
  unsigned char id[8];
  randombytes_buf(id, sizeof id);
  sodium_bin2hex(q->rid, sizeof q->rid, id, sizeof id);
  snprintf(q->method, sizeof q->method, "%s", method);
  snprintf(q->path, sizeof q->path, "%s", url);
  snprintf(q->principal, sizeof q->principal, "-");
  client_addr(c, q->addr, sizeof q->addr);
  acc_buf_init(&q->body, s->cfg.max_content_length);
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  q->conn = ci ? ci->socket_context : NULL;
  q->mhd_conn = c;
  return q;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **con_cls) {
  acc_taxii_server *s = cls;
  taxii_req *q = *con_cls;
  taxii_resp r = {0};
  acc_buf_init(&r.body, 0);
  (void)version;

  if (!q) {
    /* Headers complete: decide now, before any body is read. */
    q = req_new(s, c, url, method);
    if (!q)
      return MHD_NO;
    *con_cls = q;
    atomic_fetch_add(&s->inflight, 1);
    if (atomic_load(&s->stopping)) {
      acc_taxii_error(&r, q, 503, "the server is shutting down");
      r.close = 1;
      r.retry_after = 5;
      goto respond;
    }
    if (strcmp(method, "POST") != 0) {
      /* Answered on the next call: libmicrohttpd closes a connection
       * whose response was queued on the first one. */
      q->deferred = 1;
      return MHD_YES;
    }
    acc_taxii_handle(s, c, q, url, method, &r);
    if (r.status)
      goto respond;
    /* A POST that passed every check: reserve memory for its body. */
    const char *cl =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (cl) {
      char *end;
      errno = 0;
      unsigned long long n = strtoull(cl, &end, 10);
      if (errno || end == cl || *end || cl[0] == '-' ||
          n > s->cfg.max_content_length) {
        acc_taxii_error(&r, q, 413,
                        "the body exceeds max_content_length (%zu bytes)",
                        s->cfg.max_content_length);
        goto respond;
      }
      if (n && reserve_upload(s, q, (size_t)n)) {
        atomic_fetch_add(&s->m.upload_refused, 1);
        acc_taxii_error(&r, q, 503,
                        "too many uploads in progress; try again later");
        r.retry_after = 2;
        goto respond;
      }
      if (n && acc_buf_reserve(&q->body, (size_t)n)) {
        acc_taxii_error(&r, q, 503, "out of memory for the body");
        goto respond;
      }
    }
    q->receiving = 1;
    return MHD_YES;
  }

  if (q->receiving && *upload_size) {
    size_t n = *upload_size;
    *upload_size = 0;
    if (q->discarding)
      return MHD_YES;
    int st = take_body(s, q, upload, n);
    if (st) {
      /* Past the cap in a chunked body: answer now if the library lets
       * us, else read and drop the rest (bounded by request_timeout). */
      if (st == 503)
        atomic_fetch_add(&s->m.upload_refused, 1);
      acc_buf_free(&q->body);
      release_upload(s, q);
      if (st == 413)
        acc_taxii_error(&r, q, 413,
                        "the body exceeds max_content_length (%zu bytes)",
                        s->cfg.max_content_length);
      else
        acc_taxii_error(&r, q, 503,
                        "too many uploads in progress; try again later");
      r.close = 1;
      queue(s, c, q, &r);
      acc_buf_free(&r.body);
      if (q->status)
        q->receiving = 0; /* answered; the library drops the rest */
      else
        q->discarding = st;
      return MHD_YES;
    }
    return MHD_YES;
  }

  if (q->receiving) {
    /* The whole body is here. */
    q->receiving = 0;
    conn_state(s, q->conn, 0);
    if (q->discarding) {
      acc_taxii_error(&r, q, q->discarding,
                      q->discarding == 413
                          ? "the body exceeds max_content_length"
                          : "too many uploads in progress; try again later");
      r.close = 1;
      goto respond;
    }
    acc_taxii_post_body(s, q, &r);
    acc_buf_free(&q->body);
    release_upload(s, q);
    goto respond;
  }
  if (q->deferred) {
    q->deferred = 0;
    if (upload_size)
      *upload_size = 0; /* a body on GET or DELETE is ignored */
    acc_taxii_handle(s, c, q, url, method, &r);
    goto respond;
  }
  /* Called again after a response was queued (nothing more to do). */
  if (upload_size)
    *upload_size = 0;
  return MHD_YES;

respond:
  conn_state(s, q->conn, 0);
  if (!r.status)
    acc_taxii_error(&r, q, 500, "no response");
  queue(s, c, q, &r);
  acc_buf_free(&r.body);
  return q->status ? MHD_YES : MHD_NO;
}

/* Every call: the audit entries of reads made while answering are queued
 * and written together (acc_audit_defer), settled before the answer is
 * queued (queue) and, for a call that queued none, when it returns. */
static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_size, void **con_cls) {
  acc_taxii_server *s = cls;
  acc_audit_defer(s->audit);
  enum MHD_Result res =
      handle(cls, c, url, method, version, upload, upload_size, con_cls);
  acc_diag ad;
  if (acc_audit_settle(&ad))
    log_msg("audit_error", ad.msg);
  return res;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
  acc_taxii_server *s = cls;
  taxii_req *q = *con_cls;
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  conn_state(s, ci ? ci->socket_context : NULL, 1);
  if (!q)
    return;
  *con_cls = NULL;
  int64_t us = acc_taxii_mono_us() - q->t0_us;
  int status =
      q->status ? q->status
                : (toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? 408 : 499);
  int cls_ix = status / 100;
  if (cls_ix >= 1 && cls_ix <= 5)
    atomic_fetch_add(&s->m.requests[cls_ix], 1);
  size_t b = 0;
  while (b < TAXII_N_BUCKETS && us > acc_taxii_buckets_us[b])
    b++;
  atomic_fetch_add(&s->m.latency_bucket[b], 1);
  atomic_fetch_add(&s->m.latency_sum_us, (unsigned long long)us);
  if (s->cfg.access_log) {
    acc_buf f;
    acc_buf_init(&f, 1 << 14);
    acc_rc rc = acc_buf_printf(&f, "\"rid\":\"%s\",\"addr\":", q->rid);
    rc = rc ? rc : acc_taxii_json_str(&f, q->addr);
    rc = rc ? rc : acc_buf_puts(&f, ",\"principal\":");
    rc = rc ? rc : acc_taxii_json_str(&f, q->principal);
    rc = rc ? rc : acc_buf_puts(&f, ",\"method\":");
    rc = rc ? rc : acc_taxii_json_str(&f, q->method);
    rc = rc ? rc : acc_buf_puts(&f, ",\"path\":");
    rc = rc ? rc : acc_taxii_json_str(&f, q->path);
    rc = rc ? rc
            : acc_buf_printf(&f, ",\"status\":%d,\"bytes\":%zu,\"ms\":%.3f",
                             status, q->bytes_out, (double)us / 1000.0);
    if (!rc && toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
      rc = acc_buf_printf(&f, ",\"aborted\":%d", (int)toe);
    if (!rc)
      acc_taxii_log("request", f.data);
    acc_buf_free(&f);
  }
  acc_buf_free(&q->body);
  release_upload(s, q);
  free(q);
  atomic_fetch_sub(&s->inflight, 1);
}

/* ---- metrics ---- */

void acc_taxii_metrics_text(acc_taxii_server *s, acc_buf *b) {
  static const char *cls[] = {"", "1xx", "2xx", "3xx", "4xx", "5xx"};
  acc_buf_puts(b, "# HELP accord_http_requests_total HTTP requests answered, "
                  "by status class.\n"
                  "# TYPE accord_http_requests_total counter\n");
  for (int i = 1; i <= 5; i++)
    acc_buf_printf(b, "accord_http_requests_total{code=\"%s\"} %llu\n", cls[i],
                   (unsigned long long)atomic_load(&s->m.requests[i]));
  acc_buf_puts(b, "# HELP accord_http_request_duration_seconds Time from a "
                  "request's headers to its last response byte.\n"
                  "# TYPE accord_http_request_duration_seconds histogram\n");
  unsigned long long cum = 0;
  for (int i = 0; i <= TAXII_N_BUCKETS; i++) {
    cum += atomic_load(&s->m.latency_bucket[i]);
    if (i < TAXII_N_BUCKETS)
      acc_buf_printf(b,
                     "accord_http_request_duration_seconds_bucket{le=\"%g\"} "
                     "%llu\n",
                     (double)acc_taxii_buckets_us[i] / 1e6, cum);
    else
      acc_buf_printf(b,
                     "accord_http_request_duration_seconds_bucket{le=\"+Inf\"}"
                     " %llu\n",
                     cum);
  }
  acc_buf_printf(b, "accord_http_request_duration_seconds_sum %.6f\n",
                 (double)atomic_load(&s->m.latency_sum_us) / 1e6);
  acc_buf_printf(b, "accord_http_request_duration_seconds_count %llu\n", cum);
  struct {
    const char *name, *help, *type;
    unsigned long long v;
  } one[] = {
      {"accord_objects_ingested_total",
       "STIX objects stored through TAXII POST (duplicates not counted).",
       "counter", atomic_load(&s->m.objects_ingested)},
      {"accord_objects_rejected_total",
       "STIX objects refused in TAXII POST requests.", "counter",
       atomic_load(&s->m.objects_rejected)},
      {"accord_sightings_total",
       "Sightings stored by matching observed-data against indicators.",
       "counter", atomic_load(&s->m.sightings)},
      {"accord_auth_failures_total",
       "Requests with wrong or unusable credentials.", "counter",
       atomic_load(&s->m.auth_failures)},
      {"accord_auth_throttled_total",
       "Requests refused by the failed-login throttle.", "counter",
       atomic_load(&s->m.throttled)},
      {"accord_http_request_timeouts_total",
       "Connections cut off for not sending a request within "
       "request_timeout.",
       "counter", atomic_load(&s->m.timeouts)},
      {"accord_http_upload_refused_total",
       "Uploads refused because max_upload_memory was in use.", "counter",
       atomic_load(&s->m.upload_refused)},
      {"accord_http_requests_in_flight", "Requests being handled.", "gauge",
       (unsigned long long)atomic_load(&s->inflight)},
  };
  for (size_t i = 0; i < sizeof one / sizeof one[0]; i++)
    acc_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", one[i].name,
                   one[i].help, one[i].name, one[i].type, one[i].name,
                   one[i].v);
  const union MHD_DaemonInfo *di =
      s->mhd ? MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS)
             : NULL;
  acc_buf_printf(b,
                 "# HELP accord_http_connections Open connections.\n"
                 "# TYPE accord_http_connections gauge\n"
                 "accord_http_connections %u\n",
                 di ? di->num_connections : 0u);
  /* Confidence-building: consultations by state, overdue deadlines,
   * points of contact due for confirmation (src/cbm/watch.c). */
  acc_diag d;
  acc_store *st = acc_taxii_store_get(s, &d);
  if (st) {
    acc_cbm_metrics_text(st, s->data_dir, b);
    acc_taxii_store_put(s, st);
  }
}

/* ---- lifecycle ---- */

static acc_rc read_pem(const char *path, char **out, acc_diag *d) {
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return acc_diag_set(d, ACC_EIO, "%s: cannot open: %s", path,
                        strerror(errno));
  acc_buf b;
  acc_buf_init(&b, PEM_MAX);
  acc_rc rc = ACC_OK;
  for (;;) {
    if ((rc = acc_buf_reserve(&b, 4096))) {
      acc_diag_set(d, rc, "%s: larger than %d bytes", path, PEM_MAX);
      break;
    }
    ssize_t n = read(fd, b.data + b.len, 4096);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      rc = acc_diag_set(d, ACC_EIO, "%s: cannot read: %s", path,
                        strerror(errno));
      break;
    }
    if (n == 0)
      break;
    b.len += (size_t)n;
    b.data[b.len] = '\0';
  }
  close(fd);
  if (!rc && b.len == 0)
    rc = acc_diag_set(d, ACC_EIO, "%s: empty file", path);
  if (rc) {
    if (b.data)
      sodium_memzero(b.data, b.cap);
    acc_buf_free(&b);
    return rc;
  }
  *out = b.data;
  return ACC_OK;
}

/* The pagination key: random, made once, kept with the data. */
static acc_rc load_key(acc_taxii_server *s, acc_store *st, acc_diag *d) {
  char hex[2 * ACC_TAXII_NEXT_KEYBYTES + 8];
  size_t n = 0;
  acc_rc rc = st->ops->meta_get(st, META_NEXT_KEY, hex, sizeof hex, d);
  if (rc == ACC_ENOTFOUND) {
    unsigned char k[ACC_TAXII_NEXT_KEYBYTES];
    randombytes_buf(k, sizeof k);
    sodium_bin2hex(hex, sizeof hex, k, sizeof k);
    sodium_memzero(k, sizeof k);
    if ((rc = st->ops->meta_set(st, META_NEXT_KEY, hex, d)))
      return rc;
    /* Another server starting at the same moment may have won: read back
     * whatever is stored. */
    rc = st->ops->meta_get(st, META_NEXT_KEY, hex, sizeof hex, d);
  }
  if (rc)
    return rc;
  if (sodium_hex2bin(s->next_key, sizeof s->next_key, hex, strlen(hex), NULL,
                     &n, NULL) != 0 ||
      n != sizeof s->next_key)
    return acc_diag_set(d, ACC_ESTORE,
                        "the stored pagination key (%s) is damaged",
                        META_NEXT_KEY);
  sodium_memzero(hex, sizeof hex);
  return ACC_OK;
}

static void server_free(acc_taxii_server *s) {
  if (!s)
    return;
  if (s->reaper_started) {
    pthread_mutex_lock(&s->conn_mu);
    s->reaper_stop = 1;
    pthread_cond_signal(&s->reaper_cv);
    pthread_mutex_unlock(&s->conn_mu);
    pthread_join(s->reaper, NULL);
  }
  for (size_t i = 0; i < s->n_idle; i++)
    acc_store_close(s->pool[i]);
  free(s->pool);
  free(s->conns);
  acc_auth_cache_free(s->auth_cache);
  acc_throttle_free(s->throttle);
  acc_web_sessions_free(s->sessions);
  acc_audit_close(s->audit);
  acc_matcher_free(s->matcher);
  pthread_mutex_destroy(&s->detect_mu);
  if (s->tls_key_pem) {
    sodium_memzero(s->tls_key_pem, strlen(s->tls_key_pem));
    free(s->tls_key_pem);
  }
  free(s->tls_cert_pem);
  free(s->data_dir);
  sodium_memzero(s->next_key, sizeof s->next_key);
  pthread_mutex_destroy(&s->pool_mu);
  pthread_cond_destroy(&s->pool_cv);
  pthread_mutex_destroy(&s->conn_mu);
  pthread_cond_destroy(&s->reaper_cv);
  free(s);
}

static acc_rc write_port_file(const char *path, unsigned port, acc_diag *d) {
  char tmp[ACC_TAXII_PATH_MAX + 8];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f)
    return acc_diag_set(d, ACC_EIO, "%s: cannot write: %s", tmp,
                        strerror(errno));
  fprintf(f, "%u\n", port);
  if (fclose(f) != 0 || rename(tmp, path) != 0)
    return acc_diag_set(d, ACC_EIO, "%s: cannot write: %s", path,
                        strerror(errno));
  return ACC_OK;
}

acc_rc acc_taxii_server_start(const acc_taxii_config *cfg, const char *data_dir,
                              acc_taxii_server **out, acc_diag *d) {
  acc_rc rc;
  const char *addr =
      strcmp(cfg->listen, "localhost") == 0 ? "127.0.0.1" : cfg->listen;
  int tls = cfg->tls_cert[0] || cfg->tls_key[0];
  if (tls && (!cfg->tls_cert[0] || !cfg->tls_key[0]))
    return acc_diag_set(d, ACC_EUSAGE,
                        "TLS needs both a certificate (tls_cert) and a key "
                        "(tls_key)");
#ifdef ACCORD_BENCH_NO_POLICY
  if (!acc_taxii_addr_is_loopback(addr))
    return acc_diag_set(d, ACC_EUSAGE,
                        "this is a benchmark build without the sharing "
                        "policy: it serves loopback only");
#endif
  if (!tls && !cfg->insecure_http && !acc_taxii_addr_is_loopback(addr))
    return acc_diag_set(d, ACC_EUSAGE,
                        "refusing plain HTTP on %s, which is not a loopback "
                        "address: give --tls-cert and --tls-key (or "
                        "--insecure-http to accept the risk)",
                        addr);

  acc_taxii_server *s = calloc(1, sizeof *s);
  if (!s)
    return ACC_ENOMEM;
  s->cfg = *cfg;
  if (s->cfg.page_default > s->cfg.page_max)
    s->cfg.page_default = s->cfg.page_max;
  s->tls = tls;
  pthread_mutex_init(&s->pool_mu, NULL);
  pthread_cond_init(&s->pool_cv, NULL);
  pthread_mutex_init(&s->conn_mu, NULL);
  pthread_mutex_init(&s->detect_mu, NULL);
  pthread_cond_init(&s->reaper_cv, NULL);
  s->data_dir = strdup(data_dir);
  s->pool_max = cfg->threads + 2;
  s->pool = calloc(s->pool_max, sizeof *s->pool);
  s->n_conns = cfg->max_connections + 8;
  s->conns = calloc(s->n_conns, sizeof *s->conns);
  s->auth_cache =
      acc_auth_cache_new(4096, (int64_t)cfg->auth_cache_ttl * 1000000);
  s->throttle = acc_throttle_new(4096, cfg->login_burst,
                                 (int64_t)cfg->login_max_wait * 1000000);
  s->sessions = acc_web_sessions_new(
      cfg->session_max, (int64_t)cfg->session_idle_timeout * 1000000,
      (int64_t)cfg->session_lifetime * 1000000);
  acc_web_find_ui_dir(cfg->ui_dir, s->ui_dir, sizeof s->ui_dir);
  if (!s->data_dir || !s->pool || !s->conns || !s->auth_cache || !s->throttle ||
      !s->sessions) {
    rc = acc_diag_set(d, ACC_ENOMEM, "out of memory starting the server");
    goto out_free;
  }
  for (size_t i = 0; i < s->n_conns; i++)
    s->conns[i].fd = -1;
  if ((rc = acc_audit_open(data_dir, &s->audit, d)))
    goto out_free;

  acc_store *st = acc_taxii_store_get(s, d);
  if (!st) {
    rc = ACC_ENOTFOUND;
    goto out_free;
  }
  rc = load_key(s, st, d);
  acc_taxii_store_put(s, st);
  if (rc)
    goto out_free;

  if (tls && ((rc = read_pem(cfg->tls_cert, &s->tls_cert_pem, d)) ||
              (rc = read_pem(cfg->tls_key, &s->tls_key_pem, d))))
    goto out_free;

  struct sockaddr_in sa4;
  struct sockaddr_in6 sa6;
  struct sockaddr *sa;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                   MHD_USE_ITC | MHD_USE_ERROR_LOG;
  memset(&sa4, 0, sizeof sa4);
  memset(&sa6, 0, sizeof sa6);
  if (inet_pton(AF_INET, addr, &sa4.sin_addr) == 1) {
    sa4.sin_family = AF_INET;
    sa4.sin_port = htons((uint16_t)cfg->port);
    sa = (struct sockaddr *)&sa4;
  } else if (inet_pton(AF_INET6, addr, &sa6.sin6_addr) == 1) {
    sa6.sin6_family = AF_INET6;
    sa6.sin6_port = htons((uint16_t)cfg->port);
    sa = (struct sockaddr *)&sa6;
    flags |= MHD_USE_IPv6;
  } else {
    rc = acc_diag_set(d, ACC_EUSAGE, "listen: '%s' is not an address", addr);
    goto out_free;
  }
  if (tls)
    flags |= MHD_USE_TLS;
  struct MHD_OptionItem opts[] = {
      {MHD_OPTION_SOCK_ADDR, 0, sa},
      {MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, NULL},
      {MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_connections, NULL},
      {MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout, NULL},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)cfg->max_header_bytes,
       NULL},
      {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, s},
      {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)notify_connection, s},
      {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->tls_cert_pem},
      {MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key_pem},
      {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES},
      {MHD_OPTION_END, 0, NULL},
  };
  s->mhd = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, handler, s,
                            MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
                            MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
  if (!s->mhd) {
    rc = acc_diag_set(d, ACC_EIO,
                      "cannot listen on %s port %u (in use, or not an "
                      "address of this machine, or bad TLS files)",
                      addr, cfg->port);
    goto out_free;
  }
  const union MHD_DaemonInfo *di =
      MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
  s->port = di ? di->port : cfg->port;
  if (pthread_create(&s->reaper, NULL, reaper_main, s) != 0) {
    rc = acc_diag_set(d, ACC_ENOMEM, "cannot start the reaper thread");
    goto out_stop;
  }
  s->reaper_started = 1;
  if (cfg->port_file[0] && (rc = write_port_file(cfg->port_file, s->port, d)))
    goto out_stop;
  *out = s;
  return ACC_OK;
out_stop:
  MHD_stop_daemon(s->mhd);
  s->mhd = NULL;
out_free:
  server_free(s);
  return rc;
}

unsigned acc_taxii_server_port(const acc_taxii_server *s) {
  return s->port;
}

int acc_taxii_server_tls(const acc_taxii_server *s) {
  return s->tls;
}

void acc_taxii_server_stop(acc_taxii_server *s) {
  if (!s)
    return;
  atomic_store(&s->stopping, 1);
  if (s->mhd) {
    /* Stop accepting; the listening socket is ours to close now. */
    MHD_socket lfd = MHD_quiesce_daemon(s->mhd);
    if (lfd != MHD_INVALID_SOCKET)
      close(lfd);
    int64_t until =
        acc_taxii_mono_us() + (int64_t)s->cfg.shutdown_grace * 1000000;
    while (atomic_load(&s->inflight) > 0 && acc_taxii_mono_us() < until) {
      struct timespec ts = {0, 10 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
    long left = atomic_load(&s->inflight);
    if (left > 0) {
      char f[64];
      snprintf(f, sizeof f, "\"unfinished\":%ld", left);
      acc_taxii_log("shutdown_grace_expired", f);
    }
    MHD_stop_daemon(s->mhd);
    s->mhd = NULL;
  }
  server_free(s);
}

/* ---- objects stored by federation (src/sync) ---- */

size_t acc_taxii_server_ingested(acc_taxii_server *s, acc_store *st,
                                 int new_indicators, const char *observed,
                                 size_t len) {
  size_t n = 0;
  acc_diag d;
  if (new_indicators)
    acc_taxii_detect_invalidate(s);
  if (len && acc_taxii_detect(s, st, observed, len, &n, &d) != ACC_OK)
    log_msg("detect", d.msg);
  atomic_fetch_add(&s->m.sightings, n);
  return n;
}
