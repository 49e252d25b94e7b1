/*
 * cmd_audit.c — `accord audit verify` and `accord audit show`: check the
 * audit log's hash chain, and read it filtered by principal, object and
 * time.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "util/time.h"

static int print_line(void *ctx, const char *line, size_t len) {
  (void)ctx;
  fwrite(line, 1, len, stdout);
  fputc('\n', stdout);
  return ferror(stdout) ? 1 : 0;
}

int acc_cmd_audit(acc_cli *g, int argc, char **argv) {
  static const struct option lo[] = {{"data", required_argument, 0, 'd'},
                                     {"json", no_argument, 0, 'J'},
                                     {"quiet", no_argument, 0, 'q'},
                                     {"help", no_argument, 0, 'h'},
                                     {"principal", required_argument, 0, 'p'},
                                     {"object", required_argument, 0, 'o'},
                                     {"since", required_argument, 0, 's'},
                                     {"until", required_argument, 0, 'u'},
                                     {0, 0, 0, 0}};
  const char *principal = NULL, *object = NULL;
  int64_t since = ACC_TIME_NONE, until = ACC_TIME_NONE;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qh", lo, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, "audit", &help_done)) {
      if (help_done)
        return ACC_EXIT_OK;
      continue;
    }
    switch (c) {
    case 'p':
      principal = optarg;
      break;
    case 'o':
      object = optarg;
      break;
    case 's':
    case 'u':
      if (acc_time_parse(optarg, strlen(optarg), 1,
                         c == 's' ? &since : &until)) {
        acc_cli_err("--%s: '%s' is not an RFC 3339 UTC timestamp",
                    c == 's' ? "since" : "until", optarg);
        return ACC_EXIT_USAGE;
      }
      break;
    default:
      acc_cli_usage(stderr, "audit");
      return ACC_EXIT_USAGE;
    }
  }
  if (optind + 1 != argc || (strcmp(argv[optind], "verify") != 0 &&
                             strcmp(argv[optind], "show") != 0)) {
    acc_cli_err("audit: say verify or show");
    acc_cli_usage(stderr, "audit");
    return ACC_EXIT_USAGE;
  }
  acc_diag d;
  if (strcmp(argv[optind], "show") == 0) {
    acc_rc rc = acc_audit_show(g->data_dir, principal, object, since, until,
                               print_line, NULL, &d);
    if (rc) {
      acc_cli_err("%s", d.msg);
      return ACC_EXIT_STORE;
    }
    return ACC_EXIT_OK;
  }
  size_t n = 0;
  char head[65];
  acc_rc rc = acc_audit_verify(g->data_dir, &n, head, &d);
  if (rc) {
    if (g->json) {
      fputs("{\"valid\":false,\"error\":", stdout);
      acc_cli_json_str(stdout, d.msg);
      fputs("}\n", stdout);
    }
    acc_cli_err("%s", d.msg);
    return ACC_EXIT_STORE;
  }
  if (g->json)
    printf("{\"valid\":true,\"entries\":%zu,\"head\":\"%s\"}\n", n, head);
  else
    printf("audit log of %s: %zu entries, chain intact, head %s\n", g->data_dir,
           n, head);
  return ACC_EXIT_OK;
}
