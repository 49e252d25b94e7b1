/*
 * sshwire.c — the cleartext start of an SSH connection as the client
 * sends it: the version line (RFC 4253 §4.2) and the first binary packet,
 * which is KEXINIT (§7.1).  From KEXINIT comes HASSH, the MD5 of the
 * client's "kex;ciphers;macs;compression" algorithm lists, which names
 * the SSH library of a bot.  Also the small digest helpers of the sensor.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/parse.h"

#define MAX_PRE_LINES 20 /* lines allowed before the version line */
#define KEXINIT 20

void acc_sensor_hex(const unsigned char *p, size_t n, char *out) {
  static const char hx[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = hx[p[i] >> 4];
    out[2 * i + 1] = hx[p[i] & 15];
  }
  out[2 * n] = '\0';
}

static void digest_hex(const EVP_MD *md, const void *p, size_t n, char *out) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int dn = 0;
  if (!EVP_Digest(p, n, d, &dn, md, NULL)) {
    out[0] = '\0';
    return;
  }
  acc_sensor_hex(d, dn, out);
}

void acc_sensor_md5_hex(const void *p, size_t n, char out[33]) {
  digest_hex(EVP_md5(), p, n, out);
}

void acc_sensor_sha256_hex(const void *p, size_t n, char out[65]) {
  digest_hex(EVP_sha256(), p, n, out);
}

static uint32_t get_u32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

void acc_ssh_kex_free(acc_ssh_kex *k) {
  if (!k)
    return;
  free(k->list[0]);
  memset(k, 0, sizeof *k);
}

acc_rc acc_ssh_kexinit_parse(const unsigned char *p, size_t n,
                             acc_ssh_kex *out) {
  if (n < 17 || p[0] != KEXINIT)
    return ACC_EINVAL;
  size_t pos = 17; /* message byte + 16-byte cookie */
  size_t off[ACC_KEX_LISTS], len[ACC_KEX_LISTS], total = 0;
  for (int i = 0; i < ACC_KEX_LISTS; i++) {
    if (n - pos < 4)
      return ACC_EINVAL;
    uint32_t l = get_u32(p + pos);
    pos += 4;
    if (l > n - pos)
      return ACC_EINVAL;
    off[i] = pos;
    len[i] = l;
    total += l + 1;
    pos += l;
  }
  /* the HASSH string: kex;enc_cs;mac_cs;comp_cs */
  size_t hlen = len[ACC_KEX_KEX] + len[ACC_KEX_ENC_CS] + len[ACC_KEX_MAC_CS] +
                len[ACC_KEX_COMP_CS] + 3;
  char *block = malloc(total + hlen + 1);
  if (!block)
    return ACC_ENOMEM;
  acc_ssh_kex k;
  memset(&k, 0, sizeof k);
  char *w = block;
  for (int i = 0; i < ACC_KEX_LISTS; i++) {
    k.list[i] = w;
    for (size_t j = 0; j < len[i]; j++) {
      unsigned char c = p[off[i] + j];
      *w++ = (c > 0x20 && c < 0x7f) ? (char)c : '?';
    }
    *w++ = '\0';
  }
  k.hassh_algorithms = w;
  static const int parts[] = {ACC_KEX_KEX, ACC_KEX_ENC_CS, ACC_KEX_MAC_CS,
                              ACC_KEX_COMP_CS};
  for (int i = 0; i < 4; i++) {
    if (i)
      *w++ = ';';
    memcpy(w, k.list[parts[i]], len[parts[i]]);
    w += len[parts[i]];
  }
  *w = '\0';
  acc_sensor_md5_hex(k.hassh_algorithms, hlen, k.hassh);
  *out = k;
  return ACC_OK;
}

void acc_sshwire_init(acc_sshwire *w) {
  memset(w, 0, sizeof *w);
  w->state = ACC_SSHWIRE_BANNER;
}

void acc_sshwire_free(acc_sshwire *w) {
  if (!w)
    return;
  free(w->pkt);
  acc_ssh_kex_free(&w->kex);
  w->pkt = NULL;
}

static acc_sshwire_state fail(acc_sshwire *w, const char *why) {
  free(w->pkt);
  w->pkt = NULL;
  w->why = why;
  return w->state = ACC_SSHWIRE_FAILED;
}

static acc_sshwire_state finish_packet(acc_sshwire *w) {
  uint32_t plen = get_u32(w->pkt);
  unsigned pad = w->pkt[4];
  if ((size_t)pad + 1 > plen)
    return fail(w, "first packet: padding longer than the packet");
  size_t n = plen - pad - 1;
  acc_rc rc = acc_ssh_kexinit_parse(w->pkt + 5, n, &w->kex);
  free(w->pkt);
  w->pkt = NULL;
  if (rc == ACC_ENOMEM)
    return fail(w, "out of memory");
  if (rc)
    return fail(w, "first packet is not a well-formed KEXINIT");
  return w->state = ACC_SSHWIRE_DONE;
}

acc_sshwire_state acc_sshwire_feed(acc_sshwire *w, const unsigned char *in,
                                   size_t n) {
  size_t i = 0;
  while (i < n) {
    switch (w->state) {
    case ACC_SSHWIRE_BANNER: {
      unsigned char c = in[i++];
      if (c == '\n') {
        if (w->vlen && w->version[w->vlen - 1] == '\r')
          w->vlen--;
        w->version[w->vlen] = '\0';
        if (w->vlen >= 4 && memcmp(w->version, "SSH-", 4) == 0) {
          w->have_version = 1;
          w->state = ACC_SSHWIRE_PACKET;
        } else if (++w->lines > MAX_PRE_LINES) {
          return fail(w, "no version line");
        } else {
          w->vlen = 0;
        }
        break;
      }
      if (w->vlen >= ACC_SSH_VERSION_MAX - 1)
        return fail(w, "version line longer than 255 bytes");
      /* keep it printable: it goes into logs */
      w->version[w->vlen++] =
          (c >= 0x20 && c < 0x7f) || c == '\r' ? (char)c : '?';
      break;
    }
    case ACC_SSHWIRE_PACKET: {
      if (!w->pkt) {
        w->pkt = malloc(4);
        if (!w->pkt)
          return fail(w, "out of memory");
      }
      size_t want = w->pkt_need ? w->pkt_need : 4;
      size_t take = want - w->pkt_len;
      if (take > n - i)
        take = n - i;
      memcpy(w->pkt + w->pkt_len, in + i, take);
      w->pkt_len += take;
      i += take;
      if (w->pkt_len < want)
        break;
      if (!w->pkt_need) {
        uint32_t plen = get_u32(w->pkt);
        if (plen < 12 || plen > ACC_SSH_PACKET_MAX - 4)
          return fail(w, "first packet length out of range");
        unsigned char *p = realloc(w->pkt, 4 + (size_t)plen);
        if (!p)
          return fail(w, "out of memory");
        w->pkt = p;
        w->pkt_need = 4 + (size_t)plen;
        break;
      }
      return finish_packet(w);
    }
    default:
      return w->state;
    }
  }
  return w->state;
}
