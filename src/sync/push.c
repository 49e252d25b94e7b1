/*
 * push.c — push a local collection to a peer, as far as the sharing
 * policy lets the peer's organisation receive it.
 *
 * Every version leaves through the enforcement point: acc_guard_scan with
 * a principal standing for the peer's organisation (user "peer:NAME",
 * path "sync:push:NAME"), which decides under TLP 2.0 and writes the audit
 * log.  The policy treats such a reader as a federation peer: RED never,
 * AMBER+STRICT only when it originated on this instance, AMBER only to
 * recipient organisations, GREEN only to community members.  This file
 * checks RED and foreign AMBER+STRICT once more (defence in depth), and
 * never sends a version back to the organisation it came from.
 *
 * Versions go in date_added order, in envelopes of at most push_batch
 * objects and push_max_bytes (capped by the API root's
 * max_content_length); each envelope's status resource is followed until
 * complete before the push watermark (a local date_added) moves past it.
 * A failed batch is sent again by the next run; the peer takes exact
 * duplicates as successes (§5.5), so nothing is lost and nothing doubles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/guard.h"
#include "sync/sync.h"
#include "util/time.h"

#define BATCH_STOP 1000 /* callback return: envelope full (not an acc_rc) */

typedef struct batch {
  acc_buf env;      /* {"objects":[...]} being built */
  size_t n;         /* objects in it */
  size_t max_bytes; /* envelope cap */
  int64_t last;     /* date_added of the last version taken or passed */
  int cut;          /* stopped because the envelope was full */
  size_t echoes;    /* versions from the peer's own organisation */
  size_t blocked;   /* refused here after the guard released them */
  acc_tlp default_tlp;
  const int64_t *peer_oids;
  size_t n_peer_oids;
  int64_t oid; /* the peer's organisation */
} batch;

static int from_peer(const batch *b, int64_t oid) {
  for (size_t i = 0; oid > 0 && i < b->n_peer_oids; i++)
    if (b->peer_oids[i] == oid)
      return 1;
  return 0;
}

static int take(void *ctx, const acc_record *r) {
  batch *b = ctx;
  if (b->n > 0 && b->env.len + r->raw_len + 8 > b->max_bytes) {
    b->cut = 1;
    return BATCH_STOP;
  }
  acc_tlp t = r->tlp >= 0 ? (acc_tlp)r->tlp : b->default_tlp;
  if (t == ACC_TLP_RED ||
      (t == ACC_TLP_AMBER_STRICT && r->origin_oid != b->oid &&
       from_peer(b, r->origin_oid))) {
    b->blocked++;
  } else if (r->origin_oid != 0 && r->origin_oid == b->oid) {
    b->echoes++;
  } else {
    acc_rc rc = acc_buf_puts(&b->env, b->n ? "," : "{\"objects\":[");
    rc = rc ? rc : acc_buf_append(&b->env, r->raw, r->raw_len);
    if (rc)
      return (int)rc;
    b->n++;
  }
  b->last = r->date_added_us;
  return 0;
}

static int stop_requested(const acc_sync_job *j) {
  return j->env->stop && atomic_load(j->env->stop);
}

/* Sleep ms unless stopped; 1 when stopped. */
static int nap(const acc_sync_job *j, unsigned ms) {
  while (ms) {
    if (stop_requested(j))
      return 1;
    unsigned slice = ms < 100 ? ms : 100;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)slice * 1000000L};
    nanosleep(&ts, NULL);
    ms -= slice;
  }
  return stop_requested(j);
}

/* POST one envelope and follow its status resource until complete. */
static acc_rc post(acc_sync_job *j, const acc_buf *env, acc_sync_resp *r,
                   acc_sync_status *stt, acc_diag *d) {
  const acc_sync_peer *p = j->peer;
  char url[ACC_SYNC_URL_MAX + ACC_NAME_MAX + 64];
  snprintf(url, sizeof url, "%scollections/%s/objects/", j->api_root,
           p->collection);
  acc_rc rc =
      acc_sync_request(j->client, "POST", url, env->data, env->len, r, d);
  if (rc)
    return rc;
  if ((rc = acc_sync_status_parse(r->body.data, r->body.len, stt, d))) {
    acc_diag_prefix(d, "POST %.200s: ", url);
    return rc;
  }
  unsigned waited = 0, step = 250;
  while (!stt->complete) {
    if (waited >= p->status_wait_ms)
      return acc_diag_set(d, ACC_EIO,
                          "status %s still pending after %u ms (%lld of "
                          "%lld done); the batch is sent again next run",
                          stt->id, waited,
                          (long long)(stt->success + stt->failure),
                          (long long)stt->total);
    if (nap(j, step))
      return acc_diag_set(d, ACC_EIO, "stopped");
    waited += step;
    step = step < 4000 ? step * 2 : 5000;
    snprintf(url, sizeof url, "%sstatus/%s/", j->api_root, stt->id);
    if ((rc = acc_sync_request(j->client, "GET", url, NULL, 0, r, d)))
      return rc;
    if ((rc = acc_sync_status_parse(r->body.data, r->body.len, stt, d))) {
      acc_diag_prefix(d, "GET %.200s: ", url);
      return rc;
    }
  }
  return ACC_OK;
}

/* The largest body the peer's API root takes (0 when it does not say). */
static size_t max_content(acc_sync_job *j, acc_sync_resp *r) {
  acc_diag d;
  if (acc_sync_request(j->client, "GET", j->api_root, NULL, 0, r, &d))
    return 0;
  return acc_sync_api_root_max_content(r->body.data, r->body.len);
}

acc_rc acc_sync_push(acc_sync_job *j, acc_diag *d) {
  const acc_sync_peer *p = j->peer;
  acc_store *s = j->env->store;
  acc_sync_result *res = j->res;
  acc_peer_state st;
  acc_sync_resp r;
  batch b;
  memset(&b, 0, sizeof b);
  acc_rc rc = s->ops->peer_state_get(s, p->pid, &st, d);
  if (rc)
    return rc;

  /* The principal standing for the peer's organisation. */
  acc_org org;
  if ((rc = s->ops->org_get(s, p->org, &org, d)))
    return rc;
  acc_principal who;
  memset(&who, 0, sizeof who);
  who.uid = -1000 - p->pid; /* never a user's, never the operator's */
  who.oid = org.oid;
  snprintf(who.user, sizeof who.user, "peer:%.100s", p->name);
  snprintf(who.org, sizeof who.org, "%s", org.name);
  snprintf(who.org_identity, sizeof who.org_identity, "%s", org.identity_ref);
  who.org_member = org.member;
  char path[ACC_NAME_MAX + 32];
  snprintf(path, sizeof path, "sync:push:%s", p->name);
  acc_reader rd = {.who = &who, .path = path, .audit = j->env->audit};

  acc_collection coll;
  if ((rc = s->ops->coll_by_cid(s, p->push_cid, &coll, d)))
    return rc;
  b.default_tlp = coll.default_marking[0]
                      ? acc_tlp_of_marking(coll.default_marking)
                      : ACC_TLP_AMBER;
  if (b.default_tlp == ACC_TLP_NONE)
    b.default_tlp = ACC_TLP_AMBER;
  b.oid = org.oid;
  int64_t oids[256];
  size_t n_oids = 0;
  if ((rc = s->ops->peer_orgs(s, oids, 256, &n_oids, d)))
    return rc;
  if (n_oids > 256) /* more than fit: refuse foreign AMBER+STRICT wholly */
    n_oids = 256;
  b.peer_oids = oids;
  b.n_peer_oids = n_oids;

  /* Everything added up to now; later versions wait for the next run. */
  int64_t count, first, upper;
  if ((rc = s->ops->added_range(s, p->push_cid, st.push_after_us, &count,
                                &first, &upper, d)))
    return rc;
  if (count == 0) {
    st.push_ok_us = acc_time_now_us();
    res->push_caught_up = 1;
    return s->ops->peer_state_put(s, &st, d);
  }
  acc_sync_resp_init(&r, p->max_response);
  acc_buf_init(&b.env, p->push_max_bytes + (size_t)(1 << 20));
  b.max_bytes = p->push_max_bytes;
  size_t mcl = max_content(j, &r);
  if (mcl && mcl < b.max_bytes)
    b.max_bytes = mcl;

  for (;;) {
    if (stop_requested(j)) {
      rc = acc_diag_set(d, ACC_EIO, "stopped");
      break;
    }
    acc_buf_reset(&b.env);
    b.n = 0;
    b.cut = 0;
    b.echoes = b.blocked = 0;
    b.last = ACC_TIME_NONE;
    acc_query q;
    acc_query_init(&q);
    q.collection = p->push_cid;
    q.version = ACC_VER_ALL;
    q.added_after_us = st.push_after_us;
    q.added_before_us = upper;
    q.limit = p->push_batch;
    acc_guard_counts gc;
    rc = acc_guard_scan(s, &rd, &q, take, &b, &gc, d);
    if (rc == (acc_rc)BATCH_STOP)
      rc = ACC_OK;
    if (rc)
      break;
    int more = b.cut || gc.released >= p->push_batch;
    acc_sync_status stt;
    memset(&stt, 0, sizeof stt);
    if (b.n) {
      if ((rc = acc_buf_puts(&b.env, "]}"))) {
        acc_diag_set(d, rc, "building an envelope");
        break;
      }
      if ((rc = post(j, &b.env, &r, &stt, d)))
        break;
      res->batches++;
    }
    /* The batch is settled: the watermark moves past it, with the
     * counts, in one write. */
    st.push_after_us = more && b.last != ACC_TIME_NONE ? b.last : upper;
    st.pushed += stt.success;
    st.push_rejected += stt.failure;
    st.push_withheld += (int64_t)(gc.denied + b.blocked);
    if (stt.failure_msg[0])
      snprintf(st.reject, sizeof st.reject, "pushed %.490s", stt.failure_msg);
    if (!more)
      st.push_ok_us = acc_time_now_us();
    if ((rc = s->ops->peer_state_put(s, &st, d)))
      break;
    res->pushed += (size_t)stt.success;
    res->push_rejected += (size_t)stt.failure;
    res->withheld += gc.denied + b.blocked;
    res->echoes += b.echoes;
    if (!more) {
      res->push_caught_up = 1;
      break;
    }
  }
  acc_buf_free(&b.env);
  acc_sync_resp_free(&r);
  return rc;
}
