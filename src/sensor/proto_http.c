/*
 * proto_http.c — the HTTP listener: one request per connection, its head
 * capped, its body kept up to http_body_max (the rest read and dropped).
 * Logs the request, Basic and form credentials, commands injected into
 * the target, body or headers and the URLs and addresses in them; the
 * body's digests become a file SCO.  Answers with a login page, a 401
 * on protected paths, or a 404 — never with anything the request named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sensor/sensor_int.h"

#define HEAD_MAX 16384
#define BODY_LIMIT ((long long)64 << 20) /* larger bodies: 413 */

enum { PH_HEAD, PH_BODY, PH_DONE };

typedef struct http_state {
  char *head; /* HEAD_MAX bytes, allocated at the first byte */
  size_t head_len;
  acc_http_req req;
  int phase;
  char *body; /* up to http_body_max */
  size_t body_len, body_cap;
  long long body_left; /* bytes still to read */
} http_state;

static const char login_page[] =
    "<!DOCTYPE html><html><head><title>Login</title></head><body>"
    "<form method=\"post\" action=\"/login\">"
    "<input name=\"username\"><input name=\"password\" type=\"password\">"
    "<input type=\"submit\" value=\"Login\"></form></body></html>\n";

static size_t http_base_mem(const acc_sn *sn) {
  (void)sn;
  return sizeof(acc_sn_conn) + sizeof(http_state);
}

static acc_rc http_open(acc_sn_conn *c) {
  http_state *st = calloc(1, sizeof *st);
  if (!st)
    return ACC_ENOMEM;
  c->ps = st;
  return ACC_OK;
}

static void respond(acc_sn_conn *c, int code, const char *reason,
                    const char *extra, const char *body, int head_only) {
  acc_buf b;
  acc_buf_init(&b, 8192);
  size_t bl = strlen(body);
  acc_buf_printf(&b,
                 "HTTP/1.1 %d %s\r\nServer: %s\r\nContent-Type: text/html; "
                 "charset=utf-8\r\nContent-Length: %zu\r\nConnection: "
                 "close\r\n%s\r\n",
                 code, reason, c->sn->cfg->http_server, bl, extra);
  if (!head_only)
    acc_buf_append(&b, body, bl);
  acc_sn_send(c, b.data, b.len);
  acc_buf_free(&b);
  acc_sn_finish(c, "response sent");
}

static json_t *span_str(acc_span s, size_t max) {
  char buf[1025];
  if (s.n > max)
    s.n = max;
  if (s.n > sizeof buf - 1)
    s.n = sizeof buf - 1;
  memcpy(buf, s.p, s.n);
  buf[s.n] = '\0';
  return acc_sensor_jstr(buf);
}

typedef struct found {
  json_t *urls, *ips, *cmds; /* logged after the request event */
  acc_sn_conn *c;
} found;

static void on_found(void *ctx, acc_extract_kind kind, const char *s,
                     size_t n) {
  found *f = ctx;
  char v[ACC_REC_URL_MAX + 1];
  if (n > ACC_REC_URL_MAX)
    n = ACC_REC_URL_MAX;
  memcpy(v, s, n);
  v[n] = '\0';
  json_t *arr = kind == ACC_EXTRACT_URL ? f->urls : f->ips;
  size_t i;
  json_t *x;
  json_array_foreach(arr, i, x) {
    if (!strcmp(json_string_value(x), v))
      return;
  }
  if (json_array_size(arr) < 16)
    json_array_append_new(arr, acc_sensor_jstr(v));
  if (kind == ACC_EXTRACT_IPV4)
    acc_sensor_rec_ip(&f->c->rec, s, n);
}

/* Where injected commands hide: the decoded target, the decoded body and
 * a few headers.  Each suspicious text is logged as a command. */
static void scan_text(acc_sn_conn *c, found *f, const char *s, size_t n) {
  (void)c;
  acc_extract(s, n, 32, on_found, f);
  if (acc_looks_like_command(s, n) && json_array_size(f->cmds) < 8) {
    char in[2048];
    size_t k = n < sizeof in - 1 ? n : sizeof in - 1;
    memcpy(in, s, k);
    in[k] = '\0';
    json_array_append_new(f->cmds, acc_sensor_jstr(in));
  }
}

static void handle(acc_sn_conn *c, http_state *st) {
  const acc_sensor_config *cf = c->sn->cfg;
  const acc_http_req *r = &st->req;
  st->phase = PH_DONE;
  acc_sensor_rec_http(&c->rec, r->method.p, r->method.n, r->target.p,
                      r->target.n, r->version.p, r->version.n);
  found f = {json_array(), json_array(), json_array(), c};
  /* decoded target */
  char *dec = malloc(r->target.n + 1);
  size_t dn =
      dec ? acc_url_decode(r->target.p, r->target.n, 1, dec, r->target.n + 1)
          : 0;
  if (dec)
    scan_text(c, &f, dec, dn);
  free(dec);
  static const char *const scanned[] = {"user-agent", "referer", "cookie",
                                        "x-forwarded-for", NULL};
  for (const char *const *h = scanned; *h; h++) {
    const acc_span *v = acc_http_header(r, *h);
    if (v)
      scan_text(c, &f, v->p, v->n);
  }
  if (st->body_len) {
    char *bd = malloc(st->body_len + 1);
    if (bd) {
      size_t bn =
          acc_url_decode(st->body, st->body_len, 1, bd, st->body_len + 1);
      scan_text(c, &f, bd, bn);
      free(bd);
    }
    acc_sensor_rec_file(&c->rec, st->body, st->body_len);
  }

  /* the request event */
  json_t *hdrs = json_object();
  for (size_t i = 0; i < r->n_headers && i < 32; i++) {
    char name[64];
    size_t nl =
        r->hname[i].n < sizeof name - 1 ? r->hname[i].n : sizeof name - 1;
    for (size_t k = 0; k < nl; k++) {
      char ch = r->hname[i].p[k];
      name[k] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    }
    name[nl] = '\0';
    if (!json_object_get(hdrs, name))
      json_object_set_new(hdrs, name, span_str(r->hval[i], 1024));
  }
  const acc_span *ua = acc_http_header(r, "user-agent");
  json_t *fields =
      json_pack("{sosososososIsI}", "method", span_str(r->method, 32), "url",
                span_str(r->target, 1024), "version", span_str(r->version, 16),
                "headers", hdrs, "user_agent",
                ua ? span_str(*ua, 1024) : json_string(""), "body_length",
                (json_int_t)(r->content_length > 0 ? r->content_length : 0),
                "headers_dropped", (json_int_t)r->headers_dropped);
  if (fields && st->body_len) {
    json_object_set_new(
        fields, "body_sha256",
        json_string(
            c->rec.files[c->rec.n_files ? c->rec.n_files - 1 : 0].sha256));
    json_object_set_new(fields, "body",
                        span_str((acc_span){st->body, st->body_len}, 1024));
  }
  if (fields) {
    json_object_set(fields, "urls", f.urls);
    json_object_set(fields, "ip_addresses", f.ips);
  }
  char msg[1200];
  snprintf(msg, sizeof msg, "%.*s %.*s",
           (int)(r->method.n > 32 ? 32 : r->method.n), r->method.p,
           (int)(r->target.n > 1024 ? 1024 : r->target.n), r->target.p);
  acc_sn_event(c, "accord.http.request", msg, fields);
  /* the injected commands, then the URLs: download attempts */
  size_t i;
  json_t *u;
  json_array_foreach(f.cmds, i, u) {
    const char *s = json_string_value(u);
    acc_sn_command(c, s, strlen(s));
  }
  json_array_foreach(f.urls, i, u) {
    const char *s = json_string_value(u);
    acc_sn_url(c, s, strlen(s));
  }
  json_decref(f.urls);
  json_decref(f.ips);
  json_decref(f.cmds);

  /* credentials: Basic, then a form */
  int tried = 0, ok = 0;
  const acc_span *auth = acc_http_header(r, "authorization");
  char user[ACC_REC_FIELD_MAX + 1], pass[ACC_REC_FIELD_MAX + 1];
  if (auth && acc_http_basic(auth->p, auth->n, user, sizeof user, pass,
                             sizeof pass) == ACC_OK) {
    tried = 1;
    ok = acc_sn_login(c, user, pass);
  }
  if (st->body_len && !tried) {
    static const char *const un[] = {"username", "user", "login", "email",
                                     "uname",    "log",  "usr",   NULL};
    static const char *const pw[] = {"password", "pass", "passwd",
                                     "pwd",      "pw",   NULL};
    if (acc_form_get(st->body, st->body_len, un, user, sizeof user) &&
        acc_form_get(st->body, st->body_len, pw, pass, sizeof pass)) {
      tried = 1;
      ok = acc_sn_login(c, user, pass);
    }
  }
  int head_only = r->method.n == 4 && !memcmp(r->method.p, "HEAD", 4);
  char extra[160];
  snprintf(extra, sizeof extra, "WWW-Authenticate: Basic realm=\"%s\"\r\n",
           cf->http_realm);
  int protected_path =
      (r->target.n >= 6 && !strncasecmp(r->target.p, "/admin", 6)) ||
      (r->target.n >= 8 && !strncasecmp(r->target.p, "/manager", 8));
  if (ok)
    respond(c, 200, "OK", "", "<html><body>Welcome</body></html>\n", head_only);
  else if (protected_path || (auth && tried))
    respond(c, 401, "Unauthorized", extra,
            "<html><body>401 Unauthorized</body></html>\n", head_only);
  else if (tried)
    respond(c, 200, "OK", "",
            "<html><body>Invalid username or password</body></html>\n",
            head_only);
  else if (r->target.n == 1 ||
           (r->target.n >= 6 && !strncmp(r->target.p, "/login", 6)) ||
           (r->target.n >= 11 && !strncmp(r->target.p, "/index.html", 11)))
    respond(c, 200, "OK", "", login_page, head_only);
  else
    respond(c, 404, "Not Found", "",
            "<html><body>404 Not Found</body></html>\n", head_only);
}

static void bad_request(acc_sn_conn *c, http_state *st, int code,
                        const char *reason, const char *why) {
  size_t n = st->head_len < 256 ? st->head_len : 256;
  char raw[257];
  memcpy(raw, st->head ? st->head : "", n);
  raw[n] = '\0';
  acc_sn_event(c, "accord.http.bad_request", why,
               json_pack("{sos{si}}", "raw", acc_sensor_jstr(raw), "limits",
                         "code", code));
  st->phase = PH_DONE;
  respond(c, code, reason, "", "<html><body>Bad Request</body></html>\n", 0);
}

static void take_body(acc_sn_conn *c, http_state *st, const char *p, size_t n) {
  if ((long long)n > st->body_left)
    n = (size_t)st->body_left;
  st->body_left -= (long long)n;
  size_t room = st->body_cap - st->body_len;
  size_t keep = n < room ? n : room;
  if (keep) {
    memcpy(st->body + st->body_len, p, keep);
    st->body_len += keep;
  }
  (void)c;
}

static void http_data(acc_sn_conn *c, const char *p, size_t n) {
  http_state *st = c->ps;
  const acc_sensor_config *cf = c->sn->cfg;
  if (st->phase == PH_DONE)
    return; /* after the answer: read and dropped */
  if (st->phase == PH_HEAD) {
    if (!st->head) {
      if (acc_sn_mem(c, HEAD_MAX) || !(st->head = malloc(HEAD_MAX))) {
        c->sn->stats.closed_limit++;
        acc_sn_close(c, "memory limit");
        return;
      }
    }
    size_t room = HEAD_MAX - st->head_len;
    size_t take = n < room ? n : room;
    memcpy(st->head + st->head_len, p, take);
    st->head_len += take;
    int done = 0;
    acc_diag d;
    acc_rc rc = acc_http_parse(st->head, st->head_len, &st->req, &done, &d);
    if (rc) {
      bad_request(c, st, 400, "Bad Request", d.msg);
      return;
    }
    if (!done) {
      if (st->head_len >= HEAD_MAX) {
        c->sn->stats.closed_limit++;
        bad_request(c, st, 431, "Request Header Fields Too Large",
                    "request head over 16 KiB");
      }
      return;
    }
    /* The body starts in head (bytes copied after the blank line) and
     * goes on with what of this read did not fit there. */
    size_t surplus = st->head_len - st->req.head_len;
    if (st->req.content_length > BODY_LIMIT) {
      handle(c, st);
      return;
    }
    if (st->req.content_length > 0) {
      size_t cap = cf->http_body_max;
      if ((long long)cap > st->req.content_length)
        cap = (size_t)st->req.content_length;
      if (cap && (acc_sn_mem(c, (long)cap) || !(st->body = malloc(cap)))) {
        c->sn->stats.closed_limit++;
        acc_sn_close(c, "memory limit");
        return;
      }
      st->body_cap = cap;
      st->body_left = st->req.content_length;
      st->phase = PH_BODY;
      const acc_span *ex = acc_http_header(&st->req, "expect");
      if (ex && ex->n == 12 && !strncasecmp(ex->p, "100-continue", 12) &&
          surplus == 0 && n == take)
        acc_sn_sends(c, "HTTP/1.1 100 Continue\r\n\r\n");
      take_body(c, st, st->head + st->req.head_len, surplus);
      if (n > take)
        take_body(c, st, p + take, n - take);
    }
    if (st->body_left == 0)
      handle(c, st);
    return;
  }
  take_body(c, st, p, n);
  if (st->body_left == 0)
    handle(c, st);
}

static void http_release(acc_sn_conn *c) {
  http_state *st = c->ps;
  if (!st)
    return;
  free(st->head);
  free(st->body);
  free(st);
  c->ps = NULL;
}

const acc_sn_proto acc_sn_http = {
    .name = "http",
    .needs_login = 0,
    .base_mem = http_base_mem,
    .open = http_open,
    .data = http_data,
    .release = http_release,
};
