/*
 * parse.h — the sensor's parsers of attacker input, as pure functions over
 * caller-owned state: the Telnet option stream, HTTP request heads and
 * their fields (Basic credentials, form logins, URLs and IP addresses in
 * injected commands), the cleartext start of an SSH connection (version
 * string and KEXINIT, hence HASSH), the credential policy and the
 * emulated shell.  None of them does I/O or keeps global state, so the
 * fuzz harnesses (fuzz/fuzz_telnet.c, fuzz/fuzz_http_req.c,
 * fuzz/fuzz_ssh_kex.c) and the unit tests call them directly.
 */
#ifndef ACC_SENSOR_PARSE_H
#define ACC_SENSOR_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/error.h"

/* ---- Telnet (RFC 854 option negotiation) ---- */

#define ACC_TELNET_FP_ITEMS 48   /* negotiation commands kept for the print */
#define ACC_TELNET_FP_MAX 384    /* their text "D1,W31,S24,..." */
#define ACC_TELNET_REPLY_MAX 256 /* replies queued by one feed */
#define ACC_TELNET_SB_MAX 64     /* subnegotiation bytes kept */

typedef struct acc_telnet {
  unsigned char state;                 /* position in the IAC grammar */
  unsigned char verb;                  /* WILL/WONT/DO/DONT being read */
  unsigned char sb_opt;                /* option of the subnegotiation */
  unsigned char sb[ACC_TELNET_SB_MAX]; /* its bytes (the rest dropped) */
  size_t sb_len;
  unsigned char us[32];       /* options enabled on our side (bitset) */
  unsigned char him[32];      /* options enabled on the client's side */
  unsigned char refused[32];  /* options we already refused once */
  char fp[ACC_TELNET_FP_MAX]; /* the client's commands, in order */
  size_t fp_len;
  unsigned fp_items;
  unsigned width, height; /* NAWS, 0 when not sent */
  char ttype[41];         /* terminal type, "" when not sent */
  unsigned char reply[ACC_TELNET_REPLY_MAX]; /* bytes to send back */
  size_t reply_len;
  unsigned long n_commands; /* IAC commands seen */
} acc_telnet;

void acc_telnet_init(acc_telnet *t);
/* Queue the server's opening offers (WILL ECHO, WILL SGA, DO NAWS,
 * DO TTYPE) in t->reply. */
void acc_telnet_offer(acc_telnet *t);
/*
 * Feed n bytes from the client.  Application data (IAC IAC unescaped,
 * CR NUL read as CR) goes to out, which must hold n bytes; *out_len is
 * set.  Answers to the client's requests are appended to t->reply (the
 * caller sends them and sets reply_len to 0).
 */
void acc_telnet_feed(acc_telnet *t, const unsigned char *in, size_t n,
                     unsigned char *out, size_t *out_len);
/* MD5 (hex) of the negotiation text t->fp: the client's fingerprint. */
void acc_telnet_fingerprint(const acc_telnet *t, char out[33]);

/* ---- HTTP/1.x request heads ---- */

#define ACC_HTTP_MAX_HEADERS 64

typedef struct acc_span {
  const char *p;
  size_t n;
} acc_span;

typedef struct acc_http_req {
  acc_span method, target, version;
  acc_span hname[ACC_HTTP_MAX_HEADERS];
  acc_span hval[ACC_HTTP_MAX_HEADERS];
  size_t n_headers;
  size_t headers_dropped;   /* headers beyond ACC_HTTP_MAX_HEADERS */
  long long content_length; /* -1 when absent */
  int chunked;              /* Transfer-Encoding: chunked */
  size_t head_len;          /* bytes of the head, terminator included */
} acc_http_req;

/*
 * Parse the request head at the start of buf[0..len).  Sets *done to 0
 * when the blank line ending the head has not arrived yet (nothing else
 * is written), to 1 when req is filled (spans point into buf).  A head
 * that is not HTTP/1.x returns ACC_EINVAL with diag saying what.
 */
acc_rc acc_http_parse(const char *buf, size_t len, acc_http_req *req, int *done,
                      acc_diag *diag);
/* The first header named name (case-insensitive), or NULL. */
const acc_span *acc_http_header(const acc_http_req *r, const char *name);
/* Decode "Basic BASE64" into user and password (NUL-terminated, cut to
 * their capacities).  ACC_EINVAL when value is not Basic credentials. */
acc_rc acc_http_basic(const char *value, size_t n, char *user, size_t ucap,
                      char *pass, size_t pcap);
/* Percent-decode s[0..n) into out (cap bytes with the NUL); form makes
 * '+' a space.  Returns the decoded length. */
size_t acc_url_decode(const char *s, size_t n, int form, char *out, size_t cap);
/* In an application/x-www-form-urlencoded body, the decoded value of the
 * first field whose name is one of names (case-insensitive, NULL-ended
 * list).  Returns 1 when found. */
int acc_form_get(const char *body, size_t n, const char *const *names,
                 char *out, size_t cap);

/* ---- URLs and addresses in attacker text ---- */

typedef enum acc_extract_kind {
  ACC_EXTRACT_URL,  /* scheme://... (http, https, ftp, tftp) */
  ACC_EXTRACT_IPV4, /* a dotted quad not inside a URL */
} acc_extract_kind;

typedef void (*acc_extract_fn)(void *ctx, acc_extract_kind kind, const char *s,
                               size_t n);
/* Report every URL and IPv4 address in s[0..n), at most max_hits. */
void acc_extract(const char *s, size_t n, size_t max_hits, acc_extract_fn fn,
                 void *ctx);
/* 1 when s looks like an injected shell command (wget, curl, ;, $(...)) */
int acc_looks_like_command(const char *s, size_t n);

/* ---- SSH: the cleartext start of a connection ---- */

#define ACC_SSH_VERSION_MAX 256
#define ACC_SSH_PACKET_MAX 16384 /* a larger first packet is not parsed */

/* The ten name-lists of KEXINIT (RFC 4253 §7.1), in wire order. */
enum {
  ACC_KEX_KEX,
  ACC_KEX_HOSTKEY,
  ACC_KEX_ENC_CS,
  ACC_KEX_ENC_SC,
  ACC_KEX_MAC_CS,
  ACC_KEX_MAC_SC,
  ACC_KEX_COMP_CS,
  ACC_KEX_COMP_SC,
  ACC_KEX_LANG_CS,
  ACC_KEX_LANG_SC,
  ACC_KEX_LISTS
};

typedef struct acc_ssh_kex {
  char *list[ACC_KEX_LISTS]; /* NUL-terminated, in one allocation */
  char hassh[33];            /* MD5 hex of the HASSH string */
  char *hassh_algorithms;    /* "kex;enc;mac;comp" (inside the same block) */
} acc_ssh_kex;

/* Parse a KEXINIT payload (message byte 20 first). */
acc_rc acc_ssh_kexinit_parse(const unsigned char *p, size_t n,
                             acc_ssh_kex *out);
void acc_ssh_kex_free(acc_ssh_kex *k);

typedef enum acc_sshwire_state {
  ACC_SSHWIRE_BANNER, /* reading lines until "SSH-" */
  ACC_SSHWIRE_PACKET, /* reading the first binary packet */
  ACC_SSHWIRE_DONE,   /* version and KEXINIT parsed */
  ACC_SSHWIRE_FAILED, /* not SSH as expected; watching stopped */
} acc_sshwire_state;

/* Watches the client's side of a connection until its KEXINIT. */
typedef struct acc_sshwire {
  acc_sshwire_state state;
  char version[ACC_SSH_VERSION_MAX]; /* "SSH-2.0-..." without CR LF */
  size_t vlen;
  int have_version;
  unsigned lines;     /* lines read before the version */
  unsigned char *pkt; /* the first packet as it arrives (heap) */
  size_t pkt_len;
  size_t pkt_need; /* 4 + packet_length once known, else 0 */
  acc_ssh_kex kex; /* valid in ACC_SSHWIRE_DONE */
  const char *why; /* why ACC_SSHWIRE_FAILED */
} acc_sshwire;

void acc_sshwire_init(acc_sshwire *w);
void acc_sshwire_free(acc_sshwire *w);
/* Feed bytes the client sent; returns the new state.  Memory is bounded
 * by ACC_SSH_PACKET_MAX; ACC_ENOMEM is never fatal (state FAILED). */
acc_sshwire_state acc_sshwire_feed(acc_sshwire *w, const unsigned char *in,
                                   size_t n);

/* ---- credential policy ---- */

/*
 * Rules separated by spaces or commas, each USER:PASS, where either may
 * be "*" (anything) and PASS may start with "!" (refuse this password).
 * The first rule matching decides; no match refuses.  Returns 1 to let
 * the attacker in.  Example: "root:!root root:!123456 root:* admin:admin".
 */
int acc_sensor_cred_ok(const char *rules, const char *user, const char *pass);

/* ---- emulated shell (never executes anything) ---- */

typedef struct acc_shell {
  char user[64];
  char host[64];
  char cwd[128];
  int exited; /* the attacker typed exit/logout */
} acc_shell;

void acc_shell_init(acc_shell *sh, const char *user, const char *host);
/* The prompt, "root@host:~# ". */
acc_rc acc_shell_prompt(const acc_shell *sh, acc_buf *out);
/*
 * Interpret one command line: write the fake output to out (CR LF line
 * ends), report every URL (download attempt) through fn.  Nothing is
 * executed, no file is read or written: commands are answered from a
 * table of canned replies.
 */
acc_rc acc_shell_run(acc_shell *sh, const char *line, size_t n, acc_buf *out,
                     acc_extract_fn fn, void *ctx);

/* Hex of n bytes into out (2n + 1 bytes). */
void acc_sensor_hex(const unsigned char *p, size_t n, char *out);
/* MD5 / SHA-256 hex digests (libcrypto). */
void acc_sensor_md5_hex(const void *p, size_t n, char out[33]);
void acc_sensor_sha256_hex(const void *p, size_t n, char out[65]);

#endif
