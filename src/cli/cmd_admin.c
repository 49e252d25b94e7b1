/*
 * cmd_admin.c — administration of who may do what: `accord org`,
 * `accord user`, `accord token`, `accord collection` and `accord grant`.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "store/store.h"
#include "util/time.h"

enum {
  O_DATA = 'd',
  O_QUIET = 'q',
  O_HELP = 'h',
  O_JSON = 'J', /* handled by acc_cli_common_opt */
  O_ORG = 256,
  O_PW_STDIN,
  O_NO_PW,
  O_ADMIN,
  O_LABEL,
  O_EXPIRES,
  O_ALIAS,
  O_ID,
  O_DESC,
  O_API_ROOT,
  O_PUBLIC,
  O_READ,
  O_WRITE,
  O_MEMBER,
  O_NOT_MEMBER,
  O_IDENTITY,
  O_MARKING,
};

static const struct option admin_opts[] = {
    {"data", required_argument, 0, O_DATA},
    {"json", no_argument, 0, O_JSON},
    {"quiet", no_argument, 0, O_QUIET},
    {"help", no_argument, 0, O_HELP},
    {"org", required_argument, 0, O_ORG},
    {"password-stdin", no_argument, 0, O_PW_STDIN},
    {"no-password", no_argument, 0, O_NO_PW},
    {"admin", no_argument, 0, O_ADMIN},
    {"label", required_argument, 0, O_LABEL},
    {"expires", required_argument, 0, O_EXPIRES},
    {"alias", required_argument, 0, O_ALIAS},
    {"id", required_argument, 0, O_ID},
    {"description", required_argument, 0, O_DESC},
    {"api-root", required_argument, 0, O_API_ROOT},
    {"public-read", no_argument, 0, O_PUBLIC},
    {"read", no_argument, 0, O_READ},
    {"write", no_argument, 0, O_WRITE},
    {"member", no_argument, 0, O_MEMBER},
    {"not-member", no_argument, 0, O_NOT_MEMBER},
    {"identity", required_argument, 0, O_IDENTITY},
    {"default-marking", required_argument, 0, O_MARKING},
    {0, 0, 0, 0}};

typedef struct admin_args {
  const char *org, *label, *alias, *id, *desc, *api_root, *identity, *marking;
  int pw_stdin, no_pw, admin, public_read, read, write, not_member;
  int64_t expires_us;
  const char *pos[4];
  int n_pos;
} admin_args;

static int parse(acc_cli *g, const char *name, int argc, char **argv,
                 admin_args *a, int *code) {
  memset(a, 0, sizeof *a);
  a->expires_us = ACC_TIME_NONE;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qh", admin_opts, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, name, &help_done)) {
      if (help_done) {
        *code = ACC_EXIT_OK;
        return -1;
      }
      continue;
    }
    switch (c) {
    case O_ORG:
      a->org = optarg;
      break;
    case O_PW_STDIN:
      a->pw_stdin = 1;
      break;
    case O_NO_PW:
      a->no_pw = 1;
      break;
    case O_ADMIN:
      a->admin = 1;
      break;
    case O_LABEL:
      a->label = optarg;
      break;
    case O_EXPIRES:
      if (acc_time_parse(optarg, strlen(optarg), 1, &a->expires_us)) {
        acc_cli_err("--expires: '%s' is not an RFC 3339 UTC timestamp", optarg);
        goto usage;
      }
      break;
    case O_ALIAS:
      a->alias = optarg;
      break;
    case O_ID:
      a->id = optarg;
      break;
    case O_DESC:
      a->desc = optarg;
      break;
    case O_API_ROOT:
      a->api_root = optarg;
      break;
    case O_PUBLIC:
      a->public_read = 1;
      break;
    case O_READ:
      a->read = 1;
      break;
    case O_WRITE:
      a->write = 1;
      break;
    case O_MEMBER:
      a->not_member = 0;
      break;
    case O_NOT_MEMBER:
      a->not_member = 1;
      break;
    case O_IDENTITY:
      a->identity = optarg;
      break;
    case O_MARKING:
      a->marking = optarg;
      break;
    default:
      goto usage;
    }
  }
  for (int i = optind; i < argc; i++) {
    if (a->n_pos == 4) {
      acc_cli_err("%s: too many arguments", name);
      goto usage;
    }
    a->pos[a->n_pos++] = argv[i];
  }
  return 0;
usage:
  acc_cli_usage(stderr, name);
  *code = ACC_EXIT_USAGE;
  return -1;
}

static int open_rw(acc_cli *g, acc_store **s) {
  acc_diag d;
  acc_rc rc = acc_store_open(g->data_dir, 0, s, &d);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return ACC_EXIT_STORE;
  }
  return 0;
}

static int fail_rc(acc_rc rc, const acc_diag *d) {
  acc_cli_err("%s", d->msg);
  return rc == ACC_EEXIST || rc == ACC_ENOTFOUND || rc == ACC_EINVAL
             ? ACC_EXIT_USAGE
             : ACC_EXIT_STORE;
}

static int check_name(const char *what, const char *v) {
  size_t n = strlen(v);
  if (n == 0 || n >= ACC_NAME_MAX) {
    acc_cli_err("%s must be 1 to %d characters", what, ACC_NAME_MAX - 1);
    return -1;
  }
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)v[i] < 0x20) {
      acc_cli_err("%s must not contain control characters", what);
      return -1;
    }
  return 0;
}

/* ---- org ---- */

static int print_org(void *ctx, const acc_org *o) {
  acc_cli *g = ctx;
  if (g->json) {
    fputs("{\"name\":", stdout);
    acc_cli_json_str(stdout, o->name);
    printf(",\"member\":%s,\"identity\":", o->member ? "true" : "false");
    acc_cli_json_str(stdout, o->identity_ref);
    fputs("}\n", stdout);
  } else {
    printf("%-40s %s %s\n", o->name, o->member ? "member" : "partner",
           o->identity_ref);
  }
  return 0;
}

int acc_cmd_org(acc_cli *g, int argc, char **argv) {
  admin_args a;
  int code;
  if (parse(g, "org", argc, argv, &a, &code))
    return code;
  if (a.n_pos < 1 ||
      (strcmp(a.pos[0], "add") != 0 && strcmp(a.pos[0], "list") != 0)) {
    acc_cli_err("org: say add NAME or list");
    acc_cli_usage(stderr, "org");
    return ACC_EXIT_USAGE;
  }
  acc_store *s;
  if ((code = open_rw(g, &s)))
    return code;
  acc_diag d;
  acc_rc rc;
  if (strcmp(a.pos[0], "list") == 0) {
    rc = s->ops->org_list(s, print_org, g, &d);
    code = rc ? fail_rc(rc, &d) : ACC_EXIT_OK;
  } else if (a.n_pos != 2 || check_name("the organisation name", a.pos[1])) {
    acc_cli_err("org add: name one organisation");
    code = ACC_EXIT_USAGE;
  } else if (a.identity && !acc_stix_id_valid(a.identity, "identity")) {
    acc_cli_err("--identity: '%s' is not an identity id", a.identity);
    code = ACC_EXIT_USAGE;
  } else {
    acc_org o = {.member = !a.not_member};
    snprintf(o.name, sizeof o.name, "%s", a.pos[1]);
    snprintf(o.identity_ref, sizeof o.identity_ref, "%s",
             a.identity ? a.identity : "");
    rc = s->ops->org_add(s, &o, &d);
    code = rc ? fail_rc(rc, &d) : ACC_EXIT_OK;
    if (!rc && !g->quiet)
      printf("added organisation %s (%s)\n", o.name,
             o.member ? "community member" : "not a community member");
  }
  acc_store_close(s);
  return code;
}

/* ---- user ---- */

/* Read a password: a line from stdin, or a prompt without echo. */
static int read_password(int from_stdin, char *buf, size_t size) {
  struct termios old, quiet;
  int tty = !from_stdin && isatty(STDIN_FILENO);
  if (!from_stdin && !tty) {
    acc_cli_err("no terminal to ask for a password: use --password-stdin "
                "or --no-password");
    return -1;
  }
  if (tty) {
    fputs("password: ", stderr);
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
    acc_cli_err("no password given");
    return -1;
  }
  buf[strcspn(buf, "\r\n")] = '\0';
  if (!buf[0]) {
    acc_cli_err("the password is empty");
    return -1;
  }
  return 0;
}

int acc_cmd_user(acc_cli *g, int argc, char **argv) {
  admin_args a;
  int code;
  if (parse(g, "user", argc, argv, &a, &code))
    return code;
  if (a.n_pos != 2 || strcmp(a.pos[0], "add") != 0 || !a.org) {
    acc_cli_err("user: say add NAME --org ORG");
    acc_cli_usage(stderr, "user");
    return ACC_EXIT_USAGE;
  }
  if (check_name("the user name", a.pos[1]))
    return ACC_EXIT_USAGE;
  acc_user u = {.admin = a.admin};
  snprintf(u.name, sizeof u.name, "%s", a.pos[1]);
  char pw[512];
  acc_diag d;
  if (!a.no_pw) {
    if (read_password(a.pw_stdin, pw, sizeof pw))
      return ACC_EXIT_USAGE;
    acc_rc rc = acc_auth_hash_password(pw, u.pwhash, sizeof u.pwhash, &d);
    sodium_memzero(pw, sizeof pw);
    if (rc) {
      acc_cli_err("%s", d.msg);
      return ACC_EXIT_USAGE;
    }
  }
  acc_store *s;
  if ((code = open_rw(g, &s)))
    return code;
  acc_org o;
  acc_rc rc = s->ops->org_get(s, a.org, &o, &d);
  if (!rc) {
    u.oid = o.oid;
    rc = s->ops->user_add(s, &u, &d);
  }
  code = rc ? fail_rc(rc, &d) : ACC_EXIT_OK;
  if (!rc && !g->quiet)
    printf("added user %s of %s%s\n", u.name, o.name,
           u.admin ? " (administrator)" : "");
  acc_store_close(s);
  return code;
}

/* ---- token ---- */

int acc_cmd_token(acc_cli *g, int argc, char **argv) {
  admin_args a;
  int code;
  if (parse(g, "token", argc, argv, &a, &code))
    return code;
  if (a.n_pos != 2 || strcmp(a.pos[0], "create") != 0) {
    acc_cli_err("token: say create USER");
    acc_cli_usage(stderr, "token");
    return ACC_EXIT_USAGE;
  }
  acc_store *s;
  if ((code = open_rw(g, &s)))
    return code;
  acc_user u;
  acc_diag d;
  char tok[ACC_TOKEN_MAX];
  acc_rc rc = s->ops->user_get(s, a.pos[1], &u, &d);
  if (rc == ACC_ENOTFOUND)
    acc_diag_set(&d, rc, "no user '%s'", a.pos[1]);
  if (!rc)
    rc = acc_auth_token_create(s, u.uid, a.label, a.expires_us, tok, &d);
  if (rc) {
    code = fail_rc(rc, &d);
  } else {
    if (g->json) {
      fputs("{\"token\":", stdout);
      acc_cli_json_str(stdout, tok);
      fputs(",\"user\":", stdout);
      acc_cli_json_str(stdout, u.name);
      fputs("}\n", stdout);
    } else {
      printf("%s\n", tok);
      if (!g->quiet)
        fprintf(stderr,
                "token for %s (shown once; send it as "
                "'Authorization: Bearer TOKEN')\n",
                u.name);
    }
    sodium_memzero(tok, sizeof tok);
  }
  acc_store_close(s);
  return code;
}

/* ---- collection ---- */

static void uuid4(char out[40]) {
  unsigned char u[16];
  randombytes_buf(u, sizeof u);
  u[6] = (u[6] & 0x0f) | 0x40;
  u[8] = (u[8] & 0x3f) | 0x80;
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, u, sizeof u);
  snprintf(out, 40, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
           hex + 16, hex + 20);
}

static int print_coll(void *ctx, const acc_collection *c) {
  acc_cli *g = ctx;
  if (g->json) {
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "id", c->id, "api_root",
                  c->api_root, "alias", c->alias, "title", c->title,
                  "description", c->description, "public_read", c->public_read);
    if (o)
      json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(o);
  } else {
    printf("%s  %-6s %-16s %s\n", c->id, c->api_root, c->alias, c->title);
  }
  return 0;
}

int acc_cmd_collection(acc_cli *g, int argc, char **argv) {
  admin_args a;
  int code;
  if (parse(g, "collection", argc, argv, &a, &code))
    return code;
  if (a.n_pos < 1 ||
      (strcmp(a.pos[0], "add") != 0 && strcmp(a.pos[0], "list") != 0)) {
    acc_cli_err("collection: say add TITLE or list");
    acc_cli_usage(stderr, "collection");
    return ACC_EXIT_USAGE;
  }
  acc_store *s;
  if ((code = open_rw(g, &s)))
    return code;
  acc_diag d;
  acc_rc rc;
  if (strcmp(a.pos[0], "list") == 0) {
    rc = s->ops->coll_list(s, a.api_root, print_coll, g, &d);
    code = rc ? fail_rc(rc, &d) : ACC_EXIT_OK;
    acc_store_close(s);
    return code;
  }
  acc_collection c = {.public_read = a.public_read};
  if (a.n_pos != 2 || check_name("the title", a.pos[1]) ||
      (a.alias && check_name("the alias", a.alias))) {
    acc_store_close(s);
    return ACC_EXIT_USAGE;
  }
  if (a.id) {
    char probe[ACC_ID_MAX];
    snprintf(probe, sizeof probe, "x--%s", a.id);
    if (!acc_stix_id_valid(probe, "x") || strlen(a.id) != 36) {
      acc_cli_err("--id: '%s' is not a UUID", a.id);
      acc_store_close(s);
      return ACC_EXIT_USAGE;
    }
    snprintf(c.id, sizeof c.id, "%s", a.id);
  } else {
    uuid4(c.id);
  }
  if (a.marking && !acc_stix_id_valid(a.marking, "marking-definition")) {
    acc_cli_err("--default-marking: '%s' is not a marking-definition id",
                a.marking);
    acc_store_close(s);
    return ACC_EXIT_USAGE;
  }
  snprintf(c.title, sizeof c.title, "%s", a.pos[1]);
  snprintf(c.alias, sizeof c.alias, "%s", a.alias ? a.alias : "");
  snprintf(c.description, sizeof c.description, "%s", a.desc ? a.desc : "");
  snprintf(c.api_root, sizeof c.api_root, "%s",
           a.api_root ? a.api_root : "api");
  snprintf(c.default_marking, sizeof c.default_marking, "%s",
           a.marking ? a.marking : "");
  rc = s->ops->coll_add(s, &c, &d);
  code = rc ? fail_rc(rc, &d) : ACC_EXIT_OK;
  if (!rc) {
    if (g->json)
      print_coll(g, &c);
    else if (!g->quiet)
      printf("added collection %s (%s)\n", c.id, c.title);
  }
  acc_store_close(s);
  return code;
}

/* ---- grant ---- */

int acc_cmd_grant(acc_cli *g, int argc, char **argv) {
  admin_args a;
  int code;
  if (parse(g, "grant", argc, argv, &a, &code))
    return code;
  if (a.n_pos != 2) {
    acc_cli_err("grant: name ORG and COLLECTION");
    acc_cli_usage(stderr, "grant");
    return ACC_EXIT_USAGE;
  }
  acc_store *s;
  if ((code = open_rw(g, &s)))
    return code;
  acc_diag d;
  acc_org o;
  acc_collection c;
  acc_rc rc = s->ops->org_get(s, a.pos[0], &o, &d);
  if (!rc)
    rc = s->ops->coll_get(s, NULL, a.pos[1], &c, &d);
  if (!rc)
    rc = s->ops->grant_set(s, c.cid, o.oid, a.read, a.write, &d);
  code = rc ? fail_rc(rc, &d) : ACC_EXIT_OK;
  if (!rc && !g->quiet)
    printf("%s on %s: %s%s%s\n", o.name, c.title, a.read ? "read" : "",
           a.read && a.write ? " and " : "",
           a.write ? "write" : (a.read ? "" : "no access"));
  acc_store_close(s);
  return code;
}
