/*
 * http_parse.c — HTTP/1.x request heads as attackers send them, and what
 * the sensor pulls out of a request: Basic credentials, form logins,
 * percent-decoding, and the URLs and IPv4 addresses of injected commands.
 * Pure functions over caller buffers; every loop is bounded by the input.
 */
#include <ctype.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "sensor/parse.h"

static int is_tchar(unsigned char c) {
  return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Find the end of the head: "\r\n\r\n" or "\n\n".  Returns its length
 * (terminator included) or 0. */
static size_t head_end(const char *b, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (b[i] != '\n')
      continue;
    if (i + 1 < len && b[i + 1] == '\n')
      return i + 2;
    if (i + 2 < len && b[i + 1] == '\r' && b[i + 2] == '\n')
      return i + 3;
  }
  return 0;
}

/* The line starting at *pos within [0, end): sets *line, advances *pos
 * past the LF; the CR before LF is not part of the line. */
static int next_line(const char *b, size_t end, size_t *pos, acc_span *line) {
  size_t s = *pos;
  if (s >= end)
    return 0;
  const char *nl = memchr(b + s, '\n', end - s);
  size_t e = nl ? (size_t)(nl - b) : end;
  *pos = nl ? e + 1 : end;
  if (e > s && b[e - 1] == '\r')
    e--;
  line->p = b + s;
  line->n = e - s;
  return 1;
}

static acc_span trim(acc_span s) {
  while (s.n && (s.p[0] == ' ' || s.p[0] == '\t')) {
    s.p++;
    s.n--;
  }
  while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
    s.n--;
  return s;
}

static int span_ieq(acc_span s, const char *lit) {
  size_t n = strlen(lit);
  return s.n == n && strncasecmp(s.p, lit, n) == 0;
}

acc_rc acc_http_parse(const char *buf, size_t len, acc_http_req *req, int *done,
                      acc_diag *diag) {
  *done = 0;
  size_t end = head_end(buf, len);
  if (!end)
    return ACC_OK;
  acc_http_req r;
  memset(&r, 0, sizeof r);
  r.content_length = -1;
  r.head_len = end;
  size_t pos = 0;
  acc_span line;
  /* RFC 9112 §2.2: ignore at least one empty line before the request. */
  do {
    if (!next_line(buf, end, &pos, &line))
      return acc_diag_set(diag, ACC_EINVAL, "empty request");
  } while (line.n == 0 && pos < end);
  /* method SP target SP version */
  const char *sp1 = memchr(line.p, ' ', line.n);
  if (!sp1 || sp1 == line.p)
    return acc_diag_set(diag, ACC_EINVAL, "request line has no method");
  r.method.p = line.p;
  r.method.n = (size_t)(sp1 - line.p);
  for (size_t i = 0; i < r.method.n; i++)
    if (!is_tchar((unsigned char)r.method.p[i]))
      return acc_diag_set(diag, ACC_EINVAL,
                          "request line: method has byte 0x%02x at %zu",
                          (unsigned char)r.method.p[i], i);
  const char *rest = sp1 + 1;
  size_t rest_n = line.n - r.method.n - 1;
  const char *sp2 = rest_n ? memchr(rest, ' ', rest_n) : NULL;
  if (!sp2 || sp2 == rest)
    return acc_diag_set(diag, ACC_EINVAL, "request line has no target");
  r.target.p = rest;
  r.target.n = (size_t)(sp2 - rest);
  r.version.p = sp2 + 1;
  r.version.n = rest_n - r.target.n - 1;
  if (r.version.n != 8 || strncmp(r.version.p, "HTTP/1.", 7) != 0 ||
      !isdigit((unsigned char)r.version.p[7]))
    return acc_diag_set(diag, ACC_EINVAL,
                        "request line: version is not HTTP/1.x");
  for (size_t i = 0; i < r.target.n; i++) {
    unsigned char c = (unsigned char)r.target.p[i];
    if (c <= 0x20 || c == 0x7f)
      return acc_diag_set(diag, ACC_EINVAL,
                          "request target has byte 0x%02x at %zu", c, i);
  }
  /* header fields */
  while (next_line(buf, end, &pos, &line)) {
    if (line.n == 0)
      break;
    if (line.p[0] == ' ' || line.p[0] == '\t')
      return acc_diag_set(diag, ACC_EINVAL,
                          "obsolete header line folding after header %zu",
                          r.n_headers);
    const char *colon = memchr(line.p, ':', line.n);
    if (!colon || colon == line.p)
      return acc_diag_set(diag, ACC_EINVAL,
                          "header %zu has no name or no colon",
                          r.n_headers + r.headers_dropped + 1);
    acc_span name = {line.p, (size_t)(colon - line.p)};
    for (size_t i = 0; i < name.n; i++)
      if (!is_tchar((unsigned char)name.p[i]))
        return acc_diag_set(diag, ACC_EINVAL,
                            "header %zu: name has byte 0x%02x", r.n_headers + 1,
                            (unsigned char)name.p[i]);
    acc_span val = trim((acc_span){colon + 1, line.n - name.n - 1});
    if (span_ieq(name, "content-length")) {
      long long v = 0;
      if (val.n == 0 || val.n > 15)
        return acc_diag_set(diag, ACC_EINVAL, "bad Content-Length");
      for (size_t i = 0; i < val.n; i++) {
        if (!isdigit((unsigned char)val.p[i]))
          return acc_diag_set(diag, ACC_EINVAL, "bad Content-Length");
        v = v * 10 + (val.p[i] - '0');
      }
      if (r.content_length >= 0 && r.content_length != v)
        return acc_diag_set(diag, ACC_EINVAL,
                            "conflicting Content-Length headers");
      r.content_length = v;
    } else if (span_ieq(name, "transfer-encoding")) {
      r.chunked = 1;
    }
    if (r.n_headers < ACC_HTTP_MAX_HEADERS) {
      r.hname[r.n_headers] = name;
      r.hval[r.n_headers] = val;
      r.n_headers++;
    } else {
      r.headers_dropped++;
    }
  }
  *req = r;
  *done = 1;
  return ACC_OK;
}

const acc_span *acc_http_header(const acc_http_req *r, const char *name) {
  for (size_t i = 0; i < r->n_headers; i++)
    if (span_ieq(r->hname[i], name))
      return &r->hval[i];
  return NULL;
}

/* Copy s[0..n) into out (cap with NUL), cutting what does not fit. */
static void copy_cut(char *out, size_t cap, const char *s, size_t n) {
  if (!cap)
    return;
  if (n > cap - 1)
    n = cap - 1;
  memcpy(out, s, n);
  out[n] = '\0';
}

acc_rc acc_http_basic(const char *value, size_t n, char *user, size_t ucap,
                      char *pass, size_t pcap) {
  if (n < 6 || strncasecmp(value, "basic ", 6) != 0)
    return ACC_EINVAL;
  const char *b64 = value + 6;
  size_t bn = n - 6;
  while (bn && *b64 == ' ') {
    b64++;
    bn--;
  }
  unsigned char dec[512];
  size_t dlen = 0;
  if (bn > 680)
    bn = 680; /* 512 decoded bytes at most; longer is cut */
  if (sodium_base642bin(dec, sizeof dec, b64, bn, " ", &dlen, NULL,
                        sodium_base64_VARIANT_ORIGINAL) != 0 &&
      sodium_base642bin(dec, sizeof dec, b64, bn, " ", &dlen, NULL,
                        sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
    return ACC_EINVAL;
  const unsigned char *colon = memchr(dec, ':', dlen);
  if (!colon)
    return ACC_EINVAL;
  copy_cut(user, ucap, (const char *)dec, (size_t)(colon - dec));
  copy_cut(pass, pcap, (const char *)colon + 1,
           dlen - (size_t)(colon - dec) - 1);
  sodium_memzero(dec, sizeof dec);
  return ACC_OK;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = tolower(c);
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

size_t acc_url_decode(const char *s, size_t n, int form, char *out,
                      size_t cap) {
  size_t k = 0;
  if (!cap)
    return 0;
  for (size_t i = 0; i < n && k < cap - 1; i++) {
    int h, l;
    if (s[i] == '%' && i + 2 < n &&
        (h = hexval((unsigned char)s[i + 1])) >= 0 &&
        (l = hexval((unsigned char)s[i + 2])) >= 0) {
      out[k++] = (char)(h << 4 | l);
      i += 2;
    } else if (form && s[i] == '+') {
      out[k++] = ' ';
    } else {
      out[k++] = s[i];
    }
  }
  out[k] = '\0';
  return k;
}

int acc_form_get(const char *body, size_t n, const char *const *names,
                 char *out, size_t cap) {
  size_t pos = 0;
  while (pos < n) {
    const char *amp = memchr(body + pos, '&', n - pos);
    size_t end = amp ? (size_t)(amp - body) : n;
    const char *eq = memchr(body + pos, '=', end - pos);
    if (eq) {
      char key[64];
      acc_url_decode(body + pos, (size_t)(eq - body) - pos, 1, key, sizeof key);
      for (const char *const *nm = names; *nm; nm++) {
        if (strcasecmp(key, *nm) == 0) {
          acc_url_decode(eq + 1, end - (size_t)(eq + 1 - body), 1, out, cap);
          return 1;
        }
      }
    }
    pos = end + 1;
  }
  return 0;
}

/* ---- extraction ---- */

static int url_char(unsigned char c) {
  return c > 0x20 && c < 0x7f && !strchr("\"'<>`\\{}|^;", c);
}

/* A dotted quad starting at s[i] (not preceded by a digit or dot);
 * returns its length or 0. */
static size_t ipv4_at(const char *s, size_t n, size_t i) {
  if (i > 0 && (isdigit((unsigned char)s[i - 1]) || s[i - 1] == '.'))
    return 0;
  size_t p = i;
  for (int part = 0; part < 4; part++) {
    if (part) {
      if (p >= n || s[p] != '.')
        return 0;
      p++;
    }
    int v = 0, digits = 0;
    while (p < n && isdigit((unsigned char)s[p]) && digits < 4) {
      v = v * 10 + (s[p] - '0');
      digits++;
      p++;
    }
    if (digits == 0 || digits > 3 || v > 255)
      return 0;
  }
  if (p < n && (isdigit((unsigned char)s[p]) ||
                (s[p] == '.' && p + 1 < n && isdigit((unsigned char)s[p + 1]))))
    return 0;
  return p - i;
}

void acc_extract(const char *s, size_t n, size_t max_hits, acc_extract_fn fn,
                 void *ctx) {
  static const char *const schemes[] = {"http://", "https://", "ftp://",
                                        "tftp://"};
  size_t hits = 0;
  for (size_t i = 0; i < n && hits < max_hits; i++) {
    size_t url = 0;
    for (size_t k = 0; k < sizeof schemes / sizeof *schemes; k++) {
      size_t sl = strlen(schemes[k]);
      if (n - i > sl && strncasecmp(s + i, schemes[k], sl) == 0 &&
          url_char((unsigned char)s[i + sl])) {
        url = sl;
        break;
      }
    }
    if (url) {
      size_t e = i + url;
      while (e < n && url_char((unsigned char)s[e]) && e - i < 2048)
        e++;
      while (e > i + url && strchr(".,)", s[e - 1]))
        e--; /* sentence punctuation after a URL */
      fn(ctx, ACC_EXTRACT_URL, s + i, e - i);
      hits++;
      i = e - 1;
      continue;
    }
    if (isdigit((unsigned char)s[i])) {
      size_t l = ipv4_at(s, n, i);
      if (l) {
        fn(ctx, ACC_EXTRACT_IPV4, s + i, l);
        hits++;
        i += l - 1;
      }
    }
  }
}

int acc_looks_like_command(const char *s, size_t n) {
  static const char *const marks[] = {
      "wget ", "curl ", "tftp ", "busybox", "chmod ", "/bin/sh", "bash ",
      "sh -c", "nc ",   "$(",    "`",       ";sh",    "|sh",     "| sh",
      "rm -",  "/tmp/", "echo ", "() {",    "/bin/",  "ping "};
  for (size_t k = 0; k < sizeof marks / sizeof *marks; k++) {
    size_t ml = strlen(marks[k]);
    for (size_t i = 0; i + ml <= n; i++)
      if (strncasecmp(s + i, marks[k], ml) == 0)
        return 1;
  }
  return 0;
}
