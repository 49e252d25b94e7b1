/*
 * view.h — helpers shared by the /api/v1 resources the web interface
 * reads (stats.c, search.c, object.c): the names behind a record's
 * collection and originating organisation, its effective TLP, and the
 * short JSON summary of an object that lists show.  Nothing here reads
 * stored objects: records come from the enforcement point (guard.h).
 */
#ifndef ACC_API_VIEW_H
#define ACC_API_VIEW_H

#include <jansson.h>

#include "api/api.h"
#include "policy/policy.h"

#define VIEW_MAX_ORGS 256
#define VIEW_MAX_COLLS 64

typedef struct view_names {
  acc_store *st;
  struct {
    int64_t oid;
    char name[ACC_NAME_MAX];
  } org[VIEW_MAX_ORGS];
  size_t n_org;
  struct {
    int64_t cid;
    acc_tlp default_tlp;
    char alias[ACC_NAME_MAX];
  } coll[VIEW_MAX_COLLS];
  size_t n_coll;
} view_names;

/* Load the organisation names (all of them: few) for st. */
acc_rc view_names_init(view_names *n, acc_store *st, acc_diag *d);

/* The originating organisation's name ("this instance" for oid 0). */
const char *view_org_name(const view_names *n, int64_t oid);
/* The oid of an organisation name, or -1. */
int64_t view_org_oid(const view_names *n, const char *name);

/* The effective TLP of a record: its marking, else its collection's
 * default (AMBER unless set). */
acc_tlp view_effective_tlp(view_names *n, const acc_record *r);

/* A short summary of a released record with content: id, type, a display
 * name, TLP, source, dates, revoked.  NULL on failure. */
json_t *view_summary(view_names *n, const acc_record *r);

/* The display name of an object: name, value, pattern, or a short
 * description of what it is (pointer into j or a static string). */
const char *view_display_name(json_t *j);

/* RFC 3339 text of a time in microseconds, or NULL (json null) when
 * ACC_TIME_NONE. */
json_t *view_time(int64_t us);

/* An integer query parameter within [lo, hi], else def; -1 on garbage
 * (r then holds a 400 naming the parameter). */
long view_int_param(const acc_api_call *c, acc_api_reply *r, const char *name,
                    long def, long lo, long hi);

#endif
