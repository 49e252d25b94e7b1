/*
 * shell.c — the emulated shell an attacker reaches after a login the
 * credential policy lets through, and that policy itself.  The shell
 * answers a table of common reconnaissance and dropper commands with
 * canned output; it never executes anything, never opens a file and
 * never contacts the network: attacker text only ever becomes log fields.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sensor/parse.h"

/* ---- credential policy ---- */

static int field_match(const char *pat, size_t pn, const char *s) {
  if (pn == 1 && pat[0] == '*')
    return 1;
  return strlen(s) == pn && strncmp(pat, s, pn) == 0;
}

int acc_sensor_cred_ok(const char *rules, const char *user, const char *pass) {
  const char *p = rules ? rules : "";
  for (int guard = 0; *p && guard < 4096; guard++) {
    while (*p == ' ' || *p == ',' || *p == '\t')
      p++;
    size_t n = strcspn(p, " ,\t");
    if (!n)
      break;
    const char *colon = memchr(p, ':', n);
    if (colon) {
      size_t un = (size_t)(colon - p);
      const char *pw = colon + 1;
      size_t pn = n - un - 1;
      int deny = pn > 0 && pw[0] == '!';
      if (deny) {
        pw++;
        pn--;
      }
      if (field_match(p, un, user) && field_match(pw, pn, pass))
        return !deny;
    }
    p += n;
  }
  return 0;
}

/* ---- the shell ---- */

void acc_shell_init(acc_shell *sh, const char *user, const char *host) {
  memset(sh, 0, sizeof *sh);
  snprintf(sh->user, sizeof sh->user, "%s", user && *user ? user : "root");
  for (char *c = sh->user; *c; c++)
    if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
      *c = '_'; /* the name is echoed in prompts */
  snprintf(sh->host, sizeof sh->host, "%s", host && *host ? host : "server");
  snprintf(sh->cwd, sizeof sh->cwd, "%s",
           strcmp(sh->user, "root") == 0 ? "/root" : "/home");
  if (strcmp(sh->user, "root") != 0 &&
      strlen(sh->cwd) + strlen(sh->user) + 2 < sizeof sh->cwd) {
    size_t l = strlen(sh->cwd);
    snprintf(sh->cwd + l, sizeof sh->cwd - l, "/%s", sh->user);
  }
}

static int is_root(const acc_shell *sh) {
  return strcmp(sh->user, "root") == 0;
}

static const char *home(const acc_shell *sh, char *buf, size_t cap) {
  if (is_root(sh))
    return "/root";
  snprintf(buf, cap, "/home/%s", sh->user);
  return buf;
}

acc_rc acc_shell_prompt(const acc_shell *sh, acc_buf *out) {
  char hb[128];
  const char *h = home(sh, hb, sizeof hb);
  size_t hl = strlen(h);
  const char *shown = sh->cwd;
  char tilde[160];
  if (strncmp(sh->cwd, h, hl) == 0 &&
      (sh->cwd[hl] == '\0' || sh->cwd[hl] == '/')) {
    snprintf(tilde, sizeof tilde, "~%s", sh->cwd + hl);
    shown = tilde;
  }
  return acc_buf_printf(out, "%s@%s:%s%s ", sh->user, sh->host, shown,
                        is_root(sh) ? "#" : "$");
}

/* Words of one simple command, quotes removed, cut to fixed sizes. */
#define MAX_WORDS 16
#define WORD_MAX 256

typedef struct words {
  char w[MAX_WORDS][WORD_MAX];
  int n;
  int redirect; /* output goes to a file ('>' seen) */
} words;

static void split_words(const char *s, size_t n, words *ws) {
  memset(ws, 0, sizeof *ws);
  size_t i = 0;
  while (i < n && ws->n < MAX_WORDS) {
    while (i < n && isspace((unsigned char)s[i]))
      i++;
    if (i >= n)
      break;
    if (s[i] == '>') {
      ws->redirect = 1;
      break;
    }
    char *w = ws->w[ws->n++];
    size_t k = 0;
    char q = 0;
    for (; i < n; i++) {
      char c = s[i];
      if (q) {
        if (c == q) {
          q = 0;
          continue;
        }
      } else if (c == '"' || c == '\'') {
        q = c;
        continue;
      } else if (isspace((unsigned char)c) || c == '>') {
        break;
      }
      if (k < WORD_MAX - 1)
        w[k++] = c;
    }
    w[k] = '\0';
  }
}

static void change_dir(acc_shell *sh, const char *arg) {
  char hb[128];
  char next[128];
  if (!arg || !*arg || strcmp(arg, "~") == 0) {
    snprintf(sh->cwd, sizeof sh->cwd, "%s", home(sh, hb, sizeof hb));
    return;
  }
  if (arg[0] == '/')
    snprintf(next, sizeof next, "%s", arg);
  else if (strcmp(arg, "..") == 0) {
    snprintf(next, sizeof next, "%s", sh->cwd);
    char *slash = strrchr(next, '/');
    if (slash && slash != next)
      *slash = '\0';
    else
      snprintf(next, sizeof next, "/");
  } else if (strcmp(arg, ".") == 0)
    return;
  else {
    int k = snprintf(next, sizeof next, "%s%s%s", sh->cwd,
                     strcmp(sh->cwd, "/") == 0 ? "" : "/", arg);
    if (k < 0 || (size_t)k >= sizeof next)
      return; /* a path longer than the prompt keeps: stay */
  }
  /* only printable path characters reach the prompt */
  for (char *c = next; *c; c++)
    if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
      *c = '?';
  snprintf(sh->cwd, sizeof sh->cwd, "%s", next);
}

/* Host part of a URL, for a plausible wget/curl failure. */
static void url_host(const char *url, char *out, size_t cap) {
  const char *p = strstr(url, "://");
  p = p ? p + 3 : url;
  size_t n = strcspn(p, "/:?#");
  if (n >= cap)
    n = cap - 1;
  memcpy(out, p, n);
  out[n] = '\0';
}

static acc_rc run_simple(acc_shell *sh, const char *s, size_t n, acc_buf *out) {
  words ws;
  split_words(s, n, &ws);
  if (ws.n == 0)
    return ACC_OK;
  const char *cmd = ws.w[0];
  const char *base = strrchr(cmd, '/');
  base = base ? base + 1 : cmd;
  if (strcmp(base, "busybox") == 0 && ws.n > 1) {
    /* "busybox XYZ": bots probe with a random applet name */
    if (!strchr(ws.w[1], '-') && strlen(ws.w[1]) <= 12 &&
        isupper((unsigned char)ws.w[1][0]))
      return acc_buf_printf(out, "%s: applet not found\r\n", ws.w[1]);
    base = ws.w[1];
  }
  if (!strcmp(base, "exit") || !strcmp(base, "logout") ||
      !strcmp(base, "quit")) {
    sh->exited = 1;
    return ACC_OK;
  }
  if (!strcmp(base, "cd")) {
    change_dir(sh, ws.n > 1 ? ws.w[1] : NULL);
    return ACC_OK;
  }
  if (ws.redirect) /* output to a file that is never written */
    return ACC_OK;
  if (!strcmp(base, "pwd"))
    return acc_buf_printf(out, "%s\r\n", sh->cwd);
  if (!strcmp(base, "whoami"))
    return acc_buf_printf(out, "%s\r\n", sh->user);
  if (!strcmp(base, "hostname"))
    return acc_buf_printf(out, "%s\r\n", sh->host);
  if (!strcmp(base, "id"))
    return is_root(sh) ? acc_buf_puts(out, "uid=0(root) gid=0(root) "
                                           "groups=0(root)\r\n")
                       : acc_buf_printf(out,
                                        "uid=1000(%s) gid=1000(%s) "
                                        "groups=1000(%s)\r\n",
                                        sh->user, sh->user, sh->user);
  if (!strcmp(base, "uname")) {
    if (ws.n > 1 && strchr(ws.w[1], 'a'))
      return acc_buf_printf(out,
                            "Linux %s 5.15.0-91-generic #101-Ubuntu SMP "
                            "Tue Nov 14 13:30:08 UTC 2023 x86_64 x86_64 "
                            "x86_64 GNU/Linux\r\n",
                            sh->host);
    if (ws.n > 1 && strchr(ws.w[1], 'm'))
      return acc_buf_puts(out, "x86_64\r\n");
    if (ws.n > 1 && strchr(ws.w[1], 'r'))
      return acc_buf_puts(out, "5.15.0-91-generic\r\n");
    return acc_buf_puts(out, "Linux\r\n");
  }
  if (!strcmp(base, "nproc"))
    return acc_buf_puts(out, "2\r\n");
  if (!strcmp(base, "uptime") || !strcmp(base, "w"))
    return acc_buf_puts(out, " 10:12:01 up 41 days,  3:02,  1 user,  load "
                             "average: 0.08, 0.03, 0.01\r\n");
  if (!strcmp(base, "free"))
    return acc_buf_puts(out,
                        "               total        used        free\r\n"
                        "Mem:         2030148      401232     1012840\r\n"
                        "Swap:              0           0           0\r\n");
  if (!strcmp(base, "ls")) {
    if (!strcmp(sh->cwd, "/"))
      return acc_buf_puts(out, "bin   dev  home  lib64  mnt  proc  run   "
                               "srv  tmp  var\r\nboot  etc  lib   media  "
                               "opt  root  sbin  sys  usr\r\n");
    return ACC_OK;
  }
  if (!strcmp(base, "echo")) {
    int first = 1;
    for (int i = 1; i < ws.n; i++) {
      if (first && ws.w[i][0] == '-' &&
          strspn(ws.w[i] + 1, "neE") == strlen(ws.w[i] + 1))
        continue;
      acc_rc rc = acc_buf_printf(out, "%s%s", first ? "" : " ", ws.w[i]);
      if (rc)
        return rc;
      first = 0;
    }
    return acc_buf_puts(out, "\r\n");
  }
  if (!strcmp(base, "cat")) {
    if (ws.n > 1 && !strcmp(ws.w[1], "/proc/cpuinfo"))
      return acc_buf_puts(out, "processor\t: 0\r\nvendor_id\t: GenuineIntel"
                               "\r\nmodel name\t: Intel(R) Xeon(R) CPU "
                               "E5-2680 v4 @ 2.40GHz\r\ncpu cores\t: 2\r\n");
    if (ws.n > 1 && !strcmp(ws.w[1], "/etc/passwd"))
      return acc_buf_puts(out, "root:x:0:0:root:/root:/bin/bash\r\ndaemon:"
                               "x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\r\n");
    if (ws.n > 1)
      return acc_buf_printf(out, "cat: %s: No such file or directory\r\n",
                            ws.w[1]);
    return ACC_OK;
  }
  if (!strcmp(base, "wget") || !strcmp(base, "curl") || !strcmp(base, "tftp") ||
      !strcmp(base, "ftpget")) {
    const char *url = NULL;
    for (int i = 1; i < ws.n && !url; i++)
      if (strstr(ws.w[i], "://") || strchr(ws.w[i], '.'))
        url = ws.w[i];
    if (!url)
      return acc_buf_printf(out, "%s: missing URL\r\n", base);
    char host[128];
    url_host(url, host, sizeof host);
    if (!strcmp(base, "curl"))
      return acc_buf_printf(out,
                            "curl: (7) Failed to connect to %s port 80 after "
                            "3002 ms: Connection timed out\r\n",
                            host);
    return acc_buf_printf(out,
                          "Connecting to %s... failed: Connection timed "
                          "out.\r\n",
                          host);
  }
  static const char *const silent[] = {
      "chmod",  "chown",   "rm",    "mkdir", "touch",      "cp",
      "mv",     "export",  "unset", "kill",  "sleep",      "enable",
      "system", "shell",   "sh",    "bash",  "linuxshell", "history",
      "ulimit", "crontab", "sync",  "true",  "cd..",       NULL};
  for (const char *const *k = silent; *k; k++)
    if (!strcmp(base, *k))
      return ACC_OK;
  /* Unknown: what bash says (cut so a long word stays a short line). */
  char shown[64];
  size_t l = strlen(base) < sizeof shown - 1 ? strlen(base) : sizeof shown - 1;
  for (size_t i = 0; i < l; i++)
    shown[i] = (unsigned char)base[i] >= 0x20 && (unsigned char)base[i] < 0x7f
                   ? base[i]
                   : '?';
  shown[l] = '\0';
  return acc_buf_printf(out, "-bash: %s: command not found\r\n", shown);
}

acc_rc acc_shell_run(acc_shell *sh, const char *line, size_t n, acc_buf *out,
                     acc_extract_fn fn, void *ctx) {
  if (fn)
    acc_extract(line, n, 16, fn, ctx);
  size_t i = 0;
  for (int guard = 0; i < n && guard < 256 && !sh->exited; guard++) {
    /* one simple command, up to ; & | or a line end, outside quotes */
    size_t s = i;
    char q = 0;
    while (i < n) {
      char c = line[i];
      if (q) {
        if (c == q)
          q = 0;
      } else if (c == '"' || c == '\'') {
        q = c;
      } else if (c == ';' || c == '&' || c == '|' || c == '\n' || c == '\r') {
        break;
      }
      i++;
    }
    acc_rc rc = run_simple(sh, line + s, i - s, out);
    if (rc)
      return rc;
    while (i < n && strchr(";&|\r\n", line[i]))
      i++;
  }
  return ACC_OK;
}
