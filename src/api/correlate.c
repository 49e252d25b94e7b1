/*
 * correlate.c — GET /api/v1/correlate?value=V or ?id=ID: the objects that
 * share values with V or with object ID, grouped by value, under the
 * sharing policy (correlate/query.c decides every posting through the
 * guard and reads the objects it names through acc_guard_scan, audited
 * with this request's reader).  Optional: limit (objects per value), at
 * (date for list flags), common (threshold; default: accord.conf
 * correlation_common_sources, else the store's setting).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "correlate/correlate.h"
#include "correlate/lists.h"
#include "taxii/server_int.h"

static int num(const char *s, unsigned long *out) {
  char *end;
  if (!s || !*s)
    return -1;
  unsigned long v = strtoul(s, &end, 10);
  if (*end || !v || v > 1000000)
    return -1;
  *out = v;
  return 0;
}

void acc_api_correlate(acc_api_call *c, acc_api_reply *r) {
  const char *value = acc_api_query(c, "value");
  const char *id = acc_api_query(c, "id");
  if ((!value || !*value) == (!id || !*id)) {
    acc_api_error(r, 400, "give exactly one of value=VALUE or id=STIX-ID");
    return;
  }
  acc_corr_opts o = {.at_us = ACC_TIME_NONE};
  unsigned long v;
  const char *p;
  if ((p = acc_api_query(c, "limit"))) {
    if (num(p, &v)) {
      acc_api_error(r, 400, "limit: '%s' is not a number from 1 to 1000000",
                    p);
      return;
    }
    o.max_objects = v;
  }
  if ((p = acc_api_query(c, "common"))) {
    if (num(p, &v)) {
      acc_api_error(r, 400, "common: '%s' is not a number from 1 to 1000000",
                    p);
      return;
    }
    o.common = (unsigned)v;
  } else if (c->srv && c->srv->cfg.correlation_common_sources) {
    o.common = c->srv->cfg.correlation_common_sources;
  }
  if ((p = acc_api_query(c, "at")) &&
      acc_lists_date(p, strlen(p), &o.at_us, NULL)) {
    acc_api_error(r, 400, "at: '%s' is not a date (YYYY-MM-DD or RFC 3339)",
                  p);
    return;
  }
  if (id && !acc_stix_id_valid(id, NULL)) {
    acc_api_error(r, 400, "id: '%s' is not a STIX identifier", id);
    return;
  }
  json_t *ans = NULL;
  acc_diag d;
  acc_rc rc = acc_corr_query(c->st, &c->reader, id ? id : value, &o, &ans, &d);
  if (rc == ACC_ENOTFOUND) {
    acc_api_error(r, 404, "%s", d.msg);
    return;
  }
  if (rc == ACC_EINVAL) {
    acc_api_error(r, 400, "%s", d.msg);
    return;
  }
  if (rc) {
    acc_api_error(r, 500, "correlation failed (request %s)", c->rid);
    return;
  }
  acc_api_json(r, 200, ans);
}
