/*
 * cmd_consult.c — `accord consult open|ack|reply|close|list|show|verify`:
 * consultations between states (OSCE CBMs 3 and 13) from the command
 * line.  The flags become the same JSON as POST /api/v1/consultations
 * (src/cbm/consult.c checks both); every action is for the operator (with
 * --org) or for --as USER, and every read goes through the sharing
 * policy.  --now (or $ACCORD_NOW) pins the clock deadlines are judged by.
 */
#include <errno.h>
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
  O_TO,
  O_KIND,
  O_URGENCY,
  O_SUBJECT,
  O_MESSAGE,
  O_MESSAGE_FILE,
  O_REF,
  O_OBSERVER,
  O_POC,
  O_ACK_WITHIN,
  O_ACK_BY,
  O_ANSWER_WITHIN,
  O_ANSWER_BY,
  O_COLLECTION,
  O_NOW,
  O_OVERDUE,
  O_STATE,
  O_SPEC,
};

static const struct option opts[] = {
    {"data", required_argument, 0, 'd'},
    {"json", no_argument, 0, 'J'},
    {"quiet", no_argument, 0, 'q'},
    {"help", no_argument, 0, 'h'},
    {"org", required_argument, 0, O_ORG},
    {"as", required_argument, 0, O_AS},
    {"to", required_argument, 0, O_TO},
    {"kind", required_argument, 0, O_KIND},
    {"urgency", required_argument, 0, O_URGENCY},
    {"subject", required_argument, 0, O_SUBJECT},
    {"message", required_argument, 0, O_MESSAGE},
    {"message-file", required_argument, 0, O_MESSAGE_FILE},
    {"ref", required_argument, 0, O_REF},
    {"observer", required_argument, 0, O_OBSERVER},
    {"poc", required_argument, 0, O_POC},
    {"ack-within", required_argument, 0, O_ACK_WITHIN},
    {"ack-by", required_argument, 0, O_ACK_BY},
    {"answer-within", required_argument, 0, O_ANSWER_WITHIN},
    {"answer-by", required_argument, 0, O_ANSWER_BY},
    {"collection", required_argument, 0, O_COLLECTION},
    {"now", required_argument, 0, O_NOW},
    {"overdue", no_argument, 0, O_OVERDUE},
    {"state", required_argument, 0, O_STATE},
    {"spec", required_argument, 0, O_SPEC},
    {0, 0, 0, 0}};

typedef struct consult_args {
  json_t *spec;
  const char *org, *as, *collection, *now, *state;
  int overdue;
  const char *pos[3];
  int n_pos;
} consult_args;

static void append(json_t *spec, const char *key, const char *v) {
  json_t *a = json_object_get(spec, key);
  if (!a) {
    a = json_array();
    json_object_set_new(spec, key, a);
  }
  json_array_append_new(a, json_string(v));
}

/* The text of a file ('-': standard input), at most ACC_CBM_TEXT_MAX. */
static json_t *read_text(const char *path) {
  acc_input in;
  acc_diag d;
  if (acc_input_open(path, ACC_CBM_TEXT_MAX, &in, &d)) {
    acc_cli_err("--message-file: %s", d.msg);
    return NULL;
  }
  json_t *s = json_stringn(in.data, in.len);
  acc_input_close(&in);
  if (!s)
    acc_cli_err("--message-file %s: not UTF-8 text", path);
  return s;
}

static int parse(acc_cli *g, int argc, char **argv, consult_args *a,
                 int *code) {
  memset(a, 0, sizeof *a);
  a->spec = json_object();
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qh", opts, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, "consult", &help_done)) {
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
    case O_NOW:
      a->now = optarg;
      continue;
    case O_OVERDUE:
      a->overdue = 1;
      continue;
    case O_STATE:
      a->state = optarg;
      continue;
    case O_REF:
      append(a->spec, "refs", optarg);
      continue;
    case O_OBSERVER:
      append(a->spec, "observers", optarg);
      continue;
    case O_MESSAGE_FILE: {
      json_t *t = read_text(optarg);
      if (!t)
        goto usage;
      json_object_set_new(a->spec, "message", t);
      continue;
    }
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
      continue;
    }
    case O_TO:
      key = "to";
      break;
    case O_KIND:
      key = "kind";
      break;
    case O_URGENCY:
      key = "urgency";
      break;
    case O_SUBJECT:
      key = "subject";
      break;
    case O_MESSAGE:
      key = "message";
      break;
    case O_POC:
      key = "poc";
      break;
    case O_ACK_WITHIN:
      key = "ack_within";
      break;
    case O_ACK_BY:
      key = "ack_by";
      break;
    case O_ANSWER_WITHIN:
      key = "answer_within";
      break;
    case O_ANSWER_BY:
      key = "answer_by";
      break;
    default:
      goto usage;
    }
    json_object_set_new(a->spec, key, json_string(optarg));
  }
  for (int i = optind; i < argc; i++) {
    if (a->n_pos == 3) {
      acc_cli_err("consult: too many arguments ('%s')", argv[i]);
      goto usage;
    }
    a->pos[a->n_pos++] = argv[i];
  }
  return 0;
usage:
  acc_cli_usage(stderr, "consult");
  *code = ACC_EXIT_USAGE;
  return -1;
}

typedef struct session {
  acc_store *st;
  acc_audit *audit;
  acc_principal who;
  acc_reader rd;
  acc_cbm_ctx ctx;
} session;

static int open_session(acc_cli *g, const consult_args *a, const char *path,
                        session *s) {
  acc_diag d;
  memset(s, 0, sizeof *s);
  int64_t now = ACC_TIME_NONE, env_now;
  if (a->now && acc_time_parse(a->now, strlen(a->now), 1, &now)) {
    acc_cli_err("--now: '%s' is not a timestamp like 2026-03-01T12:00:00Z",
                a->now);
    return ACC_EXIT_USAGE;
  }
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
                         .now_us = now};
  return 0;
}

static void close_session(session *s) {
  acc_cli_close_reader(s->st, s->audit);
}

static int fail(acc_rc rc, const acc_diag *d) {
  acc_cli_err("%s", d->msg);
  return acc_cli_exit_for(rc);
}

static void print_json(json_t *j, int indent) {
  char *s = json_dumps(j, (indent ? JSON_INDENT(2) : JSON_COMPACT) |
                              JSON_PRESERVE_ORDER);
  json_decref(j);
  if (s)
    puts(s);
  free(s);
}

typedef struct list_out {
  acc_cli *g;
  size_t n, overdue;
} list_out;

static int on_thread(void *ctx, const acc_cbm_thread *t) {
  list_out *o = ctx;
  o->n++;
  if (t->fsm.state == ACC_CBM_EXPIRED)
    o->overdue++;
  if (o->g->json) {
    print_json(acc_cbm_thread_summary(t), 0);
    return 0;
  }
  const acc_cbm_msg *m = &t->msgs[0].m;
  char due[ACC_TIME_BUFSZ] = "-";
  char st[64];
  int64_t when = t->fsm.state == ACC_CBM_OPEN           ? t->fsm.ack_due_us
                 : t->fsm.state == ACC_CBM_ACKNOWLEDGED ? t->fsm.answer_due_us
                 : t->fsm.state == ACC_CBM_EXPIRED      ? t->fsm.expired_us
                                                        : ACC_TIME_NONE;
  if (when != ACC_TIME_NONE)
    acc_time_format_ms(when, due);
  if (t->fsm.state == ACC_CBM_EXPIRED)
    snprintf(st, sizeof st, "OVERDUE(%s)", acc_cbm_missed_name(t->fsm.missed));
  else
    snprintf(st, sizeof st, "%s", acc_cbm_state_name(t->fsm.state));
  printf("%s  %-22s %-12.12s -> %-12.12s %-26.26s due %s  %s%s\n", t->id, st,
         m->from_org, m->to_org, m->kind, due, m->subject,
         t->n_bad ? "  [unverified messages]" : "");
  return 0;
}

static int do_verify(acc_cli *g, const acc_cbm_thread *t) {
  if (g->json) {
    print_json(acc_cbm_thread_json(t), 1);
  } else {
    for (size_t i = 0; i < t->n_msgs; i++) {
      const acc_cbm_tmsg *m = &t->msgs[i];
      printf("%s  %-11s %-16s signature %-8s %s%s%s\n", m->m.id,
             acc_cbm_action_name(m->m.action), m->m.from_org,
             m->sig == ACC_CBM_SIG_OK    ? "valid"
             : m->sig == ACC_CBM_SIG_BAD ? "INVALID"
                                         : "absent",
             acc_cbm_verdict_name(m->verdict),
             m->verdict == ACC_CBM_COUNTED ? "" : ": ",
             m->verdict == ACC_CBM_COUNTED ? "" : m->why);
    }
  }
  if (t->n_bad) {
    acc_cli_err("consultation %s: %zu message%s do%s not verify or count",
                t->id, t->n_bad, t->n_bad == 1 ? "" : "s",
                t->n_bad == 1 ? "es" : "");
    return ACC_EXIT_PARTIAL;
  }
  if (!g->quiet)
    fprintf(stderr, "accord: consultation %s: all %zu messages verify\n", t->id,
            t->n_msgs);
  return ACC_EXIT_OK;
}

int acc_cmd_consult(acc_cli *g, int argc, char **argv) {
  consult_args a;
  int code = ACC_EXIT_OK;
  if (parse(g, argc, argv, &a, &code)) {
    json_decref(a.spec);
    return code;
  }
  static const char *const subs[] = {"open", "ack",  "reply",  "close",
                                     "list", "show", "verify", NULL};
  const char *sub = a.n_pos ? a.pos[0] : NULL;
  if (!sub || !acc_cbm_in(subs, sub)) {
    acc_cli_err("consult: say what to do: open, ack, reply, close, list, "
                "show or verify");
    acc_cli_usage(stderr, "consult");
    json_decref(a.spec);
    return ACC_EXIT_USAGE;
  }
  int need_id = strcmp(sub, "open") && strcmp(sub, "list");
  if (need_id != (a.n_pos == 2) || a.n_pos > 2) {
    acc_cli_err(need_id && a.n_pos < 2
                    ? "consult %s: which consultation? (its id, see `accord "
                      "consult list`)"
                    : "consult %s: unexpected arguments",
                sub);
    acc_cli_usage(stderr, "consult");
    json_decref(a.spec);
    return ACC_EXIT_USAGE;
  }
  acc_cbm_filter f = {.overdue_only = a.overdue, .state = -1};
  if (a.state) {
    acc_cbm_state s;
    if (acc_cbm_state_parse(a.state, &s)) {
      acc_cli_err("--state: '%s' is not open, acknowledged, answered, "
                  "closed or expired",
                  a.state);
      json_decref(a.spec);
      return ACC_EXIT_USAGE;
    }
    f.state = (int)s;
  }
  char path[64];
  snprintf(path, sizeof path, "cli consult %s", sub);
  session s;
  if ((code = open_session(g, &a, path, &s))) {
    json_decref(a.spec);
    return code;
  }
  acc_diag d;
  acc_rc rc = ACC_OK;
  char out[ACC_ID_MAX] = "";
  const char *id = a.n_pos == 2 ? a.pos[1] : NULL;
  if (!strcmp(sub, "open")) {
    int64_t cid = ACC_DEFAULT_COLLECTION;
    json_t *warnings = NULL;
    if (acc_cli_collection(s.st, a.collection, &cid)) {
      code = ACC_EXIT_USAGE;
    } else if ((rc = acc_cbm_open(&s.ctx, a.spec, cid, out, &warnings, &d))) {
      code = fail(rc, &d);
    }
    size_t i;
    json_t *w;
    json_array_foreach(warnings, i, w) {
      acc_cli_err("warning: %s", json_string_value(w));
    }
    json_decref(warnings);
  } else if (!strcmp(sub, "ack") || !strcmp(sub, "reply") ||
             !strcmp(sub, "close")) {
    acc_cbm_action act = !strcmp(sub, "ack")     ? ACC_CBM_MSG_ACK
                         : !strcmp(sub, "reply") ? ACC_CBM_MSG_REPLY
                                                 : ACC_CBM_MSG_CLOSE;
    json_t *spec = json_object();
    json_t *m = json_object_get(a.spec, "message");
    if (m)
      json_object_set(spec, "message", m);
    if (a.org)
      json_object_set_new(spec, "org", json_string(a.org));
    const char *k;
    json_t *v;
    json_object_foreach(a.spec, k, v) {
      if (strcmp(k, "message")) {
        acc_cli_err("consult %s: --%s is for `consult open`", sub, k);
        code = ACC_EXIT_USAGE;
        break;
      }
    }
    if (!code && (rc = acc_cbm_respond(&s.ctx, id, act, spec, out, &d)))
      code = fail(rc, &d);
    json_decref(spec);
  } else if (!strcmp(sub, "list")) {
    list_out o = {.g = g};
    if ((rc = acc_cbm_list(&s.ctx, &f, on_thread, &o, &d)))
      code = fail(rc, &d);
    else if (a.overdue && o.overdue && !g->quiet)
      acc_cli_err("%zu consultation%s overdue", o.overdue,
                  o.overdue == 1 ? " is" : "s are");
  } else {
    acc_cbm_thread *t = NULL;
    if ((rc = acc_cbm_thread_load(&s.ctx, id, &t, &d))) {
      code = fail(rc, &d);
    } else if (!strcmp(sub, "verify")) {
      code = do_verify(g, t);
    } else if (g->json) {
      print_json(acc_cbm_thread_json(t), 1);
    } else {
      acc_buf b;
      acc_buf_init(&b, 0);
      if (acc_cbm_thread_text(t, &b) == ACC_OK)
        fputs(acc_buf_cstr(&b), stdout);
      acc_buf_free(&b);
    }
    acc_cbm_thread_free(t);
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
  json_decref(a.spec);
  return code;
}
