/*
 * audit.c — hash-chained JSON-lines audit log.
 *
 * Line n is  BODY,"hash":"H"}  where BODY is {"seq":n,...,"prev":"P"
 * and H = SHA-256(BODY) in hex; P is the hash of line n-1 (64 zeros for
 * the first).  An append takes an exclusive flock, reads the tail of the
 * file for the previous seq and hash, and writes one line with O_APPEND.
 */
#include "audit/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/time.h"

#define LOG_FILE "audit.log"
#define ZERO_HASH                                                              \
  "0000000000000000000000000000000000000000000000000000000000000000"
#define HASH_TAG ",\"hash\":\""
#define MAX_LINE ((size_t)16 << 20)

struct acc_audit {
  int fd;
  char *path;
  pthread_mutex_t mu;
  /* Group commit without a writer thread: an appender queues its entry
   * body; if nobody is writing, it becomes the writer and chains, hashes
   * and writes everything queued (its own and others') in one write()
   * under one file lock; otherwise it waits for the writer, whose batch
   * (or the next one) holds its entry.  Nobody returns before its entry
   * is written (in the page cache), so no release goes unrecorded, and an
   * uncontended append costs no thread hand-off. */
  pthread_cond_t cv_done;
  int writing;          /* an appender is writing a batch */
  acc_buf queue;        /* bodies, each NUL-terminated */
  acc_buf batch;        /* the batch being written (the writer's) */
  acc_buf out;          /* the writer's lines, kept between batches */
  size_t queued;        /* entries in queue */
  uint64_t next_ticket; /* ticket of the next queued entry */
  uint64_t done_ticket; /* every ticket below this is written */
  acc_rc broken;        /* sticky: the log could not be written */
  char broken_msg[sizeof(acc_diag)];
  /* The chain's head as of the writer's last append: valid while the
   * file still ends where that append left it. */
  off_t tail_end;
  int64_t tail_seq;
  char tail_hash[65];
};

static char *log_path(const char *dir) {
  size_t n = strlen(dir) + sizeof LOG_FILE + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/%s", dir, LOG_FILE);
  return p;
}

acc_rc acc_audit_open(const char *dir, acc_audit **out, acc_diag *d) {
  acc_audit *a = calloc(1, sizeof *a);
  if (!a)
    return ACC_ENOMEM;
  a->path = log_path(dir);
  if (!a->path) {
    free(a);
    return ACC_ENOMEM;
  }
  a->fd = open(a->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (a->fd < 0) {
    acc_rc rc = acc_diag_set(d, ACC_EIO, "cannot open audit log %s: %s",
                             a->path, strerror(errno));
    free(a->path);
    free(a);
    return rc;
  }
  pthread_mutex_init(&a->mu, NULL);
  pthread_cond_init(&a->cv_done, NULL);
  acc_buf_init(&a->queue, (size_t)256 << 20);
  acc_buf_init(&a->batch, (size_t)256 << 20);
  acc_buf_init(&a->out, (size_t)512 << 20);
  *out = a;
  return ACC_OK;
}

void acc_audit_close(acc_audit *a) {
  if (!a)
    return;
  /* Nothing is pending: every append returns once written. */
  close(a->fd);
  acc_buf_free(&a->queue);
  acc_buf_free(&a->batch);
  acc_buf_free(&a->out);
  pthread_cond_destroy(&a->cv_done);
  pthread_mutex_destroy(&a->mu);
  free(a->path);
  free(a);
}

/* Parse the seq and hash of one complete line (without its newline). */
static int parse_line_head(const char *line, int64_t *seq, char hash[65]) {
  const char *h = NULL;
  for (const char *p = line; (p = strstr(p, HASH_TAG)) != NULL; p++)
    h = p;
  long long s = 0;
  if (!h || sscanf(line, "{\"seq\":%lld", &s) != 1 ||
      strlen(h + sizeof HASH_TAG - 1) < 64)
    return -1;
  memcpy(hash, h + sizeof HASH_TAG - 1, 64);
  hash[64] = '\0';
  *seq = s;
  return 0;
}

/* Read the seq and hash of the last line (seq 0 and zeros when empty).
 * The window read from the end grows until it holds the whole line. */
static acc_rc read_tail(int fd, int64_t *seq, char hash[65], acc_diag *d) {
  struct stat st;
  if (fstat(fd, &st) != 0)
    return acc_diag_set(d, ACC_EIO, "audit log: %s", strerror(errno));
  *seq = 0;
  memcpy(hash, ZERO_HASH, 65);
  if (st.st_size == 0)
    return ACC_OK;
  acc_rc rc = ACC_OK;
  for (off_t window = 8192;; window *= 8) {
    off_t from = st.st_size > window ? st.st_size - window : 0;
    size_t len = (size_t)(st.st_size - from);
    char *buf = malloc(len + 1);
    if (!buf)
      return ACC_ENOMEM;
    ssize_t n = pread(fd, buf, len, from);
    if (n != (ssize_t)len || buf[n - 1] != '\n') {
      free(buf);
      return acc_diag_set(d, ACC_EINVAL,
                          "audit log: the last entry is incomplete (run "
                          "`accord audit verify`)");
    }
    buf[n - 1] = '\0';
    char *start = strrchr(buf, '\n');
    if (start || from == 0) {
      if (parse_line_head(start ? start + 1 : buf, seq, hash))
        rc = acc_diag_set(d, ACC_EINVAL,
                          "audit log: cannot read the last entry (run "
                          "`accord audit verify`)");
      free(buf);
      return rc;
    }
    free(buf);
    if ((size_t)window > MAX_LINE)
      return acc_diag_set(d, ACC_EINVAL, "audit log: last entry too long");
  }
}

/* SHA-256 from libcrypto, which uses the processor's SHA instructions
 * where it has them (the audit log hashes every entry it writes). */
static void sha256_hex(const char *p, size_t n, char out[65]) {
  unsigned char h[SHA256_DIGEST_LENGTH];
  SHA256((const unsigned char *)p, n, h);
  sodium_bin2hex(out, 65, h, sizeof h);
}

/* Append a JSON string (escaped by jansson) to b. */
static acc_rc put_str(acc_buf *b, const char *s) {
  /* Plain printable ASCII (names, paths, ids) needs no escaping. */
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  size_t n = 0;
  while (p[n] >= 0x20 && p[n] < 0x7f && p[n] != '"' && p[n] != '\\')
    n++;
  if (!p[n]) {
    acc_rc rc = acc_buf_putc(b, '"');
    rc = rc ? rc : acc_buf_append(b, p, n);
    return rc ? rc : acc_buf_putc(b, '"');
  }
  json_t *j = json_string(s ? s : "");
  if (!j)
    return ACC_EINVAL; /* not valid UTF-8 */
  char *t = json_dumps(j, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
  json_decref(j);
  if (!t)
    return ACC_ENOMEM;
  acc_rc rc = acc_buf_puts(b, t);
  free(t);
  return rc;
}

/* Chain, hash and write the entries in batch (NUL-separated bodies).
 * Called by the appender that is writing, without a->mu held. */
static acc_rc write_batch(acc_audit *a, const char *batch, size_t len,
                          char *err, size_t err_size) {
  acc_buf out = a->out; /* only the writer uses it */
  acc_buf_reset(&out);
  acc_rc rc = ACC_OK;
  acc_diag d = {{0}};
  if (flock(a->fd, LOCK_EX) != 0) {
    snprintf(err, err_size, "audit log: cannot lock: %s", strerror(errno));
    a->out = out;
    return ACC_EIO;
  }
  int64_t seq = 0;
  char prev[65];
  struct stat st;
  if (fstat(a->fd, &st) != 0) {
    rc = acc_diag_set(&d, ACC_EIO, "audit log: %s", strerror(errno));
    goto out;
  }
  if (a->tail_end > 0 && st.st_size == a->tail_end) {
    seq = a->tail_seq;
    memcpy(prev, a->tail_hash, sizeof prev);
  } else if ((rc = read_tail(a->fd, &seq, prev, &d))) {
    goto out;
  }
  for (const char *p = batch; !rc && p < batch + len; p += strlen(p) + 1) {
    size_t start = out.len;
    seq++;
    /* Appends, not printf: bodies run to kilobytes. */
    rc = acc_buf_printf(&out, "{\"seq\":%lld,", (long long)seq);
    rc = rc ? rc : acc_buf_puts(&out, p);
    rc = rc ? rc : acc_buf_puts(&out, ",\"prev\":\"");
    rc = rc ? rc : acc_buf_append(&out, prev, 64);
    rc = rc ? rc : acc_buf_putc(&out, '"');
    if (rc)
      break;
    sha256_hex(out.data + start, out.len - start, prev);
    rc = acc_buf_puts(&out, HASH_TAG);
    rc = rc ? rc : acc_buf_append(&out, prev, 64);
    rc = rc ? rc : acc_buf_puts(&out, "\"}\n");
  }
  if (rc) {
    acc_diag_set(&d, rc, "audit log: cannot compose entries");
    goto out;
  }
  size_t off = 0;
  while (off < out.len) {
    ssize_t n = write(a->fd, out.data + off, out.len - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      rc = acc_diag_set(&d, ACC_EIO, "audit log: write failed: %s",
                        n < 0 ? strerror(errno) : "nothing written");
      /* no half entry stays: cut the file back to where this batch began
       * (the lock is held, so nobody appended after it) */
      if (off > 0 && ftruncate(a->fd, st.st_size) != 0)
        acc_diag_set(&d, ACC_EIO,
                     "audit log: write failed and a partial entry remains "
                     "(run `accord audit verify`): %s",
                     strerror(errno));
      break;
    }
    off += (size_t)n;
  }
  if (!rc) {
    a->tail_end = st.st_size + (off_t)out.len;
    a->tail_seq = seq;
    memcpy(a->tail_hash, prev, sizeof a->tail_hash);
  } else {
    a->tail_end = 0;
  }
out:
  flock(a->fd, LOCK_UN);
  if (out.cap > ((size_t)4 << 20)) /* a rare huge batch: let it go */
    acc_buf_free(&out);
  else
    acc_buf_reset(&out);
  a->out = out;
  if (rc)
    snprintf(err, err_size, "%s", d.msg);
  return rc;
}

/* Write everything queued as one batch; called and returns with a->mu
 * held, by the one appender that set a->writing. */
static void write_queued(acc_audit *a) {
  acc_buf tmp = a->batch;
  a->batch = a->queue;
  a->queue = tmp;
  acc_buf_reset(&a->queue);
  uint64_t upto = a->next_ticket;
  a->queued = 0;
  pthread_mutex_unlock(&a->mu);
  char err[sizeof(acc_diag)] = "";
  acc_rc rc = write_batch(a, a->batch.data, a->batch.len, err, sizeof err);
  acc_buf_reset(&a->batch);
  pthread_mutex_lock(&a->mu);
  if (rc && !a->broken) {
    a->broken = rc;
    snprintf(a->broken_msg, sizeof a->broken_msg, "%s", err);
  }
  a->done_ticket = upto;
}

/* This thread's deferral: the log it defers on, the last ticket it
 * queued there and whether it queued any. */
static _Thread_local struct {
  acc_audit *a;
  uint64_t ticket;
  int pending;
} deferred;

void acc_audit_defer(acc_audit *a) {
  deferred.a = a;
  deferred.ticket = 0;
  deferred.pending = 0;
}

/* Wait (with a->mu held) until ticket is written, writing the queue when
 * nobody is; the log's error if it broke. */
static acc_rc wait_written(acc_audit *a, uint64_t ticket, acc_diag *d) {
  while (a->done_ticket <= ticket && !a->broken) {
    if (a->writing) {
      pthread_cond_wait(&a->cv_done, &a->mu);
      continue;
    }
    a->writing = 1;
    write_queued(a);
    a->writing = 0;
    pthread_cond_broadcast(&a->cv_done);
  }
  if (a->broken) /* its batch, or one before it, was not written */
    return acc_diag_set(d, a->broken, "%s", a->broken_msg);
  return ACC_OK;
}

acc_rc acc_audit_settle(acc_diag *d) {
  acc_audit *a = deferred.a;
  int pending = deferred.pending;
  uint64_t ticket = deferred.ticket;
  deferred.a = NULL;
  deferred.pending = 0;
  if (!a || !pending)
    return ACC_OK;
  pthread_mutex_lock(&a->mu);
  acc_rc rc = wait_written(a, ticket, d);
  pthread_mutex_unlock(&a->mu);
  return rc;
}

acc_rc acc_audit_append(acc_audit *a, const acc_audit_entry *e, acc_diag *d) {
  if (!a || e->n_objects == 0)
    return ACC_OK;
  /* The body: everything between "seq" and "prev", built here so the
   * writer only chains and hashes. */
  acc_buf b;
  acc_buf_init(&b, MAX_LINE);
  acc_rc rc = acc_buf_reserve(&b, e->objects_json_len + 512);
  char ts[ACC_TIME_BUFSZ];
  acc_time_format(acc_time_now_us(), ts);
  rc = rc ? rc : acc_buf_printf(&b, "\"time\":\"%s\",\"action\":", ts);
  rc = rc ? rc : put_str(&b, e->action);
  rc = rc ? rc : acc_buf_puts(&b, ",\"principal\":");
  rc = rc ? rc : put_str(&b, e->principal);
  rc = rc ? rc : acc_buf_puts(&b, ",\"org\":");
  rc = rc ? rc : put_str(&b, e->org);
  rc = rc ? rc : acc_buf_puts(&b, ",\"path\":");
  rc = rc ? rc : put_str(&b, e->path);
  rc = rc ? rc : acc_buf_puts(&b, ",\"objects\":[");
  if (e->objects_json)
    rc = rc ? rc : acc_buf_append(&b, e->objects_json, e->objects_json_len);
  for (size_t i = 0; !e->objects_json && i < e->n_objects && !rc; i++) {
    if (i)
      rc = acc_buf_putc(&b, ',');
    rc = rc ? rc : put_str(&b, e->objects[i]);
  }
  rc = rc ? rc : acc_buf_putc(&b, ']');
  if (rc) {
    acc_buf_free(&b);
    return acc_diag_set(d, rc, "audit entry cannot be written: %s",
                        acc_strerror(rc));
  }
  pthread_mutex_lock(&a->mu);
  if (a->broken) {
    rc = acc_diag_set(d, a->broken, "%s", a->broken_msg);
    pthread_mutex_unlock(&a->mu);
    acc_buf_free(&b);
    return rc;
  }
  /* Back-pressure: a full queue is drained first, never dropped. */
  while (a->queue.len + b.len + 1 > a->queue.limit && !a->broken) {
    if (a->writing) {
      pthread_cond_wait(&a->cv_done, &a->mu);
      continue;
    }
    a->writing = 1;
    write_queued(a);
    a->writing = 0;
    pthread_cond_broadcast(&a->cv_done);
  }
  rc = acc_buf_append(&a->queue, b.data, b.len + 1); /* with its NUL */
  if (!rc) {
    uint64_t ticket = a->next_ticket++;
    a->queued++;
    if (deferred.a == a) {
      deferred.ticket = ticket; /* written before the answer leaves */
      deferred.pending = 1;
    } else {
      rc = wait_written(a, ticket, d);
    }
  } else {
    acc_diag_set(d, rc, "audit queue full");
  }
  pthread_mutex_unlock(&a->mu);
  acc_buf_free(&b);
  return rc;
}

/* Walk the log line by line: cb gets each complete line. */
typedef acc_rc (*line_fn)(void *ctx, size_t lineno, char *line, size_t len,
                          acc_diag *d);

static acc_rc walk(const char *dir, line_fn fn, void *ctx, acc_diag *d) {
  char *path = log_path(dir);
  if (!path)
    return ACC_ENOMEM;
  FILE *f = fopen(path, "r");
  if (!f) {
    acc_rc rc = errno == ENOENT ? ACC_OK
                                : acc_diag_set(d, ACC_EIO, "cannot read %s: %s",
                                               path, strerror(errno));
    free(path);
    return rc;
  }
  free(path);
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  ssize_t n;
  acc_rc rc = ACC_OK;
  while ((n = getline(&line, &cap, f)) > 0) {
    lineno++;
    if (line[n - 1] != '\n') {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "audit log line %zu: incomplete entry (no newline)",
                        lineno);
      break;
    }
    line[--n] = '\0';
    if ((rc = fn(ctx, lineno, line, (size_t)n, d)))
      break;
  }
  free(line);
  fclose(f);
  return rc;
}

typedef struct verify_ctx {
  char prev[65];
  long long seq;
  size_t n;
} verify_ctx;

static acc_rc verify_line(void *ctx, size_t lineno, char *line, size_t len,
                          acc_diag *d) {
  verify_ctx *v = ctx;
  char *h = NULL;
  for (char *p = line; (p = strstr(p, HASH_TAG)) != NULL; p++)
    h = p;
  long long seq;
  if (!h || sscanf(line, "{\"seq\":%lld,", &seq) != 1 ||
      (size_t)(line + len - h) != sizeof HASH_TAG - 1 + 64 + 2 ||
      strcmp(h + sizeof HASH_TAG - 1 + 64, "\"}") != 0)
    return acc_diag_set(d, ACC_EINVAL, "audit log line %zu: not an audit entry",
                        lineno);
  char want[65];
  sha256_hex(line, (size_t)(h - line), want);
  if (memcmp(want, h + sizeof HASH_TAG - 1, 64) != 0)
    return acc_diag_set(d, ACC_EINVAL,
                        "audit log line %zu (seq %lld): content does not "
                        "match its hash (edited)",
                        lineno, seq);
  char prev_tag[80];
  snprintf(prev_tag, sizeof prev_tag, ",\"prev\":\"%s\"", v->prev);
  size_t pl = strlen(prev_tag);
  if ((size_t)(h - line) < pl || memcmp(h - pl, prev_tag, pl) != 0)
    return acc_diag_set(d, ACC_EINVAL,
                        "audit log line %zu (seq %lld): does not follow the "
                        "entry before it (an entry was removed, inserted or "
                        "moved)",
                        lineno, seq);
  if (seq != v->seq + 1)
    return acc_diag_set(d, ACC_EINVAL,
                        "audit log line %zu: seq %lld where %lld was due",
                        lineno, seq, v->seq + 1);
  v->seq = seq;
  memcpy(v->prev, h + sizeof HASH_TAG - 1, 64);
  v->prev[64] = '\0';
  v->n++;
  return ACC_OK;
}

acc_rc acc_audit_verify(const char *dir, size_t *n_entries, char head_hex[65],
                        acc_diag *d) {
  verify_ctx v = {.seq = 0};
  memcpy(v.prev, ZERO_HASH, 65);
  acc_rc rc = walk(dir, verify_line, &v, d);
  if (rc)
    return rc;
  *n_entries = v.n;
  memcpy(head_hex, v.prev, 65);
  return ACC_OK;
}

typedef struct show_ctx {
  const char *principal, *object;
  int64_t since, until;
  acc_audit_cb cb;
  void *ctx;
} show_ctx;

static acc_rc show_line(void *ctx, size_t lineno, char *line, size_t len,
                        acc_diag *d) {
  show_ctx *s = ctx;
  json_t *j = json_loadb(line, len, 0, NULL);
  if (!j)
    return acc_diag_set(d, ACC_EINVAL, "audit log line %zu: not JSON", lineno);
  int keep = 1;
  const char *who = json_string_value(json_object_get(j, "principal"));
  if (s->principal && (!who || strcmp(who, s->principal) != 0))
    keep = 0;
  if (keep && s->object) {
    keep = 0;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(j, "objects"), i, o) {
      const char *id = json_string_value(o);
      size_t n = strlen(s->object);
      if (id && strncmp(id, s->object, n) == 0 && (!id[n] || id[n] == '@'))
        keep = 1;
    }
  }
  if (keep && (s->since != ACC_TIME_NONE || s->until != ACC_TIME_NONE)) {
    const char *t = json_string_value(json_object_get(j, "time"));
    int64_t us;
    if (!t || acc_time_parse(t, strlen(t), 1, &us))
      keep = 0;
    else if ((s->since != ACC_TIME_NONE && us < s->since) ||
             (s->until != ACC_TIME_NONE && us > s->until))
      keep = 0;
  }
  json_decref(j);
  if (keep && s->cb(s->ctx, line, len))
    return ACC_EIO;
  return ACC_OK;
}

acc_rc acc_audit_show(const char *dir, const char *principal,
                      const char *object, int64_t since_us, int64_t until_us,
                      acc_audit_cb cb, void *ctx, acc_diag *d) {
  show_ctx s = {principal, object, since_us, until_us, cb, ctx};
  return walk(dir, show_line, &s, d);
}
