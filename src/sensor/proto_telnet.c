/*
 * proto_telnet.c — the Telnet listener: option negotiation (recorded as a
 * fingerprint), the login and password prompts, and after a login the
 * policy lets through, the emulated shell.  Every line is logged;
 * nothing the attacker types is executed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/sensor_int.h"

enum { PH_USER, PH_PASS, PH_SHELL };

typedef struct tn_state {
  acc_telnet t;
  acc_sn_line line;
  acc_shell sh;
  int phase;
  int fp_logged;
  char user[ACC_REC_FIELD_MAX + 1];
} tn_state;

static unsigned char out_buf[ACC_SN_READ_BUF];

static size_t tn_base_mem(const acc_sn *sn) {
  return sizeof(acc_sn_conn) + sizeof(tn_state) + sn->cfg->line_max + 1;
}

static void send_replies(acc_sn_conn *c, tn_state *st) {
  if (st->t.reply_len) {
    acc_sn_send(c, st->t.reply, st->t.reply_len);
    st->t.reply_len = 0;
  }
}

/* The negotiation is logged once, before the first line is handled. */
static void log_fingerprint(acc_sn_conn *c, tn_state *st) {
  if (st->fp_logged)
    return;
  st->fp_logged = 1;
  char fp[33];
  acc_telnet_fingerprint(&st->t, fp);
  char msg[ACC_TELNET_FP_MAX + 64];
  snprintf(msg, sizeof msg, "Telnet negotiation: %s", st->t.fp);
  acc_sn_event(c, "accord.client.telnet", msg,
               json_pack("{ssssss}", "fingerprint", fp, "options", st->t.fp,
                         "ttype", st->t.ttype));
  if (st->t.width || st->t.height) {
    snprintf(msg, sizeof msg, "Terminal Size: %u %u", st->t.width,
             st->t.height);
    acc_sn_event(c, "cowrie.client.size", msg,
                 json_pack("{sisi}", "width", (int)st->t.width, "height",
                           (int)st->t.height));
  }
}

static acc_rc tn_open(acc_sn_conn *c) {
  tn_state *st = calloc(1, sizeof *st);
  if (!st)
    return ACC_ENOMEM;
  c->ps = st;
  acc_telnet_init(&st->t);
  if (acc_sn_line_init(c, &st->line, 0))
    return ACC_ENOMEM;
  acc_telnet_offer(&st->t);
  send_replies(c, st);
  acc_sn_sends(c, c->sn->cfg->telnet_banner);
  return acc_sn_sends(c, "login: ");
}

static void prompt(acc_sn_conn *c, tn_state *st) {
  acc_buf b;
  acc_buf_init(&b, 512);
  if (acc_shell_prompt(&st->sh, &b) == ACC_OK)
    acc_sn_send(c, b.data, b.len);
  acc_buf_free(&b);
}

static void on_line(acc_sn_conn *c, tn_state *st) {
  const acc_sensor_config *cf = c->sn->cfg;
  char *l = st->line.buf;
  size_t n = st->line.len;
  st->line.len = 0;
  st->line.over = 0;
  log_fingerprint(c, st);
  switch (st->phase) {
  case PH_USER:
    if (n == 0) {
      acc_sn_sends(c, "login: ");
      return;
    }
    snprintf(st->user, sizeof st->user, "%.*s", (int)n, l);
    st->phase = PH_PASS;
    acc_sn_sends(c, "Password: ");
    return;
  case PH_PASS: {
    int ok = acc_sn_login(c, st->user, l);
    memset(l, 0, n);
    if (ok) {
      acc_shell_init(&st->sh, st->user, cf->hostname);
      st->phase = PH_SHELL;
      acc_sn_sends(c, "\r\nWelcome to Ubuntu 22.04.3 LTS (GNU/Linux "
                      "5.15.0-91-generic x86_64)\r\n\r\n");
      prompt(c, st);
      return;
    }
    acc_sn_sends(c, "\r\nLogin incorrect\r\n");
    if (c->auth_tries >= cf->max_auth_tries) {
      acc_sn_finish(c, "too many login attempts");
      return;
    }
    st->phase = PH_USER;
    acc_sn_sends(c, "login: ");
    return;
  }
  default: {
    if (n) {
      acc_sn_command(c, l, n);
      acc_buf out;
      acc_buf_init(&out, 16384);
      acc_shell_run(&st->sh, l, n, &out, acc_sn_extract_cb, c);
      acc_sn_send(c, out.data, out.len);
      acc_buf_free(&out);
      if (st->sh.exited) {
        acc_sn_finish(c, "logout");
        return;
      }
    }
    prompt(c, st);
  }
  }
}

static void tn_data(acc_sn_conn *c, const char *p, size_t n) {
  tn_state *st = c->ps;
  size_t k = 0;
  acc_telnet_feed(&st->t, (const unsigned char *)p, n, out_buf, &k);
  send_replies(c, st);
  acc_buf echo;
  acc_buf_init(&echo, 4 * ACC_SN_READ_BUF);
  for (size_t i = 0; i < k && !c->closing && !c->finishing; i++) {
    int r = acc_sn_line_put(&st->line, out_buf[i],
                            st->phase == PH_PASS ? NULL : &echo);
    if (r == ACC_SN_LINE_MORE)
      continue;
    acc_sn_send(c, echo.data, echo.len);
    acc_buf_reset(&echo);
    if (r == ACC_SN_LINE_EOF) {
      acc_sn_finish(c, "end of input (^D)");
      break;
    }
    if (r == ACC_SN_LINE_INTR) {
      if (st->phase == PH_SHELL)
        prompt(c, st);
      continue;
    }
    if (st->phase == PH_PASS)
      acc_sn_sends(c, "\r\n");
    on_line(c, st);
  }
  if (!c->closing)
    acc_sn_send(c, echo.data, echo.len);
  acc_buf_free(&echo);
}

static void tn_end(acc_sn_conn *c) {
  tn_state *st = c->ps;
  if (st && st->t.n_commands)
    log_fingerprint(c, st);
}

static void tn_release(acc_sn_conn *c) {
  tn_state *st = c->ps;
  if (!st)
    return;
  acc_sn_line_free(NULL, &st->line);
  free(st);
  c->ps = NULL;
}

const acc_sn_proto acc_sn_telnet = {
    .name = "telnet",
    .needs_login = 1,
    .base_mem = tn_base_mem,
    .open = tn_open,
    .data = tn_data,
    .end = tn_end,
    .release = tn_release,
};
