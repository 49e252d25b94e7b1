/*
 * synth.c — a synthetic MISP feed for benchmarks and tests: N events of M
 * attributes each, in the mix a CERT's OSINT feed has (network and file
 * indicators mostly to_ids, file names, comments, links; about one in ten
 * attributes inside file or domain-ip objects with references; TLP and
 * galaxy tags; a few sightings; some values shared between events).  The
 * same seed writes the same bytes: manifest.json, hashes.csv and one
 * <uuid>.json per event.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "misp/misp_int.h"
#include "util/time.h"

#define EPOCH 1767225600 /* 2026-01-01T00:00:00Z */

static const char GALAXY[] =
    "[{\"uuid\":\"698774c7-8022-42c4-917f-8d6e4f06ada3\","
    "\"name\":\"Threat Actor\",\"type\":\"threat-actor\","
    "\"GalaxyCluster\":[{\"uuid\":\"3f0c9a1e-7b2d-4e8f-a6c5-1d2e3f4a5b6c\","
    "\"type\":\"threat-actor\",\"value\":\"Synthetic Bear\","
    "\"tag_name\":\"misp-galaxy:threat-actor=\\\"Synthetic Bear\\\"\","
    "\"description\":\"A made-up actor for benchmarks.\","
    "\"meta\":{\"synonyms\":[\"SB-1\"]}}]}]";

typedef struct rng {
  uint64_t s;
} rng;

static uint64_t next(rng *r) {
  uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static uint64_t below(rng *r, uint64_t n) {
  return n ? next(r) % n : 0;
}

static void uuid4(rng *r, char out[37]) {
  unsigned char b[16];
  uint64_t a = next(r), c = next(r);
  memcpy(b, &a, 8);
  memcpy(b + 8, &c, 8);
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
  static const char hex[] = "0123456789abcdef";
  char *o = out;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      *o++ = '-';
    *o++ = hex[b[i] >> 4];
    *o++ = hex[b[i] & 15];
  }
  *o = '\0';
}

static void hexval(rng *r, char *out, size_t digits) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < digits; i++)
    out[i] = hex[below(r, 16)];
  out[digits] = '\0';
}

typedef struct synth {
  rng r;
  acc_jw w;
  acc_buf b;
  acc_buf hashes;
  char ev_uuid[37];
  long ts;
  size_t serial; /* makes values unique across the feed */
} synth;

static void md5line(synth *s, const char *v) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int ml = 0;
  char hex[33];
  EVP_Digest(v, strlen(v), md, &ml, EVP_md5(), NULL);
  for (unsigned i = 0; i < 16; i++)
    snprintf(hex + 2 * i, 3, "%02x", md[i]);
  acc_buf_printf(&s->hashes, "%s,%s\n", hex, s->ev_uuid);
}

/* One attribute of type t with value v. */
static void attr(synth *s, const char *type, const char *cat, int to_ids,
                 const char *v, const char *relation, int sighting) {
  acc_jw *w = &s->w;
  char u[37], num[24];
  uuid4(&s->r, u);
  acc_jw_obj(w);
  acc_jw_kstr(w, "uuid", u);
  acc_jw_kstr(w, "type", type);
  acc_jw_kstr(w, "category", cat);
  acc_jw_kbool(w, "to_ids", to_ids);
  acc_jw_kstr(w, "value", v);
  acc_jw_kstr(w, "comment", "");
  snprintf(num, sizeof num, "%ld", s->ts - (long)below(&s->r, 86400));
  acc_jw_kstr(w, "timestamp", num);
  acc_jw_kstr(w, "distribution", "5");
  acc_jw_kstr(w, "sharing_group_id", "0");
  acc_jw_kbool(w, "deleted", 0);
  acc_jw_kbool(w, "disable_correlation", 0);
  if (relation)
    acc_jw_kstr(w, "object_relation", relation);
  if (below(&s->r, 50) == 0) {
    acc_jw_key(w, "Tag");
    acc_jw_arr(w);
    acc_jw_obj(w);
    acc_jw_kstr(w, "name", "osint:source-type=\"blog-post\"");
    acc_jw_end(w, '}');
    acc_jw_end(w, ']');
  }
  if (sighting) {
    char su[37];
    uuid4(&s->r, su);
    acc_jw_key(w, "Sighting");
    acc_jw_arr(w);
    acc_jw_obj(w);
    acc_jw_kstr(w, "uuid", su);
    snprintf(num, sizeof num, "%ld", s->ts + 3600);
    acc_jw_kstr(w, "date_sighting", num);
    acc_jw_kstr(w, "type", "0");
    acc_jw_kstr(w, "source", "synth-sensor");
    acc_jw_end(w, '}');
    acc_jw_end(w, ']');
  }
  acc_jw_end(w, '}');
  md5line(s, v);
}

/* A value for a standalone attribute; 1 in 20 repeats a small shared
 * pool, so events correlate. */
static void standalone(synth *s) {
  char v[200], h[129];
  int shared = below(&s->r, 20) == 0;
  size_t id = shared ? below(&s->r, 500) : ++s->serial;
  unsigned k = (unsigned)below(&s->r, 100);
  int sight = below(&s->r, 100) == 0;
  if (k < 20) {
    snprintf(v, sizeof v, "%u.%u.%u.%u", 10 + (unsigned)(id >> 24 & 0x7f),
             (unsigned)(id >> 16 & 255), (unsigned)(id >> 8 & 255),
             (unsigned)(id & 255));
    attr(s, "ip-dst", "Network activity", k < 16, v, NULL, sight);
  } else if (k < 35) {
    snprintf(v, sizeof v, "host%zu.example-%zu.net", id, id % 97);
    attr(s, "domain", "Network activity", k < 31, v, NULL, sight);
  } else if (k < 45) {
    snprintf(v, sizeof v, "http://cdn%zu.example.org/p/%zu.php", id % 1000, id);
    attr(s, "url", "Network activity", 1, v, NULL, sight);
  } else if (k < 55) {
    hexval(&s->r, h, 32);
    attr(s, "md5", "Payload delivery", 1, h, NULL, sight);
  } else if (k < 65) {
    hexval(&s->r, h, 64);
    attr(s, "sha256", "Payload delivery", 1, h, NULL, sight);
  } else if (k < 75) {
    snprintf(v, sizeof v, "invoice_%zu.exe", id);
    attr(s, "filename", "Payload delivery", 0, v, NULL, sight);
  } else if (k < 80) {
    snprintf(v, sizeof v, "billing%zu@example-mail.com", id);
    attr(s, "email-src", "Payload delivery", 1, v, NULL, sight);
  } else if (k < 84) {
    snprintf(v, sizeof v, "192.0.%u.%u|%u", (unsigned)(id >> 8 & 255),
             (unsigned)(id & 255), 1024 + (unsigned)(id % 60000));
    attr(s, "ip-dst|port", "Network activity", 1, v, NULL, 0);
  } else if (k < 89) {
    snprintf(v, sizeof v, "Observed in campaign wave %zu; see ticket %zu.",
             id % 50, id);
    attr(s, "comment", "Other", 0, v, NULL, 0);
  } else if (k < 92) {
    snprintf(v, sizeof v, "https://blog.example.com/analysis/%zu", id % 5000);
    attr(s, "link", "External analysis", 0, v, NULL, 0);
  } else if (k < 95) {
    snprintf(v, sizeof v, "Mozilla/5.0 (Windows NT 10.0; bot %zu)", id % 300);
    attr(s, "user-agent", "Network activity", 0, v, NULL, 0);
  } else if (k < 97) {
    snprintf(v, sizeof v, "1Synth%zuBtcAddr", id);
    attr(s, "btc", "Financial fraud", 1, v, NULL, 0);
  } else {
    hexval(&s->r, h, 40);
    attr(s, "sha1", "Payload installation", 1, h, NULL, sight);
  }
}

static void object_file(synth *s, const char *ou, const char *ref_to) {
  acc_jw *w = &s->w;
  char v[200], h[129], num[24];
  acc_jw_obj(w);
  acc_jw_kstr(w, "uuid", ou);
  acc_jw_kstr(w, "name", "file");
  acc_jw_kstr(w, "meta-category", "file");
  acc_jw_kstr(w, "description",
              "File object describing a file with meta-information");
  acc_jw_kstr(w, "template_uuid", "688c46fb-5edb-40a3-8273-1af7923e2215");
  acc_jw_kstr(w, "template_version", "24");
  snprintf(num, sizeof num, "%ld", s->ts);
  acc_jw_kstr(w, "timestamp", num);
  acc_jw_kstr(w, "distribution", "5");
  acc_jw_kstr(w, "sharing_group_id", "0");
  acc_jw_kstr(w, "comment", "");
  acc_jw_kbool(w, "deleted", 0);
  acc_jw_key(w, "Attribute");
  acc_jw_arr(w);
  snprintf(v, sizeof v, "dropper_%zu.dll", ++s->serial);
  attr(s, "filename", "Payload delivery", 0, v, "filename", 0);
  hexval(&s->r, h, 64);
  attr(s, "sha256", "Payload delivery", 1, h, "sha256", 0);
  hexval(&s->r, h, 32);
  attr(s, "md5", "Payload delivery", 1, h, "md5", 0);
  acc_jw_end(w, ']');
  acc_jw_key(w, "ObjectReference");
  acc_jw_arr(w);
  if (ref_to) {
    char ru[37];
    uuid4(&s->r, ru);
    acc_jw_obj(w);
    acc_jw_kstr(w, "uuid", ru);
    acc_jw_kstr(w, "object_uuid", ou);
    acc_jw_kstr(w, "referenced_uuid", ref_to);
    acc_jw_kstr(w, "referenced_type", "1");
    acc_jw_kstr(w, "relationship_type", "communicates-with");
    acc_jw_kstr(w, "timestamp", num);
    acc_jw_kstr(w, "comment", "");
    acc_jw_kbool(w, "deleted", 0);
    acc_jw_end(w, '}');
  }
  acc_jw_end(w, ']');
  acc_jw_end(w, '}');
}

static void object_domain_ip(synth *s, const char *ou) {
  acc_jw *w = &s->w;
  char v[200], num[24];
  size_t id = ++s->serial;
  acc_jw_obj(w);
  acc_jw_kstr(w, "uuid", ou);
  acc_jw_kstr(w, "name", "domain-ip");
  acc_jw_kstr(w, "meta-category", "network");
  acc_jw_kstr(w, "description",
              "A domain and IP address seen as a tuple in a specific time "
              "frame.");
  acc_jw_kstr(w, "template_uuid", "43b3b146-77eb-4931-b4cc-b66c60f28734");
  acc_jw_kstr(w, "template_version", "9");
  snprintf(num, sizeof num, "%ld", s->ts);
  acc_jw_kstr(w, "timestamp", num);
  acc_jw_kstr(w, "distribution", "5");
  acc_jw_kstr(w, "sharing_group_id", "0");
  acc_jw_kstr(w, "comment", "");
  acc_jw_kbool(w, "deleted", 0);
  acc_jw_key(w, "Attribute");
  acc_jw_arr(w);
  snprintf(v, sizeof v, "c2-%zu.example-%zu.com", id, id % 89);
  attr(s, "domain", "Network activity", 1, v, "domain", 0);
  snprintf(v, sizeof v, "198.51.%u.%u", (unsigned)(id >> 8 & 255),
           (unsigned)(id & 255));
  attr(s, "ip-dst", "Network activity", 1, v, "ip", 0);
  acc_jw_end(w, ']');
  acc_jw_key(w, "ObjectReference");
  acc_jw_arr(w);
  acc_jw_end(w, ']');
  acc_jw_end(w, '}');
}

static void event(synth *s, size_t ei, size_t n_attrs, json_t *manifest) {
  acc_jw *w = &s->w;
  char num[24], info[160], date[ACC_TIME_BUFSZ];
  uuid4(&s->r, s->ev_uuid);
  s->ts = EPOCH + (long)(ei * 3600);
  acc_time_format((int64_t)s->ts * 1000000, date);
  date[10] = '\0';
  snprintf(info, sizeof info, "Synthetic campaign %zu: phishing wave", ei);
  const char *tlp = below(&s->r, 3) ? "tlp:green" : "tlp:amber";
  int galaxy = below(&s->r, 5) == 0;
  acc_buf_reset(&s->b);
  acc_jw_init(w, &s->b, 0);
  acc_jw_obj(w);
  acc_jw_key(w, "Event");
  acc_jw_obj(w);
  acc_jw_kstr(w, "uuid", s->ev_uuid);
  acc_jw_kstr(w, "info", info);
  acc_jw_kstr(w, "date", date);
  snprintf(num, sizeof num, "%ld", s->ts);
  acc_jw_kstr(w, "timestamp", num);
  acc_jw_kstr(w, "publish_timestamp", num);
  acc_jw_kbool(w, "published", 1);
  acc_jw_kstr(w, "threat_level_id", "2");
  acc_jw_kstr(w, "analysis", "2");
  acc_jw_kstr(w, "distribution", "1");
  acc_jw_kstr(w, "sharing_group_id", "0");
  acc_jw_key(w, "Orgc");
  acc_jw_obj(w);
  acc_jw_kstr(w, "uuid", "8c1b3d2e-5f4a-4b6c-9d7e-0a1b2c3d4e5f");
  acc_jw_kstr(w, "name", "SYNTH-CERT");
  acc_jw_end(w, '}');
  acc_jw_key(w, "Tag");
  acc_jw_arr(w);
  acc_jw_obj(w);
  acc_jw_kstr(w, "name", tlp);
  acc_jw_end(w, '}');
  acc_jw_obj(w);
  acc_jw_kstr(w, "name", "type:OSINT");
  acc_jw_end(w, '}');
  if (galaxy) {
    acc_jw_obj(w);
    acc_jw_kstr(w, "name", "misp-galaxy:threat-actor=\"Synthetic Bear\"");
    acc_jw_end(w, '}');
  }
  acc_jw_end(w, ']');
  if (galaxy) {
    acc_jw_key(w, "Galaxy");
    acc_jw_raw(w, GALAXY, sizeof GALAXY - 1);
  }
  /* one attribute in ten goes into objects: pairs of a file object (3)
   * referring to a domain-ip object (2) */
  size_t in_objects = n_attrs / 10 / 5 * 5;
  size_t n_pairs = in_objects / 5;
  acc_jw_key(w, "Attribute");
  acc_jw_arr(w);
  for (size_t i = 0; i < n_attrs - in_objects; i++)
    standalone(s);
  acc_jw_end(w, ']');
  acc_jw_key(w, "Object");
  acc_jw_arr(w);
  for (size_t i = 0; i < n_pairs; i++) {
    char fu[37], du[37];
    uuid4(&s->r, fu);
    uuid4(&s->r, du);
    object_file(s, fu, du);
    object_domain_ip(s, du);
  }
  acc_jw_end(w, ']');
  acc_jw_end(w, '}');
  acc_jw_end(w, '}');
  json_t *e =
      json_pack("{s:s,s:{s:s,s:s},s:s,s:s,s:s,s:s,s:[{s:s}]}", "info", info,
                "Orgc", "uuid", "8c1b3d2e-5f4a-4b6c-9d7e-0a1b2c3d4e5f", "name",
                "SYNTH-CERT", "analysis", "2", "timestamp", num, "date", date,
                "threat_level_id", "2", "Tag", "name", tlp);
  json_object_set_new(manifest, s->ev_uuid, e);
}

acc_rc acc_misp_synth_feed(const char *dir, size_t n_events, size_t n_attrs,
                           uint64_t seed, acc_diag *d) {
  synth s;
  memset(&s, 0, sizeof s);
  s.r.s = seed * UINT64_C(0x2545f4914f6cdd1d) + 1;
  acc_buf_init(&s.b, (size_t)1 << 31);
  acc_buf_init(&s.hashes, (size_t)1 << 31);
  acc_rc rc = ACC_OK;
  json_t *manifest = json_object();
  char path[4096];
  FILE *hf = NULL;
  if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
    rc = acc_diag_set(d, ACC_EIO, "cannot create %s: %s", dir, strerror(errno));
    goto out;
  }
  snprintf(path, sizeof path, "%s/hashes.csv", dir);
  if (!(hf = fopen(path, "w"))) {
    rc = acc_diag_set(d, ACC_EIO, "cannot write %s", path);
    goto out;
  }
  for (size_t i = 0; i < n_events; i++) {
    event(&s, i, n_attrs, manifest);
    if (s.w.rc) {
      rc = acc_diag_set(d, s.w.rc, "event %zu: %s", i, acc_strerror(s.w.rc));
      goto out;
    }
    snprintf(path, sizeof path, "%s/%s.json", dir, s.ev_uuid);
    FILE *f = fopen(path, "w");
    if (!f || fwrite(s.b.data, 1, s.b.len, f) != s.b.len) {
      if (f)
        fclose(f);
      rc = acc_diag_set(d, ACC_EIO, "cannot write %s", path);
      goto out;
    }
    if (fclose(f) != 0) {
      rc = acc_diag_set(d, ACC_EIO, "writing %s failed", path);
      goto out;
    }
    fwrite(s.hashes.data, 1, s.hashes.len, hf);
    acc_buf_reset(&s.hashes);
  }
  snprintf(path, sizeof path, "%s/manifest.json", dir);
  if (json_dump_file(manifest, path, JSON_INDENT(1) | JSON_SORT_KEYS))
    rc = acc_diag_set(d, ACC_EIO, "cannot write %s", path);
out:
  if (hf && fclose(hf) != 0 && !rc)
    rc = acc_diag_set(d, ACC_EIO, "writing hashes.csv failed");
  json_decref(manifest);
  acc_buf_free(&s.b);
  acc_buf_free(&s.hashes);
  return rc;
}
