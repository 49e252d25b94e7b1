/*
 * parse.c — points of contact and consultation messages as they arrive
 * from anywhere (a peer, a TAXII client, an import): the object has
 * passed STIX validation; here Accord's confidence-building extension is
 * read and checked member by member.  Nothing is trusted: every member is
 * type-checked, lists are bounded, timestamps parsed, and an error names
 * the property.  Strings stay in the JSON tree, which the result holds.
 */
#include <stdlib.h>
#include <string.h>

#include "cbm/cbm.h"
#include "policy/policy.h"
#include "stix/stix.h"
#include "util/time.h"

#define EXT_PATH "extensions." ACC_EXT_CBM

static json_t *ext_of(json_t *obj) {
  return json_object_get(json_object_get(obj, "extensions"), ACC_EXT_CBM);
}

char acc_cbm_kind_of(json_t *obj) {
  json_t *e = ext_of(obj);
  const char *k = json_string_value(json_object_get(e, "kind"));
  const char *t = json_string_value(json_object_get(obj, "type"));
  if (!k || !t)
    return 0;
  if (!strcmp(k, "point-of-contact") && !strcmp(t, "identity"))
    return 'p';
  if (!strcmp(k, "consultation-message") && !strcmp(t, "note"))
    return 'm';
  return 0;
}

/* A string member: required (NULL → error) or optional. */
static acc_rc str(json_t *o, const char *key, int required, size_t max,
                  const char **out, acc_diag *d) {
  json_t *v = json_object_get(o, key);
  *out = NULL;
  if (!v) {
    if (required)
      return acc_diag_set(d, ACC_EINVAL, "property '%s.%s': missing", EXT_PATH,
                          key);
    return ACC_OK;
  }
  if (!json_is_string(v))
    return acc_diag_set(d, ACC_EINVAL, "property '%s.%s': expected a string",
                        EXT_PATH, key);
  size_t n = json_string_length(v);
  if ((required && n == 0) || n > max)
    return acc_diag_set(d, ACC_EINVAL, "property '%s.%s': %s", EXT_PATH, key,
                        n ? "too long" : "empty");
  if (strlen(json_string_value(v)) != n)
    return acc_diag_set(d, ACC_EINVAL, "property '%s.%s': holds a NUL",
                        EXT_PATH, key);
  *out = json_string_value(v);
  return ACC_OK;
}

static acc_rc stamp(json_t *o, const char *key, int required, int64_t *out,
                    acc_diag *d) {
  const char *s;
  acc_rc rc = str(o, key, required, 64, &s, d);
  *out = ACC_TIME_NONE;
  if (rc || !s)
    return rc;
  if (acc_time_parse(s, strlen(s), 1, out))
    return acc_diag_set(d, ACC_EINVAL,
                        "property '%s.%s': '%s' is not a timestamp", EXT_PATH,
                        key, s);
  return ACC_OK;
}

/* A list of strings into out[max]; *n set. */
static acc_rc strs(json_t *o, const char *key, int required, size_t max_len,
                   const char **out, size_t max, size_t *n, acc_diag *d) {
  json_t *a = json_object_get(o, key);
  *n = 0;
  if (!a)
    return required ? acc_diag_set(d, ACC_EINVAL, "property '%s.%s': missing",
                                   EXT_PATH, key)
                    : ACC_OK;
  if (!json_is_array(a))
    return acc_diag_set(d, ACC_EINVAL, "property '%s.%s': expected a list",
                        EXT_PATH, key);
  if (json_array_size(a) > max)
    return acc_diag_set(d, ACC_EINVAL, "property '%s.%s': more than %zu items",
                        EXT_PATH, key, max);
  size_t i;
  json_t *v;
  json_array_foreach(a, i, v) {
    if (!json_is_string(v) || json_string_length(v) == 0 ||
        json_string_length(v) > max_len ||
        strlen(json_string_value(v)) != json_string_length(v))
      return acc_diag_set(d, ACC_EINVAL,
                          "property '%s.%s[%zu]': expected a non-empty "
                          "string",
                          EXT_PATH, key, i);
    out[(*n)++] = json_string_value(v);
  }
  return ACC_OK;
}

static acc_rc check_key_text(const char *k, const char *key, acc_diag *d) {
  unsigned char pk[32];
  if (k && acc_key_public_parse(k, pk, NULL))
    return acc_diag_set(d, ACC_EINVAL,
                        "property '%s.%s': not an Ed25519 public key "
                        "(ed25519:BASE64)",
                        EXT_PATH, key);
  return ACC_OK;
}

static int64_t obj_time(json_t *obj, const char *key) {
  const char *s = json_string_value(json_object_get(obj, key));
  int64_t t;
  if (!s || acc_time_parse(s, strlen(s), 0, &t))
    return ACC_TIME_NONE;
  return t;
}

/* ---- points of contact ---- */

void acc_cbm_poc_clear(acc_cbm_poc *p) {
  if (!p)
    return;
  json_decref(p->json);
  memset(p, 0, sizeof *p);
}

acc_rc acc_cbm_poc_parse(json_t *obj, acc_cbm_poc *out, acc_diag *d) {
  acc_cbm_poc p;
  memset(&p, 0, sizeof p);
  if (acc_cbm_kind_of(obj) != 'p')
    return acc_diag_set(d, ACC_EINVAL,
                        "not a point of contact (an identity with Accord's "
                        "confidence-building extension, kind "
                        "'point-of-contact')");
  json_t *e = ext_of(obj);
  acc_rc rc;
  p.id = json_string_value(json_object_get(obj, "id"));
  p.name = json_string_value(json_object_get(obj, "name"));
  if (!p.id || !p.name)
    return acc_diag_set(d, ACC_EINVAL, "a point of contact needs id and name");
  if ((rc = str(e, "org", 1, ACC_NAME_MAX - 1, &p.org, d)) ||
      (rc = str(e, "level", 1, 32, &p.level, d)) ||
      (rc = str(e, "role", 0, 512, &p.role, d)) ||
      (rc = str(e, "country", 0, 2, &p.country, d)) ||
      (rc = str(e, "hours", 0, 256, &p.hours, d)) ||
      (rc = str(e, "public_key", 0, ACC_KEY_PUB_TEXT_MAX - 1, &p.public_key,
                d)) ||
      (rc = check_key_text(p.public_key, "public_key", d)) ||
      (rc = stamp(e, "confirmed", 1, &p.confirmed_us, d)) ||
      (rc =
           strs(e, "languages", 0, 16, p.languages,
                sizeof p.languages / sizeof p.languages[0], &p.n_languages, d)))
    return rc;
  if (!acc_cbm_in(acc_cbm_levels, p.level))
    return acc_diag_set(d, ACC_EINVAL,
                        "property '%s.level': '%s' is not policy or "
                        "technical",
                        EXT_PATH, p.level);
  if (p.country &&
      (strlen(p.country) != 2 || p.country[0] < 'A' || p.country[0] > 'Z' ||
       p.country[1] < 'A' || p.country[1] > 'Z'))
    return acc_diag_set(d, ACC_EINVAL,
                        "property '%s.country': expected an ISO 3166-1 "
                        "alpha-2 code in capitals",
                        EXT_PATH);
  json_t *av = json_object_get(e, "always_available");
  if (av && !json_is_boolean(av))
    return acc_diag_set(d, ACC_EINVAL,
                        "property '%s.always_available': expected a boolean",
                        EXT_PATH);
  p.always = json_is_true(av) || (p.hours && !strcmp(p.hours, "24/7"));
  json_t *ch = json_object_get(e, "channels");
  if (!json_is_array(ch) || json_array_size(ch) == 0)
    return acc_diag_set(d, ACC_EINVAL,
                        "property '%s.channels': a non-empty list of "
                        "{type, value} is required",
                        EXT_PATH);
  if (json_array_size(ch) > ACC_CBM_MAX_CHANNELS)
    return acc_diag_set(d, ACC_EINVAL, "property '%s.channels': more than %d",
                        EXT_PATH, ACC_CBM_MAX_CHANNELS);
  size_t i;
  json_t *c;
  json_array_foreach(ch, i, c) {
    const char *t = json_string_value(json_object_get(c, "type"));
    const char *v = json_string_value(json_object_get(c, "value"));
    if (!json_is_object(c) || !t || !v || !*v ||
        json_string_length(json_object_get(c, "value")) > 512 ||
        strlen(v) != json_string_length(json_object_get(c, "value")))
      return acc_diag_set(d, ACC_EINVAL,
                          "property '%s.channels[%zu]': expected {type, "
                          "value} with a non-empty value",
                          EXT_PATH, i);
    if (!acc_cbm_in(acc_cbm_channel_types, t))
      return acc_diag_set(d, ACC_EINVAL,
                          "property '%s.channels[%zu].type': unknown type "
                          "'%s'",
                          EXT_PATH, i, t);
    p.channels[p.n_channels++] = (acc_cbm_channel){t, v};
  }
  p.created_us = obj_time(obj, "created");
  p.modified_us = obj_time(obj, "modified");
  p.revoked = json_is_true(json_object_get(obj, "revoked"));
  p.json = json_incref(obj);
  *out = p;
  return ACC_OK;
}

/* ---- consultation messages ---- */

void acc_cbm_msg_clear(acc_cbm_msg *m) {
  if (!m)
    return;
  json_decref(m->json);
  memset(m, 0, sizeof *m);
}

static int has(const char *const *list, size_t n, const char *s) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(list[i], s))
      return 1;
  return 0;
}

acc_rc acc_cbm_msg_parse(json_t *obj, acc_cbm_msg *out, acc_diag *d) {
  acc_cbm_msg *m = calloc(1, sizeof *m);
  if (!m)
    return ACC_ENOMEM;
  acc_rc rc = ACC_OK;
  const char *action;
  if (acc_cbm_kind_of(obj) != 'm') {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "not a consultation message (a note with Accord's "
                      "confidence-building extension, kind "
                      "'consultation-message')");
    goto out;
  }
  json_t *e = ext_of(obj);
  m->id = json_string_value(json_object_get(obj, "id"));
  m->text = json_string_value(json_object_get(obj, "content"));
  m->created_us = obj_time(obj, "created");
  if (!m->id || !m->text || m->created_us == ACC_TIME_NONE) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "a consultation message needs id, content and "
                      "created");
    goto out;
  }
  if ((rc = str(e, "action", 1, 16, &action, d)))
    goto out;
  if (acc_cbm_action_parse(action, &m->action)) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "property '%s.action': '%s' is not open, acknowledge, "
                      "reply or close",
                      EXT_PATH, action);
    goto out;
  }
  if ((rc = str(e, "from_org", 1, ACC_NAME_MAX - 1, &m->from_org, d)) ||
      (rc = str(e, "from_user", 0, ACC_NAME_MAX - 1, &m->from_user, d)) ||
      (rc = str(e, "in_reply_to", 0, ACC_ID_MAX - 1, &m->in_reply_to, d)) ||
      (rc = str(e, "consultation_ref", m->action != ACC_CBM_MSG_OPEN,
                ACC_ID_MAX - 1, &m->consultation, d)))
    goto out;
  if (m->action == ACC_CBM_MSG_OPEN) {
    if (m->consultation && strcmp(m->consultation, m->id)) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "property '%s.consultation_ref': an opening refers "
                        "to no other consultation",
                        EXT_PATH);
      goto out;
    }
    m->consultation = m->id;
  } else if (!acc_stix_id_valid(m->consultation, "note") ||
             !strcmp(m->consultation, m->id)) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "property '%s.consultation_ref': expected the id of "
                      "the opening note",
                      EXT_PATH);
    goto out;
  }
  /* Recipients, as the sharing extension names them. */
  json_t *sh =
      json_object_get(json_object_get(obj, "extensions"), ACC_EXT_SHARING);
  if ((rc = strs(sh, "recipient_orgs", 1, ACC_NAME_MAX - 1, m->recipients,
                 2 + ACC_CBM_MAX_OBSERVERS, &m->n_recipients, d))) {
    acc_diag_prefix(d, "the sharing extension: ");
    goto out;
  }
  if (!has(m->recipients, m->n_recipients, m->from_org)) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "the sender %s is not among the message's recipients",
                      m->from_org);
    goto out;
  }
  /* Only TLP:AMBER+STRICT carries a consultation. */
  size_t i;
  json_t *mk;
  int strict = 0;
  json_array_foreach(json_object_get(obj, "object_marking_refs"), i, mk) {
    acc_tlp t = acc_tlp_of_marking(json_string_value(mk));
    if (t == ACC_TLP_AMBER_STRICT)
      strict = 1;
    else if (t != ACC_TLP_NONE) {
      strict = 0;
      break;
    }
  }
  if (!strict) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "a consultation message must be marked "
                      "TLP:AMBER+STRICT (and no other TLP)");
    goto out;
  }
  if (m->action == ACC_CBM_MSG_OPEN) {
    if ((rc = str(e, "to_org", 1, ACC_NAME_MAX - 1, &m->to_org, d)) ||
        (rc = str(e, "to_poc_ref", 0, ACC_ID_MAX - 1, &m->to_poc, d)) ||
        (rc = str(e, "consultation_kind", 1, 64, &m->kind, d)) ||
        (rc = str(e, "urgency", 1, 16, &m->urgency, d)) ||
        (rc = str(e, "subject", 1, 1024, &m->subject, d)) ||
        (rc = stamp(e, "ack_due", 1, &m->ack_due_us, d)) ||
        (rc = stamp(e, "answer_due", 1, &m->answer_due_us, d)) ||
        (rc = strs(e, "observers", 0, ACC_NAME_MAX - 1, m->observers,
                   ACC_CBM_MAX_OBSERVERS, &m->n_observers, d)))
      goto out;
    if (!acc_cbm_in(acc_cbm_kinds, m->kind)) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "property '%s.consultation_kind': unknown kind '%s'",
                        EXT_PATH, m->kind);
      goto out;
    }
    if (!acc_cbm_urgency_find(m->urgency)) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "property '%s.urgency': unknown urgency '%s'", EXT_PATH,
                        m->urgency);
      goto out;
    }
    if (!strcmp(m->to_org, m->from_org)) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "property '%s.to_org': a state does not consult "
                        "itself",
                        EXT_PATH);
      goto out;
    }
    if (m->to_poc && !acc_stix_id_valid(m->to_poc, "identity")) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "property '%s.to_poc_ref': not an identity id",
                        EXT_PATH);
      goto out;
    }
    if ((rc = acc_cbm_deadlines_check(m->created_us, m->ack_due_us,
                                      m->answer_due_us, d))) {
      acc_diag_prefix(d, "property '%s.ack_due'/'answer_due': ", EXT_PATH);
      goto out;
    }
    /* The recipients are exactly the parties and the observers. */
    size_t want = 2;
    for (size_t k = 0; k < m->n_observers; k++) {
      if (!strcmp(m->observers[k], m->from_org) ||
          !strcmp(m->observers[k], m->to_org) ||
          has(m->observers, k, m->observers[k])) {
        rc = acc_diag_set(d, ACC_EINVAL,
                          "property '%s.observers[%zu]': a party or a "
                          "repeated observer",
                          EXT_PATH, k);
        goto out;
      }
      want++;
      if (!has(m->recipients, m->n_recipients, m->observers[k])) {
        rc = acc_diag_set(d, ACC_EINVAL,
                          "observer %s is not among the recipients",
                          m->observers[k]);
        goto out;
      }
    }
    if (!has(m->recipients, m->n_recipients, m->to_org) ||
        m->n_recipients != want) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "the recipients must be exactly the two parties "
                        "and the observers");
      goto out;
    }
    json_t *refs = json_object_get(e, "refs");
    if (refs && !json_is_array(refs)) {
      rc = acc_diag_set(d, ACC_EINVAL, "property '%s.refs': expected a list",
                        EXT_PATH);
      goto out;
    }
    if (json_array_size(refs) > ACC_CBM_MAX_REFS) {
      rc = acc_diag_set(d, ACC_EINVAL, "property '%s.refs': more than %d",
                        EXT_PATH, ACC_CBM_MAX_REFS);
      goto out;
    }
    json_t *r;
    json_array_foreach(refs, i, r) {
      acc_cbm_ref *x = &m->refs[m->n_refs];
      x->id = json_string_value(json_object_get(r, "ref"));
      x->type = json_string_value(json_object_get(r, "type"));
      x->tlp = json_string_value(json_object_get(r, "tlp"));
      acc_tlp t;
      if (!json_is_object(r) || !x->id || !acc_stix_id_valid(x->id, NULL) ||
          (x->tlp && acc_tlp_parse(x->tlp, &t))) {
        rc = acc_diag_set(d, ACC_EINVAL,
                          "property '%s.refs[%zu]': expected {ref: an id, "
                          "type, tlp}",
                          EXT_PATH, i);
        goto out;
      }
      if (!x->type)
        x->type = "";
      m->n_refs++;
    }
  }
  m->json = json_incref(obj);
  *out = *m;
out:
  free(m);
  return rc;
}
