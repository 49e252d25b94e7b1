/*
 * loop.c — the sensor's event loop (libuv): listeners, admission of a new
 * connection (per-source rate and count, total sessions, memory, spool
 * room), the output path with its capped backlog, the once-a-second sweep
 * that enforces time limits, the event log, privilege dropping and a
 * clean stop on SIGTERM/SIGINT in which every open session is logged and
 * spooled.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sensor/sensor_int.h"
#include "util/time.h"

#define STATS_EVERY_US ((int64_t)300 * 1000000)

static char read_buf[ACC_SN_READ_BUF];

/* ---- event log ---- */

static void write_line(acc_sn *sn, const char *p, size_t n) {
  size_t done = 0;
  for (int tries = 0; done < n && tries < 100; tries++) {
    ssize_t w = write(sn->log_fd, p + done, n - done);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      break;
    done += (size_t)w;
  }
  if (done == n) {
    sn->stats.events++;
  } else {
    if (sn->stats.events_failed++ == 0)
      fprintf(stderr, "accord sensor: cannot write the event log %s: %s\n",
              sn->cfg->log_path, strerror(errno));
  }
}

void acc_sn_event(acc_sn_conn *c, const char *eventid, const char *message,
                  json_t *fields) {
  acc_sn *sn = c->sn;
  acc_buf_reset(&sn->ev);
  if (acc_sensor_event(&c->rec, sn->cfg->name, acc_time_now_us(), eventid,
                       message, fields, &sn->ev)) {
    sn->stats.events_failed++;
    return;
  }
  write_line(sn, sn->ev.data, sn->ev.len);
}

static void stats_event(acc_sn *sn, const char *why) {
  acc_spool_counts sc = {0};
  if (sn->spool)
    acc_spool_counts_get(sn->spool, &sc);
  char ts[ACC_TIME_BUFSZ];
  acc_time_format(acc_time_now_us(), ts);
  json_t *o = json_pack(
      "{ss ss ss ss sI sI sI sI sI sI sI sI sI sI sI sI sI sI}", "eventid",
      "accord.sensor.stats", "timestamp", ts, "sensor", sn->cfg->name,
      "message", why, "sessions", (json_int_t)sn->stats.sessions,
      "open_sessions", (json_int_t)sn->n_conns, "refused_rate",
      (json_int_t)sn->stats.refused_rate, "refused_capacity",
      (json_int_t)sn->stats.refused_capacity, "refused_spool",
      (json_int_t)sn->stats.refused_spool, "closed_limit",
      (json_int_t)sn->stats.closed_limit, "events",
      (json_int_t)sn->stats.events, "events_failed",
      (json_int_t)sn->stats.events_failed, "stix_spooled",
      (json_int_t)sn->stats.stix_spooled, "spool_bytes", (json_int_t)sc.bytes,
      "spool_segments", (json_int_t)sc.segments, "sent_sessions",
      (json_int_t)sc.sessions_sent, "send_failures",
      (json_int_t)sc.attempts_failed, "mem_reserved", (json_int_t)sn->mem_used);
  char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(o);
  if (!s)
    return;
  size_t n = strlen(s);
  s[n] = '\n'; /* replaces the NUL; written with its length */
  write_line(sn, s, n + 1);
  free(s);
}

/* ---- memory accounting ---- */

acc_rc acc_sn_mem(acc_sn_conn *c, long n) {
  acc_sn *sn = c->sn;
  if (n < 0) {
    size_t k = (size_t)-n;
    if (k > c->mem)
      k = c->mem;
    c->mem -= k;
    sn->mem_used -= k;
    return ACC_OK;
  }
  size_t k = (size_t)n;
  if (c->mem + k > sn->cfg->conn_mem_cap || sn->mem_used + k > sn->cfg->mem_cap)
    return ACC_ENOMEM;
  c->mem += k;
  sn->mem_used += k;
  return ACC_OK;
}

/* ---- handles and closing ---- */

static void conn_free(acc_sn_conn *c) {
  if (c->proto->release)
    c->proto->release(c);
  acc_buf_free(&c->backlog);
  acc_sensor_rec_free(&c->rec);
  free(c);
}

void acc_sn_handle_open(acc_sn_conn *c) {
  c->handles++;
}

void acc_sn_handle_closed(uv_handle_t *h) {
  acc_sn_conn *c = h->data;
  if (--c->handles == 0)
    conn_free(c);
}

static void unlink_conn(acc_sn_conn *c) {
  acc_sn *sn = c->sn;
  if (c->prev)
    c->prev->next = c->next;
  else
    sn->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  c->prev = c->next = NULL;
  sn->n_conns--;
  sn->mem_used -= c->mem;
  c->mem = 0;
  if (c->src && c->src->conns)
    c->src->conns--;
}

void acc_sn_close(acc_sn_conn *c, const char *reason) {
  if (c->closing)
    return;
  acc_sn *sn = c->sn;
  c->closing = 1;
  if (c->proto->end)
    c->proto->end(c);
  int64_t now = acc_time_now_us();
  c->rec.end_us = now;
  double dur = (double)(now - c->rec.start_us) / 1e6;
  char msg[256];
  snprintf(msg, sizeof msg, "Connection lost after %.1f seconds (%s)", dur,
           reason);
  acc_sn_event(c, "cowrie.session.closed", msg,
               json_pack("{sfss}", "duration", dur, "reason", reason));
  if (sn->spool) {
    acc_buf b;
    acc_diag d;
    acc_buf_init(&b, (size_t)1 << 20);
    if (acc_sensor_stix(&c->rec, &b) == ACC_OK &&
        acc_spool_append(sn->spool, b.data, b.len, &d) == ACC_OK)
      sn->stats.stix_spooled++;
    else
      fprintf(stderr, "accord sensor: session %s: STIX not spooled\n",
              c->rec.session);
    acc_buf_free(&b);
  }
  unlink_conn(c);
  uv_read_stop((uv_stream_t *)&c->tcp);
  uv_close((uv_handle_t *)&c->tcp, acc_sn_handle_closed);
}

static void on_shutdown(uv_shutdown_t *req, int status) {
  acc_sn_conn *c = req->data;
  free(req);
  (void)status;
  acc_sn_close(c, c->finish_reason ? c->finish_reason : "finished");
}

/* Output written: close now (a FIN after the data). */
static void finish_now(acc_sn_conn *c) {
  uv_shutdown_t *req = malloc(sizeof *req);
  const char *why = c->finish_reason ? c->finish_reason : "finished";
  if (!req || c->closing) {
    free(req);
    acc_sn_close(c, why);
    return;
  }
  req->data = c;
  if (uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
    free(req);
    acc_sn_close(c, why);
  }
}

void acc_sn_finish(acc_sn_conn *c, const char *reason) {
  if (c->closing || c->finishing)
    return;
  c->finishing = 1;
  c->finish_reason = reason;
  uv_read_stop((uv_stream_t *)&c->tcp);
  if (!c->writing)
    finish_now(c);
}

/* ---- output ---- */

typedef struct wreq {
  uv_write_t req;
  acc_sn_conn *c;
  char data[];
} wreq;

static acc_rc start_write(acc_sn_conn *c, const char *p, size_t n);

static void on_write(uv_write_t *req, int status) {
  wreq *w = (wreq *)req;
  acc_sn_conn *c = w->c;
  free(w);
  c->writing = 0;
  if (c->closing)
    return;
  if (status < 0) {
    acc_sn_close(c, "write failed");
    return;
  }
  if (c->backlog.len) {
    acc_buf b = c->backlog;
    acc_buf_init(&c->backlog, ACC_SN_BACKLOG_MAX);
    start_write(c, b.data, b.len);
    acc_buf_free(&b);
    return;
  }
  if (c->finishing) {
    finish_now(c);
    return;
  }
  if (c->proto->drained)
    c->proto->drained(c);
}

static acc_rc start_write(acc_sn_conn *c, const char *p, size_t n) {
  uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
  int k = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
  if (k == UV_EAGAIN || k == UV_ENOSYS)
    k = 0;
  if (k < 0) {
    acc_sn_close(c, "write failed");
    return ACC_EIO;
  }
  if ((size_t)k == n) {
    if (c->finishing)
      finish_now(c);
    return ACC_OK;
  }
  wreq *w = malloc(sizeof *w + (n - (size_t)k));
  if (!w) {
    acc_sn_close(c, "out of memory");
    return ACC_ENOMEM;
  }
  w->c = c;
  memcpy(w->data, p + k, n - (size_t)k);
  b = uv_buf_init(w->data, (unsigned)(n - (size_t)k));
  if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_write) != 0) {
    free(w);
    acc_sn_close(c, "write failed");
    return ACC_EIO;
  }
  c->writing = 1;
  return ACC_OK;
}

acc_rc acc_sn_send(acc_sn_conn *c, const void *p, size_t n) {
  if (c->closing || n == 0)
    return ACC_OK;
  if (c->writing) {
    if (acc_buf_append(&c->backlog, p, n)) {
      c->sn->stats.closed_limit++;
      acc_sn_close(c, "output backlog over its limit (client not reading)");
      return ACC_ETOOBIG;
    }
    return ACC_OK;
  }
  return start_write(c, p, n);
}

acc_rc acc_sn_sends(acc_sn_conn *c, const char *s) {
  return acc_sn_send(c, s, strlen(s));
}

/* ---- shared session helpers ---- */

int acc_sn_login(acc_sn_conn *c, const char *user, const char *pass) {
  int ok = acc_sensor_cred_ok(c->sn->cfg->accept, user, pass);
  char msg[400];
  snprintf(msg, sizeof msg, "login attempt [%.128s/%.128s] %s", user, pass,
           ok ? "succeeded" : "failed");
  acc_sn_event(c, ok ? "cowrie.login.success" : "cowrie.login.failed", msg,
               json_pack("{soso}", "username", acc_sensor_jstr(user),
                         "password", acc_sensor_jstr(pass)));
  if (acc_sensor_rec_cred(&c->rec, user, pass, ok) == ACC_OK)
    (void)0;
  if (ok)
    c->logged_in = 1;
  c->auth_tries++;
  return ok;
}

void acc_sn_url(acc_sn_conn *c, const char *url, size_t n) {
  char u[ACC_REC_URL_MAX + 1];
  if (n > ACC_REC_URL_MAX)
    n = ACC_REC_URL_MAX;
  memcpy(u, url, n);
  u[n] = '\0';
  char msg[ACC_REC_URL_MAX + 64];
  snprintf(msg, sizeof msg, "Download attempt of %s (not performed)", u);
  acc_sn_event(c, "cowrie.session.file_download", msg,
               json_pack("{so}", "url", acc_sensor_jstr(u)));
  acc_sensor_rec_url(&c->rec, url, n);
}

void acc_sn_extract_cb(void *ctx, acc_extract_kind kind, const char *s,
                       size_t n) {
  acc_sn_conn *c = ctx;
  if (kind == ACC_EXTRACT_URL)
    acc_sn_url(c, s, n);
  else
    acc_sensor_rec_ip(&c->rec, s, n);
}

void acc_sn_command(acc_sn_conn *c, const char *line, size_t n) {
  char in[2048];
  if (n > sizeof in - 1)
    n = sizeof in - 1;
  memcpy(in, line, n);
  in[n] = '\0';
  char msg[2100];
  snprintf(msg, sizeof msg, "CMD: %s", in);
  acc_sn_event(c, "cowrie.command.input", msg,
               json_pack("{so}", "input", acc_sensor_jstr(in)));
}

/* ---- line editing ---- */

acc_rc acc_sn_line_init(acc_sn_conn *c, acc_sn_line *l, int reserve) {
  memset(l, 0, sizeof *l);
  size_t cap = c->sn->cfg->line_max + 1;
  if (reserve && acc_sn_mem(c, (long)cap))
    return ACC_ENOMEM;
  l->buf = malloc(cap);
  if (!l->buf) {
    if (reserve)
      acc_sn_mem(c, -(long)cap);
    return ACC_ENOMEM;
  }
  l->cap = cap;
  return ACC_OK;
}

void acc_sn_line_free(acc_sn_conn *c, acc_sn_line *l) {
  if (!l->buf)
    return;
  if (c)
    acc_sn_mem(c, -(long)l->cap);
  free(l->buf);
  l->buf = NULL;
}

int acc_sn_line_put(acc_sn_line *l, unsigned char ch, acc_buf *echo) {
  int after_cr = l->last_cr;
  l->last_cr = ch == '\r';
  if (ch == '\n' && after_cr)
    return ACC_SN_LINE_MORE; /* the LF of CR LF */
  if (ch == '\r' || ch == '\n') {
    l->buf[l->len] = '\0';
    if (echo)
      acc_buf_puts(echo, "\r\n");
    return ACC_SN_LINE_DONE;
  }
  if (ch == 3) { /* ^C */
    l->len = 0;
    if (echo)
      acc_buf_puts(echo, "^C\r\n");
    return ACC_SN_LINE_INTR;
  }
  if (ch == 4 && l->len == 0) /* ^D */
    return ACC_SN_LINE_EOF;
  if (ch == 0x7f || ch == 8) {
    if (l->len) {
      l->len--;
      if (echo)
        acc_buf_puts(echo, "\b \b");
    }
    return ACC_SN_LINE_MORE;
  }
  if (ch < 0x20 && ch != '\t')
    return ACC_SN_LINE_MORE;
  if (l->len + 1 >= l->cap) {
    l->over = 1;
    return ACC_SN_LINE_MORE;
  }
  l->buf[l->len++] = (char)ch;
  if (echo)
    acc_buf_putc(echo, (char)ch);
  return ACC_SN_LINE_MORE;
}

/* ---- admission ---- */

static uint32_t addr_hash(const unsigned char a[16]) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < 16; i++)
    h = (h ^ a[i]) * 16777619u;
  return h;
}

/* The entry of a source, created when absent; NULL when the table has no
 * room (every nearby slot busy with an active source). */
static acc_sn_src *src_get(acc_sn *sn, const unsigned char a[16], int64_t now) {
  const acc_sensor_config *cf = sn->cfg;
  uint32_t h = addr_hash(a) % ACC_SN_SRC_SLOTS;
  acc_sn_src *spare = NULL;
  int64_t refill_us = (int64_t)(cf->rate_burst / cf->rate_per_source * 1e6);
  for (int i = 0; i < ACC_SN_SRC_PROBE; i++) {
    acc_sn_src *e = &sn->src[(h + (uint32_t)i) % ACC_SN_SRC_SLOTS];
    if (e->used && !memcmp(e->addr, a, 16))
      return e;
    if (!e->used) {
      spare = e;
      break;
    }
    if (!spare && e->conns == 0 && now - e->last_us > refill_us)
      spare = e; /* idle long enough that its bucket is full again */
  }
  if (!spare)
    return NULL;
  memcpy(spare->addr, a, 16);
  spare->used = 1;
  spare->tokens = cf->rate_burst;
  spare->last_us = now;
  spare->conns = 0;
  return spare;
}

/* Address text, port and the 16-byte key of a socket address. */
static void addr_of(const struct sockaddr_storage *ss, char *ip, size_t cap,
                    unsigned *port, unsigned char key[16]) {
  memset(key, 0, 16);
  if (ss->ss_family == AF_INET6) {
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
    if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
      struct in_addr v4;
      memcpy(&v4, s6->sin6_addr.s6_addr + 12, 4);
      inet_ntop(AF_INET, &v4, ip, (socklen_t)cap);
    } else {
      inet_ntop(AF_INET6, &s6->sin6_addr, ip, (socklen_t)cap);
    }
    memcpy(key, s6->sin6_addr.s6_addr, 16);
    *port = ntohs(s6->sin6_port);
  } else {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
    inet_ntop(AF_INET, &s4->sin_addr, ip, (socklen_t)cap);
    key[10] = key[11] = 0xff;
    memcpy(key + 12, &s4->sin_addr, 4);
    *port = ntohs(s4->sin_port);
  }
}

/* A refused connection: its handle is closed and the shell freed. */
static void on_refused_close(uv_handle_t *h) {
  free(h->data);
}

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  (void)h;
  (void)hint;
  *buf = uv_buf_init(read_buf, sizeof read_buf);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  acc_sn_conn *c = s->data;
  if (c->closing)
    return;
  if (n < 0) {
    acc_sn_close(c, n == UV_EOF ? "client closed" : uv_strerror((int)n));
    return;
  }
  if (n == 0)
    return;
  c->last_us = acc_time_now_us();
  c->proto->data(c, buf->base, (size_t)n);
}

void acc_sn_pause_read(acc_sn_conn *c) {
  uv_read_stop((uv_stream_t *)&c->tcp);
}

void acc_sn_resume_read(acc_sn_conn *c) {
  if (!c->closing && !c->finishing)
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
}

static void on_connection(uv_stream_t *server, int status) {
  acc_sn *sn = server->loop->data;
  const acc_sn_proto *proto = server->data;
  const acc_sensor_config *cf = sn->cfg;
  if (status < 0) {
    fprintf(stderr, "accord sensor: accept on %s: %s\n", proto->name,
            uv_strerror(status));
    return;
  }
  acc_sn_conn *c = calloc(1, sizeof *c);
  if (!c)
    return;
  uv_tcp_t *t = &c->tcp;
  t->data = c;
  uv_tcp_init(&sn->loop, t);
  if (uv_accept(server, (uv_stream_t *)t) != 0) {
    uv_close((uv_handle_t *)t, on_refused_close);
    return;
  }
  struct sockaddr_storage peer, local;
  int plen = sizeof peer, llen = sizeof local;
  if (uv_tcp_getpeername(t, (struct sockaddr *)&peer, &plen) != 0 ||
      uv_tcp_getsockname(t, (struct sockaddr *)&local, &llen) != 0) {
    uv_close((uv_handle_t *)t, on_refused_close);
    return;
  }
  char ip[46], lip[46];
  unsigned port, lport;
  unsigned char key[16], lkey[16];
  addr_of(&peer, ip, sizeof ip, &port, key);
  addr_of(&local, lip, sizeof lip, &lport, lkey);
  int64_t now = acc_time_now_us();
  size_t base = proto->base_mem(sn);
  acc_sn_src *src = NULL;
  uint64_t *refused = NULL;
  if (sn->stopping) {
    refused = &sn->stats.refused_capacity;
  } else if (sn->spool && acc_spool_full(sn->spool)) {
    refused = &sn->stats.refused_spool;
  } else if (sn->n_conns >= cf->max_sessions ||
             sn->mem_used + base > cf->mem_cap) {
    refused = &sn->stats.refused_capacity;
  } else if (!(src = src_get(sn, key, now))) {
    refused = &sn->stats.refused_capacity;
  } else {
    src->tokens += (double)(now - src->last_us) / 1e6 * cf->rate_per_source;
    if (src->tokens > cf->rate_burst)
      src->tokens = cf->rate_burst;
    src->last_us = now;
    if (src->tokens < 1 || src->conns >= cf->max_per_source)
      refused = &sn->stats.refused_rate;
    else
      src->tokens -= 1;
  }
  if (refused) {
    (*refused)++;
    uv_close((uv_handle_t *)t, on_refused_close);
    return;
  }
  c->sn = sn;
  c->proto = proto;
  c->tcp.data = c;
  c->handles = 1;
  acc_buf_init(&c->backlog, ACC_SN_BACKLOG_MAX);
  acc_sensor_rec_init(&c->rec, proto->name);
  snprintf(c->rec.src_ip, sizeof c->rec.src_ip, "%s", ip);
  snprintf(c->rec.dst_ip, sizeof c->rec.dst_ip, "%s", lip);
  c->rec.src_port = port;
  c->rec.dst_port = lport;
  c->rec.start_us = c->last_us = now;
  c->src = src;
  src->conns++;
  c->mem = base;
  sn->mem_used += base;
  c->next = sn->conns;
  if (sn->conns)
    sn->conns->prev = c;
  sn->conns = c;
  sn->n_conns++;
  sn->stats.sessions++;
  char msg[256];
  snprintf(msg, sizeof msg, "New connection: %s:%u (%s:%u) [session: %s]", ip,
           port, lip, lport, c->rec.session);
  acc_sn_event(c, "cowrie.session.connect", msg, NULL);
  uv_tcp_nodelay(&c->tcp, 1);
  if (proto->open(c) != ACC_OK) {
    acc_sn_close(c, "could not start the session");
    return;
  }
  if (!c->closing && !c->finishing)
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
}

/* ---- sweep, signals ---- */

static void on_sweep(uv_timer_t *t) {
  acc_sn *sn = t->data;
  const acc_sensor_config *cf = sn->cfg;
  int64_t now = acc_time_now_us();
  acc_sn_conn *next;
  for (acc_sn_conn *c = sn->conns; c; c = next) {
    next = c->next;
    const char *why = NULL;
    if (now - c->rec.start_us > (int64_t)cf->session_timeout * 1000000)
      why = "session time limit";
    else if (now - c->last_us > (int64_t)cf->idle_timeout * 1000000)
      why = "idle time limit";
    else if (c->proto->needs_login && !c->logged_in &&
             now - c->rec.start_us > (int64_t)cf->login_timeout * 1000000)
      why = "login time limit";
    else if (!c->proto->needs_login &&
             now - c->rec.start_us > (int64_t)cf->http_timeout * 1000000)
      why = "request time limit";
    if (why) {
      sn->stats.closed_limit++;
      acc_sn_close(c, why);
    }
  }
  if (sn->spool)
    acc_spool_tick(sn->spool);
  if (now - sn->last_stats_us >= STATS_EVERY_US) {
    sn->last_stats_us = now;
    stats_event(sn, "periodic");
  }
}

static void close_walk(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

static void on_signal(uv_signal_t *s, int signum) {
  acc_sn *sn = s->data;
  (void)signum;
  if (sn->stopping)
    return;
  sn->stopping = 1;
  for (int i = 0; i < sn->n_listeners; i++)
    uv_close((uv_handle_t *)&sn->listeners[i], NULL);
  /* every session ends here, logged and spooled */
  for (int guard = 0; sn->conns && guard < 10000000; guard++)
    acc_sn_close(sn->conns, "sensor stopping");
  uv_timer_stop(&sn->sweep);
  uv_close((uv_handle_t *)&sn->sweep, NULL);
  uv_close((uv_handle_t *)&sn->sig_term, NULL);
  uv_close((uv_handle_t *)&sn->sig_int, NULL);
}

/* ---- setup ---- */

static acc_rc listen_on(acc_sn *sn, int port, const acc_sn_proto *proto,
                        acc_diag *d) {
  if (port < 0)
    return ACC_OK;
  struct sockaddr_storage ss;
  if (uv_ip4_addr(sn->cfg->listen, port, (struct sockaddr_in *)&ss) != 0 &&
      uv_ip6_addr(sn->cfg->listen, port, (struct sockaddr_in6 *)&ss) != 0)
    return acc_diag_set(d, ACC_EINVAL, "listen: '%s' is not an IP address",
                        sn->cfg->listen);
  uv_tcp_t *l = &sn->listeners[sn->n_listeners];
  uv_tcp_init(&sn->loop, l);
  l->data = (void *)proto;
  sn->listener_proto[sn->n_listeners] = proto;
  sn->n_listeners++;
  int e = uv_tcp_bind(l, (struct sockaddr *)&ss, 0);
  if (!e)
    e = uv_listen((uv_stream_t *)l, 4096, on_connection);
  if (e)
    return acc_diag_set(d, ACC_EIO, "%s listener on %s port %d: %s",
                        proto->name, sn->cfg->listen, port, uv_strerror(e));
  return ACC_OK;
}

static int bound_port(uv_tcp_t *l) {
  struct sockaddr_storage ss;
  int len = sizeof ss;
  if (uv_tcp_getsockname(l, (struct sockaddr *)&ss, &len) != 0)
    return -1;
  if (ss.ss_family == AF_INET6)
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static acc_rc write_port_file(acc_sn *sn, acc_diag *d) {
  const char *path = sn->cfg->port_file;
  if (!path[0])
    return ACC_OK;
  char tmp[ACC_SENSOR_PATH_MAX + 8];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f)
    return acc_diag_set(d, ACC_EIO, "port_file %s: %s", tmp, strerror(errno));
  for (int i = 0; i < sn->n_listeners; i++)
    fprintf(f, "%s %d\n", sn->listener_proto[i]->name,
            bound_port(&sn->listeners[i]));
  int bad = fclose(f) != 0;
  if (bad || rename(tmp, path) != 0)
    return acc_diag_set(d, ACC_EIO, "port_file %s: %s", path, strerror(errno));
  return ACC_OK;
}

/* Give up root after binding: the state directory (spool, log) goes to
 * the user, then groups, gid and uid are dropped for good. */
static acc_rc drop_privileges(acc_sn *sn, acc_diag *d) {
  const acc_sensor_config *cf = sn->cfg;
  if (geteuid() != 0)
    return ACC_OK;
  if (!cf->user[0]) {
    fprintf(stderr, "accord sensor: warning: running as root (user is "
                    "empty)\n");
    return ACC_OK;
  }
  struct passwd *pw = getpwnam(cf->user);
  if (!pw)
    return acc_diag_set(d, ACC_EINVAL,
                        "user: no such user '%s' to drop privileges to",
                        cf->user);
  char spool[ACC_SENSOR_PATH_MAX + 8];
  snprintf(spool, sizeof spool, "%s/spool", cf->state_dir);
  const char *own[] = {cf->state_dir, spool,
                       strcmp(cf->log_path, "-") ? cf->log_path : NULL};
  for (size_t i = 0; i < sizeof own / sizeof *own; i++)
    if (own[i] && chown(own[i], pw->pw_uid, pw->pw_gid) != 0 && errno != ENOENT)
      return acc_diag_set(d, ACC_EIO, "cannot give %s to %s: %s", own[i],
                          cf->user, strerror(errno));
  /* segments a previous run left in the spool */
  DIR *dir = opendir(spool);
  struct dirent *e;
  while (dir && (e = readdir(dir)) != NULL) {
    char p[2 * ACC_SENSOR_PATH_MAX];
    if (e->d_name[0] == '.')
      continue;
    snprintf(p, sizeof p, "%s/%s", spool, e->d_name);
    if (chown(p, pw->pw_uid, pw->pw_gid) != 0 && errno != ENOENT) {
      closedir(dir);
      return acc_diag_set(d, ACC_EIO, "cannot give %s to %s: %s", p, cf->user,
                          strerror(errno));
    }
  }
  if (dir)
    closedir(dir);
  if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
      setuid(pw->pw_uid) != 0)
    return acc_diag_set(d, ACC_EIO, "cannot drop privileges to %s: %s",
                        cf->user, strerror(errno));
  if (pw->pw_uid != 0 && setuid(0) == 0)
    return acc_diag_set(d, ACC_EIO, "privileges could be regained");
  return ACC_OK;
}

acc_rc acc_sensor_run(const acc_sensor_config *cf, acc_sensor_stats *stats,
                      acc_diag *d) {
  acc_rc rc = ACC_OK;
  acc_sn *sn = calloc(1, sizeof *sn);
  if (!sn)
    return acc_diag_set(d, ACC_ENOMEM, "out of memory");
  sn->cfg = cf;
  sn->log_fd = -1;
  acc_buf_init(&sn->ev, (size_t)1 << 20);
  signal(SIGPIPE, SIG_IGN);
  if (uv_loop_init(&sn->loop) != 0) {
    free(sn);
    return acc_diag_set(d, ACC_EIO, "cannot start the event loop");
  }
  sn->loop.data = sn;
  if (!(sn->src = calloc(ACC_SN_SRC_SLOTS, sizeof *sn->src))) {
    rc = acc_diag_set(d, ACC_ENOMEM, "out of memory");
    goto out;
  }
  if (mkdir(cf->state_dir, 0700) != 0 && errno != EEXIST) {
    rc = acc_diag_set(d, ACC_EIO, "state_dir %s: %s", cf->state_dir,
                      strerror(errno));
    goto out;
  }
  if (!strcmp(cf->log_path, "-"))
    sn->log_fd = dup(STDOUT_FILENO);
  else
    sn->log_fd =
        open(cf->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (sn->log_fd < 0) {
    rc = acc_diag_set(d, ACC_EIO, "log_path %s: %s", cf->log_path,
                      strerror(errno));
    goto out;
  }
  if (cf->taxii_url[0] || cf->store_dir[0]) {
    char sp[ACC_SENSOR_PATH_MAX + 8];
    snprintf(sp, sizeof sp, "%s/spool", cf->state_dir);
    acc_spool_opts so = {
        .dir = sp,
        .taxii_url = cf->taxii_url[0] ? cf->taxii_url : NULL,
        .taxii_token = cf->taxii_token,
        .store_dir = cf->store_dir[0] ? cf->store_dir : NULL,
        .batch = cf->batch,
        .flush_ms = cf->flush_ms,
        .max_bytes = cf->spool_max,
        .retry_max_s = cf->retry_max_s,
    };
    if ((rc = acc_spool_open(&so, &sn->spool, d)))
      goto out;
  }
  if (cf->ssh_port >= 0 && (rc = acc_sn_ssh_setup(sn, d)))
    goto out;
  if ((rc = listen_on(sn, cf->ssh_port, &acc_sn_ssh, d)) ||
      (rc = listen_on(sn, cf->telnet_port, &acc_sn_telnet, d)) ||
      (rc = listen_on(sn, cf->http_port, &acc_sn_http, d)))
    goto out;
  if ((rc = write_port_file(sn, d)))
    goto out;
  if ((rc = drop_privileges(sn, d)))
    goto out;
  if (sn->spool && (rc = acc_spool_start(sn->spool, d)))
    goto out;
  uv_timer_init(&sn->loop, &sn->sweep);
  sn->sweep.data = sn;
  uv_timer_start(&sn->sweep, on_sweep, 1000, 1000);
  uv_signal_init(&sn->loop, &sn->sig_term);
  uv_signal_init(&sn->loop, &sn->sig_int);
  sn->sig_term.data = sn->sig_int.data = sn;
  uv_signal_start(&sn->sig_term, on_signal, SIGTERM);
  uv_signal_start(&sn->sig_int, on_signal, SIGINT);
  sn->last_stats_us = acc_time_now_us();
  stats_event(sn, "started");
  uv_run(&sn->loop, UV_RUN_DEFAULT);
  stats_event(sn, "stopped");
out:
  if (rc) {
    /* listeners opened before the failure */
    uv_walk(&sn->loop, close_walk, NULL);
    uv_run(&sn->loop, UV_RUN_DEFAULT);
  }
  if (sn->spool)
    acc_spool_free(sn->spool, rc ? 0 : 5000);
  acc_sn_ssh_teardown(sn);
  if (uv_loop_close(&sn->loop) != 0) {
    uv_walk(&sn->loop, close_walk, NULL);
    uv_run(&sn->loop, UV_RUN_DEFAULT);
    uv_loop_close(&sn->loop);
  }
  if (stats)
    *stats = sn->stats;
  if (sn->log_fd >= 0)
    close(sn->log_fd);
  acc_buf_free(&sn->ev);
  free(sn->src);
  free(sn);
  return rc;
}
