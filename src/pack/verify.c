/*
 * verify.c — checking a pack offline, trusting nothing in it until the
 * signature holds: the MANIFEST and its signature (against the key the
 * verifier pins, or the one pack.json names), every file's SHA-256, no
 * file missing and none added, then the content: bundle.json must be a
 * STIX 2.1 bundle whose every object is valid and carries a TLP marking at
 * or below the release level the signed pack.json states, with no
 * granular marking above it and no recipient list (material shared with
 * named organisations is never releasable); the release report and the
 * exhibits must be there and refer only to objects in the bundle; the
 * statement must cite exactly the exhibits the bundle holds.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case/case_int.h"
#include "case/keys.h"
#include "pack/pack.h"
#include "policy/policy.h"
#include "stix/stix.h"

#define FILE_MAX ((size_t)1 << 30)

static const acc_pack_file *find(const acc_pack_file *f, size_t n,
                                 const char *name) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(f[i].name, name))
      return &f[i];
  return NULL;
}

/* Every object of the bundle within the release level. */
static acc_rc check_object(json_t *o, size_t i, acc_tlp release, acc_diag *d) {
  const char *id = json_string_value(json_object_get(o, "id"));
  const char *type = json_string_value(json_object_get(o, "type"));
  if (!id || !type)
    return acc_diag_set(d, ACC_EINVAL,
                        "bundle.json: object %zu has no type or id", i);
  acc_stix_obj so;
  acc_diag vd;
  if (acc_stix_validate(o, &so, &vd, NULL, NULL))
    return acc_diag_set(d, ACC_EINVAL, "bundle.json: %s is not valid STIX: %s",
                        id, vd.msg);
  if (!strcmp(type, "marking-definition")) {
    acc_tlp t = acc_tlp_of_marking(id);
    if (t == ACC_TLP_NONE || t > release)
      return acc_diag_set(d, ACC_EINVAL,
                          "bundle.json: %s is a marking definition other "
                          "than TLP at or below TLP:%s",
                          id, acc_tlp_name(release));
    return ACC_OK;
  }
  acc_share_meta m;
  if (acc_share_meta_from_json(o, &m, &vd))
    return acc_diag_set(d, ACC_EINVAL, "bundle.json: %s: %s", id, vd.msg);
  acc_rc rc = ACC_OK;
  if (m.tlp == ACC_TLP_NONE)
    rc = acc_diag_set(d, ACC_EINVAL,
                      "bundle.json: %s carries no TLP marking: what is "
                      "released must say its level",
                      id);
  else if (m.tlp > release)
    rc = acc_diag_set(d, ACC_EINVAL,
                      "bundle.json: %s is marked TLP:%s, above the pack's "
                      "release level TLP:%s",
                      id, acc_tlp_name(m.tlp), acc_tlp_name(release));
  else if (m.granular_max != ACC_TLP_NONE && m.granular_max > release)
    rc = acc_diag_set(d, ACC_EINVAL,
                      "bundle.json: %s has parts marked TLP:%s, above the "
                      "release level TLP:%s",
                      id, acc_tlp_name(m.granular_max), acc_tlp_name(release));
  else if (m.orgs || m.users)
    rc = acc_diag_set(d, ACC_EINVAL,
                      "bundle.json: %s names recipients (Accord sharing "
                      "extension): it was shared with named parties, not "
                      "released",
                      id);
  acc_share_meta_free(&m);
  return rc;
}

static int in_bundle(json_t *ids, json_t *ref) {
  return json_is_string(ref) && json_object_get(ids, json_string_value(ref));
}

static acc_rc check_bundle(const acc_pack_file *bf, const acc_pack_file *hf,
                           acc_tlp release, acc_pack_report *rep, json_t *pj,
                           acc_diag *d) {
  json_error_t e;
  json_t *b =
      json_loadb((const char *)bf->data, bf->len, JSON_REJECT_DUPLICATES, &e);
  if (!b)
    return acc_diag_set(d, ACC_EINVAL, "bundle.json: line %d, column %d: %s",
                        e.line, e.column, e.text);
  acc_rc rc = ACC_OK;
  json_t *objs = json_object_get(b, "objects");
  json_t *ids = json_object();
  const char *btype = json_string_value(json_object_get(b, "type"));
  if (!btype || strcmp(btype, "bundle") ||
      !acc_stix_id_valid(json_string_value(json_object_get(b, "id")),
                         "bundle") ||
      !json_is_array(objs)) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "bundle.json: not a STIX bundle (type, id, objects)");
    goto out;
  }
  size_t i;
  json_t *o;
  json_array_foreach(objs, i, o) {
    if (!json_is_object(o)) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "bundle.json: object %zu is not an "
                        "object",
                        i);
      goto out;
    }
    if ((rc = check_object(o, i, release, d)))
      goto out;
    const char *id = json_string_value(json_object_get(o, "id"));
    if (json_object_get(ids, id)) {
      rc = acc_diag_set(d, ACC_EINVAL, "bundle.json: %s appears twice", id);
      goto out;
    }
    json_object_set(ids, id, o);
  }
  /* The release report and the exhibits. */
  json_t *report = NULL;
  size_t exhibits = 0;
  json_array_foreach(objs, i, o) {
    json_t *x = acc_case_ext_of(o, "attribution-case");
    if (x && json_object_get(x, "release") &&
        !strcmp(json_string_value(json_object_get(o, "type")), "report")) {
      if (report) {
        rc = acc_diag_set(d, ACC_EINVAL,
                          "bundle.json: more than one release report");
        goto out;
      }
      report = o;
      const char *rl = json_string_value(json_object_get(x, "release"));
      if (!rl || strcmp(rl, acc_tlp_name(release))) {
        rc = acc_diag_set(d, ACC_EINVAL,
                          "bundle.json: the release report says TLP:%s, "
                          "pack.json TLP:%s",
                          rl ? rl : "?", acc_tlp_name(release));
        goto out;
      }
    }
    if (acc_case_ext_of(o, "exhibit")) {
      exhibits++;
      size_t k;
      json_t *r;
      json_array_foreach(json_object_get(o, "object_refs"), k, r) {
        if (!in_bundle(ids, r)) {
          rc = acc_diag_set(d, ACC_EINVAL,
                            "bundle.json: exhibit %s refers to %s, which the "
                            "bundle does not hold",
                            json_string_value(json_object_get(o, "id")),
                            json_string_value(r) ? json_string_value(r) : "?");
          goto out;
        }
      }
    }
  }
  if (!report) {
    rc = acc_diag_set(d, ACC_EINVAL, "bundle.json: no release report");
    goto out;
  }
  json_array_foreach(json_object_get(report, "object_refs"), i, o) {
    if (!in_bundle(ids, o)) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "bundle.json: the release report refers to %s, which "
                        "the bundle does not hold",
                        json_string_value(o) ? json_string_value(o) : "?");
      goto out;
    }
  }
  json_int_t want = json_integer_value(json_object_get(pj, "exhibits"));
  if ((json_int_t)exhibits != want) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "bundle.json holds %zu exhibits, pack.json says %lld",
                      exhibits, (long long)want);
    goto out;
  }
  /* The statement cites exactly those exhibits. */
  for (size_t k = 1; k <= exhibits + 1; k++) {
    char needle[48];
    int n = snprintf(needle, sizeof needle, "id=\"exhibit-%zu\"", k);
    int present = memmem(hf->data, hf->len, needle, (size_t)n) != NULL;
    if (present != (k <= exhibits)) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "statement.html %s Exhibit %zu but the bundle holds "
                        "%zu exhibits",
                        present ? "presents" : "lacks", k, exhibits);
      goto out;
    }
  }
  rep->exhibits = exhibits;
  rep->objects = json_array_size(objs);
out:
  json_decref(ids);
  json_decref(b);
  return rc;
}

acc_rc acc_pack_verify_files(const acc_pack_file *files, size_t n,
                             const unsigned char *pin, acc_pack_report *rep,
                             acc_diag *d) {
  memset(rep, 0, sizeof *rep);
  const acc_pack_file *mf = find(files, n, "MANIFEST");
  const acc_pack_file *sf = find(files, n, "MANIFEST.sig");
  if (!mf || !sf)
    return acc_diag_set(d, ACC_EINVAL, "the pack lacks %s",
                        mf ? "MANIFEST.sig" : "MANIFEST");
  acc_pack_manifest m;
  unsigned char sig[64];
  acc_rc rc = acc_pack_manifest_parse((const char *)mf->data, mf->len, &m, d);
  if (!rc)
    rc = acc_pack_sig_parse((const char *)sf->data, sf->len, sig, d);
  if (rc)
    return rc;
  /* pack.json says who signed; the signature is checked before anything
   * it says is believed. */
  const acc_pack_file *pf = find(files, n, "pack.json");
  if (!pf)
    return acc_diag_set(d, ACC_EINVAL, "the pack lacks pack.json");
  json_error_t je;
  json_t *pj =
      json_loadb((const char *)pf->data, pf->len, JSON_REJECT_DUPLICATES, &je);
  if (!json_is_object(pj)) {
    json_decref(pj);
    return acc_diag_set(d, ACC_EINVAL, "pack.json is not a JSON object");
  }
  json_t *signer = json_object_get(pj, "signer");
  const char *pubtext =
      json_string_value(json_object_get(signer, "public_key"));
  unsigned char pk[32];
  if (!pubtext || acc_key_public_parse(pubtext, pk, NULL)) {
    rc = acc_diag_set(d, ACC_EINVAL, "pack.json names no valid public key");
    goto out;
  }
  if (pin && memcmp(pin, pk, 32) != 0) {
    char got[ACC_KEY_ID_LEN], want[ACC_KEY_ID_LEN];
    acc_key_id(pk, got);
    acc_key_id(pin, want);
    rc = acc_diag_set(d, ACC_EINVAL,
                      "the pack names key %s, not the key given (%s): it was "
                      "not signed by the organisation you expect",
                      got, want);
    goto out;
  }
  if (!acc_key_verify(pin ? pin : pk, mf->data, mf->len, sig)) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "MANIFEST.sig: the signature does not match MANIFEST "
                      "(the manifest was changed, or signed with another "
                      "key)");
    goto out;
  }
  /* Digests, and no file more or less. */
  for (size_t i = 0; i < m.n; i++) {
    const acc_pack_file *f = find(files, n, m.e[i].name);
    if (!f) {
      rc = acc_diag_set(d, ACC_EINVAL, "%s is listed in MANIFEST but missing",
                        m.e[i].name);
      goto out;
    }
    unsigned char h[32];
    crypto_hash_sha256(h, f->data, f->len);
    if (sodium_memcmp(h, m.e[i].sha256, 32) != 0) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "%s: its SHA-256 differs from MANIFEST (the file was "
                        "changed)",
                        m.e[i].name);
      goto out;
    }
  }
  for (size_t i = 0; i < n; i++) {
    int listed = !strcmp(files[i].name, "MANIFEST") ||
                 !strcmp(files[i].name, "MANIFEST.sig");
    for (size_t k = 0; k < m.n && !listed; k++)
      listed = !strcmp(m.e[k].name, files[i].name);
    if (!listed) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "%s is in the pack but not in MANIFEST (a file was "
                        "added)",
                        files[i].name);
      goto out;
    }
  }
  static const char *const required[] = {"bundle.json", "pack.json",
                                         "statement.html"};
  for (size_t i = 0; i < 3; i++)
    if (!find(files, n, required[i])) {
      rc = acc_diag_set(d, ACC_EINVAL, "the pack lacks %s", required[i]);
      goto out;
    }
  /* What the signed pack.json says. */
  const char *rl = json_string_value(json_object_get(pj, "release"));
  acc_tlp release;
  if (!rl || acc_tlp_parse(rl, &release) ||
      (release != ACC_TLP_CLEAR && release != ACC_TLP_GREEN)) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "pack.json: release '%s' is not CLEAR or GREEN",
                      rl ? rl : "");
    goto out;
  }
  rep->release = release;
  snprintf(rep->case_id, sizeof rep->case_id, "%s",
           json_string_value(json_object_get(pj, "case"))
               ? json_string_value(json_object_get(pj, "case"))
               : "");
  snprintf(rep->signer, sizeof rep->signer, "%s",
           json_string_value(json_object_get(signer, "organisation"))
               ? json_string_value(json_object_get(signer, "organisation"))
               : "");
  acc_key_id(pk, rep->key_id);
  snprintf(rep->public_key, sizeof rep->public_key, "%s", pubtext);
  rep->withheld = (size_t)json_integer_value(json_object_get(pj, "withheld"));
  rep->draft = json_is_true(json_object_get(pj, "draft"));
  rep->pinned = pin != NULL;
  rc = check_bundle(find(files, n, "bundle.json"),
                    find(files, n, "statement.html"), release, rep, pj, d);
out:
  json_decref(pj);
  return rc;
}

acc_rc acc_pack_verify_dir(const char *dir, const unsigned char *pin,
                           acc_pack_report *rep, acc_diag *d) {
  DIR *dh = opendir(dir);
  if (!dh)
    return acc_diag_set(d, errno == ENOENT ? ACC_ENOTFOUND : ACC_EIO,
                        "cannot open %s: %s", dir, strerror(errno));
  acc_pack_file files[ACC_PACK_MANIFEST_MAX + 2];
  size_t n = 0;
  acc_rc rc = ACC_OK;
  struct dirent *e;
  while ((e = readdir(dh)) != NULL && !rc) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(path, &st) != 0) {
      rc =
          acc_diag_set(d, ACC_EIO, "cannot stat %s: %s", path, strerror(errno));
      break;
    }
    if (!S_ISREG(st.st_mode)) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "%s is not a regular file: a pack holds files only",
                        path);
      break;
    }
    if (n == sizeof files / sizeof files[0] ||
        !acc_pack_name_ok(e->d_name, strlen(e->d_name))) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "%s: unexpected file in the pack (not in MANIFEST)",
                        path);
      break;
    }
    if ((size_t)st.st_size > FILE_MAX) {
      rc = acc_diag_set(d, ACC_ETOOBIG, "%s is larger than 1 GiB", path);
      break;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    unsigned char *buf = malloc((size_t)st.st_size + 1);
    ssize_t got = 0;
    if (fd >= 0 && buf) {
      size_t off = 0;
      while (off < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + off, (size_t)st.st_size - off);
        if (r < 0 && errno == EINTR)
          continue;
        if (r <= 0)
          break;
        off += (size_t)r;
      }
      got = (ssize_t)off;
    }
    if (fd >= 0)
      close(fd);
    if (fd < 0 || !buf || got != st.st_size) {
      free(buf);
      rc = acc_diag_set(d, ACC_EIO, "cannot read %s", path);
      break;
    }
    /* acc_pack_name_ok bounded the length; copy within the field. */
    size_t nl = strlen(e->d_name);
    if (nl >= sizeof files[n].name)
      nl = sizeof files[n].name - 1;
    memcpy(files[n].name, e->d_name, nl);
    files[n].name[nl] = '\0';
    files[n].data = buf;
    files[n].len = (size_t)st.st_size;
    n++;
  }
  closedir(dh);
  if (!rc)
    rc = acc_pack_verify_files(files, n, pin, rep, d);
  for (size_t i = 0; i < n; i++)
    free(files[i].data);
  return rc;
}
