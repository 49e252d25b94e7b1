/*
 * cmd_generate.c — `accord generate demo|synthetic`: write the demo
 * scenario or synthetic load (src/gen) to a file or stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "cli/cli.h"
#include "gen/gen.h"
#include "policy/policy.h"

int acc_cmd_generate(acc_cli *g, int argc, char **argv) {
  static const struct option lo[] = {{"data", required_argument, 0, 'd'},
                                     {"json", no_argument, 0, 'J'},
                                     {"quiet", no_argument, 0, 'q'},
                                     {"help", no_argument, 0, 'h'},
                                     {"lines", no_argument, 0, 'l'},
                                     {"seed", required_argument, 0, 's'},
                                     {"count", required_argument, 0, 'n'},
                                     {"output", required_argument, 0, 'o'},
                                     {0, 0, 0, 0}};
  acc_gen_format fmt = ACC_GEN_BUNDLE;
  uint64_t seed = 1, count = 0;
  int have_count = 0;
  const char *out = NULL;
  int c;
  char *end;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qho:", lo, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, "generate", &help_done)) {
      if (help_done)
        return ACC_EXIT_OK;
      continue;
    }
    switch (c) {
    case 'l':
      fmt = ACC_GEN_LINES;
      break;
    case 's':
      errno = 0;
      seed = strtoull(optarg, &end, 10);
      if (errno || *end || optarg[0] == '-') {
        acc_cli_err("--seed: '%s' is not a number", optarg);
        return ACC_EXIT_USAGE;
      }
      break;
    case 'n':
      errno = 0;
      count = strtoull(optarg, &end, 10);
      if (errno || *end || optarg[0] == '-') {
        acc_cli_err("--count: '%s' is not a number", optarg);
        return ACC_EXIT_USAGE;
      }
      have_count = 1;
      break;
    case 'o':
      out = optarg;
      break;
    default:
      acc_cli_usage(stderr, "generate");
      return ACC_EXIT_USAGE;
    }
  }
  if (optind + 1 == argc && strcmp(argv[optind], "extensions") == 0) {
    /* Accord's own STIX extension definitions, to publish. */
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
      acc_cli_err("cannot write %s: %s", out, strerror(errno));
      return ACC_EXIT_INPUT;
    }
    /* the sharing extension, then the case extension (issue 8) without
     * repeating their common publisher's identity */
    const char *pol = acc_policy_extension_objects();
    const char *cs = strstr(acc_case_extension_objects(), "},{") + 2;
    fprintf(f, "%.*s,%s\n", (int)(strlen(pol) - 1), pol, cs);
    if (f != stdout ? fclose(f) != 0 : fflush(f) != 0) {
      acc_cli_err("generate: writing failed: %s", strerror(errno));
      return ACC_EXIT_INPUT;
    }
    return ACC_EXIT_OK;
  }
  if (optind + 1 != argc || (strcmp(argv[optind], "demo") != 0 &&
                             strcmp(argv[optind], "synthetic") != 0)) {
    acc_cli_err("generate: say what to generate: demo, synthetic or "
                "extensions");
    acc_cli_usage(stderr, "generate");
    return ACC_EXIT_USAGE;
  }
  int demo = strcmp(argv[optind], "demo") == 0;
  if (!demo && !have_count) {
    acc_cli_err("generate synthetic: --count N is required");
    return ACC_EXIT_USAGE;
  }
  FILE *f = stdout;
  if (out && !(f = fopen(out, "w"))) {
    acc_cli_err("cannot write %s: %s", out, strerror(errno));
    return ACC_EXIT_INPUT;
  }
  uint64_t n = count;
  acc_rc rc = demo ? acc_gen_demo(f, fmt, seed, &n)
                   : acc_gen_synthetic(f, fmt, count, seed);
  int bad = (f != stdout ? fclose(f) : fflush(f)) != 0;
  if (rc || bad) {
    acc_cli_err("generate: writing failed: %s",
                rc ? acc_strerror(rc) : strerror(errno));
    return ACC_EXIT_INPUT;
  }
  if (!g->quiet && out)
    fprintf(stderr, "wrote %llu objects to %s\n", (unsigned long long)n, out);
  return ACC_EXIT_OK;
}
