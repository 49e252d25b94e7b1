/*
 * leak.c — randomized leak test of the sharing policy over TAXII: builds
 * the random world of tests/unit/leakworld.h in a fresh store, starts the
 * real `accord serve` on 127.0.0.1 over it, and asks every TAXII way out —
 * objects (paged with next), manifest (paged), single object and versions
 * — for everything, as every user (Bearer tokens) and anonymously (public
 * read on).  Each answer must equal exactly what the independent model
 * allows; granular-marked descriptions must be absent where the model
 * says so.  The seed is printed on failure.
 *
 *   taxii_leak ACCORD SCRATCH_DIR [SEED]
 */
#include <curl/curl.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"

static int failures;
static uint64_t seed_used;

#define LW_FAIL(...)                                                           \
  do {                                                                         \
    fprintf(stderr,                                                            \
            "taxii_leak (seed %llu): ", (unsigned long long)seed_used);        \
    fprintf(stderr, __VA_ARGS__);                                              \
    fputc('\n', stderr);                                                       \
    exit(1);                                                                   \
  } while (0)

#include "leakworld.h"

#define MISMATCH(...)                                                          \
  do {                                                                         \
    if (failures++ < 20) {                                                     \
      fprintf(stderr,                                                          \
              "taxii_leak (seed %llu): ", (unsigned long long)seed_used);      \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
    }                                                                          \
  } while (0)

static char tokens[N_USERS][ACC_TOKEN_MAX];
static char base_url[64];
static CURL *curl;

typedef struct mem {
  char *p;
  size_t n;
} mem;

static size_t on_data(char *d, size_t sz, size_t nm, void *ctx) {
  mem *m = ctx;
  size_t n = sz * nm;
  if (m->n + n > ((size_t)64 << 20))
    return 0;
  char *p = realloc(m->p, m->n + n + 1);
  if (!p)
    return 0;
  memcpy(p + m->n, d, n);
  m->p = p;
  m->n += n;
  m->p[m->n] = '\0';
  return n;
}

/* GET path as user u (-1 anonymous); returns the status, body in *out. */
static long get(int u, const char *path, json_t **out) {
  char url[1400], auth[128];
  snprintf(url, sizeof url, "%s%s", base_url, path);
  struct curl_slist *h =
      curl_slist_append(NULL, "Accept: application/taxii+json;version=2.1");
  if (u >= 0) {
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tokens[u]);
    h = curl_slist_append(h, auth);
  }
  mem m = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &m);
  long status = 0;
  if (curl_easy_perform(curl) != CURLE_OK)
    LW_FAIL("GET %s failed", url);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(h);
  *out = m.p ? json_loads(m.p, 0, NULL) : NULL;
  free(m.p);
  return status;
}

/* Page through a list resource; got[i] = 1 with description, 2 without. */
static void list_all(int u, const char *coll, const char *kind, char *got) {
  char path[1200], next[512] = "";
  for (int page = 0; page < 1000; page++) {
    snprintf(path, sizeof path, "/api/collections/%s/%s/?limit=97%s%s", coll,
             kind, next[0] ? "&next=" : "", next);
    json_t *j;
    long st = get(u, path, &j);
    if (st == 404 || st == 403 || st == 401) {
      json_decref(j);
      return; /* a collection this reader cannot see: nothing */
    }
    if (st != 200 || !j)
      LW_FAIL("GET %s as %d: status %ld", path, u, st);
    const char *key = strcmp(kind, "objects") == 0 ? "objects" : "objects";
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(j, key), i, o) {
      unsigned idx;
      const char *id = json_string_value(json_object_get(o, "id"));
      if (!id || sscanf(id, "indicator--%08x-", &idx) != 1 ||
          idx >= N_OBJECTS) {
        MISMATCH("%s: unexpected id %s", path, id ? id : "(none)");
        continue;
      }
      got[idx] =
          json_object_get(o, "description") || strcmp(kind, "manifest") == 0
              ? 1
              : 2;
    }
    json_t *more = json_object_get(j, "more");
    const char *nx = json_string_value(json_object_get(j, "next"));
    if (!json_is_true(more) || !nx) {
      json_decref(j);
      return;
    }
    char *esc = curl_easy_escape(curl, nx, 0);
    snprintf(next, sizeof next, "%s", esc);
    curl_free(esc);
    json_decref(j);
  }
  LW_FAIL("paging did not end");
}

static void check_reader(int u) {
  const char *who = u < 0 ? "anonymous" : users[u].name;
  for (int c = 0; c < N_COLLS; c++) {
    char *obj = calloc(N_OBJECTS, 1), *man = calloc(N_OBJECTS, 1);
    list_all(u, colls[c].uuid, "objects", obj);
    list_all(u, colls[c].uuid, "manifest", man);
    for (int i = 0; i < N_OBJECTS; i++) {
      const obj_t *o = &objs[i];
      int want = o->coll == c &&
                 (u < 0 ? expect_visible_anon(o) : expect_visible(u, o));
      int want_desc = want && (u < 0 ? expect_description_anon(o)
                                     : expect_description(u, o));
      if (want != (obj[i] != 0) || (want && want_desc != (obj[i] == 1)))
        MISMATCH("%s, objects of collection %d, object %d (tlp %d granular "
                 "%d origin %d): want %d/%d got %d",
                 who, c, i, o->tlp, o->granular, o->origin_user, want,
                 want_desc, obj[i]);
      if (want != (man[i] != 0))
        MISMATCH("%s, manifest of collection %d, object %d: want %d got %d",
                 who, c, i, want, man[i]);
    }
    free(obj);
    free(man);
  }
  /* Single objects and their versions: visible, or exactly like absent. */
  for (int k = 0; k < 25; k++) {
    int i = (int)pick(N_OBJECTS);
    const obj_t *o = &objs[i];
    int want = u < 0 ? expect_visible_anon(o) : expect_visible(u, o);
    char path[512];
    json_t *j;
    snprintf(path, sizeof path, "/api/collections/%s/objects/%s/",
             colls[o->coll].uuid, o->id);
    long st = get(u, path, &j);
    int shown = st == 200 && json_array_size(json_object_get(j, "objects"));
    if (want != shown)
      MISMATCH("%s, GET object %d: want %d, status %ld", who, i, want, st);
    json_decref(j);
    snprintf(path, sizeof path, "/api/collections/%s/objects/%s/versions/",
             colls[o->coll].uuid, o->id);
    st = get(u, path, &j);
    shown = st == 200 && json_array_size(json_object_get(j, "versions"));
    if (want != shown)
      MISMATCH("%s, GET versions of %d: want %d, status %ld", who, i, want, st);
    json_decref(j);
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: taxii_leak ACCORD SCRATCH_DIR [SEED]\n");
    return 2;
  }
  if (sodium_init() < 0)
    return 1;
  seed_used = argc > 3 ? strtoull(argv[3], NULL, 10) : 20261123;
  rng_state = seed_used;
  const char *dir = argv[2];
  acc_store *s;
  acc_diag d;
  LW_OK(acc_store_open(dir, 1, &s, &d));
  build_world(s);
  for (int i = 0; i < N_OBJECTS; i++)
    make_object(s, i);
  for (int u = 0; u < N_USERS; u++)
    LW_OK(acc_auth_token_create(s, users[u].uid, "leak", ACC_TIME_NONE,
                                tokens[u], &d));
  acc_store_close(s);

  char port_file[512], log_file[512];
  snprintf(port_file, sizeof port_file, "%s/port", dir);
  snprintf(log_file, sizeof log_file, "%s/server.log", dir);
  pid_t pid = fork();
  if (pid == 0) {
    if (!freopen(log_file, "w", stderr))
      _exit(127);
    execl(argv[1], argv[1], "-d", dir, "serve", "--listen", "127.0.0.1",
          "--port", "0", "--port-file", port_file, "--set", "public_read=true",
          (char *)NULL);
    _exit(127);
  }
  unsigned port = 0;
  for (int i = 0; i < 300 && !port; i++) {
    FILE *f = fopen(port_file, "r");
    if (f) {
      if (fscanf(f, "%u", &port) != 1)
        port = 0;
      fclose(f);
    }
    if (!port)
      usleep(100000);
  }
  if (!port) {
    kill(pid, SIGKILL);
    LW_FAIL("the server did not start (see %s)", log_file);
  }
  snprintf(base_url, sizeof base_url, "http://127.0.0.1:%u", port);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  for (int u = 0; u < N_USERS; u++)
    check_reader(u);
  check_reader(-1);
  curl_easy_cleanup(curl);
  curl_global_cleanup();
  kill(pid, SIGTERM);
  int status;
  waitpid(pid, &status, 0);
  if (failures) {
    fprintf(stderr, "taxii_leak: %d mismatches (seed %llu)\n", failures,
            (unsigned long long)seed_used);
    return 1;
  }
  printf("taxii_leak: %d readers x %d collections, no leak (seed %llu)\n",
         N_USERS + 1, N_COLLS, (unsigned long long)seed_used);
  return 0;
}
