/*
 * value.c — the value-level helpers of pattern matching: base64 and hex
 * octets (binary properties and b'' / h'' literals), IPv4/IPv6 networks
 * for ISSUBSET and ISSUPERSET, Unicode NFC (libunistring's u8_normalize,
 * the library libidn2 already pulls in), SQL LIKE over code points and
 * its translation to a regular expression, and UUIDv5 for sighting ids.
 */
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>

#include "pattern/pattern_int.h"

/* ---- octets ------------------------------------------------------------- */

static int b64v(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

long acc_pat_base64(const char *s, size_t n, int lf_ok, unsigned char *out) {
  uint32_t acc = 0;
  size_t k = 0, got = 0, pad = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (lf_ok && (c == '\n' || c == '\r'))
      continue;
    if (c == '=') {
      pad++;
      acc <<= 6;
    } else {
      int v = b64v(c);
      if (v < 0 || pad)
        return -1;
      acc = acc << 6 | (uint32_t)v;
    }
    if (++got % 4 == 0) {
      out[k++] = (unsigned char)(acc >> 16);
      out[k++] = (unsigned char)(acc >> 8);
      out[k++] = (unsigned char)acc;
      acc = 0;
    }
  }
  if (got % 4 || pad > 2)
    return -1;
  return (long)(k - pad);
}

static int hexv(unsigned char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

long acc_pat_hex(const char *s, size_t n, unsigned char *out) {
  if (n % 2)
    return -1;
  for (size_t i = 0; i < n; i += 2) {
    int a = hexv((unsigned char)s[i]), b = hexv((unsigned char)s[i + 1]);
    if (a < 0 || b < 0)
      return -1;
    out[i / 2] = (unsigned char)(a << 4 | b);
  }
  return (long)(n / 2);
}

/* ---- networks ----------------------------------------------------------- */

int acc_pat_cidr_parse(const char *s, size_t n, acc_cidr *out) {
  char buf[64];
  if (n == 0 || n >= sizeof buf)
    return 0;
  memcpy(buf, s, n);
  buf[n] = '\0';
  char *slash = strchr(buf, '/');
  long len = -1;
  if (slash) {
    *slash = '\0';
    const char *d = slash + 1;
    if (!*d || strlen(d) > 3)
      return 0;
    len = 0;
    for (; *d; d++) {
      if (*d < '0' || *d > '9')
        return 0;
      len = len * 10 + (*d - '0');
    }
  }
  acc_cidr c;
  memset(&c, 0, sizeof c);
  if (inet_pton(AF_INET, buf, c.a) == 1) {
    c.v6 = 0;
    if (len > 32)
      return 0;
    c.len = (uint8_t)(len < 0 ? 32 : len);
  } else if (inet_pton(AF_INET6, buf, c.a) == 1) {
    c.v6 = 1;
    if (len > 128)
      return 0;
    c.len = (uint8_t)(len < 0 ? 128 : len);
  } else {
    return 0;
  }
  /* clear host bits */
  unsigned bytes = c.v6 ? 16 : 4;
  for (unsigned i = 0; i < bytes; i++) {
    unsigned lo = i * 8;
    if (lo >= c.len)
      c.a[i] = 0;
    else if (c.len - lo < 8)
      c.a[i] &= (uint8_t)(0xFF << (8 - (c.len - lo)));
  }
  *out = c;
  return 1;
}

int acc_pat_cidr_within(const acc_cidr *a, const acc_cidr *b) {
  if (a->v6 != b->v6 || a->len < b->len)
    return 0;
  unsigned full = b->len / 8, rest = b->len % 8;
  if (memcmp(a->a, b->a, full))
    return 0;
  if (rest) {
    uint8_t m = (uint8_t)(0xFF << (8 - rest));
    if ((a->a[full] & m) != (b->a[full] & m))
      return 0;
  }
  return 1;
}

/* ---- Unicode ------------------------------------------------------------ */

int acc_pat_utf8_ok(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t k;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
      k = 1, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      k = 2, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      k = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return 0;
    }
    if (n - i <= k)
      return 0;
    for (size_t j = 1; j <= k; j++) {
      if ((s[i + j] & 0xC0) != 0x80)
        return 0;
      cp = cp << 6 | (s[i + j] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    i += k + 1;
  }
  return 1;
}

acc_rc acc_pat_nfc(const char *s, size_t n, acc_buf *b, const char **out,
                   size_t *outn) {
  size_t i = 0;
  while (i < n && (unsigned char)s[i] < 0x80)
    i++;
  if (i == n) {
    *out = s;
    *outn = n;
    return ACC_OK;
  }
  if (!acc_pat_utf8_ok(s + i, n - i))
    return ACC_EINVAL;
  /* Text below U+0300 with no combining marks is already NFC: Latin-1
   * letters compose nothing (the first combining marks start at U+0300,
   * lead byte 0xCC). */
  size_t j = i;
  while (j < n && (unsigned char)s[j] < 0xCC)
    j++;
  if (j == n) {
    *out = s;
    *outn = n;
    return ACC_OK;
  }
  acc_buf_reset(b);
  acc_rc rc = acc_buf_reserve(b, n + 16);
  if (rc)
    return rc;
  size_t len = b->cap - 1;
  uint8_t *r = u8_normalize(UNINORM_NFC, (const uint8_t *)s, n,
                            (uint8_t *)b->data, &len);
  if (!r)
    return ACC_EINVAL;
  if (r != (uint8_t *)b->data) {
    acc_buf_reset(b);
    rc = acc_buf_append(b, r, len);
    free(r);
    if (rc)
      return rc;
  } else {
    b->len = len;
  }
  *out = b->data;
  *outn = len;
  return ACC_OK;
}

/* Bytes of the UTF-8 sequence starting with c. */
static size_t cplen(unsigned char c) {
  return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

int acc_pat_like(const char *pat, size_t pn, const char *s, size_t sn) {
  size_t p = 0, i = 0, star_p = SIZE_MAX, star_s = 0;
  while (i < sn) {
    size_t sl = cplen((unsigned char)s[i]);
    if (i + sl > sn)
      sl = sn - i;
    if (p < pn && pat[p] == '%') {
      star_p = ++p;
      star_s = i;
      continue;
    }
    if (p < pn) {
      size_t pl = cplen((unsigned char)pat[p]);
      if (p + pl > pn)
        pl = pn - p;
      if (pat[p] == '_' || (pl == sl && !memcmp(pat + p, s + i, sl))) {
        p += pat[p] == '_' ? 1 : pl;
        i += sl;
        continue;
      }
    }
    if (star_p == SIZE_MAX)
      return 0;
    /* let the last % take one more character */
    p = star_p;
    star_s += cplen((unsigned char)s[star_s]);
    if (star_s > sn)
      return 0;
    i = star_s;
  }
  while (p < pn && pat[p] == '%')
    p++;
  return p == pn;
}

acc_rc acc_pat_like_regex(const char *pat, size_t pn, acc_buf *out) {
  acc_rc rc = acc_buf_puts(out, "\\A");
  for (size_t i = 0; !rc && i < pn; i++) {
    unsigned char c = (unsigned char)pat[i];
    if (c == '%')
      rc = acc_buf_puts(out, ".*");
    else if (c == '_')
      rc = acc_buf_putc(out, '.');
    else if (c < 0x20 || c == 0x7F)
      rc = acc_buf_printf(out, "\\x%02x", c);
    else if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == ' '))
      rc = acc_buf_printf(out, "\\%c", c);
    else
      rc = acc_buf_putc(out, (char)c);
  }
  return rc ? rc : acc_buf_puts(out, "\\z");
}

/* ---- identifiers -------------------------------------------------------- */

acc_rc acc_pat_uuid5(const unsigned char ns[16], const void *name, size_t n,
                     char out[37]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned mdlen = 0;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (!ctx)
    return ACC_ENOMEM;
  int ok = EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) &&
           EVP_DigestUpdate(ctx, ns, 16) && EVP_DigestUpdate(ctx, name, n) &&
           EVP_DigestFinal_ex(ctx, md, &mdlen);
  EVP_MD_CTX_free(ctx);
  if (!ok || mdlen < 16)
    return ACC_EINVAL;
  md[6] = (unsigned char)((md[6] & 0x0F) | 0x50);
  md[8] = (unsigned char)((md[8] & 0x3F) | 0x80);
  static const char hx[] = "0123456789abcdef";
  size_t k = 0;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[k++] = '-';
    out[k++] = hx[md[i] >> 4];
    out[k++] = hx[md[i] & 15];
  }
  out[k] = '\0';
  return ACC_OK;
}
