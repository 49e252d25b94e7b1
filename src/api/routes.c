/*
 * routes.c — every route of /api/v1, in one table (see api.h).  Each
 * capability adds its rows here and keeps its handlers in its own file.
 */
#include "api/api.h"

/* api/whoami.c */
void acc_api_whoami(acc_api_call *c, acc_api_reply *r);
/* api/correlate.c */
void acc_api_correlate(acc_api_call *c, acc_api_reply *r);
/* api/cases.c (attribution cases and evidence packs) */
void acc_api_cases_list(acc_api_call *c, acc_api_reply *r);
void acc_api_case_new(acc_api_call *c, acc_api_reply *r);
void acc_api_case_get(acc_api_call *c, acc_api_reply *r);
void acc_api_case_edit(acc_api_call *c, acc_api_reply *r);
void acc_api_case_evidence(acc_api_call *c, acc_api_reply *r);
void acc_api_case_endorse(acc_api_call *c, acc_api_reply *r);
void acc_api_case_pack_build(acc_api_call *c, acc_api_reply *r);
void acc_api_case_pack_get(acc_api_call *c, acc_api_reply *r);

/* web/login.c: browser sessions */
void acc_web_session_login(acc_api_call *c, acc_api_reply *r);
void acc_web_session_get(acc_api_call *c, acc_api_reply *r);
void acc_web_session_logout(acc_api_call *c, acc_api_reply *r);

/* api/peers.c (federation) */
void acc_api_peers(acc_api_call *c, acc_api_reply *r);

/* the web interface's views (issue 11): api/stats.c, search.c, object.c,
 * import.c, audit_log.c */
void acc_api_stats(acc_api_call *c, acc_api_reply *r);
void acc_api_search(acc_api_call *c, acc_api_reply *r);
void acc_api_object(acc_api_call *c, acc_api_reply *r);
void acc_api_import(acc_api_call *c, acc_api_reply *r);
void acc_api_audit(acc_api_call *c, acc_api_reply *r);

/* api/consultations.c (confidence-building: consultations, points of
 * contact) */
void acc_api_consultations_list(acc_api_call *c, acc_api_reply *r);
void acc_api_consultation_open(acc_api_call *c, acc_api_reply *r);
void acc_api_consultation_get(acc_api_call *c, acc_api_reply *r);
void acc_api_consultation_ack(acc_api_call *c, acc_api_reply *r);
void acc_api_consultation_reply(acc_api_call *c, acc_api_reply *r);
void acc_api_consultation_close(acc_api_call *c, acc_api_reply *r);
void acc_api_poc_list(acc_api_call *c, acc_api_reply *r);
void acc_api_poc_add(acc_api_call *c, acc_api_reply *r);
void acc_api_poc_get(acc_api_call *c, acc_api_reply *r);
void acc_api_poc_confirm(acc_api_call *c, acc_api_reply *r);

const acc_api_route acc_api_routes[] = {
    {"GET", "/whoami", acc_api_whoami, 0},
    {"POST", "/session", acc_web_session_login, ACC_API_OPEN},
    {"GET", "/session", acc_web_session_get, 0},
    {"DELETE", "/session", acc_web_session_logout, 0},
    {"GET", "/stats", acc_api_stats, 0},
    {"GET", "/search", acc_api_search, 0},
    {"GET", "/objects/*", acc_api_object, 0},
    {"POST", "/import", acc_api_import, 0},
    {"GET", "/audit", acc_api_audit, 1},
    {"GET", "/correlate", acc_api_correlate, 0},
    {"GET", "/cases", acc_api_cases_list, 0},
    {"POST", "/cases", acc_api_case_new, 0},
    {"GET", "/cases/*", acc_api_case_get, 0},
    {"POST", "/cases/*/edit", acc_api_case_edit, 0},
    {"POST", "/cases/*/evidence", acc_api_case_evidence, 0},
    {"POST", "/cases/*/endorsement", acc_api_case_endorse, 0},
    {"POST", "/cases/*/pack", acc_api_case_pack_build, 0},
    {"GET", "/cases/*/pack", acc_api_case_pack_get, 0},
    {"GET", "/peers", acc_api_peers, 1},
    {"GET", "/consultations", acc_api_consultations_list, 0},
    {"POST", "/consultations", acc_api_consultation_open, 0},
    {"GET", "/consultations/*", acc_api_consultation_get, 0},
    {"POST", "/consultations/*/ack", acc_api_consultation_ack, 0},
    {"POST", "/consultations/*/reply", acc_api_consultation_reply, 0},
    {"POST", "/consultations/*/close", acc_api_consultation_close, 0},
    {"GET", "/poc", acc_api_poc_list, 0},
    {"POST", "/poc", acc_api_poc_add, 0},
    {"GET", "/poc/*", acc_api_poc_get, 0},
    {"POST", "/poc/*/confirm", acc_api_poc_confirm, 0},
    {NULL, NULL, NULL, 0},
};
