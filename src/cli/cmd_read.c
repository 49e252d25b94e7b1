/*
 * cmd_read.c — the read side of the CLI: `accord export`, `get`, `list`,
 * `stats` and `check`.  Objects are written exactly as they were imported.
 */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "policy/guard.h"
#include "store/store.h"
#include "util/time.h"

/* Options every reading command understands. */
enum {
  OPT_DATA = 'd',
  OPT_QUIET = 'q',
  OPT_HELP = 'h',
  OPT_OUT = 'o',
  OPT_JSON = 'J', /* handled by acc_cli_common_opt */
  OPT_TYPE = 256,
  OPT_ID,
  OPT_ADDED_AFTER,
  OPT_ALL_VERSIONS,
  OPT_FORMAT,
  OPT_VERSION,
  OPT_LIMIT,
  OPT_COLLECTION,
  OPT_AS,
  OPT_PROVENANCE,
};

static const struct option read_opts[] = {
    {"data", required_argument, 0, OPT_DATA},
    {"json", no_argument, 0, OPT_JSON},
    {"quiet", no_argument, 0, OPT_QUIET},
    {"help", no_argument, 0, OPT_HELP},
    {"output", required_argument, 0, OPT_OUT},
    {"type", required_argument, 0, OPT_TYPE},
    {"id", required_argument, 0, OPT_ID},
    {"added-after", required_argument, 0, OPT_ADDED_AFTER},
    {"all-versions", no_argument, 0, OPT_ALL_VERSIONS},
    {"format", required_argument, 0, OPT_FORMAT},
    {"version", required_argument, 0, OPT_VERSION},
    {"limit", required_argument, 0, OPT_LIMIT},
    {"collection", required_argument, 0, OPT_COLLECTION},
    {"as", required_argument, 0, OPT_AS},
    {"provenance", no_argument, 0, OPT_PROVENANCE},
    {0, 0, 0, 0}};

typedef struct read_args {
  acc_query q;
  const char *out;        /* -o FILE */
  int lines;              /* --format lines */
  int64_t version_us;     /* --version */
  const char *collection; /* --collection, NULL = default */
  const char *as;         /* --as USER: read as that user */
  acc_principal who;      /* the principal reads act for */
  acc_audit *audit;       /* where releases and denials are recorded */
  const char *pos[4];     /* positional arguments */
  int n_pos;
  int provenance; /* get --provenance (federation) */
} read_args;

static int parse_ts(const char *opt, const char *s, int64_t *out) {
  if (acc_time_parse(s, strlen(s), 1, out)) {
    acc_cli_err("%s: '%s' is not an RFC 3339 UTC timestamp (e.g. "
                "2024-05-01T00:00:00Z)",
                opt, s);
    return -1;
  }
  return 0;
}

/* Parse argv for command `name`; returns -1 to exit with *code. */
static int parse_read(acc_cli *g, const char *name, int argc, char **argv,
                      read_args *a, int *code) {
  memset(a, 0, sizeof *a);
  acc_query_init(&a->q);
  a->version_us = ACC_TIME_NONE;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qho:", read_opts, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, name, &help_done)) {
      if (help_done) {
        *code = ACC_EXIT_OK;
        return -1;
      }
      continue;
    }
    switch (c) {
    case OPT_OUT:
      a->out = optarg;
      break;
    case OPT_TYPE:
      if (a->q.n_types == ACC_QUERY_MAX_TERMS)
        goto too_many;
      a->q.types[a->q.n_types++] = optarg;
      break;
    case OPT_ID:
      if (a->q.n_ids == ACC_QUERY_MAX_TERMS)
        goto too_many;
      a->q.ids[a->q.n_ids++] = optarg;
      break;
    case OPT_ADDED_AFTER:
      if (parse_ts("--added-after", optarg, &a->q.added_after_us))
        goto usage;
      break;
    case OPT_ALL_VERSIONS:
      a->q.version = ACC_VER_ALL;
      break;
    case OPT_FORMAT:
      if (strcmp(optarg, "lines") == 0 || strcmp(optarg, "jsonl") == 0)
        a->lines = 1;
      else if (strcmp(optarg, "bundle") != 0) {
        acc_cli_err("--format: '%s' is neither 'bundle' nor 'lines'", optarg);
        goto usage;
      }
      break;
    case OPT_VERSION:
      if (parse_ts("--version", optarg, &a->version_us))
        goto usage;
      break;
    case OPT_COLLECTION:
      a->collection = optarg;
      break;
    case OPT_AS:
      a->as = optarg;
      break;
    case OPT_PROVENANCE:
      a->provenance = 1;
      break;
    case OPT_LIMIT: {
      char *end;
      long long v = strtoll(optarg, &end, 10);
      if (*end || v <= 0) {
        acc_cli_err("--limit: '%s' is not a positive number", optarg);
        goto usage;
      }
      a->q.limit = (size_t)v;
      break;
    }
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
too_many:
  acc_cli_err("at most %d --type or --id options", ACC_QUERY_MAX_TERMS);
usage:
  acc_cli_usage(stderr, name);
  *code = ACC_EXIT_USAGE;
  return -1;
}

/* Open the store and resolve --collection into a->q.collection. */
static int open_store(acc_cli *g, acc_store **s, read_args *a) {
  acc_diag d;
  acc_rc rc = acc_store_open(g->data_dir, 0, s, &d);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return acc_cli_exit_for(rc) == ACC_EXIT_PARTIAL ? ACC_EXIT_STORE
                                                    : acc_cli_exit_for(rc);
  }
  if (a && acc_cli_collection(*s, a->collection, &a->q.collection)) {
    acc_store_close(*s);
    return ACC_EXIT_USAGE;
  }
  if (!a)
    return 0;
  /* Reads act for the operator, or for --as USER, and are audited. */
  a->who = acc_principal_operator;
  if (a->as && (rc = acc_auth_principal_of(*s, a->as, &a->who, &d))) {
    acc_cli_err("--as: %s", d.msg);
    acc_store_close(*s);
    return ACC_EXIT_USAGE;
  }
  if ((rc = acc_audit_open(g->data_dir, &a->audit, &d))) {
    acc_cli_err("%s", d.msg);
    acc_store_close(*s);
    return ACC_EXIT_STORE;
  }
  return 0;
}

static void close_store(acc_store *s, read_args *a) {
  acc_audit_close(a->audit);
  a->audit = NULL;
  acc_store_close(s);
}

/* ---- export ---- */

typedef struct export_ctx {
  FILE *f;
  int lines;
  size_t n;
} export_ctx;

static int export_one(void *ctx, const acc_record *r) {
  export_ctx *x = ctx;
  if (x->lines) {
    /* JSON lines need one line per object: line breaks outside strings
     * are whitespace, and JSON strings cannot hold raw ones. */
    const char *p = r->raw, *end = r->raw + r->raw_len;
    while (p < end) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      const char *stop = nl ? nl : end;
      const char *seg_end = stop;
      if (seg_end > p && seg_end[-1] == '\r')
        seg_end--;
      fwrite(p, 1, (size_t)(seg_end - p), x->f);
      if (nl)
        fputc(' ', x->f);
      p = nl ? nl + 1 : end;
    }
    fputc('\n', x->f);
  } else {
    fputs(x->n ? ",\n" : "\n", x->f);
    fwrite(r->raw, 1, r->raw_len, x->f);
  }
  x->n++;
  return ferror(x->f) ? ACC_EIO : 0;
}

static void uuid4(char out[37]) {
  unsigned char u[16];
  randombytes_buf(u, sizeof u);
  u[6] = (u[6] & 0x0f) | 0x40;
  u[8] = (u[8] & 0x3f) | 0x80;
  snprintf(out, 37,
           "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x"
           "%02x",
           u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
           u[11], u[12], u[13], u[14], u[15]);
}

int acc_cmd_export(acc_cli *g, int argc, char **argv) {
  read_args a;
  int code;
  if (parse_read(g, "export", argc, argv, &a, &code))
    return code;
  if (a.n_pos) {
    acc_cli_err("export: unexpected argument '%s'", a.pos[0]);
    return ACC_EXIT_USAGE;
  }
  acc_store *s;
  if ((code = open_store(g, &s, &a)))
    return code;
  FILE *f = stdout;
  if (a.out && !(f = fopen(a.out, "w"))) {
    acc_cli_err("cannot write %s: %s", a.out, strerror(errno));
    close_store(s, &a);
    return ACC_EXIT_INPUT;
  }
  export_ctx x = {.f = f, .lines = a.lines};
  if (!a.lines) {
    char u[37];
    uuid4(u);
    fprintf(f, "{\"type\":\"bundle\",\"id\":\"bundle--%s\",\"objects\":[", u);
  }
  acc_diag d;
  acc_reader rd = {.who = &a.who, .path = "cli export", .audit = a.audit};
  acc_rc rc = acc_guard_scan(s, &rd, &a.q, export_one, &x, NULL, &d);
  if (!a.lines)
    fputs(x.n ? "\n]}\n" : "]}\n", f);
  if (rc == ACC_EIO || (f != stdout && fclose(f) != 0) ||
      (f == stdout && fflush(f) != 0)) {
    acc_cli_err("writing %s failed", a.out ? a.out : "standard output");
    close_store(s, &a);
    return ACC_EXIT_INPUT;
  }
  close_store(s, &a);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return acc_cli_exit_for(rc);
  }
  if (!g->quiet && a.out)
    fprintf(stderr, "exported %zu objects to %s\n", x.n, a.out);
  return ACC_EXIT_OK;
}

/* ---- get ---- */

static int get_one(void *ctx, const acc_record *r) {
  size_t *n = ctx;
  fwrite(r->raw, 1, r->raw_len, stdout);
  fputc('\n', stdout);
  (*n)++;
  return 0;
}

int acc_cmd_get(acc_cli *g, int argc, char **argv) {
  read_args a;
  int code;
  if (parse_read(g, "get", argc, argv, &a, &code))
    return code;
  if (a.n_pos != 1) {
    acc_cli_err("get: name exactly one object id");
    acc_cli_usage(stderr, "get");
    return ACC_EXIT_USAGE;
  }
  acc_store *s;
  if ((code = open_store(g, &s, &a)))
    return code;
  acc_diag d;
  size_t n = 0;
  acc_reader rd = {.who = &a.who, .path = "cli get", .audit = a.audit};
  if (a.provenance) {
    code = acc_cli_provenance(g, s, &rd, a.collection ? a.q.collection : 0,
                              a.pos[0]);
    close_store(s, &a);
    return code;
  }
  acc_rc rc = acc_guard_get(s, &rd, a.collection ? a.q.collection : 0, a.pos[0],
                            a.version_us, get_one, &n, &d);
  close_store(s, &a);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return acc_cli_exit_for(rc);
  }
  return ACC_EXIT_OK;
}

/* ---- list ---- */

static int list_one(void *ctx, const acc_record *r) {
  acc_cli *g = ctx;
  char added[ACC_TIME_BUFSZ], mod[ACC_TIME_BUFSZ] = "-";
  acc_time_format(r->date_added_us, added);
  if (r->modified_us != ACC_TIME_NONE)
    acc_time_format_ms(r->modified_us, mod);
  /* A readable name: "name" for SDOs, "value" for many SCOs. */
  const char *name = NULL;
  json_t *j = json_loadb(r->raw, r->raw_len, 0, NULL);
  if (j) {
    json_t *n = json_object_get(j, "name");
    if (!json_is_string(n))
      n = json_object_get(j, "value");
    if (json_is_string(n))
      name = json_string_value(n);
  }
  if (g->json) {
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:s,s:s?,s:s?,s:b,s:b}", "id", r->id, "type",
                  r->type, "spec_version", r->spec_version, "date_added", added,
                  "modified", r->modified_us != ACC_TIME_NONE ? mod : NULL,
                  "name", name, "revoked", r->revoked, "latest", r->is_latest);
    if (o)
      json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(o);
  } else {
    printf("%s  %-22s %-58s %-24s %s%s\n", added, r->type, r->id, mod,
           name ? name : "", r->revoked ? " [revoked]" : "");
  }
  json_decref(j);
  return 0;
}

int acc_cmd_list(acc_cli *g, int argc, char **argv) {
  read_args a;
  int code;
  if (parse_read(g, "list", argc, argv, &a, &code))
    return code;
  if (a.n_pos) {
    acc_cli_err("list: unexpected argument '%s'", a.pos[0]);
    return ACC_EXIT_USAGE;
  }
  acc_store *s;
  if ((code = open_store(g, &s, &a)))
    return code;
  acc_diag d;
  acc_reader rd = {.who = &a.who, .path = "cli list", .audit = a.audit};
  acc_rc rc = acc_guard_scan(s, &rd, &a.q, list_one, g, NULL, &d);
  close_store(s, &a);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return acc_cli_exit_for(rc);
  }
  return ACC_EXIT_OK;
}

/* ---- stats and check ---- */

int acc_cmd_stats(acc_cli *g, int argc, char **argv) {
  read_args a;
  int code;
  if (parse_read(g, "stats", argc, argv, &a, &code))
    return code;
  acc_store *s;
  if ((code = open_store(g, &s, NULL)))
    return code;
  acc_stats st;
  acc_diag d;
  acc_rc rc = acc_store_stats(s, &st, &d);
  acc_store_close(s);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return acc_cli_exit_for(rc);
  }
  char first[ACC_TIME_BUFSZ] = "", last[ACC_TIME_BUFSZ] = "";
  if (st.first_added_us != ACC_TIME_NONE) {
    acc_time_format(st.first_added_us, first);
    acc_time_format(st.last_added_us, last);
  }
  if (g->json) {
    json_t *types = json_object();
    for (size_t i = 0; i < st.n_types; i++)
      json_object_set_new(types, st.types[i].type,
                          json_pack("{s:I,s:I}", "objects",
                                    (json_int_t)st.types[i].objects, "versions",
                                    (json_int_t)st.types[i].versions));
    json_t *o =
        json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:i,s:s?,s:s?,s:o}", "data_dir",
                  g->data_dir, "objects", (json_int_t)st.objects, "versions",
                  (json_int_t)st.versions, "revoked", (json_int_t)st.revoked,
                  "stix20_versions", (json_int_t)st.spec20, "json_bytes",
                  (json_int_t)st.bytes_json, "disk_bytes",
                  (json_int_t)st.bytes_on_disk, "schema_version",
                  st.schema_version, "first_added", *first ? first : NULL,
                  "last_added", *last ? last : NULL, "types", types);
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(o);
  } else {
    printf("store        %s (schema %d)\n", g->data_dir, st.schema_version);
    printf("objects      %lld (%lld versions, %lld revoked, %lld STIX 2.0 "
           "versions)\n",
           (long long)st.objects, (long long)st.versions, (long long)st.revoked,
           (long long)st.spec20);
    printf("size         %.1f MiB of JSON, %.1f MiB on disk\n",
           (double)st.bytes_json / 1048576.0,
           (double)st.bytes_on_disk / 1048576.0);
    if (*first)
      printf("added        %s .. %s\n", first, last);
    printf("by type:\n");
    for (size_t i = 0; i < st.n_types; i++)
      printf("  %-32s %8lld objects %8lld versions\n", st.types[i].type,
             (long long)st.types[i].objects, (long long)st.types[i].versions);
  }
  acc_stats_free(&st);
  return ACC_EXIT_OK;
}

int acc_cmd_check(acc_cli *g, int argc, char **argv) {
  read_args a;
  int code;
  if (parse_read(g, "check", argc, argv, &a, &code))
    return code;
  acc_store *s;
  if ((code = open_store(g, &s, NULL)))
    return code;
  acc_diag d;
  acc_rc rc = acc_store_check(s, &d);
  acc_store_close(s);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return ACC_EXIT_STORE;
  }
  if (!g->quiet)
    printf("%s: ok\n", g->data_dir);
  return ACC_EXIT_OK;
}
