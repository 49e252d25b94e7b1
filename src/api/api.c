/*
 * api.c — routing and the small reply helpers of /api/v1 (see api.h).
 */
#include "api/api.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define API_MAX_SEGS 8

/* Split path ("/a/b/c", no trailing '/' needed) into segments inside buf. */
static size_t split(const char *path, char *buf, size_t size,
                    const char *seg[API_MAX_SEGS]) {
  size_t len = strlen(path);
  if (len + 1 > size)
    return (size_t)-1;
  memcpy(buf, path, len + 1);
  if (len > 1 && buf[len - 1] == '/')
    buf[--len] = '\0';
  size_t n = 0;
  char *p = buf;
  if (*p == '/')
    p++;
  while (*p) {
    if (n == API_MAX_SEGS)
      return (size_t)-1;
    seg[n++] = p;
    char *sl = strchr(p, '/');
    if (!sl)
      break;
    *sl = '\0';
    p = sl + 1;
  }
  return n;
}

/* Whether pattern matches the segments; fills arg with the '*' ones. */
static int pattern_match(const char *pattern, const char *seg[], size_t n,
                         const char *arg[], size_t *n_arg) {
  size_t i = 0, na = 0;
  const char *p = pattern;
  if (*p == '/')
    p++;
  while (*p) {
    const char *e = strchr(p, '/');
    size_t l = e ? (size_t)(e - p) : strlen(p);
    if (i == n)
      return 0;
    if (l == 1 && *p == '*') {
      if (!seg[i][0] || na == ACC_API_MAX_ARGS)
        return 0;
      arg[na++] = seg[i];
    } else if (strlen(seg[i]) != l || memcmp(seg[i], p, l) != 0) {
      return 0;
    }
    i++;
    p += l;
    if (*p == '/')
      p++;
  }
  if (i != n)
    return 0;
  *n_arg = na;
  return 1;
}

int acc_api_match(const char *method, const char *path,
                  const acc_api_route **route, const char *arg[], size_t *n_arg,
                  char *seg_buf, size_t seg_buf_size, char *allow,
                  size_t allow_size) {
  const char *seg[API_MAX_SEGS];
  size_t n = split(path, seg_buf, seg_buf_size, seg);
  if (n == (size_t)-1)
    return 404;
  int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
  int found = 0;
  if (allow_size)
    allow[0] = '\0';
  for (const acc_api_route *r = acc_api_routes; r->fn; r++) {
    const char *a[ACC_API_MAX_ARGS];
    size_t na = 0;
    if (!pattern_match(r->pattern, seg, n, a, &na))
      continue;
    found = 1;
    if (strcmp(r->method, method) == 0 ||
        (get && strcmp(r->method, "GET") == 0)) {
      *route = r;
      memcpy(arg, a, na * sizeof *a);
      *n_arg = na;
      return 0;
    }
    if (allow_size && !strstr(allow, r->method)) {
      size_t l = strlen(allow);
      snprintf(allow + l, allow_size - l, "%s%s", l ? ", " : "", r->method);
    }
  }
  return found ? 405 : 404;
}

const char *acc_api_query(const acc_api_call *c, const char *name) {
  if (!c->conn)
    return NULL;
  return MHD_lookup_connection_value((struct MHD_Connection *)c->conn,
                                     MHD_GET_ARGUMENT_KIND, name);
}

void acc_api_json(acc_api_reply *r, int status, json_t *j) {
  acc_buf_reset(&r->body);
  r->ctype = NULL;
  char *s =
      j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII)
        : NULL;
  json_decref(j);
  if (!s) {
    acc_api_error(r, 500, "building the answer failed (out of memory)");
    return;
  }
  if (acc_buf_puts(&r->body, s)) {
    free(s);
    acc_api_error(r, 500, "building the answer failed (out of memory)");
    return;
  }
  free(s);
  r->status = status;
}

static const char *title_of(int status) {
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
  case 409:
    return "Conflict";
  case 413:
    return "Payload Too Large";
  case 415:
    return "Unsupported Media Type";
  case 422:
    return "Unprocessable Content";
  case 503:
    return "Service Unavailable";
  default:
    return status >= 500 ? "Internal Server Error" : "Error";
  }
}

int acc_api_status_of(acc_rc rc) {
  switch (rc) {
  case ACC_ENOTFOUND:
    return 404;
  case ACC_EINVAL:
  case ACC_EJSON:
  case ACC_EUSAGE:
    return 400;
  case ACC_EEXIST:
  case ACC_ECONFLICT:
    return 409;
  default:
    return 500;
  }
}

void acc_api_fail(acc_api_reply *r, acc_rc rc, const acc_diag *d) {
  acc_api_error(r, acc_api_status_of(rc), "%s", d->msg);
}

void acc_api_error(acc_api_reply *r, int status, const char *fmt, ...) {
  char desc[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(desc, sizeof desc, fmt, ap);
  va_end(ap);
  char code[8];
  snprintf(code, sizeof code, "%d", status);
  json_t *j = json_pack("{s:s,s:s,s:s}", "title", title_of(status),
                        "description", desc, "http_status", code);
  acc_buf_reset(&r->body);
  r->ctype = NULL;
  r->status = status;
  char *s =
      j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII)
        : NULL;
  json_decref(j);
  if (!s || acc_buf_puts(&r->body, s)) {
    acc_buf_reset(&r->body);
    acc_buf_printf(&r->body, "{\"title\":\"%s\",\"http_status\":\"%d\"}",
                   title_of(status), status);
  }
  free(s);
}

json_t *acc_api_body_object(const acc_api_call *c, acc_api_reply *r) {
  if (!c->body || c->body_len == 0) {
    acc_api_error(r, 400, "the request needs a JSON object as its body");
    return NULL;
  }
  json_error_t e;
  json_t *j = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, &e);
  if (!j) {
    acc_api_error(r, 400, "the body is not valid JSON: line %d, column %d: %s",
                  e.line, e.column, e.text);
    return NULL;
  }
  if (!json_is_object(j)) {
    json_decref(j);
    acc_api_error(r, 400, "the body must be a JSON object");
    return NULL;
  }
  return j;
}
