/*
 * cmd_case.c — `accord case new|show|list|edit|evidence|endorse|vocab`:
 * attribution cases from the command line.  The flags are turned into the
 * same JSON the API takes (src/case/spec.c checks both), so the command
 * line and POST /api/v1/cases behave alike.  Reads and writes act for the
 * operator or for --as USER, through the sharing policy.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "cli/cli.h"
#include "policy/guard.h"
#include "util/time.h"

enum {
  O_TITLE = 256,
  O_DESC,
  O_OPERATION,
  O_OPERATION_TYPE,
  O_FIRST_SEEN,
  O_ACTOR,
  O_ACTOR_TYPE,
  O_STATE,
  O_STATE_TYPE,
  O_COUNTRY,
  O_CLAIM_TLP,
  O_LIKELIHOOD,
  O_SCALE,
  O_CONFIDENCE,
  O_NORM,
  O_SECTOR,
  O_ACTION,
  O_TARGET,
  O_EFFECT,
  O_MEASURE,
  O_PARTNER,
  O_QUORUM,
  O_UNANIMITY,
  O_TLP,
  O_COLLECTION,
  O_AS,
  O_ORG,
  O_SPEC,
  O_REF,
  O_RELIABILITY,
  O_CREDIBILITY,
  O_CATEGORY,
  O_SUMMARY,
  O_SUPPORTS,
  O_RELEASABILITY,
  O_SOURCE,
  O_PROTECT,
  O_OBSERVED,
  O_UPDATE,
  O_WITHDRAW,
  O_STANCE,
  O_CONCUR,
  O_DISSENT,
  O_ABSTAIN,
  O_STATEMENT,
};

static const struct option opts[] = {
    {"data", required_argument, 0, 'd'},
    {"json", no_argument, 0, 'J'},
    {"quiet", no_argument, 0, 'q'},
    {"help", no_argument, 0, 'h'},
    {"title", required_argument, 0, O_TITLE},
    {"description", required_argument, 0, O_DESC},
    {"operation", required_argument, 0, O_OPERATION},
    {"operation-type", required_argument, 0, O_OPERATION_TYPE},
    {"first-seen", required_argument, 0, O_FIRST_SEEN},
    {"actor", required_argument, 0, O_ACTOR},
    {"actor-type", required_argument, 0, O_ACTOR_TYPE},
    {"state", required_argument, 0, O_STATE},
    {"state-type", required_argument, 0, O_STATE_TYPE},
    {"country", required_argument, 0, O_COUNTRY},
    {"claim-tlp", required_argument, 0, O_CLAIM_TLP},
    {"likelihood", required_argument, 0, O_LIKELIHOOD},
    {"scale", required_argument, 0, O_SCALE},
    {"confidence", required_argument, 0, O_CONFIDENCE},
    {"norm", required_argument, 0, O_NORM},
    {"sector", required_argument, 0, O_SECTOR},
    {"action", required_argument, 0, O_ACTION},
    {"target", required_argument, 0, O_TARGET},
    {"effect", required_argument, 0, O_EFFECT},
    {"measure", required_argument, 0, O_MEASURE},
    {"partner", required_argument, 0, O_PARTNER},
    {"quorum", required_argument, 0, O_QUORUM},
    {"unanimity", no_argument, 0, O_UNANIMITY},
    {"tlp", required_argument, 0, O_TLP},
    {"collection", required_argument, 0, O_COLLECTION},
    {"as", required_argument, 0, O_AS},
    {"org", required_argument, 0, O_ORG},
    {"spec", required_argument, 0, O_SPEC},
    {"ref", required_argument, 0, O_REF},
    {"reliability", required_argument, 0, O_RELIABILITY},
    {"credibility", required_argument, 0, O_CREDIBILITY},
    {"category", required_argument, 0, O_CATEGORY},
    {"summary", required_argument, 0, O_SUMMARY},
    {"supports", required_argument, 0, O_SUPPORTS},
    {"releasability", required_argument, 0, O_RELEASABILITY},
    {"source", required_argument, 0, O_SOURCE},
    {"protect-source", no_argument, 0, O_PROTECT},
    {"observed", required_argument, 0, O_OBSERVED},
    {"update", required_argument, 0, O_UPDATE},
    {"withdraw", required_argument, 0, O_WITHDRAW},
    {"stance", required_argument, 0, O_STANCE},
    {"concur", no_argument, 0, O_CONCUR},
    {"dissent", no_argument, 0, O_DISSENT},
    {"abstain", no_argument, 0, O_ABSTAIN},
    {"statement", required_argument, 0, O_STATEMENT},
    {0, 0, 0, 0}};

/* What the flags say, gathered before the JSON is built. */
typedef struct case_args {
  json_t *spec;  /* the case / evidence / endorsement specification */
  json_t *claim; /* claim parts, built from --operation etc. */
  const char *part[3], *part_type[3];
  const char *first_seen, *country, *claim_tlp;
  const char *likelihood, *scale;
  json_t *partners;
  int quorum; /* -1 = not given */
  int unanimity;
  const char *as, *org, *collection;
  const char *pos[3];
  int n_pos;
} case_args;

/* Append the comma-separated items of v to spec[key] ("none" clears). */
static void add_list(json_t *obj, const char *key, const char *v) {
  json_t *a = json_object_get(obj, key);
  if (!a) {
    a = json_array();
    json_object_set_new(obj, key, a);
  }
  if (!strcmp(v, "none"))
    return;
  const char *p = v;
  while (*p) {
    size_t n = strcspn(p, ",");
    if (n)
      json_array_append_new(a, json_stringn(p, n));
    p += n;
    if (*p == ',')
      p++;
  }
}

static json_t *eu(case_args *a) {
  json_t *e = json_object_get(a->spec, "eu_2019_796");
  if (!e) {
    e = json_object();
    json_object_set_new(a->spec, "eu_2019_796", e);
  }
  return e;
}

static int parse(acc_cli *g, const char *cmd, int argc, char **argv,
                 case_args *a, int *code) {
  memset(a, 0, sizeof *a);
  a->spec = json_object();
  a->quorum = -1;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qh", opts, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, cmd, &help_done)) {
      if (help_done) {
        *code = ACC_EXIT_OK;
        return -1;
      }
      continue;
    }
    switch (c) {
    case O_TITLE:
      json_object_set_new(a->spec, "title", json_string(optarg));
      break;
    case O_DESC:
      json_object_set_new(a->spec, "description", json_string(optarg));
      break;
    case O_OPERATION:
      a->part[0] = optarg;
      break;
    case O_OPERATION_TYPE:
      a->part_type[0] = optarg;
      break;
    case O_ACTOR:
      a->part[1] = optarg;
      break;
    case O_ACTOR_TYPE:
      a->part_type[1] = optarg;
      break;
    case O_STATE:
      a->part[2] = optarg;
      break;
    case O_STATE_TYPE:
      a->part_type[2] = optarg;
      break;
    case O_FIRST_SEEN:
      a->first_seen = optarg;
      break;
    case O_COUNTRY:
      a->country = optarg;
      break;
    case O_CLAIM_TLP:
      a->claim_tlp = optarg;
      break;
    case O_LIKELIHOOD:
      a->likelihood = optarg;
      break;
    case O_SCALE:
      a->scale = optarg;
      break;
    case O_CONFIDENCE:
      json_object_set_new(a->spec, "analytic_confidence", json_string(optarg));
      break;
    case O_NORM:
      add_list(a->spec, "norms", optarg);
      break;
    case O_SECTOR:
      add_list(a->spec, "nis2_sectors", optarg);
      break;
    case O_ACTION:
      add_list(eu(a), "actions", optarg);
      break;
    case O_TARGET:
      add_list(eu(a), "targets", optarg);
      break;
    case O_EFFECT:
      add_list(eu(a), "effect_factors", optarg);
      break;
    case O_MEASURE: {
      json_t *m = json_object_get(a->spec, "measures");
      if (!m) {
        m = json_array();
        json_object_set_new(a->spec, "measures", m);
      }
      json_array_append_new(m, json_string(optarg));
      break;
    }
    case O_PARTNER:
      if (!a->partners)
        a->partners = json_array();
      json_array_append_new(a->partners, json_string(optarg));
      break;
    case O_QUORUM: {
      char *end;
      long v = strtol(optarg, &end, 10);
      if (*end || v < 1 || v > 64) {
        acc_cli_err("--quorum: '%s' is not a number from 1 to 64", optarg);
        goto usage;
      }
      a->quorum = (int)v;
      break;
    }
    case O_UNANIMITY:
      a->unanimity = 1;
      break;
    case O_TLP:
      json_object_set_new(a->spec, "tlp", json_string(optarg));
      break;
    case O_COLLECTION:
      a->collection = optarg;
      break;
    case O_AS:
      a->as = optarg;
      break;
    case O_ORG:
      a->org = optarg;
      break;
    case O_SPEC: {
      json_error_t e;
      json_t *j = json_load_file(optarg, JSON_REJECT_DUPLICATES, &e);
      if (!json_is_object(j)) {
        acc_cli_err("--spec %s: %s (line %d)", optarg,
                    j ? "not a JSON object" : e.text, e.line);
        json_decref(j);
        goto usage;
      }
      json_object_update_missing(a->spec, j);
      json_decref(j);
      break;
    }
    case O_REF: {
      json_t *r = json_object_get(a->spec, "refs");
      if (!r) {
        r = json_array();
        json_object_set_new(a->spec, "refs", r);
      }
      json_array_append_new(r, json_string(optarg));
      break;
    }
    case O_RELIABILITY:
      json_object_set_new(a->spec, "reliability", json_string(optarg));
      break;
    case O_CREDIBILITY:
      json_object_set_new(a->spec, "credibility", json_string(optarg));
      break;
    case O_CATEGORY:
      json_object_set_new(a->spec, "category", json_string(optarg));
      break;
    case O_SUMMARY:
      json_object_set_new(a->spec, "summary", json_string(optarg));
      break;
    case O_SUPPORTS:
      add_list(a->spec, "supports", optarg);
      break;
    case O_RELEASABILITY:
      json_object_set_new(a->spec, "releasability", json_string(optarg));
      break;
    case O_SOURCE:
      json_object_set_new(a->spec, "source", json_string(optarg));
      break;
    case O_PROTECT:
      json_object_set_new(a->spec, "protect_source", json_true());
      break;
    case O_OBSERVED:
      json_object_set_new(a->spec, "observed", json_string(optarg));
      break;
    case O_UPDATE:
      json_object_set_new(a->spec, "update", json_string(optarg));
      break;
    case O_WITHDRAW:
      json_object_set_new(a->spec, "withdraw", json_string(optarg));
      break;
    case O_STANCE:
      json_object_set_new(a->spec, "stance", json_string(optarg));
      break;
    case O_CONCUR:
    case O_DISSENT:
    case O_ABSTAIN:
      json_object_set_new(a->spec, "stance",
                          json_string(c == O_CONCUR    ? "concur"
                                      : c == O_DISSENT ? "dissent"
                                                       : "abstain"));
      break;
    case O_STATEMENT:
      json_object_set_new(a->spec, "statement", json_string(optarg));
      break;
    default:
      goto usage;
    }
  }
  for (int i = optind; i < argc; i++) {
    if (a->n_pos == 3) {
      acc_cli_err("case: too many arguments ('%s')", argv[i]);
      goto usage;
    }
    a->pos[a->n_pos++] = argv[i];
  }
  return 0;
usage:
  acc_cli_usage(stderr, cmd);
  *code = ACC_EXIT_USAGE;
  return -1;
}

static void free_args(case_args *a) {
  json_decref(a->spec);
  json_decref(a->partners);
}

/* The claim, likelihood and rule members of the case specification. */
static void build_case_spec(case_args *a, const acc_case *cur) {
  static const char *const parts[] = {"operation", "actor", "state"};
  static const char *const def_type[] = {"campaign", "intrusion-set",
                                         "identity"};
  json_t *claim = NULL;
  for (int i = 0; i < 3; i++) {
    if (!a->part[i])
      continue;
    if (!claim) {
      claim = json_object_get(a->spec, "claim");
      if (!claim) {
        claim = json_object();
        json_object_set_new(a->spec, "claim", claim);
      }
    }
    if (strstr(a->part[i], "--")) {
      json_object_set_new(claim, parts[i], json_string(a->part[i]));
      continue;
    }
    /* A name: the case creates the object. */
    json_t *o = json_pack("{s:s,s:s}", "type",
                          a->part_type[i] ? a->part_type[i] : def_type[i],
                          "name", a->part[i]);
    if (i == 0 && a->first_seen)
      json_object_set_new(o, "first_seen", json_string(a->first_seen));
    if (i == 2 && a->country)
      json_object_set_new(o, "country", json_string(a->country));
    if (a->claim_tlp)
      json_object_set_new(o, "tlp", json_string(a->claim_tlp));
    json_object_set_new(claim, parts[i], o);
  }
  if (a->likelihood)
    json_object_set_new(a->spec, "likelihood",
                        json_pack("{s:s,s:s}", "scale",
                                  a->scale ? a->scale : "icd203", "term",
                                  a->likelihood));
  if (a->partners || a->quorum > 0 || a->unanimity) {
    json_t *r = json_object();
    json_t *p = a->partners;
    if (!p && cur) {
      p = json_array();
      for (size_t i = 0; i < cur->rule.n_partners; i++)
        json_array_append_new(p, json_string(cur->rule.partners[i]));
    } else if (p) {
      json_incref(p);
    } else {
      p = json_array();
    }
    json_object_set_new(r, "partners", p);
    int q = a->quorum > 0          ? a->quorum
            : a->unanimity || !cur ? 0
                                   : cur->rule.quorum;
    json_object_set_new(r, "rule", json_string(q ? "quorum" : "unanimity"));
    if (q)
      json_object_set_new(r, "quorum", json_integer(q));
    json_object_set_new(a->spec, "endorsement", r);
  }
}

/* Open the store, the audit log and the principal. */
typedef struct session {
  acc_store *st;
  acc_audit *audit;
  acc_principal who;
  acc_reader rd;
  acc_case_ctx ctx;
} session;

static int open_session(acc_cli *g, const case_args *a, const char *path,
                        session *s) {
  memset(s, 0, sizeof *s);
  int ex = acc_cli_open_reader(g, a->as, path, &s->st, &s->audit, &s->who,
                               &s->rd);
  if (ex)
    return ex;
  s->ctx = (acc_case_ctx){.st = s->st,
                          .rd = &s->rd,
                          .owner_org = a->org,
                          .data_dir = g->data_dir,
                          .lists = acc_case_default_lists,
                          .now_us = ACC_TIME_NONE};
  return 0;
}

static void close_session(session *s) {
  acc_cli_close_reader(s->st, s->audit);
}

static int fail(acc_rc rc, const acc_diag *d) {
  acc_cli_err("%s", d->msg);
  return rc == ACC_EUSAGE ? ACC_EXIT_USAGE : acc_cli_exit_for(rc);
}

static int print_json(json_t *j) {
  char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (!s)
    return ACC_EXIT_STORE;
  puts(s);
  free(s);
  return ACC_EXIT_OK;
}

static int do_show(acc_cli *g, session *s, const char *id) {
  acc_case *c = NULL;
  acc_diag d;
  acc_rc rc = acc_case_load(&s->ctx, id, &c, &d);
  if (rc)
    return fail(rc, &d);
  int code = ACC_EXIT_OK;
  if (g->json) {
    code = print_json(acc_case_to_json(c));
  } else {
    acc_buf b;
    acc_buf_init(&b, 0);
    if (acc_case_to_text(c, &b) == ACC_OK)
      fputs(acc_buf_cstr(&b), stdout);
    acc_buf_free(&b);
  }
  acc_case_free(c);
  return code;
}

typedef struct list_out {
  acc_cli *g;
  size_t n;
} list_out;

static int on_case(void *ctx, const acc_record *r, json_t *rep) {
  list_out *o = ctx;
  json_t *j = acc_case_summary_json(r, rep);
  if (o->g->json) {
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (s)
      puts(s);
    free(s);
  } else {
    printf("%s  %-40.40s  %-16s %-20s %s\n",
           json_string_value(json_object_get(j, "id")),
           json_string_value(json_object_get(j, "title")),
           json_string_value(json_object_get(j, "owner"))
               ? json_string_value(json_object_get(j, "owner"))
               : "-",
           json_string_value(json_object_get(j, "likelihood"))
               ? json_string_value(json_object_get(j, "likelihood"))
               : "-",
           json_string_value(json_object_get(j, "modified")));
  }
  json_decref(j);
  o->n++;
  return 0;
}

static int do_vocab(acc_cli *g) {
  json_t *all = json_object();
  for (int l = 0; l < ACC_VOCAB_COUNT; l++) {
    size_t n;
    const acc_vocab *v = acc_case_vocab((acc_vocab_list)l, &n);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
      json_array_append_new(a,
                            json_pack("{s:s,s:s,s:s?}", "key", v[i].key,
                                      "label", v[i].label, "text", v[i].text));
    json_object_set_new(all, acc_case_vocab_name((acc_vocab_list)l), a);
  }
  size_t n;
  const acc_likelihood *lk = acc_case_likelihoods(&n);
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:i}", "scale",
                                       lk[i].scale, "key", lk[i].key, "label",
                                       lk[i].label, "range", lk[i].range,
                                       "stix_confidence", lk[i].stix));
  json_object_set_new(all, "likelihood", a);
  if (g->json)
    return print_json(all);
  const char *k;
  json_t *list;
  json_object_foreach(all, k, list) {
    printf("%s:\n", k);
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) {
      if (json_object_get(e, "scale"))
        printf("  %-8s %-22s %-10s STIX %lld\n",
               json_string_value(json_object_get(e, "scale")),
               json_string_value(json_object_get(e, "key")),
               json_string_value(json_object_get(e, "range")),
               (long long)json_integer_value(
                   json_object_get(e, "stix_confidence")));
      else
        printf("  %-36s %s\n", json_string_value(json_object_get(e, "key")),
               json_string_value(json_object_get(e, "label")));
    }
  }
  json_decref(all);
  return ACC_EXIT_OK;
}

int acc_cmd_case(acc_cli *g, int argc, char **argv) {
  case_args a;
  int code = ACC_EXIT_OK;
  if (parse(g, "case", argc, argv, &a, &code)) {
    free_args(&a);
    return code;
  }
  const char *sub = a.n_pos ? a.pos[0] : NULL;
  const char *id = a.n_pos > 1 ? a.pos[1] : NULL;
  if (!sub) {
    acc_cli_err("case: say what to do: new, show, list, edit, evidence, "
                "endorse or vocab");
    acc_cli_usage(stderr, "case");
    free_args(&a);
    return ACC_EXIT_USAGE;
  }
  if (!strcmp(sub, "vocab")) {
    free_args(&a);
    return do_vocab(g);
  }
  int need_id = strcmp(sub, "new") && strcmp(sub, "list");
  if (need_id != (id != NULL) ||
      (strcmp(sub, "new") && strcmp(sub, "list") && strcmp(sub, "show") &&
       strcmp(sub, "edit") && strcmp(sub, "evidence") &&
       strcmp(sub, "endorse"))) {
    acc_cli_err(need_id && !id ? "case %s: which case? (its id, see `accord "
                                 "case list`)"
                               : "case %s: unexpected arguments",
                sub);
    acc_cli_usage(stderr, "case");
    free_args(&a);
    return ACC_EXIT_USAGE;
  }
  char path[64];
  snprintf(path, sizeof path, "cli case %s", sub);
  session s;
  if ((code = open_session(g, &a, path, &s))) {
    free_args(&a);
    return code;
  }
  acc_diag d;
  acc_rc rc = ACC_OK;
  char out[ACC_ID_MAX] = "";
  if (!strcmp(sub, "show")) {
    code = do_show(g, &s, id);
  } else if (!strcmp(sub, "list")) {
    list_out lo = {.g = g};
    rc = acc_case_list(&s.ctx, on_case, &lo, &d);
    if (rc)
      code = fail(rc, &d);
  } else if (!strcmp(sub, "new")) {
    build_case_spec(&a, NULL);
    int64_t cid = ACC_DEFAULT_COLLECTION;
    const char *cn =
        a.collection ? a.collection
                     : json_string_value(json_object_get(a.spec, "collection"));
    if (acc_cli_collection(s.st, cn, &cid)) {
      code = ACC_EXIT_USAGE;
    } else {
      json_object_del(a.spec, "collection");
      rc = acc_case_create(&s.ctx, a.spec, cid, out, &d);
      code = rc ? fail(rc, &d) : ACC_EXIT_OK;
    }
  } else if (!strcmp(sub, "edit")) {
    acc_case *cur = NULL;
    if (a.quorum > 0 || a.partners || a.unanimity)
      rc = acc_case_load(&s.ctx, id, &cur, &d);
    if (!rc) {
      build_case_spec(&a, cur);
      rc = acc_case_edit(&s.ctx, id, a.spec, out, &d);
    }
    acc_case_free(cur);
    code = rc ? fail(rc, &d) : ACC_EXIT_OK;
  } else if (!strcmp(sub, "evidence")) {
    rc = acc_case_add_evidence(&s.ctx, id, a.spec, out, &d);
    code = rc ? fail(rc, &d) : ACC_EXIT_OK;
  } else {
    rc = acc_case_endorse(&s.ctx, id, a.spec, out, &d);
    code = rc ? fail(rc, &d) : ACC_EXIT_OK;
  }
  if (!code && out[0]) {
    if (g->json) {
      printf("{\"id\":");
      acc_cli_json_str(stdout, out);
      printf("}\n");
    } else {
      puts(out);
    }
  }
  close_session(&s);
  free_args(&a);
  return code;
}
