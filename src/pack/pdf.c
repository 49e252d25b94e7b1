/*
 * pdf.c — the statement of reasons as PDF, when a Debian package that
 * renders HTML is installed: wkhtmltopdf, else chromium headless.  Neither
 * is a dependency: without them (or if they fail) the pack simply has no
 * PDF.  The renderer runs in a scratch directory with a time limit; the
 * creation and modification dates it writes are replaced, in place and at
 * the same length, by the case's date, so that a renderer that is
 * otherwise deterministic gives the same bytes twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pack/pack.h"

extern char **environ;

#define RENDER_SECONDS 60
#define PDF_MAX ((size_t)64 << 20)

static int find_in_path(const char *prog, char *out, size_t size) {
  const char *path = getenv("PATH");
  if (!path || !*path)
    path = "/usr/bin:/bin";
  while (*path) {
    size_t n = strcspn(path, ":");
    snprintf(out, size, "%.*s/%s", (int)n, path, prog);
    if (n && access(out, X_OK) == 0)
      return 1;
    path += n;
    if (*path == ':')
      path++;
  }
  return 0;
}

static int run(char *const argv[], const char *dir) {
  pid_t pid;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  (void)dir;
  int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (e)
    return -1;
  for (int i = 0; i < RENDER_SECONDS * 10; i++) {
    int st;
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == pid)
      return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (w < 0 && errno != EINTR)
      return -1;
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  return -1;
}

/* Replace "(D:YYYYMMDDHHmmSS" after each key with the case's date. */
static void fix_dates(unsigned char *p, size_t n, int64_t date_us) {
  time_t t = (time_t)(date_us / 1000000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char d[64];
  snprintf(d, sizeof d, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  static const char *const keys[] = {
      "/CreationDate (D:", "/ModDate (D:", "/CreationDate(D:", "/ModDate(D:"};
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
    size_t kl = strlen(keys[k]);
    for (size_t i = 0; i + kl + 14 <= n; i++) {
      if (memcmp(p + i, keys[k], kl) != 0)
        continue;
      int digits = 1;
      for (size_t j = 0; j < 14; j++)
        digits &= p[i + kl + j] >= '0' && p[i + kl + j] <= '9';
      if (digits)
        memcpy(p + i + kl, d, 14);
    }
  }
}

acc_rc acc_pack_render_pdf(const char *html, size_t len, int64_t date_us,
                           unsigned char **out, size_t *out_len, acc_diag *d) {
  char prog[4096];
  int chromium = 0;
  if (!find_in_path("wkhtmltopdf", prog, sizeof prog)) {
    if (!find_in_path("chromium", prog, sizeof prog))
      return acc_diag_set(d, ACC_ENOTFOUND,
                          "no PDF renderer (wkhtmltopdf or chromium)");
    chromium = 1;
  }
  char dir[] = "/tmp/accord-pdf-XXXXXX";
  if (!mkdtemp(dir))
    return acc_diag_set(d, ACC_EIO, "cannot make a scratch directory: %s",
                        strerror(errno));
  char in[64], pdf[64], arg[128];
  snprintf(in, sizeof in, "%s/statement.html", dir);
  snprintf(pdf, sizeof pdf, "%s/statement.pdf", dir);
  acc_rc rc = ACC_OK;
  FILE *f = fopen(in, "wb");
  if (!f || fwrite(html, 1, len, f) != len) {
    if (f)
      fclose(f);
    rc = acc_diag_set(d, ACC_EIO, "cannot write %s", in);
    goto out;
  }
  if (fclose(f) != 0) {
    rc = acc_diag_set(d, ACC_EIO, "cannot write %s", in);
    goto out;
  }
  int st;
  if (chromium) {
    char url[96];
    snprintf(arg, sizeof arg, "--print-to-pdf=%s", pdf);
    snprintf(url, sizeof url, "file://%s", in);
    char *argv[] = {prog,
                    "--headless",
                    "--disable-gpu",
                    "--no-sandbox",
                    "--no-pdf-header-footer",
                    arg,
                    url,
                    NULL};
    st = run(argv, dir);
  } else {
    char *argv[] = {prog,
                    "--quiet",
                    "--disable-javascript",
                    "--disable-local-file-access",
                    in,
                    pdf,
                    NULL};
    st = run(argv, dir);
  }
  struct stat sb;
  if (st != 0 || stat(pdf, &sb) != 0 || sb.st_size <= 0 ||
      (size_t)sb.st_size > PDF_MAX) {
    rc = acc_diag_set(d, ACC_EIO, "the PDF renderer %s failed", prog);
    goto out;
  }
  unsigned char *buf = malloc((size_t)sb.st_size);
  f = fopen(pdf, "rb");
  if (!buf || !f ||
      fread(buf, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
    free(buf);
    if (f)
      fclose(f);
    rc = acc_diag_set(d, ACC_EIO, "cannot read %s", pdf);
    goto out;
  }
  fclose(f);
  fix_dates(buf, (size_t)sb.st_size, date_us);
  *out = buf;
  *out_len = (size_t)sb.st_size;
out:
  unlink(in);
  unlink(pdf);
  rmdir(dir);
  return rc;
}
