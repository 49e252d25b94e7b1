/*
 * keys.c — organisation key files and the instance secret (see keys.h).
 *
 * A key file is a few "name=value" lines:
 *     # Accord organisation signing key (Ed25519).  Keep it secret.
 *     org=CERT-VL
 *     public=ed25519:BASE64
 *     secret=BASE64 (the 32-byte seed)
 * written to a temporary file with mode 0600 and renamed into place, so a
 * reader never sees half a key.  The file name is the organisation's name
 * reduced to [A-Za-z0-9_-] plus 8 hex digits of its BLAKE2b hash, so two
 * names never share a file.
 */
#include "case/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE_MAX 4096

static acc_rc keys_dir(const char *data_dir, char *out, size_t size, int create,
                       acc_diag *d) {
  snprintf(out, size, "%s/keys", data_dir);
  if (!create)
    return ACC_OK;
  if (mkdir(out, 0700) != 0 && errno != EEXIST)
    return acc_diag_set(d, ACC_EIO, "cannot create %s: %s", out,
                        strerror(errno));
  return ACC_OK;
}

void acc_key_path(const char *data_dir, const char *org, char *out,
                  size_t size) {
  char safe[48];
  size_t j = 0;
  for (const char *p = org; *p && j < 32; p++) {
    unsigned char c = (unsigned char)*p;
    safe[j++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_'
                    ? (char)c
                    : '_';
  }
  safe[j] = '\0';
  unsigned char h[4];
  crypto_generichash(h, sizeof h, (const unsigned char *)org, strlen(org), NULL,
                     0);
  snprintf(out, size, "%s/keys/org-%s-%02x%02x%02x%02x.key", data_dir, safe,
           h[0], h[1], h[2], h[3]);
}

void acc_key_id(const unsigned char pk[32], char out[ACC_KEY_ID_LEN]) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, pk, 32);
  sodium_bin2hex(out, ACC_KEY_ID_LEN, h, 8);
}

void acc_key_public_text(const unsigned char pk[32],
                         char out[ACC_KEY_PUB_TEXT_MAX]) {
  memcpy(out, "ed25519:", 8);
  sodium_bin2base64(out + 8, ACC_KEY_PUB_TEXT_MAX - 8, pk, 32,
                    sodium_base64_VARIANT_ORIGINAL);
}

acc_rc acc_key_public_parse(const char *text, unsigned char pk[32],
                            acc_diag *d) {
  size_t n = 0;
  const char *end = NULL;
  if (!text || strncmp(text, "ed25519:", 8) != 0)
    return acc_diag_set(d, ACC_EINVAL,
                        "a public key is written 'ed25519:' followed by 44 "
                        "base64 characters (see `accord key export`)");
  size_t len = strlen(text + 8);
  while (len && (text[8 + len - 1] == '\n' || text[8 + len - 1] == '\r' ||
                 text[8 + len - 1] == ' '))
    len--;
  if (sodium_base642bin(pk, 32, text + 8, len, NULL, &n, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      n != 32 || end != text + 8 + len)
    return acc_diag_set(d, ACC_EINVAL,
                        "the public key is not 32 bytes of base64 after "
                        "'ed25519:'");
  return ACC_OK;
}

acc_rc acc_key_sign(const acc_org_key *k, const void *msg, size_t len,
                    unsigned char sig[ACC_KEY_SIG_BYTES], acc_diag *d) {
  if (!k->has_secret)
    return acc_diag_set(d, ACC_EINVAL, "the key of %s has no secret part",
                        k->org);
  crypto_sign_detached(sig, NULL, msg, len, k->sk);
  return ACC_OK;
}

int acc_key_verify(const unsigned char pk[32], const void *msg, size_t len,
                   const unsigned char sig[ACC_KEY_SIG_BYTES]) {
  return crypto_sign_verify_detached(sig, msg, len, pk) == 0;
}

void acc_key_wipe(acc_org_key *k) {
  sodium_memzero(k->sk, sizeof k->sk);
  k->has_secret = 0;
}

/* Write text to path atomically with mode 0600. */
static acc_rc write_secret_file(const char *path, const char *text,
                                acc_diag *d) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return acc_diag_set(d, ACC_EIO, "cannot create %s: %s", tmp,
                        strerror(errno));
  size_t len = strlen(text), off = 0;
  while (off < len) {
    ssize_t w = write(fd, text + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      acc_rc rc =
          acc_diag_set(d, ACC_EIO, "cannot write %s: %s", tmp, strerror(errno));
      close(fd);
      unlink(tmp);
      return rc;
    }
    off += (size_t)w;
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(tmp);
    return acc_diag_set(d, ACC_EIO, "cannot write %s: %s", tmp,
                        strerror(errno));
  }
  if (rename(tmp, path) != 0) {
    acc_rc rc = acc_diag_set(d, ACC_EIO, "cannot rename %s to %s: %s", tmp,
                             path, strerror(errno));
    unlink(tmp);
    return rc;
  }
  return ACC_OK;
}

/* Read a secret file (refusing one others may read) into buf. */
static acc_rc read_secret_file(const char *path, char *buf, size_t size,
                               acc_diag *d) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return acc_diag_set(d, errno == ENOENT ? ACC_ENOTFOUND : ACC_EIO,
                        "cannot open %s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return acc_diag_set(d, ACC_EIO, "%s is not a regular file", path);
  }
  if (st.st_mode & 077) {
    close(fd);
    return acc_diag_set(d, ACC_EINVAL,
                        "%s may be read by others (mode %03o): a key must be "
                        "private — run chmod 600 on it",
                        path, (unsigned)(st.st_mode & 0777));
  }
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n < 0)
    return acc_diag_set(d, ACC_EIO, "cannot read %s: %s", path,
                        strerror(errno));
  buf[n] = '\0';
  return ACC_OK;
}

/* The value of "name=" in a key file, copied to out. */
static int field(const char *text, const char *name, char *out, size_t size) {
  size_t nl = strlen(name);
  for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
    if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
      const char *v = p + nl + 1;
      size_t l = strcspn(v, "\n");
      if (l >= size)
        return -1;
      memcpy(out, v, l);
      out[l] = '\0';
      return 0;
    }
  }
  return -1;
}

acc_rc acc_key_load(const char *data_dir, const char *org, acc_org_key *out,
                    acc_diag *d) {
  char path[4096], text[KEY_FILE_MAX], pub[128], sec[128], name[256];
  acc_key_path(data_dir, org, path, sizeof path);
  acc_rc rc = read_secret_file(path, text, sizeof text, d);
  if (rc == ACC_ENOTFOUND)
    return acc_diag_set(d, ACC_ENOTFOUND,
                        "organisation '%s' has no signing key (run `accord "
                        "key generate --org '%s'`)",
                        org, org);
  if (rc)
    return rc;
  acc_org_key k = {0};
  unsigned char seed[32];
  size_t n = 0;
  if (field(text, "org", name, sizeof name) || strcmp(name, org) != 0 ||
      field(text, "public", pub, sizeof pub) ||
      field(text, "secret", sec, sizeof sec) ||
      acc_key_public_parse(pub, k.pk, NULL) ||
      sodium_base642bin(seed, sizeof seed, sec, strlen(sec), NULL, &n, NULL,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      n != sizeof seed) {
    sodium_memzero(text, sizeof text);
    return acc_diag_set(d, ACC_EINVAL,
                        "%s is not an Accord key file of organisation '%s' "
                        "(lines org=, public=, secret=)",
                        path, org);
  }
  unsigned char pk2[32];
  crypto_sign_seed_keypair(pk2, k.sk, seed);
  sodium_memzero(seed, sizeof seed);
  sodium_memzero(text, sizeof text);
  sodium_memzero(sec, sizeof sec);
  if (memcmp(pk2, k.pk, 32) != 0) {
    sodium_memzero(k.sk, sizeof k.sk);
    return acc_diag_set(d, ACC_EINVAL,
                        "%s: the public key does not match the secret", path);
  }
  snprintf(k.org, sizeof k.org, "%s", org);
  k.has_secret = 1;
  acc_key_id(k.pk, k.key_id);
  *out = k;
  return ACC_OK;
}

acc_rc acc_key_generate(const char *data_dir, const char *org, int force,
                        acc_org_key *out, acc_diag *d) {
  char dir[4096], path[4096];
  if (!org || !*org || strchr(org, '\n'))
    return acc_diag_set(d, ACC_EINVAL, "a key needs an organisation name");
  acc_rc rc = keys_dir(data_dir, dir, sizeof dir, 1, d);
  if (rc)
    return rc;
  acc_key_path(data_dir, org, path, sizeof path);
  if (!force && access(path, F_OK) == 0)
    return acc_diag_set(d, ACC_EEXIST,
                        "organisation '%s' already has a key (%s); --force "
                        "replaces it, and packs signed with the old key no "
                        "longer verify against the new one",
                        org, path);
  acc_org_key k = {0};
  unsigned char seed[32];
  randombytes_buf(seed, sizeof seed);
  crypto_sign_seed_keypair(k.pk, k.sk, seed);
  char pub[ACC_KEY_PUB_TEXT_MAX], sec[64], text[KEY_FILE_MAX];
  acc_key_public_text(k.pk, pub);
  sodium_bin2base64(sec, sizeof sec, seed, sizeof seed,
                    sodium_base64_VARIANT_ORIGINAL);
  snprintf(text, sizeof text,
           "# Accord organisation signing key (Ed25519).  Keep it secret.\n"
           "org=%s\npublic=%s\nsecret=%s\n",
           org, pub, sec);
  rc = write_secret_file(path, text, d);
  sodium_memzero(seed, sizeof seed);
  sodium_memzero(sec, sizeof sec);
  sodium_memzero(text, sizeof text);
  if (rc) {
    sodium_memzero(k.sk, sizeof k.sk);
    return rc;
  }
  snprintf(k.org, sizeof k.org, "%s", org);
  k.has_secret = 1;
  acc_key_id(k.pk, k.key_id);
  if (out)
    *out = k;
  else
    sodium_memzero(k.sk, sizeof k.sk);
  return ACC_OK;
}

acc_rc acc_key_instance_secret(const char *data_dir, unsigned char out[32],
                               acc_diag *d) {
  char dir[4096], path[4200], text[256], b64[128];
  acc_rc rc = keys_dir(data_dir, dir, sizeof dir, 1, d);
  if (rc)
    return rc;
  snprintf(path, sizeof path, "%s/instance.key", dir);
  for (int attempt = 0; attempt < 2; attempt++) {
    rc = read_secret_file(path, text, sizeof text, d);
    if (rc == ACC_OK) {
      size_t n = 0;
      if (field(text, "secret", b64, sizeof b64) ||
          sodium_base642bin(out, 32, b64, strlen(b64), NULL, &n, NULL,
                            sodium_base64_VARIANT_ORIGINAL) != 0 ||
          n != 32) {
        sodium_memzero(text, sizeof text);
        return acc_diag_set(d, ACC_EINVAL,
                            "%s is not an Accord instance key (secret= "
                            "line)",
                            path);
      }
      sodium_memzero(text, sizeof text);
      return ACC_OK;
    }
    if (rc != ACC_ENOTFOUND)
      return rc;
    /* First use: make it.  Two processes racing both write a key; the
     * rename makes one win, and both then read the winner. */
    unsigned char k[32];
    randombytes_buf(k, sizeof k);
    sodium_bin2base64(b64, sizeof b64, k, sizeof k,
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(text, sizeof text,
             "# Accord instance secret (keyed hashes, pseudonyms).\n"
             "secret=%s\n",
             b64);
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.new%ld", path, (long)getpid());
    unlink(tmp);
    rc = write_secret_file(tmp, text, d);
    if (rc)
      return rc;
    /* link() fails when the key exists: the first writer wins whole. */
    if (link(tmp, path) != 0 && errno != EEXIST) {
      rc = acc_diag_set(d, ACC_EIO, "cannot create %s: %s", path,
                        strerror(errno));
      unlink(tmp);
      return rc;
    }
    unlink(tmp);
    sodium_memzero(k, sizeof k);
    sodium_memzero(text, sizeof text);
  }
  return acc_diag_set(d, ACC_EIO, "cannot read %s", path);
}
