/*
 * client.h — the TAXII 2.1 client federation speaks (OASIS Standard, 10
 * June 2021), on libcurl: requests with the TAXII media type, HTTP Basic
 * or Bearer credentials, certificate verification (on; a CA file may be
 * named), connect / total / low-speed timeouts, a hard cap on response
 * bodies, no redirects, and retries with backoff on 429, 502, 503, 504
 * and transient network failures, honouring Retry-After.
 *
 * The parsers of what a server sends (envelopes, status resources,
 * discovery, error messages, Retry-After) are pure functions: unit tests
 * and the libFuzzer harness (fuzz/fuzz_taxii_envelope.c) call them
 * directly.
 */
#ifndef ACC_SYNC_CLIENT_H
#define ACC_SYNC_CLIENT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"
#include "util/error.h"

typedef enum acc_sync_auth {
  ACC_SYNC_AUTH_NONE = 0,
  ACC_SYNC_AUTH_BASIC,  /* user and password */
  ACC_SYNC_AUTH_BEARER, /* a token */
} acc_sync_auth;

/* How the client talks to one server. */
typedef struct acc_sync_http_opts {
  acc_sync_auth auth;
  const char *user;    /* Basic */
  const char *secret;  /* Basic password or Bearer token */
  const char *ca_file; /* PEM bundle to verify the server with; NULL or ""
                          = the system's */
  int insecure_http;   /* allow http:// to a non-loopback host */
  unsigned connect_timeout_ms;
  unsigned timeout_ms;      /* one whole request */
  unsigned low_speed_bytes; /* abort below this many bytes/s ... */
  unsigned low_speed_s;     /* ... sustained this long */
  size_t max_response;      /* largest response body */
  unsigned retries;         /* attempts after the first, on 429/5xx/network */
  unsigned retry_max_ms;    /* longest single wait between attempts */
  const atomic_int *stop;   /* when set: transfers and waits end at once */
  void *log_ctx;            /* retries are reported here (may be NULL) */
  void (*log)(void *ctx, const char *msg);
} acc_sync_http_opts;

typedef struct acc_sync_client acc_sync_client;

acc_rc acc_sync_client_new(const acc_sync_http_opts *o, acc_sync_client **out,
                           acc_diag *d);
void acc_sync_client_free(acc_sync_client *c);

/* A response.  Header values are "" when absent. */
typedef struct acc_sync_resp {
  long status;
  acc_buf body; /* NUL-terminated */
  char content_type[160];
  char added_first[64]; /* X-TAXII-Date-Added-First */
  char added_last[64];  /* X-TAXII-Date-Added-Last */
  char retry_after[64];
  char location[256]; /* of a redirect, which is never followed */
  unsigned attempts;  /* requests made (1 + retries) */
} acc_sync_resp;

void acc_sync_resp_init(acc_sync_resp *r, size_t max_body);
void acc_sync_resp_free(acc_sync_resp *r);

/*
 * One request (method "GET" or "POST"; body for POST), retried as the
 * options say.  ACC_OK only for a 2xx answer carrying the TAXII media
 * type; otherwise an error with diag naming the URL, the status and the
 * server's TAXII error message: ACC_EINVAL for 4xx (r->status says which),
 * ACC_EIO for 5xx, network failures and wrong media types, ACC_ETOOBIG
 * for a body past max_response, ACC_ESHAPE when stopped.
 */
acc_rc acc_sync_request(acc_sync_client *c, const char *method, const char *url,
                        const char *body, size_t body_len, acc_sync_resp *r,
                        acc_diag *d);

/* Whether url may be used: http or https, credentials never in the URL,
 * plain http only to a loopback host unless insecure_http (TAXII requires
 * HTTPS).  *origin, when not NULL, receives "scheme://host:port". */
acc_rc acc_sync_url_check(const char *url, int insecure_http, char *origin,
                          size_t origin_size, acc_diag *d);

/* ---- parsers (pure) ---- */

/* What an envelope says about paging, found without parsing its objects
 * (the store's decoder reads those).  The whole body is checked to be one
 * well-formed JSON object nested at most 64 deep. */
typedef struct acc_sync_envelope {
  int more;                         /* "more": true */
  int has_next;                     /* a "next" string was given */
  int next_too_long;                /* longer than we keep */
  char next[ACC_PEER_NEXT_MAX + 1]; /* unescaped */
  int has_objects;                  /* an "objects" array */
  size_t n_objects;                 /* its elements */
} acc_sync_envelope;

acc_rc acc_sync_envelope_parse(const char *body, size_t len,
                               acc_sync_envelope *out, acc_diag *d);

/* A status resource (section 4.3.1). */
typedef struct acc_sync_status {
  char id[64];
  int complete; /* "complete"; else "pending" */
  int64_t total, success, failure, pending;
  char failure_msg[512]; /* "ID: message" of the first failure, or "" */
} acc_sync_status;

acc_rc acc_sync_status_parse(const char *body, size_t len, acc_sync_status *out,
                             acc_diag *d);

/* The API root a discovery resource names: its "default", else its only
 * entry of "api_roots".  ACC_ENOTFOUND when it names none or several. */
acc_rc acc_sync_discovery_parse(const char *body, size_t len, char *root,
                                size_t root_size, acc_diag *d);

/* max_content_length of an API root resource (0 when absent or bad). */
size_t acc_sync_api_root_max_content(const char *body, size_t len);

/* A TAXII error message (title and description) or the start of any other
 * body, as one printable line. */
void acc_sync_error_text(const char *body, size_t len, char *out, size_t size);

/* Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as
 * milliseconds from now_us; -1 when absent or malformed. */
int64_t acc_sync_retry_after_ms(const char *value, int64_t now_us);

/* Wait before retry `attempt` (0-based): exponential from 500 ms, capped
 * at max_ms, with jitter from rnd (any 32-bit value) in [50%, 100%]. */
unsigned acc_sync_backoff_ms(unsigned attempt, unsigned max_ms, uint32_t rnd);

/* Advance a pull watermark (the peer's timestamp text, "" = none) to
 * last, an X-TAXII-Date-Added-Last value, when last is a timestamp later
 * than it.  Returns 1 when it advanced. */
int acc_sync_watermark_advance(char wm[64], const char *last);

/* Append "?a=b&..." parameters of a pull request to an objects URL:
 * added_after (when not ""), limit, match[version]=all (when all), next
 * (when not ""), each percent-encoded. */
acc_rc acc_sync_objects_query(acc_buf *url, const char *added_after,
                              unsigned limit, int all_versions,
                              const char *next);

#endif
