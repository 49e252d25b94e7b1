/*
 * login.c — sessions over HTTP: POST /api/v1/session (log in with a user
 * name and password, as HTTP Basic would), GET (the session and its CSRF
 * token), DELETE (log out), and the cookie step of authentication that
 * taxii/endpoints.c runs beside Basic and Bearer, with the CSRF check of
 * state-changing requests.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "util/time.h"
#include "web/web_int.h"

/* The session cookie of a request: 0 and sid set; -1 when there is none;
 * -2 when there is one but no session could have that id (too long). */
static int request_sid(struct MHD_Connection *c, char sid[ACC_WEB_SECRET_MAX]) {
  const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
  if (acc_web_cookie_value(h, ACC_WEB_COOKIE, sid, ACC_WEB_SECRET_MAX) == 0)
    return 0;
  sid[0] = '\0';
  return h && strstr(h, ACC_WEB_COOKIE "=") ? -2 : -1;
}

static int state_changing(const char *method) {
  return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

int acc_web_cookie_auth(acc_taxii_server *s, struct MHD_Connection *c,
                        taxii_req *q, acc_store *st, const char *method,
                        taxii_resp *r) {
  char sid[ACC_WEB_SECRET_MAX];
  int have = request_sid(c, sid);
  if (have == -1 || (have == 0 && !sid[0]))
    return 1;
  acc_web_session ws;
  int64_t now = acc_time_now_us();
  if (have != 0 ||
      acc_web_session_find(s->sessions, sid, now, 1, &ws) != ACC_OK) {
    sodium_memzero(sid, sizeof sid);
    acc_taxii_error(r, q, 401,
                    "your session has ended (logged out, idle too long, or "
                    "the server restarted): log in again");
    acc_web_cookie_header(r->set_cookie, sizeof r->set_cookie, NULL, 0,
                          s->tls);
    return -1;
  }
  acc_user u;
  acc_diag d = {{0}};
  acc_rc rc = st->ops->user_by_id(st, ws.uid, &u, &d);
  if (rc == ACC_OK && u.disabled)
    rc = ACC_ENOTFOUND;
  if (rc == ACC_OK)
    rc = acc_auth_principal_of(st, u.name, &q->who, &d);
  if (rc == ACC_ENOTFOUND) {
    acc_web_session_close(s->sessions, sid);
    sodium_memzero(sid, sizeof sid);
    acc_taxii_error(r, q, 401, "this account is no longer active: log in "
                               "again or ask an administrator");
    acc_web_cookie_header(r->set_cookie, sizeof r->set_cookie, NULL, 0,
                          s->tls);
    return -1;
  }
  sodium_memzero(sid, sizeof sid);
  if (rc) {
    acc_taxii_error(r, q, 500, "reading the session's user failed: %s", d.msg);
    return -1;
  }
  if (state_changing(method) &&
      !acc_web_csrf_ok(&ws, MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                        ACC_WEB_CSRF_HEADER))) {
    acc_taxii_error(r, q, 403,
                    "this request came with a session cookie but without "
                    "the session's token in the " ACC_WEB_CSRF_HEADER
                    " header (cross-site request refused); reload the page");
    return -1;
  }
  q->by_cookie = 1;
  snprintf(q->principal, sizeof q->principal, "%s@%s", q->who.user,
           q->who.org);
  return 0;
}

/* The JSON describing principal p and, when ws is given, its session. */
static json_t *session_json(const acc_taxii_server *s, const acc_principal *p,
                            const acc_web_session *ws) {
  json_t *j = json_pack("{s:s,s:s,s:s?,s:b,s:b}", "user", p->user, "org",
                        p->org, "org_identity",
                        p->org_identity[0] ? p->org_identity : NULL, "member",
                        p->org_member, "admin", p->admin);
  if (!j)
    return NULL;
  if (ws) {
    char created[ACC_TIME_BUFSZ], expires[ACC_TIME_BUFSZ];
    acc_time_format_ms(ws->created_us, created);
    acc_time_format_ms(ws->expires_us, expires);
    json_object_set_new(
        j, "session",
        json_pack("{s:s,s:s,s:s,s:I,s:I}", "csrf_token", ws->csrf, "created",
                  created, "expires", expires, "idle_timeout_s",
                  (json_int_t)s->cfg.session_idle_timeout, "lifetime_s",
                  (json_int_t)s->cfg.session_lifetime));
  } else {
    json_object_set_new(j, "session", json_null());
  }
  return j;
}

void acc_web_session_login(acc_api_call *c, acc_api_reply *r) {
  acc_taxii_server *s = c->srv;
  const char *addr = c->client_addr ? c->client_addr : "?";
  int64_t now = acc_time_now_us();
  int64_t wait = acc_throttle_wait(s->throttle, addr, now);
  if (wait > 0) {
    atomic_fetch_add(&s->m.throttled, 1);
    acc_api_error(r, 429,
                  "too many failed logins from this address: wait %lld "
                  "seconds, then try again",
                  (long long)((wait + 999999) / 1000000));
    return;
  }
  json_t *b = acc_api_body_object(c, r);
  if (!b)
    return;
  const char *user = json_string_value(json_object_get(b, "user"));
  const char *pw = json_string_value(json_object_get(b, "password"));
  if (!user || !pw || !*user) {
    json_decref(b);
    acc_api_error(r, 400,
                  "a login needs {\"user\": NAME, \"password\": PASSWORD}");
    return;
  }
  acc_principal p;
  acc_diag d = {{0}};
  acc_rc rc = acc_auth_basic_cached(s->auth_cache, c->st, user, pw, &p, &d);
  if (rc == ACC_EINVAL || rc == ACC_ENOTFOUND) {
    json_decref(b);
    acc_throttle_failure(s->throttle, addr, now);
    atomic_fetch_add(&s->m.auth_failures, 1);
    acc_api_error(r, 401,
                  "the user name or the password is wrong (check both; "
                  "after %u failures this address must wait)",
                  s->cfg.login_burst);
    return;
  }
  json_decref(b); /* the password goes with it */
  if (rc) {
    acc_api_error(r, 500, "checking the password failed: %s", d.msg);
    return;
  }
  acc_throttle_success(s->throttle, addr);
  char sid[ACC_WEB_SECRET_MAX], csrf[ACC_WEB_SECRET_MAX];
  if ((rc = acc_web_session_open(s->sessions, p.uid, p.user, now, sid, csrf,
                                 &d))) {
    acc_api_error(r, 500, "opening a session failed: %s", d.msg);
    return;
  }
  acc_web_session ws;
  if (acc_web_session_find(s->sessions, sid, now, 0, &ws) != ACC_OK) {
    sodium_memzero(sid, sizeof sid);
    acc_api_error(r, 500, "the new session vanished (too many sessions?)");
    return;
  }
  acc_web_cookie_header(r->set_cookie, sizeof r->set_cookie, sid,
                        (int64_t)s->cfg.session_lifetime, s->tls);
  sodium_memzero(sid, sizeof sid);
  sodium_memzero(csrf, sizeof csrf);
  acc_api_json(r, 201, session_json(s, &p, &ws));
}

void acc_web_session_get(acc_api_call *c, acc_api_reply *r) {
  acc_web_session ws;
  char sid[ACC_WEB_SECRET_MAX];
  int have = c->conn && request_sid(c->conn, sid) == 0 &&
             acc_web_session_find(c->srv->sessions, sid, acc_time_now_us(), 0,
                                  &ws) == ACC_OK;
  sodium_memzero(sid, sizeof sid);
  acc_api_json(r, 200, session_json(c->srv, c->who, have ? &ws : NULL));
}

void acc_web_session_logout(acc_api_call *c, acc_api_reply *r) {
  char sid[ACC_WEB_SECRET_MAX];
  if (!c->conn || request_sid(c->conn, sid) != 0) {
    acc_api_error(r, 400,
                  "there is no session to end: this request carried no "
                  "session cookie");
    return;
  }
  acc_web_session_close(c->srv->sessions, sid);
  sodium_memzero(sid, sizeof sid);
  acc_web_cookie_header(r->set_cookie, sizeof r->set_cookie, NULL, 0,
                        c->srv->tls);
  acc_api_json(r, 200, json_pack("{s:b}", "ended", 1));
}
