/*
 * static.c — the web interface's files under /ui/ (see web.h): the path
 * checked against a strict alphabet, the file read from the interface's
 * build or install directory, its gzip variant (NAME.gz, made at build
 * time) sent when the client takes gzip, hashed asset names cached for a
 * year and everything else revalidated, and on every answer a
 * Content-Security-Policy without inline script, X-Frame-Options DENY and
 * nosniff.  "/" and "/ui" redirect to "/ui/".
 */
#include "web/web_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UI_FILE_MAX ((size_t)16 << 20)

/* No inline script or style, nothing from elsewhere, never framed. */
static const char CSP[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "manifest-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

const char *acc_web_content_type(const char *name) {
  static const struct {
    const char *ext, *type;
  } types[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  const char *dot = strrchr(name, '.');
  const char *slash = strrchr(name, '/');
  if (dot && (!slash || dot > slash))
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
      if (strcmp(dot, types[i].ext) == 0)
        return types[i].type;
  return "application/octet-stream";
}

int acc_web_path_ok(const char *rel) {
  if (!rel || !*rel || strlen(rel) > 200)
    return 0;
  int seg_start = 1;
  for (const char *p = rel; *p; p++) {
    char c = *p;
    if (c == '/') {
      if (seg_start)
        return 0; /* empty segment or leading '/' */
      seg_start = 1;
      continue;
    }
    if (seg_start && c == '.')
      return 0; /* ".", "..", hidden files */
    seg_start = 0;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return 0;
  }
  return !seg_start;
}

int acc_web_hashed_name(const char *name) {
  const char *slash = strrchr(name, '/');
  const char *base = slash ? slash + 1 : name;
  const char *dot = strchr(base, '.');
  if (!dot)
    return 0;
  /* The hash runs back from the first dot to a '-'. */
  const char *p = dot;
  size_t n = 0;
  while (p > base && ((p[-1] >= '0' && p[-1] <= '9') ||
                      (p[-1] >= 'a' && p[-1] <= 'f') ||
                      (p[-1] >= 'A' && p[-1] <= 'Z'))) {
    p--;
    n++;
  }
  return n >= 8 && p > base && p[-1] == '-';
}

int acc_web_accepts_gzip(const char *ae) {
  if (!ae)
    return 0;
  const char *p = ae;
  while ((p = strstr(p, "gzip")) != NULL) {
    int start_ok = p == ae || p[-1] == ' ' || p[-1] == ',' || p[-1] == '\t';
    const char *e = p + 4;
    while (*e == ' ')
      e++;
    if (start_ok && (*e == '\0' || *e == ',' || *e == ';')) {
      if (*e != ';')
        return 1;
      /* gzip;q=0 (or 0.0, 0.00 ...) refuses it. */
      const char *q = strstr(e, "q=");
      const char *comma = strchr(e, ',');
      if (!q || (comma && q > comma))
        return 1;
      q += 2;
      if (*q != '0')
        return 1;
      q++;
      if (*q == '.')
        q++;
      while (*q == '0')
        q++;
      return *q >= '1' && *q <= '9';
    }
    p += 4;
  }
  return 0;
}

static int has_index(const char *dir) {
  char p[PATH_MAX + 64];
  struct stat sb;
  snprintf(p, sizeof p, "%s/index.html", dir);
  return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

void acc_web_find_ui_dir(const char *dir, char *out, size_t size) {
  if (!size)
    return;
  out[0] = '\0';
  if (dir && *dir) {
    snprintf(out, size, "%s", dir);
    return;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0)
    return;
  exe[n] = '\0';
  char *sl = strrchr(exe, '/');
  if (!sl)
    return;
  *sl = '\0';
  char cand[PATH_MAX + 32];
  static const char *const rel[] = {"/ui", "/../share/accord/ui"};
  for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
    size_t a = strlen(exe), b = strlen(rel[i]);
    if (a + b + 1 > sizeof cand || a + b + 1 > size)
      continue;
    memcpy(cand, exe, a);
    memcpy(cand + a, rel[i], b + 1);
    if (has_index(cand)) {
      memcpy(out, cand, a + b + 1);
      return;
    }
  }
}

int acc_web_is_ui_url(const char *url) {
  return strcmp(url, "/") == 0 || strcmp(url, "/ui") == 0 ||
         strncmp(url, "/ui/", 4) == 0;
}

/* Read a regular file (at most UI_FILE_MAX) into b: 0, or errno. */
static int read_file(const char *path, acc_buf *b) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno;
  struct stat sb;
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
      (size_t)sb.st_size > UI_FILE_MAX) {
    close(fd);
    return ENOENT;
  }
  int err = 0;
  if (acc_buf_reserve(b, (size_t)sb.st_size + 1)) {
    close(fd);
    return ENOMEM;
  }
  for (;;) {
    ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      err = errno;
      break;
    }
    if (n == 0)
      break;
    b->len += (size_t)n;
    if (b->len + 1 >= b->cap && acc_buf_reserve(b, 65536)) {
      err = ENOMEM;
      break;
    }
  }
  close(fd);
  return err;
}

static void security_headers(taxii_resp *r, size_t *nh) {
  const char *pairs[] = {"Content-Security-Policy", CSP,
                         "X-Frame-Options", "DENY",
                         "Referrer-Policy", "no-referrer",
                         "Cross-Origin-Opener-Policy", "same-origin"};
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0] && *nh + 2 < 16; i++)
    r->hdr[(*nh)++] = pairs[i];
}

void acc_web_static(acc_taxii_server *s, struct MHD_Connection *c,
                    taxii_req *q, const char *url, taxii_resp *r) {
  size_t nh = 0;
  security_headers(r, &nh);
  if (strcmp(url, "/") == 0 || strcmp(url, "/ui") == 0) {
    r->hdr[nh++] = "Location";
    r->hdr[nh++] = "/ui/";
    r->ctype = "text/plain; charset=utf-8";
    acc_buf_puts(&r->body, "The web interface is at /ui/\n");
    r->status = 302;
    return;
  }
  if (!s->ui_dir[0]) {
    acc_taxii_error(r, q, 404,
                    "the web interface is not installed: build it with make "
                    "(it needs the Debian packages nodejs and npm), or set "
                    "ui_dir to the directory holding its index.html");
    r->ctype = "application/json";
    return;
  }
  const char *rel = url + 4; /* after "/ui/" */
  if (!*rel)
    rel = "index.html";
  if (!acc_web_path_ok(rel)) {
    acc_taxii_error(r, q, 404, "no such file in the web interface");
    r->ctype = "application/json";
    return;
  }
  char path[PATH_MAX];
  int n = snprintf(path, sizeof path, "%s/%s", s->ui_dir, rel);
  if (n < 0 || (size_t)n + 4 >= sizeof path) {
    acc_taxii_error(r, q, 404, "no such file in the web interface");
    r->ctype = "application/json";
    return;
  }
  int gz = acc_web_accepts_gzip(
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding"));
  int err = ENOENT;
  int sent_gz = 0;
  if (gz) {
    char gzpath[PATH_MAX + 4];
    snprintf(gzpath, sizeof gzpath, "%s.gz", path);
    err = read_file(gzpath, &r->body);
    sent_gz = err == 0;
    if (err)
      acc_buf_reset(&r->body);
  }
  if (!sent_gz)
    err = read_file(path, &r->body);
  if (err) {
    acc_buf_reset(&r->body);
    acc_taxii_error(r, q, err == ENOENT || err == ELOOP ? 404 : 500,
                    err == ENOENT || err == ELOOP
                        ? "no such file in the web interface"
                        : "reading a file of the web interface failed");
    r->ctype = "application/json";
    return;
  }
  r->ctype = acc_web_content_type(rel);
  r->cache_control = acc_web_hashed_name(rel)
                         ? "public, max-age=31536000, immutable"
                         : "no-cache";
  r->hdr[nh++] = "Vary";
  r->hdr[nh++] = "Accept-Encoding";
  if (sent_gz) {
    r->hdr[nh++] = "Content-Encoding";
    r->hdr[nh++] = "gzip";
  }
  r->status = 200;
}
