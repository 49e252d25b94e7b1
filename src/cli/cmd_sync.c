/*
 * cmd_sync.c — `accord sync [PEER...]`: run federation once (every
 * enabled peer, or those named), print what each run did, and record it
 * in the peers' state; and the provenance lines of `accord get
 * --provenance`.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "policy/guard.h"
#include "sync/sync.h"
#include "util/time.h"

static atomic_int interrupted;

static void on_signal(int sig) {
  (void)sig;
  atomic_store(&interrupted, 1);
}

typedef struct names {
  char (*v)[ACC_NAME_MAX];
  size_t n, cap;
} names;

static int collect_enabled(void *ctx, const acc_peer_row *row) {
  names *ns = ctx;
  json_t *j = json_loads(row->config, 0, NULL);
  const char *dir = json_string_value(json_object_get(j, "direction"));
  int enabled = !json_is_false(json_object_get(j, "enabled")) && dir &&
                strcmp(dir, "receive") != 0;
  json_decref(j);
  if (!enabled)
    return 0;
  if (ns->n == ns->cap) {
    size_t nc = ns->cap ? ns->cap * 2 : 16;
    void *p = realloc(ns->v, nc * sizeof *ns->v);
    if (!p)
      return (int)ACC_ENOMEM;
    ns->v = p;
    ns->cap = nc;
  }
  snprintf(ns->v[ns->n++], ACC_NAME_MAX, "%s", row->name);
  return 0;
}

static void on_note(void *ctx, const char *peer, const char *msg) {
  acc_cli *g = ctx;
  if (!g->quiet)
    fprintf(stderr, "accord: peer %s: %s\n", peer, msg);
}

static void print_result(acc_cli *g, const char *name, acc_rc rc,
                         const acc_sync_result *r, const char *err) {
  if (g->json) {
    json_t *j = json_pack(
        "{s:s,s:b,s:I,s:{s:I,s:I,s:I,s:I,s:b},s:{s:I,s:I,s:I,s:I,s:b}}", "peer",
        name, "ok", rc == ACC_OK, "ms", (json_int_t)r->ms, "pull", "pages",
        (json_int_t)r->pages, "stored", (json_int_t)r->stored, "duplicates",
        (json_int_t)r->duplicate, "rejected", (json_int_t)r->rejected,
        "caught_up", r->pull_caught_up, "push", "batches",
        (json_int_t)r->batches, "pushed", (json_int_t)r->pushed, "rejected",
        (json_int_t)r->push_rejected, "withheld", (json_int_t)r->withheld,
        "caught_up", r->push_caught_up);
    if (j && rc)
      json_object_set_new(j, "error", json_string(err));
    if (j) {
      json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
      fputc('\n', stdout);
    }
    json_decref(j);
    return;
  }
  printf("peer %s:", name);
  if (r->dirs & ACC_SYNC_PULL)
    printf(" pulled %zu new, %zu duplicate, %zu rejected (%zu page%s%s);",
           r->stored, r->duplicate, r->rejected, r->pages,
           r->pages == 1 ? "" : "s", r->pull_caught_up ? ", caught up" : "");
  if (r->dirs & ACC_SYNC_PUSH)
    printf(" pushed %zu, %zu refused by the peer, %zu withheld by the sharing "
           "policy%s;",
           r->pushed, r->push_rejected, r->withheld,
           r->push_caught_up ? ", caught up" : "");
  printf(" %.1f s\n", (double)r->ms / 1000.0);
  if (rc)
    printf("peer %s: FAILED: %s\n", name, err);
}

int acc_cmd_sync(acc_cli *g, int argc, char **argv) {
  enum { O_PULL = 256, O_PUSH };
  static const struct option lo[] = {{"data", required_argument, 0, 'd'},
                                     {"json", no_argument, 0, 'J'},
                                     {"quiet", no_argument, 0, 'q'},
                                     {"help", no_argument, 0, 'h'},
                                     {"pull-only", no_argument, 0, O_PULL},
                                     {"push-only", no_argument, 0, O_PUSH},
                                     {0, 0, 0, 0}};
  unsigned mask = ACC_SYNC_PULL | ACC_SYNC_PUSH;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qh", lo, NULL)) != -1) {
    int help_done;
    if (acc_cli_common_opt(g, c, "sync", &help_done)) {
      if (help_done)
        return ACC_EXIT_OK;
      continue;
    }
    if (c == O_PULL)
      mask = ACC_SYNC_PULL;
    else if (c == O_PUSH)
      mask = ACC_SYNC_PUSH;
    else {
      acc_cli_usage(stderr, "sync");
      return ACC_EXIT_USAGE;
    }
  }
  acc_store *s;
  acc_audit *audit = NULL;
  acc_diag d;
  if (acc_store_open(g->data_dir, 0, &s, &d)) {
    acc_cli_err("%s", d.msg);
    return ACC_EXIT_STORE;
  }
  if (acc_audit_open(g->data_dir, &audit, &d)) {
    acc_cli_err("%s", d.msg);
    acc_store_close(s);
    return ACC_EXIT_STORE;
  }
  names ns = {0};
  int code = ACC_EXIT_OK;
  if (optind < argc) {
    for (int i = optind; i < argc; i++) {
      acc_peer_row *row = malloc(sizeof *row);
      if (!row || s->ops->peer_get(s, argv[i], row, &d)) {
        acc_cli_err("%s", row ? d.msg : "out of memory");
        free(row);
        code = ACC_EXIT_USAGE;
        goto out;
      }
      free(row);
      if (ns.n == ns.cap) {
        size_t nc = ns.cap ? ns.cap * 2 : 8;
        void *p = realloc(ns.v, nc * sizeof *ns.v);
        if (!p) {
          code = ACC_EXIT_STORE;
          goto out;
        }
        ns.v = p;
        ns.cap = nc;
      }
      snprintf(ns.v[ns.n++], ACC_NAME_MAX, "%s", argv[i]);
    }
  } else if (s->ops->peer_list(s, collect_enabled, &ns, &d)) {
    acc_cli_err("%s", d.msg);
    code = ACC_EXIT_STORE;
    goto out;
  }
  if (ns.n == 0 && !g->quiet)
    fprintf(stderr, "accord: no enabled peers (see `accord peer list`)\n");
  /* Ctrl-C or SIGTERM stops the run cleanly: the page in flight is not
   * committed, the state says where to go on. */
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGPIPE, SIG_IGN);
  acc_sync_env env = {.data_dir = g->data_dir,
                      .store = s,
                      .audit = audit,
                      .stop = &interrupted,
                      .lock_wait_ms = 60000, /* `accord serve` may be at it */
                      .log_ctx = g,
                      .log = on_note};
  for (size_t i = 0; i < ns.n && !atomic_load(&interrupted); i++) {
    acc_sync_result r;
    acc_rc rc = acc_sync_run(&env, ns.v[i], mask, &r, &d);
    print_result(g, ns.v[i], rc, &r, d.msg);
    if (rc)
      code = ACC_EXIT_INPUT;
    else if ((r.rejected || r.push_rejected) && code == ACC_EXIT_OK)
      code = ACC_EXIT_PARTIAL;
  }
  fflush(stdout);
out:
  free(ns.v);
  acc_audit_close(audit);
  acc_store_close(s);
  return code;
}

/* ---- accord get --provenance ---- */

typedef struct prov_ctx {
  acc_cli *g;
  acc_store *s;
  size_t n;
} prov_ctx;

typedef struct org_find {
  int64_t oid;
  char name[ACC_NAME_MAX];
} org_find;

static int find_org(void *ctx, const acc_org *o) {
  org_find *f = ctx;
  if (o->oid != f->oid)
    return 0;
  snprintf(f->name, sizeof f->name, "%s", o->name);
  return 1;
}

/* "user alice of CERT-X", "organisation CERT-X" or "the instance". */
static void origin_text(acc_store *s, const acc_record *r, char *out,
                        size_t size) {
  acc_diag d;
  acc_user u;
  org_find f = {.oid = r->origin_oid};
  if (r->origin_uid > 0 && s->ops->user_by_id(s, r->origin_uid, &u, &d) == 0)
    snprintf(out, size, "user %s of %s", u.name, u.org);
  else if (r->origin_oid > 0 && s->ops->org_list(s, find_org, &f, &d) == 1)
    snprintf(out, size, "organisation %s", f.name);
  else
    snprintf(out, size, "the instance");
}

static int prov_one(void *ctx, const acc_record *r) {
  prov_ctx *x = ctx;
  char mod[ACC_TIME_BUFSZ] = "-", added[ACC_TIME_BUFSZ],
       recv[ACC_TIME_BUFSZ] = "";
  char peer[ACC_NAME_MAX] = "";
  int64_t recv_us = 0;
  acc_diag d;
  if (r->modified_us != ACC_TIME_NONE)
    acc_time_format_ms(r->modified_us, mod);
  acc_time_format(r->date_added_us, added);
  int from_peer = x->s->ops->provenance_get &&
                  x->s->ops->provenance_get(x->s, r->date_added_us, peer,
                                            &recv_us, &d) == ACC_OK;
  if (from_peer)
    acc_time_format(recv_us, recv);
  acc_collection c;
  const char *coll = "?";
  if (x->s->ops->coll_by_cid(x->s, r->collection, &c, &d) == ACC_OK)
    coll = c.alias[0] ? c.alias : c.id;
  char origin[2 * ACC_NAME_MAX + 16];
  origin_text(x->s, r, origin, sizeof origin);
  if (x->g->json) {
    json_t *j = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s?,s:s?}", "id", r->id, "modified", mod,
        "collection", coll, "date_added", added, "origin", origin, "peer",
        from_peer ? peer : NULL, "received", from_peer ? recv : NULL);
    if (j) {
      json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
      fputc('\n', stdout);
    }
    json_decref(j);
  } else if (from_peer) {
    printf("%s version %s in %s: received from peer %s at %s (added %s; "
           "origin %s)\n",
           r->id, mod, coll, peer, recv, added, origin);
  } else {
    printf("%s version %s in %s: added here at %s by %s\n", r->id, mod, coll,
           added, origin);
  }
  x->n++;
  return 0;
}

int acc_cli_provenance(acc_cli *g, acc_store *s, const acc_reader *rd,
                       int64_t collection, const char *id) {
  acc_query q;
  acc_query_init(&q);
  q.collection = collection;
  q.ids[0] = id;
  q.n_ids = 1;
  q.version = ACC_VER_ALL;
  q.meta_only = 1;
  prov_ctx x = {.g = g, .s = s};
  acc_diag d;
  acc_rc rc = acc_guard_scan(s, rd, &q, prov_one, &x, NULL, &d);
  if (rc) {
    acc_cli_err("%s", d.msg);
    return acc_cli_exit_for(rc);
  }
  if (x.n == 0) {
    acc_cli_err("no object with id %s", id);
    return ACC_EXIT_PARTIAL;
  }
  return ACC_EXIT_OK;
}
