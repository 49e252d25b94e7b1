/*
 * normalise.c — one observable value → its canonical text, so that every
 * way of writing the same thing meets in the index:
 *   IP addresses and networks: host bits cleared, /32 and /128 dropped,
 *     IPv4-mapped IPv6 as IPv4, leading zeros read as decimal, IPv6 as
 *     RFC 5952 (inet_ntop), zone ids and brackets dropped;
 *   domains: lower case, final dot dropped, IDN to punycode (libidn2,
 *     UTS #46 non-transitional);
 *   URLs: libcurl's URL API (CURLU): scheme and host lower case, host as
 *     a domain above, default port and fragment dropped, dot segments
 *     resolved, percent-escapes in upper case and unreserved ones decoded;
 *     a URL without a scheme is read as http;
 *   e-mail: lower case, domain as above; hashes: algorithm names made one
 *     ("SHA-256" = "sha256"), hex in lower case; MAC: aa:bb:cc:dd:ee:ff;
 *   ASN: decimal; x509 serial: hex, lower case, no separators or leading
 *     zeros; registry keys: lower case, hive abbreviations expanded.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate.h"

static const char *const kind_names[ACC_CK_COUNT] = {
    [ACC_CK_NONE] = "none",
    [ACC_CK_IPV4] = "ipv4-addr",
    [ACC_CK_IPV6] = "ipv6-addr",
    [ACC_CK_DOMAIN] = "domain-name",
    [ACC_CK_URL] = "url",
    [ACC_CK_EMAIL] = "email-addr",
    [ACC_CK_HASH] = "hash",
    [ACC_CK_MAC] = "mac-addr",
    [ACC_CK_ASN] = "autonomous-system",
    [ACC_CK_X509_SERIAL] = "x509-serial",
    [ACC_CK_ACCOUNT] = "user-account",
    [ACC_CK_MUTEX] = "mutex",
    [ACC_CK_REGKEY] = "windows-registry-key",
    [ACC_CK_REF] = "ref",
};

const char *acc_corr_kind_name(int kind) {
  if (kind <= 0 || kind >= ACC_CK_COUNT)
    return "none";
  return kind_names[kind];
}

int acc_corr_kind_parse(const char *name) {
  static const struct {
    const char *n;
    int k;
  } alias[] = {
      {"ip", ACC_CK_IPV4},         {"ipv4", ACC_CK_IPV4},
      {"ipv6", ACC_CK_IPV6},       {"domain", ACC_CK_DOMAIN},
      {"hostname", ACC_CK_DOMAIN}, {"email", ACC_CK_EMAIL},
      {"mac", ACC_CK_MAC},         {"asn", ACC_CK_ASN},
      {"as", ACC_CK_ASN},          {"serial", ACC_CK_X509_SERIAL},
      {"account", ACC_CK_ACCOUNT}, {"login", ACC_CK_ACCOUNT},
      {"regkey", ACC_CK_REGKEY},   {"registry", ACC_CK_REGKEY},
      {"id", ACC_CK_REF},
  };
  for (int k = 1; k < ACC_CK_COUNT; k++)
    if (strcasecmp(name, kind_names[k]) == 0)
      return k;
  for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
    if (strcasecmp(name, alias[i].n) == 0)
      return alias[i].k;
  return ACC_CK_NONE;
}

/* ---- helpers ---- */

static acc_rc set_text(acc_cval *out, int kind, const char *s, size_t n) {
  if (n == 0 || n >= sizeof out->text)
    return ACC_EINVAL;
  memcpy(out->text, s, n);
  out->text[n] = '\0';
  out->v.kind = kind;
  out->v.text = out->text;
  return ACC_OK;
}

static void trim(const char **s, size_t *n) {
  while (*n && isspace((unsigned char)**s)) {
    (*s)++;
    (*n)--;
  }
  while (*n && isspace((unsigned char)(*s)[*n - 1]))
    (*n)--;
}

static int has_nul(const char *s, size_t n) {
  return memchr(s, '\0', n) != NULL;
}

static void lower_ascii(char *s) {
  for (; *s; s++)
    if (*s >= 'A' && *s <= 'Z')
      *s = (char)(*s - 'A' + 'a');
}

/* ---- IP addresses and networks ---- */

static int parse_v4(const char *s, size_t n, uint8_t out[4]) {
  unsigned part = 0, digits = 0, val = 0;
  for (size_t i = 0; i <= n; i++) {
    char c = i < n ? s[i] : '.';
    if (c >= '0' && c <= '9') {
      val = val * 10 + (unsigned)(c - '0');
      if (++digits > 3 || val > 255)
        return 0;
    } else if (c == '.') {
      if (!digits || part == 4)
        return 0;
      out[part++] = (uint8_t)val;
      val = digits = 0;
    } else {
      return 0;
    }
  }
  return part == 4;
}

static void mask(uint8_t a[16], unsigned plen, unsigned bits) {
  for (unsigned i = 0; i < bits / 8; i++) {
    unsigned keep = plen >= (i + 1) * 8 ? 8 : plen > i * 8 ? plen - i * 8 : 0;
    a[i] &= keep ? (uint8_t)(0xff << (8 - keep)) : 0;
  }
}

acc_rc acc_corr_ip(const char *s, size_t n, acc_cval *out) {
  trim(&s, &n);
  if (n >= 128 || has_nul(s, n))
    return ACC_EINVAL;
  char buf[128];
  memcpy(buf, s, n);
  buf[n] = '\0';
  char *addr = buf;
  long plen = -1;
  char *slash = strchr(buf, '/');
  if (slash) {
    *slash = '\0';
    char *end;
    if (!slash[1] || !isdigit((unsigned char)slash[1]))
      return ACC_EINVAL;
    plen = strtol(slash + 1, &end, 10);
    if (*end || plen < 0 || plen > 128)
      return ACC_EINVAL;
  }
  size_t an = strlen(addr);
  if (an >= 2 && addr[0] == '[' && addr[an - 1] == ']') {
    addr[an - 1] = '\0';
    addr++;
  }
  char *zone = strchr(addr, '%');
  if (zone)
    *zone = '\0';
  memset(&out->v, 0, sizeof out->v);
  uint8_t a[16] = {0};
  int v6;
  if (parse_v4(addr, strlen(addr), a)) {
    v6 = 0;
    if (plen < 0)
      plen = 32;
    if (plen > 32)
      return ACC_EINVAL;
  } else if (!zone && inet_pton(AF_INET6, addr, a) == 1) {
    v6 = 1;
    if (plen < 0)
      plen = 128;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, mapped, 12) == 0 && plen >= 96) {
      memmove(a, a + 12, 4);
      memset(a + 4, 0, 12);
      plen -= 96;
      v6 = 0;
    }
  } else if (zone && inet_pton(AF_INET6, addr, a) == 1) {
    v6 = 1;
    if (plen < 0)
      plen = 128;
  } else {
    return ACC_EINVAL;
  }
  unsigned bits = v6 ? 128 : 32;
  mask(a, (unsigned)plen, bits);
  char txt[INET6_ADDRSTRLEN + 8];
  if (!inet_ntop(v6 ? AF_INET6 : AF_INET, a, txt, sizeof txt))
    return ACC_EINVAL;
  size_t tn = strlen(txt);
  if ((unsigned)plen < bits)
    tn += (size_t)snprintf(txt + tn, sizeof txt - tn, "/%ld", plen);
  acc_rc rc = set_text(out, v6 ? ACC_CK_IPV6 : ACC_CK_IPV4, txt, tn);
  if (rc)
    return rc;
  memcpy(out->v.net, a, 16);
  out->v.plen = (uint8_t)plen;
  return ACC_OK;
}

/* ---- domains ---- */

static int domain_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '*';
}

/* Normalise a host name into out (size bytes). */
static acc_rc domain_into(const char *s, size_t n, char *out, size_t size) {
  trim(&s, &n);
  while (n && s[n - 1] == '.')
    n--;
  if (!n || n >= size || n > 1024 || has_nul(s, n))
    return ACC_EINVAL;
  int ascii = 1;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] >= 0x80)
      ascii = 0;
  if (ascii) {
    for (size_t i = 0; i < n; i++) {
      char c = s[i];
      out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
      if (!domain_char((unsigned char)out[i]))
        return ACC_EINVAL;
    }
    out[n] = '\0';
    if (out[0] == '.' || strstr(out, ".."))
      return ACC_EINVAL;
    return ACC_OK;
  }
  char in[1100];
  memcpy(in, s, n);
  in[n] = '\0';
  char *puny = NULL;
  int r = idn2_to_ascii_8z(in, &puny, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  if (r != IDN2_OK) {
    idn2_free(puny);
    puny = NULL;
    r = idn2_to_ascii_8z(in, &puny, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
  }
  if (r != IDN2_OK || !puny) {
    idn2_free(puny);
    return ACC_EINVAL;
  }
  size_t pn = strlen(puny);
  while (pn && puny[pn - 1] == '.')
    pn--;
  acc_rc rc = pn && pn < size ? ACC_OK : ACC_EINVAL;
  if (!rc) {
    memcpy(out, puny, pn);
    out[pn] = '\0';
    lower_ascii(out);
    /* the same rules as an ASCII name (idn2 passes '/' and the like) */
    for (size_t i = 0; i < pn && !rc; i++)
      if (!domain_char((unsigned char)out[i]))
        rc = ACC_EINVAL;
    if (!rc && (out[0] == '.' || strstr(out, "..")))
      rc = ACC_EINVAL;
  }
  idn2_free(puny);
  return rc;
}

static acc_rc norm_domain(const char *s, size_t n, acc_cval *out) {
  char buf[ACC_CVAL_MAX];
  acc_rc rc = domain_into(s, n, buf, sizeof buf);
  if (rc)
    return rc;
  return set_text(out, ACC_CK_DOMAIN, buf, strlen(buf));
}

/* ---- URLs ---- */

static int unreserved(unsigned char c) {
  return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Append s with %xx escapes made canonical (upper-case hex; unreserved
 * characters decoded). */
static acc_rc put_escaped(acc_buf *b, const char *s) {
  acc_rc rc = ACC_OK;
  for (size_t i = 0; s[i] && !rc; i++) {
    if (s[i] == '%' && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      int v = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
      if (unreserved((unsigned char)v))
        rc = acc_buf_putc(b, (char)v);
      else
        rc = acc_buf_printf(b, "%%%02X", v);
      i += 2;
    } else {
      rc = acc_buf_putc(b, s[i]);
    }
  }
  return rc;
}

static acc_rc norm_url_once(const char *s, size_t n, acc_cval *out,
                            int *host_changed) {
  trim(&s, &n);
  if (!n || n >= ACC_CVAL_MAX || has_nul(s, n))
    return ACC_EINVAL;
  char in[ACC_CVAL_MAX];
  memcpy(in, s, n);
  in[n] = '\0';
  CURLU *u = curl_url();
  if (!u)
    return ACC_ENOMEM;
  acc_rc rc = ACC_EINVAL;
  char *scheme = NULL, *user = NULL, *pw = NULL, *host = NULL, *port = NULL,
       *path = NULL, *query = NULL;
  acc_buf b;
  acc_buf_init(&b, ACC_CVAL_MAX);
  if (curl_url_set(u, CURLUPART_URL, in,
                   CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME) != CURLUE_OK)
    goto out;
  if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
    goto out;
  curl_url_get(u, CURLUPART_USER, &user, 0);
  curl_url_get(u, CURLUPART_PASSWORD, &pw, 0);
  curl_url_get(u, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT);
  curl_url_get(u, CURLUPART_PATH, &path, 0);
  curl_url_get(u, CURLUPART_QUERY, &query, 0);
  lower_ascii(scheme);
  /* the host: an IP literal or a domain */
  char hbuf[ACC_CVAL_MAX + 4];
  acc_cval ip;
  size_t hn = strlen(host);
  if (hn && host[0] == '[') {
    if (acc_corr_ip(host, hn, &ip) || ip.v.kind != ACC_CK_IPV6)
      goto out;
    snprintf(hbuf, sizeof hbuf, "[%s]", ip.text);
  } else if (!acc_corr_ip(host, hn, &ip) && ip.v.kind == ACC_CK_IPV4) {
    snprintf(hbuf, sizeof hbuf, "%s", ip.text);
  } else {
    /* curl may hand back %-escapes in a host: decode them first */
    char dec[1100];
    size_t dn = 0;
    for (size_t i = 0; host[i] && dn + 1 < sizeof dec; i++) {
      if (host[i] == '%' && hexval(host[i + 1]) >= 0 &&
          hexval(host[i + 2]) >= 0) {
        dec[dn++] = (char)(hexval(host[i + 1]) * 16 + hexval(host[i + 2]));
        i += 2;
      } else {
        dec[dn++] = host[i];
      }
    }
    if (domain_into(dec, dn, hbuf, sizeof hbuf))
      goto out;
    *host_changed = strcmp(hbuf, host) != 0;
  }
  if (acc_buf_printf(&b, "%s://", scheme))
    goto out;
  if (user) {
    if (put_escaped(&b, user) ||
        (pw && (acc_buf_putc(&b, ':') || put_escaped(&b, pw))) ||
        acc_buf_putc(&b, '@'))
      goto out;
  }
  if (acc_buf_puts(&b, hbuf))
    goto out;
  if (port && acc_buf_printf(&b, ":%s", port))
    goto out;
  if (put_escaped(&b, path && *path ? path : "/"))
    goto out;
  if (query && *query && (acc_buf_putc(&b, '?') || put_escaped(&b, query)))
    goto out;
  rc = set_text(out, ACC_CK_URL, b.data, b.len);
out:
  acc_buf_free(&b);
  curl_free(scheme);
  curl_free(user);
  curl_free(pw);
  curl_free(host);
  curl_free(port);
  curl_free(path);
  curl_free(query);
  curl_url_cleanup(u);
  return rc;
}

/* A host curl handed back that we changed (final dot, %-escapes, IDN)
 * may read differently once parsed again ("1." is a name, "1" an IPv4
 * address): normalise until the text is stable. */
static acc_rc norm_url(const char *s, size_t n, acc_cval *out) {
  int changed = 0;
  acc_rc rc = norm_url_once(s, n, out, &changed);
  changed = 1; /* curl reads some hosts differently once written out */
  for (int i = 0; !rc && changed && i < 3; i++) {
    acc_cval again;
    changed = 0;
    rc = norm_url_once(out->text, strlen(out->text), &again, &changed);
    if (!rc) {
      if (!strcmp(again.text, out->text))
        break;
      *out = again;
      out->v.text = out->text;
    }
  }
  return rc;
}

/* The host of a normalised URL, as a domain or IP value. */
acc_rc acc_corr_url_host(const char *url, acc_cval *out);
acc_rc acc_corr_url_host(const char *url, acc_cval *out) {
  const char *p = strstr(url, "://");
  if (!p)
    return ACC_EINVAL;
  p += 3;
  const char *end = p + strcspn(p, "/?#");
  const char *at = memchr(p, '@', (size_t)(end - p));
  if (at)
    p = at + 1;
  if (*p == '[') {
    const char *rb = memchr(p, ']', (size_t)(end - p));
    if (!rb)
      return ACC_EINVAL;
    return acc_corr_ip(p + 1, (size_t)(rb - p - 1), out);
  }
  const char *colon = memchr(p, ':', (size_t)(end - p));
  size_t n = (size_t)((colon ? colon : end) - p);
  if (!acc_corr_ip(p, n, out))
    return ACC_OK;
  return norm_domain(p, n, out);
}

/* ---- e-mail ---- */

static acc_rc norm_email(const char *s, size_t n, acc_cval *out) {
  trim(&s, &n);
  if (n > 7 && strncasecmp(s, "mailto:", 7) == 0) {
    s += 7;
    n -= 7;
  }
  if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
    s++;
    n -= 2;
  }
  const char *at = NULL;
  for (size_t i = 0; i < n; i++)
    if (s[i] == '@')
      at = s + i;
  if (!at || at == s || has_nul(s, n))
    return ACC_EINVAL;
  size_t ln = (size_t)(at - s);
  char dom[1100];
  if (domain_into(at + 1, n - ln - 1, dom, sizeof dom))
    return ACC_EINVAL;
  char buf[ACC_CVAL_MAX];
  if (ln + 1 + strlen(dom) + 1 > sizeof buf)
    return ACC_EINVAL;
  memcpy(buf, s, ln);
  buf[ln] = '\0';
  lower_ascii(buf);
  size_t bn = ln;
  bn += (size_t)snprintf(buf + bn, sizeof buf - bn, "@%s", dom);
  return set_text(out, ACC_CK_EMAIL, buf, bn);
}

/* ---- hashes ---- */

void acc_corr_hash_algo(const char *name, char out[32]) {
  size_t k = 0;
  for (size_t i = 0; name && name[i] && k < 31; i++) {
    char c = name[i];
    if (c == '-' || c == '_' || c == ' ' || c == '\'' || c == '"')
      continue;
    out[k++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  out[k] = '\0';
  /* SHA3-256 and friends keep their dash, so "sha3256" is not ambiguous */
  if (k == 7 && strncmp(out, "sha3", 4) == 0) { /* not sha384 */
    memmove(out + 5, out + 4, k - 4 + 1);
    out[4] = '-';
  }
}

static acc_rc norm_hash(const char *algo, const char *s, size_t n,
                        acc_cval *out) {
  trim(&s, &n);
  char a[32];
  acc_corr_hash_algo(algo ? algo : "", a);
  if (!a[0] || !n || has_nul(s, n))
    return ACC_EINVAL;
  int keep_case = strcmp(a, "ssdeep") == 0;
  static const struct {
    const char *a;
    size_t len;
  } hexlen[] = {{"md5", 32},      {"sha1", 40},     {"sha224", 56},
                {"sha256", 64},   {"sha384", 96},   {"sha512", 128},
                {"sha3-224", 56}, {"sha3-256", 64}, {"sha3-384", 96},
                {"sha3-512", 128}};
  char buf[ACC_CVAL_MAX];
  size_t an = strlen(a);
  if (an + 1 + n >= sizeof buf)
    return ACC_EINVAL;
  memcpy(buf, a, an);
  buf[an] = ':';
  size_t k = an + 1;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!keep_case && c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    buf[k++] = c;
  }
  for (size_t i = 0; i < sizeof hexlen / sizeof hexlen[0]; i++) {
    if (strcmp(a, hexlen[i].a))
      continue;
    if (n != hexlen[i].len)
      return ACC_EINVAL;
    for (size_t j = an + 1; j < k; j++)
      if (hexval(buf[j]) < 0)
        return ACC_EINVAL;
  }
  return set_text(out, ACC_CK_HASH, buf, k);
}

/* ---- the rest ---- */

static acc_rc norm_mac(const char *s, size_t n, acc_cval *out) {
  trim(&s, &n);
  char hex[12];
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == ':' || c == '-' || c == '.')
      continue;
    if (hexval(c) < 0 || k == 12)
      return ACC_EINVAL;
    hex[k++] = (char)tolower((unsigned char)c);
  }
  if (k != 12)
    return ACC_EINVAL;
  char buf[18];
  for (int i = 0; i < 6; i++) {
    buf[i * 3] = hex[i * 2];
    buf[i * 3 + 1] = hex[i * 2 + 1];
    buf[i * 3 + 2] = i < 5 ? ':' : '\0';
  }
  return set_text(out, ACC_CK_MAC, buf, 17);
}

static acc_rc norm_asn(const char *s, size_t n, acc_cval *out) {
  trim(&s, &n);
  if (n > 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's')) {
    s += 2;
    n -= 2;
  }
  if (!n || n > 10)
    return ACC_EINVAL;
  unsigned long long v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return ACC_EINVAL;
    v = v * 10 + (unsigned)(s[i] - '0');
  }
  if (v > 4294967295ULL)
    return ACC_EINVAL;
  char buf[16];
  int bn = snprintf(buf, sizeof buf, "%llu", v);
  return set_text(out, ACC_CK_ASN, buf, (size_t)bn);
}

static acc_rc norm_serial(const char *s, size_t n, acc_cval *out) {
  trim(&s, &n);
  if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s += 2;
    n -= 2;
  }
  char buf[ACC_CVAL_MAX];
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == ':' || c == ' ' || c == '-')
      continue;
    if (hexval(c) < 0 || k + 1 >= sizeof buf)
      return ACC_EINVAL;
    if (k == 0 && c == '0')
      continue; /* leading zeros */
    buf[k++] = (char)tolower((unsigned char)c);
  }
  if (!k) {
    for (size_t i = 0; i < n; i++)
      if (s[i] == '0')
        return set_text(out, ACC_CK_X509_SERIAL, "0", 1);
    return ACC_EINVAL;
  }
  return set_text(out, ACC_CK_X509_SERIAL, buf, k);
}

static acc_rc norm_regkey(const char *s, size_t n, acc_cval *out) {
  trim(&s, &n);
  static const struct {
    const char *abbr, *full;
  } hives[] = {{"hklm", "hkey_local_machine"}, {"hkcu", "hkey_current_user"},
               {"hkcr", "hkey_classes_root"},  {"hku", "hkey_users"},
               {"hkcc", "hkey_current_config"}};
  char buf[ACC_CVAL_MAX];
  size_t k = 0;
  if (has_nul(s, n))
    return ACC_EINVAL;
  while (n && (s[n - 1] == '\\' || isspace((unsigned char)s[n - 1])))
    n--;
  size_t first = 0;
  while (first < n && s[first] != '\\')
    first++;
  for (size_t i = 0; i < sizeof hives / sizeof hives[0]; i++) {
    size_t hl = strlen(hives[i].abbr);
    if (first == hl && strncasecmp(s, hives[i].abbr, hl) == 0) {
      k = (size_t)snprintf(buf, sizeof buf, "%s", hives[i].full);
      s += hl;
      n -= hl;
      break;
    }
  }
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '\\' && k && buf[k - 1] == '\\')
      continue; /* doubled separators */
    if (k + 1 >= sizeof buf)
      return ACC_EINVAL;
    buf[k++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  while (k && (buf[k - 1] == '\\' || isspace((unsigned char)buf[k - 1])))
    k--;
  return set_text(out, ACC_CK_REGKEY, buf, k);
}

static acc_rc norm_plain(int kind, const char *s, size_t n, acc_cval *out) {
  trim(&s, &n);
  if (has_nul(s, n))
    return ACC_EINVAL;
  acc_rc rc = set_text(out, kind, s, n);
  if (!rc && kind == ACC_CK_REF)
    lower_ascii(out->text);
  return rc;
}

acc_rc acc_corr_normalise(int kind, const char *algo, const char *s, size_t n,
                          acc_cval *out) {
  memset(&out->v, 0, sizeof out->v);
  switch (kind) {
  case ACC_CK_IPV4:
  case ACC_CK_IPV6:
    return acc_corr_ip(s, n, out);
  case ACC_CK_DOMAIN:
    return norm_domain(s, n, out);
  case ACC_CK_URL:
    return norm_url(s, n, out);
  case ACC_CK_EMAIL:
    return norm_email(s, n, out);
  case ACC_CK_HASH:
    return norm_hash(algo, s, n, out);
  case ACC_CK_MAC:
    return norm_mac(s, n, out);
  case ACC_CK_ASN:
    return norm_asn(s, n, out);
  case ACC_CK_X509_SERIAL:
    return norm_serial(s, n, out);
  case ACC_CK_REGKEY:
    return norm_regkey(s, n, out);
  case ACC_CK_ACCOUNT:
  case ACC_CK_MUTEX:
  case ACC_CK_REF:
    return norm_plain(kind, s, n, out);
  default:
    return ACC_EINVAL;
  }
}

static int all_hex(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (hexval(s[i]) < 0)
      return 0;
  return n > 0;
}

acc_rc acc_corr_guess(const char *s, acc_cval *out) {
  size_t n = strlen(s);
  trim(&s, &n);
  if (!n)
    return ACC_EINVAL;
  /* "kind:value" (not a URL, an IPv6 address or a MAC) */
  const char *colon = memchr(s, ':', n);
  if (colon && colon > s && (size_t)(colon - s) < 32 &&
      !(colon[1] == '/' && colon[2] == '/')) {
    char k[32];
    memcpy(k, s, (size_t)(colon - s));
    k[colon - s] = '\0';
    const char *rest = colon + 1;
    size_t rn = n - (size_t)(colon - s) - 1;
    char algo[32];
    acc_corr_hash_algo(k, algo);
    static const char *const algos[] = {
        "md5",      "sha1",     "sha224",   "sha256",   "sha384", "sha512",
        "sha3-224", "sha3-256", "sha3-384", "sha3-512", "ssdeep", "tlsh"};
    for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++)
      if (strcmp(algo, algos[i]) == 0)
        return acc_corr_normalise(ACC_CK_HASH, algo, rest, rn, out);
    int kind = acc_corr_kind_parse(k);
    if (kind == ACC_CK_HASH) {
      const char *c2 = memchr(rest, ':', rn);
      if (!c2)
        return ACC_EINVAL;
      char a2[32];
      size_t an = (size_t)(c2 - rest) < 31 ? (size_t)(c2 - rest) : 31;
      memcpy(a2, rest, an);
      a2[an] = '\0';
      return acc_corr_normalise(ACC_CK_HASH, a2, c2 + 1,
                                rn - (size_t)(c2 - rest) - 1, out);
    }
    if (kind != ACC_CK_NONE && kind != ACC_CK_IPV4 && kind != ACC_CK_IPV6)
      return acc_corr_normalise(kind, NULL, rest, rn, out);
    if (kind == ACC_CK_IPV4 || kind == ACC_CK_IPV6)
      return acc_corr_ip(rest, rn, out);
  }
  if (!acc_corr_ip(s, n, out))
    return ACC_OK;
  if (memmem(s, n, "://", 3))
    return norm_url(s, n, out);
  if (memchr(s, '@', n))
    return norm_email(s, n, out);
  if ((n == 17 && (s[2] == ':' || s[2] == '-')) ||
      (n == 14 && s[4] == '.'))
    if (!norm_mac(s, n, out))
      return ACC_OK;
  if (n > 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's') &&
      !norm_asn(s, n, out))
    return ACC_OK;
  if (all_hex(s, n)) {
    const char *a = n == 32 ? "md5" : n == 40 ? "sha1" : n == 56 ? "sha224"
                    : n == 64 ? "sha256" : n == 96 ? "sha384"
                    : n == 128 ? "sha512" : NULL;
    if (a)
      return norm_hash(a, s, n, out);
  }
  if (n > 4 && strncasecmp(s, "hk", 2) == 0 && memchr(s, '\\', n))
    return norm_regkey(s, n, out);
  if (memchr(s, '.', n) && !norm_domain(s, n, out))
    return ACC_OK;
  return ACC_EINVAL;
}
