/*
 * view.c — helpers of the web interface's resources (see view.h).
 */
#include "api/view.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/time.h"

static int add_org(void *ctx, const acc_org *o) {
  view_names *n = ctx;
  if (n->n_org == VIEW_MAX_ORGS)
    return 0;
  n->org[n->n_org].oid = o->oid;
  snprintf(n->org[n->n_org].name, sizeof n->org[0].name, "%s", o->name);
  n->n_org++;
  return 0;
}

acc_rc view_names_init(view_names *n, acc_store *st, acc_diag *d) {
  memset(n, 0, sizeof *n);
  n->st = st;
  return st->ops->org_list(st, add_org, n, d);
}

const char *view_org_name(const view_names *n, int64_t oid) {
  if (oid == 0)
    return "this instance";
  for (size_t i = 0; i < n->n_org; i++)
    if (n->org[i].oid == oid)
      return n->org[i].name;
  return "unknown";
}

int64_t view_org_oid(const view_names *n, const char *name) {
  if (strcmp(name, "this instance") == 0)
    return 0;
  for (size_t i = 0; i < n->n_org; i++)
    if (strcmp(n->org[i].name, name) == 0)
      return n->org[i].oid;
  return -1;
}

acc_tlp view_effective_tlp(view_names *n, const acc_record *r) {
  if (r->tlp >= 0)
    return (acc_tlp)r->tlp;
  for (size_t i = 0; i < n->n_coll; i++)
    if (n->coll[i].cid == r->collection)
      return n->coll[i].default_tlp;
  acc_collection c;
  acc_diag d;
  acc_tlp t = ACC_TLP_AMBER;
  if (n->st->ops->coll_by_cid(n->st, r->collection, &c, &d) == ACC_OK &&
      c.default_marking[0]) {
    t = acc_tlp_of_marking(c.default_marking);
    if (t == ACC_TLP_NONE)
      t = ACC_TLP_AMBER;
  }
  if (n->n_coll < VIEW_MAX_COLLS) {
    n->coll[n->n_coll].cid = r->collection;
    n->coll[n->n_coll].default_tlp = t;
    n->n_coll++;
  }
  return t;
}

json_t *view_time(int64_t us) {
  if (us == ACC_TIME_NONE)
    return json_null();
  char ts[ACC_TIME_BUFSZ];
  acc_time_format_ms(us, ts);
  return json_string(ts);
}

const char *view_display_name(json_t *j) {
  static const char *const keys[] = {"name", "value", "pattern",
                                     "display_name", "path", "key",
                                     "user_id", "number", "opinion"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    const char *v = json_string_value(json_object_get(j, keys[i]));
    if (v && *v)
      return v;
  }
  json_t *h = json_object_get(j, "hashes");
  if (json_is_object(h)) {
    const char *k;
    json_t *v;
    json_object_foreach(h, k, v) {
      if (json_is_string(v))
        return json_string_value(v);
    }
  }
  const char *type = json_string_value(json_object_get(j, "type"));
  if (type && strcmp(type, "relationship") == 0)
    return json_string_value(json_object_get(j, "relationship_type"));
  if (type && strcmp(type, "sighting") == 0)
    return "sighting";
  const char *desc = json_string_value(json_object_get(j, "description"));
  if (desc)
    return desc;
  const char *abs = json_string_value(json_object_get(j, "abstract"));
  if (abs)
    return abs;
  return "";
}

/* "uses: intrusion-set → attack-pattern" for a relationship (the types
 * are in the ids the relationship itself holds). */
static const char *relationship_name(json_t *j, char *buf, size_t size) {
  const char *rt = json_string_value(json_object_get(j, "relationship_type"));
  const char *src = json_string_value(json_object_get(j, "source_ref"));
  const char *dst = json_string_value(json_object_get(j, "target_ref"));
  if (!rt || !src || !dst)
    return NULL;
  const char *a = strstr(src, "--"), *b = strstr(dst, "--");
  if (!a || !b)
    return NULL;
  snprintf(buf, size, "%s: %.*s \u2192 %.*s", rt, (int)(a - src), src,
           (int)(b - dst), dst);
  return buf;
}

json_t *view_summary(view_names *n, const acc_record *r) {
  json_t *j = r->raw ? json_loadb(r->raw, r->raw_len, 0, NULL) : NULL;
  char relbuf[200];
  const char *name = j ? view_display_name(j) : "";
  if (j && strcmp(r->type, "relationship") == 0) {
    const char *rn = relationship_name(j, relbuf, sizeof relbuf);
    if (rn)
      name = rn;
  }
  char shortname[241];
  size_t l = strlen(name);
  if (l >= sizeof shortname) {
    /* Cut at a UTF-8 character boundary. */
    l = sizeof shortname - 4;
    while (l > 0 && ((unsigned char)name[l] & 0xC0) == 0x80)
      l--;
    memcpy(shortname, name, l);
    memcpy(shortname + l, "...", 4);
  } else {
    memcpy(shortname, name, l + 1);
  }
  acc_tlp t = view_effective_tlp(n, r);
  json_t *o = json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:b}", "id", r->id, "type", r->type,
      "name", shortname, "tlp", acc_tlp_name(t), "source",
      view_org_name(n, r->origin_oid), "created", view_time(r->created_us),
      "modified", view_time(r->modified_us), "added",
      view_time(r->date_added_us), "revoked", r->revoked);
  if (o && j) {
    json_t *v = json_object_get(j, "created_by_ref");
    if (json_is_string(v))
      json_object_set(o, "created_by_ref", v);
    v = json_object_get(j, "confidence");
    if (json_is_integer(v))
      json_object_set(o, "confidence", v);
  }
  json_decref(j);
  return o;
}

long view_int_param(const acc_api_call *c, acc_api_reply *r, const char *name,
                    long def, long lo, long hi) {
  const char *v = acc_api_query(c, name);
  if (!v || !*v)
    return def;
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (errno || *end || x < lo || x > hi) {
    acc_api_error(r, 400, "%s must be a whole number from %ld to %ld, not '%.40s'",
                  name, lo, hi, v);
    return -1;
  }
  return x;
}
