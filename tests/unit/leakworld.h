/*
 * leakworld.h — the random world of the leak tests and the independent
 * model of the sharing policy they check answers against: organisations
 * (members and partners), users, collections with random grants and
 * default markings, and objects with random TLP markings (2.0 and 1.0
 * ids), recipients, granular markings and originators.  The model is
 * written from docs/PRODUCT.md, not from src/policy.  Includers define
 * LW_FAIL(fmt, ...) (report and stop); LW_OK(expr) checks an acc_rc.
 */
#ifndef ACC_LEAKWORLD_H
#define ACC_LEAKWORLD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "policy/policy.h"
#include "store/store.h"
#include "util/time.h"

#define LW_OK(expr)                                                            \
  do {                                                                         \
    acc_rc lw_rc_ = (expr);                                                    \
    if (lw_rc_)                                                                \
      LW_FAIL("%s failed: %s", #expr, acc_strerror(lw_rc_));                   \
  } while (0)

#define N_ORGS 8
#define N_USERS 32
#define N_COLLS 4
#define N_OBJECTS 2500

static uint64_t rng_state;

static uint64_t rnd(void) {
  /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static unsigned pick(unsigned n) {
  return (unsigned)(rnd() % n);
}

static const char *tlp_ids[] = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", /* CLEAR */
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", /* GREEN */
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", /* AMBER */
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", /* STRICT */
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", /* RED */
};
static const char *tlp1_ids[] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", /* WHITE */
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", /* GREEN */
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", /* AMBER */
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", /* RED */
};
static const int tlp1_level[] = {0, 1, 2, 4};

/* The world, as the test knows it. */
typedef struct org_t {
  char name[24];
  char identity[64];
  int member;
  int64_t oid;
} org_t;
typedef struct user_t {
  char name[24];
  int org;
  int64_t uid;
} user_t;
typedef struct coll_t {
  int64_t cid;
  char uuid[40];
  int public_read;
  int default_tlp; /* 0..4 */
  int can_read[N_ORGS];
} coll_t;
typedef struct obj_t {
  char id[64];
  int coll;
  int tlp;           /* -1 none */
  int granular;      /* -1 none, else level of the granular marking */
  int origin_user;   /* index into users, -1 = instance */
  char orgs[N_ORGS]; /* named recipient orgs */
  int any_org;
  char users[N_USERS];
  int any_user;
} obj_t;

static org_t orgs[N_ORGS];
static user_t users[N_USERS];
static coll_t colls[N_COLLS];
static obj_t objs[N_OBJECTS];

/* Levels user u may read on object o, computed from the brief's table. */
static unsigned expected_levels(int u, const obj_t *o) {
  const user_t *us = &users[u];
  const org_t *og = &orgs[us->org];
  if (!colls[o->coll].can_read[us->org])
    return 0;            /* collection read rights apply first */
  unsigned lv = 1u << 0; /* CLEAR */
  if (og->member)
    lv |= 1u << 1;
  int origin_org = o->origin_user >= 0 ? users[o->origin_user].org : -1;
  if (origin_org == us->org || o->orgs[us->org] || !o->any_org)
    lv |= (1u << 2) | (1u << 3);
  if (o->origin_user == u || o->users[u])
    lv |= 1u << 4;
  return lv;
}

static int expect_visible(int u, const obj_t *o) {
  int t = o->tlp >= 0 ? o->tlp : colls[o->coll].default_tlp;
  return (expected_levels(u, o) >> t) & 1;
}

/* Anonymous readers: TLP:CLEAR in public collections, nothing else. */
static int expect_visible_anon(const obj_t *o) {
  int t = o->tlp >= 0 ? o->tlp : colls[o->coll].default_tlp;
  return colls[o->coll].public_read && t == 0;
}

static int expect_description_anon(const obj_t *o) {
  return o->granular < 0 || o->granular == 0;
}

/* A GREEN description granular-marked at o->granular must be absent when
 * that level is not readable. */
static int expect_description(int u, const obj_t *o) {
  if (o->granular < 0)
    return 1;
  return (expected_levels(u, o) >> o->granular) & 1;
}

static void build_world(acc_store *s) {
  acc_diag d;
  for (int i = 0; i < N_ORGS; i++) {
    org_t *o = &orgs[i];
    snprintf(o->name, sizeof o->name, "org%d", i);
    snprintf(o->identity, sizeof o->identity,
             "identity--%08x-0000-4000-8000-%012d", i, i);
    o->member = i < 5; /* orgs 5..7 are partners outside the community */
    acc_org ao = {.member = o->member};
    snprintf(ao.name, sizeof ao.name, "org%d", i);
    snprintf(ao.identity_ref, sizeof ao.identity_ref, "%s", o->identity);
    LW_OK(s->ops->org_add(s, &ao, &d));
    o->oid = ao.oid;
  }
  for (int i = 0; i < N_USERS; i++) {
    user_t *u = &users[i];
    snprintf(u->name, sizeof u->name, "user%d", i);
    u->org = i % N_ORGS;
    acc_user au = {.oid = orgs[u->org].oid};
    snprintf(au.name, sizeof au.name, "user%d", i);
    LW_OK(s->ops->user_add(s, &au, &d));
    u->uid = au.uid;
  }
  for (int c = 0; c < N_COLLS; c++) {
    coll_t *cl = &colls[c];
    cl->default_tlp = (int)pick(5);
    cl->public_read = c == N_COLLS - 1;
    if (c == 0) {
      cl->cid = ACC_DEFAULT_COLLECTION;
      cl->default_tlp = 2; /* AMBER unless set */
      acc_collection dc;
      LW_OK(s->ops->coll_by_cid(s, cl->cid, &dc, &d));
      snprintf(cl->uuid, sizeof cl->uuid, "%s", dc.id);
    } else {
      acc_collection ac = {.public_read = cl->public_read};
      snprintf(ac.id, sizeof ac.id, "00000000-0000-4000-8000-%012d", c);
      snprintf(ac.title, sizeof ac.title, "c%d", c);
      snprintf(ac.default_marking, sizeof ac.default_marking, "%s",
               tlp_ids[cl->default_tlp]);
      LW_OK(s->ops->coll_add(s, &ac, &d));
      cl->cid = ac.cid;
      snprintf(cl->uuid, sizeof cl->uuid, "%s", ac.id);
    }
    for (int o = 0; o < N_ORGS; o++) {
      cl->can_read[o] = pick(4) != 0;
      LW_OK(s->ops->grant_set(s, cl->cid, orgs[o].oid, cl->can_read[o], 0, &d));
    }
  }
}

/* Write object i as JSON and ingest it in its collection as its origin. */
static void make_object(acc_store *s, int i) {
  obj_t *o = &objs[i];
  snprintf(o->id, sizeof o->id, "indicator--%08x-1111-4222-8333-%012d", i, i);
  o->coll = (int)pick(N_COLLS);
  o->origin_user = pick(5) == 0 ? -1 : (int)pick(N_USERS);
  json_t *j = json_pack(
      "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[s,s]}", "type", "indicator",
      "spec_version", "2.1", "id", o->id, "created", "2026-01-01T00:00:00.000Z",
      "modified", "2026-01-01T00:00:00.000Z", "name", "n", "description",
      "secret-description", "pattern", "[ipv4-addr:value = '198.51.100.1']",
      "pattern_type", "stix", "labels", "a", "b");
  json_object_set_new(j, "valid_from", json_string("2026-01-01T00:00:00Z"));
  /* Markings: none, one, or two (the most restrictive wins). */
  o->tlp = -1;
  unsigned nm = pick(3);
  if (nm) {
    json_t *refs = json_array();
    for (unsigned k = 0; k < nm; k++) {
      int lvl;
      if (pick(3) == 0) {
        unsigned w = pick(4);
        json_array_append_new(refs, json_string(tlp1_ids[w]));
        lvl = tlp1_level[w];
      } else {
        lvl = (int)pick(5);
        json_array_append_new(refs, json_string(tlp_ids[lvl]));
      }
      if (lvl > o->tlp)
        o->tlp = lvl;
    }
    if (pick(4) == 0) /* a non-TLP marking alongside */
      json_array_append_new(
          refs, json_string("marking-definition--aaaaaaaa-0000-4000-8000-"
                            "000000000001"));
    json_object_set_new(j, "object_marking_refs", refs);
  }
  /* Recipients. */
  json_t *ext = NULL;
  if (pick(2)) {
    ext = json_pack("{s:s}", "extension_type", "property-extension");
    json_t *ro = json_array(), *ru = json_array();
    for (int k = 0; k < N_ORGS; k++)
      if (pick(4) == 0) {
        o->orgs[k] = 1;
        o->any_org = 1;
        json_array_append_new(
            ro, json_string(pick(2) ? orgs[k].name : orgs[k].identity));
      }
    for (int k = 0; k < N_USERS; k++)
      if (pick(8) == 0) {
        o->users[k] = 1;
        o->any_user = 1;
        json_array_append_new(ru, json_string(users[k].name));
      }
    if (json_array_size(ro))
      json_object_set(ext, "recipient_orgs", ro);
    if (json_array_size(ru))
      json_object_set(ext, "recipient_users", ru);
    json_decref(ro);
    json_decref(ru);
    json_object_set_new(j, "extensions",
                        json_pack("{s:o}", ACC_EXT_SHARING, ext));
  }
  /* Granular: the description marked at a random level (sometimes). */
  o->granular = -1;
  if (pick(3) == 0) {
    o->granular = (int)pick(5);
    json_object_set_new(j, "granular_markings",
                        json_pack("[{s:s,s:[s]}]", "marking_ref",
                                  tlp_ids[o->granular], "selectors",
                                  "description"));
  }
  char *txt = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  acc_ingest_opts opts = {.collection = colls[o->coll].cid};
  if (o->origin_user >= 0) {
    opts.origin_uid = users[o->origin_user].uid;
    opts.origin_oid = orgs[users[o->origin_user].org].oid;
  }
  acc_ingest_counts cnt;
  acc_diag d;
  LW_OK(acc_ingest(s, txt, strlen(txt), &opts, &cnt, NULL, &d));
  if (cnt.stored != 1)
    LW_FAIL("object %d not stored: %s", i, d.msg);
  free(txt);
}

#endif
