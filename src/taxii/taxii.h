/*
 * taxii.h — the TAXII 2.1 server (OASIS Standard, 10 June 2021) over HTTP:
 * its configuration, the server's lifecycle, and the pure parsers of what
 * clients send (media types, the Authorization header, query strings) and
 * of the opaque `next` pagination token.  The parsers touch no store and
 * no network, so unit tests and the libFuzzer harness call them directly.
 *
 * URL layout: /taxii2/ (discovery) and one API root named by the
 * configuration (default "api"): /api/, /api/collections/,
 * /api/collections/{id}/[objects/[{object-id}/[versions/]] | manifest/],
 * /api/status/{status-id}/.  Outside TAXII: /healthz and /metrics.
 */
#ifndef ACC_TAXII_H
#define ACC_TAXII_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"
#include "util/error.h"

/* The one media type served, with its version parameter. */
#define ACC_TAXII_MEDIA_TYPE "application/taxii+json;version=2.1"

/* ---- configuration ---- */

#define ACC_TAXII_PATH_MAX 1024

typedef struct acc_taxii_config {
  char listen[64]; /* address to bind (IPv4 or IPv6 literal) */
  unsigned port;   /* TCP port; 0 = any free port */
  char port_file[ACC_TAXII_PATH_MAX]; /* write the bound port here ("") */
  char api_root[64];                  /* name of the API root (path segment) */
  char title[ACC_NAME_MAX];           /* discovery and API root title */
  char description[ACC_TEXT_MAX];
  char contact[ACC_TEXT_MAX];
  char tls_cert[ACC_TAXII_PATH_MAX]; /* PEM certificate chain ("" = none) */
  char tls_key[ACC_TAXII_PATH_MAX];  /* PEM private key */
  int insecure_http;           /* allow plain HTTP on a non-loopback address */
  unsigned threads;            /* worker threads (MHD thread pool) */
  unsigned max_connections;    /* concurrent connections, all clients */
  unsigned per_ip_connections; /* concurrent connections per address */
  unsigned connection_timeout; /* seconds of inactivity before closing */
  unsigned request_timeout;    /* seconds to receive one whole request */
  size_t max_header_bytes;     /* per-connection memory: request line and
                                  headers must fit */
  size_t max_content_length;   /* largest request body (413 above) */
  size_t max_upload_memory;    /* bodies held at once, all connections */
  size_t max_response_bytes;   /* a page stops growing past this */
  unsigned page_default;       /* objects per page when no limit is given */
  unsigned page_max;           /* the server's own limit */
  unsigned status_keep_hours;  /* status resources are kept this long */
  unsigned shutdown_grace;     /* seconds to let requests finish on stop */
  int access_log;              /* JSON lines on stderr */
  int public_read;             /* anonymous read of public collections (off;
                                  needs the sharing policy) */
  unsigned auth_cache_ttl;     /* seconds a verified password is cached */
  unsigned login_burst;        /* failed logins before an address waits */
  unsigned login_max_wait;     /* longest wait imposed, seconds */
  /* The web interface (web/web.h). */
  char ui_dir[ACC_TAXII_PATH_MAX]; /* its files ("" = found beside accord) */
  unsigned session_idle_timeout;   /* seconds without a request */
  unsigned session_lifetime;       /* seconds from login, at most */
  unsigned session_max;            /* sessions held at once */
  unsigned correlation_common_sources; /* /api/v1/correlate: sources above
                                          which a value is common; 0 = the
                                          store's setting */
} acc_taxii_config;

/* Fill in the documented defaults. */
void acc_taxii_config_defaults(acc_taxii_config *c);

/* Set one key (as in the configuration file) from its text value.
 * ACC_EUSAGE with diag for an unknown key or a bad value. */
acc_rc acc_taxii_config_set(acc_taxii_config *c, const char *key,
                            const char *value, acc_diag *d);

/* Read a configuration file of `key = value` lines ('#' at the start of a
 * line or after a space starts a comment; a value may be "quoted").
 * Errors name the file and line. */
acc_rc acc_taxii_config_load(acc_taxii_config *c, const char *path,
                             acc_diag *d);

/* Whether addr (an IP literal, or "localhost") is a loopback address. */
int acc_taxii_addr_is_loopback(const char *addr);

/* ---- media types (section 1.6.8) ---- */

/* 1 when an Accept header value admits application/taxii+json;version=2.1
 * (also without the version parameter, or through * / * and
 * application/ *) with a non-zero quality; 0 otherwise, also when NULL. */
int acc_taxii_accept_ok(const char *accept);

/* 1 when a Content-Type value is application/taxii+json with version 2.1
 * or no version parameter; 0 otherwise, also when NULL. */
int acc_taxii_content_type_ok(const char *content_type);

/* ---- the Authorization header ---- */

typedef enum acc_taxii_auth_kind {
  ACC_TAXII_AUTH_NONE,   /* no header */
  ACC_TAXII_AUTH_BASIC,  /* user and password set */
  ACC_TAXII_AUTH_BEARER, /* token set */
  ACC_TAXII_AUTH_BAD,    /* present but unusable (scheme, encoding, size) */
} acc_taxii_auth_kind;

typedef struct acc_taxii_auth {
  acc_taxii_auth_kind kind;
  char user[ACC_NAME_MAX];
  char password[256];
  char token[128];
} acc_taxii_auth;

/* Parse an Authorization header (NULL = absent).  Never fails: anything
 * unusable is ACC_TAXII_AUTH_BAD.  Secrets are wiped by
 * acc_taxii_auth_wipe. */
void acc_taxii_auth_parse(const char *header, acc_taxii_auth *out);
void acc_taxii_auth_wipe(acc_taxii_auth *a);

/* ---- query parameters (section 3.4) ---- */

/* match[version] keywords, as bits. */
enum {
  ACC_TAXII_VER_LAST = 1,
  ACC_TAXII_VER_FIRST = 2,
  ACC_TAXII_VER_ALL = 4,
  ACC_TAXII_VER_AT = 8, /* specific timestamps, in at_us */
};

/* Bits of acc_taxii_filter.seen: which parameters were given. */
enum {
  ACC_TAXII_P_ID = 1,
  ACC_TAXII_P_TYPE = 2,
  ACC_TAXII_P_VERSION = 4,
  ACC_TAXII_P_SPEC = 8,
  ACC_TAXII_P_ADDED_AFTER = 16,
  ACC_TAXII_P_LIMIT = 32,
  ACC_TAXII_P_NEXT = 64,
};

#define ACC_TAXII_NEXT_MAX 128 /* longest next token accepted */

typedef struct acc_taxii_filter {
  const char *ids[ACC_QUERY_MAX_TERMS]; /* sorted, distinct */
  size_t n_ids;
  const char *types[ACC_QUERY_MAX_TERMS]; /* sorted, distinct */
  size_t n_types;
  const char *spec_versions[4]; /* sorted, distinct */
  size_t n_spec_versions;
  unsigned versions; /* ACC_TAXII_VER_* bits; 0 = not given (last) */
  int64_t at_us[ACC_QUERY_MAX_TERMS]; /* sorted, distinct */
  size_t n_at;
  int64_t added_after_us;            /* ACC_TIME_NONE when not given */
  size_t limit;                      /* 0 when not given */
  char next[ACC_TAXII_NEXT_MAX + 1]; /* "" when not given */
  unsigned seen;                     /* ACC_TAXII_P_* bits */
  char *own[4]; /* copies of the list values, split in place */
  size_t n_own;
} acc_taxii_filter;

void acc_taxii_filter_init(acc_taxii_filter *f);
void acc_taxii_filter_free(acc_taxii_filter *f);

/* Add one query parameter (already percent-decoded; value may be NULL for
 * "?key").  Parameters TAXII does not define, and match fields it does not
 * define, are ignored.  A malformed or repeated parameter is ACC_EINVAL
 * with diag naming it (the server answers 400). */
acc_rc acc_taxii_filter_add(acc_taxii_filter *f, const char *key,
                            const char *value, acc_diag *d);

/* Parse a whole query string ("a=b&c=d", percent-encoded, without '?'),
 * as the server sees it: for tests and the fuzzer. */
acc_rc acc_taxii_filter_parse(acc_taxii_filter *f, const char *qs, size_t len,
                              acc_diag *d);

/* The filter in a canonical text form (limit and next left out), so that
 * two requests for the same result set produce the same bytes. */
acc_rc acc_taxii_filter_normalise(const acc_taxii_filter *f, acc_buf *out);

/* ---- the `next` token (section 3.5) ---- */

#define ACC_TAXII_NEXT_KEYBYTES 32

/* Token text for resuming after position pos (a date_added in
 * microseconds) of the query whose canonical form is query[0..len).
 * The token is base64url(version byte, pos, HMAC-SHA-512-256 over both and
 * the query): opaque, tamper-evident, bound to its query.  out must hold
 * ACC_TAXII_NEXT_MAX + 1 bytes. */
void acc_taxii_next_make(const unsigned char key[ACC_TAXII_NEXT_KEYBYTES],
                         const char *query, size_t len, int64_t pos, char *out);

/* Check a token against the query it is presented with; on success write
 * the position.  ACC_EINVAL when malformed, altered, or made for another
 * query. */
acc_rc acc_taxii_next_check(const unsigned char key[ACC_TAXII_NEXT_KEYBYTES],
                            const char *query, size_t len, const char *token,
                            int64_t *pos);

/* ---- JSON text ---- */

/* Append s as a JSON string literal (with quotes; control characters and
 * non-ASCII bytes that are not valid UTF-8 escaped or replaced). */
acc_rc acc_taxii_json_str(acc_buf *b, const char *s);

/* ---- the server ---- */

typedef struct acc_taxii_server acc_taxii_server;

/* Open the store in data_dir, load (or create) the pagination key, bind
 * and start serving.  Refuses a non-loopback address without TLS unless
 * cfg->insecure_http. */
acc_rc acc_taxii_server_start(const acc_taxii_config *cfg, const char *data_dir,
                              acc_taxii_server **out, acc_diag *d);

/* The port actually bound. */
unsigned acc_taxii_server_port(const acc_taxii_server *s);

/* Whether the server speaks TLS. */
int acc_taxii_server_tls(const acc_taxii_server *s);

/* Objects that reached the store another way while serving (federation
 * pulls, src/sync): new indicators make the detection matcher stale; new
 * observed-data (ids NUL-separated in observed[0..len)) are matched now,
 * with the caller's store handle st.  Returns the sightings stored. */
size_t acc_taxii_server_ingested(acc_taxii_server *s, acc_store *st,
                                 int new_indicators, const char *observed,
                                 size_t len);

/* Stop accepting connections, let requests already received finish (up
 * to shutdown_grace seconds), then stop and free everything.  NULL is a
 * no-op. */
void acc_taxii_server_stop(acc_taxii_server *s);

#endif
