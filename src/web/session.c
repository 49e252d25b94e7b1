/*
 * session.c — browser sessions of the web interface (see web.h): a fixed
 * table in server memory, each session found by the BLAKE2b-256 hash of
 * its random id, with an idle timeout and an absolute lifetime; the
 * session cookie's parsing and writing; the CSRF token check.
 */
#include "web/web.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
  int used;
  unsigned char key[32]; /* BLAKE2b-256 of the session id */
  acc_web_session s;
} slot;

struct acc_web_sessions {
  pthread_mutex_t mu;
  slot *v;
  size_t n;
  int64_t idle_us, life_us;
};

acc_web_sessions *acc_web_sessions_new(size_t max, int64_t idle_us,
                                       int64_t life_us) {
  acc_web_sessions *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  t->n = max ? max : 1;
  t->v = calloc(t->n, sizeof *t->v);
  if (!t->v) {
    free(t);
    return NULL;
  }
  t->idle_us = idle_us;
  t->life_us = life_us;
  pthread_mutex_init(&t->mu, NULL);
  return t;
}

void acc_web_sessions_free(acc_web_sessions *t) {
  if (!t)
    return;
  sodium_memzero(t->v, t->n * sizeof *t->v);
  free(t->v);
  pthread_mutex_destroy(&t->mu);
  free(t);
}

static void hash_id(const char *sid, unsigned char out[32]) {
  crypto_generichash(out, 32, (const unsigned char *)sid, strlen(sid), NULL,
                     0);
}

static void random_text(char out[ACC_WEB_SECRET_MAX]) {
  unsigned char r[32];
  randombytes_buf(r, sizeof r);
  sodium_bin2base64(out, ACC_WEB_SECRET_MAX, r, sizeof r,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(r, sizeof r);
}

static int64_t expiry(const acc_web_sessions *t, const acc_web_session *s) {
  int64_t idle = s->last_us + t->idle_us;
  int64_t abs = s->created_us + t->life_us;
  return idle < abs ? idle : abs;
}

static void drop(slot *sl) {
  sodium_memzero(sl, sizeof *sl);
}

acc_rc acc_web_session_open(acc_web_sessions *t, int64_t uid,
                            const char *user, int64_t now_us,
                            char sid[ACC_WEB_SECRET_MAX],
                            char csrf[ACC_WEB_SECRET_MAX], acc_diag *d) {
  if (!t)
    return acc_diag_set(d, ACC_EINVAL, "sessions are not enabled");
  char id[ACC_WEB_SECRET_MAX], tok[ACC_WEB_SECRET_MAX];
  random_text(id);
  random_text(tok);
  pthread_mutex_lock(&t->mu);
  /* A free or expired slot; failing that, the least recently used. */
  slot *pick = NULL;
  for (size_t i = 0; i < t->n; i++) {
    slot *sl = &t->v[i];
    if (!sl->used || expiry(t, &sl->s) <= now_us) {
      pick = sl;
      break;
    }
    if (!pick || sl->s.last_us < pick->s.last_us)
      pick = sl;
  }
  drop(pick);
  pick->used = 1;
  hash_id(id, pick->key);
  pick->s.uid = uid;
  snprintf(pick->s.user, sizeof pick->s.user, "%s", user);
  memcpy(pick->s.csrf, tok, sizeof tok);
  pick->s.created_us = pick->s.last_us = now_us;
  pick->s.expires_us = expiry(t, &pick->s);
  pthread_mutex_unlock(&t->mu);
  memcpy(sid, id, sizeof id);
  memcpy(csrf, tok, sizeof tok);
  sodium_memzero(id, sizeof id);
  sodium_memzero(tok, sizeof tok);
  return ACC_OK;
}

/* The slot of sid, or NULL; mu held. */
static slot *lookup(acc_web_sessions *t, const char *sid) {
  unsigned char k[32];
  hash_id(sid, k);
  for (size_t i = 0; i < t->n; i++)
    if (t->v[i].used && sodium_memcmp(t->v[i].key, k, sizeof k) == 0)
      return &t->v[i];
  return NULL;
}

acc_rc acc_web_session_find(acc_web_sessions *t, const char *sid,
                            int64_t now_us, int touch, acc_web_session *out) {
  if (!t || !sid || !*sid)
    return ACC_ENOTFOUND;
  acc_rc rc = ACC_ENOTFOUND;
  pthread_mutex_lock(&t->mu);
  slot *sl = lookup(t, sid);
  if (sl && expiry(t, &sl->s) <= now_us) {
    drop(sl);
    sl = NULL;
  }
  if (sl) {
    if (touch && now_us > sl->s.last_us)
      sl->s.last_us = now_us;
    sl->s.expires_us = expiry(t, &sl->s);
    *out = sl->s;
    rc = ACC_OK;
  }
  pthread_mutex_unlock(&t->mu);
  return rc;
}

acc_rc acc_web_session_close(acc_web_sessions *t, const char *sid) {
  if (!t || !sid || !*sid)
    return ACC_ENOTFOUND;
  pthread_mutex_lock(&t->mu);
  slot *sl = lookup(t, sid);
  if (sl)
    drop(sl);
  pthread_mutex_unlock(&t->mu);
  return sl ? ACC_OK : ACC_ENOTFOUND;
}

size_t acc_web_session_close_user(acc_web_sessions *t, int64_t uid) {
  size_t n = 0;
  if (!t)
    return 0;
  pthread_mutex_lock(&t->mu);
  for (size_t i = 0; i < t->n; i++)
    if (t->v[i].used && t->v[i].s.uid == uid) {
      drop(&t->v[i]);
      n++;
    }
  pthread_mutex_unlock(&t->mu);
  return n;
}

size_t acc_web_session_count(acc_web_sessions *t, int64_t now_us) {
  size_t n = 0;
  if (!t)
    return 0;
  pthread_mutex_lock(&t->mu);
  for (size_t i = 0; i < t->n; i++)
    if (t->v[i].used && expiry(t, &t->v[i].s) > now_us)
      n++;
  pthread_mutex_unlock(&t->mu);
  return n;
}

int acc_web_csrf_ok(const acc_web_session *s, const char *presented) {
  if (!presented)
    return 0;
  size_t n = strlen(s->csrf);
  if (n == 0 || strlen(presented) != n)
    return 0;
  return sodium_memcmp(s->csrf, presented, n) == 0;
}

int acc_web_cookie_value(const char *header, const char *name, char *out,
                         size_t size) {
  if (!header || !name || !size)
    return -1;
  size_t nl = strlen(name);
  const char *p = header;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ';')
      p++;
    const char *eq = strchr(p, '=');
    const char *semi = strchr(p, ';');
    if (!semi)
      semi = p + strlen(p);
    if (eq && eq < semi && (size_t)(eq - p) == nl && memcmp(p, name, nl) == 0) {
      const char *v = eq + 1;
      size_t vl = (size_t)(semi - v);
      while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
        vl--;
      if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
        v++;
        vl -= 2;
      }
      if (vl + 1 > size)
        return -1;
      memcpy(out, v, vl);
      out[vl] = '\0';
      return 0;
    }
    p = semi;
  }
  return -1;
}

void acc_web_cookie_header(char *out, size_t size, const char *sid,
                           int64_t max_age_s, int secure) {
  snprintf(out, size, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
           ACC_WEB_COOKIE, sid ? sid : "", sid ? (long long)max_age_s : 0LL,
           secure ? "; Secure" : "");
}
