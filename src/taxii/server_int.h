/*
 * server_int.h — what server.c (the HTTP machinery: daemon, connections,
 * limits, logs, metrics, store handles) and endpoints.c (the TAXII
 * resources) share.  Not part of the subsystem's interface.
 */
#ifndef ACC_TAXII_SERVER_INT_H
#define ACC_TAXII_SERVER_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "taxii/taxii.h"
#include "util/buf.h"
#include "util/time.h"

/* Latency histogram bucket bounds, in microseconds (Prometheus `le`). */
#define TAXII_N_BUCKETS 12
extern const int64_t acc_taxii_buckets_us[TAXII_N_BUCKETS];

typedef struct taxii_metrics {
  atomic_ullong requests[6]; /* by status class: [1] 1xx .. [5] 5xx */
  atomic_ullong latency_bucket[TAXII_N_BUCKETS + 1]; /* last = +Inf */
  atomic_ullong latency_sum_us;
  atomic_ullong objects_ingested;
  atomic_ullong objects_rejected;
  atomic_ullong sightings; /* sightings stored by detection */
  atomic_ullong auth_failures;
  atomic_ullong timeouts;       /* requests cut off by request_timeout */
  atomic_ullong throttled;      /* answered 429 by the login throttle */
  atomic_ullong upload_refused; /* 503: upload memory budget exhausted */
} taxii_metrics;

/* One open connection, for the absolute request deadline. */
typedef struct taxii_conn {
  int used;
  int fd;
  int64_t since_us; /* monotonic: when the current request began */
  int receiving;    /* the current request is not fully received */
  int killed;       /* cut off by the reaper */
} taxii_conn;

struct acc_taxii_server {
  acc_taxii_config cfg;
  char *data_dir;
  struct MHD_Daemon *mhd;
  unsigned port;
  int tls;
  char *tls_cert_pem, *tls_key_pem;
  unsigned char next_key[ACC_TAXII_NEXT_KEYBYTES];
  acc_auth_cache *auth_cache;
  acc_audit *audit; /* every release and denial of objects */
  /* Detection: every stored indicator compiled once; rebuilt after new
   * indicators arrive, on the next observed-data. */
  pthread_mutex_t detect_mu;
  struct acc_matcher *matcher;
  int matcher_stale;
  acc_throttle *throttle;

  /* Store handles: one per concurrent request, never shared. */
  pthread_mutex_t pool_mu;
  pthread_cond_t pool_cv;
  acc_store **pool; /* idle handles */
  size_t n_idle;
  size_t n_open; /* handles that exist (idle or lent) */
  size_t pool_max;

  /* Connections, for the reaper. */
  pthread_mutex_t conn_mu;
  taxii_conn *conns;
  size_t n_conns;
  pthread_t reaper;
  int reaper_started;
  pthread_cond_t reaper_cv;
  int reaper_stop;

  atomic_int stopping;
  atomic_long inflight;      /* requests seen by the handler, unfinished */
  atomic_size_t upload_used; /* bytes of request bodies reserved */
  taxii_metrics m;
  /* The web interface (web/web.h): browser sessions, and the directory
   * of its static files ("" = not installed). */
  struct acc_web_sessions *sessions;
  char ui_dir[ACC_TAXII_PATH_MAX];
};

/* One request, from its first handler call to its completion. */
typedef struct taxii_req {
  acc_taxii_server *srv;
  taxii_conn *conn;
  int64_t t0_us;      /* monotonic, headers complete */
  int64_t request_ts; /* wall clock, for status resources */
  char rid[17];       /* request id, also X-Request-Id */
  char method[8];
  char path[256];                       /* for the access log (truncated) */
  char addr[64];                        /* client address */
  char principal[2 * ACC_NAME_MAX + 2]; /* user@org, "-" before auth */
  int status; /* queued status, for logs and metrics */
  size_t bytes_out;
  int deferred; /* GET/DELETE: answer on the next call */
  /* POST */
  int receiving;  /* reading the body */
  int discarding; /* body refused: read and drop the rest */
  acc_buf body;
  size_t reserved; /* bytes reserved from max_upload_memory */
  acc_collection coll;
  acc_principal who;
  /* /api/v1 (api/api.h): the path after /api/v1, kept for a POST body. */
  int api;
  char api_path[512];
  struct MHD_Connection *mhd_conn; /* for the API's query parameters */
  int by_cookie; /* authenticated by a web session cookie (web/web.h) */
} taxii_req;

/* A response being built by an endpoint. */
typedef struct taxii_resp {
  int status; /* 0 = nothing to send yet (body to come) */
  acc_buf body;
  const char *ctype;          /* NULL = the TAXII media type */
  char first[ACC_TIME_BUFSZ]; /* X-TAXII-Date-Added-First, "" = none */
  char last[ACC_TIME_BUFSZ];
  int www_auth;         /* add WWW-Authenticate */
  unsigned retry_after; /* seconds, 0 = none */
  const char *allow;    /* Allow header for 405 */
  int close;            /* Connection: close */
  char allow_buf[64];   /* storage for allow when computed */
  char filename[128];   /* Content-Disposition: attachment, "" = none */
  /* The web interface (web/): more headers as name, value pairs (NULL
   * ends them), a Cache-Control other than no-store, a Set-Cookie. */
  const char *hdr[16];
  const char *cache_control;
  char set_cookie[256];
} taxii_resp;

/* Monotonic clock in microseconds. */
int64_t acc_taxii_mono_us(void);

/* Borrow a store handle for this thread (NULL with diag on failure). */
acc_store *acc_taxii_store_get(acc_taxii_server *s, acc_diag *d);
void acc_taxii_store_put(acc_taxii_server *s, acc_store *st);

/* Fill r with a TAXII error message (title from the status). */
void acc_taxii_error(taxii_resp *r, const taxii_req *q, int status,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Endpoints (endpoints.c).  handle is called when the request's headers
 * are complete; for a POST that passes every check it leaves r->status 0
 * and the body is then read; post_body is called with the whole body. */
void acc_taxii_handle(acc_taxii_server *s, struct MHD_Connection *c,
                      taxii_req *q, const char *url, const char *method,
                      taxii_resp *r);
void acc_taxii_post_body(acc_taxii_server *s, taxii_req *q, taxii_resp *r);

/* /api/v1 (api/dispatch in endpoints.c): answer request q for path
 * (after /api/v1) with body (POST) or NULL. */
void acc_taxii_api(acc_taxii_server *s, struct MHD_Connection *c, taxii_req *q,
                   acc_store *st, const char *body, size_t body_len,
                   taxii_resp *r);

/* Prometheus text (server.c). */
void acc_taxii_metrics_text(acc_taxii_server *s, acc_buf *b);

/* Write one JSON line to stderr: {"ts":...,"event":EVENT,FIELDS} where
 * fields is a JSON member list ("\"k\":1,...") or NULL. */
void acc_taxii_log(const char *event, const char *fields);
/* Log a message about request q (with its request id). */
void acc_taxii_log_note(acc_taxii_server *s, const void *q, const char *what,
                        const char *msg);

/* Detection (issue: patterns): mark the matcher stale; match the new
 * observed-data ids (NUL-separated in ids[0..len)) and store sightings. */
void acc_taxii_detect_invalidate(acc_taxii_server *s);
acc_rc acc_taxii_detect(acc_taxii_server *s, acc_store *st, const char *ids,
                        size_t len, size_t *n_sightings, acc_diag *d);

#endif
