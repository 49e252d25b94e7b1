/*
 * fuzz_web_headers.c — libFuzzer harness for what a browser controls in
 * the web interface's server side before anything is read: the Cookie
 * header (the session cookie's value), the path under /ui/, the
 * Accept-Encoding header, and a session lookup with the cookie's value.
 * The input is split at its first two newlines into a Cookie header, a
 * path and an Accept-Encoding value; each parser must end in a value or a
 * refusal, never a crash, and an accepted path must never leave /ui/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  char *path = strchr(s, '\n');
  if (path)
    *path++ = '\0';
  else
    path = s;
  char *ae = strchr(path, '\n');
  if (ae)
    *ae++ = '\0';
  else
    ae = path;

  char v[ACC_WEB_SECRET_MAX];
  if (acc_web_cookie_value(s, ACC_WEB_COOKIE, v, sizeof v) == 0) {
    if (strlen(v) >= sizeof v)
      abort();
    /* An unknown id is simply not found. */
    static acc_web_sessions *t;
    if (!t)
      t = acc_web_sessions_new(4, 1000000, 2000000);
    acc_web_session ws;
    if (t && acc_web_session_find(t, v, 1, 1, &ws) == ACC_OK)
      abort();
  }
  if (acc_web_path_ok(path)) {
    /* No way out of the directory, nothing hidden, no empty segment. */
    if (path[0] == '/' || path[0] == '.' || strstr(path, "/.") ||
        strstr(path, "//") || strstr(path, ".."))
      abort();
    (void)acc_web_content_type(path);
    (void)acc_web_hashed_name(path);
  }
  (void)acc_web_accepts_gzip(ae);
  free(s);
  return 0;
}
