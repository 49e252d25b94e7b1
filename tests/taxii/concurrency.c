/*
 * concurrency.c — writers POST envelopes while readers page through the
 * collection with `next`, against a running `accord serve` (loopback).
 *
 *   taxii_concurrency URL USER:PASSWORD COLLECTION WRITERS READERS
 *                     ENVELOPES OBJECTS_PER_ENVELOPE PAGE_LIMIT
 *
 * Every object a writer gets a 202 for before a reader starts a pass must
 * appear in that pass exactly once (nothing lost, nothing duplicated), and
 * every object returned must be whole: its name repeats its id, so an
 * object torn or mixed with another is caught.  After the writers finish,
 * each reader makes a last pass that must see every object exactly once.
 * Loops are bounded in count and time.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PASSES 400
#define DEADLINE_S 300

static const char *g_url, *g_user, *g_coll;
static long g_writers, g_readers, g_envs, g_per, g_limit;
static char **g_acked; /* ids acknowledged by a 202, in order */
static size_t g_n_acked;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int g_writers_left;
static atomic_long g_errors, g_pages, g_passes;
static time_t g_t0;

#define ERR(...)                                                               \
  do {                                                                         \
    fprintf(stderr, "concurrency: " __VA_ARGS__);                              \
    fputc('\n', stderr);                                                       \
    atomic_fetch_add(&g_errors, 1);                                            \
  } while (0)

typedef struct mem {
  char *p;
  size_t n, cap;
} mem;

static size_t on_data(char *d, size_t sz, size_t nm, void *ctx) {
  mem *m = ctx;
  size_t n = sz * nm;
  if (m->n + n + 1 > m->cap) {
    size_t nc = m->cap ? m->cap : 65536;
    while (nc < m->n + n + 1)
      nc *= 2;
    if (nc > ((size_t)256 << 20))
      return 0;
    char *p = realloc(m->p, nc);
    if (!p)
      return 0;
    m->p = p;
    m->cap = nc;
  }
  memcpy(m->p + m->n, d, n);
  m->n += n;
  m->p[m->n] = '\0';
  return n;
}

/* One request; returns the HTTP status (0 on transport failure). */
static long http(CURL *c, const char *url, const char *body, mem *out) {
  struct curl_slist *h = NULL;
  h = curl_slist_append(h, "Accept: application/taxii+json;version=2.1");
  if (body)
    h = curl_slist_append(h,
                          "Content-Type: application/taxii+json;version=2.1");
  out->n = 0;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(c, CURLOPT_USERPWD, g_user);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  long code = 0;
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  else
    ERR("%s: %s", url, curl_easy_strerror(rc));
  curl_slist_free_all(h);
  if (out->p == NULL)
    on_data("", 0, 0, out);
  return code;
}

static void *writer(void *arg) {
  long w = (long)(intptr_t)arg;
  CURL *c = curl_easy_init();
  mem out = {0};
  char url[1024];
  snprintf(url, sizeof url, "%s/api/collections/%s/objects/", g_url, g_coll);
  size_t cap = (size_t)g_per * 400 + 64;
  char *body = malloc(cap);
  char(*ids)[96] = malloc((size_t)g_per * sizeof *ids);
  for (long e = 0; e < g_envs && body && ids; e++) {
    size_t off = (size_t)snprintf(body, cap, "{\"objects\":[");
    for (long k = 0; k < g_per; k++) {
      unsigned long long n = (unsigned long long)(e * g_per + k);
      char uuid[64];
      snprintf(uuid, sizeof uuid, "%08lx-0000-4000-8000-%012llx",
               (unsigned long)w + 1, n);
      snprintf(ids[k], sizeof ids[k], "malware--%s", uuid);
      off += (size_t)snprintf(
          body + off, cap - off,
          "%s{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":\"%s\","
          "\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":"
          "\"2024-01-01T00:00:00.000Z\",\"name\":\"%s\",\"is_family\":false}",
          k ? "," : "", ids[k], uuid);
    }
    snprintf(body + off, cap - off, "]}");
    long code = http(c, url, body, &out);
    json_t *j = code == 202 ? json_loads(out.p, 0, NULL) : NULL;
    if (!j ||
        json_integer_value(json_object_get(j, "success_count")) != g_per ||
        json_integer_value(json_object_get(j, "failure_count")) != 0 ||
        strcmp(json_string_value(json_object_get(j, "status"))
                   ? json_string_value(json_object_get(j, "status"))
                   : "",
               "complete") != 0) {
      ERR("writer %ld envelope %ld: HTTP %ld: %.300s", w, e, code,
          out.p ? out.p : "");
    } else {
      pthread_mutex_lock(&g_mu);
      for (long k = 0; k < g_per; k++)
        g_acked[g_n_acked++] = strdup(ids[k]);
      pthread_mutex_unlock(&g_mu);
    }
    json_decref(j);
  }
  atomic_fetch_sub(&g_writers_left, 1);
  free(ids);
  free(body);
  free(out.p);
  curl_easy_cleanup(c);
  return NULL;
}

/* A set of strings (open addressing), for one pass. */
typedef struct set {
  char **v;
  size_t cap, n;
} set;

static size_t hash(const char *s) {
  size_t h = 1469598103934665603ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

/* 1 when added, 0 when already there. */
static int set_add(set *s, const char *k) {
  size_t i = hash(k) & (s->cap - 1);
  while (s->v[i]) {
    if (strcmp(s->v[i], k) == 0)
      return 0;
    i = (i + 1) & (s->cap - 1);
  }
  s->v[i] = strdup(k);
  s->n++;
  return 1;
}

static int set_has(const set *s, const char *k) {
  size_t i = hash(k) & (s->cap - 1);
  while (s->v[i]) {
    if (strcmp(s->v[i], k) == 0)
      return 1;
    i = (i + 1) & (s->cap - 1);
  }
  return 0;
}

static void set_free(set *s) {
  for (size_t i = 0; i < s->cap; i++)
    free(s->v[i]);
  free(s->v);
}

/* One pass over the whole collection; 0 when consistent. */
static int pass(CURL *c, long r, int final) {
  size_t total = (size_t)(g_writers * g_envs * g_per);
  set s = {0};
  s.cap = 1;
  while (s.cap < total * 2 + 16)
    s.cap *= 2;
  s.v = calloc(s.cap, sizeof *s.v);
  pthread_mutex_lock(&g_mu);
  size_t n0 = g_n_acked;
  pthread_mutex_unlock(&g_mu);
  mem out = {0};
  char next[256] = "";
  int bad = 0, more = 1;
  for (int page = 0; more && page < 100000 && !bad; page++) {
    char url[2048];
    snprintf(url, sizeof url, "%s/api/collections/%s/objects/?limit=%ld%s%s",
             g_url, g_coll, g_limit, next[0] ? "&next=" : "", next);
    long code = http(c, url, NULL, &out);
    atomic_fetch_add(&g_pages, 1);
    json_error_t je;
    json_t *j = code == 200 ? json_loads(out.p, 0, &je) : NULL;
    if (!j) {
      ERR("reader %ld: HTTP %ld or bad JSON: %.300s", r, code,
          out.p ? out.p : "");
      bad = 1;
      break;
    }
    json_t *objs = json_object_get(j, "objects");
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o) {
      const char *id = json_string_value(json_object_get(o, "id"));
      const char *name = json_string_value(json_object_get(o, "name"));
      if (!id || !name || strncmp(id, "malware--", 9) != 0 ||
          strcmp(id + 9, name) != 0) {
        ERR("reader %ld: torn or foreign object: id %s name %s", r,
            id ? id : "?", name ? name : "?");
        bad = 1;
      } else if (!set_add(&s, id)) {
        ERR("reader %ld: %s returned twice in one pass", r, id);
        bad = 1;
      }
    }
    if (json_array_size(objs) > (size_t)g_limit) {
      ERR("reader %ld: page of %zu objects exceeds limit %ld", r,
          json_array_size(objs), g_limit);
      bad = 1;
    }
    more = json_is_true(json_object_get(j, "more"));
    const char *nx = json_string_value(json_object_get(j, "next"));
    if (more && (!nx || strlen(nx) >= sizeof next)) {
      ERR("reader %ld: more without a usable next", r);
      bad = 1;
    }
    snprintf(next, sizeof next, "%s", nx ? nx : "");
    json_decref(j);
  }
  for (size_t i = 0; i < n0 && !bad; i++) {
    if (!set_has(&s, g_acked[i])) {
      ERR("reader %ld: %s was acknowledged before the pass but not seen", r,
          g_acked[i]);
      bad = 1;
    }
  }
  if (final && !bad && s.n != n0) {
    ERR("reader %ld: final pass saw %zu objects, %zu acknowledged", r, s.n, n0);
    bad = 1;
  }
  atomic_fetch_add(&g_passes, 1);
  set_free(&s);
  free(out.p);
  return bad;
}

static void *reader(void *arg) {
  long r = (long)(intptr_t)arg;
  CURL *c = curl_easy_init();
  for (int n = 0; n < MAX_PASSES && time(NULL) - g_t0 < DEADLINE_S; n++) {
    int done = atomic_load(&g_writers_left) == 0;
    if (pass(c, r, done) || done)
      break;
  }
  curl_easy_cleanup(c);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 9) {
    fprintf(stderr,
            "usage: %s URL USER:PASS COLLECTION WRITERS READERS "
            "ENVELOPES PER_ENVELOPE LIMIT\n",
            argv[0]);
    return 2;
  }
  g_url = argv[1];
  g_user = argv[2];
  g_coll = argv[3];
  g_writers = strtol(argv[4], NULL, 10);
  g_readers = strtol(argv[5], NULL, 10);
  g_envs = strtol(argv[6], NULL, 10);
  g_per = strtol(argv[7], NULL, 10);
  g_limit = strtol(argv[8], NULL, 10);
  if (g_writers < 1 || g_writers > 64 || g_readers < 0 || g_readers > 64 ||
      g_envs < 1 || g_per < 1 || g_limit < 1)
    return 2;
  if (strncmp(g_url, "http://127.", 11) != 0) {
    fprintf(stderr, "concurrency: loopback URLs only\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_ALL);
  g_acked = calloc((size_t)(g_writers * g_envs * g_per), sizeof *g_acked);
  g_t0 = time(NULL);
  atomic_store(&g_writers_left, (int)g_writers);
  pthread_t t[128];
  long n = 0;
  for (long i = 0; i < g_writers; i++)
    pthread_create(&t[n++], NULL, writer, (void *)(intptr_t)i);
  for (long i = 0; i < g_readers; i++)
    pthread_create(&t[n++], NULL, reader, (void *)(intptr_t)i);
  for (long i = 0; i < n; i++)
    pthread_join(t[i], NULL);
  printf("acknowledged %zu objects; %ld reader passes, %ld pages; "
         "%ld errors; %ld s\n",
         g_n_acked, atomic_load(&g_passes), atomic_load(&g_pages),
         atomic_load(&g_errors), (long)(time(NULL) - g_t0));
  int ok = atomic_load(&g_errors) == 0 &&
           g_n_acked == (size_t)(g_writers * g_envs * g_per);
  for (size_t i = 0; i < g_n_acked; i++)
    free(g_acked[i]);
  free(g_acked);
  curl_global_cleanup();
  return ok ? 0 : 1;
}
