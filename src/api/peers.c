/*
 * peers.c — GET /api/v1/peers (administrators): every federation peer with
 * its settings (never its secret), whether a secret is stored, and its sync
 * status — health, last error, counters, watermarks and lag — as `accord
 * peer status --json` gives it (src/sync/report.c).  ?name=PEER for one.
 */
#include "api/api.h"
#include "sync/sync.h"
#include "util/time.h"

void acc_api_peers(acc_api_call *c, acc_api_reply *r) {
  const char *name = acc_api_query(c, "name");
  json_t *arr = NULL;
  acc_diag d = {{0}};
  acc_rc rc =
      acc_sync_report(c->st, c->data_dir, name, acc_time_now_us(), &arr, &d);
  if (rc == ACC_ENOTFOUND) {
    acc_api_error(r, 404, "%s", d.msg);
    return;
  }
  if (rc) {
    acc_api_error(r, 500, "reading the peers failed: %s", d.msg);
    return;
  }
  acc_api_json(r, 200, json_pack("{s:o}", "peers", arr));
}
