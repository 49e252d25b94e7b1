/*
 * cmd_pack.c — `accord pack build|verify`: the signed evidence pack of an
 * attribution case (src/pack/pack.h), built for the operator or --as USER
 * through the sharing policy, and verified offline.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/keys.h"
#include "cli/cli.h"
#include "pack/pack.h"
#include "util/time.h"

/* --key: the text itself, or a file holding it. */
static int read_key(const char *arg, unsigned char pk[32]) {
  char text[256];
  acc_diag d;
  if (strncmp(arg, "ed25519:", 8) == 0) {
    snprintf(text, sizeof text, "%s", arg);
  } else {
    FILE *f = fopen(arg, "r");
    if (!f) {
      acc_cli_err("--key: cannot read %s: %s", arg, strerror(errno));
      return -1;
    }
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
  }
  if (acc_key_public_parse(text, pk, &d)) {
    acc_cli_err("--key: %s", d.msg);
    return -1;
  }
  return 0;
}

static int do_verify(acc_cli *g, const char *dir, const char *key) {
  unsigned char pk[32];
  if (key && read_key(key, pk))
    return ACC_EXIT_USAGE;
  acc_pack_report rep;
  acc_diag d;
  acc_rc rc = acc_pack_verify_dir(dir, key ? pk : NULL, &rep, &d);
  if (g->json) {
    printf("{\"valid\":%s", rc ? "false" : "true");
    if (rc) {
      printf(",\"error\":");
      acc_cli_json_str(stdout, d.msg);
    } else {
      printf(",\"case\":");
      acc_cli_json_str(stdout, rep.case_id);
      printf(",\"signer\":");
      acc_cli_json_str(stdout, rep.signer);
      printf(",\"key_id\":\"%s\",\"key_pinned\":%s,\"release\":\"%s\","
             "\"exhibits\":%zu,\"withheld\":%zu,\"objects\":%zu,"
             "\"draft\":%s",
             rep.key_id, rep.pinned ? "true" : "false",
             acc_tlp_name(rep.release), rep.exhibits, rep.withheld, rep.objects,
             rep.draft ? "true" : "false");
    }
    printf("}\n");
  } else if (rc) {
    acc_cli_err("%s: INVALID: %s", dir, d.msg);
  } else {
    printf("%s: valid%s\n  case %s\n  signed by %s, key %s (%s)\n"
           "  TLP:%s, %zu exhibit%s, %zu withheld, %zu objects\n",
           dir, rep.draft ? " (a DRAFT)" : "", rep.case_id, rep.signer,
           rep.key_id, rep.pinned ? "the key given" : "the key the pack names",
           acc_tlp_name(rep.release), rep.exhibits,
           rep.exhibits == 1 ? "" : "s", rep.withheld, rep.objects);
    if (!rep.pinned)
      fprintf(stderr,
              "accord: note: the signature was checked against the key the "
              "pack itself names (%s); give --key with %s's published key "
              "to know who signed it\n",
              rep.public_key, rep.signer);
  }
  if (rc)
    return rc == ACC_EINVAL ? ACC_EXIT_PARTIAL : acc_cli_exit_for(rc);
  return ACC_EXIT_OK;
}

int acc_cmd_pack(acc_cli *g, int argc, char **argv) {
  static const struct option lo[] = {{"data", required_argument, 0, 'd'},
                                     {"json", no_argument, 0, 'J'},
                                     {"quiet", no_argument, 0, 'q'},
                                     {"help", no_argument, 0, 'h'},
                                     {"release", required_argument, 0, 'r'},
                                     {"out", required_argument, 0, 'o'},
                                     {"as", required_argument, 0, 'A'},
                                     {"draft", no_argument, 0, 'D'},
                                     {"pdf", required_argument, 0, 'P'},
                                     {"key", required_argument, 0, 'k'},
                                     {0, 0, 0, 0}};
  const char *release = NULL, *out = NULL, *as = NULL, *key = NULL;
  int draft = 0, pdf = 1, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qho:", lo, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, "pack", &help_done)) {
      if (help_done)
        return ACC_EXIT_OK;
      continue;
    }
    switch (c) {
    case 'r':
      release = optarg;
      break;
    case 'o':
      out = optarg;
      break;
    case 'A':
      as = optarg;
      break;
    case 'D':
      draft = 1;
      break;
    case 'P':
      if (!strcmp(optarg, "never"))
        pdf = 0;
      else if (strcmp(optarg, "auto")) {
        acc_cli_err("--pdf: auto or never");
        return ACC_EXIT_USAGE;
      }
      break;
    case 'k':
      key = optarg;
      break;
    default:
      acc_cli_usage(stderr, "pack");
      return ACC_EXIT_USAGE;
    }
  }
  const char *sub = optind < argc ? argv[optind] : NULL;
  if (!sub || optind + 2 != argc ||
      (strcmp(sub, "build") && strcmp(sub, "verify"))) {
    acc_cli_err("pack: build CASE or verify DIR");
    acc_cli_usage(stderr, "pack");
    return ACC_EXIT_USAGE;
  }
  const char *arg = argv[optind + 1];
  if (!strcmp(sub, "verify"))
    return do_verify(g, arg, key);
  acc_tlp lvl;
  if (!release || !out) {
    acc_cli_err("pack build: --release clear|green and --out DIR are "
                "required");
    return ACC_EXIT_USAGE;
  }
  if (acc_tlp_parse(release, &lvl) ||
      (lvl != ACC_TLP_CLEAR && lvl != ACC_TLP_GREEN)) {
    acc_cli_err("--release: '%s' is not clear or green", release);
    return ACC_EXIT_USAGE;
  }
  acc_store *st;
  acc_diag d;
  acc_rc rc = acc_store_open(g->data_dir, 0, &st, &d);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return ACC_EXIT_STORE;
  }
  acc_principal who = acc_principal_operator;
  if (as && (rc = acc_auth_principal_of(st, as, &who, &d))) {
    acc_cli_err("--as: %s", d.msg);
    acc_store_close(st);
    return ACC_EXIT_USAGE;
  }
  acc_audit *audit;
  if ((rc = acc_audit_open(g->data_dir, &audit, &d))) {
    acc_cli_err("%s", d.msg);
    acc_store_close(st);
    return ACC_EXIT_STORE;
  }
  acc_reader rd = {.who = &who, .path = "cli pack build", .audit = audit};
  acc_case_ctx ctx = {.st = st,
                      .rd = &rd,
                      .data_dir = g->data_dir,
                      .lists = acc_case_default_lists,
                      .now_us = ACC_TIME_NONE};
  acc_pack_opts o = {.release = lvl, .draft = draft, .pdf = pdf};
  acc_pack p;
  rc = acc_pack_build(&ctx, arg, &o, &p, &d);
  if (!rc) {
    rc = acc_pack_write_dir(&p, out, &d);
    if (!rc && !g->quiet) {
      fprintf(stderr,
              "pack of %s at TLP:%s in %s: %zu exhibit%s, %zu withheld, %zu "
              "objects, signed by %s (key %s)%s\n",
              p.case_id, acc_tlp_name(p.release), out, p.exhibits,
              p.exhibits == 1 ? "" : "s", p.withheld, p.objects, p.signer,
              p.key_id, p.draft ? " — DRAFT" : "");
    }
    acc_pack_free(&p);
  }
  acc_audit_close(audit);
  acc_store_close(st);
  if (rc) {
    acc_cli_err("pack build: %s", d.msg);
    return rc == ACC_EEXIST ? ACC_EXIT_USAGE : acc_cli_exit_for(rc);
  }
  return ACC_EXIT_OK;
}
