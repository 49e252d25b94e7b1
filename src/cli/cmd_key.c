/*
 * cmd_key.c — `accord key generate|export|list`: the organisations'
 * Ed25519 signing keys (src/case/keys.h), kept in DIR/keys with mode 0600.
 * export prints the public key ("ed25519:BASE64") that partners pin when
 * they verify a pack.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "case/keys.h"
#include "cli/cli.h"
#include "store/store.h"

typedef struct org_list_ctx {
  const char *dir;
  acc_cli *g;
} org_list_ctx;

static int on_org(void *ctx, const acc_org *o) {
  org_list_ctx *x = ctx;
  acc_org_key k;
  acc_diag d;
  if (acc_key_load(x->dir, o->name, &k, &d) != ACC_OK)
    return 0;
  char pub[ACC_KEY_PUB_TEXT_MAX];
  acc_key_public_text(k.pk, pub);
  acc_key_wipe(&k);
  if (x->g->json) {
    printf("{\"org\":");
    acc_cli_json_str(stdout, o->name);
    printf(",\"key_id\":\"%s\",\"public_key\":\"%s\"}\n", k.key_id, pub);
  } else {
    printf("%-24s %s %s\n", o->name, k.key_id, pub);
  }
  return 0;
}

int acc_cmd_key(acc_cli *g, int argc, char **argv) {
  static const struct option lo[] = {{"data", required_argument, 0, 'd'},
                                     {"json", no_argument, 0, 'J'},
                                     {"quiet", no_argument, 0, 'q'},
                                     {"help", no_argument, 0, 'h'},
                                     {"org", required_argument, 0, 'O'},
                                     {"as", required_argument, 0, 'A'},
                                     {"force", no_argument, 0, 'f'},
                                     {"output", required_argument, 0, 'o'},
                                     {0, 0, 0, 0}};
  const char *org = NULL, *as = NULL, *out = NULL;
  int force = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qho:", lo, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, "key", &help_done)) {
      if (help_done)
        return ACC_EXIT_OK;
      continue;
    }
    switch (c) {
    case 'O':
      org = optarg;
      break;
    case 'A':
      as = optarg;
      break;
    case 'f':
      force = 1;
      break;
    case 'o':
      out = optarg;
      break;
    default:
      acc_cli_usage(stderr, "key");
      return ACC_EXIT_USAGE;
    }
  }
  const char *sub = optind < argc ? argv[optind] : NULL;
  if (!sub || optind + 1 != argc ||
      (strcmp(sub, "generate") && strcmp(sub, "export") &&
       strcmp(sub, "list"))) {
    acc_cli_err("key: say generate, export or list");
    acc_cli_usage(stderr, "key");
    return ACC_EXIT_USAGE;
  }
  acc_store *s;
  acc_diag d;
  acc_rc rc = acc_store_open(g->data_dir, 0, &s, &d);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return ACC_EXIT_STORE;
  }
  int code = ACC_EXIT_OK;
  if (!strcmp(sub, "list")) {
    org_list_ctx x = {.dir = g->data_dir, .g = g};
    s->ops->org_list(s, on_org, &x, &d);
    acc_store_close(s);
    return ACC_EXIT_OK;
  }
  acc_principal p;
  char orgbuf[ACC_NAME_MAX];
  if (as) {
    if ((rc = acc_auth_principal_of(s, as, &p, &d))) {
      acc_cli_err("--as: %s", d.msg);
      acc_store_close(s);
      return ACC_EXIT_USAGE;
    }
    snprintf(orgbuf, sizeof orgbuf, "%s", p.org);
    org = orgbuf;
  }
  acc_org o;
  if (!org) {
    acc_cli_err("key %s: whose key? --org ORG or --as USER", sub);
    code = ACC_EXIT_USAGE;
  } else if (s->ops->org_get(s, org, &o, &d) != ACC_OK) {
    acc_cli_err("no organisation '%s' (see `accord org list`)", org);
    code = ACC_EXIT_USAGE;
  }
  acc_store_close(s);
  if (code)
    return code;
  acc_org_key k;
  if (!strcmp(sub, "generate"))
    rc = acc_key_generate(g->data_dir, org, force, &k, &d);
  else
    rc = acc_key_load(g->data_dir, org, &k, &d);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return rc == ACC_EEXIST ? ACC_EXIT_PARTIAL : acc_cli_exit_for(rc);
  }
  char pub[ACC_KEY_PUB_TEXT_MAX];
  acc_key_public_text(k.pk, pub);
  acc_key_wipe(&k);
  FILE *f = out ? fopen(out, "w") : stdout;
  if (!f) {
    acc_cli_err("cannot write %s: %s", out, strerror(errno));
    return ACC_EXIT_INPUT;
  }
  if (g->json) {
    fprintf(f, "{\"org\":");
    acc_cli_json_str(f, org);
    fprintf(f, ",\"key_id\":\"%s\",\"public_key\":\"%s\"}\n", k.key_id, pub);
  } else {
    fprintf(f, "%s\n", pub);
  }
  if (f != stdout && fclose(f) != 0) {
    acc_cli_err("cannot write %s: %s", out, strerror(errno));
    return ACC_EXIT_INPUT;
  }
  if (!g->quiet && !strcmp(sub, "generate"))
    fprintf(stderr, "key %s of %s made; its secret is in %s/keys\n", k.key_id,
            org, g->data_dir);
  return ACC_EXIT_OK;
}
