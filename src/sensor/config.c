/*
 * config.c — the sensor's settings: defaults, `key = value` files and
 * single keys from the command line (--set), each checked as it is read
 * so that an error names the key (and the file and line).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/sensor.h"

void acc_sensor_config_defaults(acc_sensor_config *c, const char *data_dir) {
  memset(c, 0, sizeof *c);
  if (gethostname(c->name, sizeof c->name) != 0 || !c->name[0])
    snprintf(c->name, sizeof c->name, "accord-sensor");
  c->name[sizeof c->name - 1] = '\0';
  snprintf(c->state_dir, sizeof c->state_dir, "%s/sensor",
           data_dir && *data_dir ? data_dir : "accord-data");
  snprintf(c->listen, sizeof c->listen, "0.0.0.0");
  c->ssh_port = 2222;
  c->telnet_port = 2323;
  c->http_port = 8080;
  snprintf(c->user, sizeof c->user, "nobody");
  snprintf(c->ssh_version, sizeof c->ssh_version,
           "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6");
  snprintf(c->telnet_banner, sizeof c->telnet_banner, "Ubuntu 22.04.3 LTS\r\n");
  snprintf(c->http_server, sizeof c->http_server, "Apache/2.4.52 (Ubuntu)");
  snprintf(c->http_realm, sizeof c->http_realm, "Router");
  snprintf(c->hostname, sizeof c->hostname, "svr04");
  snprintf(c->accept, sizeof c->accept,
           "root:!root root:!123456 root:* admin:admin");
  c->batch = 100;
  c->flush_ms = 2000;
  c->spool_max = (size_t)256 << 20;
  c->retry_max_s = 60;
  c->max_sessions = 10000;
  c->max_per_source = 64;
  c->rate_per_source = 20;
  c->rate_burst = 40;
  c->mem_cap = (size_t)192 << 20;
  c->conn_mem_cap = (size_t)256 << 10;
  c->login_timeout = 60;
  c->idle_timeout = 180;
  c->session_timeout = 900;
  c->http_timeout = 20;
  c->max_auth_tries = 10;
  c->http_body_max = (size_t)64 << 10;
  c->line_max = 4096;
}

/* A size with optional K, M, G suffix. */
static int parse_size(const char *v, size_t *out) {
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (errno || end == v || *v == '-')
    return -1;
  unsigned shift = 0;
  if (*end == 'K' || *end == 'k')
    shift = 10, end++;
  else if (*end == 'M' || *end == 'm')
    shift = 20, end++;
  else if (*end == 'G' || *end == 'g')
    shift = 30, end++;
  if (*end || n > (SIZE_MAX >> shift))
    return -1;
  *out = (size_t)(n << shift);
  return 0;
}

static int parse_uint(const char *v, unsigned max, unsigned *out) {
  size_t n;
  if (parse_size(v, &n) || n > max)
    return -1;
  *out = (unsigned)n;
  return 0;
}

static int parse_port(const char *v, int *out) {
  if (!strcmp(v, "off") || !strcmp(v, "-1")) {
    *out = -1;
    return 0;
  }
  unsigned p;
  if (parse_uint(v, 65535, &p))
    return -1;
  *out = (int)p;
  return 0;
}

static int parse_rate(const char *v, double *out) {
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (errno || end == v || *end || !(d > 0) || d > 1e9)
    return -1;
  *out = d;
  return 0;
}

#define STR(field)                                                             \
  if (!strcmp(key, #field)) {                                                  \
    if (strlen(value) >= sizeof c->field)                                      \
      return acc_diag_set(d, ACC_EINVAL, "%s: longer than %zu bytes", key,     \
                          sizeof c->field - 1);                                \
    snprintf(c->field, sizeof c->field, "%s", value);                          \
    return ACC_OK;                                                             \
  }
#define SIZE(field)                                                            \
  if (!strcmp(key, #field)) {                                                  \
    if (parse_size(value, &c->field))                                          \
      return acc_diag_set(d, ACC_EINVAL,                                       \
                          "%s: '%s' is not a size (digits, then K, M or G)",   \
                          key, value);                                         \
    return ACC_OK;                                                             \
  }
#define SECS(field)                                                            \
  if (!strcmp(key, #field)) {                                                  \
    if (parse_uint(value, 7 * 86400, &c->field))                               \
      return acc_diag_set(d, ACC_EINVAL,                                       \
                          "%s: '%s' is not a number of seconds", key, value);  \
    return ACC_OK;                                                             \
  }
#define PORT(field)                                                            \
  if (!strcmp(key, #field)) {                                                  \
    if (parse_port(value, &c->field))                                          \
      return acc_diag_set(d, ACC_EINVAL,                                       \
                          "%s: '%s' is not a port (0-65535, or off)", key,     \
                          value);                                              \
    return ACC_OK;                                                             \
  }
#define RATE(field)                                                            \
  if (!strcmp(key, #field)) {                                                  \
    if (parse_rate(value, &c->field))                                          \
      return acc_diag_set(d, ACC_EINVAL, "%s: '%s' is not a positive number",  \
                          key, value);                                         \
    return ACC_OK;                                                             \
  }

acc_rc acc_sensor_config_set(acc_sensor_config *c, const char *key,
                             const char *value, acc_diag *d) {
  STR(name)
  STR(state_dir)
  STR(listen)
  PORT(ssh_port)
  PORT(telnet_port)
  PORT(http_port)
  STR(port_file)
  STR(log_path)
  STR(user)
  STR(ssh_version)
  STR(telnet_banner)
  STR(http_server)
  STR(http_realm)
  STR(hostname)
  STR(accept)
  STR(taxii_url)
  STR(taxii_token)
  STR(store_dir)
  SIZE(batch)
  SIZE(spool_max)
  SIZE(max_sessions)
  SIZE(max_per_source)
  RATE(rate_per_source)
  RATE(rate_burst)
  SIZE(mem_cap)
  SIZE(conn_mem_cap)
  SECS(login_timeout)
  SECS(idle_timeout)
  SECS(session_timeout)
  SECS(http_timeout)
  SECS(retry_max_s)
  SIZE(max_auth_tries)
  SIZE(http_body_max)
  SIZE(line_max)
  if (!strcmp(key, "flush_ms")) {
    if (parse_uint(value, 3600000, &c->flush_ms) || c->flush_ms == 0)
      return acc_diag_set(d, ACC_EINVAL, "flush_ms: '%s' is not 1..3600000",
                          value);
    return ACC_OK;
  }
  if (!strcmp(key, "taxii_token_file")) {
    FILE *f = fopen(value, "r");
    if (!f)
      return acc_diag_set(d, ACC_EINVAL, "taxii_token_file: %s: %s", value,
                          strerror(errno));
    char line[sizeof c->taxii_token + 2];
    int ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (!ok)
      return acc_diag_set(d, ACC_EINVAL, "taxii_token_file: %s is empty",
                          value);
    line[strcspn(line, "\r\n")] = '\0';
    size_t tl = strlen(line);
    if (tl >= sizeof c->taxii_token)
      return acc_diag_set(d, ACC_EINVAL, "taxii_token_file: token too long");
    memcpy(c->taxii_token, line, tl + 1);
    return ACC_OK;
  }
  return acc_diag_set(d, ACC_EINVAL,
                      "unknown setting '%s' (see docs/SENSOR.md)", key);
}

static char *strip(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
               s[n - 1] == '\n'))
    s[--n] = '\0';
  return s;
}

/* "\r\n" and "\n" in values (banners) become the characters. */
static void unescape(char *s) {
  char *w = s;
  for (char *p = s; *p; p++) {
    if (p[0] == '\\' && (p[1] == 'n' || p[1] == 'r' || p[1] == '\\')) {
      *w++ = p[1] == 'n' ? '\n' : p[1] == 'r' ? '\r' : '\\';
      p++;
    } else {
      *w++ = *p;
    }
  }
  *w = '\0';
}

acc_rc acc_sensor_config_load(acc_sensor_config *c, const char *path,
                              acc_diag *d) {
  FILE *f = fopen(path, "r");
  if (!f)
    return acc_diag_set(d, ACC_ENOTFOUND, "%s: %s", path, strerror(errno));
  char line[4096];
  unsigned lineno = 0;
  acc_rc rc = ACC_OK;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    char *s = strip(line);
    if (!*s || *s == '#')
      continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      rc = acc_diag_set(d, ACC_EINVAL, "%s:%u: expected 'key = value'", path,
                        lineno);
      break;
    }
    *eq = '\0';
    char *key = strip(s), *val = strip(eq + 1);
    unescape(val);
    if ((rc = acc_sensor_config_set(c, key, val, d))) {
      acc_diag_prefix(d, "%s:%u: ", path, lineno);
      break;
    }
  }
  fclose(f);
  return rc;
}

acc_rc acc_sensor_config_finish(acc_sensor_config *c, acc_diag *d) {
  if (!c->log_path[0] &&
      snprintf(c->log_path, sizeof c->log_path, "%s/sensor.json",
               c->state_dir) >= (int)sizeof c->log_path)
    return acc_diag_set(d, ACC_EINVAL, "state_dir: path too long");
  if (c->taxii_url[0] && c->store_dir[0])
    return acc_diag_set(d, ACC_EINVAL,
                        "taxii_url and store_dir are both set: choose one "
                        "destination for the STIX");
  if (c->taxii_url[0] && strncmp(c->taxii_url, "http://", 7) != 0 &&
      strncmp(c->taxii_url, "https://", 8) != 0)
    return acc_diag_set(d, ACC_EINVAL, "taxii_url: '%s' is not an http(s) URL",
                        c->taxii_url);
  if (c->ssh_port < 0 && c->telnet_port < 0 && c->http_port < 0)
    return acc_diag_set(d, ACC_EINVAL,
                        "ssh_port, telnet_port and http_port are all off");
  if (c->batch == 0 || c->batch > 100000)
    return acc_diag_set(d, ACC_EINVAL, "batch: must be 1..100000");
  if (c->max_sessions == 0 || c->max_per_source == 0)
    return acc_diag_set(d, ACC_EINVAL,
                        "max_sessions and max_per_source must be > 0");
  if (c->conn_mem_cap < 16384)
    return acc_diag_set(d, ACC_EINVAL, "conn_mem_cap: at least 16K");
  if (c->mem_cap < c->conn_mem_cap)
    return acc_diag_set(d, ACC_EINVAL, "mem_cap: smaller than conn_mem_cap");
  if (c->line_max < 64 || c->line_max > 65536)
    return acc_diag_set(d, ACC_EINVAL, "line_max: must be 64..65536");
  if (c->http_body_max > ((size_t)16 << 20))
    return acc_diag_set(d, ACC_EINVAL, "http_body_max: at most 16M");
  return ACC_OK;
}
