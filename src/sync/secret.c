/*
 * secret.c — what sits beside the store for federation: peers' secrets
 * and the per-peer run lock.
 *
 * A secret (a Basic password or a Bearer token) is one file,
 * DIR/secrets/peer-PID, mode 0600 in a directory of mode 0700, written to
 * a temporary file, flushed and renamed into place, and read only from a
 * regular file owned by this user that nobody else may read (a secret left
 * readable by others is refused, not used).  Secrets are never printed,
 * logged, or stored in the database; buffers that held them are wiped.
 *
 * The run lock is an flock on DIR/sync/peer-PID.lock: released by the
 * kernel when its holder dies, so a killed run never blocks the next.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sync/sync.h"

#define SECRET_MAX 4096

static acc_rc ensure_dir(const char *path, mode_t mode, acc_diag *d) {
  struct stat st;
  if (mkdir(path, mode) != 0 && errno != EEXIST)
    return acc_diag_set(d, ACC_EIO, "cannot create %s: %s", path,
                        strerror(errno));
  if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
    return acc_diag_set(d, ACC_EIO, "%s is not a directory", path);
  if (st.st_uid != geteuid())
    return acc_diag_set(d, ACC_EIO, "%s belongs to another user", path);
  if ((st.st_mode & 07777) != mode && chmod(path, mode) != 0)
    return acc_diag_set(d, ACC_EIO, "cannot restrict %s: %s", path,
                        strerror(errno));
  return ACC_OK;
}

static void secret_path(const char *dir, int64_t pid, char *out, size_t size) {
  snprintf(out, size, "%s/secrets/peer-%lld", dir, (long long)pid);
}

acc_rc acc_sync_secret_write(const char *data_dir, int64_t pid,
                             const char *secret, acc_diag *d) {
  char dir[4096], path[4200], tmp[4300];
  size_t n = strlen(secret);
  if (n == 0 || n >= SECRET_MAX)
    return acc_diag_set(d, ACC_EUSAGE, "a secret must be 1 to %d bytes long",
                        SECRET_MAX - 1);
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)secret[i] < 0x20)
      return acc_diag_set(d, ACC_EUSAGE,
                          "a secret must not hold control characters");
  snprintf(dir, sizeof dir, "%s/secrets", data_dir);
  acc_rc rc = ensure_dir(dir, 0700, d);
  if (rc)
    return rc;
  secret_path(data_dir, pid, path, sizeof path);
  snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
  mode_t old = umask(077);
  int fd = mkstemp(tmp);
  umask(old);
  if (fd < 0)
    return acc_diag_set(d, ACC_EIO, "cannot write in %s: %s", dir,
                        strerror(errno));
  int ok = fchmod(fd, 0600) == 0 && write(fd, secret, n) == (ssize_t)n &&
           fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(tmp, path) != 0) {
    int e = errno;
    unlink(tmp);
    return acc_diag_set(d, ACC_EIO, "cannot store the secret in %s: %s", dir,
                        strerror(e));
  }
  return ACC_OK;
}

acc_rc acc_sync_secret_read(const char *data_dir, int64_t pid, char *out,
                            size_t size, acc_diag *d) {
  char path[4200];
  secret_path(data_dir, pid, path, sizeof path);
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return acc_diag_set(d, ACC_ENOTFOUND, "no secret stored for peer %lld",
                          (long long)pid);
    return acc_diag_set(d, ACC_EIO, "cannot read %s: %s", path,
                        strerror(errno));
  }
  struct stat st;
  acc_rc rc = ACC_OK;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    rc = acc_diag_set(d, ACC_EIO, "%s is not a regular file", path);
    goto out;
  }
  if (st.st_uid != geteuid() || (st.st_mode & 077)) {
    rc = acc_diag_set(d, ACC_EIO,
                      "%s may be read by others (mode %03o): refusing to use "
                      "it; set the secret again with `accord peer edit`",
                      path, (unsigned)(st.st_mode & 0777));
    goto out;
  }
  if (size == 0 || (size_t)st.st_size >= size) {
    rc = acc_diag_set(d, ACC_ETOOBIG, "%s is too large", path);
    goto out;
  }
  ssize_t n = read(fd, out, size - 1);
  if (n < 0) {
    rc = acc_diag_set(d, ACC_EIO, "cannot read %s: %s", path, strerror(errno));
    goto out;
  }
  out[n] = '\0';
out:
  close(fd);
  return rc;
}

acc_rc acc_sync_secret_remove(const char *data_dir, int64_t pid, acc_diag *d) {
  char path[4200];
  secret_path(data_dir, pid, path, sizeof path);
  if (unlink(path) != 0 && errno != ENOENT)
    return acc_diag_set(d, ACC_EIO, "cannot remove %s: %s", path,
                        strerror(errno));
  return ACC_OK;
}

/* ---- the run lock ---- */

struct acc_sync_lock {
  int fd;
};

acc_rc acc_sync_lock_take(const char *data_dir, int64_t pid, unsigned wait_ms,
                          acc_sync_lock **out, acc_diag *d) {
  char dir[4096], path[4200];
  snprintf(dir, sizeof dir, "%s/sync", data_dir);
  acc_rc rc = ensure_dir(dir, 0700, d);
  if (rc)
    return rc;
  snprintf(path, sizeof path, "%s/peer-%lld.lock", dir, (long long)pid);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return acc_diag_set(d, ACC_EIO, "cannot open %s: %s", path,
                        strerror(errno));
  for (unsigned waited = 0;; waited += 50) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
      break;
    if (errno != EWOULDBLOCK || waited >= wait_ms) {
      int e = errno;
      close(fd);
      if (e == EWOULDBLOCK)
        return acc_diag_set(d, ACC_EEXIST,
                            "another process (`accord serve` or `accord "
                            "sync`) is syncing this peer now");
      return acc_diag_set(d, ACC_EIO, "cannot lock %s: %s", path, strerror(e));
    }
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 50000000L};
    nanosleep(&ts, NULL);
  }
  acc_sync_lock *l = malloc(sizeof *l);
  if (!l) {
    close(fd);
    return ACC_ENOMEM;
  }
  l->fd = fd;
  *out = l;
  return ACC_OK;
}

void acc_sync_lock_release(acc_sync_lock *l) {
  if (!l)
    return;
  flock(l->fd, LOCK_UN);
  close(l->fd);
  free(l);
}
