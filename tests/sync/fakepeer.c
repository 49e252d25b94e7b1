/*
 * fakepeer.c — a TAXII 2.1 server that misbehaves on purpose, for the
 * federation tests (loopback only; libmicrohttpd, one thread per
 * connection so a slow answer holds no one else up).
 *
 *   fakepeer PORT-FILE LOG-FILE [--offsite] [--auth basic:USER:PW|bearer:TOK]
 *
 * The collection id in the URL picks the behaviour:
 *   ok            250 indicators, paged with next tokens and
 *                 X-TAXII-Date-Added-First/-Last, added_after honoured;
 *                 POSTs answered 202 pending, then complete on GET status
 *   nonext        the same, but never a next token (added_after paging)
 *   http500       500 with a TAXII error message
 *   busy          429 with Retry-After: 1 twice, then as ok
 *   unavailable   503 with Retry-After as an HTTP-date, always
 *   garbage       200, TAXII media type, a truncated JSON body
 *   badobjects    a well-formed envelope of objects that are not STIX
 *   wrongtype     200 with Content-Type text/html
 *   slow          200, then one byte every 500 ms
 *   endless       more: true for ever, a fresh next token, the same objects
 *   endless-new   more: true for ever, new objects each page
 *   endless-empty more: true and a next token, but no objects
 *   samenext      more: true, new objects, always the same next token
 *   huge          announces 3 GiB and streams spaces
 *   stream        no length, streams spaces for ever (chunked)
 *   deep          an envelope nested 200 deep
 *   redirect      302 to another port
 *   pending       POSTs stay pending for ever
 * Every request is logged as one line: METHOD URL accept=.. auth=kind.
 * Received objects (POST) are logged as "object ID" lines.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TAXII "application/taxii+json;version=2.1"
#define N_OK 250

static FILE *log_file;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int offsite;
static char want_auth[256]; /* expected Authorization header, "" = any */
static int busy_count, endless_count;
static long long base_us; /* date_added of object 0 */

static void logline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logline(const char *fmt, ...) {
  va_list ap;
  pthread_mutex_lock(&mu);
  va_start(ap, fmt);
  vfprintf(log_file, fmt, ap);
  va_end(ap);
  fputc('\n', log_file);
  fflush(log_file);
  pthread_mutex_unlock(&mu);
}

static void ts(long long us, char *out, size_t size) {
  time_t t = (time_t)(us / 1000000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char d[32];
  strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out, size, "%s.%06lldZ", d, us % 1000000);
}

static void indicator(char *out, size_t size, const char *prefix, long n) {
  snprintf(out, size,
           "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
           "\"indicator--%s-0000-4000-8000-%012ld\",\"created\":"
           "\"2026-01-01T00:00:00.000Z\",\"modified\":"
           "\"2026-01-01T00:00:00.000Z\",\"pattern\":\"[ipv4-addr:value = "
           "'10.9.%ld.%ld']\",\"pattern_type\":\"stix\",\"valid_from\":"
           "\"2026-01-01T00:00:00Z\",\"object_marking_refs\":["
           "\"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487\"]}",
           prefix, n, (n / 250) % 256, n % 250);
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status,
                                 const char *ctype, const char *body,
                                 const char *h1, const char *v1, const char *h2,
                                 const char *v2) {
  struct MHD_Response *r = MHD_create_response_from_buffer(
      strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(r, "Content-Type", ctype);
  if (h1)
    MHD_add_response_header(r, h1, v1);
  if (h2)
    MHD_add_response_header(r, h2, v2);
  enum MHD_Result ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result error(struct MHD_Connection *c, unsigned status,
                             const char *title) {
  char b[256];
  snprintf(b, sizeof b, "{\"title\":\"%s\",\"description\":\"fake peer\"}",
           title);
  return send_text(c, status, TAXII, b, NULL, NULL, NULL, NULL);
}

/* A page of the ok / nonext collection. */
static enum MHD_Result page(struct MHD_Connection *c, int with_next) {
  const char *lim =
      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
  const char *next =
      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "next");
  const char *after =
      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "added_after");
  long limit = lim ? strtol(lim, NULL, 10) : 100;
  if (limit <= 0 || limit > 100)
    limit = 100; /* the server's own limit */
  long start = 0;
  if (next) {
    if (next[0] != 'p')
      return error(c, 400, "bad next token");
    start = strtol(next + 1, NULL, 10);
  } else if (after) {
    /* added_after: objects whose date_added (base + i s) is later */
    struct tm tm = {0};
    const char *rest = strptime(after, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest)
      return error(c, 400, "bad added_after");
    long long us = (long long)timegm(&tm) * 1000000;
    if (*rest == '.') {
      long long frac = 0;
      int digits = 0;
      for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
        if (digits < 6)
          frac = frac * 10 + (*rest - '0');
      for (; digits < 6; digits++)
        frac *= 10;
      us += frac;
    }
    while (start < N_OK && base_us + (long long)start * 1000000 <= us)
      start++;
  }
  long end = start + limit < N_OK ? start + limit : N_OK;
  size_t cap = (size_t)(end - start + 1) * 600 + 256;
  char *b = malloc(cap), one[600];
  size_t n = 0;
  int more = end < N_OK;
  n +=
      (size_t)snprintf(b + n, cap - n, "{\"more\":%s", more ? "true" : "false");
  if (more && with_next)
    n += (size_t)snprintf(b + n, cap - n, ",\"next\":\"p%ld\"", end);
  if (end > start) {
    n += (size_t)snprintf(b + n, cap - n, ",\"objects\":[");
    for (long i = start; i < end; i++) {
      indicator(one, sizeof one, "00000000", i);
      n += (size_t)snprintf(b + n, cap - n, "%s%s", i > start ? "," : "", one);
    }
    n += (size_t)snprintf(b + n, cap - n, "]");
  }
  snprintf(b + n, cap - n, "}");
  char first[64] = "", last[64] = "";
  if (end > start) {
    ts(base_us + (long long)start * 1000000, first, sizeof first);
    ts(base_us + (long long)(end - 1) * 1000000, last, sizeof last);
  }
  enum MHD_Result r = send_text(
      c, 200, TAXII, b, end > start ? "X-TAXII-Date-Added-First" : NULL, first,
      end > start ? "X-TAXII-Date-Added-Last" : NULL, last);
  free(b);
  return r;
}

/* Endless variants: more: true for ever. */
static enum MHD_Result endless(struct MHD_Connection *c, const char *mode) {
  pthread_mutex_lock(&mu);
  int k = ++endless_count;
  pthread_mutex_unlock(&mu);
  char b[4096], one[600], last[64];
  int fresh = !strcmp(mode, "endless-new") || !strcmp(mode, "samenext");
  if (!strcmp(mode, "endless-empty")) {
    snprintf(b, sizeof b, "{\"more\":true,\"next\":\"e%d\"}", k);
    return send_text(c, 200, TAXII, b, NULL, NULL, NULL, NULL);
  }
  size_t n = (size_t)snprintf(b, sizeof b,
                              "{\"more\":true,\"next\":\"%s%d\","
                              "\"objects\":[",
                              !strcmp(mode, "samenext") ? "same" : "e",
                              !strcmp(mode, "samenext") ? 0 : k);
  for (int i = 0; i < 3; i++) {
    indicator(one, sizeof one, "eeeeeeee", fresh ? (long)k * 3 + i : i);
    n += (size_t)snprintf(b + n, sizeof b - n, "%s%s", i ? "," : "", one);
  }
  snprintf(b + n, sizeof b - n, "]}");
  ts(base_us, last, sizeof last); /* never advances */
  return send_text(c, 200, TAXII, b, "X-TAXII-Date-Added-Last", last, NULL,
                   NULL);
}

static ssize_t slow_body(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)cls;
  (void)max;
  if (pos >= 2000)
    return MHD_CONTENT_READER_END_OF_STREAM;
  usleep(500000);
  buf[0] = pos == 0 ? '{' : ' ';
  return 1;
}

static ssize_t fill_body(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)cls;
  (void)pos;
  memset(buf, ' ', max);
  if (pos == 0 && max)
    buf[0] = '{';
  return (ssize_t)max;
}

static enum MHD_Result stream(struct MHD_Connection *c, uint64_t size,
                              MHD_ContentReaderCallback cb) {
  struct MHD_Response *r =
      MHD_create_response_from_callback(size, 64 * 1024, cb, NULL, NULL);
  MHD_add_response_header(r, "Content-Type", TAXII);
  enum MHD_Result ret = MHD_queue_response(c, 200, r);
  MHD_destroy_response(r);
  return ret;
}

typedef struct post_state {
  char *body;
  size_t len;
} post_state;

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **ctx) {
  (void)cls;
  (void)version;
  int post = strcmp(method, "POST") == 0;
  if (post) {
    post_state *ps = *ctx;
    if (!ps) {
      ps = calloc(1, sizeof *ps);
      *ctx = ps;
      return MHD_YES;
    }
    if (*upload_size) {
      if (ps->len + *upload_size < (8u << 20)) {
        ps->body = realloc(ps->body, ps->len + *upload_size + 1);
        memcpy(ps->body + ps->len, upload, *upload_size);
        ps->len += *upload_size;
        ps->body[ps->len] = '\0';
      }
      *upload_size = 0;
      return MHD_YES;
    }
  } else if (!*ctx) {
    *ctx = (void *)1;
    return MHD_YES;
  }
  const char *accept =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
  const char *authz =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
  const char *ua =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
  char line[2048];
  snprintf(line, sizeof line, "%s", url);
  logline("%s %s accept=%s auth=%s", method, line, accept ? accept : "-",
          !authz                          ? "none"
          : !strncmp(authz, "Basic ", 6)  ? "basic"
          : !strncmp(authz, "Bearer ", 7) ? "bearer"
                                          : "other");
  if (ua && strncmp(ua, "accord/", 7) != 0)
    logline("unexpected user agent %s", ua);
  if (want_auth[0] && (!authz || strcmp(authz, want_auth) != 0))
    return send_text(c, 401, TAXII, "{\"title\":\"Unauthorized\"}",
                     "WWW-Authenticate", "Basic realm=\"fake\"", NULL, NULL);
  if (!accept || !strstr(accept, "application/taxii+json"))
    return error(c, 406, "Not Acceptable");
  if (!strcmp(url, "/taxii2/")) {
    return send_text(c, 200, TAXII,
                     offsite ? "{\"title\":\"fake\",\"default\":"
                               "\"https://elsewhere.example/api/\"}"
                             : "{\"title\":\"fake\",\"default\":\"/api/\","
                               "\"api_roots\":[\"/api/\"]}",
                     NULL, NULL, NULL, NULL);
  }
  if (!strcmp(url, "/api/"))
    return send_text(c, 200, TAXII,
                     "{\"title\":\"fake API root\",\"versions\":[\"" TAXII
                     "\"],\"max_content_length\":1048576}",
                     NULL, NULL, NULL, NULL);
  if (!strncmp(url, "/api/status/", 12)) {
    char id[64];
    snprintf(id, sizeof id, "%.36s", url + 12);
    int forever = strstr(url, "0000000000ff") != NULL;
    char b[512];
    snprintf(b, sizeof b,
             "{\"id\":\"%s\",\"status\":\"%s\",\"total_count\":1,"
             "\"success_count\":%d,\"failure_count\":0,\"pending_count\":%d}",
             id, forever ? "pending" : "complete", forever ? 0 : 1,
             forever ? 1 : 0);
    return send_text(c, 200, TAXII, b, NULL, NULL, NULL, NULL);
  }
  char mode[64];
  if (sscanf(url, "/api/collections/%63[^/]/", mode) != 1)
    return error(c, 404, "Not Found");
  const char *rest = url + strlen("/api/collections/") + strlen(mode);
  if (!strcmp(rest, "/")) {
    char b[256];
    snprintf(b, sizeof b,
             "{\"id\":\"%s\",\"title\":\"fake %s\",\"can_read\":true,"
             "\"can_write\":true}",
             mode, mode);
    return send_text(c, 200, TAXII, b, NULL, NULL, NULL, NULL);
  }
  if (strcmp(rest, "/objects/") != 0)
    return error(c, 404, "Not Found");
  if (post) {
    post_state *ps = *ctx;
    json_t *j = ps->body ? json_loads(ps->body, 0, NULL) : NULL;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(j, "objects"), i, o) {
      const char *oid = json_string_value(json_object_get(o, "id"));
      logline("object %s", oid ? oid : "-");
    }
    size_t total = json_array_size(json_object_get(j, "objects"));
    json_decref(j);
    if (!strcmp(mode, "http500"))
      return error(c, 500, "Internal failure");
    char b[512];
    int pend = !strcmp(mode, "pending");
    snprintf(b, sizeof b,
             "{\"id\":\"%s\",\"status\":\"pending\",\"total_count\":%zu,"
             "\"success_count\":0,\"failure_count\":0,\"pending_count\":%zu}",
             pend ? "00000000-0000-4000-8000-0000000000ff" /* stays pending */
                  : "11111111-2222-4333-8444-555555555555",
             total, total);
    return send_text(c, 202, TAXII, b, NULL, NULL, NULL, NULL);
  }
  if (!strcmp(mode, "ok"))
    return page(c, 1);
  if (!strcmp(mode, "nonext"))
    return page(c, 0);
  if (!strcmp(mode, "http500"))
    return error(c, 500, "Internal failure");
  if (!strcmp(mode, "busy")) {
    pthread_mutex_lock(&mu);
    int k = ++busy_count;
    pthread_mutex_unlock(&mu);
    if (k <= 2)
      return send_text(c, 429, TAXII, "{\"title\":\"Too Many Requests\"}",
                       "Retry-After", "1", NULL, NULL);
    return page(c, 1);
  }
  if (!strcmp(mode, "unavailable")) {
    char date[64];
    time_t t = time(NULL) + 1;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return send_text(c, 503, TAXII, "{\"title\":\"Service Unavailable\"}",
                     "Retry-After", date, NULL, NULL);
  }
  if (!strcmp(mode, "garbage"))
    return send_text(c, 200, TAXII, "{\"more\": tru", NULL, NULL, NULL, NULL);
  if (!strcmp(mode, "badobjects"))
    return send_text(c, 200, TAXII,
                     "{\"objects\":[{\"type\":\"indicator\",\"id\":\"x\"},"
                     "{\"hello\":1}]}",
                     "X-TAXII-Date-Added-Last", "2026-01-01T00:00:00.000000Z",
                     NULL, NULL);
  if (!strcmp(mode, "wrongtype"))
    return send_text(c, 200, "text/html", "<html>hello</html>", NULL, NULL,
                     NULL, NULL);
  if (!strcmp(mode, "slow"))
    return stream(c, 2000, slow_body);
  if (!strncmp(mode, "endless", 7) || !strcmp(mode, "samenext"))
    return endless(c, mode);
  if (!strcmp(mode, "huge"))
    return stream(c, (uint64_t)3 << 30, fill_body);
  if (!strcmp(mode, "stream"))
    return stream(c, MHD_SIZE_UNKNOWN, fill_body);
  if (!strcmp(mode, "deep")) {
    char b[1024];
    size_t n = (size_t)snprintf(b, sizeof b, "{\"objects\":");
    for (int i = 0; i < 200; i++)
      b[n++] = '[';
    for (int i = 0; i < 200; i++)
      b[n++] = ']';
    snprintf(b + n, sizeof b - n, "}");
    return send_text(c, 200, TAXII, b, NULL, NULL, NULL, NULL);
  }
  if (!strcmp(mode, "redirect"))
    return send_text(c, 302, TAXII, "{}", "Location",
                     "http://127.0.0.1:1/api/collections/ok/objects/", NULL,
                     NULL);
  if (!strcmp(mode, "pending"))
    return page(c, 1);
  return error(c, 404, "Not Found");
}

static void completed(void *cls, struct MHD_Connection *c, void **ctx,
                      enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)c;
  (void)toe;
  if (*ctx && *ctx != (void *)1) {
    post_state *ps = *ctx;
    free(ps->body);
    free(ps);
  }
  *ctx = NULL;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(const char *in, char *out) {
  size_t n = strlen(in), o = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned char)in[i] << 16;
    if (i + 1 < n)
      v |= (unsigned char)in[i + 1] << 8;
    if (i + 2 < n)
      v |= (unsigned char)in[i + 2];
    out[o++] = b64[(v >> 18) & 63];
    out[o++] = b64[(v >> 12) & 63];
    out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? b64[v & 63] : '=';
  }
  out[o] = '\0';
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: fakepeer PORT-FILE LOG-FILE [--offsite] "
                    "[--auth basic:USER:PW|bearer:TOKEN]\n");
    return 2;
  }
  for (int i = 3; i < argc; i++) {
    if (!strcmp(argv[i], "--offsite")) {
      offsite = 1;
    } else if (!strcmp(argv[i], "--auth") && i + 1 < argc) {
      const char *a = argv[++i];
      if (!strncmp(a, "basic:", 6)) {
        char enc[200];
        if (strlen(a + 6) > 140)
          return 2;
        base64(a + 6, enc);
        snprintf(want_auth, sizeof want_auth, "Basic %s", enc);
      } else if (!strncmp(a, "bearer:", 7)) {
        snprintf(want_auth, sizeof want_auth, "Bearer %s", a + 7);
      }
    }
  }
  log_file = fopen(argv[2], "a");
  if (!log_file)
    return 1;
  signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by MHD's threads */
  base_us = 1767225600LL * 1000000;       /* 2026-01-01T00:00:00Z */
  struct sockaddr_in sa = {.sin_family = AF_INET};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct MHD_Daemon *d = MHD_start_daemon(
      MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
          MHD_USE_ERROR_LOG,
      0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, &sa,
      MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "fakepeer: cannot listen\n");
    return 1;
  }
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
  FILE *pf = fopen(tmp, "w");
  if (!pf)
    return 1;
  fprintf(pf, "%u\n", info ? info->port : 0);
  fclose(pf);
  rename(tmp, argv[1]);
  int sig;
  sigwait(&set, &sig);
  MHD_stop_daemon(d);
  fclose(log_file);
  return 0;
}
