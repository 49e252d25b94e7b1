/*
 * policy.c — TLP 2.0 levels of markings, an object's recipients (Accord's
 * property extension), the read decision, and granular-marking redaction.
 * Pure functions: no I/O, no store; the store's guarded read path and
 * every egress path call them.
 */
#include "policy/policy.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stix/stix.h"

static const struct {
  const char *id;
  acc_tlp tlp;
} tlp_ids[] = {
    /* TLP 2.0 (OASIS cti-stix-common-objects) */
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", ACC_TLP_CLEAR},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", ACC_TLP_GREEN},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", ACC_TLP_AMBER},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
     ACC_TLP_AMBER_STRICT},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", ACC_TLP_RED},
    /* TLP 1.0 (STIX 2.1 §7.2.1.4), read as 2.0: WHITE is CLEAR */
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", ACC_TLP_CLEAR},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", ACC_TLP_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", ACC_TLP_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", ACC_TLP_RED},
};

acc_tlp acc_tlp_of_marking(const char *id) {
  if (!id || strncmp(id, "marking-definition--", 20) != 0)
    return ACC_TLP_NONE;
  for (size_t i = 0; i < sizeof tlp_ids / sizeof tlp_ids[0]; i++)
    if (strcmp(id, tlp_ids[i].id) == 0)
      return tlp_ids[i].tlp;
  return ACC_TLP_NONE;
}

const char *acc_tlp_name(acc_tlp t) {
  switch (t) {
  case ACC_TLP_CLEAR:
    return "CLEAR";
  case ACC_TLP_GREEN:
    return "GREEN";
  case ACC_TLP_AMBER:
    return "AMBER";
  case ACC_TLP_AMBER_STRICT:
    return "AMBER+STRICT";
  case ACC_TLP_RED:
    return "RED";
  default:
    return "NONE";
  }
}

const char *acc_tlp_marking_id(acc_tlp t) {
  if (t < ACC_TLP_CLEAR || t > ACC_TLP_RED)
    return NULL;
  return tlp_ids[t].id; /* the first five entries are 2.0, in order */
}

acc_rc acc_tlp_parse(const char *name, acc_tlp *out) {
  static const struct {
    const char *name;
    acc_tlp tlp;
  } names[] = {{"clear", ACC_TLP_CLEAR},
               {"white", ACC_TLP_CLEAR},
               {"green", ACC_TLP_GREEN},
               {"amber", ACC_TLP_AMBER},
               {"amber+strict", ACC_TLP_AMBER_STRICT},
               {"amber-strict", ACC_TLP_AMBER_STRICT},
               {"red", ACC_TLP_RED}};
  const char *n = strncasecmp(name, "tlp:", 4) == 0 ? name + 4 : name;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcasecmp(n, names[i].name) == 0) {
      *out = names[i].tlp;
      return ACC_OK;
    }
  return ACC_EINVAL;
}

const char *acc_policy_extension_objects(void) {
  return "[{\"type\":\"identity\",\"spec_version\":\"2.1\","
         "\"id\":\"" ACC_IDENTITY_ACCORD "\","
         "\"created\":\"2026-11-23T00:00:00.000Z\","
         "\"modified\":\"2026-11-23T00:00:00.000Z\","
         "\"name\":\"Accord\",\"identity_class\":\"system\","
         "\"object_marking_refs\":[\"marking-definition--94868c89-83c2-"
         "464b-929b-a1a8aa3c8487\"],"
         "\"description\":\"The Accord threat-intelligence platform, "
         "publisher of Accord's STIX extensions.\"},"
         "{\"type\":\"extension-definition\",\"spec_version\":\"2.1\","
         "\"id\":\"" ACC_EXT_SHARING "\","
         "\"created_by_ref\":\"" ACC_IDENTITY_ACCORD "\","
         "\"created\":\"2026-11-23T00:00:00.000Z\","
         "\"modified\":\"2026-11-23T00:00:00.000Z\","
         "\"name\":\"Accord sharing recipients\","
         "\"description\":\"Names the recipients of an object shared under "
         "TLP 2.0: organisations for TLP:AMBER and TLP:AMBER+STRICT, "
         "individual users for TLP:RED.\","
         "\"schema\":\"A property extension with two optional properties: "
         "recipient_orgs, a list of strings, each an organisation name or "
         "the id of the organisation's STIX identity; and recipient_users, "
         "a list of user names. Absent lists name nobody; for TLP:AMBER an "
         "object naming no organisation goes to the organisations that may "
         "read the collection it was added to.\","
         "\"version\":\"1.0.0\","
         "\"object_marking_refs\":[\"marking-definition--94868c89-83c2-"
         "464b-929b-a1a8aa3c8487\"],"
         "\"extension_types\":[\"property-extension\"]}]";
}

int acc_policy_list_has(const char *list, const char *item) {
  if (!list || !item || !*item)
    return 0;
  size_t n = strlen(item);
  for (const char *p = strchr(list, '|'); p && p[1]; p = strchr(p + 1, '|'))
    if (strncmp(p + 1, item, n) == 0 && p[1 + n] == '|')
      return 1;
  return 0;
}

/* Turn a JSON list of strings into "|a|b|"; ACC_EINVAL on bad items. */
static acc_rc join_list(json_t *v, const char *prop, char **out, acc_diag *d) {
  if (!v)
    return ACC_OK;
  if (!json_is_array(v))
    return acc_diag_set(d, ACC_EINVAL,
                        "property 'extensions'.%s.%s: not a list of strings",
                        ACC_EXT_SHARING, prop);
  acc_buf b;
  acc_buf_init(&b, 1 << 20);
  acc_rc rc = acc_buf_putc(&b, '|');
  size_t i;
  json_t *e;
  json_array_foreach(v, i, e) {
    const char *s = json_string_value(e);
    if (!s || !*s || strchr(s, '|')) {
      acc_buf_free(&b);
      return acc_diag_set(d, ACC_EINVAL,
                          "property 'extensions'.%s.%s[%zu]: not a name "
                          "(a non-empty string without '|')",
                          ACC_EXT_SHARING, prop, i);
    }
    if (!rc)
      rc = acc_buf_puts(&b, s);
    if (!rc)
      rc = acc_buf_putc(&b, '|');
  }
  if (rc) {
    acc_buf_free(&b);
    return acc_diag_set(d, rc, "recipient list too long");
  }
  if (b.len <= 1) {
    acc_buf_free(&b);
    return ACC_OK;
  }
  *out = b.data;
  return ACC_OK;
}

static acc_tlp max_tlp(acc_tlp a, acc_tlp b) {
  return a > b ? a : b;
}

acc_rc acc_share_meta_from_json(json_t *obj, acc_share_meta *out, acc_diag *d) {
  acc_share_meta m = {.tlp = ACC_TLP_NONE, .granular_max = ACC_TLP_NONE};
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(obj, "object_marking_refs"), i, e) {
    m.tlp = max_tlp(m.tlp, acc_tlp_of_marking(json_string_value(e)));
  }
  json_array_foreach(json_object_get(obj, "granular_markings"), i, e) {
    json_t *ref = json_object_get(e, "marking_ref");
    m.granular_max =
        max_tlp(m.granular_max, acc_tlp_of_marking(json_string_value(ref)));
  }
  json_t *ext =
      json_object_get(json_object_get(obj, "extensions"), ACC_EXT_SHARING);
  if (ext) {
    acc_rc rc;
    if (!json_is_object(ext))
      return acc_diag_set(d, ACC_EINVAL,
                          "property 'extensions'.%s: not an object",
                          ACC_EXT_SHARING);
    if ((rc = join_list(json_object_get(ext, "recipient_orgs"),
                        "recipient_orgs", &m.orgs, d)) ||
        (rc = join_list(json_object_get(ext, "recipient_users"),
                        "recipient_users", &m.users, d))) {
      acc_share_meta_free(&m);
      return rc;
    }
  }
  *out = m;
  return ACC_OK;
}

void acc_share_meta_free(acc_share_meta *m) {
  if (!m)
    return;
  free(m->orgs);
  free(m->users);
  m->orgs = m->users = NULL;
}

#define BIT(t) (1u << (unsigned)(t))

unsigned acc_policy_levels(const acc_principal *p, const acc_share_access *a,
                           const acc_share_facts *f) {
  if (p->uid == 0) /* anonymous */
    return a->public_read ? BIT(ACC_TLP_CLEAR) : 0;
  /* Collection read rights apply first; TLP narrows, never widens. */
  if (!a->can_read && !p->admin)
    return 0;
  unsigned levels = BIT(ACC_TLP_CLEAR);
  if (p->org_member)
    levels |= BIT(ACC_TLP_GREEN);
  int originator = f->origin_oid != 0 && p->oid == f->origin_oid;
  int named = acc_policy_list_has(f->orgs, p->org) ||
              acc_policy_list_has(f->orgs, p->org_identity);
  /* Naming no organisation means: those that may read the collection. */
  if (originator || named || (!f->orgs && a->can_read))
    levels |= BIT(ACC_TLP_AMBER) | BIT(ACC_TLP_AMBER_STRICT);
  if ((f->origin_uid != 0 && p->uid == f->origin_uid) ||
      acc_policy_list_has(f->users, p->user))
    levels |= BIT(ACC_TLP_RED);
  /* Federation: RED never leaves the instance; AMBER+STRICT leaves only
   * the originator's instance (or returns to its originator). */
  if (a->peer) {
    levels &= ~BIT(ACC_TLP_RED);
    if (f->foreign && !originator)
      levels &= ~BIT(ACC_TLP_AMBER_STRICT);
  }
  return levels;
}

acc_decision acc_policy_decide(const acc_principal *p,
                               const acc_share_access *a,
                               const acc_share_facts *f) {
  acc_tlp t = f->tlp == ACC_TLP_NONE ? ACC_TLP_AMBER : f->tlp;
  unsigned levels = acc_policy_levels(p, a, f);
  if (!(levels & BIT(t)))
    return ACC_DENY;
  if (f->granular_max == ACC_TLP_NONE)
    return ACC_ALLOW;
  /* Parts marked with a level the reader cannot see must go. */
  for (int g = ACC_TLP_CLEAR; g <= f->granular_max; g++)
    if (!(levels & BIT(g)))
      return ACC_ALLOW_REDACTED;
  return ACC_ALLOW;
}

/* ---- granular redaction ---- */

/* Parse one selector component: "name" or "[N]". */
typedef struct sel_step {
  const char *key; /* points into a scratch copy, NUL-terminated */
  long index;      /* >= 0 for list steps */
} sel_step;

#define SEL_MAX_STEPS 32

static int parse_selector(char *s, sel_step *steps, int *n) {
  int k = 0;
  char *save = NULL;
  for (char *tok = strtok_r(s, ".", &save); tok;
       tok = strtok_r(NULL, ".", &save)) {
    if (k == SEL_MAX_STEPS)
      return -1;
    if (tok[0] == '[') {
      char *end;
      long v = strtol(tok + 1, &end, 10);
      if (end == tok + 1 || *end != ']' || end[1] || v < 0)
        return -1;
      steps[k].key = NULL;
      steps[k].index = v;
    } else {
      steps[k].key = tok;
      steps[k].index = -1;
    }
    k++;
  }
  *n = k;
  return k ? 0 : -1;
}

/* The selected node is replaced by a sentinel that is stripped afterwards,
 * so list indexes of other selectors stay valid meanwhile.  The sentinel
 * holds a control character, which no validated input string can. */
#define SENTINEL "\001acc-redacted\001"

static json_t *sentinel(void) {
  return json_string(SENTINEL);
}

static int is_sentinel(json_t *v) {
  return json_is_string(v) && strcmp(json_string_value(v), SENTINEL) == 0;
}

static int mark_selected(json_t *root, const char *selector) {
  char scratch[512];
  size_t n = strlen(selector);
  if (n >= sizeof scratch)
    return -1;
  memcpy(scratch, selector, n + 1);
  sel_step steps[SEL_MAX_STEPS];
  int k;
  if (parse_selector(scratch, steps, &k))
    return -1;
  json_t *cur = root;
  for (int i = 0; i < k - 1; i++) {
    cur = steps[i].key ? json_object_get(cur, steps[i].key)
                       : json_array_get(cur, (size_t)steps[i].index);
    if (!cur)
      return -1;
  }
  const sel_step *last = &steps[k - 1];
  if (last->key) {
    if (!json_object_get(cur, last->key))
      return -1;
    json_object_set_new(cur, last->key, sentinel());
  } else {
    if (!json_array_get(cur, (size_t)last->index))
      return -1;
    json_array_set_new(cur, (size_t)last->index, sentinel());
  }
  return 0;
}

/* Remove sentinels everywhere below v. */
static void strip(json_t *v) {
  if (json_is_object(v)) {
    const char *key;
    json_t *val;
    void *tmp;
    json_object_foreach_safe(v, tmp, key, val) {
      if (is_sentinel(val))
        json_object_del(v, key);
      else
        strip(val);
    }
  } else if (json_is_array(v)) {
    for (size_t i = json_array_size(v); i-- > 0;) {
      json_t *e = json_array_get(v, i);
      if (is_sentinel(e))
        json_array_remove(v, i);
      else
        strip(e);
    }
  }
}

acc_rc acc_policy_redact(json_t *obj, unsigned levels, json_t **out) {
  json_t *copy = json_deep_copy(obj);
  if (!copy)
    return ACC_ENOMEM;
  json_t *gm = json_object_get(copy, "granular_markings");
  json_t *kept = json_array();
  size_t i;
  json_t *e;
  acc_rc rc = ACC_OK;
  json_array_foreach(gm, i, e) {
    acc_tlp t = acc_tlp_of_marking(
        json_string_value(json_object_get(e, "marking_ref")));
    if (t == ACC_TLP_NONE || (levels & BIT(t))) {
      json_array_append(kept, e);
      continue;
    }
    size_t j;
    json_t *sel;
    json_array_foreach(json_object_get(e, "selectors"), j, sel) {
      const char *s = json_string_value(sel);
      if (!s || mark_selected(copy, s)) {
        /* A selector we cannot follow: withhold the whole object rather
         * than guess what it covers. */
        rc = ACC_EINVAL;
      }
    }
  }
  if (rc)
    goto out_free;
  strip(copy);
  /* Granular markings whose content is gone are dropped with it; the
   * remaining ones may point at moved list items, so keep only those whose
   * selectors still resolve. */
  json_t *final = json_array();
  json_array_foreach(kept, i, e) {
    size_t j;
    json_t *sel;
    int ok = 1;
    json_array_foreach(json_object_get(e, "selectors"), j, sel) {
      char scratch[512];
      const char *s = json_string_value(sel);
      sel_step steps[SEL_MAX_STEPS];
      int k;
      if (!s || strlen(s) >= sizeof scratch) {
        ok = 0;
        break;
      }
      memcpy(scratch, s, strlen(s) + 1);
      if (parse_selector(scratch, steps, &k)) {
        ok = 0;
        break;
      }
      json_t *cur = copy;
      for (int m = 0; m < k && cur; m++)
        cur = steps[m].key ? json_object_get(cur, steps[m].key)
                           : json_array_get(cur, (size_t)steps[m].index);
      if (!cur) {
        ok = 0;
        break;
      }
    }
    if (ok)
      json_array_append(final, e);
  }
  if (json_array_size(final))
    json_object_set(copy, "granular_markings", final);
  else
    json_object_del(copy, "granular_markings");
  json_decref(final);
  /* Whatever the type requires must still be there. */
  acc_stix_obj o;
  acc_diag d;
  if (acc_stix_validate(copy, &o, &d, NULL, NULL)) {
    rc = ACC_EINVAL;
    goto out_free;
  }
  json_decref(kept);
  *out = copy;
  return ACC_OK;
out_free:
  json_decref(kept);
  json_decref(copy);
  return rc;
}
