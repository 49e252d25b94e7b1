/*
 * cmd_peer.c — `accord peer add|edit|remove|list|show|status|test`: the
 * federation peers of this instance (src/sync).  Secrets given with
 * --auth are written to DIR/secrets (never to the database) and never
 * printed back; `show` and `status` say only whether one is stored.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sync/sync.h"
#include "util/time.h"

#define SECRET_MAX 4096

enum {
  O_SET = 300, /* 300 + index into set_keys */
  O_AUTH = 400,
  O_ENABLE,
  O_DISABLE,
  O_INSECURE,
  O_RESET_PULL,
  O_RESET_PUSH,
};

/* Options that set a peer setting of the same name (acc_sync_peer_set). */
static const char *const set_keys[] = {
    "url",         "api-root",       "collection",       "org",
    "direction",   "interval",       "local-collection", "push-from",
    "ca-file",     "versions",       "page-size",        "max-pages",
    "push-batch",  "push-max-bytes", "max-response",     "connect-timeout",
    "timeout",     "low-speed",      "retries",          "retry-max",
    "status-wait",
};
#define N_SET_KEYS (sizeof set_keys / sizeof set_keys[0])

typedef struct peer_args {
  const char *set_val[N_SET_KEYS];
  const char *auth;
  int enable, disable, insecure, reset_pull, reset_push;
  const char *pos[4];
  int n_pos;
} peer_args;

static int parse(acc_cli *g, int argc, char **argv, peer_args *a, int *code) {
  static struct option lo[N_SET_KEYS + 12];
  size_t k = 0;
  lo[k++] = (struct option){"data", required_argument, 0, 'd'};
  lo[k++] = (struct option){"json", no_argument, 0, 'J'};
  lo[k++] = (struct option){"quiet", no_argument, 0, 'q'};
  lo[k++] = (struct option){"help", no_argument, 0, 'h'};
  for (size_t i = 0; i < N_SET_KEYS; i++)
    lo[k++] =
        (struct option){set_keys[i], required_argument, 0, O_SET + (int)i};
  lo[k++] = (struct option){"auth", required_argument, 0, O_AUTH};
  lo[k++] = (struct option){"enable", no_argument, 0, O_ENABLE};
  lo[k++] = (struct option){"disable", no_argument, 0, O_DISABLE};
  lo[k++] = (struct option){"insecure-http", no_argument, 0, O_INSECURE};
  lo[k++] = (struct option){"reset-pull", no_argument, 0, O_RESET_PULL};
  lo[k++] = (struct option){"reset-push", no_argument, 0, O_RESET_PUSH};
  lo[k] = (struct option){0, 0, 0, 0};
  memset(a, 0, sizeof *a);
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qh", lo, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, "peer", &help_done)) {
      if (help_done) {
        *code = ACC_EXIT_OK;
        return -1;
      }
      continue;
    }
    if (c >= O_SET && c < O_SET + (int)N_SET_KEYS) {
      a->set_val[c - O_SET] = optarg;
      continue;
    }
    switch (c) {
    case O_AUTH:
      a->auth = optarg;
      break;
    case O_ENABLE:
      a->enable = 1;
      break;
    case O_DISABLE:
      a->disable = 1;
      break;
    case O_INSECURE:
      a->insecure = 1;
      break;
    case O_RESET_PULL:
      a->reset_pull = 1;
      break;
    case O_RESET_PUSH:
      a->reset_push = 1;
      break;
    default:
      goto usage;
    }
  }
  for (int i = optind + 1; i < argc; i++) { /* argv[optind] is the verb */
    if (a->n_pos == 4) {
      acc_cli_err("peer: too many arguments");
      goto usage;
    }
    a->pos[a->n_pos++] = argv[i];
  }
  if (optind >= argc) {
    acc_cli_err("peer: say add, edit, remove, list, show, status or test");
    goto usage;
  }
  return optind;
usage:
  acc_cli_usage(stderr, "peer");
  *code = ACC_EXIT_USAGE;
  return -1;
}

static int open_store(acc_cli *g, acc_store **s) {
  acc_diag d;
  if (acc_store_open(g->data_dir, 0, s, &d)) {
    acc_cli_err("%s", d.msg);
    return ACC_EXIT_STORE;
  }
  return 0;
}

/* Read a secret: from the prompt on a terminal (not echoed), else one line
 * of standard input. */
static int read_secret(const char *what, char *buf, size_t size) {
  struct termios old, quiet;
  int tty = isatty(STDIN_FILENO);
  if (tty) {
    fprintf(stderr, "%s: ", what);
    tcgetattr(STDIN_FILENO, &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  char *r = fgets(buf, (int)size, stdin);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    fputc('\n', stderr);
  }
  if (!r) {
    acc_cli_err("no %s given on standard input", what);
    return -1;
  }
  buf[strcspn(buf, "\r\n")] = '\0';
  if (!buf[0]) {
    acc_cli_err("the %s is empty", what);
    return -1;
  }
  return 0;
}

/* --auth none | basic:USER[:PASSWORD] | bearer[:TOKEN]; a missing secret
 * is read from standard input.  The secret goes to *secret (sodium
 * memory, the caller frees). */
static int parse_auth(const char *spec, acc_sync_peer *p, char **secret) {
  *secret = NULL;
  if (!strcmp(spec, "none")) {
    p->auth = ACC_SYNC_AUTH_NONE;
    p->user[0] = '\0';
    return 0;
  }
  char *buf = sodium_malloc(SECRET_MAX);
  if (!buf) {
    acc_cli_err("out of memory");
    return -1;
  }
  buf[0] = '\0';
  if (!strncmp(spec, "basic:", 6)) {
    const char *u = spec + 6, *colon = strchr(u, ':');
    size_t ul = colon ? (size_t)(colon - u) : strlen(u);
    if (ul == 0 || ul >= sizeof p->user) {
      acc_cli_err("--auth basic:USER[:PASSWORD]: the user name is missing "
                  "or too long");
      goto fail;
    }
    memcpy(p->user, u, ul);
    p->user[ul] = '\0';
    p->auth = ACC_SYNC_AUTH_BASIC;
    if (colon && colon[1]) {
      if (strlen(colon + 1) >= SECRET_MAX)
        goto too_long;
      memcpy(buf, colon + 1, strlen(colon + 1) + 1);
    } else if (read_secret("password", buf, SECRET_MAX)) {
      goto fail;
    }
  } else if (!strcmp(spec, "bearer") || !strncmp(spec, "bearer:", 7)) {
    p->auth = ACC_SYNC_AUTH_BEARER;
    p->user[0] = '\0';
    if (spec[6] == ':' && spec[7]) {
      if (strlen(spec + 7) >= SECRET_MAX)
        goto too_long;
      memcpy(buf, spec + 7, strlen(spec + 7) + 1);
    } else if (read_secret("token", buf, SECRET_MAX)) {
      goto fail;
    }
  } else {
    acc_cli_err("--auth: '%s' is none of none, basic:USER[:PASSWORD], "
                "bearer[:TOKEN]",
                strncmp(spec, "basic:", 6) && strncmp(spec, "bearer", 6)
                    ? spec
                    : "(hidden)");
    goto fail;
  }
  *secret = buf;
  return 0;
too_long:
  acc_cli_err("--auth: the secret is longer than %d bytes", SECRET_MAX - 1);
fail:
  sodium_free(buf);
  return -1;
}

/* Apply the setting options of a to p (in a fixed order, so that
 * --insecure-http is known before the URL check at the end). */
static int apply(acc_store *s, acc_sync_peer *p, const peer_args *a) {
  acc_diag d;
  if (a->insecure)
    p->insecure_http = 1;
  for (size_t i = 0; i < N_SET_KEYS; i++) {
    if (!a->set_val[i])
      continue;
    if (acc_sync_peer_set(s, p, set_keys[i], a->set_val[i], &d)) {
      acc_cli_err("%s", d.msg);
      return -1;
    }
  }
  if (a->enable)
    p->enabled = 1;
  if (a->disable)
    p->enabled = 0;
  return 0;
}

/* Tell the operator what would keep a push from sending anything. */
static void warn_grants(acc_store *s, const acc_sync_peer *p) {
  acc_diag d;
  int r = 0, w = 0;
  if ((p->direction & ACC_SYNC_PUSH) &&
      s->ops->grant_get(s, p->push_cid, p->oid, &r, &w, &d) == ACC_OK && !r) {
    acc_collection c;
    if (s->ops->coll_by_cid(s, p->push_cid, &c, &d) == ACC_OK)
      fprintf(stderr,
              "accord: note: organisation '%s' may not read collection "
              "'%s', so the sharing policy lets nothing of it be pushed to "
              "peer %s (`accord grant '%s' %s --read` to allow it)\n",
              p->org, c.alias[0] ? c.alias : c.id, p->name, p->org,
              c.alias[0] ? c.alias : c.id);
  }
}

static int cmd_add(acc_cli *g, const peer_args *a) {
  if (a->n_pos != 1) {
    acc_cli_err("peer add: name the peer (peer add NAME --url ...)");
    return ACC_EXIT_USAGE;
  }
  if (!acc_sync_peer_name_ok(a->pos[0])) {
    acc_cli_err("peer name '%s': use 1 to 64 letters, digits, '.', '_' or "
                "'-'",
                a->pos[0]);
    return ACC_EXIT_USAGE;
  }
  if (a->reset_pull || a->reset_push) {
    acc_cli_err("peer add: --reset-pull and --reset-push are for edit");
    return ACC_EXIT_USAGE;
  }
  acc_store *s;
  int code = open_store(g, &s);
  if (code)
    return code;
  acc_sync_peer *p = malloc(sizeof *p);
  char *secret = NULL;
  acc_diag d;
  if (!p) {
    acc_store_close(s);
    return ACC_EXIT_STORE;
  }
  acc_sync_peer_defaults(p);
  snprintf(p->name, sizeof p->name, "%s", a->pos[0]);
  code = ACC_EXIT_USAGE;
  if (apply(s, p, a))
    goto out;
  if (a->auth && parse_auth(a->auth, p, &secret))
    goto out;
  acc_rc rc = acc_sync_peer_check(p, &d);
  if (rc) {
    acc_cli_err("%s", d.msg);
    goto out;
  }
  if ((rc = acc_sync_peer_save(s, p, &d))) {
    acc_cli_err("%s", d.msg);
    code =
        rc == ACC_EEXIST || rc == ACC_EUSAGE ? ACC_EXIT_USAGE : ACC_EXIT_STORE;
    goto out;
  }
  if (secret && (rc = acc_sync_secret_write(g->data_dir, p->pid, secret, &d))) {
    acc_diag rd;
    acc_cli_err("%s (the peer was not added)", d.msg);
    s->ops->peer_remove(s, p->pid, &rd);
    code = ACC_EXIT_STORE;
    goto out;
  }
  warn_grants(s, p);
  if (!g->quiet)
    fprintf(stderr, "added peer %s (%s%s%s)\n", p->name,
            acc_sync_direction_name(p->direction), p->url[0] ? ", " : "",
            p->url);
  code = ACC_EXIT_OK;
out:
  if (secret)
    sodium_free(secret);
  free(p);
  acc_store_close(s);
  return code;
}

static int cmd_edit(acc_cli *g, const peer_args *a) {
  if (a->n_pos != 1) {
    acc_cli_err("peer edit: name one peer");
    return ACC_EXIT_USAGE;
  }
  acc_store *s;
  int code = open_store(g, &s);
  if (code)
    return code;
  acc_sync_peer *p = malloc(sizeof *p);
  char *secret = NULL;
  acc_sync_lock *lock = NULL;
  acc_diag d;
  acc_rc rc;
  code = ACC_EXIT_USAGE;
  if (!p)
    goto out;
  if ((rc = acc_sync_peer_load(s, a->pos[0], p, &d))) {
    acc_cli_err("%s", d.msg);
    goto out;
  }
  if (apply(s, p, a))
    goto out;
  if (a->auth && parse_auth(a->auth, p, &secret))
    goto out;
  if ((rc = acc_sync_peer_check(p, &d))) {
    acc_cli_err("%s", d.msg);
    goto out;
  }
  /* Not while a run of this peer is under way (it would write its
   * watermarks after us). */
  if ((rc = acc_sync_lock_take(g->data_dir, p->pid, 60000, &lock, &d))) {
    acc_cli_err("peer %s: %s", p->name, d.msg);
    code = ACC_EXIT_STORE;
    goto out;
  }
  if ((rc = acc_sync_peer_save(s, p, &d))) {
    acc_cli_err("%s", d.msg);
    code = ACC_EXIT_STORE;
    goto out;
  }
  if (a->auth) {
    rc = secret ? acc_sync_secret_write(g->data_dir, p->pid, secret, &d)
                : acc_sync_secret_remove(g->data_dir, p->pid, &d);
    if (rc) {
      acc_cli_err("%s", d.msg);
      code = ACC_EXIT_STORE;
      goto out;
    }
  }
  if (a->reset_pull || a->reset_push) {
    acc_peer_state st;
    if ((rc = s->ops->peer_state_get(s, p->pid, &st, &d)) == ACC_OK) {
      if (a->reset_pull)
        st.pull_after[0] = st.pull_run_after[0] = st.pull_next[0] = '\0';
      if (a->reset_push)
        st.push_after_us = ACC_TIME_NONE;
      rc = s->ops->peer_state_put(s, &st, &d);
    }
    if (rc) {
      acc_cli_err("%s", d.msg);
      code = ACC_EXIT_STORE;
      goto out;
    }
  }
  warn_grants(s, p);
  code = ACC_EXIT_OK;
out:
  acc_sync_lock_release(lock);
  if (secret)
    sodium_free(secret);
  free(p);
  acc_store_close(s);
  return code;
}

static int cmd_remove(acc_cli *g, const peer_args *a) {
  if (a->n_pos != 1) {
    acc_cli_err("peer remove: name one peer");
    return ACC_EXIT_USAGE;
  }
  acc_store *s;
  int code = open_store(g, &s);
  if (code)
    return code;
  acc_peer_row *row = malloc(sizeof *row);
  acc_sync_lock *lock = NULL;
  acc_diag d;
  code = ACC_EXIT_USAGE;
  if (!row || s->ops->peer_get(s, a->pos[0], row, &d)) {
    acc_cli_err("%s", row ? d.msg : "out of memory");
    goto out;
  }
  code = ACC_EXIT_STORE;
  if (acc_sync_lock_take(g->data_dir, row->pid, 60000, &lock, &d) ||
      s->ops->peer_remove(s, row->pid, &d) ||
      acc_sync_secret_remove(g->data_dir, row->pid, &d)) {
    acc_cli_err("peer %s: %s", row->name, d.msg);
    goto out;
  }
  if (!g->quiet)
    fprintf(stderr,
            "removed peer %s (the provenance of what came from it stays)\n",
            row->name);
  code = ACC_EXIT_OK;
out:
  acc_sync_lock_release(lock);
  free(row);
  acc_store_close(s);
  return code;
}

static const char *jstr(json_t *o, const char *k) {
  const char *v = json_string_value(json_object_get(o, k));
  return v ? v : "-";
}

static long long jint(json_t *o, const char *k) {
  return (long long)json_integer_value(json_object_get(o, k));
}

static void interval_text(long long ms, char *out, size_t size) {
  if (ms % 3600000 == 0)
    snprintf(out, size, "%lldh", ms / 3600000);
  else if (ms % 60000 == 0)
    snprintf(out, size, "%lldm", ms / 60000);
  else if (ms % 1000 == 0)
    snprintf(out, size, "%llds", ms / 1000);
  else
    snprintf(out, size, "%lldms", ms);
}

static int report(acc_cli *g, const char *name, json_t **out) {
  acc_store *s;
  int code = open_store(g, &s);
  if (code)
    return code;
  acc_diag d;
  acc_rc rc = acc_sync_report(s, g->data_dir, name, acc_time_now_us(), out, &d);
  acc_store_close(s);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return rc == ACC_ENOTFOUND ? ACC_EXIT_USAGE : ACC_EXIT_STORE;
  }
  return 0;
}

static void print_json_lines(json_t *arr) {
  size_t i;
  json_t *e;
  json_array_foreach(arr, i, e) {
    json_dumpf(e, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
  }
}

static int cmd_list(acc_cli *g, const peer_args *a) {
  json_t *arr;
  if (a->n_pos) {
    acc_cli_err("peer list: unexpected argument '%s'", a->pos[0]);
    return ACC_EXIT_USAGE;
  }
  int code = report(g, NULL, &arr);
  if (code)
    return code;
  size_t i;
  json_t *e;
  if (g->json) {
    json_array_foreach(arr, i, e) json_object_del(e, "status");
    print_json_lines(arr);
  } else {
    if (json_array_size(arr))
      printf("%-16s %-7s %-9s %-16s %-8s %s\n", "NAME", "DIR", "INTERVAL",
             "ORG", "STATE", "URL COLLECTION");
    json_array_foreach(arr, i, e) {
      char iv[32];
      interval_text(jint(e, "interval_ms"), iv, sizeof iv);
      printf("%-16s %-7s %-9s %-16s %-8s %s %s\n", jstr(e, "name"),
             jstr(e, "direction"), iv, jstr(e, "org"),
             json_is_true(json_object_get(e, "enabled")) ? "enabled"
                                                         : "disabled",
             jstr(e, "url"), jstr(e, "collection"));
    }
  }
  json_decref(arr);
  return ACC_EXIT_OK;
}

static int cmd_show(acc_cli *g, const peer_args *a) {
  if (a->n_pos != 1) {
    acc_cli_err("peer show: name one peer");
    return ACC_EXIT_USAGE;
  }
  json_t *arr;
  int code = report(g, a->pos[0], &arr);
  if (code)
    return code;
  json_t *e = json_array_get(arr, 0);
  json_object_del(e, "status");
  if (g->json) {
    print_json_lines(arr);
  } else {
    const char *key;
    json_t *v;
    json_object_foreach(e, key, v) {
      if (!strcmp(key, "auth")) {
        const char *kind = json_string_value(v);
        printf("%-20s %s%s%s%s\n", "auth:", kind,
               !strcmp(kind, "basic") ? " as " : "",
               !strcmp(kind, "basic") ? jstr(e, "user") : "",
               strcmp(kind, "none") == 0 ? ""
               : json_is_true(json_object_get(e, "secret_stored"))
                   ? " (secret stored)"
                   : " (NO SECRET STORED)");
        continue;
      }
      if (!strcmp(key, "user") || !strcmp(key, "secret_stored"))
        continue;
      char k[64];
      snprintf(k, sizeof k, "%s:", key);
      if (json_is_string(v))
        printf("%-20s %s\n", k,
               json_string_value(v)[0] ? json_string_value(v) : "(none)");
      else if (json_is_boolean(v))
        printf("%-20s %s\n", k, json_is_true(v) ? "yes" : "no");
      else if (json_is_integer(v))
        printf("%-20s %lld\n", k, (long long)json_integer_value(v));
    }
  }
  json_decref(arr);
  return ACC_EXIT_OK;
}

static void status_text(json_t *e) {
  json_t *st = json_object_get(e, "status");
  json_t *pl = json_object_get(st, "pull"), *ps = json_object_get(st, "push");
  json_t *err = json_object_get(st, "last_error");
  char iv[32];
  interval_text(jint(e, "interval_ms"), iv, sizeof iv);
  if (!strcmp(jstr(e, "direction"), "receive")) {
    printf("peer %s: receives only (it pushes to us and is never "
           "contacted), org %s\n",
           jstr(e, "name"), jstr(e, "org"));
    return;
  }
  printf("peer %s: %s, %s every %s, org %s, %s -> %s\n", jstr(e, "name"),
         jstr(st, "health"), jstr(e, "direction"), iv, jstr(e, "org"),
         jstr(e, "url"), jstr(e, "collection"));
  if (!json_is_true(json_object_get(e, "enabled")))
    printf("  disabled (accord serve does not run it)\n");
  printf("  last run: %s", jstr(st, "last_attempt"));
  if (jint(st, "failures"))
    printf(" (%lld failed in a row)", jint(st, "failures"));
  printf("\n");
  if (json_is_object(err))
    printf("  last error: %s: %s\n", jstr(err, "at"), jstr(err, "message"));
  if (json_is_string(json_object_get(st, "last_reject")))
    printf("  last refused object: %s\n", jstr(st, "last_reject"));
  const char *dir = jstr(e, "direction");
  int pulls = !strcmp(dir, "pull") || !strcmp(dir, "both");
  int pushes = !strcmp(dir, "push") || !strcmp(dir, "both");
  json_t *lag = json_object_get(pl, "lag_s");
  if (pulls || jint(pl, "pulled")) {
    printf("  pull: watermark %s%s; caught up %s", jstr(pl, "watermark"),
           json_is_true(json_object_get(pl, "next_saved")) ? " (+ next token)"
                                                           : "",
           jstr(pl, "caught_up_at"));
    if (json_is_number(lag))
      printf(" (lag %.1f s)", json_number_value(lag));
    printf("\n        pulled %lld, duplicates %lld, rejected %lld\n",
           jint(pl, "pulled"), jint(pl, "duplicates"), jint(pl, "rejected"));
  }
  if (pushes || jint(ps, "pushed")) {
    printf("  push: watermark %s; caught up %s; pending %lld (lag %.1f s)\n",
           jstr(ps, "watermark"), jstr(ps, "caught_up_at"), jint(ps, "pending"),
           json_number_value(json_object_get(ps, "lag_s")));
    printf("        pushed %lld, rejected by the peer %lld, withheld by the "
           "sharing policy %lld\n",
           jint(ps, "pushed"), jint(ps, "rejected"), jint(ps, "withheld"));
  }
}

static int cmd_status(acc_cli *g, const peer_args *a) {
  if (a->n_pos > 1) {
    acc_cli_err("peer status: at most one peer");
    return ACC_EXIT_USAGE;
  }
  json_t *arr;
  int code = report(g, a->n_pos ? a->pos[0] : NULL, &arr);
  if (code)
    return code;
  if (g->json) {
    print_json_lines(arr);
  } else {
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) status_text(e);
    if (!json_array_size(arr))
      printf("no peers (add one with `accord peer add`)\n");
  }
  json_decref(arr);
  return ACC_EXIT_OK;
}

static int cmd_test(acc_cli *g, const peer_args *a) {
  if (a->n_pos != 1) {
    acc_cli_err("peer test: name one peer");
    return ACC_EXIT_USAGE;
  }
  acc_store *s;
  int code = open_store(g, &s);
  if (code)
    return code;
  acc_diag d;
  acc_rc rc = acc_sync_test(s, g->data_dir, a->pos[0], stdout, &d);
  acc_store_close(s);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return rc == ACC_ENOTFOUND && strstr(d.msg, "no peer") ? ACC_EXIT_USAGE
                                                           : ACC_EXIT_INPUT;
  }
  return ACC_EXIT_OK;
}

int acc_cmd_peer(acc_cli *g, int argc, char **argv) {
  peer_args a;
  int code = ACC_EXIT_USAGE;
  int verb = parse(g, argc, argv, &a, &code);
  if (verb < 0)
    return code;
  const char *v = argv[verb];
  if (!strcmp(v, "add"))
    return cmd_add(g, &a);
  if (!strcmp(v, "edit"))
    return cmd_edit(g, &a);
  if (!strcmp(v, "remove"))
    return cmd_remove(g, &a);
  if (!strcmp(v, "list"))
    return cmd_list(g, &a);
  if (!strcmp(v, "show"))
    return cmd_show(g, &a);
  if (!strcmp(v, "status"))
    return cmd_status(g, &a);
  if (!strcmp(v, "test"))
    return cmd_test(g, &a);
  acc_cli_err("peer: no subcommand '%s' (add, edit, remove, list, show, "
              "status, test)",
              v);
  return ACC_EXIT_USAGE;
}
