/*
 * sync.c — one run of one peer: load its settings and secret, take its
 * lock, find its API root (given, or the server's default from
 * discovery), pull, push, and record the outcome in its state (the
 * error, when there was one, and the count of consecutive failures that
 * the scheduler's backoff reads).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync.h"
#include "util/time.h"

#define SECRET_MAX 4096

static int starts_http(const char *s) {
  return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* dst = root with exactly one trailing '/'. */
static acc_rc set_root(acc_sync_job *j, const char *prefix, const char *path,
                       acc_diag *d) {
  size_t n = strlen(path), np = strlen(prefix);
  while (n && path[n - 1] == '/')
    n--;
  int slash = n > 0 || np == 0 || prefix[np - 1] != '/';
  int w = snprintf(j->api_root, sizeof j->api_root, "%s%.*s%s", prefix, (int)n,
                   path, slash ? "/" : "");
  if (w < 0 || (size_t)w >= sizeof j->api_root)
    return acc_diag_set(d, ACC_EUSAGE, "the API root URL is too long");
  return ACC_OK;
}

acc_rc acc_sync_resolve_root(acc_sync_job *j, acc_diag *d) {
  const acc_sync_peer *p = j->peer;
  char origin[512];
  acc_rc rc =
      acc_sync_url_check(p->url, p->insecure_http, origin, sizeof origin, d);
  if (rc)
    return rc;
  if (starts_http(p->api_root))
    return set_root(j, "", p->api_root, d);
  if (p->api_root[0]) {
    char prefix[520];
    const char *path = p->api_root;
    while (*path == '/')
      path++;
    snprintf(prefix, sizeof prefix, "%s/", origin);
    return set_root(j, prefix, path, d);
  }
  /* No API root given: the server's default (discovery, §4.1). */
  char url[600], root[ACC_SYNC_URL_MAX];
  snprintf(url, sizeof url, "%s/taxii2/", origin);
  acc_sync_resp r;
  acc_sync_resp_init(&r, (size_t)1 << 20);
  rc = acc_sync_request(j->client, "GET", url, NULL, 0, &r, d);
  if (!rc)
    rc =
        acc_sync_discovery_parse(r.body.data, r.body.len, root, sizeof root, d);
  acc_sync_resp_free(&r);
  if (rc)
    return rc;
  if (starts_http(root)) {
    char o2[512];
    if ((rc = acc_sync_url_check(root, p->insecure_http, o2, sizeof o2, d)))
      return rc;
    if (strcmp(o2, origin) != 0)
      return acc_diag_set(d, ACC_EINVAL,
                          "the server's default API root %.200s is on "
                          "another server: credentials are not sent there "
                          "unasked (name it with --api-root)",
                          root);
    return set_root(j, "", root, d);
  }
  if (root[0] != '/' || root[1] == '/' || strstr(root, ".."))
    return acc_diag_set(d, ACC_EINVAL,
                        "the server's default API root '%.200s' is neither "
                        "an https URL nor a path beginning with one '/'",
                        root);
  return set_root(j, origin, root, d);
}

typedef struct log_bridge {
  const acc_sync_env *env;
  const char *peer;
} log_bridge;

static void client_log(void *ctx, const char *msg) {
  log_bridge *b = ctx;
  if (b->env && b->env->log)
    b->env->log(b->env->log_ctx, b->peer, msg);
}

/* A client for peer p with its secret (read, used, wiped). */
static acc_rc make_client(const char *data_dir, const acc_sync_peer *p,
                          const atomic_int *stop, log_bridge *bridge,
                          acc_sync_client **out, acc_diag *d) {
  char *secret = NULL;
  acc_rc rc = ACC_OK;
  if (p->auth != ACC_SYNC_AUTH_NONE) {
    secret = sodium_malloc(SECRET_MAX);
    if (!secret)
      return acc_diag_set(d, ACC_ENOMEM, "out of memory");
    rc = acc_sync_secret_read(data_dir, p->pid, secret, SECRET_MAX, d);
    if (rc == ACC_ENOTFOUND)
      acc_diag_set(d, ACC_EINVAL,
                   "peer %s: its %s credentials are not stored (set them "
                   "with `accord peer edit %s --auth ...`)",
                   p->name, p->auth == ACC_SYNC_AUTH_BASIC ? "Basic" : "Bearer",
                   p->name);
    if (rc) {
      sodium_free(secret);
      return rc == ACC_ENOTFOUND ? ACC_EINVAL : rc;
    }
  }
  acc_sync_http_opts o = {
      .auth = p->auth,
      .user = p->user,
      .secret = secret,
      .ca_file = p->ca_file,
      .insecure_http = p->insecure_http,
      .connect_timeout_ms = p->connect_timeout_ms,
      .timeout_ms = p->timeout_ms,
      .low_speed_bytes = p->low_speed_bytes,
      .low_speed_s = p->low_speed_s,
      .max_response = p->max_response,
      .retries = p->retries,
      .retry_max_ms = p->retry_max_ms,
      .stop = stop,
      .log_ctx = bridge,
      .log = client_log,
  };
  rc = acc_sync_client_new(&o, out, d);
  if (secret)
    sodium_free(secret); /* the client keeps its own copy */
  return rc;
}

acc_rc acc_sync_run(const acc_sync_env *env, const char *name, unsigned mask,
                    acc_sync_result *res, acc_diag *d) {
  memset(res, 0, sizeof *res);
  int64_t t0 = acc_time_now_us();
  acc_store *s = env->store;
  acc_sync_peer *p = calloc(1, sizeof *p);
  acc_sync_job *j = calloc(1, sizeof *j);
  acc_sync_lock *lock = NULL;
  acc_sync_client *client = NULL;
  acc_rc rc = ACC_OK;
  if (!p || !j) {
    rc = acc_diag_set(d, ACC_ENOMEM, "out of memory");
    goto out;
  }
  if ((rc = acc_sync_peer_load(s, name, p, d)))
    goto out;
  if ((rc = acc_sync_lock_take(env->data_dir, p->pid, env->lock_wait_ms, &lock,
                               d))) {
    acc_diag_prefix(d, "peer %s: ", p->name);
    goto out;
  }
  /* Settings may have changed while waiting for the lock. */
  if ((rc = acc_sync_peer_load(s, name, p, d)))
    goto out;
  res->dirs = p->direction & mask;
  if (!res->dirs)
    goto out; /* receive only, or not this direction: nothing to do */
  log_bridge bridge = {.env = env, .peer = p->name};
  if ((rc = make_client(env->data_dir, p, env->stop, &bridge, &client, d)))
    goto record;
  {
    acc_peer_state st;
    if ((rc = s->ops->peer_state_get(s, p->pid, &st, d)))
      goto out;
    st.attempt_us = t0;
    if ((rc = s->ops->peer_state_put(s, &st, d)))
      goto out;
  }
  j->env = env;
  j->peer = p;
  j->client = client;
  j->res = res;
  acc_diag rd = {{0}};
  acc_rc root_rc = res->dirs ? acc_sync_resolve_root(j, &rd) : ACC_OK;
  if (res->dirs & ACC_SYNC_PULL) {
    acc_diag pd = rd;
    res->pull_rc = root_rc ? root_rc : acc_sync_pull(j, &pd);
    if (res->pull_rc)
      snprintf(res->pull_err, sizeof res->pull_err, "pull: %.500s", pd.msg);
  }
  if ((res->dirs & ACC_SYNC_PUSH) && !(env->stop && atomic_load(env->stop))) {
    acc_diag qd = rd;
    res->push_rc = root_rc ? root_rc : acc_sync_push(j, &qd);
    if (res->push_rc)
      snprintf(res->push_err, sizeof res->push_err, "push: %.500s", qd.msg);
  }
  rc = res->pull_rc ? res->pull_rc : res->push_rc;
  if (rc)
    acc_diag_set(d, rc, "peer %s: %s", p->name,
                 res->pull_rc ? res->pull_err : res->push_err);
record:;
  /* The outcome, on a fresh copy of the state (pages committed their own
   * parts of it). */
  acc_peer_state st;
  acc_diag sd;
  if (s->ops->peer_state_get(s, p->pid, &st, &sd) == ACC_OK) {
    if (rc) {
      st.failures++;
      st.error_us = acc_time_now_us();
      snprintf(st.error, sizeof st.error, "%.511s", d->msg);
    } else {
      st.failures = 0;
    }
    if (st.attempt_us == ACC_TIME_NONE)
      st.attempt_us = t0;
    s->ops->peer_state_put(s, &st, &sd);
  }
out:
  acc_sync_client_free(client);
  acc_sync_lock_release(lock);
  free(p);
  free(j);
  res->ms = (acc_time_now_us() - t0) / 1000;
  return rc;
}

acc_rc acc_sync_test(acc_store *s, const char *data_dir, const char *name,
                     FILE *out, acc_diag *d) {
  acc_sync_peer *p = calloc(1, sizeof *p);
  acc_sync_job *j = calloc(1, sizeof *j);
  acc_sync_client *client = NULL;
  acc_sync_resp r;
  acc_sync_resp_init(&r, (size_t)4 << 20);
  acc_rc rc = ACC_OK;
  json_t *coll = NULL;
  if (!p || !j) {
    rc = acc_diag_set(d, ACC_ENOMEM, "out of memory");
    goto out;
  }
  if ((rc = acc_sync_peer_load(s, name, p, d)))
    goto out;
  log_bridge bridge = {.env = NULL, .peer = p->name};
  if ((rc = make_client(data_dir, p, NULL, &bridge, &client, d)))
    goto out;
  j->peer = p;
  j->client = client;
  if ((rc = acc_sync_resolve_root(j, d)))
    goto out;
  fprintf(out, "api root:   %s%s\n", j->api_root,
          p->api_root[0] ? "" : " (the server's default)");
  if ((rc = acc_sync_request(client, "GET", j->api_root, NULL, 0, &r, d)))
    goto out;
  json_t *root = json_loadb(r.body.data, r.body.len, 0, NULL);
  fprintf(out, "title:      %s\n",
          json_string_value(json_object_get(root, "title"))
              ? json_string_value(json_object_get(root, "title"))
              : "(none)");
  fprintf(out, "max body:   %zu bytes\n",
          acc_sync_api_root_max_content(r.body.data, r.body.len));
  json_decref(root);
  char url[ACC_SYNC_URL_MAX + ACC_NAME_MAX + 32];
  snprintf(url, sizeof url, "%scollections/%s/", j->api_root, p->collection);
  if ((rc = acc_sync_request(client, "GET", url, NULL, 0, &r, d)))
    goto out;
  coll = json_loadb(r.body.data, r.body.len, 0, NULL);
  int can_read = json_is_true(json_object_get(coll, "can_read"));
  int can_write = json_is_true(json_object_get(coll, "can_write"));
  const char *title = json_string_value(json_object_get(coll, "title"));
  fprintf(out, "collection: %s (%s): can_read %s, can_write %s\n",
          p->collection, title ? title : "untitled", can_read ? "yes" : "no",
          can_write ? "yes" : "no");
  if ((p->direction & ACC_SYNC_PULL) && !can_read)
    rc = acc_diag_set(d, ACC_EINVAL,
                      "peer %s: the collection may not be read with these "
                      "credentials, and this peer pulls",
                      p->name);
  else if ((p->direction & ACC_SYNC_PUSH) && !can_write)
    rc = acc_diag_set(d, ACC_EINVAL,
                      "peer %s: the collection may not be written with "
                      "these credentials, and this peer pushes",
                      p->name);
out:
  json_decref(coll);
  acc_sync_resp_free(&r);
  acc_sync_client_free(client);
  free(p);
  free(j);
  return rc;
}
