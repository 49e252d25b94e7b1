/*
 * telnet_parse.c — the Telnet byte stream (RFC 854/855) as a pure state
 * machine: separates application data from IAC commands, answers option
 * requests so that a real client settles (we do ECHO and SGA; we want
 * NAWS and TTYPE; everything else is refused once), and keeps the order
 * of the client's negotiation as a fingerprint of its Telnet stack.
 */
#include <stdio.h>
#include <string.h>

#include "sensor/parse.h"

enum {
  T_SE = 240,
  T_SB = 250,
  T_WILL = 251,
  T_WONT = 252,
  T_DO = 253,
  T_DONT = 254,
  T_IAC = 255,
};
enum { O_ECHO = 1, O_SGA = 3, O_TTYPE = 24, O_NAWS = 31 };
enum { S_DATA, S_CR, S_IAC, S_VERB, S_SB_OPT, S_SB, S_SB_IAC };

static int bit(const unsigned char *set, unsigned char o) {
  return (set[o >> 3] >> (o & 7)) & 1;
}

static void set_bit(unsigned char *set, unsigned char o, int v) {
  if (v)
    set[o >> 3] |= (unsigned char)(1u << (o & 7));
  else
    set[o >> 3] &= (unsigned char)~(1u << (o & 7));
}

static void reply(acc_telnet *t, const unsigned char *p, size_t n) {
  if (n > ACC_TELNET_REPLY_MAX - t->reply_len)
    return; /* a client flooding requests gets fewer answers */
  memcpy(t->reply + t->reply_len, p, n);
  t->reply_len += n;
}

static void reply3(acc_telnet *t, unsigned char verb, unsigned char opt) {
  unsigned char b[3] = {T_IAC, verb, opt};
  reply(t, b, 3);
}

/* Append one item ("D31") to the fingerprint text. */
static void fp_add(acc_telnet *t, char tag, unsigned char opt) {
  if (t->fp_items >= ACC_TELNET_FP_ITEMS)
    return;
  char item[8];
  int k = snprintf(item, sizeof item, "%s%c%u", t->fp_len ? "," : "", tag,
                   (unsigned)opt);
  if (k <= 0 || (size_t)k >= ACC_TELNET_FP_MAX - t->fp_len)
    return;
  memcpy(t->fp + t->fp_len, item, (size_t)k + 1);
  t->fp_len += (size_t)k;
  t->fp_items++;
}

void acc_telnet_init(acc_telnet *t) {
  memset(t, 0, sizeof *t);
  t->state = S_DATA;
}

void acc_telnet_offer(acc_telnet *t) {
  set_bit(t->us, O_ECHO, 1);
  set_bit(t->us, O_SGA, 1);
  reply3(t, T_WILL, O_ECHO);
  reply3(t, T_WILL, O_SGA);
  reply3(t, T_DO, O_NAWS);
  reply3(t, T_DO, O_TTYPE);
}

static int we_do(unsigned char o) {
  return o == O_ECHO || o == O_SGA;
}

static int we_want(unsigned char o) {
  return o == O_NAWS || o == O_TTYPE;
}

static void negotiate(acc_telnet *t, unsigned char verb, unsigned char o) {
  static const char tags[] = {'W', 'N', 'D', 'X'}; /* WILL WONT DO DONT */
  fp_add(t, tags[verb - T_WILL], o);
  switch (verb) {
  case T_DO:
    if (we_do(o)) {
      if (!bit(t->us, o)) {
        set_bit(t->us, o, 1);
        reply3(t, T_WILL, o);
      }
    } else if (!bit(t->refused, o)) {
      set_bit(t->refused, o, 1);
      reply3(t, T_WONT, o);
    }
    break;
  case T_DONT:
    if (bit(t->us, o)) {
      set_bit(t->us, o, 0);
      reply3(t, T_WONT, o);
    }
    break;
  case T_WILL:
    if (we_want(o)) {
      /* Our DO was sent at the offer: a WILL is its acknowledgement. */
      set_bit(t->him, o, 1);
      if (o == O_TTYPE) {
        static const unsigned char send[] = {T_IAC, T_SB,  O_TTYPE,
                                             1,     T_IAC, T_SE};
        reply(t, send, sizeof send);
      }
    } else if (!bit(t->refused, o)) {
      set_bit(t->refused, o, 1);
      reply3(t, T_DONT, o);
    }
    break;
  case T_WONT:
    if (bit(t->him, o)) {
      set_bit(t->him, o, 0);
      reply3(t, T_DONT, o);
    }
    break;
  }
}

static void subneg_done(acc_telnet *t) {
  fp_add(t, 'S', t->sb_opt);
  if (t->sb_opt == O_NAWS && t->sb_len >= 4) {
    t->width = (unsigned)t->sb[0] << 8 | t->sb[1];
    t->height = (unsigned)t->sb[2] << 8 | t->sb[3];
  } else if (t->sb_opt == O_TTYPE && t->sb_len >= 1 && t->sb[0] == 0) {
    size_t k = 0;
    for (size_t i = 1; i < t->sb_len && k < sizeof t->ttype - 1; i++) {
      unsigned char c = t->sb[i];
      t->ttype[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    t->ttype[k] = '\0';
  }
  t->sb_len = 0;
}

void acc_telnet_feed(acc_telnet *t, const unsigned char *in, size_t n,
                     unsigned char *out, size_t *out_len) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = in[i];
    switch (t->state) {
    case S_CR:
      t->state = S_DATA;
      if (c == 0)
        break; /* CR NUL is a bare CR, already written */
      /* fall through */
    case S_DATA:
      if (c == T_IAC)
        t->state = S_IAC;
      else {
        out[k++] = c;
        if (c == '\r')
          t->state = S_CR;
      }
      break;
    case S_IAC:
      t->n_commands++;
      if (c == T_IAC) {
        out[k++] = c;
        t->state = S_DATA;
      } else if (c >= T_WILL) {
        t->verb = c;
        t->state = S_VERB;
      } else if (c == T_SB) {
        t->state = S_SB_OPT;
      } else {
        t->state = S_DATA; /* NOP, AYT, IP, GA...: nothing to do */
      }
      break;
    case S_VERB:
      negotiate(t, t->verb, c);
      t->state = S_DATA;
      break;
    case S_SB_OPT:
      t->sb_opt = c;
      t->sb_len = 0;
      t->state = S_SB;
      break;
    case S_SB:
      if (c == T_IAC)
        t->state = S_SB_IAC;
      else if (t->sb_len < ACC_TELNET_SB_MAX)
        t->sb[t->sb_len++] = c;
      break;
    case S_SB_IAC:
      if (c == T_SE) {
        subneg_done(t);
        t->state = S_DATA;
      } else {
        if (c == T_IAC && t->sb_len < ACC_TELNET_SB_MAX)
          t->sb[t->sb_len++] = c;
        t->state = S_SB;
      }
      break;
    default:
      t->state = S_DATA;
    }
  }
  *out_len = k;
}

void acc_telnet_fingerprint(const acc_telnet *t, char out[33]) {
  acc_sensor_md5_hex(t->fp, t->fp_len, out);
}
