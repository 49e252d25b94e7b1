/*
 * cmd_import.c — `accord init` and `accord import`: create a store, and
 * read documents into it through acc_ingest with a progress bar, a summary
 * of stored / duplicate / rejected objects and the reasons for each
 * rejection.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "policy/policy.h"
#include "util/buf.h"
#include "util/time.h"

#define SHOW_DEFAULT 20
#define JSON_ITEMS_MAX 1000

int acc_cmd_init(acc_cli *g, int argc, char **argv) {
  static const struct option lo[] = {{"data", required_argument, 0, 'd'},
                                     {"json", no_argument, 0, 'J'},
                                     {"quiet", no_argument, 0, 'q'},
                                     {"help", no_argument, 0, 'h'},
                                     {0, 0, 0, 0}};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qh", lo, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, "init", &help_done)) {
      if (help_done)
        return ACC_EXIT_OK;
      continue;
    }
    switch (c) {
    default:
      acc_cli_usage(stderr, "init");
      return ACC_EXIT_USAGE;
    }
  }
  if (optind < argc)
    g->data_dir = argv[optind];
  acc_store *s;
  acc_diag d;
  acc_rc rc = acc_store_open(g->data_dir, 1, &s, &d);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return acc_cli_exit_for(rc);
  }
  acc_store_close(s);
  if (g->json) {
    fputs("{\"data_dir\":", stdout);
    acc_cli_json_str(stdout, g->data_dir);
    fputs("}\n", stdout);
  } else if (!g->quiet) {
    printf("initialised Accord store in %s\n", g->data_dir);
  }
  return ACC_EXIT_OK;
}

/* Parse "123", "64K", "10M", "1G". */
static int parse_size(const char *s, size_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || s[0] == '-')
    return -1;
  unsigned long long mul = 1;
  if (*end == 'K' || *end == 'k')
    mul = 1ULL << 10;
  else if (*end == 'M' || *end == 'm')
    mul = 1ULL << 20;
  else if (*end == 'G' || *end == 'g')
    mul = 1ULL << 30;
  else if (*end)
    return -1;
  if (mul > 1 && end[1])
    return -1;
  if (v > SIZE_MAX / mul)
    return -1;
  *out = (size_t)(v * mul);
  return 0;
}

typedef struct import_ui {
  acc_cli *g;
  const char *file;
  int verbose;
  int bar; /* draw a progress bar on stderr */
  size_t shown_rejects, shown_warnings;
  acc_buf items; /* JSON array items for --json */
  size_t n_items;
  double t0;
  double last_draw;
} import_ui;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void clear_bar(import_ui *u) {
  if (u->bar)
    fputs("\r\033[K", stderr);
}

static void json_item(import_ui *u, const char *kind, size_t index, size_t line,
                      const char *id, const char *msg) {
  if (u->n_items >= JSON_ITEMS_MAX)
    return;
  acc_buf *b = &u->items;
  if (u->n_items++)
    acc_buf_putc(b, ',');
  acc_buf_printf(b, "{\"kind\":\"%s\",\"index\":%zu", kind, index);
  if (line)
    acc_buf_printf(b, ",\"line\":%zu", line);
  /* Strings go through jansson so they are escaped correctly. */
  json_t *j = json_pack("{s:s?,s:s}", "id", id, "message", msg);
  char *txt = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
  if (txt && txt[0] == '{' && strlen(txt) > 2) {
    acc_buf_putc(b, ',');
    acc_buf_append(b, txt + 1, strlen(txt) - 1); /* drops the '{' */
  } else {
    acc_buf_putc(b, '}');
  }
  free(txt);
  json_decref(j);
}

static void on_reject(void *ctx, const acc_ingest_reject *r) {
  import_ui *u = ctx;
  if (u->g->json) {
    json_item(u, "rejected", r->index, r->line, r->id, r->msg);
    return;
  }
  if (!u->verbose && u->shown_rejects >= SHOW_DEFAULT) {
    u->shown_rejects++;
    return;
  }
  u->shown_rejects++;
  clear_bar(u);
  fprintf(stderr, "accord: %s: object %zu (line %zu%s%s): rejected: %s\n",
          u->file, r->index, r->line, r->id ? ", " : "", r->id ? r->id : "",
          r->msg);
}

static void on_warning(void *ctx, size_t index, const char *id,
                       const char *msg) {
  import_ui *u = ctx;
  if (u->g->json) {
    json_item(u, "warning", index, 0, id, msg);
    return;
  }
  if (u->g->quiet || (!u->verbose && u->shown_warnings >= SHOW_DEFAULT)) {
    u->shown_warnings++;
    return;
  }
  u->shown_warnings++;
  clear_bar(u);
  fprintf(stderr, "accord: %s: object %zu%s%s: warning: %s\n", u->file, index,
          id ? " " : "", id ? id : "", msg);
}

static void on_progress(void *ctx, size_t done, size_t total,
                        const acc_ingest_counts *c) {
  import_ui *u = ctx;
  if (!u->bar)
    return;
  double t = now_s();
  if (t - u->last_draw < 0.1 && done < total)
    return;
  u->last_draw = t;
  int pct = total ? (int)(done * 100 / total) : 100;
  char bar[31];
  int fill = pct * 30 / 100;
  for (int i = 0; i < 30; i++)
    bar[i] = i < fill ? '#' : '.';
  bar[30] = '\0';
  fprintf(stderr, "\r%s [%s] %3d%% %zu stored %zu dup %zu rejected", u->file,
          bar, pct, c->stored, c->duplicate, c->rejected);
}

int acc_cmd_import(acc_cli *g, int argc, char **argv) {
  static const struct option lo[] = {
      {"data", required_argument, 0, 'd'},
      {"json", no_argument, 0, 'J'},
      {"quiet", no_argument, 0, 'q'},
      {"help", no_argument, 0, 'h'},
      {"strict", no_argument, 0, 's'},
      {"max-bytes", required_argument, 0, 'B'},
      {"max-depth", required_argument, 0, 'D'},
      {"batch", required_argument, 0, 'b'},
      {"verbose", no_argument, 0, 'v'},
      {"collection", required_argument, 0, 'C'},
      {"tlp", required_argument, 0, 'T'},
      {"share-with", required_argument, 0, 'W'},
      {"share-with-user", required_argument, 0, 'U'},
      {"as", required_argument, 0, 'A'},
      {0, 0, 0, 0}};
  const char *collection = NULL, *as = NULL;
  const char *orgs[64], *users[64];
  size_t n_orgs = 0, n_users = 0;
  acc_ingest_opts o = {0};
  int verbose = 0;
  size_t max_bytes = (size_t)1 << 30, v;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qhv", lo, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, "import", &help_done)) {
      if (help_done)
        return ACC_EXIT_OK;
      continue;
    }
    switch (c) {
    case 's':
      o.strict = 1;
      break;
    case 'v':
      verbose = 1;
      break;
    case 'C':
      collection = optarg;
      break;
    case 'T': {
      acc_tlp t;
      if (acc_tlp_parse(optarg, &t)) {
        acc_cli_err("--tlp: '%s' is not a TLP level (clear, green, amber, "
                    "amber+strict, red)",
                    optarg);
        return ACC_EXIT_USAGE;
      }
      o.mark_tlp_set = 1;
      o.mark_tlp = t;
      break;
    }
    case 'W':
    case 'U':
      if ((c == 'W' ? n_orgs : n_users) == 64 || !optarg[0] ||
          strchr(optarg, '|')) {
        acc_cli_err("--%s: '%s' is not a usable name (at most 64, no '|')",
                    c == 'W' ? "share-with" : "share-with-user", optarg);
        return ACC_EXIT_USAGE;
      }
      if (c == 'W')
        orgs[n_orgs++] = optarg;
      else
        users[n_users++] = optarg;
      break;
    case 'A':
      as = optarg;
      break;
    case 'B':
      if (parse_size(optarg, &max_bytes) || max_bytes == 0) {
        acc_cli_err("--max-bytes: '%s' is not a size (e.g. 500M)", optarg);
        return ACC_EXIT_USAGE;
      }
      break;
    case 'D':
      if (parse_size(optarg, &v) || v == 0 || v > 10000) {
        acc_cli_err("--max-depth: '%s' is not a depth from 1 to 10000", optarg);
        return ACC_EXIT_USAGE;
      }
      o.limits.max_depth = (unsigned)v;
      break;
    case 'b':
      if (parse_size(optarg, &v) || v == 0) {
        acc_cli_err("--batch: '%s' is not a positive number", optarg);
        return ACC_EXIT_USAGE;
      }
      o.batch = v;
      break;
    default:
      acc_cli_usage(stderr, "import");
      return ACC_EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    acc_cli_err("import: name at least one FILE, or - for stdin");
    acc_cli_usage(stderr, "import");
    return ACC_EXIT_USAGE;
  }
  o.limits.max_doc_bytes = max_bytes;

  acc_store *s = NULL;
  acc_diag d;
  acc_rc rc = acc_store_open(g->data_dir, 0, &s, &d);
  if (!rc && s->ops->cache_mib)
    rc = s->ops->cache_mib(s, ACC_STORE_IMPORT_CACHE_MIB, &d);
  if (rc) {
    acc_cli_err("%s", d.msg);
    acc_store_close(s);
    return acc_cli_exit_for(rc);
  }
  if (acc_cli_collection(s, collection, &o.collection)) {
    acc_store_close(s);
    return ACC_EXIT_USAGE;
  }
  o.share_orgs = orgs;
  o.n_share_orgs = n_orgs;
  o.share_users = users;
  o.n_share_users = n_users;
  if (as) {
    /* The originator, for the sharing policy. */
    acc_principal p;
    if ((rc = acc_auth_principal_of(s, as, &p, &d))) {
      acc_cli_err("--as: %s", d.msg);
      acc_store_close(s);
      return ACC_EXIT_USAGE;
    }
    o.origin_oid = p.oid;
    o.origin_uid = p.uid;
  }
  int exit_code = ACC_EXIT_OK;
  acc_ingest_counts total = {0};
  double t_all = now_s();
  if (g->json)
    fputs("{\"files\":[", stdout);
  for (int i = optind; i < argc; i++) {
    const char *file = argv[i];
    import_ui u = {.g = g,
                   .file = strcmp(file, "-") == 0 ? "<stdin>" : file,
                   .verbose = verbose,
                   .bar = !g->quiet && !g->json && isatty(STDERR_FILENO),
                   .t0 = now_s()};
    acc_buf_init(&u.items, 0);
    o.ctx = &u;
    o.on_reject = on_reject;
    o.on_warning = on_warning;
    o.on_progress = on_progress;
    acc_input in;
    acc_ingest_counts cnt = {0};
    acc_doc_shape shape = ACC_SHAPE_OBJECT;
    int have_shape = 0, unreadable = 0;
    rc = acc_input_open(file, max_bytes, &in, &d);
    if (rc) {
      unreadable = 1;
    } else {
      rc = acc_ingest(s, in.data, in.len, &o, &cnt, &shape, &d);
      have_shape = rc == ACC_OK || o.strict;
      acc_input_close(&in);
    }
    clear_bar(&u);
    double secs = now_s() - u.t0;
    int fexit = rc ? acc_cli_exit_for(rc)
                   : (cnt.rejected ? ACC_EXIT_PARTIAL : ACC_EXIT_OK);
    if (rc == ACC_EINVAL && o.strict)
      fexit = ACC_EXIT_PARTIAL;
    if (unreadable)
      fexit = ACC_EXIT_INPUT;
    if (fexit > exit_code)
      exit_code = fexit;
    total.stored += cnt.stored;
    total.duplicate += cnt.duplicate;
    total.rejected += cnt.rejected;
    total.warnings += cnt.warnings;
    if (g->json) {
      if (i > optind)
        fputc(',', stdout);
      fputs("{\"file\":", stdout);
      acc_cli_json_str(stdout, u.file);
      if (have_shape) {
        fputs(",\"shape\":", stdout);
        acc_cli_json_str(stdout, acc_doc_shape_name(shape));
      }
      printf(",\"stored\":%zu,\"duplicate\":%zu,\"rejected\":%zu,"
             "\"warnings\":%zu,\"seconds\":%.3f",
             cnt.stored, cnt.duplicate, cnt.rejected, cnt.warnings, secs);
      if (rc) {
        fputs(",\"error\":", stdout);
        acc_cli_json_str(stdout, d.msg);
      }
      printf(",\"items\":[%s]}", acc_buf_cstr(&u.items));
    } else {
      if (rc)
        acc_cli_err("%s: %s", u.file, d.msg);
      if (!u.verbose && u.shown_rejects > SHOW_DEFAULT)
        acc_cli_err("%s: %zu more rejections not shown (use --verbose)", u.file,
                    u.shown_rejects - SHOW_DEFAULT);
      if (!g->quiet)
        fprintf(stderr,
                "%s: stored %zu, duplicate %zu, rejected %zu, warnings %zu "
                "(%.2f s)\n",
                u.file, cnt.stored, cnt.duplicate, cnt.rejected, cnt.warnings,
                secs);
    }
    acc_buf_free(&u.items);
    if (rc == ACC_ESTORE || rc == ACC_ESCHEMA || rc == ACC_ENOMEM)
      break; /* the store is in trouble: stop */
  }
  double secs = now_s() - t_all;
  if (g->json) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("],\"stored\":%zu,\"duplicate\":%zu,\"rejected\":%zu,"
           "\"warnings\":%zu,\"seconds\":%.3f,\"max_rss_kib\":%ld,"
           "\"exit\":%d}\n",
           total.stored, total.duplicate, total.rejected, total.warnings, secs,
           ru.ru_maxrss, exit_code);
  } else if (!g->quiet && argc - optind > 1) {
    fprintf(stderr,
            "total: stored %zu, duplicate %zu, rejected %zu, warnings %zu "
            "(%.2f s)\n",
            total.stored, total.duplicate, total.rejected, total.warnings,
            secs);
  }
  acc_store_close(s);
  return exit_code;
}
