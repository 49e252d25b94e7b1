/*
 * pull.c — pull a peer's collection into a local one.
 *
 * Paging follows TAXII 2.1 §3.5: the same query (added_after = the
 * watermark the run started from, limit, match[version]=all) with each
 * page's `next` token; when the peer gives `more: true` but no token, the
 * query starts again with added_after = the page's
 * X-TAXII-Date-Added-Last.  Each page is stored by acc_ingest in one
 * transaction together with (before_commit) the new watermark, the next
 * token, the counters, and (on_stored) the provenance of each version
 * stored — so after a crash or kill -9 the run resumes exactly after the
 * last committed page: the saved token first, or added_after when the
 * peer no longer honours it; what comes again is a duplicate, a no-op.
 *
 * Bounded against a misbehaving peer: answers are capped (client.c), a
 * run stops after max_pages pages, an empty page ends it whatever `more`
 * says, a repeated token or a page that neither stores anything nor moves
 * the watermark three times in a row is an error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "sync/sync.h"
#include "util/time.h"

typedef struct page_ctx {
  acc_sync_job *j;
  acc_peer_state next_state; /* what is written with the page */
  int64_t now;
  int indicators;   /* an indicator was stored */
  acc_buf observed; /* ids of new observed-data, NUL-separated */
  acc_rc err;       /* a provenance write failed */
  acc_diag errd;
} page_ctx;

static void on_stored(void *ctx, size_t index, const acc_stix_obj *o,
                      int duplicate, int64_t added) {
  page_ctx *x = ctx;
  (void)index;
  if (duplicate || x->err || added == ACC_TIME_NONE)
    return;
  if (x->j->env->on_ingest) {
    if (strcmp(o->type, "indicator") == 0)
      x->indicators = 1;
    else if (strcmp(o->type, "observed-data") == 0)
      acc_buf_append(&x->observed, o->id, strlen(o->id) + 1);
  }
  acc_store *s = x->j->env->store;
  x->err = s->ops->provenance_add(s, added, x->j->peer->pid, x->j->peer->name,
                                  x->now, &x->errd);
}

static void on_reject(void *ctx, const acc_ingest_reject *rj) {
  page_ctx *x = ctx;
  char *r = x->next_state.reject;
  size_t size = sizeof x->next_state.reject;
  if (rj->id)
    snprintf(r, size, "pulled %s: %s", rj->id, rj->msg ? rj->msg : "refused");
  else
    snprintf(r, size, "pulled object %zu of a page: %s", rj->index,
             rj->msg ? rj->msg : "refused");
}

static acc_rc before_commit(void *ctx, acc_store *s, const acc_ingest_counts *c,
                            acc_diag *d) {
  page_ctx *x = ctx;
  if (x->err) {
    if (d)
      *d = x->errd;
    return x->err;
  }
  acc_peer_state v = x->next_state;
  v.pulled += (int64_t)c->stored;
  v.pull_duplicates += (int64_t)c->duplicate;
  v.pull_rejected += (int64_t)c->rejected;
  acc_rc rc = s->ops->peer_state_put(s, &v, d);
  if (!rc)
    x->next_state = v;
  return rc;
}

static void log_note(acc_sync_job *j, const char *msg) {
  if (j->env->log)
    j->env->log(j->env->log_ctx, j->peer->name, msg);
}

static int stop_requested(const acc_sync_job *j) {
  return j->env->stop && atomic_load(j->env->stop);
}

acc_rc acc_sync_pull(acc_sync_job *j, acc_diag *d) {
  const acc_sync_peer *p = j->peer;
  acc_store *s = j->env->store;
  acc_sync_result *res = j->res;
  acc_peer_state st;
  acc_sync_resp r;
  acc_buf url, base;
  char run_after[64], next[ACC_PEER_NEXT_MAX + 1];
  acc_rc rc = s->ops->peer_state_get(s, p->pid, &st, d);
  if (rc)
    return rc;
  acc_sync_resp_init(&r, p->max_response);
  acc_buf_init(&url, (size_t)64 << 10);
  acc_buf_init(&base, (size_t)16 << 10);
  rc = acc_buf_printf(&base, "%scollections/%s/objects/", j->api_root,
                      p->collection);
  if (rc)
    goto out;

  int resumed = st.pull_next[0] != '\0';
  snprintf(run_after, sizeof run_after, "%s",
           resumed ? st.pull_run_after : st.pull_after);
  snprintf(next, sizeof next, "%s", resumed ? st.pull_next : "");
  char *last_next = calloc(1, ACC_PEER_NEXT_MAX + 1); /* loop check */
  if (!last_next) {
    rc = ACC_ENOMEM;
    goto out;
  }
  unsigned stalls = 0;
  for (unsigned page = 0;; page++) {
    if (stop_requested(j)) {
      rc = acc_diag_set(d, ACC_EIO, "stopped");
      break;
    }
    if (page >= p->max_pages) {
      rc = acc_diag_set(d, ACC_ETOOBIG,
                        "stopped after %u pages in one run, the peer still "
                        "answering more: true; the next run goes on from "
                        "the watermark (raise --max-pages for a collection "
                        "this large)",
                        p->max_pages);
      break;
    }
    acc_buf_reset(&url);
    rc = acc_buf_append(&url, base.data, base.len);
    rc = rc ? rc
            : acc_sync_objects_query(&url, run_after, p->page_size,
                                     p->all_versions, next);
    if (rc) {
      rc = acc_diag_set(d, rc, "the request URL is too long");
      break;
    }
    rc = acc_sync_request(j->client, "GET", acc_buf_cstr(&url), NULL, 0, &r, d);
    if (rc == ACC_EINVAL && resumed && next[0] &&
        (r.status == 400 || r.status == 410 || r.status == 422)) {
      /* The saved token is no longer good (it may have expired): go on
       * from the watermark instead. */
      char note[700];
      snprintf(note, sizeof note,
               "the saved next token was refused (HTTP %ld); continuing "
               "with added_after=%s",
               r.status, st.pull_after[0] ? st.pull_after : "(start)");
      log_note(j, note);
      resumed = 0;
      next[0] = '\0';
      snprintf(run_after, sizeof run_after, "%s", st.pull_after);
      page--;
      continue;
    }
    if (rc)
      break;
    resumed = 0;
    acc_sync_envelope env;
    rc = acc_sync_envelope_parse(r.body.data, r.body.len, &env, d);
    if (rc) {
      char u[232];
      snprintf(u, sizeof u, "%.220s", url.data);
      acc_diag_prefix(d, "GET %s: ", u);
      break;
    }
    int64_t now = acc_time_now_us();
    if (!env.has_objects || env.n_objects == 0) {
      /* Caught up (an empty page ends the run even with more: true,
       * which §3.5 allows when objects were deleted meanwhile). */
      acc_sync_watermark_advance(st.pull_after, r.added_last);
      st.pull_next[0] = st.pull_run_after[0] = '\0';
      st.pull_ok_us = now;
      rc = s->ops->peer_state_put(s, &st, d);
      if (!rc)
        res->pull_caught_up = 1;
      break;
    }
    page_ctx x = {.j = j, .next_state = st, .now = now};
    acc_buf_init(&x.observed, (size_t)64 << 20);
    int advanced =
        acc_sync_watermark_advance(x.next_state.pull_after, r.added_last);
    const char *keep =
        env.more && env.has_next && !env.next_too_long && env.next[0] ? env.next
                                                                      : "";
    snprintf(x.next_state.pull_next, sizeof x.next_state.pull_next, "%s", keep);
    snprintf(x.next_state.pull_run_after, sizeof x.next_state.pull_run_after,
             "%s", keep[0] ? run_after : "");
    if (!env.more)
      x.next_state.pull_ok_us = now;
    acc_ingest_opts o = {
        .limits = {.max_doc_bytes = r.body.len + 1},
        .collection = p->local_cid,
        .batch = SIZE_MAX,
        .origin_oid = p->oid,
        .ctx = &x,
        .on_stored = on_stored,
        .on_reject = on_reject,
        .before_commit = before_commit,
    };
    acc_ingest_counts counts;
    acc_doc_shape shape;
    rc = acc_ingest(s, r.body.data, r.body.len, &o, &counts, &shape, d);
    if (!rc && j->env->on_ingest && (x.indicators || x.observed.len))
      j->env->on_ingest(j->env->ingest_ctx, s, x.indicators, x.observed.data,
                        x.observed.len);
    acc_buf_free(&x.observed);
    if (rc) {
      char u[232];
      snprintf(u, sizeof u, "%.220s", url.data);
      acc_diag_prefix(d, "storing the page of GET %s: ", u);
      break;
    }
    st = x.next_state;
    res->pages++;
    res->stored += counts.stored;
    res->duplicate += counts.duplicate;
    res->rejected += counts.rejected;
    if (!env.more) {
      res->pull_caught_up = 1;
      break;
    }
    if (keep[0]) {
      if (strcmp(keep, last_next) == 0) {
        rc = acc_diag_set(d, ACC_EINVAL,
                          "the peer answered the same next token twice "
                          "(paging would never end)");
        break;
      }
      snprintf(last_next, ACC_PEER_NEXT_MAX + 1, "%s", keep);
      snprintf(next, sizeof next, "%s", keep);
    } else {
      if (!advanced) {
        rc = acc_diag_set(d, ACC_EINVAL,
                          "the peer says more: true but gives neither a "
                          "next token nor a later X-TAXII-Date-Added-Last "
                          "(cannot page on)");
        break;
      }
      next[0] = '\0';
      snprintf(run_after, sizeof run_after, "%s", st.pull_after);
    }
    if (counts.stored == 0 && !advanced) {
      if (++stalls >= 3) {
        rc = acc_diag_set(d, ACC_EINVAL,
                          "the peer sent %u pages in a row with nothing new "
                          "and no later X-TAXII-Date-Added-Last (stopped)",
                          stalls);
        break;
      }
    } else {
      stalls = 0;
    }
  }
  free(last_next);
out:
  acc_buf_free(&url);
  acc_buf_free(&base);
  acc_sync_resp_free(&r);
  return rc;
}
