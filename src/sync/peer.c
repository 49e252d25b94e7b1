/*
 * peer.c — a federation peer's settings: defaults, setting one from the
 * text of a command-line option (checked against the store where it names
 * an organisation or a collection), the whole-peer check, and the JSON
 * the store keeps them as (never with the secret, which secret.c keeps).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sync/sync.h"
#include "util/time.h"

void acc_sync_peer_defaults(acc_sync_peer *p) {
  memset(p, 0, sizeof *p);
  p->direction = ACC_SYNC_PULL;
  p->interval_ms = 300000;
  p->enabled = 1;
  p->local_cid = ACC_DEFAULT_COLLECTION;
  p->push_cid = ACC_DEFAULT_COLLECTION;
  p->auth = ACC_SYNC_AUTH_NONE;
  p->all_versions = 1;
  p->page_size = 1000;
  p->max_pages = 10000;
  p->push_batch = 1000;
  p->push_max_bytes = (size_t)16 << 20;
  p->max_response = (size_t)64 << 20;
  p->connect_timeout_ms = 10000;
  p->timeout_ms = 300000;
  p->low_speed_bytes = 1024;
  p->low_speed_s = 60;
  p->retries = 4;
  p->retry_max_ms = 60000;
  p->status_wait_ms = 60000;
}

const char *acc_sync_direction_name(unsigned dir) {
  switch (dir & (ACC_SYNC_PULL | ACC_SYNC_PUSH)) {
  case ACC_SYNC_PULL:
    return "pull";
  case ACC_SYNC_PUSH:
    return "push";
  case ACC_SYNC_PULL | ACC_SYNC_PUSH:
    return "both";
  default:
    return "receive";
  }
}

int acc_sync_peer_name_ok(const char *name) {
  size_t n = strlen(name);
  if (n == 0 || n > 64)
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    if (!isalnum(c) && c != '.' && c != '_' && c != '-')
      return 0;
  }
  return name[0] != '.' && name[0] != '-';
}

/* ---- value parsers ---- */

static int parse_u64(const char *s, unsigned long long *out, char **end) {
  if (!isdigit((unsigned char)*s))
    return -1;
  errno = 0;
  *out = strtoull(s, end, 10);
  return errno ? -1 : 0;
}

/* "500ms", "30s", "5m", "2h", "1d", or a bare number of seconds. */
static int parse_duration_ms(const char *s, uint64_t *ms) {
  unsigned long long v;
  char *end;
  if (parse_u64(s, &v, &end))
    return -1;
  uint64_t mul;
  if (!*end || strcmp(end, "s") == 0)
    mul = 1000;
  else if (strcmp(end, "ms") == 0)
    mul = 1;
  else if (strcmp(end, "m") == 0)
    mul = 60000;
  else if (strcmp(end, "h") == 0)
    mul = 3600000;
  else if (strcmp(end, "d") == 0)
    mul = 86400000;
  else
    return -1;
  if (v > UINT64_MAX / mul)
    return -1;
  *ms = v * mul;
  return 0;
}

/* "65536", "64K", "16M", "1G" (powers of 1024). */
static int parse_size(const char *s, uint64_t *out) {
  unsigned long long v;
  char *end;
  if (parse_u64(s, &v, &end))
    return -1;
  uint64_t mul = 1;
  if (*end == 'K' || *end == 'k')
    mul = 1024;
  else if (*end == 'M' || *end == 'm')
    mul = 1024 * 1024;
  else if (*end == 'G' || *end == 'g')
    mul = 1024ull * 1024 * 1024;
  else if (*end)
    return -1;
  if (*end && end[1] && !(end[1] == 'i' && end[2] == 'B' && !end[3]) &&
      !(end[1] == 'B' && !end[2]))
    return -1;
  if (v > UINT64_MAX / mul)
    return -1;
  *out = v * mul;
  return 0;
}

static int parse_bool(const char *s, int *out) {
  if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1") ||
      !strcasecmp(s, "on")) {
    *out = 1;
    return 0;
  }
  if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0") ||
      !strcasecmp(s, "off")) {
    *out = 0;
    return 0;
  }
  return -1;
}

static acc_rc bad(acc_diag *d, const char *key, const char *value,
                  const char *want) {
  return acc_diag_set(d, ACC_EUSAGE, "--%s: '%.200s' is not %s", key, value,
                      want);
}

static acc_rc set_text(char *dst, size_t size, const char *key,
                       const char *value, acc_diag *d) {
  size_t n = strlen(value);
  if (n >= size)
    return acc_diag_set(d, ACC_EUSAGE, "--%s: longer than %zu characters", key,
                        size - 1);
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
      return acc_diag_set(d, ACC_EUSAGE,
                          "--%s: control characters are not allowed", key);
  memcpy(dst, value, n + 1);
  return ACC_OK;
}

static acc_rc set_uint(unsigned *dst, const char *key, const char *value,
                       unsigned lo, unsigned hi, acc_diag *d) {
  unsigned long long v;
  char *end;
  if (parse_u64(value, &v, &end) || *end || v < lo || v > hi) {
    char want[64];
    snprintf(want, sizeof want, "a number from %u to %u", lo, hi);
    return bad(d, key, value, want);
  }
  *dst = (unsigned)v;
  return ACC_OK;
}

static acc_rc set_ms(unsigned *dst, const char *key, const char *value,
                     uint64_t lo, uint64_t hi, acc_diag *d) {
  uint64_t ms;
  if (parse_duration_ms(value, &ms) || ms < lo || ms > hi)
    return bad(d, key, value, "a duration in range (e.g. 500ms, 30s, 5m, 1h)");
  *dst = (unsigned)ms;
  return ACC_OK;
}

static acc_rc collection_cid(acc_store *s, const char *key, const char *value,
                             int64_t *cid, acc_diag *d) {
  acc_collection c;
  acc_diag cd;
  if (s->ops->coll_get(s, NULL, value, &c, &cd))
    return acc_diag_set(d, ACC_EUSAGE,
                        "--%s: no local collection '%.200s' (see `accord "
                        "collection list`)",
                        key, value);
  *cid = c.cid;
  return ACC_OK;
}

acc_rc acc_sync_peer_set(acc_store *s, acc_sync_peer *p, const char *key,
                         const char *value, acc_diag *d) {
  uint64_t v64;
  if (!strcmp(key, "url"))
    return set_text(p->url, sizeof p->url, key, value, d);
  if (!strcmp(key, "api-root"))
    return set_text(p->api_root, sizeof p->api_root, key, value, d);
  if (!strcmp(key, "collection")) {
    if (!*value)
      return bad(d, key, value, "a collection id");
    for (const char *c = value; *c; c++)
      if (!isalnum((unsigned char)*c) && !strchr("-._~", *c))
        return bad(d, key, value,
                   "a collection id (letters, digits, '-', '.', '_', '~')");
    return set_text(p->collection, sizeof p->collection, key, value, d);
  }
  if (!strcmp(key, "org")) {
    acc_org o;
    acc_diag od;
    if (s->ops->org_get(s, value, &o, &od))
      return acc_diag_set(d, ACC_EUSAGE,
                          "--org: no organisation '%.200s' here (add it with "
                          "`accord org add`)",
                          value);
    p->oid = o.oid;
    snprintf(p->org, sizeof p->org, "%s", o.name);
    return ACC_OK;
  }
  if (!strcmp(key, "direction")) {
    if (!strcmp(value, "pull"))
      p->direction = ACC_SYNC_PULL;
    else if (!strcmp(value, "push"))
      p->direction = ACC_SYNC_PUSH;
    else if (!strcmp(value, "both"))
      p->direction = ACC_SYNC_PULL | ACC_SYNC_PUSH;
    else if (!strcmp(value, "receive"))
      p->direction = 0;
    else
      return bad(d, key, value, "pull, push, both or receive");
    return ACC_OK;
  }
  if (!strcmp(key, "interval")) {
    if (parse_duration_ms(value, &v64) || v64 < 100 || v64 > 7ull * 86400000)
      return bad(d, key, value,
                 "a duration from 100ms to 7d (e.g. 30s, 5m, 1h)");
    p->interval_ms = (int64_t)v64;
    return ACC_OK;
  }
  if (!strcmp(key, "local-collection"))
    return collection_cid(s, key, value, &p->local_cid, d);
  if (!strcmp(key, "push-from"))
    return collection_cid(s, key, value, &p->push_cid, d);
  if (!strcmp(key, "ca-file")) {
    if (!*value) {
      p->ca_file[0] = '\0';
      return ACC_OK;
    }
    char real[PATH_MAX];
    if (!realpath(value, real) || access(real, R_OK) != 0)
      return acc_diag_set(d, ACC_EUSAGE,
                          "--ca-file: cannot read '%.200s' (a PEM file of "
                          "the CA certificates to trust)",
                          value);
    return set_text(p->ca_file, sizeof p->ca_file, key, real, d);
  }
  if (!strcmp(key, "insecure-http"))
    return parse_bool(value, &p->insecure_http)
               ? bad(d, key, value, "true or false")
               : ACC_OK;
  if (!strcmp(key, "enabled"))
    return parse_bool(value, &p->enabled) ? bad(d, key, value, "true or false")
                                          : ACC_OK;
  if (!strcmp(key, "versions")) {
    if (!strcmp(value, "all"))
      p->all_versions = 1;
    else if (!strcmp(value, "latest") || !strcmp(value, "last"))
      p->all_versions = 0;
    else
      return bad(d, key, value, "all or latest");
    return ACC_OK;
  }
  if (!strcmp(key, "page-size"))
    return set_uint(&p->page_size, key, value, 1, 100000, d);
  if (!strcmp(key, "max-pages"))
    return set_uint(&p->max_pages, key, value, 1, 10000000, d);
  if (!strcmp(key, "push-batch"))
    return set_uint(&p->push_batch, key, value, 1, 100000, d);
  if (!strcmp(key, "retries"))
    return set_uint(&p->retries, key, value, 0, 20, d);
  if (!strcmp(key, "push-max-bytes") || !strcmp(key, "max-response")) {
    if (parse_size(value, &v64) || v64 < 4096 || v64 > (4ull << 30))
      return bad(d, key, value, "a size from 4K to 4G (e.g. 16M)");
    if (!strcmp(key, "max-response"))
      p->max_response = (size_t)v64;
    else
      p->push_max_bytes = (size_t)v64;
    return ACC_OK;
  }
  if (!strcmp(key, "connect-timeout"))
    return set_ms(&p->connect_timeout_ms, key, value, 100, 600000, d);
  if (!strcmp(key, "timeout"))
    return set_ms(&p->timeout_ms, key, value, 100, 86400000, d);
  if (!strcmp(key, "retry-max"))
    return set_ms(&p->retry_max_ms, key, value, 0, 3600000, d);
  if (!strcmp(key, "status-wait"))
    return set_ms(&p->status_wait_ms, key, value, 0, 3600000, d);
  if (!strcmp(key, "low-speed")) {
    if (!strcmp(value, "off")) {
      p->low_speed_bytes = p->low_speed_s = 0;
      return ACC_OK;
    }
    unsigned long long b, sec;
    char *end, *end2;
    if (parse_u64(value, &b, &end) || *end != '/' ||
        parse_u64(end + 1, &sec, &end2) || *end2 || b < 1 || b > 1u << 30 ||
        sec < 1 || sec > 3600)
      return bad(d, key, value,
                 "BYTES/SECONDS (abort below BYTES per second sustained "
                 "SECONDS) or off");
    p->low_speed_bytes = (unsigned)b;
    p->low_speed_s = (unsigned)sec;
    return ACC_OK;
  }
  return acc_diag_set(d, ACC_EUSAGE, "unknown peer setting '%s'", key);
}

acc_rc acc_sync_peer_check(const acc_sync_peer *p, acc_diag *d) {
  if (!acc_sync_peer_name_ok(p->name))
    return acc_diag_set(d, ACC_EUSAGE,
                        "peer name '%.100s': use 1 to 64 letters, digits, "
                        "'.', '_' or '-'",
                        p->name);
  if (!p->oid)
    return acc_diag_set(d, ACC_EUSAGE,
                        "peer %s: --org (the organisation the peer stands "
                        "for here) is required",
                        p->name);
  if (!p->direction && !p->url[0])
    return ACC_OK; /* receive only: never contacted */
  if (!p->url[0])
    return acc_diag_set(d, ACC_EUSAGE, "peer %s: --url is required", p->name);
  if (!p->collection[0])
    return acc_diag_set(d, ACC_EUSAGE,
                        "peer %s: --collection (the peer's collection id) "
                        "is required",
                        p->name);
  acc_rc rc = acc_sync_url_check(p->url, p->insecure_http, NULL, 0, d);
  if (!rc && (!strncmp(p->api_root, "http://", 7) ||
              !strncmp(p->api_root, "https://", 8)))
    rc = acc_sync_url_check(p->api_root, p->insecure_http, NULL, 0, d);
  if (rc) {
    acc_diag_prefix(d, "peer %s: ", p->name);
    return ACC_EUSAGE;
  }
  return ACC_OK;
}

/* ---- JSON ---- */

static const char *auth_name(acc_sync_auth a) {
  return a == ACC_SYNC_AUTH_BASIC    ? "basic"
         : a == ACC_SYNC_AUTH_BEARER ? "bearer"
                                     : "none";
}

static json_t *config_json(const acc_sync_peer *p) {
  return json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:I,s:I,s:s,s:s,s:s,s:b,s:s,s:I,s:I,"
      "s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
      "org", p->org, "url", p->url, "api_root", p->api_root, "collection",
      p->collection, "direction", acc_sync_direction_name(p->direction),
      "interval_ms", (json_int_t)p->interval_ms, "enabled", p->enabled,
      "local_cid", (json_int_t)p->local_cid, "push_cid",
      (json_int_t)p->push_cid, "auth", auth_name(p->auth), "user", p->user,
      "ca_file", p->ca_file, "insecure_http", p->insecure_http, "versions",
      p->all_versions ? "all" : "latest", "page_size", (json_int_t)p->page_size,
      "max_pages", (json_int_t)p->max_pages, "push_batch",
      (json_int_t)p->push_batch, "push_max_bytes",
      (json_int_t)p->push_max_bytes, "max_response",
      (json_int_t)p->max_response, "connect_timeout_ms",
      (json_int_t)p->connect_timeout_ms, "timeout_ms",
      (json_int_t)p->timeout_ms, "low_speed_bytes",
      (json_int_t)p->low_speed_bytes, "low_speed_s", (json_int_t)p->low_speed_s,
      "retries", (json_int_t)p->retries, "retry_max_ms",
      (json_int_t)p->retry_max_ms, "status_wait_ms",
      (json_int_t)p->status_wait_ms);
}

static void get_str(json_t *j, const char *k, char *dst, size_t size) {
  const char *v = json_string_value(json_object_get(j, k));
  if (v)
    snprintf(dst, size, "%s", v);
}

static void get_int(json_t *j, const char *k, int64_t lo, int64_t hi,
                    int64_t *dst) {
  json_t *v = json_object_get(j, k);
  if (json_is_integer(v) && json_integer_value(v) >= lo &&
      json_integer_value(v) <= hi)
    *dst = json_integer_value(v);
}

static void get_uint(json_t *j, const char *k, unsigned lo, unsigned hi,
                     unsigned *dst) {
  int64_t v = *dst;
  get_int(j, k, lo, hi, &v);
  *dst = (unsigned)v;
}

acc_rc acc_sync_peer_from_row(acc_store *s, const acc_peer_row *row,
                              acc_sync_peer *p, acc_diag *d) {
  (void)s;
  json_error_t err;
  json_t *j = json_loads(row->config, JSON_REJECT_DUPLICATES, &err);
  if (!json_is_object(j)) {
    json_decref(j);
    return acc_diag_set(d, ACC_ESTORE,
                        "peer %s: its stored settings are not a JSON object",
                        row->name);
  }
  acc_sync_peer_defaults(p);
  p->pid = row->pid;
  p->oid = row->oid;
  snprintf(p->name, sizeof p->name, "%s", row->name);
  get_str(j, "org", p->org, sizeof p->org);
  get_str(j, "url", p->url, sizeof p->url);
  get_str(j, "api_root", p->api_root, sizeof p->api_root);
  get_str(j, "collection", p->collection, sizeof p->collection);
  const char *dir = json_string_value(json_object_get(j, "direction"));
  if (dir)
    p->direction = !strcmp(dir, "both")   ? ACC_SYNC_PULL | ACC_SYNC_PUSH
                   : !strcmp(dir, "push") ? ACC_SYNC_PUSH
                   : !strcmp(dir, "pull") ? ACC_SYNC_PULL
                                          : 0;
  get_int(j, "interval_ms", 100, INT64_MAX, &p->interval_ms);
  json_t *en = json_object_get(j, "enabled");
  if (json_is_boolean(en))
    p->enabled = json_is_true(en);
  get_int(j, "local_cid", 1, INT64_MAX, &p->local_cid);
  get_int(j, "push_cid", 1, INT64_MAX, &p->push_cid);
  const char *auth = json_string_value(json_object_get(j, "auth"));
  p->auth = auth && !strcmp(auth, "basic")    ? ACC_SYNC_AUTH_BASIC
            : auth && !strcmp(auth, "bearer") ? ACC_SYNC_AUTH_BEARER
                                              : ACC_SYNC_AUTH_NONE;
  get_str(j, "user", p->user, sizeof p->user);
  get_str(j, "ca_file", p->ca_file, sizeof p->ca_file);
  p->insecure_http = json_is_true(json_object_get(j, "insecure_http"));
  const char *ver = json_string_value(json_object_get(j, "versions"));
  if (ver)
    p->all_versions = strcmp(ver, "latest") != 0;
  get_uint(j, "page_size", 1, 100000, &p->page_size);
  get_uint(j, "max_pages", 1, 10000000, &p->max_pages);
  get_uint(j, "push_batch", 1, 100000, &p->push_batch);
  int64_t v = (int64_t)p->push_max_bytes;
  get_int(j, "push_max_bytes", 4096, 4ll << 30, &v);
  p->push_max_bytes = (size_t)v;
  v = (int64_t)p->max_response;
  get_int(j, "max_response", 4096, 4ll << 30, &v);
  p->max_response = (size_t)v;
  get_uint(j, "connect_timeout_ms", 100, 600000, &p->connect_timeout_ms);
  get_uint(j, "timeout_ms", 100, 86400000, &p->timeout_ms);
  get_uint(j, "low_speed_bytes", 0, 1u << 30, &p->low_speed_bytes);
  get_uint(j, "low_speed_s", 0, 3600, &p->low_speed_s);
  get_uint(j, "retries", 0, 20, &p->retries);
  get_uint(j, "retry_max_ms", 0, 3600000, &p->retry_max_ms);
  get_uint(j, "status_wait_ms", 0, 3600000, &p->status_wait_ms);
  json_decref(j);
  return ACC_OK;
}

acc_rc acc_sync_peer_load(acc_store *s, const char *name, acc_sync_peer *p,
                          acc_diag *d) {
  acc_peer_row *row = malloc(sizeof *row);
  if (!row)
    return ACC_ENOMEM;
  acc_rc rc = s->ops->peer_get(s, name, row, d);
  if (!rc)
    rc = acc_sync_peer_from_row(s, row, p, d);
  free(row);
  return rc;
}

acc_rc acc_sync_peer_save(acc_store *s, acc_sync_peer *p, acc_diag *d) {
  acc_rc rc = acc_sync_peer_check(p, d);
  if (rc)
    return rc;
  acc_peer_row *row = calloc(1, sizeof *row);
  if (!row)
    return ACC_ENOMEM;
  json_t *j = config_json(p);
  char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(j);
  if (!text) {
    free(row);
    return acc_diag_set(d, ACC_ENOMEM, "writing the peer's settings");
  }
  if (strlen(text) >= sizeof row->config) {
    free(text);
    free(row);
    return acc_diag_set(d, ACC_EUSAGE, "peer %s: settings too long", p->name);
  }
  memcpy(row->config, text, strlen(text) + 1);
  free(text);
  row->pid = p->pid;
  row->oid = p->oid;
  snprintf(row->name, sizeof row->name, "%s", p->name);
  if (p->pid == 0) {
    rc = s->ops->peer_add(s, row, d);
    if (!rc)
      p->pid = row->pid;
  } else {
    rc = s->ops->peer_update(s, row, d);
  }
  free(row);
  return rc;
}

/* A collection's alias, else its id. */
static json_t *coll_name(acc_store *s, int64_t cid) {
  acc_collection c;
  acc_diag d;
  if (s->ops->coll_by_cid(s, cid, &c, &d))
    return json_integer(cid);
  return json_string(c.alias[0] ? c.alias : c.id);
}

json_t *acc_sync_peer_json(acc_store *s, const acc_sync_peer *p) {
  json_t *j = config_json(p);
  if (!j)
    return NULL;
  json_object_del(j, "local_cid");
  json_object_del(j, "push_cid");
  json_t *named = json_pack("{s:s}", "name", p->name);
  if (!named) {
    json_decref(j);
    return NULL;
  }
  json_object_update(named, j);
  json_decref(j);
  json_object_set_new(named, "local_collection", coll_name(s, p->local_cid));
  json_object_set_new(named, "push_from", coll_name(s, p->push_cid));
  if (p->auth != ACC_SYNC_AUTH_BASIC)
    json_object_del(named, "user");
  return named;
}
