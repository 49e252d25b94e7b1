/*
 * whoami.c — GET /api/v1/whoami: the principal the request acts for (the
 * web interface shows it; scripts check their credentials with it).
 */
#include "api/api.h"

void acc_api_whoami(acc_api_call *c, acc_api_reply *r) {
  const acc_principal *p = c->who;
  json_t *j = json_pack("{s:s,s:s,s:s?,s:b,s:b}", "user", p->user, "org",
                        p->org, "org_identity",
                        p->org_identity[0] ? p->org_identity : NULL, "member",
                        p->org_member, "admin", p->admin);
  acc_api_json(r, 200, j);
}
