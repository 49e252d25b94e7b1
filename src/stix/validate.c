/*
 * validate.c — checks one parsed STIX object against the specification:
 * type and identifier syntax, spec_version, the common properties of §3.2
 * as they apply to the object's kind, then the type's own properties from
 * the catalogue (types.c) with the rules that tie properties together.
 *
 * Each error names the property (with its path inside nested values) and
 * what was expected; the caller adds where the object came from.  Custom
 * types and custom properties are accepted: custom objects get the common
 * checks only, unknown properties are not looked at.  Nothing is allocated
 * while validating: each member of an object is visited once and matched
 * against the short property lists of the catalogue (first character, then
 * the name), and a custom property ("x_...") is skipped at once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pattern/pattern.h"
#include "stix/stix.h"
#include "stix/types.h"
#include "util/time.h"

/* Largest and smallest integers STIX allows (§2.10). */
#define INT_LIMIT INT64_C(9007199254740991)

/* Depth of property paths kept for messages. */
#define PATH_MAX_SEGS 16

/* Longest piece of a value quoted in a message. */
#define CLIP_BYTES 80

/* Validation state of one object. */
typedef struct vctx {
  json_t *root; /* the object being validated */
  acc_diag *diag;
  const char *type;
  int v21;          /* 1: STIX 2.1 rules; 0: 2.0 (no spec_version) */
  unsigned reqflag; /* ACC_PF_REQ21 or ACC_PF_REQ20 */
  /* Path to the value being checked: a property name or dictionary key
   * (key != NULL) or a list index. */
  struct {
    const char *key;
    size_t idx;
  } seg[PATH_MAX_SEGS];
  unsigned depth; /* may exceed PATH_MAX_SEGS; deeper segments not kept */
} vctx;

/* ---- messages ----------------------------------------------------------- */

static void push_key(vctx *c, const char *key) {
  if (c->depth < PATH_MAX_SEGS)
    c->seg[c->depth].key = key;
  c->depth++;
}

static void push_idx(vctx *c, size_t idx) {
  if (c->depth < PATH_MAX_SEGS) {
    c->seg[c->depth].key = NULL;
    c->seg[c->depth].idx = idx;
  }
  c->depth++;
}

static void pop(vctx *c) {
  c->depth--;
}

/* Replace control characters so that a message stays one line. */
static void one_line(acc_diag *diag) {
  if (!diag)
    return;
  for (char *p = diag->msg; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      *p = '?';
}

/* The error at the current path: "property 'a'[2].b: <what>". */
static acc_rc perr(vctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static acc_rc perr(vctx *c, const char *fmt, ...) {
  char path[256], what[512];
  size_t n = 0;
  unsigned segs = c->depth < PATH_MAX_SEGS ? c->depth : PATH_MAX_SEGS;
  path[0] = '\0';
  for (unsigned i = 0; i < segs && n < sizeof path; i++) {
    int w;
    if (c->seg[i].key)
      w = snprintf(path + n, sizeof path - n, i ? ".%s" : "'%s'",
                   c->seg[i].key);
    else
      w = snprintf(path + n, sizeof path - n, "[%zu]", c->seg[i].idx);
    if (w < 0)
      break;
    n += (size_t)w;
  }
  if (segs < c->depth && n < sizeof path)
    snprintf(path + n, sizeof path - n, "...");
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  acc_rc rc = acc_diag_set(c->diag, ACC_EINVAL, "property %s: %s", path, what);
  one_line(c->diag);
  return rc;
}

/* The error about the property key of the current struct. */
static acc_rc perr_at(vctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static acc_rc perr_at(vctx *c, const char *key, const char *fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  push_key(c, key);
  acc_rc rc = perr(c, "%s", what);
  pop(c);
  return rc;
}

/* A missing property of the object (depth 0) or of a nested value. */
static acc_rc missing(vctx *c, const char *name, const char *why) {
  acc_rc rc;
  if (c->depth == 0)
    rc = acc_diag_set(c->diag, ACC_EINVAL,
                      "missing required property '%s' for type %s%s", name,
                      c->type, why);
  else
    return perr(c, "missing required property '%s'%s", name, why);
  one_line(c->diag);
  return rc;
}

/* At most CLIP_BYTES of s, cut at a character boundary, for quoting. */
static const char *clip(const char *s, char buf[CLIP_BYTES + 4]) {
  size_t n = strlen(s);
  if (n <= CLIP_BYTES)
    return s;
  n = CLIP_BYTES;
  while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
    n--;
  memcpy(buf, s, n);
  memcpy(buf + n, "...", 4);
  return buf;
}

static const char *jtype(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "a list";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
    return "an integer";
  case JSON_REAL:
    return "a number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  case JSON_NULL:
    return "null";
  }
  return "?";
}

/* ---- syntax of names and identifiers ------------------------------------ */

/* §3.1: 3-250 characters of a-z, 0-9 and '-', beginning with a letter.
 * "--" (the identifier separator) and a trailing '-' are refused too, so
 * that TYPE--UUID always splits in one way. */
static int type_name_ok(const char *s, size_t n) {
  if (n < 3 || n > 250 || s[0] < 'a' || s[0] > 'z' || s[n - 1] == '-')
    return 0;
  for (size_t i = 1; i < n; i++) {
    char ch = s[i];
    if (ch == '-') {
      if (s[i - 1] == '-')
        return 0;
    } else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) {
      return 0;
    }
  }
  return 1;
}

static int is_hex(char ch) {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
         (ch >= 'A' && ch <= 'F');
}

/* 8-4-4-4-12 hexadecimal digits, either case, and nothing after. */
static int uuid_ok(const char *u) {
  for (int i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (u[i] != '-')
        return 0;
    } else if (!is_hex(u[i])) {
      return 0;
    }
  }
  return u[36] == '\0';
}

/* With type, as stix.h says, only the prefix has to equal it (callers use
 * this to check a bare UUID); without, the prefix must be a type name. */
int acc_stix_id_valid(const char *s, const char *type) {
  if (!s)
    return 0;
  if (type) {
    size_t tl = strlen(type);
    return strncmp(s, type, tl) == 0 && s[tl] == '-' && s[tl + 1] == '-' &&
           uuid_ok(s + tl + 2);
  }
  const char *sep = strstr(s, "--");
  return sep && type_name_ok(s, (size_t)(sep - s)) && uuid_ok(sep + 2);
}

acc_stix_kind acc_stix_type_kind(const char *type) {
  const acc_type *t = type ? acc_stix_type_find(type) : NULL;
  return t ? t->kind : ACC_KIND_CUSTOM;
}

/* ---- value checks ------------------------------------------------------- */

static acc_rc check_struct(vctx *c, const acc_struct *s, json_t *obj);

/* Parse the timestamp property name of obj; 0 when absent or invalid
 * (invalid ones have been reported by then). */
static int get_ts(json_t *obj, const char *name, int64_t *us) {
  json_t *v = json_object_get(obj, name);
  if (!json_is_string(v))
    return 0;
  return acc_time_parse(json_string_value(v), json_string_length(v), 1, us) ==
         ACC_OK;
}

static acc_rc check_timestamp(vctx *c, json_t *v) {
  int64_t us;
  char buf[CLIP_BYTES + 4];
  if (acc_time_parse(json_string_value(v), json_string_length(v), 1, &us))
    return perr(c,
                "'%s' is not an RFC 3339 UTC timestamp (expected e.g. "
                "2016-01-01T00:00:00Z)",
                clip(json_string_value(v), buf));
  return ACC_OK;
}

/* Describe an identifier target list for messages. */
static void describe_targets(const char *targets, char *out, size_t n) {
  size_t ntok = 0, len = 0;
  const char *p;
  for (p = targets; *p;) {
    size_t tl = strcspn(p, " ");
    ntok++;
    p += tl;
    p += strspn(p, " ");
  }
  out[0] = '\0';
  if (ntok == 1 && targets[0] != '@') {
    snprintf(out, n, "a%s %s id", strchr("aeiou", targets[0]) ? "n" : "",
             targets);
    return;
  }
  size_t i = 0;
  len = (size_t)snprintf(out, n, "the id of ");
  for (p = targets; *p && len < n; i++) {
    size_t tl = strcspn(p, " ");
    const char *word = NULL;
    if (tl == 4 && !memcmp(p, "@sdo", 4))
      word = "an SDO";
    else if (tl == 4 && !memcmp(p, "@sco", 4))
      word = "an SCO";
    else if (tl == 4 && !memcmp(p, "@sro", 4))
      word = "an SRO";
    else if (tl == 5 && !memcmp(p, "@stix", 5))
      word = "a STIX object";
    const char *joint = i == 0 ? "" : i + 1 == ntok ? " or " : ", ";
    int w;
    if (word)
      w = snprintf(out + len, n - len, "%s%s", joint, word);
    else
      w = snprintf(out + len, n - len, "%sa%s %.*s", joint,
                   strchr("aeiou", p[0]) ? "n" : "", (int)tl, p);
    if (w < 0)
      break;
    len += (size_t)w;
    p += tl;
    p += strspn(p, " ");
  }
}

/* Whether the identifier id may point where targets says. */
static int target_ok(const char *id, const char *targets) {
  size_t tl = (size_t)(strstr(id, "--") - id);
  char type[251];
  int kind = -1; /* looked up on first need */
  memcpy(type, id, tl);
  type[tl] = '\0';
  for (const char *p = targets; *p;) {
    size_t n = strcspn(p, " ");
    if (p[0] == '@') {
      if (n == 5 && !memcmp(p, "@stix", 5)) {
        if (strcmp(type, "bundle") != 0)
          return 1;
      } else {
        if (kind < 0)
          kind = (int)acc_stix_type_kind(type);
        if (kind == ACC_KIND_CUSTOM ||
            (n == 4 && !memcmp(p, "@sdo", 4) && kind == ACC_KIND_SDO) ||
            (n == 4 && !memcmp(p, "@sco", 4) && kind == ACC_KIND_SCO) ||
            (n == 4 && !memcmp(p, "@sro", 4) && kind == ACC_KIND_SRO))
          return 1;
      }
    } else if (n == tl && !memcmp(p, type, tl)) {
      return 1;
    }
    p += n;
    p += strspn(p, " ");
  }
  return 0;
}

static acc_rc check_id(vctx *c, const acc_prop *p, json_t *v) {
  const char *s = json_string_value(v);
  char buf[CLIP_BYTES + 4], what[160];
  if (!acc_stix_id_valid(s, NULL))
    return perr(c, "'%s' is not a STIX identifier (expected TYPE--UUID)",
                clip(s, buf));
  if (p->targets && !target_ok(s, p->targets)) {
    describe_targets(p->targets, what, sizeof what);
    return perr(c, "'%s' is not %s", clip(s, buf), what);
  }
  return ACC_OK;
}

static int b64_char(unsigned char ch) {
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
         (ch >= '0' && ch <= '9') || ch == '+' || ch == '/';
}

/* RFC 4648 base64 with padding, no line breaks. */
static int base64_ok(const char *s, size_t n) {
  if (n % 4)
    return 0;
  size_t pad = 0;
  if (n && s[n - 1] == '=')
    pad = (n >= 2 && s[n - 2] == '=') ? 2 : 1;
  for (size_t i = 0; i < n - pad; i++)
    if (!b64_char((unsigned char)s[i]))
      return 0;
  return 1;
}

static acc_rc check_hex(vctx *c, json_t *v) {
  const char *s = json_string_value(v);
  size_t n = json_string_length(v);
  char buf[CLIP_BYTES + 4];
  int ok = n % 2 == 0;
  for (size_t i = 0; ok && i < n; i++)
    ok = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
  if (!ok)
    return perr(c,
                "'%s' is not hex (an even number of digits 0-9 and "
                "lowercase a-f)",
                clip(s, buf));
  return ACC_OK;
}

static acc_rc check_enum(vctx *c, const acc_prop *p, json_t *v) {
  const char *s = json_string_value(v);
  char list[256], buf[CLIP_BYTES + 4];
  size_t n = 0;
  for (const char *const *e = p->vals; *e; e++) {
    if (!strcmp(s, *e))
      return ACC_OK;
    int w = snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", *e);
    if (w > 0 && (size_t)w < sizeof list - n)
      n += (size_t)w;
  }
  return perr(c, "'%s' is not one of: %s", clip(s, buf), list);
}

/* §2.3: ASCII letters, digits, '-' and '_', at most 250. */
static int dict_key_ok(const char *k, size_t n, size_t min) {
  if (n < min || n > 250)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char ch = k[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
          (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
      return 0;
  }
  return 1;
}

static acc_rc check_dict(vctx *c, json_t *v) {
  const char *key;
  json_t *val;
  char buf[CLIP_BYTES + 4];
  if (json_object_size(v) == 0)
    return perr(c, "empty dictionary (omit the property instead)");
  json_object_foreach(v, key, val) {
    if (!dict_key_ok(key, strlen(key), 1))
      return perr(c,
                  "dictionary key '%s' is not 1-250 ASCII letters, digits, "
                  "'-' or '_'",
                  clip(key, buf));
    if (json_is_null(val) ||
        (json_is_array(val) && json_array_size(val) == 0)) {
      push_key(c, key);
      acc_rc rc = perr(c, "%s is not a valid dictionary value",
                       json_is_null(val) ? "null" : "an empty list");
      pop(c);
      return rc;
    }
  }
  return ACC_OK;
}

/* §2.7, with the digest lengths of the hash-algorithm-ov entries that have
 * a fixed hexadecimal form. */
static acc_rc check_hashes(vctx *c, json_t *v) {
  static const struct {
    const char *name;
    size_t len;
  } fixed[] = {{"MD5", 32},      {"SHA-1", 40},    {"SHA-256", 64},
               {"SHA-512", 128}, {"SHA3-256", 64}, {"SHA3-512", 128}};
  const char *key;
  json_t *val;
  char buf[CLIP_BYTES + 4];
  if (json_object_size(v) == 0)
    return perr(c, "empty hashes dictionary (omit the property instead)");
  json_object_foreach(v, key, val) {
    if (!dict_key_ok(key, strlen(key), 3))
      return perr(c,
                  "hash algorithm name '%s' is not 3-250 ASCII letters, "
                  "digits, '-' or '_'",
                  clip(key, buf));
    push_key(c, key);
    acc_rc rc = ACC_OK;
    if (!json_is_string(val)) {
      rc = perr(c, "expected a string, got %s", jtype(val));
    } else {
      for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (strcmp(key, fixed[i].name))
          continue;
        const char *s = json_string_value(val);
        size_t n = json_string_length(val);
        int ok = n == fixed[i].len;
        for (size_t j = 0; ok && j < n; j++)
          ok = is_hex(s[j]);
        if (!ok)
          rc = perr(c, "'%s' is not a %zu-digit hexadecimal %s digest",
                    clip(s, buf), fixed[i].len, key);
        break;
      }
    }
    pop(c);
    if (rc)
      return rc;
  }
  return ACC_OK;
}

static acc_rc check_container(vctx *c, json_t *v) {
  const char *key;
  json_t *val;
  if (json_object_size(v) == 0)
    return perr(c, "empty observable container");
  json_object_foreach(v, key, val) {
    acc_rc rc = ACC_OK;
    push_key(c, key);
    if (!json_is_object(val))
      rc = perr(c, "expected a cyber-observable object, got %s", jtype(val));
    else if (!json_is_string(json_object_get(val, "type")))
      rc = perr(c, "cyber-observable object without a string 'type'");
    pop(c);
    if (rc)
      return rc;
  }
  return ACC_OK;
}

static acc_rc check_langcontent(vctx *c, json_t *v) {
  const char *key;
  json_t *val;
  acc_rc rc = check_dict(c, v);
  if (rc)
    return rc;
  json_object_foreach(v, key, val) {
    push_key(c, key);
    if (!json_is_object(val) || json_object_size(val) == 0)
      rc = perr(c,
                "expected a non-empty object of translated properties, "
                "got %s",
                json_is_object(val) ? "an empty object" : jtype(val));
    pop(c);
    if (rc)
      return rc;
  }
  return ACC_OK;
}

static acc_rc check_mac(vctx *c, json_t *v) {
  const char *s = json_string_value(v);
  char buf[CLIP_BYTES + 4];
  int ok = json_string_length(v) == 17;
  for (int i = 0; ok && i < 17; i++)
    ok = i % 3 == 2
             ? s[i] == ':'
             : ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'));
  if (!ok)
    return perr(c,
                "'%s' is not a MAC-48 address in colon-delimited lowercase "
                "form (e.g. 00:00:ab:cd:ef:01)",
                clip(s, buf));
  return ACC_OK;
}

static acc_rc check_extensions(vctx *c, json_t *v,
                               const acc_struct *const *exts) {
  const char *key;
  json_t *val;
  if (json_object_size(v) == 0)
    return perr(c, "empty dictionary (omit the property instead)");
  json_object_foreach(v, key, val) {
    acc_rc rc = ACC_OK;
    push_key(c, key);
    if (!json_is_object(val)) {
      rc = perr(c, "expected an object (the extension's contents), got %s",
                jtype(val));
    } else if (acc_stix_id_valid(key, "extension-definition")) {
      /* §3.2: the extension facility requires extension_type */
      static const acc_prop ext_type = {.name = "extension_type",
                                        .kind = ACC_PK_ENUM,
                                        .vals = acc_stix_ext_types};
      json_t *et = json_object_get(val, "extension_type");
      if (!et)
        rc = missing(c, "extension_type",
                     " (an extension defined by an extension-definition "
                     "says its type)");
      else if (!json_is_string(et))
        rc = perr_at(c, "extension_type", "expected a string, got %s",
                     jtype(et));
      else {
        push_key(c, "extension_type");
        rc = check_enum(c, &ext_type, et);
        pop(c);
      }
    } else {
      for (const acc_struct *const *e = exts; e && *e; e++)
        if (!strcmp((*e)->name, key)) {
          rc = check_struct(c, *e, val);
          break;
        }
    }
    pop(c);
    if (rc)
      return rc;
  }
  return ACC_OK;
}

static const char *kind_noun(unsigned kind) {
  switch (kind) {
  case ACC_PK_STRING:
  case ACC_PK_ENUM:
    return "a string";
  case ACC_PK_TIMESTAMP:
    return "a timestamp string";
  case ACC_PK_INTEGER:
    return "an integer";
  case ACC_PK_FLOAT:
    return "a number";
  case ACC_PK_BOOLEAN:
    return "a boolean";
  case ACC_PK_ID:
    return "an identifier string";
  case ACC_PK_BINARY:
    return "a base64 string";
  case ACC_PK_HEX:
    return "a hex string";
  case ACC_PK_MAC:
    return "a MAC address string";
  default:
    return "an object";
  }
}

static int kind_matches(unsigned kind, const json_t *v) {
  switch (kind) {
  case ACC_PK_STRING:
  case ACC_PK_ENUM:
  case ACC_PK_TIMESTAMP:
  case ACC_PK_ID:
  case ACC_PK_BINARY:
  case ACC_PK_HEX:
  case ACC_PK_MAC:
    return json_is_string(v);
  case ACC_PK_INTEGER:
    return json_is_integer(v);
  case ACC_PK_FLOAT:
    return json_is_number(v);
  case ACC_PK_BOOLEAN:
    return json_is_boolean(v);
  default:
    return json_is_object(v);
  }
}

/* One value (one item, for lists) of property p. */
static acc_rc check_value(vctx *c, const acc_prop *p, json_t *v,
                          const acc_struct *const *exts) {
  if (p->kind != ACC_PK_STRUCT && !kind_matches(p->kind, v))
    return perr(c, "expected %s, got %s", kind_noun(p->kind), jtype(v));
  switch (p->kind) {
  case ACC_PK_TIMESTAMP:
    return check_timestamp(c, v);
  case ACC_PK_INTEGER: {
    json_int_t i = json_integer_value(v);
    if (i > INT_LIMIT || i < -INT_LIMIT)
      return perr(c, "%lld is beyond the integer range of STIX (+-(2^53-1))",
                  (long long)i);
    if ((p->flags & ACC_PF_RANGE) && (i < p->min || i > p->max))
      return perr(c, "%lld is out of range (%lld..%lld)", (long long)i,
                  (long long)p->min, (long long)p->max);
    return ACC_OK;
  }
  case ACC_PK_ID:
    return check_id(c, p, v);
  case ACC_PK_BINARY:
    if (!base64_ok(json_string_value(v), json_string_length(v)))
      return perr(c, "not a base64 string (RFC 4648, padded, no spaces)");
    return ACC_OK;
  case ACC_PK_HEX:
    return check_hex(c, v);
  case ACC_PK_ENUM:
    return check_enum(c, p, v);
  case ACC_PK_DICT:
    return check_dict(c, v);
  case ACC_PK_HASHES:
    return check_hashes(c, v);
  case ACC_PK_STRUCT:
    return check_struct(c, p->sub, v);
  case ACC_PK_EXTENSIONS:
    return check_extensions(c, v, exts);
  case ACC_PK_CONTAINER:
    return check_container(c, v);
  case ACC_PK_LANGCONTENT:
    return check_langcontent(c, v);
  case ACC_PK_MAC:
    return check_mac(c, v);
  default:
    return ACC_OK;
  }
}

/* Property p with value v, at the current path. */
static acc_rc check_prop(vctx *c, const acc_prop *p, json_t *v,
                         const acc_struct *const *exts) {
  if (!(p->flags & ACC_PF_LIST))
    return check_value(c, p, v, exts);
  if (!json_is_array(v)) {
    const char *noun = kind_noun(p->kind);
    return perr(c, "expected a list of %s values, got %s",
                p->kind == ACC_PK_STRUCT ? p->sub->name : strchr(noun, ' ') + 1,
                jtype(v));
  }
  size_t n = json_array_size(v);
  if (n == 0)
    return perr(c, "empty list (STIX forbids empty lists; omit the "
                   "property instead)");
  for (size_t i = 0; i < n; i++) {
    push_idx(c, i);
    acc_rc rc = check_value(c, p, json_array_get(v, i), exts);
    pop(c);
    if (rc)
      return rc;
  }
  return ACC_OK;
}

/* ---- rules across properties -------------------------------------------- */

/* later must not be before earlier (strict: must be after it). */
static acc_rc order(vctx *c, json_t *obj, const char *earlier,
                    const char *later, int strict) {
  int64_t a, b;
  if (!get_ts(obj, earlier, &a) || !get_ts(obj, later, &b))
    return ACC_OK;
  if (b > a || (!strict && b == a))
    return ACC_OK;
  char buf[CLIP_BYTES + 4];
  return perr_at(c, later, "'%s' is %s %s",
                 clip(json_string_value(json_object_get(obj, later)), buf),
                 strict ? "not later than" : "earlier than", earlier);
}

static int has(json_t *obj, const char *name) {
  return json_object_get(obj, name) != NULL;
}

static acc_rc check_location(vctx *c, json_t *obj) {
  json_t *lat = json_object_get(obj, "latitude");
  json_t *lon = json_object_get(obj, "longitude");
  if (lat &&
      !(json_number_value(lat) >= -90.0 && json_number_value(lat) <= 90.0))
    return perr_at(c, "latitude", "%g is not between -90 and 90",
                   json_number_value(lat));
  if (lon &&
      !(json_number_value(lon) >= -180.0 && json_number_value(lon) <= 180.0))
    return perr_at(c, "longitude", "%g is not between -180 and 180",
                   json_number_value(lon));
  if (!lat != !lon)
    return perr_at(c, lat ? "latitude" : "longitude",
                   "latitude and longitude must be given together");
  if (has(obj, "precision") && !lat)
    return perr_at(c, "precision", "precision requires latitude and longitude");
  if (!lat && !has(obj, "region") && !has(obj, "country"))
    return acc_diag_set(c->diag, ACC_EINVAL,
                        "type location needs at least one of 'region', "
                        "'country', or 'latitude' and 'longitude'");
  return ACC_OK;
}

static acc_rc check_observed(vctx *c, json_t *obj) {
  acc_rc rc = order(c, obj, "first_observed", "last_observed", 0);
  if (rc || !c->v21)
    return rc;
  json_t *refs = json_object_get(obj, "object_refs");
  int objs = has(obj, "objects");
  if (objs && refs)
    return perr_at(c, "objects",
                   "'objects' and 'object_refs' must not both be present");
  if (!objs && !refs)
    return missing(c, "object_refs", " (or the deprecated 'objects')");
  if (refs) {
    /* "MUST contain at least one SCO reference" (custom types may be) */
    size_t n = json_array_size(refs);
    for (size_t i = 0; i < n; i++) {
      const char *id = json_string_value(json_array_get(refs, i));
      char type[251];
      size_t tl = (size_t)(strstr(id, "--") - id);
      memcpy(type, id, tl);
      type[tl] = '\0';
      acc_stix_kind k = acc_stix_type_kind(type);
      if (k == ACC_KIND_SCO || k == ACC_KIND_CUSTOM)
        return ACC_OK;
    }
    return perr_at(c, "object_refs", "must contain at least one SCO id");
  }
  return ACC_OK;
}

static acc_rc check_relationship(vctx *c, json_t *obj) {
  const char *rt = json_string_value(json_object_get(obj, "relationship_type"));
  char buf[CLIP_BYTES + 4];
  int ok = rt[0] != '\0';
  for (const char *p = rt; ok && *p; p++)
    ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-';
  if (!ok)
    return perr_at(c, "relationship_type",
                   "'%s' is not made of a-z, 0-9 and '-'", clip(rt, buf));
  return order(c, obj, "start_time", "stop_time", 1);
}

/* §7.2.1.4: the four TLP 1.0 marking definitions are the only ones. */
static acc_rc check_tlp(vctx *c, json_t *obj, json_t *def) {
  static const char *const tlp[][2] = {
      {"white", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"},
      {"green", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"},
      {"amber", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"},
      {"red", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"}};
  json_t *lvl = json_object_get(def, "tlp");
  char buf[CLIP_BYTES + 4];
  push_key(c, "definition");
  acc_rc rc = ACC_OK;
  if (!lvl)
    rc = missing(c, "tlp", " (definition_type is tlp)");
  else if (!json_is_string(lvl))
    rc = perr_at(c, "tlp", "expected a string, got %s", jtype(lvl));
  pop(c);
  if (rc)
    return rc;
  const char *id = json_string_value(json_object_get(obj, "id"));
  for (size_t i = 0; i < sizeof tlp / sizeof tlp[0]; i++) {
    if (strcmp(json_string_value(lvl), tlp[i][0]))
      continue;
    if (strcasecmp(id, tlp[i][1]))
      return acc_diag_set(c->diag, ACC_EINVAL,
                          "a TLP:%s marking definition must be the "
                          "predefined one (id %s)",
                          tlp[i][0], tlp[i][1]);
    return ACC_OK;
  }
  push_key(c, "definition");
  rc = perr_at(c, "tlp", "'%s' is not one of: white, green, amber, red",
               clip(json_string_value(lvl), buf));
  pop(c);
  return rc;
}

/* §3.2: a marking definition does not mark itself (no circular
 * references), neither as a whole nor granularly. */
static acc_rc check_self_marking(vctx *c, json_t *obj) {
  const char *id = json_string_value(json_object_get(obj, "id"));
  json_t *refs = json_object_get(obj, "object_marking_refs");
  json_t *gms = json_object_get(obj, "granular_markings");
  size_t n = json_array_size(refs);
  for (size_t i = 0; i < n; i++) {
    if (strcasecmp(json_string_value(json_array_get(refs, i)), id))
      continue;
    push_key(c, "object_marking_refs");
    push_idx(c, i);
    acc_rc rc = perr(c, "a marking definition cannot mark itself");
    pop(c);
    pop(c);
    return rc;
  }
  n = json_array_size(gms);
  for (size_t i = 0; i < n; i++) {
    const char *ref = json_string_value(
        json_object_get(json_array_get(gms, i), "marking_ref"));
    if (!ref || strcasecmp(ref, id))
      continue;
    push_key(c, "granular_markings");
    push_idx(c, i);
    acc_rc rc =
        perr_at(c, "marking_ref", "a marking definition cannot mark itself");
    pop(c);
    pop(c);
    return rc;
  }
  return ACC_OK;
}

static acc_rc check_marking(vctx *c, json_t *obj) {
  acc_rc rc = check_self_marking(c, obj);
  if (rc)
    return rc;
  if (c->v21 && !has(obj, "extensions")) {
    if (!has(obj, "definition_type"))
      return missing(c, "definition_type", " (when 'extensions' is absent)");
    if (!has(obj, "definition"))
      return missing(c, "definition", " (when 'extensions' is absent)");
  }
  json_t *dt = json_object_get(obj, "definition_type");
  json_t *def = json_object_get(obj, "definition");
  if (!dt || !def)
    return ACC_OK;
  const char *t = json_string_value(dt);
  if (!strcmp(t, "tlp"))
    return check_tlp(c, obj, def);
  if (!strcmp(t, "statement")) {
    json_t *st = json_object_get(def, "statement");
    push_key(c, "definition");
    if (!st)
      rc = missing(c, "statement", " (definition_type is statement)");
    else if (!json_is_string(st))
      rc = perr_at(c, "statement", "expected a string, got %s", jtype(st));
    pop(c);
    return rc;
  }
  return ACC_OK;
}

static acc_rc check_extdef(vctx *c, json_t *obj) {
  json_t *types = json_object_get(obj, "extension_types");
  if (!has(obj, "extension_properties"))
    return ACC_OK;
  size_t n = json_array_size(types);
  for (size_t i = 0; i < n; i++)
    if (!strcmp(json_string_value(json_array_get(types, i)),
                "toplevel-property-extension"))
      return ACC_OK;
  return perr_at(c, "extension_properties",
                 "only allowed when extension_types includes "
                 "toplevel-property-extension");
}

static acc_rc check_artifact(vctx *c, json_t *obj) {
  int bin = has(obj, "payload_bin"), url = has(obj, "url");
  if (bin && url)
    return perr_at(c, "url",
                   "'payload_bin' and 'url' must not both be "
                   "present");
  if (!bin && !url)
    return missing(c, "payload_bin", " (or 'url')");
  if (url && !has(obj, "hashes"))
    return missing(c, "hashes", " (when 'url' is present)");
  if (has(obj, "decryption_key") && !has(obj, "encryption_algorithm"))
    return perr_at(c, "decryption_key",
                   "not allowed without 'encryption_algorithm'");
  return ACC_OK;
}

static acc_rc check_email(vctx *c, json_t *obj) {
  int multi = json_is_true(json_object_get(obj, "is_multipart"));
  if (multi && has(obj, "body"))
    return perr_at(c, "body",
                   "not allowed when is_multipart is true "
                   "(use body_multipart)");
  if (!multi && has(obj, "body_multipart"))
    return perr_at(c, "body_multipart",
                   "not allowed when is_multipart is false");
  return ACC_OK;
}

static acc_rc check_granular(vctx *c, json_t *gm) {
  int lang = has(gm, "lang"), ref = has(gm, "marking_ref");
  if (lang && ref)
    return perr(c, "a granular marking has 'lang' or 'marking_ref', "
                   "not both");
  if (!lang && !ref)
    return missing(c, "marking_ref", " (or 'lang')");
  /* §7.2.3: selectors must select something present in the object */
  json_t *sel = json_object_get(gm, "selectors");
  size_t n = json_array_size(sel);
  for (size_t i = 0; i < n; i++) {
    const char *s = json_string_value(json_array_get(sel, i));
    const char *p = s;
    json_t *cur = c->root;
    int ok = *p != '\0';
    while (ok && *p) {
      size_t len = strcspn(p, ".");
      if (len == 0) {
        ok = 0;
      } else if (p[0] == '[' && p[len - 1] == ']' && len > 2) {
        size_t idx = 0;
        for (size_t j = 1; ok && j + 1 < len; j++) {
          ok = p[j] >= '0' && p[j] <= '9' && idx < ((size_t)1 << 40);
          idx = idx * 10 + (size_t)(p[j] - '0');
        }
        cur = ok && json_is_array(cur) ? json_array_get(cur, idx) : NULL;
      } else {
        cur = json_is_object(cur) ? json_object_getn(cur, p, len) : NULL;
      }
      ok = ok && cur != NULL;
      p += len;
      if (*p == '.') {
        p++;
        ok = ok && *p;
      }
    }
    if (!ok) {
      char buf[CLIP_BYTES + 4];
      push_key(c, "selectors");
      push_idx(c, i);
      acc_rc rc =
          perr(c, "'%s' does not select anything in this object", clip(s, buf));
      pop(c);
      pop(c);
      return rc;
    }
  }
  return ACC_OK;
}

/* ---- indicator patterns (src/pattern) ---------------------------------
 * A pattern whose pattern_type is "stix" must parse and pass the pattern
 * checks; other pattern languages (sigma, yara, snort, ...) are stored as
 * they come. */
static acc_rc check_indicator(vctx *c, json_t *obj) {
  acc_rc rc = order(c, obj, "valid_from", "valid_until", 1);
  const char *pt = json_string_value(json_object_get(obj, "pattern_type"));
  json_t *pat = json_object_get(obj, "pattern");
  if (rc || !pt || strcmp(pt, "stix") || !json_is_string(pat))
    return rc;
  acc_diag d;
  if (acc_pattern_check(json_string_value(pat), json_string_length(pat), &d,
                        NULL, NULL))
    return perr_at(c, "pattern", "%s", d.msg);
  return ACC_OK;
}
/* ---- end of indicator patterns ---------------------------------------- */

static acc_rc check_rules(vctx *c, const acc_struct *s, json_t *obj) {
  switch ((acc_check)s->check) {
  case ACC_CK_NONE:
    return ACC_OK;
  case ACC_CK_SEEN:
    return order(c, obj, "first_seen", "last_seen", 0);
  case ACC_CK_INDICATOR:
    return check_indicator(c, obj);
  case ACC_CK_LOCATION:
    return check_location(c, obj);
  case ACC_CK_MALWARE:
    if (c->v21 && json_is_true(json_object_get(obj, "is_family")) &&
        !has(obj, "name"))
      return missing(c, "name", " (a malware family must be named)");
    return order(c, obj, "first_seen", "last_seen", 0);
  case ACC_CK_MALANALYSIS:
    if (!has(obj, "result") && !has(obj, "analysis_sco_refs"))
      return missing(c, "result", " (or 'analysis_sco_refs')");
    return ACC_OK;
  case ACC_CK_OBSERVED:
    return check_observed(c, obj);
  case ACC_CK_RELATIONSHIP:
    return check_relationship(c, obj);
  case ACC_CK_MARKING:
    return check_marking(c, obj);
  case ACC_CK_EXTDEF:
    return check_extdef(c, obj);
  case ACC_CK_ARTIFACT:
    return check_artifact(c, obj);
  case ACC_CK_EMAIL:
    return check_email(c, obj);
  case ACC_CK_MIMEPART:
    if (has(obj, "body") == has(obj, "body_raw_ref"))
      return perr(c, "a MIME part has exactly one of 'body' or "
                     "'body_raw_ref'");
    return ACC_OK;
  case ACC_CK_FILE:
    if (!has(obj, "hashes") && !has(obj, "name"))
      return missing(c, "hashes", " (or 'name')");
    return ACC_OK;
  case ACC_CK_NETTRAFFIC:
    if (!has(obj, "src_ref") && !has(obj, "dst_ref"))
      return missing(c, "src_ref", " (or 'dst_ref')");
    if (json_is_true(json_object_get(obj, "is_active")) && has(obj, "end"))
      return perr_at(c, "end", "not allowed when is_active is true");
    return order(c, obj, "start", "end", 0);
  case ACC_CK_PEBINARY:
    if (json_object_size(obj) < 2)
      return perr(c, "needs a property besides pe_type");
    return ACC_OK;
  case ACC_CK_EXTREF: {
    if (!has(obj, "description") && !has(obj, "url") &&
        !has(obj, "external_id"))
      return missing(c, "external_id", " (or 'description' or 'url')");
    /* CAPEC and CVE identifiers have fixed forms (§4.1, §4.19) */
    const char *src = json_string_value(json_object_get(obj, "source_name"));
    json_t *xid = json_object_get(obj, "external_id");
    const char *x = json_string_value(xid);
    if (!x)
      return ACC_OK;
    int ok = 1, capec = !strcmp(src, "capec");
    if (capec) {
      ok = !strncmp(x, "CAPEC-", 6) && x[6];
      for (const char *p = x + 6; ok && *p; p++)
        ok = *p >= '0' && *p <= '9';
    } else if (!strcmp(src, "cve")) {
      size_t n = strlen(x);
      ok = n >= 13 && !strncmp(x, "CVE-", 4) && x[8] == '-';
      for (size_t i = 4; ok && i < n; i++)
        ok = i == 8 || (x[i] >= '0' && x[i] <= '9');
    }
    if (!ok) {
      char buf[CLIP_BYTES + 4];
      return perr_at(c, "external_id", "'%s' is not a %s identifier (%s)",
                     clip(x, buf), src,
                     capec ? "CAPEC-<number>" : "CVE-YYYY-NNNN");
    }
    return ACC_OK;
  }
  case ACC_CK_GRANULAR:
    return check_granular(c, obj);
  }
  return ACC_OK;
}

/* Index of the property named key among props[0..n), or -1. */
static int find_prop(const acc_prop *props, unsigned n, const char *key) {
  for (unsigned i = 0; i < n; i++)
    if (props[i].name[0] == key[0] && !strcmp(props[i].name, key))
      return (int)i;
  return -1;
}

/* After the members of obj have been checked (seen: bit i set when
 * s->props[i] was present): required properties, "at least one", and
 * the rules that tie properties together. */
static acc_rc check_struct_end(vctx *c, const acc_struct *s, json_t *obj,
                               uint64_t seen) {
  for (unsigned i = 0; i < s->nprops; i++) {
    const acc_prop *p = &s->props[i];
    if ((seen >> i & 1) || !(p->flags & c->reqflag))
      continue;
    const char *why = "";
    if (!c->v21 && !(p->flags & ACC_PF_REQ21))
      why = " (in STIX 2.0, which an object without spec_version follows)";
    return missing(c, p->name, why);
  }
  if ((s->flags & ACC_SF_ANY1) && !seen &&
      !(c->depth == 0 && has(obj, "extensions"))) {
    if (c->depth == 0)
      return acc_diag_set(c->diag, ACC_EINVAL,
                          "type %s needs at least one of its own properties",
                          s->name);
    return perr(c, "%s needs at least one of its properties", s->name);
  }
  return check_rules(c, s, obj);
}

/* The properties of s in obj, then the rules that tie them together.
 * Members the layout does not list are not looked at. */
static acc_rc check_struct(vctx *c, const acc_struct *s, json_t *obj) {
  const char *key;
  json_t *v;
  uint64_t seen = 0;
  if (!json_is_object(obj))
    return perr(c, "expected %s object, got %s", s->name, jtype(obj));
  json_object_foreach(obj, key, v) {
    int i = find_prop(s->props, s->nprops, key);
    if (i < 0)
      continue;
    seen |= UINT64_C(1) << i;
    push_key(c, key);
    acc_rc rc = check_prop(c, &s->props[i], v, NULL);
    pop(c);
    if (rc)
      return rc;
  }
  return check_struct_end(c, s, obj, seen);
}

/* ---- common properties (§3.2) ------------------------------------------- */

enum {
  C_CREATED_BY_REF,
  C_CREATED,
  C_MODIFIED,
  C_REVOKED,
  C_LABELS,
  C_CONFIDENCE,
  C_LANG,
  C_EXTERNAL_REFERENCES,
  C_OBJECT_MARKING_REFS,
  C_GRANULAR_MARKINGS,
  C_DEFANGED,
  C_EXTENSIONS,
  C_COUNT
};

static const acc_prop common_p[C_COUNT] = {
    [C_CREATED_BY_REF] = {.name = "created_by_ref",
                          .kind = ACC_PK_ID,
                          .targets = "identity"},
    [C_CREATED] = {.name = "created", .kind = ACC_PK_TIMESTAMP},
    [C_MODIFIED] = {.name = "modified", .kind = ACC_PK_TIMESTAMP},
    [C_REVOKED] = {.name = "revoked", .kind = ACC_PK_BOOLEAN},
    [C_LABELS] = {.name = "labels",
                  .kind = ACC_PK_STRING,
                  .flags = ACC_PF_LIST},
    [C_CONFIDENCE] = {.name = "confidence",
                      .kind = ACC_PK_INTEGER,
                      .flags = ACC_PF_RANGE,
                      .min = 0,
                      .max = 100},
    [C_LANG] = {.name = "lang", .kind = ACC_PK_STRING},
    [C_EXTERNAL_REFERENCES] = {.name = "external_references",
                               .kind = ACC_PK_STRUCT,
                               .flags = ACC_PF_LIST,
                               .sub = &acc_stix_extref},
    [C_OBJECT_MARKING_REFS] = {.name = "object_marking_refs",
                               .kind = ACC_PK_ID,
                               .flags = ACC_PF_LIST,
                               .targets = "marking-definition"},
    [C_GRANULAR_MARKINGS] = {.name = "granular_markings",
                             .kind = ACC_PK_STRUCT,
                             .flags = ACC_PF_LIST,
                             .sub = &acc_stix_granular},
    [C_DEFANGED] = {.name = "defanged", .kind = ACC_PK_BOOLEAN},
    [C_EXTENSIONS] = {.name = "extensions", .kind = ACC_PK_EXTENSIONS},
};

/* Bit i: common property i is required (§3.2 and each type's table). */
static unsigned common_required(const vctx *c, const acc_type *t) {
  const unsigned cm = 1u << C_CREATED | 1u << C_MODIFIED;
  if (!t)
    return 0;
  switch (t->kind) {
  case ACC_KIND_SDO:
    if (!c->v21 && (t->flags & ACC_TF_LABELS20))
      return cm | 1u << C_LABELS;
    return cm;
  case ACC_KIND_SRO:
    return cm;
  case ACC_KIND_META:
    if (!strcmp(t->name, "marking-definition"))
      return 1u << C_CREATED;
    if (!strcmp(t->name, "extension-definition"))
      return cm | 1u << C_CREATED_BY_REF;
    return cm; /* language-content */
  default:
    return 0;
  }
}

/* created and modified: "The minimum precision MUST be milliseconds". */
static acc_rc check_millis(vctx *c, json_t *v) {
  const char *s = json_string_value(v);
  size_t n = json_string_length(v), digits = 0;
  for (size_t i = 20; s[19] == '.' && i < n && s[i] >= '0' && s[i] <= '9'; i++)
    digits++;
  if (digits >= 3)
    return ACC_OK;
  char buf[CLIP_BYTES + 4];
  return perr(c,
              "'%s' has less than millisecond precision (expected e.g. "
              "2016-01-01T00:00:00.000Z)",
              clip(s, buf));
}

/* §3.8: reserved for future use in all STIX content. */
static int reserved_name(const char *key) {
  return !strcmp(key, "severity") || !strcmp(key, "username") ||
         !strcmp(key, "phone_number") || !strcmp(key, "action");
}

/* One common property i with value v, at the current path. */
static acc_rc check_common(vctx *c, const acc_type *t, unsigned i, json_t *v,
                           int64_t *created, int64_t *modified) {
  const acc_prop *p = &common_p[i];
  if (i == C_DEFANGED && t && t->kind != ACC_KIND_SCO)
    return perr(c, "only cyber-observable objects (SCOs) may be defanged");
  acc_rc rc = check_prop(c, p, v, t ? t->exts : NULL);
  if (rc || (i != C_CREATED && i != C_MODIFIED))
    return rc;
  rc = check_millis(c, v);
  if (!rc)
    acc_time_parse(json_string_value(v), json_string_length(v), 1,
                   i == C_CREATED ? created : modified);
  return rc;
}

/* Every member of the object in one pass: common properties, the type's
 * own, reserved names; then what must be present and the cross rules. */
static acc_rc check_object(vctx *c, const acc_type *t, json_t *obj,
                           int64_t *created, int64_t *modified) {
  const acc_struct *s = t ? &t->body : NULL;
  unsigned cseen = 0;
  uint64_t seen = 0;
  const char *key;
  json_t *v;
  acc_rc rc;
  json_object_foreach(obj, key, v) {
    if (key[0] == 'x' && key[1] == '_')
      continue; /* custom property */
    int i = find_prop(common_p, C_COUNT, key);
    if (i >= 0) {
      cseen |= 1u << i;
      push_key(c, key);
      rc = check_common(c, t, (unsigned)i, v, created, modified);
      pop(c);
    } else if (s && (i = find_prop(s->props, s->nprops, key)) >= 0) {
      seen |= UINT64_C(1) << i;
      push_key(c, key);
      rc = check_prop(c, &s->props[i], v, NULL);
      pop(c);
    } else if (c->v21 && reserved_name(key)) {
      rc = perr_at(c, key,
                   "reserved property name (STIX 2.1 section 3.8); it must "
                   "not be used");
    } else {
      continue;
    }
    if (rc)
      return rc;
  }
  unsigned absent = common_required(c, t) & ~cseen;
  for (unsigned i = 0; i < C_COUNT; i++)
    if (absent >> i & 1)
      return missing(c, common_p[i].name,
                     i == C_LABELS ? " (in STIX 2.0, which an object without "
                                     "spec_version follows)"
                                   : "");
  if (*created != ACC_TIME_NONE && *modified != ACC_TIME_NONE &&
      *modified < *created)
    return order(c, obj, "created", "modified", 0);
  return s ? check_struct_end(c, s, obj, seen) : ACC_OK;
}

/* ---- the object --------------------------------------------------------- */

static void check_sco_id(json_t *obj, const char *id, acc_stix_warn_fn warn,
                         void *warn_ctx) {
  char want[ACC_ID_MAX];
  if (!warn || acc_stix_sco_id(obj, want) != ACC_OK)
    return;
  if (!strcasecmp(want, id))
    return;
  char msg[2 * ACC_ID_MAX + 128];
  snprintf(msg, sizeof msg,
           "property 'id': %s is not the deterministic identifier of this "
           "SCO (expected %s)",
           id, want);
  warn(warn_ctx, msg);
}

acc_rc acc_stix_validate(json_t *obj, acc_stix_obj *out, acc_diag *diag,
                         acc_stix_warn_fn warn, void *warn_ctx) {
  vctx c = {.root = obj, .diag = diag, .type = "?"};
  char buf[CLIP_BYTES + 4];
  acc_rc rc;
  if (!json_is_object(obj))
    return acc_diag_set(diag, ACC_EINVAL, "not a JSON object (got %s)",
                        obj ? jtype(obj) : "nothing");

  json_t *jt = json_object_get(obj, "type");
  if (!jt)
    return acc_diag_set(diag, ACC_EINVAL, "missing required property 'type'");
  if (!json_is_string(jt))
    return perr_at(&c, "type", "expected a string, got %s", jtype(jt));
  const char *type = json_string_value(jt);
  if (!type_name_ok(type, json_string_length(jt)))
    return perr_at(&c, "type",
                   "'%s' is not a valid type name (3-250 characters a-z, "
                   "0-9 and '-', starting with a letter)",
                   clip(type, buf));
  if (!strcmp(type, "bundle"))
    return perr_at(&c, "type", "a bundle is not allowed as an object");
  c.type = type;

  json_t *jid = json_object_get(obj, "id");
  if (!jid)
    return missing(&c, "id", "");
  if (!json_is_string(jid))
    return perr_at(&c, "id", "expected a string, got %s", jtype(jid));
  const char *id = json_string_value(jid);
  if (!acc_stix_id_valid(id, type))
    return perr_at(&c, "id", "'%s' is not an identifier of the form %s--UUID",
                   clip(id, buf), type);

  const acc_type *t = acc_stix_type_find(type);
  acc_stix_kind kind = t ? t->kind : ACC_KIND_CUSTOM;
  const char *sv;
  json_t *jsv = json_object_get(obj, "spec_version");
  if (jsv) {
    const char *s = json_string_value(jsv);
    if (!s)
      return perr_at(&c, "spec_version", "expected a string, got %s",
                     jtype(jsv));
    if (!strcmp(s, "2.1"))
      sv = "2.1";
    else if (!strcmp(s, "2.0"))
      sv = "2.0";
    else
      return perr_at(&c, "spec_version",
                     "'%s' is not a supported version (expected \"2.1\")",
                     clip(s, buf));
  } else {
    sv = kind == ACC_KIND_SCO ? "2.1" : "2.0";
  }
  c.v21 = sv[2] == '1';
  c.reqflag = c.v21 ? ACC_PF_REQ21 : ACC_PF_REQ20;
  if (t && (t->flags & ACC_TF_NEW21) && !c.v21) {
    if (!jsv)
      return missing(&c, "spec_version", " (a STIX 2.1 type)");
    return perr_at(&c, "spec_version", "type %s does not exist in STIX 2.0",
                   type);
  }

  int64_t created = ACC_TIME_NONE, modified = ACC_TIME_NONE;
  rc = check_object(&c, t, obj, &created, &modified);
  if (rc)
    return rc;

  if (kind == ACC_KIND_SCO)
    check_sco_id(obj, id, warn, warn_ctx);

  if (!out)
    return ACC_OK;
  out->type = type;
  out->id = id;
  out->spec_version = sv;
  out->kind = kind;
  out->created_us = created;
  out->modified_us = modified;
  out->revoked = json_is_true(json_object_get(obj, "revoked"));
  out->created_by_ref =
      json_string_value(json_object_get(obj, "created_by_ref"));
  return ACC_OK;
}
