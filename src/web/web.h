/*
 * web.h — the server side of Accord's web interface (`accord serve`, /ui/):
 * browser sessions and the static files of the interface.
 *
 * Sessions: POST /api/v1/session checks a user's password (the same
 * accounts as HTTP Basic) and answers with an HttpOnly, SameSite=Strict
 * cookie (Secure under TLS) holding a random session id, and a CSRF token.
 * The server keeps sessions in memory, found by the BLAKE2b hash of their
 * id (the id itself is never stored), each with an idle timeout and an
 * absolute lifetime; DELETE /api/v1/session ends one for good.  A request
 * carrying the cookie is authenticated in the same step as Basic and Bearer
 * (taxii/endpoints.c authenticate), so the interface gets exactly what the
 * API gives that user; a state-changing request (anything but GET/HEAD)
 * authenticated by the cookie must carry the session's token in
 * X-CSRF-Token.  Sessions end when the server stops.
 *
 * Static files: GET /ui/... from the interface's build directory, with
 * content types, gzip-precompressed variants, long caching for hashed
 * asset names and a strict Content-Security-Policy (web/static.c).
 */
#ifndef ACC_WEB_H
#define ACC_WEB_H

#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "util/error.h"

#define ACC_WEB_COOKIE "accord_session"
#define ACC_WEB_CSRF_HEADER "X-CSRF-Token"
/* 32 random bytes as unpadded base64url (43 characters) and a NUL. */
#define ACC_WEB_SECRET_MAX 48

typedef struct acc_web_sessions acc_web_sessions;

/* A table of at most max sessions; idle_us and life_us bound each one. */
acc_web_sessions *acc_web_sessions_new(size_t max, int64_t idle_us,
                                       int64_t life_us);
void acc_web_sessions_free(acc_web_sessions *t);

/* What a live session holds. */
typedef struct acc_web_session {
  int64_t uid;
  char user[ACC_NAME_MAX];
  char csrf[ACC_WEB_SECRET_MAX];
  int64_t created_us;
  int64_t last_us;    /* last request */
  int64_t expires_us; /* the earlier of idle and absolute expiry */
} acc_web_session;

/* Open a session for user uid: writes the cookie value (sid) and the
 * session's CSRF token.  When the table is full the session used least
 * recently is ended to make room. */
acc_rc acc_web_session_open(acc_web_sessions *t, int64_t uid,
                            const char *user, int64_t now_us,
                            char sid[ACC_WEB_SECRET_MAX],
                            char csrf[ACC_WEB_SECRET_MAX], acc_diag *d);

/* The live session whose id is sid, refreshed (its idle clock restarts)
 * when touch is set.  ACC_ENOTFOUND when there is none or it expired (an
 * expired one is removed). */
acc_rc acc_web_session_find(acc_web_sessions *t, const char *sid,
                            int64_t now_us, int touch, acc_web_session *out);

/* End the session sid (ACC_ENOTFOUND when there was none). */
acc_rc acc_web_session_close(acc_web_sessions *t, const char *sid);

/* End every session of user uid (when it is disabled, say). */
size_t acc_web_session_close_user(acc_web_sessions *t, int64_t uid);

/* Number of live sessions (expired ones are not counted). */
size_t acc_web_session_count(acc_web_sessions *t, int64_t now_us);

/* Whether a CSRF token presented with a request matches (constant time). */
int acc_web_csrf_ok(const acc_web_session *s, const char *presented);

/* The value of cookie name in a Cookie header ("a=1; b=2"); 0 and out
 * set when found and it fits, -1 otherwise. */
int acc_web_cookie_value(const char *header, const char *name, char *out,
                         size_t size);

/* The Set-Cookie value that sets (sid non-NULL, for max_age_s seconds) or
 * clears (sid NULL) the session cookie. */
void acc_web_cookie_header(char *out, size_t size, const char *sid,
                           int64_t max_age_s, int secure);

/* ---- static files (web/static.c) ---- */

/* The content type for a file name, by its extension. */
const char *acc_web_content_type(const char *name);

/* Whether a relative path under /ui/ is one we serve: segments of
 * [A-Za-z0-9._-] not starting with '.', no empty segment. */
int acc_web_path_ok(const char *rel);

/* Whether a file name is a content-hashed asset (NAME-HASH.EXT, the hash
 * 8 or more of [0-9a-fA-Z]: hex, or esbuild's upper-case base32), which
 * may be cached for a year. */
int acc_web_hashed_name(const char *name);

/* Whether an Accept-Encoding value admits gzip (q above 0). */
int acc_web_accepts_gzip(const char *accept_encoding);

/* The interface's directory: dir when given, else the first of
 * <exe dir>/ui and <exe dir>/../share/accord/ui that holds index.html;
 * "" when none does. */
void acc_web_find_ui_dir(const char *dir, char *out, size_t size);

#endif
