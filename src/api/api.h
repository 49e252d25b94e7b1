/*
 * api.h — Accord's own HTTP API, /api/v1/..., served by `accord serve` next
 * to TAXII.  It is what the web interface and third parties use alike
 * (correlation, attribution cases, peers, consultations ...): JSON in,
 * JSON out, the same authentication as TAXII (HTTP Basic or a Bearer
 * token), and every read of stored objects through the enforcement point
 * (policy/guard.h) with call->reader.
 *
 * A route is a method and a path pattern whose segments are literal or
 * "*" (one segment, handed to the handler in call->arg[]).  Routes live in
 * one table, api/routes.c; a capability adds its rows there and its
 * handlers in its own file.
 */
#ifndef ACC_API_H
#define ACC_API_H

#include <jansson.h>

#include "policy/guard.h"
#include "store/store.h"
#include "util/buf.h"

#define ACC_API_MAX_ARGS 4

typedef struct acc_taxii_server acc_taxii_server;

typedef struct acc_api_call {
  acc_taxii_server *srv;
  acc_store *st;            /* this request's store handle */
  const acc_principal *who; /* authenticated (never anonymous) */
  acc_reader reader;        /* who, path "api:<route>", the audit log */
  const char *method;       /* GET, HEAD, POST or DELETE */
  const char *path;         /* after /api/v1, e.g. "/correlate" */
  const char *arg[ACC_API_MAX_ARGS]; /* the "*" segments, in order */
  size_t n_arg;
  const char *body; /* POST: the request body (NUL-terminated), else NULL */
  size_t body_len;
  const char *rid;         /* request id, for messages */
  void *conn;              /* struct MHD_Connection *, for acc_api_query */
  const char *data_dir;    /* the server's data directory */
  const char *client_addr; /* the client's IP address, for messages
                              and the login throttle */
} acc_api_call;

/* The answer a handler builds.  status 0 after the handler is a 500. */
typedef struct acc_api_reply {
  int status;
  acc_buf body;
  const char *ctype;    /* NULL = application/json */
  char filename[128];   /* set: Content-Disposition attachment */
  char set_cookie[256]; /* set: a Set-Cookie header (web/login.c) */
} acc_api_reply;

typedef void (*acc_api_fn)(acc_api_call *c, acc_api_reply *r);

typedef struct acc_api_route {
  const char *method;  /* "GET" (also serves HEAD), "POST", "DELETE" */
  const char *pattern; /* e.g. "/cases/{*}" written with a bare star */
  acc_api_fn fn;
  int admin; /* 1: only administrators; ACC_API_OPEN: no credentials
                needed, the handler checks them itself (the login) */
} acc_api_route;

#define ACC_API_OPEN (-1)

/* The table (api/routes.c), ended by a row with fn NULL. */
extern const acc_api_route acc_api_routes[];

/* Find the route for method and path: 0 and *route set, 404 when no
 * pattern matches the path, 405 when one does but not for this method
 * (then allow holds the methods that do, comma-separated). */
int acc_api_match(const char *method, const char *path,
                  const acc_api_route **route, const char *arg[], size_t *n_arg,
                  char *seg_buf, size_t seg_buf_size, char *allow,
                  size_t allow_size);

/* A query-string parameter (decoded), or NULL. */
const char *acc_api_query(const acc_api_call *c, const char *name);

/* Replies.  acc_api_json takes ownership of j (and sends it compact,
 * with keys in insertion order). */
void acc_api_json(acc_api_reply *r, int status, json_t *j);
void acc_api_error(acc_api_reply *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A library error as an HTTP status: 404 not found, 400 bad input, 409
 * conflict, 500 otherwise; acc_api_fail answers with it and the
 * diagnostic as the description. */
int acc_api_status_of(acc_rc rc);
void acc_api_fail(acc_api_reply *r, acc_rc rc, const acc_diag *d);

/* Parse the POST body as one JSON object; on failure r holds a 400 naming
 * the line and column, and NULL is returned. */
json_t *acc_api_body_object(const acc_api_call *c, acc_api_reply *r);

#endif
