/*
 * web_int.h — what the web interface's server side shares with the HTTP
 * machinery of `accord serve` (taxii/server.c, taxii/endpoints.c).  Not
 * part of the subsystem's interface (that is web.h).
 */
#ifndef ACC_WEB_INT_H
#define ACC_WEB_INT_H

#include "taxii/server_int.h"
#include "web/web.h"

/* Answer GET/HEAD url (under /ui, or "/") from the interface's files. */
void acc_web_static(acc_taxii_server *s, struct MHD_Connection *c,
                    taxii_req *q, const char *url, taxii_resp *r);

/* Whether url is served by acc_web_static. */
int acc_web_is_ui_url(const char *url);

/* Authenticate q by its session cookie (called when the request has no
 * Authorization header): 1 = no session cookie, nothing done; 0 = q->who
 * is the session's user and q->by_cookie is set; -1 = r holds the answer
 * (401 for an unknown or expired session, 403 for a state-changing request
 * without the session's CSRF token). */
int acc_web_cookie_auth(acc_taxii_server *s, struct MHD_Connection *c,
                        taxii_req *q, acc_store *st, const char *method,
                        taxii_resp *r);

#endif
