/*
 * cmd_misp.c — `accord misp import|export|synth`: MISP events and feeds in
 * and out (src/misp/), with per-attribute messages and a summary of what
 * was mapped, left unmapped and refused.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "misp/misp.h"
#include "policy/guard.h"
#include "policy/policy.h"
#include "util/time.h"

#define SHOW_DEFAULT 50

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long max_rss_kib(void) {
  struct rusage ru;
  return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

static int parse_size(const char *s, size_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10), mul = 1;
  if (errno || end == s || s[0] == '-')
    return -1;
  if (*end == 'K' || *end == 'k')
    mul = 1ULL << 10;
  else if (*end == 'M' || *end == 'm')
    mul = 1ULL << 20;
  else if (*end == 'G' || *end == 'g')
    mul = 1ULL << 30;
  else if (*end)
    return -1;
  if ((mul > 1 && end[1]) || v > SIZE_MAX / mul)
    return -1;
  *out = (size_t)(v * mul);
  return 0;
}

/* ---- import ---------------------------------------------------------- */

typedef struct import_ui {
  acc_cli *g;
  int verbose;
  size_t shown, hidden;
} import_ui;

static void on_message(void *ctx, const acc_misp_msg *m) {
  import_ui *u = ctx;
  if (!u->verbose && u->shown >= SHOW_DEFAULT) {
    u->hidden++;
    return;
  }
  u->shown++;
  char where[300] = "";
  size_t n = 0;
  if (m->event_uuid)
    n += (size_t)snprintf(where + n, sizeof where - n,
                          "event %s: ", m->event_uuid);
  if (m->object_index >= 0 && n < sizeof where)
    n += (size_t)snprintf(
        where + n, sizeof where - n, "object %ld%s%s%s: ", m->object_index,
        m->object_uuid ? " (" : "", m->object_uuid ? m->object_uuid : "",
        m->object_uuid ? ")" : "");
  if (m->attr_index >= 0 && n < sizeof where)
    snprintf(where + n, sizeof where - n,
             "attribute %ld%s%s%s: ", m->attr_index, m->attr_uuid ? " (" : "",
             m->attr_uuid ? m->attr_uuid : "", m->attr_uuid ? ")" : "");
  fprintf(stderr, "accord: %s: %s%s%s\n", m->file ? m->file : "<input>",
          m->level == ACC_MISP_WARN ? "warning: " : "", where, m->msg);
}

static void print_summary(acc_cli *g, const acc_misp_counts *c, double secs) {
  static const char *const kind[] = {"indicator", "observed-data", "sdo",
                                     "note", "x-misp-attribute"};
  size_t mapped = 0;
  for (int i = 0; i < ACC_MISP_C_COUNT; i++)
    mapped += c->mapped[i];
  if (g->json) {
    printf("{\"events\":%zu,\"events_imported\":%zu,\"events_unchanged\":%zu,"
           "\"events_refused\":%zu,\"attributes\":%zu,\"mapped\":%zu,"
           "\"mapped_as\":{",
           c->events, c->events_imported, c->events_unchanged, c->events_failed,
           c->attributes, mapped);
    for (int i = 0; i < ACC_MISP_C_COUNT; i++)
      printf("%s\"%s\":%zu", i ? "," : "", kind[i], c->mapped[i]);
    printf("},\"unmapped\":%zu,\"unmapped_types\":{", c->unmapped);
    for (size_t i = 0; i < c->n_by_type; i++) {
      if (i)
        putchar(',');
      acc_cli_json_str(stdout, c->by_type[i].type);
      printf(":%zu", c->by_type[i].n);
    }
    printf("},\"rejected\":%zu,\"objects\":%zu,\"references\":%zu,"
           "\"references_unmapped\":%zu,\"sightings\":%zu,\"galaxy_clusters\":"
           "%zu,\"tags\":%zu,\"warnings\":%zu,\"errors\":%zu,"
           "\"stix\":{\"stored\":%zu,\"duplicate\":%zu,\"rejected\":%zu},"
           "\"seconds\":%.3f,\"max_rss_kib\":%ld}\n",
           c->rejected, c->objects, c->references, c->references_unmapped,
           c->sightings, c->galaxies, c->tags, c->warnings, c->errors,
           c->stix.stored, c->stix.duplicate, c->stix.rejected, secs,
           max_rss_kib());
    return;
  }
  if (g->quiet)
    return;
  fprintf(stderr,
          "misp import: %zu events (%zu imported, %zu unchanged, %zu "
          "refused); %zu attributes: %zu mapped (",
          c->events, c->events_imported, c->events_unchanged, c->events_failed,
          c->attributes, mapped);
  for (int i = 0; i < ACC_MISP_C_COUNT; i++)
    fprintf(stderr, "%s%zu %s", i ? ", " : "", c->mapped[i], kind[i]);
  fprintf(stderr, "), %zu unmapped", c->unmapped);
  for (size_t i = 0; i < c->n_by_type; i++)
    fprintf(stderr, "%s%s: %zu", i ? ", " : " (", c->by_type[i].type,
            c->by_type[i].n);
  fprintf(stderr,
          "%s, %zu refused by validation; %zu objects, %zu references (%zu "
          "unmapped), %zu sightings, %zu galaxy clusters; STIX: %zu stored, "
          "%zu duplicate, %zu rejected; %.2f s\n",
          c->n_by_type ? ")" : "", c->rejected, c->objects, c->references,
          c->references_unmapped, c->sightings, c->galaxies, c->stix.stored,
          c->stix.duplicate, c->stix.rejected, secs);
}

static int cmd_import(acc_cli *g, int argc, char **argv) {
  static const struct option lo[] = {{"data", required_argument, 0, 'd'},
                                     {"json", no_argument, 0, 'J'},
                                     {"quiet", no_argument, 0, 'q'},
                                     {"help", no_argument, 0, 'h'},
                                     {"verbose", no_argument, 0, 'v'},
                                     {"collection", required_argument, 0, 'C'},
                                     {"tlp", required_argument, 0, 'T'},
                                     {"share-with", required_argument, 0, 'W'},
                                     {"as", required_argument, 0, 'A'},
                                     {"force", no_argument, 0, 'F'},
                                     {"dry-run", no_argument, 0, 'N'},
                                     {"max-bytes", required_argument, 0, 'B'},
                                     {0, 0, 0, 0}};
  const char *collection = NULL, *as = NULL, *orgs[64];
  size_t n_orgs = 0, max_bytes = (size_t)1 << 30;
  acc_misp_import_opts o;
  memset(&o, 0, sizeof o);
  import_ui u = {.g = g};
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qhv", lo, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, "misp", &help_done)) {
      if (help_done)
        return ACC_EXIT_OK;
      continue;
    }
    switch (c) {
    case 'v':
      u.verbose = 1;
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
      o.ingest.mark_tlp_set = 1;
      o.ingest.mark_tlp = t;
      break;
    }
    case 'W':
      if (n_orgs == 64 || !optarg[0] || strchr(optarg, '|')) {
        acc_cli_err("--share-with: '%s' is not a usable name", optarg);
        return ACC_EXIT_USAGE;
      }
      orgs[n_orgs++] = optarg;
      break;
    case 'A':
      as = optarg;
      break;
    case 'F':
      o.force = 1;
      break;
    case 'N':
      o.no_store = 1;
      break;
    case 'B':
      if (parse_size(optarg, &max_bytes) || max_bytes == 0) {
        acc_cli_err("--max-bytes: '%s' is not a size (e.g. 500M)", optarg);
        return ACC_EXIT_USAGE;
      }
      break;
    default:
      acc_cli_usage(stderr, "misp");
      return ACC_EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    acc_cli_err("misp import: name at least one FILE, DIR (a feed) or -");
    return ACC_EXIT_USAGE;
  }
  o.ingest.limits.max_doc_bytes = (size_t)1 << 31;
  o.ingest.share_orgs = orgs;
  o.ingest.n_share_orgs = n_orgs;
  o.ctx = &u;
  o.on_message = on_message;
  acc_store *s = NULL;
  acc_diag d;
  acc_rc rc = ACC_OK;
  if (!o.no_store) {
    if ((rc = acc_store_open(g->data_dir, 0, &s, &d))) {
      acc_cli_err("%s", d.msg);
      return acc_cli_exit_for(rc) == ACC_EXIT_PARTIAL ? ACC_EXIT_STORE
                                                      : acc_cli_exit_for(rc);
    }
    if (acc_cli_collection(s, collection, &o.ingest.collection)) {
      acc_store_close(s);
      return ACC_EXIT_USAGE;
    }
    if (s->ops->cache_mib &&
        (rc = s->ops->cache_mib(s, ACC_STORE_IMPORT_CACHE_MIB, &d))) {
      acc_cli_err("%s", d.msg);
      acc_store_close(s);
      return ACC_EXIT_STORE;
    }
    if (as) {
      acc_principal p;
      if ((rc = acc_auth_principal_of(s, as, &p, &d))) {
        acc_cli_err("--as: %s", d.msg);
        acc_store_close(s);
        return ACC_EXIT_USAGE;
      }
      o.ingest.origin_oid = p.oid;
      o.ingest.origin_uid = p.uid;
    }
  }
  acc_misp_importer *m;
  if ((rc = acc_misp_importer_new(s, &o, &m))) {
    acc_store_close(s);
    return ACC_EXIT_STORE;
  }
  double t0 = now_s();
  int exit_code = ACC_EXIT_OK;
  for (int i = optind; i < argc && exit_code != ACC_EXIT_STORE; i++) {
    const char *path = argv[i];
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
      rc = acc_misp_import_dir(m, path, max_bytes, &d);
    } else {
      acc_input in;
      if ((rc = acc_input_open(path, max_bytes, &in, &d))) {
        acc_cli_err("%s: %s", path, d.msg);
        exit_code = ACC_EXIT_INPUT;
        continue;
      }
      rc = acc_misp_import_buf(m, strcmp(path, "-") == 0 ? "<stdin>" : path,
                               in.data, in.len, &d);
      acc_input_close(&in);
    }
    if (rc) {
      acc_cli_err("%s", d.msg);
      int e = acc_cli_exit_for(rc);
      exit_code = e == ACC_EXIT_PARTIAL ? ACC_EXIT_INPUT : e;
    }
  }
  if (u.hidden)
    fprintf(stderr, "accord: ... and %zu more messages (--verbose shows all)\n",
            u.hidden);
  const acc_misp_counts *cn = acc_misp_importer_counts(m);
  print_summary(g, cn, now_s() - t0);
  if (exit_code == ACC_EXIT_OK &&
      (cn->unmapped || cn->rejected || cn->events_failed || cn->stix.rejected ||
       cn->references_unmapped))
    exit_code = ACC_EXIT_PARTIAL;
  acc_misp_importer_free(m);
  acc_store_close(s);
  return exit_code;
}

/* ---- export ---------------------------------------------------------- */

static void on_export_message(void *ctx, const char *msg) {
  size_t *n = ctx;
  if ((*n)++ < SHOW_DEFAULT)
    fprintf(stderr, "accord: %s\n", msg);
}

static int cmd_export(acc_cli *g, int argc, char **argv) {
  static const struct option lo[] = {{"data", required_argument, 0, 'd'},
                                     {"json", no_argument, 0, 'J'},
                                     {"quiet", no_argument, 0, 'q'},
                                     {"help", no_argument, 0, 'h'},
                                     {"output", required_argument, 0, 'o'},
                                     {"feed", required_argument, 0, 'F'},
                                     {"type", required_argument, 0, 't'},
                                     {"id", required_argument, 0, 'i'},
                                     {"added-after", required_argument, 0, 'a'},
                                     {"collection", required_argument, 0, 'C'},
                                     {"as", required_argument, 0, 'A'},
                                     {"pretty", no_argument, 0, 'P'},
                                     {0, 0, 0, 0}};
  acc_query q;
  acc_query_init(&q);
  const char *out = NULL, *feed = NULL, *collection = NULL, *as = NULL;
  int pretty = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qho:", lo, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, "misp", &help_done)) {
      if (help_done)
        return ACC_EXIT_OK;
      continue;
    }
    switch (c) {
    case 'o':
      out = optarg;
      break;
    case 'F':
      feed = optarg;
      break;
    case 't':
    case 'i':
      if ((c == 't' ? q.n_types : q.n_ids) == ACC_QUERY_MAX_TERMS) {
        acc_cli_err("at most %d --type or --id options", ACC_QUERY_MAX_TERMS);
        return ACC_EXIT_USAGE;
      }
      if (c == 't')
        q.types[q.n_types++] = optarg;
      else
        q.ids[q.n_ids++] = optarg;
      break;
    case 'a':
      if (acc_time_parse(optarg, strlen(optarg), 1, &q.added_after_us)) {
        acc_cli_err("--added-after: '%s' is not an RFC 3339 UTC timestamp",
                    optarg);
        return ACC_EXIT_USAGE;
      }
      break;
    case 'C':
      collection = optarg;
      break;
    case 'A':
      as = optarg;
      break;
    case 'P':
      pretty = 1;
      break;
    default:
      acc_cli_usage(stderr, "misp");
      return ACC_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    acc_cli_err("misp export: unexpected argument '%s'", argv[optind]);
    return ACC_EXIT_USAGE;
  }
  if (out && feed) {
    acc_cli_err("misp export: -o and --feed exclude each other");
    return ACC_EXIT_USAGE;
  }
  acc_store *s;
  acc_diag d;
  acc_rc rc = acc_store_open(g->data_dir, 0, &s, &d);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return ACC_EXIT_STORE;
  }
  if (collection && acc_cli_collection(s, collection, &q.collection)) {
    acc_store_close(s);
    return ACC_EXIT_USAGE;
  }
  acc_principal who = acc_principal_operator;
  if (as && (rc = acc_auth_principal_of(s, as, &who, &d))) {
    acc_cli_err("--as: %s", d.msg);
    acc_store_close(s);
    return ACC_EXIT_USAGE;
  }
  acc_audit *audit;
  if ((rc = acc_audit_open(g->data_dir, &audit, &d))) {
    acc_cli_err("%s", d.msg);
    acc_store_close(s);
    return ACC_EXIT_STORE;
  }
  FILE *f = NULL;
  if (!feed) {
    f = out ? fopen(out, "w") : stdout;
    if (!f) {
      acc_cli_err("cannot write %s: %s", out, strerror(errno));
      acc_audit_close(audit);
      acc_store_close(s);
      return ACC_EXIT_INPUT;
    }
  }
  size_t n_msgs = 0;
  acc_misp_export_opts eo = {.out = f,
                             .feed_dir = feed,
                             .pretty = pretty,
                             .ctx = &n_msgs,
                             .on_message = on_export_message};
  acc_misp_export_counts ec;
  acc_reader rd = {.who = &who, .path = "cli misp export", .audit = audit};
  double t0 = now_s();
  /* The event builders free thousands of small JSON nodes between large
   * allocations; without fast bins glibc need not consolidate them on
   * every large request (about a tenth of the export's CPU). */
  mallopt(M_MXFAST, 0);
  rc = acc_misp_export(s, &rd, &q, &eo, &ec, &d);
  int werr =
      f && ((f != stdout && fclose(f) != 0) || (f == stdout && fflush(f) != 0));
  acc_audit_close(audit);
  acc_store_close(s);
  if (rc || werr) {
    acc_cli_err("%s", rc ? d.msg : "writing the output failed");
    return rc ? acc_cli_exit_for(rc) : ACC_EXIT_INPUT;
  }
  if (n_msgs > SHOW_DEFAULT)
    fprintf(stderr, "accord: ... and %zu more messages\n",
            n_msgs - SHOW_DEFAULT);
  double secs = now_s() - t0;
  if (g->json && (out || feed)) {
    printf("{\"objects\":%zu,\"events\":%zu,\"attributes\":%zu,"
           "\"in_objects\":%zu,\"misp_objects\":%zu,\"sightings\":%zu,"
           "\"galaxy_clusters\":%zu,\"references\":%zu,\"skipped\":%zu,"
           "\"missing\":%zu,\"seconds\":%.3f,\"max_rss_kib\":%ld}\n",
           ec.objects, ec.events, ec.attributes, ec.in_objects, ec.objects_misp,
           ec.sightings, ec.galaxies, ec.references, ec.skipped, ec.missing,
           secs, max_rss_kib());
  } else if (!g->quiet) {
    fprintf(stderr,
            "misp export: %zu STIX objects read; %zu events, %zu attributes "
            "(%zu in %zu objects), %zu sightings, %zu galaxy clusters, %zu "
            "references; %zu objects with no MISP form, %zu referenced but "
            "absent or not visible; %.2f s\n",
            ec.objects, ec.events, ec.attributes, ec.in_objects,
            ec.objects_misp, ec.sightings, ec.galaxies, ec.references,
            ec.skipped, ec.missing, secs);
  }
  return ec.missing ? ACC_EXIT_PARTIAL : ACC_EXIT_OK;
}

/* ---- synth ------------------------------------------------------------ */

static int cmd_synth(acc_cli *g, int argc, char **argv) {
  size_t events = 10, attrs = 100;
  unsigned long long seed = 1;
  int c;
  static const struct option lo[] = {{"events", required_argument, 0, 'e'},
                                     {"attributes", required_argument, 0, 'a'},
                                     {"seed", required_argument, 0, 's'},
                                     {"help", no_argument, 0, 'h'},
                                     {0, 0, 0, 0}};
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
    size_t v;
    switch (c) {
    case 'e':
    case 'a':
      if (parse_size(optarg, &v) || v == 0 || v > 100000000) {
        acc_cli_err("--%s: '%s' is not a positive number",
                    c == 'e' ? "events" : "attributes", optarg);
        return ACC_EXIT_USAGE;
      }
      if (c == 'e')
        events = v;
      else
        attrs = v;
      break;
    case 's':
      seed = strtoull(optarg, NULL, 10);
      break;
    case 'h':
      acc_cli_usage(stdout, "misp");
      return ACC_EXIT_OK;
    default:
      acc_cli_usage(stderr, "misp");
      return ACC_EXIT_USAGE;
    }
  }
  if (optind + 1 != argc) {
    acc_cli_err("misp synth: name the feed directory to write");
    return ACC_EXIT_USAGE;
  }
  acc_diag d;
  double t0 = now_s();
  acc_rc rc = acc_misp_synth_feed(argv[optind], events, attrs, seed, &d);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return ACC_EXIT_INPUT;
  }
  if (!g->quiet)
    fprintf(stderr, "misp synth: %zu events of %zu attributes in %s (%.2f s)\n",
            events, attrs, argv[optind], now_s() - t0);
  return ACC_EXIT_OK;
}

int acc_cmd_misp(acc_cli *g, int argc, char **argv) {
  if (argc < 2) {
    acc_cli_usage(stderr, "misp");
    return ACC_EXIT_USAGE;
  }
  if (strcmp(argv[1], "import") == 0)
    return cmd_import(g, argc - 1, argv + 1);
  if (strcmp(argv[1], "export") == 0)
    return cmd_export(g, argc - 1, argv + 1);
  if (strcmp(argv[1], "synth") == 0)
    return cmd_synth(g, argc - 1, argv + 1);
  if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
    acc_cli_usage(stdout, "misp");
    return ACC_EXIT_OK;
  }
  acc_cli_err("misp: no subcommand '%s' (import, export, synth)", argv[1]);
  return ACC_EXIT_USAGE;
}
