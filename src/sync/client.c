/*
 * client.c — the TAXII 2.1 client on libcurl (see client.h).  One easy
 * handle per client, so the connection to a peer is kept alive across the
 * pages of a run.  Every request carries the TAXII Accept header (and
 * Content-Type on POST) and a User-Agent; redirects are never followed
 * (credentials must not travel to another server); bodies are capped both
 * by the announced length and by counting; a stop flag aborts a transfer
 * and any wait between retries within a tenth of a second.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sync/client.h"
#include "taxii/taxii.h"
#include "util/time.h"

#ifndef ACCORD_VERSION
#define ACCORD_VERSION "0"
#endif

struct acc_sync_client {
  CURL *h;
  acc_sync_http_opts o;
  char *user, *secret, *ca_file; /* copies (the secret is wiped on free) */
  struct curl_slist *hdr_get, *hdr_post;
  /* the transfer in progress */
  acc_sync_resp *r;
  int too_big;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;

static void curl_cleanup_at_exit(void) {
  curl_global_cleanup();
}

static void curl_init_once(void) {
  curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (curl_ok)
    atexit(curl_cleanup_at_exit);
}

void acc_sync_resp_init(acc_sync_resp *r, size_t max_body) {
  memset(r, 0, sizeof *r);
  acc_buf_init(&r->body, max_body ? max_body : ((size_t)64 << 20));
}

void acc_sync_resp_free(acc_sync_resp *r) {
  if (r)
    acc_buf_free(&r->body);
}

static int stopped(const acc_sync_client *c) {
  return c->o.stop && atomic_load(c->o.stop);
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx) {
  acc_sync_client *c = ctx;
  size_t len = size * n;
  if (acc_buf_append(&c->r->body, p, len)) {
    c->too_big = 1;
    return 0; /* aborts the transfer (CURLE_WRITE_ERROR) */
  }
  return len;
}

/* Copy a header value (trimmed) into out when name matches. */
static void take(const char *line, size_t len, const char *name, char *out,
                 size_t size) {
  size_t n = strlen(name);
  if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
    return;
  const char *v = line + n + 1, *end = line + len;
  while (v < end && (*v == ' ' || *v == '\t'))
    v++;
  while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' ||
                     end[-1] == '\t'))
    end--;
  size_t vl = (size_t)(end - v);
  if (vl >= size)
    vl = size - 1;
  memcpy(out, v, vl);
  out[vl] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx) {
  acc_sync_client *c = ctx;
  acc_sync_resp *r = c->r;
  size_t len = size * n;
  if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
    /* A new response (after a 100 Continue, say): forget the last. */
    r->content_type[0] = r->added_first[0] = r->added_last[0] = '\0';
    r->retry_after[0] = r->location[0] = '\0';
    return len;
  }
  take(p, len, "Content-Type", r->content_type, sizeof r->content_type);
  take(p, len, "X-TAXII-Date-Added-First", r->added_first,
       sizeof r->added_first);
  take(p, len, "X-TAXII-Date-Added-Last", r->added_last, sizeof r->added_last);
  take(p, len, "Retry-After", r->retry_after, sizeof r->retry_after);
  take(p, len, "Location", r->location, sizeof r->location);
  return len;
}

static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                       curl_off_t un) {
  (void)dt;
  (void)dn;
  (void)ut;
  (void)un;
  return stopped(ctx) ? 1 : 0;
}

static char *dup_or_null(const char *s) {
  return s && *s ? strdup(s) : NULL;
}

acc_rc acc_sync_client_new(const acc_sync_http_opts *o, acc_sync_client **out,
                           acc_diag *d) {
  pthread_once(&curl_once, curl_init_once);
  if (!curl_ok)
    return acc_diag_set(d, ACC_EIO, "libcurl could not be initialised");
  acc_sync_client *c = calloc(1, sizeof *c);
  if (!c)
    return ACC_ENOMEM;
  c->o = *o;
  c->user = dup_or_null(o->user);
  c->secret = dup_or_null(o->secret);
  c->ca_file = dup_or_null(o->ca_file);
  c->o.user = c->user;
  c->o.secret = c->secret;
  c->o.ca_file = c->ca_file;
  c->h = curl_easy_init();
  char ua[64];
  snprintf(ua, sizeof ua, "User-Agent: accord/%s (TAXII 2.1)", ACCORD_VERSION);
  c->hdr_get = curl_slist_append(NULL, "Accept: " ACC_TAXII_MEDIA_TYPE);
  if (c->hdr_get)
    c->hdr_get = curl_slist_append(c->hdr_get, ua);
  c->hdr_post = curl_slist_append(NULL, "Accept: " ACC_TAXII_MEDIA_TYPE);
  if (c->hdr_post)
    c->hdr_post =
        curl_slist_append(c->hdr_post, "Content-Type: " ACC_TAXII_MEDIA_TYPE);
  if (c->hdr_post)
    c->hdr_post = curl_slist_append(c->hdr_post, ua);
  if (c->hdr_post) /* no 100-continue round trip before large bodies */
    c->hdr_post = curl_slist_append(c->hdr_post, "Expect:");
  if (!c->h || !c->hdr_get || !c->hdr_post ||
      (o->user && !c->user && *o->user) ||
      (o->secret && !c->secret && *o->secret) ||
      (o->ca_file && !c->ca_file && *o->ca_file)) {
    acc_sync_client_free(c);
    return acc_diag_set(d, ACC_ENOMEM, "creating the TAXII client failed");
  }
  if (o->auth != ACC_SYNC_AUTH_NONE && !c->secret) {
    acc_sync_client_free(c);
    return acc_diag_set(d, ACC_EINVAL,
                        "the peer's credentials are missing (set them with "
                        "`accord peer edit NAME --auth ...`)");
  }
  *out = c;
  return ACC_OK;
}

void acc_sync_client_free(acc_sync_client *c) {
  if (!c)
    return;
  if (c->h)
    curl_easy_cleanup(c->h);
  curl_slist_free_all(c->hdr_get);
  curl_slist_free_all(c->hdr_post);
  if (c->secret) {
    sodium_memzero(c->secret, strlen(c->secret));
    free(c->secret);
  }
  free(c->user);
  free(c->ca_file);
  free(c);
}

acc_rc acc_sync_url_check(const char *url, int insecure_http, char *origin,
                          size_t origin_size, acc_diag *d) {
  pthread_once(&curl_once, curl_init_once);
  CURLU *u = curl_url();
  char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;
  acc_rc rc = ACC_OK;
  if (!u)
    return ACC_ENOMEM;
  if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "'%.200s' is not a URL (e.g. https://taxii.example.org)",
                      url);
    goto out;
  }
  curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
  if (strcasecmp(scheme, "https") != 0 && strcasecmp(scheme, "http") != 0) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "'%.200s': only https (and http on loopback) are "
                      "spoken",
                      url);
    goto out;
  }
  if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK && user) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "'%.200s' holds credentials: give them with --auth, "
                      "where they are kept apart",
                      url);
    goto out;
  }
  if (strcasecmp(scheme, "http") == 0 && !insecure_http) {
    char h[256];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && n - 2 < sizeof h) {
      memcpy(h, host + 1, n - 2);
      h[n - 2] = '\0';
    } else {
      snprintf(h, sizeof h, "%s", host);
    }
    if (!acc_taxii_addr_is_loopback(h)) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "'%.200s': TAXII requires HTTPS; plain http is used "
                        "only on loopback (or with --insecure-http)",
                        url);
      goto out;
    }
  }
  if (origin && origin_size)
    snprintf(origin, origin_size, "%s://%s:%s", scheme, host, port ? port : "");
out:
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  curl_free(user);
  curl_url_cleanup(u);
  return rc;
}

/* Sleep ms, in slices, unless stopped; returns 1 when stopped. */
static int nap(const acc_sync_client *c, unsigned ms) {
  while (ms > 0) {
    if (stopped(c))
      return 1;
    unsigned slice = ms < 100 ? ms : 100;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)slice * 1000000L};
    nanosleep(&ts, NULL);
    ms -= slice;
  }
  return stopped(c);
}

static int transient(CURLcode cc) {
  switch (cc) {
  case CURLE_COULDNT_CONNECT:
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
    return 1;
  default:
    return 0;
  }
}

static int retryable_status(long st) {
  return st == 429 || st == 502 || st == 503 || st == 504;
}

/* The URL shortened for messages. */
static void short_url(const char *url, char out[232]) {
  size_t n = strlen(url);
  if (n < 228)
    snprintf(out, 232, "%s", url);
  else
    snprintf(out, 232, "%.220s...", url);
}

static void log_retry(acc_sync_client *c, const char *method, const char *url,
                      const char *why, unsigned wait_ms, unsigned attempt) {
  if (!c->o.log)
    return;
  char u[232], msg[600];
  short_url(url, u);
  snprintf(msg, sizeof msg, "%s %s: %s; retry %u of %u in %u ms", method, u,
           why, attempt + 1, c->o.retries, wait_ms);
  c->o.log(c->o.log_ctx, msg);
}

acc_rc acc_sync_request(acc_sync_client *c, const char *method, const char *url,
                        const char *body, size_t body_len, acc_sync_resp *r,
                        acc_diag *d) {
  char u[232];
  short_url(url, u);
  acc_rc rc = acc_sync_url_check(url, c->o.insecure_http, NULL, 0, d);
  if (rc)
    return rc;
  int post = strcmp(method, "POST") == 0;
  CURL *h = c->h;
  for (unsigned attempt = 0;; attempt++) {
    if (stopped(c))
      return acc_diag_set(d, ACC_EIO, "%s %s: stopped", method, u);
    acc_buf_reset(&r->body);
    r->status = 0;
    r->content_type[0] = r->added_first[0] = r->added_last[0] = '\0';
    r->retry_after[0] = r->location[0] = '\0';
    r->attempts = attempt + 1;
    c->r = r;
    c->too_big = 0;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, post ? c->hdr_post : c->hdr_get);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* what curl decodes */
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)r->body.limit);
    curl_easy_setopt(
        h, CURLOPT_CONNECTTIMEOUT_MS,
        (long)(c->o.connect_timeout_ms ? c->o.connect_timeout_ms : 10000));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     (long)(c->o.timeout_ms ? c->o.timeout_ms : 300000));
    if (c->o.low_speed_bytes && c->o.low_speed_s) {
      curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, (long)c->o.low_speed_bytes);
      curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)c->o.low_speed_s);
    }
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (c->ca_file)
      curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    if (c->o.auth == ACC_SYNC_AUTH_BASIC) {
      curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
      curl_easy_setopt(h, CURLOPT_USERNAME, c->user ? c->user : "");
      curl_easy_setopt(h, CURLOPT_PASSWORD, c->secret);
    } else if (c->o.auth == ACC_SYNC_AUTH_BEARER) {
      curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
      curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, c->secret);
    }
    if (post) {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    } else {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    CURLcode cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    c->r = NULL;
    acc_buf_cstr(&r->body);
    if (cc == CURLE_ABORTED_BY_CALLBACK || stopped(c))
      return acc_diag_set(d, ACC_EIO, "%s %s: stopped", method, u);
    if (c->too_big || cc == CURLE_FILESIZE_EXCEEDED)
      return acc_diag_set(d, ACC_ETOOBIG,
                          "%s %s: the answer is larger than %zu bytes (the "
                          "peer's max-response; raise it with `accord peer "
                          "edit NAME --max-response SIZE`)",
                          method, u, r->body.limit);
    unsigned wait_ms = 0;
    char why[300];
    if (cc == CURLE_OPERATION_TIMEDOUT) {
      /* Say which bound was hit. */
      curl_off_t total = 0, pre = 0;
      curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total);
      curl_easy_getinfo(h, CURLINFO_PRETRANSFER_TIME_T, &pre);
      unsigned limit = c->o.timeout_ms ? c->o.timeout_ms : 300000;
      if (pre == 0)
        snprintf(why, sizeof why, "no connection within the connect timeout");
      else if (c->o.low_speed_bytes && total / 1000 + 500 < (curl_off_t)limit)
        snprintf(why, sizeof why,
                 "answer too slow (under %u bytes/s for %u s; see "
                 "--low-speed)",
                 c->o.low_speed_bytes, c->o.low_speed_s);
      else
        snprintf(why, sizeof why,
                 "no complete answer within %u ms (see --timeout)", limit);
    } else if (cc != CURLE_OK) {
      snprintf(why, sizeof why, "%s", curl_easy_strerror(cc));
    }
    if (cc != CURLE_OK) {
      if (!transient(cc) || attempt >= c->o.retries)
        return acc_diag_set(d, ACC_EIO, "%s %s: %s%s", method, u, why,
                            attempt ? " (after retries)" : "");
      wait_ms = acc_sync_backoff_ms(
          attempt, c->o.retry_max_ms ? c->o.retry_max_ms : 60000,
          randombytes_random());
    } else if (retryable_status(r->status)) {
      char text[200];
      acc_sync_error_text(r->body.data, r->body.len, text, sizeof text);
      snprintf(why, sizeof why, "HTTP %ld%s%s", r->status, text[0] ? ": " : "",
               text);
      if (attempt >= c->o.retries)
        return acc_diag_set(d, r->status == 429 ? ACC_EIO : ACC_EIO,
                            "%s %s: %s (gave up after %u attempts)", method, u,
                            why, attempt + 1);
      unsigned cap = c->o.retry_max_ms ? c->o.retry_max_ms : 60000;
      int64_t ra = acc_sync_retry_after_ms(r->retry_after, acc_time_now_us());
      if (ra >= 0)
        wait_ms = ra > (int64_t)cap ? cap : (unsigned)ra;
      else
        wait_ms = acc_sync_backoff_ms(attempt, cap, randombytes_random());
    } else if (r->status >= 300 && r->status < 400) {
      return acc_diag_set(d, ACC_EIO,
                          "%s %s: HTTP %ld redirect to '%.200s', not followed "
                          "(credentials stay with the server named; give the "
                          "final URL)",
                          method, u, r->status,
                          r->location[0] ? r->location : "?");
    } else if (r->status < 200 || r->status >= 300) {
      char text[300];
      acc_sync_error_text(r->body.data, r->body.len, text, sizeof text);
      return acc_diag_set(
          d, r->status >= 400 && r->status < 500 ? ACC_EINVAL : ACC_EIO,
          "%s %s: HTTP %ld%s%s", method, u, r->status, text[0] ? ": " : "",
          text);
    } else {
      if (!acc_taxii_content_type_ok(r->content_type))
        return acc_diag_set(d, ACC_EIO,
                            "%s %s: HTTP %ld with Content-Type '%.100s', not "
                            "%s",
                            method, u, r->status,
                            r->content_type[0] ? r->content_type : "(none)",
                            ACC_TAXII_MEDIA_TYPE);
      return ACC_OK;
    }
    log_retry(c, method, url, why, wait_ms, attempt);
    if (nap(c, wait_ms))
      return acc_diag_set(d, ACC_EIO, "%s %s: stopped", method, u);
  }
}
