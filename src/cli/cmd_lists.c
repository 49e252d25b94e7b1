/*
 * cmd_lists.c — `accord lists`: import anonymiser and relay lists (Tor
 * exits, VPNs, proxies, scanners, CDNs) with their validity dates, list
 * them, remove one, and check an address ("was this IP a Tor exit on date
 * D?").  The library side is correlate/lists.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "correlate/lists.h"
#include "store/store.h"
#include "util/time.h"

#define DAY_US ((int64_t)86400 * 1000000)
#define MAX_HITS 256
#define LIST_MAX_BYTES ((size_t)1 << 30)

enum {
  O_KIND = 256,
  O_NAME,
  O_FORMAT,
  O_FROM,
  O_UNTIL,
  O_REPLACE,
  O_AT,
};

static const struct option lists_opts[] = {
    {"data", required_argument, 0, 'd'},
    {"json", no_argument, 0, 'J'},
    {"quiet", no_argument, 0, 'q'},
    {"help", no_argument, 0, 'h'},
    {"kind", required_argument, 0, O_KIND},
    {"name", required_argument, 0, O_NAME},
    {"format", required_argument, 0, O_FORMAT},
    {"valid-from", required_argument, 0, O_FROM},
    {"valid-until", required_argument, 0, O_UNTIL},
    {"replace", no_argument, 0, O_REPLACE},
    {"at", required_argument, 0, O_AT},
    {0, 0, 0, 0}};

static void print_time(FILE *f, int64_t us, const char *open) {
  if (us == ACC_TIME_NONE) {
    fputs(open, f);
    return;
  }
  char ts[ACC_TIME_BUFSZ];
  acc_time_format_ms(us, ts);
  fputs(ts, f);
}

static void json_time(FILE *f, int64_t us) {
  if (us == ACC_TIME_NONE) {
    fputs("null", f);
    return;
  }
  char ts[ACC_TIME_BUFSZ];
  acc_time_format_ms(us, ts);
  fprintf(f, "\"%s\"", ts);
}

static const char *base_name(const char *path) {
  const char *b = strrchr(path, '/');
  return b ? b + 1 : path;
}

static int do_import(acc_cli *g, acc_store *s, const char *path,
                     const char *name, const acc_list_parse_opts *o,
                     int replace) {
  acc_diag d;
  acc_input in;
  acc_rc rc = acc_input_open(path, LIST_MAX_BYTES, &in, &d);
  if (rc) {
    acc_cli_err("%s: %s", path, d.msg);
    return ACC_EXIT_INPUT;
  }
  acc_list_parse_counts c;
  const char *lname = name ? name : strcmp(path, "-") ? base_name(path)
                                                       : "stdin";
  rc = acc_lists_import(s, lname, path, in.data, in.len, o, replace, &c, &d);
  acc_input_close(&in);
  if (rc) {
    acc_cli_err("%s: %s", path, d.msg);
    return rc == ACC_EINVAL ? ACC_EXIT_INPUT : acc_cli_exit_for(rc);
  }
  if (g->json) {
    printf("{\"list\":");
    acc_cli_json_str(stdout, lname);
    printf(",\"format\":\"%s\",\"lines\":%zu,\"entries\":%zu,\"skipped\":%zu,"
           "\"bad\":%zu,\"other_kind\":%zu}\n",
           acc_list_format_name(c.format), c.lines, c.entries, c.skipped,
           c.bad, c.other_kind);
  } else if (!g->quiet) {
    fprintf(stderr,
            "accord: list %s (%s): %zu entries from %zu lines"
            "%s%zu unreadable%s%s\n",
            lname, acc_list_format_name(c.format), c.entries, c.lines, ", ",
            c.bad, c.bad ? ", first: " : "", c.bad ? c.first_bad : "");
    if (c.other_kind)
      fprintf(stderr, "accord: %zu rows of other types left out\n",
              c.other_kind);
  }
  return c.bad ? ACC_EXIT_PARTIAL : ACC_EXIT_OK;
}

typedef struct list_ctx {
  acc_cli *g;
  size_t n;
} list_ctx;

static int print_list(void *ctx, const acc_list_info *l) {
  list_ctx *x = ctx;
  if (x->g->json) {
    printf("%s{\"name\":", x->n ? "," : "");
    acc_cli_json_str(stdout, l->name);
    printf(",\"kind\":\"%s\",\"format\":\"%s\",\"source\":", l->kind,
           l->format);
    acc_cli_json_str(stdout, l->source);
    printf(",\"entries\":%lld,\"imported\":", (long long)l->n_entries);
    json_time(stdout, l->imported_us);
    printf(",\"valid_from\":");
    json_time(stdout, l->valid_from_us);
    printf(",\"valid_until\":");
    json_time(stdout, l->valid_until_us);
    printf("}");
  } else {
    printf("%-24s %-9s %-8s %8lld  ", l->name, l->kind, l->format,
           (long long)l->n_entries);
    print_time(stdout, l->valid_from_us, "(open)");
    printf(" .. ");
    print_time(stdout, l->valid_until_us, "(open)");
    printf("\n");
  }
  x->n++;
  return 0;
}

static int do_check(acc_cli *g, acc_store *s, const char *ip, int64_t at,
                    int day) {
  acc_list_hit *hits = calloc(MAX_HITS, sizeof *hits);
  if (!hits)
    return ACC_EXIT_STORE;
  size_t n = 0;
  acc_diag d;
  acc_rc rc;
  /* A date alone means that whole day. */
  if (day)
    rc = acc_lists_lookup_span(s, ip, at, at + DAY_US - 1, hits, MAX_HITS, &n,
                               &d);
  else
    rc = acc_lists_lookup(s, ip, at, hits, MAX_HITS, &n, &d);
  if (rc) {
    acc_cli_err("%s", d.msg);
    free(hits);
    return rc == ACC_EINVAL ? ACC_EXIT_USAGE : acc_cli_exit_for(rc);
  }
  size_t shown = n < MAX_HITS ? n : MAX_HITS;
  if (g->json) {
    printf("{\"ip\":");
    acc_cli_json_str(stdout, ip);
    printf(",\"at\":");
    json_time(stdout, at == ACC_TIME_NONE ? acc_time_now_us() : at);
    printf(",\"hits\":[");
    for (size_t i = 0; i < shown; i++) {
      printf("%s{\"kind\":\"%s\",\"list\":", i ? "," : "", hits[i].kind);
      acc_cli_json_str(stdout, hits[i].list);
      printf(",\"valid_from\":");
      json_time(stdout, hits[i].valid_from_us);
      printf(",\"valid_until\":");
      json_time(stdout, hits[i].valid_until_us);
      printf("}");
    }
    printf("]}\n");
  } else if (!n) {
    printf("%s: on no list%s\n", ip, at == ACC_TIME_NONE ? " now" : " then");
  } else {
    for (size_t i = 0; i < shown; i++) {
      printf("%s: %s (list %s, valid ", ip, hits[i].kind, hits[i].list);
      print_time(stdout, hits[i].valid_from_us, "(open)");
      printf(" .. ");
      print_time(stdout, hits[i].valid_until_us, "(open)");
      printf(")\n");
    }
  }
  free(hits);
  return n ? ACC_EXIT_OK : ACC_EXIT_PARTIAL;
}

int acc_cmd_lists(acc_cli *g, int argc, char **argv) {
  acc_list_parse_opts o = {.valid_from_us = ACC_TIME_NONE,
                           .valid_until_us = ACC_TIME_NONE};
  const char *name = NULL;
  int replace = 0, day = 0;
  int64_t at = ACC_TIME_NONE;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qh", lists_opts, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, "lists", &help_done)) {
      if (help_done)
        return ACC_EXIT_OK;
      continue;
    }
    int only_day = 0;
    switch (c) {
    case O_KIND:
      o.kind = acc_list_kind_parse(optarg);
      if (!o.kind) {
        acc_cli_err("--kind: '%s' is not tor-exit, vpn, proxy, scanner or "
                    "cdn",
                    optarg);
        return ACC_EXIT_USAGE;
      }
      break;
    case O_NAME:
      name = optarg;
      break;
    case O_FORMAT:
      if (!strcmp(optarg, "tor-exit") || !strcmp(optarg, "tor"))
        o.format = ACC_LF_TOR_EXIT;
      else if (!strcmp(optarg, "plain"))
        o.format = ACC_LF_PLAIN;
      else if (!strcmp(optarg, "csv"))
        o.format = ACC_LF_CSV;
      else if (strcmp(optarg, "auto")) {
        acc_cli_err("--format: '%s' is not tor-exit, plain, csv or auto",
                    optarg);
        return ACC_EXIT_USAGE;
      }
      break;
    case O_FROM:
    case O_UNTIL:
    case O_AT: {
      int64_t t;
      if (acc_lists_date(optarg, strlen(optarg), &t, &only_day)) {
        acc_cli_err("%s: '%s' is not a date (YYYY-MM-DD, or RFC 3339 "
                    "2024-05-01T12:00:00Z)",
                    c == O_FROM ? "--valid-from"
                    : c == O_UNTIL ? "--valid-until" : "--at",
                    optarg);
        return ACC_EXIT_USAGE;
      }
      if (c == O_FROM)
        o.valid_from_us = t;
      else if (c == O_UNTIL)
        o.valid_until_us = only_day ? t + DAY_US - 1 : t;
      else {
        at = t;
        day = only_day;
      }
      break;
    }
    case O_REPLACE:
      replace = 1;
      break;
    default:
      acc_cli_usage(stderr, "lists");
      return ACC_EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    acc_cli_usage(stderr, "lists");
    return ACC_EXIT_USAGE;
  }
  const char *sub = argv[optind++];
  int nargs = argc - optind;
  if ((!strcmp(sub, "import") && nargs < 1) ||
      ((!strcmp(sub, "check") || !strcmp(sub, "remove")) && nargs != 1) ||
      (!strcmp(sub, "list") && nargs != 0) ||
      (strcmp(sub, "import") && strcmp(sub, "check") && strcmp(sub, "list") &&
       strcmp(sub, "remove"))) {
    acc_cli_usage(stderr, "lists");
    return ACC_EXIT_USAGE;
  }
  if (!strcmp(sub, "import") && name && nargs > 1) {
    acc_cli_err("--name names one list: import one file with it");
    return ACC_EXIT_USAGE;
  }
  if (o.valid_from_us != ACC_TIME_NONE && o.valid_until_us != ACC_TIME_NONE &&
      o.valid_until_us < o.valid_from_us) {
    acc_cli_err("--valid-until is before --valid-from");
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
  if (!strcmp(sub, "import")) {
    for (int i = optind; i < argc; i++) {
      int r = do_import(g, s, argv[i], name, &o, replace);
      if (r > code)
        code = r;
    }
  } else if (!strcmp(sub, "check")) {
    code = do_check(g, s, argv[optind], at, day);
  } else if (!strcmp(sub, "remove")) {
    if ((rc = acc_store_begin(s, &d)) ||
        (rc = s->ops->list_drop(s, argv[optind], &d)) ||
        (rc = acc_store_commit(s, &d))) {
      acc_store_rollback(s);
      acc_cli_err("%s", d.msg);
      code = acc_cli_exit_for(rc);
    }
  } else {
    list_ctx x = {.g = g};
    if (g->json)
      printf("[");
    rc = s->ops->list_list(s, print_list, &x, &d);
    if (g->json)
      printf("]\n");
    if (rc) {
      acc_cli_err("%s", d.msg);
      code = ACC_EXIT_STORE;
    }
  }
  acc_store_close(s);
  return code;
}
