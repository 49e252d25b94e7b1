/*
 * cmd_poc.c — `accord poc add|list|show|confirm|period`: the directory of
 * national points of contact (OSCE CBM 8).  The flags become the same
 * JSON that src/cbm/poc.c checks; reads and writes act for the operator
 * (with --org) or for --as USER, through the sharing policy.  `list`
 * reminds the reader's organisation of its entries that are due for
 * confirmation.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbm/cbm.h"
#include "cli/cli.h"
#include "util/time.h"

enum {
  O_ORG = 256,
  O_AS,
  O_LEVEL,
  O_NAME,
  O_ROLE,
  O_CHANNEL,
  O_LANGUAGE,
  O_HOURS,
  O_ALWAYS,
  O_COUNTRY,
  O_KEY,
  O_TLP,
  O_COLLECTION,
  O_CONFIRMED,
  O_CLASS,
  O_DESC,
  O_DUE,
  O_NOW,
};

static const struct option opts[] = {
    {"data", required_argument, 0, 'd'},
    {"json", no_argument, 0, 'J'},
    {"quiet", no_argument, 0, 'q'},
    {"help", no_argument, 0, 'h'},
    {"org", required_argument, 0, O_ORG},
    {"as", required_argument, 0, O_AS},
    {"level", required_argument, 0, O_LEVEL},
    {"name", required_argument, 0, O_NAME},
    {"role", required_argument, 0, O_ROLE},
    {"channel", required_argument, 0, O_CHANNEL},
    {"language", required_argument, 0, O_LANGUAGE},
    {"hours", required_argument, 0, O_HOURS},
    {"24-7", no_argument, 0, O_ALWAYS},
    {"country", required_argument, 0, O_COUNTRY},
    {"key", required_argument, 0, O_KEY},
    {"tlp", required_argument, 0, O_TLP},
    {"collection", required_argument, 0, O_COLLECTION},
    {"confirmed", required_argument, 0, O_CONFIRMED},
    {"class", required_argument, 0, O_CLASS},
    {"description", required_argument, 0, O_DESC},
    {"due", no_argument, 0, O_DUE},
    {"now", required_argument, 0, O_NOW},
    {0, 0, 0, 0}};

typedef struct poc_args {
  json_t *spec;
  const char *org, *as, *collection, *now;
  int due;
  const char *pos[3];
  int n_pos;
} poc_args;

static void add_csv(json_t *spec, const char *key, const char *v) {
  json_t *a = json_object_get(spec, key);
  if (!a) {
    a = json_array();
    json_object_set_new(spec, key, a);
  }
  while (*v) {
    size_t n = strcspn(v, ",");
    if (n)
      json_array_append_new(a, json_stringn(v, n));
    v += n;
    if (*v == ',')
      v++;
  }
}

static int parse(acc_cli *g, int argc, char **argv, poc_args *a, int *code) {
  memset(a, 0, sizeof *a);
  a->spec = json_object();
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qh", opts, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, "poc", &help_done)) {
      if (help_done) {
        *code = ACC_EXIT_OK;
        return -1;
      }
      continue;
    }
    const char *key = NULL;
    switch (c) {
    case O_ORG:
      a->org = optarg;
      continue;
    case O_AS:
      a->as = optarg;
      continue;
    case O_COLLECTION:
      a->collection = optarg;
      continue;
    case O_DUE:
      a->due = 1;
      continue;
    case O_NOW:
      a->now = optarg;
      continue;
    case O_CHANNEL: {
      json_t *ch = json_object_get(a->spec, "channels");
      if (!ch) {
        ch = json_array();
        json_object_set_new(a->spec, "channels", ch);
      }
      json_array_append_new(ch, json_string(optarg));
      continue;
    }
    case O_LANGUAGE:
      add_csv(a->spec, "languages", optarg);
      continue;
    case O_ALWAYS:
      json_object_set_new(a->spec, "hours", json_string("24/7"));
      continue;
    case O_LEVEL:
      key = "level";
      break;
    case O_NAME:
      key = "name";
      break;
    case O_ROLE:
      key = "role";
      break;
    case O_HOURS:
      key = "hours";
      break;
    case O_COUNTRY:
      key = "country";
      break;
    case O_KEY:
      key = "public_key";
      break;
    case O_TLP:
      key = "tlp";
      break;
    case O_CONFIRMED:
      key = "confirmed";
      break;
    case O_CLASS:
      key = "identity_class";
      break;
    case O_DESC:
      key = "description";
      break;
    default:
      acc_cli_usage(stderr, "poc");
      *code = ACC_EXIT_USAGE;
      return -1;
    }
    json_object_set_new(a->spec, key, json_string(optarg));
  }
  for (int i = optind; i < argc; i++) {
    if (a->n_pos == 3) {
      acc_cli_err("poc: too many arguments ('%s')", argv[i]);
      acc_cli_usage(stderr, "poc");
      *code = ACC_EXIT_USAGE;
      return -1;
    }
    a->pos[a->n_pos++] = argv[i];
  }
  return 0;
}

typedef struct session {
  acc_store *st;
  acc_audit *audit;
  acc_principal who;
  acc_reader rd;
  acc_cbm_ctx ctx;
} session;

static int open_session(acc_cli *g, const poc_args *a, const char *path,
                        session *s) {
  acc_diag d;
  memset(s, 0, sizeof *s);
  int64_t now = ACC_TIME_NONE;
  if (a->now && acc_time_parse(a->now, strlen(a->now), 1, &now)) {
    acc_cli_err("--now: '%s' is not a timestamp like 2026-03-01T12:00:00Z",
                a->now);
    return ACC_EXIT_USAGE;
  }
  int64_t env_now;
  if (!a->now && acc_cbm_env_now(&env_now, &d) == ACC_EUSAGE) {
    acc_cli_err("%s", d.msg);
    return ACC_EXIT_USAGE;
  }
  int ex = acc_cli_open_reader(g, a->as, path, &s->st, &s->audit, &s->who,
                               &s->rd);
  if (ex)
    return ex;
  s->ctx = (acc_cbm_ctx){.st = s->st,
                         .rd = &s->rd,
                         .act_org = a->org,
                         .data_dir = g->data_dir,
                         .now_us = a->now ? now : ACC_TIME_NONE};
  return 0;
}

static void close_session(session *s) {
  acc_cli_close_reader(s->st, s->audit);
}

static int fail(acc_rc rc, const acc_diag *d) {
  acc_cli_err("%s", d->msg);
  return acc_cli_exit_for(rc);
}

typedef struct list_out {
  acc_cli *g;
  size_t n, due_own, due_other;
  int64_t period;
  int show;
} list_out;

static void print_text(const acc_cbm_poc_view *v) {
  const acc_cbm_poc *p = &v->p;
  char conf[ACC_TIME_BUFSZ];
  acc_time_format_ms(p->confirmed_us, conf);
  printf("%s\n  %s — %s contact of %s%s%s%s\n", p->id, p->name, p->level,
         p->org, p->role ? " (" : "", p->role ? p->role : "",
         p->role ? ")" : "");
  for (size_t i = 0; i < p->n_channels; i++)
    printf("  %-9s %s\n", p->channels[i].type, p->channels[i].value);
  if (p->n_languages) {
    printf("  languages");
    for (size_t i = 0; i < p->n_languages; i++)
      printf("%s%s", i ? ", " : " ", p->languages[i]);
    printf("\n");
  }
  printf("  hours     %s\n", p->always ? "24/7" : p->hours ? p->hours : "-");
  if (p->country)
    printf("  country   %s\n", p->country);
  if (p->public_key) {
    unsigned char pk[32];
    char kid[ACC_KEY_ID_LEN] = "";
    if (!acc_key_public_parse(p->public_key, pk, NULL))
      acc_key_id(pk, kid);
    printf("  key       %s (key id %s); entry signature %s\n", p->public_key,
           kid,
           v->sig == ACC_CBM_SIG_OK    ? "valid"
           : v->sig == ACC_CBM_SIG_BAD ? "INVALID"
                                       : "absent");
  }
  char age[64];
  acc_cbm_duration_text(v->age_us, age, sizeof age);
  printf("  confirmed %s (%s ago)%s\n", conf, age,
         v->due ? "  CONFIRMATION DUE" : "");
  if (!v->published)
    printf("  added by  %s, not by %s: its key is not trusted as %s's\n",
           v->origin_org, p->org, p->org);
}

static int on_poc(void *ctx, const acc_cbm_poc_view *v) {
  list_out *o = ctx;
  o->n++;
  if (v->due) {
    if (v->own)
      o->due_own++;
    else
      o->due_other++;
  }
  if (o->g->json) {
    json_t *j = acc_cbm_poc_json(v);
    char *s = json_dumps(j, (o->show ? JSON_INDENT(2) : JSON_COMPACT) |
                                JSON_PRESERVE_ORDER);
    json_decref(j);
    if (s)
      puts(s);
    free(s);
    return 0;
  }
  if (o->show) {
    print_text(v);
    return 0;
  }
  char conf[ACC_TIME_BUFSZ];
  acc_time_format_ms(v->p.confirmed_us, conf);
  conf[10] = '\0';
  char age[64];
  acc_cbm_duration_text(v->age_us, age, sizeof age);
  printf("%s  %-16.16s %-9s %-24.24s %s%s\n", v->p.id, v->p.org, v->p.level,
         v->p.name, conf,
         v->due         ? "  CONFIRMATION DUE"
         : v->published ? ""
                        : "  (not its own)");
  return 0;
}

static void reminder(const list_out *o) {
  if (!o->due_own)
    return;
  char per[64];
  acc_cbm_duration_text(o->period, per, sizeof per);
  acc_cli_err("reminder: %zu point%s of contact of yours %s last confirmed "
              "more than %s ago; check %s and run `accord poc confirm ID` "
              "(OSCE CBM 8: keep contacts current)",
              o->due_own, o->due_own == 1 ? "" : "s",
              o->due_own == 1 ? "was" : "were", per,
              o->due_own == 1 ? "it" : "each");
}

int acc_cmd_poc(acc_cli *g, int argc, char **argv) {
  poc_args a;
  int code = ACC_EXIT_OK;
  if (parse(g, argc, argv, &a, &code)) {
    json_decref(a.spec);
    return code;
  }
  const char *sub = a.n_pos ? a.pos[0] : NULL;
  if (!sub ||
      (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "show") &&
       strcmp(sub, "confirm") && strcmp(sub, "period"))) {
    acc_cli_err("poc: say what to do: add, list, show, confirm or period");
    acc_cli_usage(stderr, "poc");
    json_decref(a.spec);
    return ACC_EXIT_USAGE;
  }
  int need_id = !strcmp(sub, "show") || !strcmp(sub, "confirm");
  int max_pos = need_id || !strcmp(sub, "period") ? 2 : 1;
  if ((need_id && a.n_pos < 2) || a.n_pos > max_pos) {
    acc_cli_err(need_id && a.n_pos < 2
                    ? "poc %s: which entry? (its id, see `accord poc list`)"
                    : "poc %s: unexpected arguments",
                sub);
    json_decref(a.spec);
    return ACC_EXIT_USAGE;
  }
  char path[64];
  snprintf(path, sizeof path, "cli poc %s", sub);
  session s;
  if ((code = open_session(g, &a, path, &s))) {
    json_decref(a.spec);
    return code;
  }
  acc_diag d;
  acc_rc rc = ACC_OK;
  if (!strcmp(sub, "add")) {
    int64_t cid = ACC_DEFAULT_COLLECTION;
    char out[ACC_ID_MAX];
    if (acc_cli_collection(s.st, a.collection, &cid)) {
      code = ACC_EXIT_USAGE;
    } else if (a.org && !json_object_get(a.spec, "org")) {
      json_object_set_new(a.spec, "org", json_string(a.org));
    }
    if (!code) {
      rc = acc_cbm_poc_add(&s.ctx, a.spec, cid, out, &d);
      if (rc) {
        code = fail(rc, &d);
      } else if (g->json) {
        printf("{\"id\":");
        acc_cli_json_str(stdout, out);
        printf("}\n");
      } else {
        puts(out);
      }
    }
  } else if (!strcmp(sub, "confirm")) {
    rc = acc_cbm_poc_confirm(&s.ctx, a.pos[1], &d);
    if (rc)
      code = fail(rc, &d);
    else if (!g->quiet)
      fprintf(stderr, "accord: %s confirmed\n", a.pos[1]);
  } else if (!strcmp(sub, "period")) {
    int64_t per;
    if (a.n_pos == 2) {
      if ((rc = acc_cbm_duration(a.pos[1], &per, &d)) ||
          (rc = acc_cbm_period_set(s.st, per, &d)))
        code = fail(rc, &d);
    }
    if (!code && !(rc = acc_cbm_period(s.st, &per, &d))) {
      char t[64];
      acc_cbm_duration_text(per, t, sizeof t);
      if (g->json)
        printf("{\"period_seconds\":%lld}\n", (long long)(per / 1000000));
      else
        printf("points of contact are due for confirmation %s after they "
               "were last confirmed\n",
               t);
    } else if (!code) {
      code = fail(rc, &d);
    }
  } else {
    list_out o = {.g = g, .show = !strcmp(sub, "show")};
    acc_cbm_period(s.st, &o.period, NULL);
    if (o.show)
      rc = acc_cbm_poc_show(&s.ctx, a.pos[1], on_poc, &o, &d);
    else
      rc = acc_cbm_poc_list(&s.ctx, a.org, a.due, on_poc, &o, &d);
    if (rc)
      code = fail(rc, &d);
    else if (!g->quiet)
      reminder(&o);
  }
  close_session(&s);
  json_decref(a.spec);
  return code;
}
