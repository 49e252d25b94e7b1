/*
 * record.c — the session record, its Cowrie-compatible event lines and
 * its STIX 2.1 observed-data.  Attacker strings enter JSON only through
 * jansson (which escapes them); bytes that are not UTF-8 are replaced so
 * that one bad byte never costs an event.
 */
#include "sensor/record.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/parse.h"
#include "stix/stix.h"
#include "util/time.h"

void acc_sensor_uuid4(char out[37]) {
  unsigned char u[16];
  randombytes_buf(u, sizeof u);
  u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
  u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
  char hx[33];
  acc_sensor_hex(u, 16, hx);
  snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hx, hx + 8, hx + 12, hx + 16,
           hx + 20);
}

void acc_sensor_rec_init(acc_sensor_rec *r, const char *protocol) {
  memset(r, 0, sizeof *r);
  unsigned char id[6];
  randombytes_buf(id, sizeof id);
  acc_sensor_hex(id, sizeof id, r->session);
  r->protocol = protocol;
}

void acc_sensor_rec_free(acc_sensor_rec *r) {
  if (!r)
    return;
  for (size_t i = 0; i < r->n_creds; i++) {
    free(r->creds[i].user);
    free(r->creds[i].pass);
  }
  for (size_t i = 0; i < r->n_urls; i++)
    free(r->urls[i]);
  for (size_t i = 0; i < r->n_ips; i++)
    free(r->ips[i]);
  free(r->http_method);
  free(r->http_target);
  free(r->http_version);
  r->n_creds = r->n_urls = r->n_ips = 0;
  r->http_method = r->http_target = r->http_version = NULL;
  r->bytes = 0;
}

static char *dup_cut(acc_sensor_rec *r, const char *s, size_t n, size_t max) {
  if (n > max)
    n = max;
  char *p = malloc(n + 1);
  if (!p)
    return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  r->bytes += n + 1;
  return p;
}

acc_rc acc_sensor_rec_cred(acc_sensor_rec *r, const char *user,
                           const char *pass, int ok) {
  for (size_t i = 0; i < r->n_creds; i++)
    if (!strcmp(r->creds[i].user, user) && !strcmp(r->creds[i].pass, pass)) {
      r->creds[i].ok |= ok;
      return ACC_OK;
    }
  if (r->n_creds >= ACC_REC_MAX_CREDS)
    return ACC_OK;
  acc_sensor_cred *c = &r->creds[r->n_creds];
  c->user = dup_cut(r, user, strlen(user), ACC_REC_FIELD_MAX);
  c->pass = dup_cut(r, pass, strlen(pass), ACC_REC_FIELD_MAX);
  if (!c->user || !c->pass) {
    free(c->user);
    free(c->pass);
    c->user = c->pass = NULL;
    return ACC_ENOMEM;
  }
  c->ok = ok;
  r->n_creds++;
  return ACC_OK;
}

static acc_rc add_str(acc_sensor_rec *r, char **arr, size_t *n, size_t max,
                      const char *s, size_t len, size_t cut) {
  if (len > cut)
    len = cut;
  for (size_t i = 0; i < *n; i++)
    if (strlen(arr[i]) == len && !memcmp(arr[i], s, len))
      return ACC_OK;
  if (*n >= max)
    return ACC_OK;
  if (!(arr[*n] = dup_cut(r, s, len, cut)))
    return ACC_ENOMEM;
  (*n)++;
  return ACC_OK;
}

acc_rc acc_sensor_rec_url(acc_sensor_rec *r, const char *url, size_t n) {
  return add_str(r, r->urls, &r->n_urls, ACC_REC_MAX_URLS, url, n,
                 ACC_REC_URL_MAX);
}

acc_rc acc_sensor_rec_ip(acc_sensor_rec *r, const char *ip, size_t n) {
  return add_str(r, r->ips, &r->n_ips, ACC_REC_MAX_IPS, ip, n, 45);
}

void acc_sensor_rec_file(acc_sensor_rec *r, const void *data, size_t n) {
  if (r->n_files >= ACC_REC_MAX_FILES)
    return;
  acc_sensor_file *f = &r->files[r->n_files];
  acc_sensor_sha256_hex(data, n, f->sha256);
  for (size_t i = 0; i < r->n_files; i++)
    if (!strcmp(r->files[i].sha256, f->sha256))
      return;
  acc_sensor_md5_hex(data, n, f->md5);
  f->size = n;
  r->n_files++;
}

acc_rc acc_sensor_rec_http(acc_sensor_rec *r, const char *method, size_t mn,
                           const char *target, size_t tn, const char *version,
                           size_t vn) {
  if (r->http_method)
    return ACC_OK;
  r->http_method = dup_cut(r, method, mn, 32);
  r->http_target = dup_cut(r, target, tn, ACC_REC_URL_MAX);
  r->http_version = dup_cut(r, version, vn, 16);
  if (!r->http_method || !r->http_target || !r->http_version)
    return ACC_ENOMEM;
  for (char *c = r->http_method; *c; c++)
    if (*c >= 'A' && *c <= 'Z')
      *c = (char)(*c - 'A' + 'a');
  for (char *c = r->http_version; *c; c++)
    if (*c >= 'A' && *c <= 'Z')
      *c = (char)(*c - 'A' + 'a');
  return ACC_OK;
}

/* ---- JSON helpers ---- */

/* A JSON string from arbitrary bytes: invalid UTF-8 bytes become U+FFFD,
 * NUL becomes U+0000 (jansson keeps lengths). */
static json_t *jstr(const char *s) {
  size_t n = strlen(s);
  json_t *j = json_stringn(s, n);
  if (j)
    return j;
  acc_buf b;
  acc_buf_init(&b, 4 * n + 16);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      acc_buf_putc(&b, (char)c);
      continue;
    }
    /* length of the sequence starting here; valid ones are kept */
    size_t len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    json_t *t = len && i + len <= n ? json_stringn(s + i, len) : NULL;
    if (t) {
      json_decref(t);
      acc_buf_append(&b, s + i, len);
      i += len - 1;
    } else {
      acc_buf_puts(&b, "\xef\xbf\xbd");
    }
  }
  j = json_stringn(acc_buf_cstr(&b), b.len);
  acc_buf_free(&b);
  return j ? j : json_string("");
}

acc_rc acc_sensor_event(const acc_sensor_rec *r, const char *sensor,
                        int64_t ts_us, const char *eventid, const char *message,
                        json_t *fields, acc_buf *out) {
  acc_rc rc = ACC_OK;
  char ts[ACC_TIME_BUFSZ];
  acc_time_format(ts_us, ts);
  json_t *o = json_object();
  if (!o) {
    json_decref(fields);
    return ACC_ENOMEM;
  }
  json_object_set_new(o, "eventid", json_string(eventid));
  json_object_set_new(o, "timestamp", json_string(ts));
  json_object_set_new(o, "src_ip", json_string(r->src_ip));
  json_object_set_new(o, "src_port", json_integer(r->src_port));
  json_object_set_new(o, "dst_ip", json_string(r->dst_ip));
  json_object_set_new(o, "dst_port", json_integer(r->dst_port));
  json_object_set_new(o, "session", json_string(r->session));
  json_object_set_new(o, "sensor", jstr(sensor));
  json_object_set_new(o, "protocol", json_string(r->protocol));
  if (message)
    json_object_set_new(o, "message", jstr(message));
  if (fields) {
    const char *k;
    json_t *v;
    json_object_foreach(fields, k, v) {
      json_object_set(o, k, v);
    }
    json_decref(fields);
  }
  char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
                              JSON_REAL_PRECISION(6));
  json_decref(o);
  if (!s)
    return ACC_ENOMEM;
  if ((rc = acc_buf_puts(out, s)) == ACC_OK)
    rc = acc_buf_putc(out, '\n');
  free(s);
  return rc;
}

json_t *acc_sensor_jstr(const char *s) {
  return jstr(s);
}

/* ---- STIX ---- */

static acc_rc add_sco(json_t *arr, json_t *refs, json_t *sco, acc_diag *d) {
  char id[ACC_ID_MAX];
  if (!sco)
    return ACC_ENOMEM;
  json_object_set_new(sco, "spec_version", json_string("2.1"));
  if (acc_stix_sco_id(sco, id) != ACC_OK) {
    char u[37];
    acc_sensor_uuid4(u);
    snprintf(id, sizeof id, "%s--%s",
             json_string_value(json_object_get(sco, "type")), u);
  }
  json_object_set_new(sco, "id", json_string(id));
  /* The same SCO twice (same id, same content) is sent once. */
  size_t i;
  json_t *v;
  json_array_foreach(refs, i, v) {
    if (!strcmp(json_string_value(v), id)) {
      json_decref(sco);
      return ACC_OK;
    }
  }
  json_array_append_new(arr, sco);
  json_array_append_new(refs, json_string(id));
  (void)d;
  return ACC_OK;
}

static json_t *addr_sco(const char *ip) {
  json_t *o = json_object();
  json_object_set_new(o, "type",
                      json_string(strchr(ip, ':') ? "ipv6-addr" : "ipv4-addr"));
  json_object_set_new(o, "value", json_string(ip));
  return o;
}

static const char *last_id(json_t *refs) {
  return json_string_value(json_array_get(refs, json_array_size(refs) - 1));
}

acc_rc acc_sensor_stix(const acc_sensor_rec *r, acc_buf *out) {
  acc_rc rc = ACC_OK;
  json_t *arr = json_array(), *refs = json_array();
  char src_id[ACC_ID_MAX] = "", dst_id[ACC_ID_MAX] = "";
  char first[ACC_TIME_BUFSZ], last[ACC_TIME_BUFSZ], now[ACC_TIME_BUFSZ];
  int64_t end = r->end_us >= r->start_us ? r->end_us : r->start_us;
  acc_time_format_ms(r->start_us, first);
  acc_time_format_ms(end, last);
  acc_time_format_ms(acc_time_now_us(), now);
  if (!arr || !refs) {
    rc = ACC_ENOMEM;
    goto out;
  }
  if ((rc = add_sco(arr, refs, addr_sco(r->src_ip), NULL)))
    goto out;
  snprintf(src_id, sizeof src_id, "%s", last_id(refs));
  if ((rc = add_sco(arr, refs, addr_sco(r->dst_ip), NULL)))
    goto out;
  snprintf(dst_id, sizeof dst_id, "%s", last_id(refs));

  json_t *nt = json_object();
  json_object_set_new(nt, "type", json_string("network-traffic"));
  json_object_set_new(nt, "start", json_string(first));
  json_object_set_new(nt, "end", json_string(last));
  json_object_set_new(nt, "is_active", json_false());
  json_object_set_new(nt, "src_ref", json_string(src_id));
  json_object_set_new(nt, "dst_ref", json_string(dst_id));
  json_object_set_new(nt, "src_port", json_integer(r->src_port));
  json_object_set_new(nt, "dst_port", json_integer(r->dst_port));
  json_object_set_new(nt, "protocols",
                      json_pack("[sss]",
                                strchr(r->src_ip, ':') ? "ipv6" : "ipv4", "tcp",
                                r->protocol));
  if (r->http_method) {
    json_t *ext = json_object();
    json_object_set_new(ext, "request_method", jstr(r->http_method));
    json_object_set_new(ext, "request_value", jstr(r->http_target));
    json_object_set_new(ext, "request_version", jstr(r->http_version));
    json_object_set_new(nt, "extensions",
                        json_pack("{so}", "http-request-ext", ext));
  }
  if ((rc = add_sco(arr, refs, nt, NULL)))
    goto out;

  /* One user-account per login: its identity is the login alone (STIX
   * §2.9), so its credential is the password that let the attacker in,
   * or else the last one tried.  Every attempt is in the event lines. */
  for (size_t i = 0; i < r->n_creds; i++) {
    size_t pick = i, j;
    for (j = 0; j < i; j++)
      if (!strcmp(r->creds[j].user, r->creds[i].user))
        break;
    if (j < i)
      continue; /* login already written */
    for (j = i + 1; j < r->n_creds; j++)
      if (!strcmp(r->creds[j].user, r->creds[i].user) &&
          (!r->creds[pick].ok || r->creds[j].ok))
        pick = r->creds[pick].ok ? pick : j;
    json_t *ua = json_object();
    json_object_set_new(ua, "type", json_string("user-account"));
    json_object_set_new(ua, "account_login", jstr(r->creds[i].user));
    json_object_set_new(ua, "credential", jstr(r->creds[pick].pass));
    if ((rc = add_sco(arr, refs, ua, NULL)))
      goto out;
  }
  for (size_t i = 0; i < r->n_urls; i++) {
    json_t *u = json_object();
    json_object_set_new(u, "type", json_string("url"));
    json_object_set_new(u, "value", jstr(r->urls[i]));
    if ((rc = add_sco(arr, refs, u, NULL)))
      goto out;
  }
  for (size_t i = 0; i < r->n_ips; i++)
    if ((rc = add_sco(arr, refs, addr_sco(r->ips[i]), NULL)))
      goto out;
  for (size_t i = 0; i < r->n_files; i++) {
    json_t *f = json_object();
    json_object_set_new(f, "type", json_string("file"));
    json_object_set_new(f, "hashes",
                        json_pack("{ssss}", "SHA-256", r->files[i].sha256,
                                  "MD5", r->files[i].md5));
    json_object_set_new(f, "size", json_integer((json_int_t)r->files[i].size));
    if ((rc = add_sco(arr, refs, f, NULL)))
      goto out;
  }

  char uuid[37], od_id[ACC_ID_MAX];
  acc_sensor_uuid4(uuid);
  snprintf(od_id, sizeof od_id, "observed-data--%s", uuid);
  json_t *od = json_object();
  json_object_set_new(od, "type", json_string("observed-data"));
  json_object_set_new(od, "spec_version", json_string("2.1"));
  json_object_set_new(od, "id", json_string(od_id));
  json_object_set_new(od, "created", json_string(now));
  json_object_set_new(od, "modified", json_string(now));
  json_object_set_new(od, "first_observed", json_string(first));
  json_object_set_new(od, "last_observed", json_string(last));
  json_object_set_new(od, "number_observed", json_integer(1));
  json_object_set(od, "object_refs", refs);
  json_array_append_new(arr, od);

  char *s = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (!s) {
    rc = ACC_ENOMEM;
    goto out;
  }
  rc = acc_buf_puts(out, s);
  free(s);
out:
  json_decref(arr);
  json_decref(refs);
  return rc;
}
