/*
 * routes.c — every route of /api/v1, in one table (see api.h).  Each
 * capability adds its rows here and keeps its handlers in its own file.
 */
#include "api/api.h"

/* api/whoami.c */
void acc_api_whoami(acc_api_call *c, acc_api_reply *r);
/* api/peers.c (federation) */
void acc_api_peers(acc_api_call *c, acc_api_reply *r);

const acc_api_route acc_api_routes[] = {
    {"GET", "/whoami", acc_api_whoami, 0},
    {"GET", "/peers", acc_api_peers, 1},
    {NULL, NULL, NULL, 0},
};
