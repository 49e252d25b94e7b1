/*
 * spool.c — segments on disk and the uploader thread that sends them to a
 * TAXII collection (libcurl) or ingests them into a local store.  The
 * event loop only appends and renames; the uploader only reads closed
 * segments and deletes them once accepted, so the two never share a file.
 */
#include "sensor/spool.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/time.h"

#define SEGMENT_MAX_BYTES ((size_t)4 << 20)
#define OPEN_NAME "open.jsonl"
#define RESPONSE_MAX ((size_t)64 << 10)

struct acc_spool {
  acc_spool_opts o;
  char dir[1024];
  char taxii_url[1024];
  char taxii_token[256];
  char store_dir[1024];
  /* event-loop side */
  int fd;            /* open segment, -1 when none */
  size_t open_lines; /* sessions in it */
  size_t open_bytes;
  int64_t open_since_us;
  uint64_t next_seq; /* sequence number of the next closed segment */
  /* shared */
  _Atomic uint64_t bytes;    /* on disk, open segment included */
  _Atomic uint64_t segments; /* closed, waiting */
  _Atomic uint64_t segments_sent, sessions_sent, attempts_failed, lines_skipped;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int stop;               /* under mu */
  int64_t drain_until_us; /* under mu: keep sending until then */
  int started;
  pthread_t thread;
};

static acc_rc path_of(const acc_spool *s, const char *name, char *out,
                      size_t cap) {
  if (snprintf(out, cap, "%s/%s", s->dir, name) >= (int)cap)
    return ACC_EINVAL;
  return ACC_OK;
}

static int seg_seq(const char *name, uint64_t *seq) {
  char *end;
  if (strlen(name) != 22 || strcmp(name + 16, ".jsonl") != 0)
    return 0;
  errno = 0;
  unsigned long long v = strtoull(name, &end, 10);
  if (errno || end != name + 16)
    return 0;
  *seq = v;
  return 1;
}

/* Close the open segment: sync, rename to its sequence number. */
static void rotate(acc_spool *s) {
  if (s->fd < 0)
    return;
  fdatasync(s->fd);
  close(s->fd);
  s->fd = -1;
  char from[1100], to[1100], name[32];
  snprintf(name, sizeof name, "%016llu.jsonl",
           (unsigned long long)s->next_seq++);
  if (path_of(s, OPEN_NAME, from, sizeof from) ||
      path_of(s, name, to, sizeof to))
    return;
  if (rename(from, to) != 0) {
    fprintf(stderr, "accord sensor: spool: cannot rename %s: %s\n", from,
            strerror(errno));
    return;
  }
  int dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  s->open_lines = s->open_bytes = 0;
  atomic_fetch_add(&s->segments, 1);
  pthread_mutex_lock(&s->mu);
  pthread_cond_signal(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

acc_rc acc_spool_open(const acc_spool_opts *o, acc_spool **out, acc_diag *d) {
  acc_rc rc = ACC_OK;
  acc_spool *s = calloc(1, sizeof *s);
  if (!s)
    return acc_diag_set(d, ACC_ENOMEM, "spool: out of memory");
  s->o = *o;
  s->fd = -1;
  snprintf(s->dir, sizeof s->dir, "%s", o->dir);
  snprintf(s->taxii_url, sizeof s->taxii_url, "%s",
           o->taxii_url ? o->taxii_url : "");
  snprintf(s->taxii_token, sizeof s->taxii_token, "%s",
           o->taxii_token ? o->taxii_token : "");
  snprintf(s->store_dir, sizeof s->store_dir, "%s",
           o->store_dir ? o->store_dir : "");
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->cv, NULL);
  if (mkdir(s->dir, 0700) != 0 && errno != EEXIST) {
    rc = acc_diag_set(d, ACC_EIO, "spool %s: cannot create: %s", s->dir,
                      strerror(errno));
    goto out;
  }
  DIR *dir = opendir(s->dir);
  if (!dir) {
    rc = acc_diag_set(d, ACC_EIO, "spool %s: cannot open: %s", s->dir,
                      strerror(errno));
    goto out;
  }
  struct dirent *e;
  uint64_t max = 0, bytes = 0, segs = 0;
  int have_open = 0;
  while ((e = readdir(dir)) != NULL) {
    uint64_t q;
    struct stat st;
    char p[1100];
    if (path_of(s, e->d_name, p, sizeof p) || stat(p, &st) != 0 ||
        !S_ISREG(st.st_mode))
      continue;
    if (seg_seq(e->d_name, &q)) {
      if (q + 1 > max)
        max = q + 1;
      bytes += (uint64_t)st.st_size;
      segs++;
    } else if (!strcmp(e->d_name, OPEN_NAME)) {
      have_open = st.st_size > 0 ? 1 : -1;
      bytes += (uint64_t)st.st_size;
    }
  }
  closedir(dir);
  s->next_seq = max;
  atomic_store(&s->bytes, bytes);
  atomic_store(&s->segments, segs);
  if (have_open) {
    char p[1100];
    path_of(s, OPEN_NAME, p, sizeof p);
    if (have_open < 0) {
      unlink(p);
    } else {
      /* a previous run's open segment: close it so it is sent */
      s->fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
      if (s->fd >= 0)
        rotate(s);
    }
  }
  if (s->taxii_url[0] && curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
    rc = acc_diag_set(d, ACC_EIO, "spool: libcurl could not start");
    goto out;
  }
  *out = s;
  return ACC_OK;
out:
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->cv);
  free(s);
  return rc;
}

acc_rc acc_spool_append(acc_spool *s, const char *line, size_t n, acc_diag *d) {
  if (s->fd < 0) {
    char p[1100];
    if (path_of(s, OPEN_NAME, p, sizeof p))
      return acc_diag_set(d, ACC_EINVAL, "spool: path too long");
    s->fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (s->fd < 0)
      return acc_diag_set(d, ACC_EIO, "spool %s: %s", p, strerror(errno));
    s->open_since_us = acc_time_now_us();
  }
  /* one write per line so that a crash leaves at most one partial line */
  char *tmp = malloc(n + 1);
  if (!tmp)
    return acc_diag_set(d, ACC_ENOMEM, "spool: out of memory");
  memcpy(tmp, line, n);
  tmp[n] = '\n';
  size_t done = 0;
  for (int tries = 0; done < n + 1 && tries < 100; tries++) {
    ssize_t w = write(s->fd, tmp + done, n + 1 - done);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      free(tmp);
      return acc_diag_set(d, ACC_EIO, "spool %s: write: %s", s->dir,
                          strerror(errno));
    }
    done += (size_t)w;
  }
  free(tmp);
  s->open_lines++;
  s->open_bytes += n + 1;
  atomic_fetch_add(&s->bytes, n + 1);
  if (s->open_lines >= s->o.batch || s->open_bytes >= SEGMENT_MAX_BYTES)
    rotate(s);
  return ACC_OK;
}

void acc_spool_tick(acc_spool *s) {
  if (s->fd >= 0 && s->open_lines > 0 &&
      acc_time_now_us() - s->open_since_us >= (int64_t)s->o.flush_ms * 1000)
    rotate(s);
}

int acc_spool_full(acc_spool *s) {
  return atomic_load(&s->bytes) >= s->o.max_bytes;
}

void acc_spool_counts_get(acc_spool *s, acc_spool_counts *c) {
  c->segments_sent = atomic_load(&s->segments_sent);
  c->sessions_sent = atomic_load(&s->sessions_sent);
  c->attempts_failed = atomic_load(&s->attempts_failed);
  c->lines_skipped = atomic_load(&s->lines_skipped);
  c->bytes = atomic_load(&s->bytes);
  c->segments = atomic_load(&s->segments);
}

/* ---- uploader thread ---- */

/* The oldest closed segment, or 0 when none. */
static int oldest(acc_spool *s, char *name, size_t cap) {
  DIR *dir = opendir(s->dir);
  if (!dir)
    return 0;
  struct dirent *e;
  uint64_t best = UINT64_MAX, q;
  while ((e = readdir(dir)) != NULL)
    if (seg_seq(e->d_name, &q) && q < best)
      best = q;
  closedir(dir);
  if (best == UINT64_MAX)
    return 0;
  snprintf(name, cap, "%016llu.jsonl", (unsigned long long)best);
  return 1;
}

/* Read a segment and wrap its lines into a TAXII envelope. */
static acc_rc envelope(acc_spool *s, const char *path, acc_buf *env,
                       size_t *lines, size_t *file_bytes) {
  acc_rc rc = ACC_OK;
  acc_buf raw;
  acc_buf_init(&raw, SEGMENT_MAX_BYTES * 2);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return ACC_EIO;
  char chunk[65536];
  for (;;) {
    ssize_t r = read(fd, chunk, sizeof chunk);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      rc = ACC_EIO;
      break;
    }
    if (r == 0)
      break;
    if ((rc = acc_buf_append(&raw, chunk, (size_t)r)))
      break;
  }
  close(fd);
  if (rc)
    goto out;
  *file_bytes = raw.len;
  *lines = 0;
  if ((rc = acc_buf_puts(env, "{\"objects\":[")))
    goto out;
  size_t pos = 0;
  while (pos < raw.len) {
    const char *nl = memchr(raw.data + pos, '\n', raw.len - pos);
    size_t end = nl ? (size_t)(nl - raw.data) : raw.len;
    const char *l = raw.data + pos;
    size_t n = end - pos;
    pos = end + 1;
    if (n == 0)
      continue;
    if (!nl || n < 2 || l[0] != '[' || l[n - 1] != ']') {
      atomic_fetch_add(&s->lines_skipped, 1);
      fprintf(stderr,
              "accord sensor: spool %s: a damaged line (%zu bytes) is "
              "skipped\n",
              path, n);
      continue;
    }
    if (n == 2)
      continue;
    if (*lines && (rc = acc_buf_putc(env, ',')))
      goto out;
    if ((rc = acc_buf_append(env, l + 1, n - 2)))
      goto out;
    (*lines)++;
  }
  rc = acc_buf_puts(env, "]}");
out:
  acc_buf_free(&raw);
  return rc;
}

static size_t on_body(char *p, size_t sz, size_t nm, void *ctx) {
  acc_buf *b = ctx;
  size_t n = sz * nm;
  if (acc_buf_append(b, p, n))
    return 0; /* a response past RESPONSE_MAX fails the transfer */
  return n;
}

/* POST one envelope; 0 when accepted. */
static int post_taxii(acc_spool *s, CURL *h, const acc_buf *env, char *why,
                      size_t whycap) {
  struct curl_slist *hd = NULL;
  char auth[300];
  acc_buf resp;
  acc_buf_init(&resp, RESPONSE_MAX);
  hd =
      curl_slist_append(hd, "Content-Type: application/taxii+json;version=2.1");
  hd = curl_slist_append(hd, "Accept: application/taxii+json;version=2.1");
  if (s->taxii_token[0]) {
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", s->taxii_token);
    hd = curl_slist_append(hd, auth);
  }
  curl_easy_reset(h);
  curl_easy_setopt(h, CURLOPT_URL, s->taxii_url);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, env->data);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)env->len);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode cc = curl_easy_perform(h);
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(hd);
  int bad = 1;
  if (cc != CURLE_OK)
    snprintf(why, whycap, "%s", curl_easy_strerror(cc));
  else if (code < 200 || code > 299)
    snprintf(why, whycap, "HTTP %ld: %.200s", code, acc_buf_cstr(&resp));
  else {
    bad = 0;
    /* 202 with a status resource: failures are the server's verdict on
     * objects, not a reason to send them again. */
    const char *f = strstr(acc_buf_cstr(&resp), "\"failure_count\"");
    if (f && !strstr(f, "\"failure_count\":0") &&
        !strstr(f, "\"failure_count\": 0"))
      fprintf(stderr,
              "accord sensor: TAXII server refused some objects: %.300s\n",
              acc_buf_cstr(&resp));
  }
  acc_buf_free(&resp);
  return bad;
}

static int ingest_store(acc_spool *s, acc_store **st, const acc_buf *env,
                        char *why, size_t whycap) {
  acc_diag d;
  if (!*st && acc_store_open(s->store_dir, 0, st, &d)) {
    snprintf(why, whycap, "store %.200s: %.280s", s->store_dir, d.msg);
    *st = NULL;
    return 1;
  }
  acc_ingest_opts io;
  memset(&io, 0, sizeof io);
  io.limits.max_doc_bytes = SEGMENT_MAX_BYTES * 2;
  io.limits.max_object_bytes = SEGMENT_MAX_BYTES;
  io.limits.max_depth = 32;
  acc_ingest_counts c;
  acc_doc_shape shape;
  acc_rc rc = acc_ingest(*st, env->data, env->len, &io, &c, &shape, &d);
  if (rc) {
    snprintf(why, whycap, "store %.200s: %.280s", s->store_dir, d.msg);
    acc_store_close(*st);
    *st = NULL;
    return 1;
  }
  if (c.rejected)
    fprintf(stderr, "accord sensor: the store rejected %zu objects\n",
            c.rejected);
  return 0;
}

static void *uploader(void *arg) {
  acc_spool *s = arg;
  CURL *h = s->taxii_url[0] ? curl_easy_init() : NULL;
  acc_store *st = NULL;
  unsigned pause_s = 0; /* 0 = the destination answered last time */
  for (;;) {
    pthread_mutex_lock(&s->mu);
    int stop = s->stop;
    int64_t drain_until = s->drain_until_us;
    pthread_mutex_unlock(&s->mu);
    if (stop && (pause_s || acc_time_now_us() >= drain_until))
      break;
    char name[32], path[1100];
    if (!oldest(s, name, sizeof name)) {
      if (stop)
        break;
      pthread_mutex_lock(&s->mu);
      if (!s->stop && atomic_load(&s->segments) == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&s->cv, &s->mu, &ts);
      }
      pthread_mutex_unlock(&s->mu);
      continue;
    }
    path_of(s, name, path, sizeof path);
    acc_buf env;
    acc_buf_init(&env, SEGMENT_MAX_BYTES * 2 + 64);
    size_t lines = 0, fbytes = 0;
    char why[512] = "";
    int bad;
    acc_rc rc = envelope(s, path, &env, &lines, &fbytes);
    if (rc) {
      snprintf(why, sizeof why, "%.300s: %s", path, acc_strerror(rc));
      bad = 1;
    } else if (lines == 0) {
      bad = 0;
    } else if (h) {
      bad = post_taxii(s, h, &env, why, sizeof why);
    } else if (s->store_dir[0]) {
      bad = ingest_store(s, &st, &env, why, sizeof why);
    } else {
      bad = 0; /* no destination: the JSON lines are the record */
    }
    acc_buf_free(&env);
    if (!bad) {
      atomic_fetch_add(&s->segments_sent, 1);
      atomic_fetch_add(&s->sessions_sent, lines);
      if (unlink(path) == 0) {
        atomic_fetch_sub(&s->bytes, fbytes);
        atomic_fetch_sub(&s->segments, 1);
      }
      if (pause_s)
        fprintf(stderr, "accord sensor: destination reachable again\n");
      pause_s = 0;
      continue;
    }
    atomic_fetch_add(&s->attempts_failed, 1);
    pause_s = pause_s ? pause_s * 2 : 1;
    if (pause_s > s->o.retry_max_s)
      pause_s = s->o.retry_max_s ? s->o.retry_max_s : 1;
    fprintf(stderr,
            "accord sensor: sending %s failed (%s); %llu segments wait, "
            "next attempt in %us\n",
            name, why, (unsigned long long)atomic_load(&s->segments), pause_s);
    pthread_mutex_lock(&s->mu);
    if (!s->stop) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      ts.tv_sec += pause_s;
      pthread_cond_timedwait(&s->cv, &s->mu, &ts);
    }
    pthread_mutex_unlock(&s->mu);
  }
  if (h)
    curl_easy_cleanup(h);
  acc_store_close(st);
  return NULL;
}

acc_rc acc_spool_start(acc_spool *s, acc_diag *d) {
  int e = pthread_create(&s->thread, NULL, uploader, s);
  if (e)
    return acc_diag_set(d, ACC_EIO, "spool: cannot start uploader: %s",
                        strerror(e));
  s->started = 1;
  return ACC_OK;
}

void acc_spool_free(acc_spool *s, unsigned drain_ms) {
  if (!s)
    return;
  rotate(s);
  pthread_mutex_lock(&s->mu);
  s->stop = 1;
  s->drain_until_us = acc_time_now_us() + (int64_t)drain_ms * 1000;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
  if (s->started)
    pthread_join(s->thread, NULL);
  if (s->taxii_url[0])
    curl_global_cleanup();
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->cv);
  free(s);
}
