/*
 * config.c — the server's configuration: defaults, `key = value` files
 * and single settings (command-line flags go through the same setter, so
 * a flag and a file line mean exactly the same thing).  Every key is
 * documented in docs/TAXII.md; docs/accord.conf.example lists them all.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "taxii/taxii.h"

void acc_taxii_config_defaults(acc_taxii_config *c) {
  memset(c, 0, sizeof *c);
  snprintf(c->listen, sizeof c->listen, "127.0.0.1");
  c->port = 8443;
  snprintf(c->api_root, sizeof c->api_root, "api");
  snprintf(c->title, sizeof c->title, "Accord TAXII 2.1 server");
  c->threads = 4;
  c->max_connections = 512;
  c->per_ip_connections = 64;
  c->connection_timeout = 30;
  c->request_timeout = 120;
  c->max_header_bytes = 64 << 10;
  c->max_content_length = 64 << 20;
  c->max_upload_memory = 512 << 20;
  c->max_response_bytes = 64 << 20;
  c->page_default = 100;
  c->page_max = 1000;
  c->status_keep_hours = 72;
  c->shutdown_grace = 30;
  c->access_log = 1;
  c->public_read = 0;
  c->auth_cache_ttl = 300;
  c->login_burst = 5;
  c->login_max_wait = 60;
  c->session_idle_timeout = 1800;
  c->session_lifetime = 12 * 3600;
  c->session_max = 10000;
}

typedef enum kind { K_STR, K_UINT, K_SIZE, K_BOOL } kind;

typedef struct key_def {
  const char *name;
  kind k;
  size_t off;
  size_t size; /* for strings: the buffer size */
  unsigned long long min, max;
} key_def;

#define STR(f)                                                                 \
  K_STR, offsetof(acc_taxii_config, f), sizeof(((acc_taxii_config *)0)->f), 0, 0
#define UINT(f, lo, hi) K_UINT, offsetof(acc_taxii_config, f), 0, lo, hi
#define SIZE(f, lo, hi) K_SIZE, offsetof(acc_taxii_config, f), 0, lo, hi
#define BOOL(f) K_BOOL, offsetof(acc_taxii_config, f), 0, 0, 1

static const key_def keys[] = {
    {"listen", STR(listen)},
    {"port", UINT(port, 0, 65535)},
    {"port_file", STR(port_file)},
    {"api_root", STR(api_root)},
    {"title", STR(title)},
    {"description", STR(description)},
    {"contact", STR(contact)},
    {"tls_cert", STR(tls_cert)},
    {"tls_key", STR(tls_key)},
    {"insecure_http", BOOL(insecure_http)},
    {"threads", UINT(threads, 1, 256)},
    {"max_connections", UINT(max_connections, 1, 100000)},
    {"per_ip_connections", UINT(per_ip_connections, 0, 100000)},
    {"connection_timeout", UINT(connection_timeout, 1, 86400)},
    {"request_timeout", UINT(request_timeout, 1, 86400)},
    {"max_header_bytes", SIZE(max_header_bytes, 4096, 1 << 20)},
    {"max_content_length", SIZE(max_content_length, 1, 1ULL << 32)},
    {"max_upload_memory", SIZE(max_upload_memory, 1, 1ULL << 36)},
    {"max_response_bytes", SIZE(max_response_bytes, 1 << 16, 1ULL << 32)},
    {"page_default", UINT(page_default, 1, 100000)},
    {"page_max", UINT(page_max, 1, 100000)},
    {"status_keep_hours", UINT(status_keep_hours, 24, 24 * 366)},
    {"shutdown_grace", UINT(shutdown_grace, 0, 3600)},
    {"access_log", BOOL(access_log)},
    {"public_read", BOOL(public_read)},
    {"auth_cache_ttl", UINT(auth_cache_ttl, 0, 86400)},
    {"login_burst", UINT(login_burst, 1, 1000)},
    {"login_max_wait", UINT(login_max_wait, 1, 86400)},
    {"ui_dir", STR(ui_dir)},
    {"session_idle_timeout", UINT(session_idle_timeout, 1, 7 * 86400)},
    {"session_lifetime", UINT(session_lifetime, 1, 30 * 86400)},
    {"session_max", UINT(session_max, 1, 1000000)},
    {"correlation_common_sources", UINT(correlation_common_sources, 0, 1000000)},
};

/* "123", "64K", "10M", "1G" (K = 1024). */
static int parse_num(const char *s, int suffixes, unsigned long long *out) {
  char *end;
  if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
    return -1;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s)
    return -1;
  unsigned long long mul = 1;
  if (suffixes && (*end == 'K' || *end == 'k'))
    mul = 1ULL << 10;
  else if (suffixes && (*end == 'M' || *end == 'm'))
    mul = 1ULL << 20;
  else if (suffixes && (*end == 'G' || *end == 'g'))
    mul = 1ULL << 30;
  else if (*end)
    return -1;
  if (mul > 1 && end[1])
    return -1;
  if (v > ~0ULL / mul)
    return -1;
  *out = v * mul;
  return 0;
}

static int valid_root_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n >= 64)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return 0;
  }
  return strcmp(s, "taxii2") != 0 && strcmp(s, "healthz") != 0 &&
         strcmp(s, "ui") != 0 &&
         strcmp(s, "metrics") != 0 && strcmp(s, ".") != 0 &&
         strcmp(s, "..") != 0;
}

acc_rc acc_taxii_config_set(acc_taxii_config *c, const char *key,
                            const char *value, acc_diag *d) {
  const key_def *k = NULL;
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (strcmp(keys[i].name, key) == 0)
      k = &keys[i];
  if (!k)
    return acc_diag_set(d, ACC_EUSAGE, "unknown setting '%s'", key);
  char *field = (char *)c + k->off;
  switch (k->k) {
  case K_STR: {
    size_t n = strlen(value);
    if (n >= k->size)
      return acc_diag_set(d, ACC_EUSAGE, "%s: value longer than %zu characters",
                          key, k->size - 1);
    if (strcmp(key, "api_root") == 0 && !valid_root_name(value))
      return acc_diag_set(d, ACC_EUSAGE,
                          "api_root: '%s' must be letters, digits, '-', "
                          "'_' or '.', and not taxii2, healthz or metrics",
                          value);
    if (strcmp(key, "listen") == 0) {
      unsigned char a[16];
      if (strcmp(value, "localhost") != 0 &&
          inet_pton(AF_INET, value, a) != 1 &&
          inet_pton(AF_INET6, value, a) != 1)
        return acc_diag_set(d, ACC_EUSAGE,
                            "listen: '%s' is not an IPv4 or IPv6 address",
                            value);
    }
    memcpy(field, value, n + 1);
    return ACC_OK;
  }
  case K_BOOL: {
    int v;
    if (!strcmp(value, "true") || !strcmp(value, "yes") ||
        !strcmp(value, "on") || !strcmp(value, "1"))
      v = 1;
    else if (!strcmp(value, "false") || !strcmp(value, "no") ||
             !strcmp(value, "off") || !strcmp(value, "0"))
      v = 0;
    else
      return acc_diag_set(d, ACC_EUSAGE, "%s: '%s' is not true or false", key,
                          value);
    *(int *)field = v;
    return ACC_OK;
  }
  case K_UINT:
  case K_SIZE: {
    unsigned long long v;
    if (parse_num(value, k->k == K_SIZE, &v) || v < k->min || v > k->max)
      return acc_diag_set(
          d, ACC_EUSAGE, "%s: '%s' is not a number from %llu to %llu%s", key,
          value, k->min, k->max, k->k == K_SIZE ? " (suffixes K, M, G)" : "");
    if (k->k == K_UINT)
      *(unsigned *)field = (unsigned)v;
    else
      *(size_t *)field = (size_t)v;
    return ACC_OK;
  }
  }
  return ACC_EUSAGE;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
               s[n - 1] == '\n'))
    s[--n] = '\0';
  return s;
}

acc_rc acc_taxii_config_load(acc_taxii_config *c, const char *path,
                             acc_diag *d) {
  FILE *f = fopen(path, "r");
  if (!f)
    return acc_diag_set(d, errno == ENOENT ? ACC_ENOTFOUND : ACC_EIO,
                        "%s: cannot open: %s", path, strerror(errno));
  char line[4096];
  size_t lineno = 0;
  acc_rc rc = ACC_OK;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    if (!strchr(line, '\n') && !feof(f)) {
      rc = acc_diag_set(d, ACC_EUSAGE, "%s:%zu: line too long", path, lineno);
      break;
    }
    /* A '#' after a space, outside quotes, starts a comment. */
    int inq = 0;
    for (char *p = line; *p; p++) {
      if (*p == '"')
        inq = !inq;
      else if (*p == '#' && !inq &&
               (p == line || p[-1] == ' ' || p[-1] == '\t')) {
        *p = '\0';
        break;
      }
    }
    char *s = trim(line);
    if (*s == '\0')
      continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      rc = acc_diag_set(d, ACC_EUSAGE, "%s:%zu: expected 'key = value'", path,
                        lineno);
      break;
    }
    *eq = '\0';
    char *key = trim(s), *value = trim(eq + 1);
    /* A value may be quoted to keep leading or trailing spaces. */
    size_t vn = strlen(value);
    if (vn >= 2 && value[0] == '"' && value[vn - 1] == '"') {
      value[vn - 1] = '\0';
      value++;
    }
    rc = acc_taxii_config_set(c, key, value, d);
    if (rc) {
      acc_diag_prefix(d, "%s:%zu: ", path, lineno);
      break;
    }
  }
  if (!rc && ferror(f))
    rc = acc_diag_set(d, ACC_EIO, "%s: read error", path);
  fclose(f);
  return rc;
}

int acc_taxii_addr_is_loopback(const char *addr) {
  unsigned char a[16];
  if (strcmp(addr, "localhost") == 0)
    return 1;
  if (inet_pton(AF_INET, addr, a) == 1)
    return a[0] == 127;
  if (inet_pton(AF_INET6, addr, a) == 1) {
    static const unsigned char lo6[16] = {[15] = 1};
    if (memcmp(a, lo6, 16) == 0)
      return 1;
    /* ::ffff:127.x.x.x */
    static const unsigned char v4m[12] = {[10] = 0xff, [11] = 0xff};
    return memcmp(a, v4m, 12) == 0 && a[12] == 127;
  }
  return 0;
}
