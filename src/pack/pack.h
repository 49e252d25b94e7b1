/*
 * pack.h — evidence packs: the releasable part of an attribution case at
 * TLP:CLEAR or TLP:GREEN, as files anyone can check offline.
 *
 * A pack is a directory of:
 *   bundle.json     STIX 2.1 bundle (RFC 8785 canonical JSON): the release
 *                   report, the claim and its relationships, one exhibit
 *                   note per releasable evidence item and the objects it
 *                   rests on, identities (signer, partners joining,
 *                   pseudonyms of protected sources), Accord's extension
 *   statement.html  the statement of reasons
 *   statement.pdf   the same, when a PDF renderer is installed
 *   pack.json       what the pack is: case, release level, signer and key
 *   MANIFEST        "SHA256  NAME" lines (sha256sum format), sorted
 *   MANIFEST.sig    Ed25519 signature of MANIFEST, base64, one line
 * Built for a principal through the enforcement point; the same case,
 * principal and keys always give the same bytes.
 */
#ifndef ACC_PACK_H
#define ACC_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "case/case.h"
#include "util/buf.h"
#include "util/error.h"

#define ACC_PACK_MAX_FILES 8
#define ACC_PACK_NAME_MAX 64

typedef struct acc_pack_file {
  char name[ACC_PACK_NAME_MAX];
  unsigned char *data;
  size_t len;
} acc_pack_file;

typedef struct acc_pack {
  acc_pack_file files[ACC_PACK_MAX_FILES]; /* sorted by name */
  size_t n_files;
  char case_id[ACC_ID_MAX];
  int64_t case_modified_us;
  acc_tlp release;
  size_t exhibits; /* evidence items released */
  size_t withheld; /* evidence items not releasable (counted only) */
  size_t objects;  /* objects in the bundle */
  char signer[128];
  char key_id[17];
  int draft;
} acc_pack;

typedef struct acc_pack_opts {
  acc_tlp release; /* ACC_TLP_CLEAR or ACC_TLP_GREEN */
  int draft;       /* build even if the rule or a link fails */
  int pdf;         /* 1: render statement.pdf when a renderer exists */
} acc_pack_opts;

/* Build the pack of case id as ctx->rd->who sees it. */
acc_rc acc_pack_build(const acc_case_ctx *ctx, const char *id,
                      const acc_pack_opts *o, acc_pack *out, acc_diag *d);
void acc_pack_free(acc_pack *p);

/* Write the files into dir (created; must not exist or be empty). */
acc_rc acc_pack_write_dir(const acc_pack *p, const char *dir, acc_diag *d);

/* The pack as one ustar archive under directory prefix (deterministic:
 * mtime, owner and modes fixed). */
acc_rc acc_pack_tar(const acc_pack *p, const char *prefix, acc_buf *out,
                    acc_diag *d);

/* ---- verification ---- */

typedef struct acc_pack_report {
  char case_id[ACC_ID_MAX];
  char signer[128];
  char key_id[17];
  char public_key[64];
  acc_tlp release;
  size_t exhibits, withheld, objects;
  int pinned; /* the signature was checked against a key given by the
                 caller, not only the one the pack names */
  int draft;
} acc_pack_report;

/* Verify a pack held in memory (files in any order).  pin: the signer's
 * public key as the verifier knows it, or NULL to trust the key the pack
 * names (rep->pinned says which).  ACC_EINVAL with d naming the first
 * problem. */
acc_rc acc_pack_verify_files(const acc_pack_file *files, size_t n,
                             const unsigned char *pin, acc_pack_report *rep,
                             acc_diag *d);
/* Read dir (regular files only, nothing else) and verify it. */
acc_rc acc_pack_verify_dir(const char *dir, const unsigned char *pin,
                           acc_pack_report *rep, acc_diag *d);

/* ---- the manifest (manifest.c; parses outside input, fuzzed) ---- */

#define ACC_PACK_MANIFEST_MAX 16

typedef struct acc_pack_manifest {
  struct {
    char name[ACC_PACK_NAME_MAX];
    unsigned char sha256[32];
  } e[ACC_PACK_MANIFEST_MAX];
  size_t n;
} acc_pack_manifest;

/* Strict: "<64 lower-case hex>  <name>\n" lines, names [A-Za-z0-9._-]
 * not starting with '.', sorted, unique, not MANIFEST or MANIFEST.sig. */
acc_rc acc_pack_manifest_parse(const char *text, size_t len,
                               acc_pack_manifest *m, acc_diag *d);
/* MANIFEST.sig: base64 of 64 bytes and a newline. */
acc_rc acc_pack_sig_parse(const char *text, size_t len, unsigned char sig[64],
                          acc_diag *d);

/* A file name the pack may hold. */
int acc_pack_name_ok(const char *name, size_t len);

/* Render html to PDF with wkhtmltopdf or chromium when installed
 * (pdf.c); ACC_ENOTFOUND when neither is. */
acc_rc acc_pack_render_pdf(const char *html, size_t len, int64_t date_us,
                           unsigned char **out, size_t *out_len, acc_diag *d);

#endif
