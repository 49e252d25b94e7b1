/*
 * cmd_correlate.c — `accord correlate VALUE|ID`: which stored objects,
 * reports, sightings and partners mention the same values (read as the
 * operator or --as USER, through the sharing policy); and the index's
 * upkeep: `accord correlate --rebuild` / `accord index rebuild`, `--stats`,
 * `--set-common N`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "cli/cli.h"
#include "correlate/correlate.h"
#include "correlate/lists.h"
#include "policy/guard.h"
#include "util/time.h"

enum {
  O_AS = 256,
  O_LIMIT,
  O_AT,
  O_COMMON,
  O_REBUILD,
  O_STATS,
  O_SET_COMMON,
  O_TIMING,
};

static const struct option corr_opts[] = {
    {"data", required_argument, 0, 'd'},
    {"json", no_argument, 0, 'J'},
    {"quiet", no_argument, 0, 'q'},
    {"help", no_argument, 0, 'h'},
    {"as", required_argument, 0, O_AS},
    {"limit", required_argument, 0, O_LIMIT},
    {"at", required_argument, 0, O_AT},
    {"common", required_argument, 0, O_COMMON},
    {"rebuild", no_argument, 0, O_REBUILD},
    {"stats", no_argument, 0, O_STATS},
    {"set-common", required_argument, 0, O_SET_COMMON},
    {"timing", no_argument, 0, O_TIMING},
    {0, 0, 0, 0}};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int positive(const char *opt, const char *s, unsigned long *out) {
  char *end;
  unsigned long v = strtoul(s, &end, 10);
  if (!*s || *end || !v || v > 1000000) {
    acc_cli_err("%s: '%s' is not a number from 1 to 1000000", opt, s);
    return -1;
  }
  *out = v;
  return 0;
}

static int rebuild(acc_cli *g, acc_store *s) {
  acc_corr_rebuild_counts c;
  acc_diag d;
  double t0 = now_s();
  acc_rc rc = acc_corr_rebuild(s, &c, &d);
  double dt = now_s() - t0;
  if (rc) {
    acc_cli_err("rebuilding the correlation index: %s", d.msg);
    return ACC_EXIT_STORE;
  }
  if (g->json)
    printf("{\"versions\":%zu,\"indexed\":%zu,\"occurrences\":%zu,"
           "\"unreadable\":%zu,\"seconds\":%.3f,\"phases\":{\"clear\":%.3f,"
           "\"read\":%.3f,\"write\":%.3f,\"commit\":%.3f}}\n",
           c.versions, c.indexed, c.values, c.bad, dt, c.s_clear, c.s_read,
           c.s_write, c.s_commit);
  else if (!g->quiet)
    fprintf(stderr,
            "accord: correlation index rebuilt: %zu versions read, %zu with "
            "values, %zu occurrences, in %.1f s\n",
            c.versions, c.indexed, c.values, dt);
  return ACC_EXIT_OK;
}

static int stats(acc_cli *g, acc_store *s) {
  acc_corr_stats st;
  acc_diag d;
  if (s->ops->corr_stats(s, &st, &d)) {
    acc_cli_err("%s", d.msg);
    return ACC_EXIT_STORE;
  }
  unsigned common = acc_corr_common_sources(s);
  double per = st.postings ? (double)st.bytes / (double)st.postings : 0;
  if (g->json)
    printf("{\"values\":%lld,\"postings\":%lld,\"versions\":%lld,"
           "\"live_versions\":%lld,\"classes\":%lld,\"bytes\":%lld,"
           "\"bytes_per_posting\":%.1f,\"common_sources\":%u}\n",
           (long long)st.values, (long long)st.postings, (long long)st.docs,
           (long long)st.live_docs, (long long)st.classes,
           (long long)st.bytes, per, common);
  else
    printf("values %lld\npostings %lld\nversions indexed %lld (live %lld)\n"
           "sharing classes %lld\nbytes on disk %lld (%.1f per posting)\n"
           "common above %u sources\n",
           (long long)st.values, (long long)st.postings, (long long)st.docs,
           (long long)st.live_docs, (long long)st.classes,
           (long long)st.bytes, per, common);
  return ACC_EXIT_OK;
}

int acc_cmd_correlate(acc_cli *g, int argc, char **argv) {
  const char *as = NULL;
  acc_corr_opts o = {.at_us = ACC_TIME_NONE};
  int do_rebuild = 0, do_stats = 0, timing = 0;
  unsigned long set_common = 0, v;
  int c;
  optind = 1;
  /* `accord index rebuild|stats` is this command too */
  int index_cmd = argc > 0 && strcmp(argv[0], "index") == 0;
  while ((c = getopt_long(argc, argv, "d:qh", corr_opts, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, index_cmd ? "index" : "correlate",
                           &help_done)) {
      if (help_done)
        return ACC_EXIT_OK;
      continue;
    }
    switch (c) {
    case O_AS:
      as = optarg;
      break;
    case O_LIMIT:
      if (positive("--limit", optarg, &v))
        return ACC_EXIT_USAGE;
      o.max_objects = v;
      break;
    case O_COMMON:
      if (positive("--common", optarg, &v))
        return ACC_EXIT_USAGE;
      o.common = (unsigned)v;
      break;
    case O_SET_COMMON:
      if (positive("--set-common", optarg, &set_common))
        return ACC_EXIT_USAGE;
      break;
    case O_AT: {
      int day;
      if (acc_lists_date(optarg, strlen(optarg), &o.at_us, &day)) {
        acc_cli_err("--at: '%s' is not a date (YYYY-MM-DD or RFC 3339)",
                    optarg);
        return ACC_EXIT_USAGE;
      }
      break;
    }
    case O_REBUILD:
      do_rebuild = 1;
      break;
    case O_STATS:
      do_stats = 1;
      break;
    case O_TIMING:
      timing = 1;
      break;
    default:
      acc_cli_usage(stderr, index_cmd ? "index" : "correlate");
      return ACC_EXIT_USAGE;
    }
  }
  if (index_cmd) {
    if (optind + 1 != argc ||
        (strcmp(argv[optind], "rebuild") && strcmp(argv[optind], "stats"))) {
      acc_cli_usage(stderr, "index");
      return ACC_EXIT_USAGE;
    }
    if (!strcmp(argv[optind], "rebuild"))
      do_rebuild = 1;
    else
      do_stats = 1;
    optind++;
  }
  int want_query = optind < argc;
  if (optind + 1 < argc ||
      (!want_query && !do_rebuild && !do_stats && !set_common)) {
    acc_cli_usage(stderr, "correlate");
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
  if (set_common) {
    if ((rc = acc_store_begin(s, &d)) ||
        (rc = acc_corr_set_common_sources(s, (unsigned)set_common, &d)) ||
        (rc = acc_store_commit(s, &d))) {
      acc_store_rollback(s);
      acc_cli_err("%s", d.msg);
      code = ACC_EXIT_STORE;
    }
  }
  if (!code && do_rebuild)
    code = rebuild(g, s);
  if (!code && do_stats)
    code = stats(g, s);
  if (!code && want_query) {
    acc_principal who = acc_principal_operator;
    acc_audit *audit = NULL;
    if (as && (rc = acc_auth_principal_of(s, as, &who, &d))) {
      acc_cli_err("--as: %s", d.msg);
      code = ACC_EXIT_USAGE;
    } else if ((rc = acc_audit_open(g->data_dir, &audit, &d))) {
      acc_cli_err("%s", d.msg);
      code = ACC_EXIT_STORE;
    } else {
      acc_reader rd = {.who = &who, .path = "cli correlate", .audit = audit};
      json_t *ans = NULL;
      double t0 = now_s();
      rc = acc_corr_query(s, &rd, argv[optind], &o, &ans, &d);
      double dt = now_s() - t0;
      if (rc) {
        acc_cli_err("%s", d.msg);
        code = rc == ACC_EINVAL ? ACC_EXIT_USAGE : acc_cli_exit_for(rc);
      } else {
        if (timing)
          json_object_set_new(ans, "ms", json_real(dt * 1000));
        if (g->json) {
          char *txt = json_dumps(ans, JSON_COMPACT | JSON_PRESERVE_ORDER);
          if (txt)
            puts(txt);
          free(txt);
        } else {
          acc_corr_print(stdout, ans);
          if (timing)
            printf("(%.1f ms)\n", dt * 1000);
        }
        /* exit 1 when nothing visible shares a value */
        if (!json_integer_value(json_object_get(ans, "values_matched")))
          code = ACC_EXIT_PARTIAL;
      }
      json_decref(ans);
    }
    acc_audit_close(audit);
  }
  acc_store_close(s);
  return code;
}
