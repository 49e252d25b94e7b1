/*
 * cmd_pattern.c — `accord pattern check|generate` and `accord match`: a
 * thin layer over src/pattern.  check validates STIX patterns (exit 0
 * valid, 1 invalid); match compiles indicators from a file or the store
 * into one matcher, streams observations through it, prints the matches
 * and can write sightings; generate writes the benchmark data of
 * bench/match.
 */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli/cli.h"
#include "pattern/pattern.h"
#include "stix/decode.h"
#include "stix/stix.h"
#include "store/store.h"
#include "util/time.h"

/* Warnings and rejections shown per input unless --verbose. */
#define SHOW_DEFAULT 20

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_size(const char *s, const char *opt, size_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  unsigned long long mul = 1;
  if (*end == 'K' || *end == 'k')
    mul = 1ull << 10, end++;
  else if (*end == 'M' || *end == 'm')
    mul = 1ull << 20, end++;
  else if (*end == 'G' || *end == 'g')
    mul = 1ull << 30, end++;
  if (errno || *end || s[0] == '-' || end == s || v > SIZE_MAX / mul) {
    acc_cli_err("%s: '%s' is not a size (e.g. 100, 64M, 2G)", opt, s);
    return -1;
  }
  *out = (size_t)(v * mul);
  return 0;
}

static int parse_u64(const char *s, const char *opt, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || s[0] == '-' || end == s) {
    acc_cli_err("%s: '%s' is not a number", opt, s);
    return -1;
  }
  *out = v;
  return 0;
}

/* ---- accord pattern check ----------------------------------------------- */

typedef struct warns {
  acc_buf json; /* --json: the warnings as a JSON array body */
  int as_json;
  size_t n;
} warns;

static void json_str_buf(acc_buf *b, const char *s) {
  acc_buf_putc(b, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      acc_buf_putc(b, '\\');
    if (*p < 0x20)
      acc_buf_printf(b, "\\u%04x", *p);
    else
      acc_buf_putc(b, (char)*p);
  }
  acc_buf_putc(b, '"');
}

static void on_warn(void *ctx, size_t pos, const char *msg) {
  warns *w = ctx;
  if (w->as_json) {
    if (w->n)
      acc_buf_putc(&w->json, ',');
    acc_buf_printf(&w->json, "{\"position\":%zu,\"message\":", pos);
    json_str_buf(&w->json, msg);
    acc_buf_putc(&w->json, '}');
  } else {
    fprintf(stderr, "warning: position %zu: %s\n", pos, msg);
  }
  w->n++;
}

/* Position N of a "position N: ..." message, or -1. */
static long msg_pos(const char *msg) {
  if (strncmp(msg, "position ", 9))
    return -1;
  return strtol(msg + 9, NULL, 10);
}

static int check_one(acc_cli *g, const char *pat, size_t len, int tree,
                     int summary) {
  if (summary) {
    acc_diag d;
    acc_rc rc = acc_pattern_check(pat, len, &d, NULL, NULL);
    return rc == ACC_ENOMEM ? ACC_EXIT_STORE
           : rc             ? ACC_EXIT_PARTIAL
                            : ACC_EXIT_OK;
  }
  warns w = {.as_json = g->json};
  acc_buf_init(&w.json, 1 << 20);
  acc_pattern *p = NULL;
  acc_diag d;
  d.msg[0] = '\0';
  acc_rc rc = acc_pattern_parse(pat, len, &p, &d, on_warn, &w);
  acc_buf t;
  acc_buf_init(&t, (size_t)64 << 20);
  if (!rc && tree)
    acc_pattern_dump(p, &t);
  if (g->json) {
    fputs("{\"pattern\":", stdout);
    acc_cli_json_str(stdout, pat);
    printf(",\"valid\":%s", rc ? "false" : "true");
    if (rc) {
      printf(",\"position\":%ld,\"error\":", msg_pos(d.msg));
      acc_cli_json_str(stdout, d.msg);
    } else {
      printf(",\"observation_expressions\":%u,\"single_observation\":%s",
             acc_pattern_leaves(p), acc_pattern_single(p) ? "true" : "false");
      if (tree) {
        fputs(",\"tree\":", stdout);
        acc_cli_json_str(stdout, acc_buf_cstr(&t));
      }
    }
    printf(",\"warnings\":[%s]}\n", acc_buf_cstr(&w.json));
  } else if (rc) {
    printf("invalid: %s\n", d.msg);
  } else {
    printf("valid%s%s\n", tree ? ": " : "", tree ? acc_buf_cstr(&t) : "");
  }
  acc_buf_free(&t);
  acc_buf_free(&w.json);
  acc_pattern_free(p);
  if (rc == ACC_ENOMEM)
    return ACC_EXIT_STORE;
  return rc ? ACC_EXIT_PARTIAL : ACC_EXIT_OK;
}

static int pattern_check(acc_cli *g, int argc, char **argv) {
  static const struct option lo[] = {
      {"json", no_argument, 0, 'J'}, {"quiet", no_argument, 0, 'q'},
      {"tree", no_argument, 0, 't'}, {"summary", no_argument, 0, 's'},
      {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  int tree = 0, summary = 0, c;
  size_t n_valid = 0, n_invalid = 0;
  double t0 = now_s();
  optind = 1;
  while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
    switch (c) {
    case 'J':
      g->json = 1;
      break;
    case 'q':
      g->quiet = 1;
      break;
    case 't':
      tree = 1;
      break;
    case 's':
      summary = 1;
      break;
    case 'h':
      acc_cli_usage(stdout, "pattern");
      return ACC_EXIT_OK;
    default:
      acc_cli_usage(stderr, "pattern");
      return ACC_EXIT_USAGE;
    }
  }
  int worst = ACC_EXIT_OK;
  if (optind < argc && strcmp(argv[optind], "-") != 0) {
    for (int i = optind; i < argc; i++) {
      int r = check_one(g, argv[i], strlen(argv[i]), tree, summary);
      if (r > worst)
        worst = r;
      *(r ? &n_invalid : &n_valid) += 1;
    }
    goto done;
  }
  /* one pattern per line of standard input */
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int any = 0;
  while ((n = getline(&line, &cap, stdin)) > 0) {
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
      line[--n] = '\0';
    if (n == 0)
      continue;
    any = 1;
    int r = check_one(g, line, (size_t)n, tree, summary);
    if (r > worst)
      worst = r;
    *(r ? &n_invalid : &n_valid) += 1;
  }
  free(line);
  if (!any) {
    acc_cli_err("no pattern given (see `accord help pattern`)");
    return ACC_EXIT_USAGE;
  }
done:
  if (summary) {
    double secs = now_s() - t0;
    printf("%zu valid, %zu invalid, %.3f s, %.0f patterns/s\n", n_valid,
           n_invalid, secs,
           secs > 0 ? (double)(n_valid + n_invalid) / secs : 0.0);
  }
  return worst;
}

/* ---- accord pattern generate ------------------------------------------- */

static int pattern_generate(acc_cli *g, int argc, char **argv) {
  static const struct option lo[] = {
      {"indicators", required_argument, 0, 'i'},
      {"observations", required_argument, 0, 'o'},
      {"out-indicators", required_argument, 0, 'I'},
      {"out-observations", required_argument, 0, 'O'},
      {"seed", required_argument, 0, 's'},
      {"quiet", no_argument, 0, 'q'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  uint64_t ni = 10000, no = 100000, seed = 1;
  const char *fi = NULL, *fo = NULL;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
    switch (c) {
    case 'i':
      if (parse_u64(optarg, "--indicators", &ni))
        return ACC_EXIT_USAGE;
      break;
    case 'o':
      if (parse_u64(optarg, "--observations", &no))
        return ACC_EXIT_USAGE;
      break;
    case 'I':
      fi = optarg;
      break;
    case 'O':
      fo = optarg;
      break;
    case 's':
      if (parse_u64(optarg, "--seed", &seed))
        return ACC_EXIT_USAGE;
      break;
    case 'q':
      g->quiet = 1;
      break;
    case 'h':
      acc_cli_usage(stdout, "pattern");
      return ACC_EXIT_OK;
    default:
      acc_cli_usage(stderr, "pattern");
      return ACC_EXIT_USAGE;
    }
  }
  if (!fi || !fo) {
    acc_cli_err("pattern generate needs --out-indicators FILE and "
                "--out-observations FILE");
    return ACC_EXIT_USAGE;
  }
  FILE *a = fopen(fi, "w");
  FILE *b = a ? fopen(fo, "w") : NULL;
  if (!a || !b) {
    acc_cli_err("%s: cannot write: %s", a ? fo : fi, strerror(errno));
    if (a)
      fclose(a);
    return ACC_EXIT_INPUT;
  }
  static char ba[1 << 16], bb[1 << 16];
  setvbuf(a, ba, _IOFBF, sizeof ba);
  setvbuf(b, bb, _IOFBF, sizeof bb);
  double t0 = now_s();
  acc_rc rc = acc_pattern_gen(a, b, ni, no, seed);
  int e1 = fclose(a), e2 = fclose(b);
  if (rc || e1 || e2) {
    acc_cli_err("writing the benchmark data failed: %s",
                rc ? acc_strerror(rc) : strerror(errno));
    return ACC_EXIT_INPUT;
  }
  if (!g->quiet)
    fprintf(stderr,
            "wrote %llu indicators to %s and %llu observed-data to "
            "%s (%.2f s)\n",
            (unsigned long long)ni, fi, (unsigned long long)no, fo,
            now_s() - t0);
  return ACC_EXIT_OK;
}

int acc_cmd_pattern(acc_cli *g, int argc, char **argv) {
  if (argc < 2) {
    acc_cli_usage(stderr, "pattern");
    return ACC_EXIT_USAGE;
  }
  if (!strcmp(argv[1], "check"))
    return pattern_check(g, argc - 1, argv + 1);
  if (!strcmp(argv[1], "generate"))
    return pattern_generate(g, argc - 1, argv + 1);
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    acc_cli_usage(stdout, "pattern");
    return ACC_EXIT_OK;
  }
  acc_cli_err("pattern: no subcommand '%s' (check or generate)", argv[1]);
  return ACC_EXIT_USAGE;
}

/* ---- accord match ------------------------------------------------------- */

typedef struct loader {
  acc_matcher *m;
  const char *file;
  size_t added, bad, shown;
  int verbose, quiet;
  acc_rc rc;
} loader;

static acc_rc on_indicator(void *ctx, const acc_decoded *dec) {
  loader *l = ctx;
  if (dec->err || !json_is_object(dec->json))
    return ACC_OK;
  json_t *o = dec->json;
  const char *type = json_string_value(json_object_get(o, "type"));
  if (!type || strcmp(type, "indicator"))
    return ACC_OK;
  const char *id = json_string_value(json_object_get(o, "id"));
  json_t *pt = json_object_get(o, "pattern_type");
  json_t *p = json_object_get(o, "pattern");
  if (!id ||
      (pt &&
       strcmp(json_string_value(pt) ? json_string_value(pt) : "", "stix")) ||
      !json_is_string(p) || json_is_true(json_object_get(o, "revoked")))
    return ACC_OK;
  acc_diag d;
  acc_rc rc = acc_matcher_add(l->m, id, json_string_value(p),
                              json_string_length(p), &d);
  if (rc == ACC_EINVAL) {
    l->bad++;
    if (!l->quiet && (l->verbose || l->shown++ < SHOW_DEFAULT))
      acc_cli_err("%s: object %zu (line %zu) %s: property 'pattern': %s; "
                  "skipped",
                  l->file, dec->index, dec->line, id, d.msg);
    return ACC_OK;
  }
  if (rc) {
    acc_cli_err("%s: %s", l->file, d.msg);
    return rc;
  }
  l->added++;
  return ACC_OK;
}

typedef struct out {
  acc_cli *g;
  acc_sightings *sg;
  int print;
  acc_rc rc;
} out;

static int on_match(void *ctx, const acc_match *mt) {
  out *o = ctx;
  if (o->print) {
    if (o->g->json) {
      char a[ACC_TIME_BUFSZ], b[ACC_TIME_BUFSZ];
      acc_time_format(mt->first_us, a);
      acc_time_format(mt->last_us, b);
      fputs("{\"indicator\":", stdout);
      acc_cli_json_str(stdout, mt->indicator_id);
      fputs(",\"observed_data\":[", stdout);
      for (size_t i = 0; i < mt->n_obs; i++) {
        if (i)
          fputc(',', stdout);
        acc_cli_json_str(stdout, mt->obs_ids[i]);
      }
      printf("],\"first_observed\":\"%s\",\"last_observed\":\"%s\","
             "\"count\":%llu}\n",
             a, b, (unsigned long long)mt->count);
    } else {
      fputs(mt->indicator_id, stdout);
      for (size_t i = 0; i < mt->n_obs; i++) {
        fputc(i ? ',' : '\t', stdout);
        fputs(mt->obs_ids[i], stdout);
      }
      fputc('\n', stdout);
    }
  }
  if (o->sg && (o->rc = acc_sightings_add(o->sg, mt)))
    return 1;
  return 0;
}

typedef struct swriter {
  FILE *f;
  size_t n;
} swriter;

static acc_rc write_sighting(void *ctx, const char *json, size_t len) {
  swriter *w = ctx;
  if (w->n++)
    fputs(",\n", w->f);
  fwrite(json, 1, len, w->f);
  return ferror(w->f) ? ACC_EIO : ACC_OK;
}

int acc_cmd_match(acc_cli *g, int argc, char **argv) {
  static const struct option lo[] = {
      {"data", required_argument, 0, 'd'},
      {"json", no_argument, 0, 'J'},
      {"quiet", no_argument, 0, 'q'},
      {"help", no_argument, 0, 'h'},
      {"indicators", required_argument, 0, 'i'},
      {"observations", required_argument, 0, 'o'},
      {"sightings", required_argument, 0, 'S'},
      {"where", required_argument, 0, 'w'},
      {"created", required_argument, 0, 'c'},
      {"max-bytes", required_argument, 0, 'm'},
      {"count-only", no_argument, 0, 'n'},
      {"stats", no_argument, 0, 's'},
      {"verbose", no_argument, 0, 'v'},
      {0, 0, 0, 0}};
  const char *ind = NULL, *sightings = NULL, *where = NULL;
  const char *obs[64];
  int nobs = 0, count_only = 0, stats = 0, verbose = 0, c;
  size_t max_bytes = (size_t)4 << 30;
  int64_t created = ACC_TIME_NONE;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qh", lo, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, "match", &help_done)) {
      if (help_done)
        return ACC_EXIT_OK;
      continue;
    }
    switch (c) {
    case 'i':
      ind = optarg;
      break;
    case 'o':
      if (nobs == 64) {
        acc_cli_err("at most 64 --observations files");
        return ACC_EXIT_USAGE;
      }
      obs[nobs++] = optarg;
      break;
    case 'S':
      sightings = optarg;
      break;
    case 'w':
      where = optarg;
      break;
    case 'c':
      if (acc_time_parse(optarg, strlen(optarg), 1, &created)) {
        acc_cli_err("--created: '%s' is not a timestamp "
                    "(YYYY-MM-DDTHH:MM:SS[.sss]Z)",
                    optarg);
        return ACC_EXIT_USAGE;
      }
      break;
    case 'm':
      if (parse_size(optarg, "--max-bytes", &max_bytes))
        return ACC_EXIT_USAGE;
      break;
    case 'n':
      count_only = 1;
      break;
    case 's':
      stats = 1;
      break;
    case 'v':
      verbose = 1;
      break;
    default:
      acc_cli_usage(stderr, "match");
      return ACC_EXIT_USAGE;
    }
  }
  if (!ind || !nobs || optind < argc) {
    acc_cli_err("match needs --indicators FILE|store and --observations FILE "
                "(see `accord help match`)");
    return ACC_EXIT_USAGE;
  }
  if (where && !(acc_stix_id_valid(where, "identity") ||
                 acc_stix_id_valid(where, "location"))) {
    acc_cli_err("--where: '%s' is not an identity or location id", where);
    return ACC_EXIT_USAGE;
  }
  double t0 = now_s();
  int exit_code = ACC_EXIT_OK;
  acc_matcher *m = NULL;
  acc_match_run *run = NULL;
  acc_sightings *sg = NULL;
  FILE *sf = NULL;
  acc_diag d;
  acc_rc rc = acc_matcher_new(&m);
  if (rc) {
    acc_cli_err("out of memory");
    return ACC_EXIT_STORE;
  }
  loader l = {.m = m, .file = ind, .verbose = verbose, .quiet = g->quiet};
  if (!strcmp(ind, "store")) {
    acc_store *s;
    if ((rc = acc_store_open(g->data_dir, 0, &s, &d))) {
      acc_cli_err("%s", d.msg);
      exit_code = acc_cli_exit_for(rc);
      goto out;
    }
    rc = acc_matcher_add_from_store(m, s, &l.added, &l.bad, &d);
    acc_store_close(s);
    if (rc) {
      acc_cli_err("store: %s", d.msg);
      exit_code = acc_cli_exit_for(rc);
      goto out;
    }
    if (l.bad && !g->quiet)
      acc_cli_err("store: %zu indicator(s) with an invalid pattern skipped",
                  l.bad);
  } else {
    acc_input in;
    if ((rc = acc_input_open(ind, max_bytes, &in, &d))) {
      acc_cli_err("%s: %s", ind, d.msg);
      exit_code = ACC_EXIT_INPUT;
      goto out;
    }
    acc_decode_limits lim = {.max_doc_bytes = max_bytes};
    rc = acc_decode(in.data, in.len, &lim, on_indicator, &l, NULL, &d);
    acc_input_close(&in);
    if (rc) {
      if (rc == ACC_ENOMEM)
        acc_cli_err("%s: out of memory", ind);
      else
        acc_cli_err("%s: %s", ind, d.msg);
      exit_code = acc_cli_exit_for(rc);
      goto out;
    }
  }
  if (l.bad)
    exit_code = ACC_EXIT_PARTIAL;
  double t_load = now_s();
  if ((rc = acc_matcher_compile(m, &d))) {
    acc_cli_err("%s", d.msg);
    exit_code = acc_cli_exit_for(rc);
    goto out;
  }
  double t_compile = now_s();
  if ((rc = acc_match_run_new(m, &run))) {
    acc_cli_err("out of memory");
    exit_code = ACC_EXIT_STORE;
    goto out;
  }
  for (int i = 0; i < nobs; i++) {
    acc_input in;
    if ((rc = acc_input_open(obs[i], max_bytes, &in, &d))) {
      acc_cli_err("%s: %s", obs[i], d.msg);
      exit_code = ACC_EXIT_INPUT;
      goto out;
    }
    rc = acc_match_run_feed(run, in.data, in.len, &d);
    acc_input_close(&in);
    if (rc) {
      acc_cli_err("%s: %s", obs[i], d.msg);
      exit_code = acc_cli_exit_for(rc);
      goto out;
    }
  }
  double t_feed = now_s();
  if (sightings) {
    if (created == ACC_TIME_NONE)
      created = acc_time_now_us() / 1000 * 1000;
    if ((rc = acc_sightings_new(where, created, &sg))) {
      acc_cli_err("out of memory");
      exit_code = ACC_EXIT_STORE;
      goto out;
    }
  }
  out o = {g, sg, !count_only, ACC_OK};
  static char obuf[1 << 16];
  setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
  rc = acc_match_run_finish(run, on_match, &o, &d);
  if (!rc)
    rc = o.rc;
  if (rc) {
    acc_cli_err("%s", d.msg[0] ? d.msg : acc_strerror(rc));
    exit_code = acc_cli_exit_for(rc);
    goto out;
  }
  size_t n_sightings = 0;
  if (sg) {
    sf = strcmp(sightings, "-") ? fopen(sightings, "w") : stdout;
    if (!sf) {
      acc_cli_err("%s: cannot write: %s", sightings, strerror(errno));
      exit_code = ACC_EXIT_INPUT;
      goto out;
    }
    unsigned char rnd[16];
    char bid[37];
    randombytes_buf(rnd, sizeof rnd);
    rnd[6] = (unsigned char)((rnd[6] & 0x0F) | 0x40);
    rnd[8] = (unsigned char)((rnd[8] & 0x3F) | 0x80);
    snprintf(bid, sizeof bid,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x"
             "%02x",
             rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7],
             rnd[8], rnd[9], rnd[10], rnd[11], rnd[12], rnd[13], rnd[14],
             rnd[15]);
    fprintf(sf, "{\"type\":\"bundle\",\"id\":\"bundle--%s\",\"objects\":[\n",
            bid);
    swriter w = {sf, 0};
    rc = acc_sightings_flush(sg, write_sighting, &w, &n_sightings);
    fputs("\n]}\n", sf);
    int e = sf == stdout ? fflush(sf) : fclose(sf);
    sf = NULL;
    if (rc || e) {
      acc_cli_err("%s: writing sightings failed", sightings);
      exit_code = ACC_EXIT_INPUT;
      goto out;
    }
  }
  fflush(stdout);
  double t_end = now_s();
  acc_match_counts mc;
  acc_match_run_counts(run, &mc);
  acc_matcher_stats st;
  acc_matcher_stats_get(m, &st);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  if (stats || !g->quiet) {
    FILE *f = stderr;
    fprintf(f,
            "{\"indicators\":%zu,\"invalid_indicators\":%zu,"
            "\"observations\":%zu,\"objects\":%zu,\"scos\":%zu,"
            "\"unresolved_refs\":%zu,\"bad_objects\":%zu,"
            "\"candidates\":%zu,\"matches\":%zu,\"sightings\":%zu,",
            l.added, l.bad, mc.observations, mc.objects, mc.scos, mc.unresolved,
            mc.bad, mc.candidates, mc.matches, n_sightings);
    fprintf(f,
            "\"matcher\":{\"observation_expressions\":%zu,"
            "\"hash_keys\":%zu,\"prefixes\":%zu,\"regexes\":%zu,"
            "\"prefiltered_regexes\":%zu,\"unfiltered\":%zu,"
            "\"hyperscan_databases\":%zu},",
            st.leaves, st.hash_keys, st.prefixes, st.regexes, st.prefiltered,
            st.unfiltered, st.databases);
    fprintf(f,
            "\"seconds\":{\"load\":%.3f,\"compile\":%.3f,\"match\":%.3f,"
            "\"finish\":%.3f,\"total\":%.3f},\"max_rss_kib\":%ld}\n",
            t_load - t0, t_compile - t_load, t_feed - t_compile, t_end - t_feed,
            t_end - t0, ru.ru_maxrss);
  }
out:
  if (sf && sf != stdout)
    fclose(sf);
  acc_sightings_free(sg);
  acc_match_run_free(run);
  acc_matcher_free(m);
  return exit_code;
}
