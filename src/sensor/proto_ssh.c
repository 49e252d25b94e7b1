/*
 * proto_ssh.c — the SSH listener, on libssh's server API inside the
 * sensor's libuv loop.
 *
 * libssh never sees the attacker's socket.  Each connection gets a
 * socketpair: the loop relays bytes between the TCP socket and one end,
 * and libssh runs, non-blocking, on the other, driven by a uv_poll on its
 * descriptor (ssh_event_dopoll with a zero timeout, write interest from
 * ssh_get_poll_flags).  The relay reads the cleartext start of the
 * connection on its way through — the client's version string and its
 * KEXINIT — which libssh does not expose, so HASSH can be logged; it
 * also keeps libssh's buffers behind the loop's output cap.
 *
 * Password attempts are judged by the credential policy; public keys are
 * logged (cowrie.client.fingerprint) and refused.  A login let in gets
 * the emulated shell (pty or not) or its exec request answered from it.
 * The host keys (Ed25519 and RSA) are generated into the state directory
 * at first start.
 */
#include <errno.h>
#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sensor/sensor_int.h"

/* What libssh holds for one session (buffers, crypto state), counted
 * against the memory caps; measured with bench/sensor. */
#define LIBSSH_SESSION_BYTES ((size_t)48 << 10)
#define MAX_KEYS_LOGGED 16

typedef struct ssh_shared {
  ssh_bind bind;
} ssh_shared;

typedef struct ssh_state {
  uv_pipe_t pipe; /* the relay's end of the socketpair */
  uv_poll_t poll; /* libssh's end */
  int lfd;        /* libssh's descriptor (the session closes it) */
  int pipe_open, poll_open;
  int poll_events;
  int pipe_busy;   /* a write into the pipe is in flight */
  int pipe_paused; /* reading from libssh paused: attacker not reading */
  ssh_session s;
  ssh_event ev;
  int in_event; /* the session is in ev */
  int kex_done;
  struct ssh_server_callbacks_struct scb;
  struct ssh_channel_callbacks_struct ccb;
  ssh_channel chan;
  acc_sshwire wire;
  int wire_logged; /* version (1) and kex (2) events written */
  int pty;
  int want_shell, shell_started;
  char *exec_cmd;           /* an exec request to answer after the event */
  const char *close_reason; /* close once back from libssh */
  acc_shell sh;
  acc_sn_line line;
  unsigned keys_logged;
} ssh_state;

static char pipe_buf[ACC_SN_READ_BUF];

/* ---- host keys ---- */

static acc_rc host_key(const char *dir, const char *file,
                       enum ssh_keytypes_e type, int bits, ssh_key *out,
                       acc_diag *d) {
  char path[ACC_SENSOR_PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  ssh_key key = NULL;
  if (access(path, F_OK) == 0) {
    if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK)
      return acc_diag_set(d, ACC_EIO,
                          "SSH host key %s cannot be read (remove it to "
                          "make a new one)",
                          path);
    *out = key;
    return ACC_OK;
  }
  if (ssh_pki_generate(type, bits, &key) != SSH_OK)
    return acc_diag_set(d, ACC_EIO, "cannot generate an SSH host key (%s)",
                        file);
  mode_t old = umask(077);
  int rc = ssh_pki_export_privkey_file(key, NULL, NULL, NULL, path);
  umask(old);
  if (rc != SSH_OK) {
    ssh_key_free(key);
    return acc_diag_set(d, ACC_EIO, "cannot write the SSH host key %s", path);
  }
  chmod(path, 0600);
  *out = key;
  return ACC_OK;
}

acc_rc acc_sn_ssh_setup(acc_sn *sn, acc_diag *d) {
  const acc_sensor_config *cf = sn->cfg;
  acc_rc rc = ACC_OK;
  ssh_shared *sh = calloc(1, sizeof *sh);
  if (!sh)
    return acc_diag_set(d, ACC_ENOMEM, "out of memory");
  sn->ssh = sh;
  ssh_init();
  if (!(sh->bind = ssh_bind_new()))
    return acc_diag_set(d, ACC_ENOMEM, "libssh: cannot make a server");
  bool no = false;
  int verbosity = SSH_LOG_NOLOG;
  ssh_bind_options_set(sh->bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no);
  ssh_bind_options_set(sh->bind, SSH_BIND_OPTIONS_LOG_VERBOSITY, &verbosity);
  const char *banner = cf->ssh_version;
  if (!strncmp(banner, "SSH-2.0-", 8))
    banner += 8;
  if (ssh_bind_options_set(sh->bind, SSH_BIND_OPTIONS_BANNER, banner) < 0)
    return acc_diag_set(d, ACC_EINVAL, "ssh_version: refused by libssh");
  ssh_key ed = NULL, rsa = NULL;
  if ((rc = host_key(cf->state_dir, "ssh_host_ed25519_key", SSH_KEYTYPE_ED25519,
                     0, &ed, d)))
    return rc;
  if ((rc = host_key(cf->state_dir, "ssh_host_rsa_key", SSH_KEYTYPE_RSA, 3072,
                     &rsa, d))) {
    ssh_key_free(ed);
    return rc;
  }
  /* the bind takes the keys */
  if (ssh_bind_options_set(sh->bind, SSH_BIND_OPTIONS_IMPORT_KEY, ed) < 0 ||
      ssh_bind_options_set(sh->bind, SSH_BIND_OPTIONS_IMPORT_KEY, rsa) < 0)
    return acc_diag_set(d, ACC_EINVAL, "libssh refused the host keys");
  return ACC_OK;
}

void acc_sn_ssh_teardown(acc_sn *sn) {
  ssh_shared *sh = sn->ssh;
  if (!sh)
    return;
  if (sh->bind)
    ssh_bind_free(sh->bind);
  free(sh);
  sn->ssh = NULL;
  ssh_finalize();
}

/* ---- the relay ---- */

static void pipe_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  (void)h;
  (void)hint;
  *buf = uv_buf_init(pipe_buf, sizeof pipe_buf);
}

static void drive(acc_sn_conn *c);

/* libssh → attacker */
static void on_pipe_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  acc_sn_conn *c = s->data;
  ssh_state *st = c->ps;
  if (c->closing)
    return;
  if (n < 0) {
    acc_sn_close(c, "SSH session ended");
    return;
  }
  if (n == 0)
    return;
  if (acc_sn_send(c, buf->base, (size_t)n) != ACC_OK || c->closing)
    return;
  if (c->writing && c->backlog.len > ACC_SN_BACKLOG_MAX / 2) {
    uv_read_stop((uv_stream_t *)&st->pipe);
    st->pipe_paused = 1;
  }
}

static void ssh_drained(acc_sn_conn *c) {
  ssh_state *st = c->ps;
  if (st->pipe_paused && !c->closing) {
    st->pipe_paused = 0;
    uv_read_start((uv_stream_t *)&st->pipe, pipe_alloc, on_pipe_read);
  }
}

typedef struct pwreq {
  uv_write_t req;
  acc_sn_conn *c;
  char data[];
} pwreq;

static void on_pipe_write(uv_write_t *req, int status) {
  pwreq *w = (pwreq *)req;
  acc_sn_conn *c = w->c;
  ssh_state *st = c->ps;
  free(w);
  st->pipe_busy = 0;
  if (c->closing)
    return;
  if (status < 0) {
    acc_sn_close(c, "SSH session ended");
    return;
  }
  acc_sn_resume_read(c);
}

/* attacker → libssh; while a write waits, the attacker is not read */
static void to_libssh(acc_sn_conn *c, const char *p, size_t n) {
  ssh_state *st = c->ps;
  uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
  int k = uv_try_write((uv_stream_t *)&st->pipe, &b, 1);
  if (k == UV_EAGAIN)
    k = 0;
  if (k < 0) {
    acc_sn_close(c, "SSH session ended");
    return;
  }
  if ((size_t)k == n)
    return;
  pwreq *w = malloc(sizeof *w + (n - (size_t)k));
  if (!w) {
    acc_sn_close(c, "out of memory");
    return;
  }
  w->c = c;
  memcpy(w->data, p + k, n - (size_t)k);
  b = uv_buf_init(w->data, (unsigned)(n - (size_t)k));
  if (uv_write(&w->req, (uv_stream_t *)&st->pipe, &b, 1, on_pipe_write)) {
    free(w);
    acc_sn_close(c, "SSH session ended");
    return;
  }
  st->pipe_busy = 1;
  acc_sn_pause_read(c);
}

static json_t *name_list(const char *s) {
  json_t *a = json_array();
  for (int guard = 0; s && *s && guard < 256; guard++) {
    size_t n = strcspn(s, ",");
    json_array_append_new(a, json_stringn(s, n));
    s += n;
    if (*s == ',')
      s++;
  }
  return a;
}

static void log_wire(acc_sn_conn *c, ssh_state *st) {
  acc_sshwire *w = &st->wire;
  if (w->have_version && !(st->wire_logged & 1)) {
    st->wire_logged |= 1;
    char msg[ACC_SSH_VERSION_MAX + 32];
    snprintf(msg, sizeof msg, "Remote SSH version: %s", w->version);
    acc_sn_event(c, "cowrie.client.version", msg,
                 json_pack("{so}", "version", acc_sensor_jstr(w->version)));
  }
  if (w->state == ACC_SSHWIRE_DONE && !(st->wire_logged & 2)) {
    st->wire_logged |= 2;
    acc_ssh_kex *k = &w->kex;
    char msg[128];
    snprintf(msg, sizeof msg, "SSH client hassh fingerprint: %s", k->hassh);
    acc_sn_event(c, "cowrie.client.kex", msg,
                 json_pack("{sssssosososososo}", "hassh", k->hassh,
                           "hasshAlgorithms", k->hassh_algorithms, "kexAlgs",
                           name_list(k->list[ACC_KEX_KEX]), "keyAlgs",
                           name_list(k->list[ACC_KEX_HOSTKEY]), "encCS",
                           name_list(k->list[ACC_KEX_ENC_CS]), "macCS",
                           name_list(k->list[ACC_KEX_MAC_CS]), "compCS",
                           name_list(k->list[ACC_KEX_COMP_CS]), "langCS",
                           name_list(k->list[ACC_KEX_LANG_CS])));
    acc_sshwire_free(w); /* nothing more to watch */
  } else if (w->state == ACC_SSHWIRE_FAILED && !(st->wire_logged & 4)) {
    st->wire_logged |= 4;
    acc_sn_event(c, "accord.ssh.unparsed", w->why, NULL);
  }
}

static void ssh_data(acc_sn_conn *c, const char *p, size_t n) {
  ssh_state *st = c->ps;
  if (st->wire.state == ACC_SSHWIRE_BANNER ||
      st->wire.state == ACC_SSHWIRE_PACKET) {
    acc_sshwire_feed(&st->wire, (const unsigned char *)p, n);
    log_wire(c, st);
  }
  to_libssh(c, p, n);
}

/* ---- libssh callbacks ---- */

static int cb_auth_password(ssh_session s, const char *user, const char *pass,
                            void *ud) {
  acc_sn_conn *c = ud;
  ssh_state *st = c->ps;
  (void)s;
  if (c->closing || c->auth_tries >= c->sn->cfg->max_auth_tries)
    return SSH_AUTH_DENIED;
  if (acc_sn_login(c, user, pass)) {
    acc_shell_init(&st->sh, user, c->sn->cfg->hostname);
    return SSH_AUTH_SUCCESS;
  }
  if (c->auth_tries >= c->sn->cfg->max_auth_tries)
    st->close_reason = "too many login attempts";
  return SSH_AUTH_DENIED;
}

static int cb_auth_none(ssh_session s, const char *user, void *ud) {
  (void)s;
  (void)user;
  (void)ud;
  return SSH_AUTH_DENIED;
}

static int cb_auth_pubkey(ssh_session s, const char *user,
                          struct ssh_key_struct *key, char sig_state,
                          void *ud) {
  acc_sn_conn *c = ud;
  ssh_state *st = c->ps;
  (void)s;
  (void)sig_state;
  if (c->closing || st->keys_logged >= MAX_KEYS_LOGGED)
    return SSH_AUTH_DENIED;
  st->keys_logged++;
  unsigned char *hash = NULL;
  size_t hlen = 0;
  char *hex = NULL, *b64 = NULL;
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_MD5, &hash, &hlen) ==
      SSH_OK)
    hex = ssh_get_hexa(hash, hlen);
  ssh_clean_pubkey_hash(&hash);
  ssh_pki_export_pubkey_base64(key, &b64);
  const char *type = ssh_key_type_to_char(ssh_key_type(key));
  char msg[256];
  snprintf(msg, sizeof msg, "public key attempt for user %.64s: %s", user,
           hex ? hex : "?");
  acc_sn_event(c, "cowrie.client.fingerprint", msg,
               json_pack("{sossssss}", "username", acc_sensor_jstr(user),
                         "fingerprint", hex ? hex : "", "key", b64 ? b64 : "",
                         "type", type ? type : ""));
  ssh_string_free_char(hex);
  ssh_string_free_char(b64);
  return SSH_AUTH_DENIED;
}

static int cb_service(ssh_session s, const char *service, void *ud) {
  (void)s;
  (void)ud;
  return strcmp(service, "ssh-userauth") == 0 ||
                 strcmp(service, "ssh-connection") == 0
             ? 0
             : -1;
}

/* Write shell output: CR LF on a pty, LF without one. */
static void chan_write(ssh_state *st, const acc_buf *b) {
  if (!st->chan || !b->len)
    return;
  if (st->pty) {
    ssh_channel_write(st->chan, b->data, (uint32_t)b->len);
    return;
  }
  acc_buf t;
  acc_buf_init(&t, b->len + 1);
  for (size_t i = 0; i < b->len; i++)
    if (b->data[i] != '\r')
      acc_buf_putc(&t, b->data[i]);
  if (t.len)
    ssh_channel_write(st->chan, t.data, (uint32_t)t.len);
  acc_buf_free(&t);
}

static void prompt(ssh_state *st) {
  acc_buf b;
  acc_buf_init(&b, 512);
  if (acc_shell_prompt(&st->sh, &b) == ACC_OK)
    chan_write(st, &b);
  acc_buf_free(&b);
}

static void end_channel(ssh_state *st, int status) {
  if (!st->chan)
    return;
  ssh_channel_request_send_exit_status(st->chan, status);
  ssh_channel_send_eof(st->chan);
  ssh_channel_close(st->chan);
}

static void run_line(acc_sn_conn *c, ssh_state *st, const char *l, size_t n) {
  if (n) {
    acc_sn_command(c, l, n);
    acc_buf out;
    acc_buf_init(&out, 16384);
    acc_shell_run(&st->sh, l, n, &out, acc_sn_extract_cb, c);
    chan_write(st, &out);
    acc_buf_free(&out);
  }
}

static void start_shell(acc_sn_conn *c, ssh_state *st);

static int cb_data(ssh_session s, ssh_channel ch, void *data, uint32_t len,
                   int is_stderr, void *ud) {
  acc_sn_conn *c = ud;
  ssh_state *st = c->ps;
  (void)s;
  (void)ch;
  (void)is_stderr;
  if (!c->closing && st->want_shell && !st->shell_started)
    start_shell(c, st);
  if (c->closing || !st->shell_started || st->sh.exited)
    return (int)len;
  acc_buf echo;
  acc_buf_init(&echo, 4 * (size_t)len + 16);
  const unsigned char *p = data;
  for (uint32_t i = 0; i < len && !st->sh.exited; i++) {
    int r = acc_sn_line_put(&st->line, p[i], st->pty ? &echo : NULL);
    if (r == ACC_SN_LINE_MORE)
      continue;
    chan_write(st, &echo);
    acc_buf_reset(&echo);
    if (r == ACC_SN_LINE_EOF) {
      st->sh.exited = 1;
      break;
    }
    if (r == ACC_SN_LINE_DONE) {
      run_line(c, st, st->line.buf, st->line.len);
      st->line.len = 0;
    }
    if (!st->sh.exited)
      prompt(st);
  }
  chan_write(st, &echo);
  acc_buf_free(&echo);
  if (st->sh.exited)
    end_channel(st, 0);
  return (int)len;
}

static int cb_pty(ssh_session s, ssh_channel ch, const char *term, int w, int h,
                  int pw, int ph, void *ud) {
  acc_sn_conn *c = ud;
  ssh_state *st = c->ps;
  (void)s;
  (void)ch;
  (void)pw;
  (void)ph;
  st->pty = 1;
  char msg[64];
  snprintf(msg, sizeof msg, "Terminal Size: %d %d", w, h);
  acc_sn_event(c, "cowrie.client.size", msg,
               json_pack("{sisiso}", "width", w, "height", h, "term",
                         acc_sensor_jstr(term ? term : "")));
  return 0;
}

static int cb_shell(ssh_session s, ssh_channel ch, void *ud) {
  acc_sn_conn *c = ud;
  ssh_state *st = c->ps;
  (void)s;
  (void)ch;
  if (st->shell_started || st->exec_cmd)
    return -1;
  st->want_shell = 1;
  return 0;
}

static int cb_exec(ssh_session s, ssh_channel ch, const char *cmd, void *ud) {
  acc_sn_conn *c = ud;
  ssh_state *st = c->ps;
  (void)s;
  (void)ch;
  if (st->shell_started || st->exec_cmd || st->want_shell)
    return -1;
  size_t n = strlen(cmd);
  if (n > c->sn->cfg->line_max)
    n = c->sn->cfg->line_max;
  if (!(st->exec_cmd = malloc(n + 1)))
    return -1;
  memcpy(st->exec_cmd, cmd, n);
  st->exec_cmd[n] = '\0';
  return 0;
}

static int cb_env(ssh_session s, ssh_channel ch, const char *name,
                  const char *value, void *ud) {
  acc_sn_conn *c = ud;
  (void)s;
  (void)ch;
  char msg[300];
  snprintf(msg, sizeof msg, "request_env: %.64s=%.200s", name, value);
  acc_sn_event(c, "cowrie.client.var", msg,
               json_pack("{soso}", "name", acc_sensor_jstr(name), "value",
                         acc_sensor_jstr(value)));
  return 0;
}

static int cb_subsystem(ssh_session s, ssh_channel ch, const char *sub,
                        void *ud) {
  acc_sn_conn *c = ud;
  (void)s;
  (void)ch;
  char msg[128];
  snprintf(msg, sizeof msg, "subsystem request refused: %.64s", sub);
  acc_sn_event(c, "accord.ssh.subsystem", msg,
               json_pack("{so}", "subsystem", acc_sensor_jstr(sub)));
  return -1;
}

static void cb_eof(ssh_session s, ssh_channel ch, void *ud) {
  acc_sn_conn *c = ud;
  ssh_state *st = c->ps;
  (void)s;
  (void)ch;
  if (st->shell_started && !st->sh.exited) {
    st->sh.exited = 1;
    end_channel(st, 0);
  }
}

static void cb_close(ssh_session s, ssh_channel ch, void *ud) {
  acc_sn_conn *c = ud;
  ssh_state *st = c->ps;
  (void)s;
  (void)ch;
  st->close_reason = "channel closed";
}

static ssh_channel cb_open_session(ssh_session s, void *ud) {
  acc_sn_conn *c = ud;
  ssh_state *st = c->ps;
  if (st->chan || !c->logged_in || c->closing)
    return NULL;
  if (!(st->chan = ssh_channel_new(s)))
    return NULL;
  memset(&st->ccb, 0, sizeof st->ccb);
  st->ccb.userdata = c;
  st->ccb.channel_data_function = cb_data;
  st->ccb.channel_pty_request_function = cb_pty;
  st->ccb.channel_shell_request_function = cb_shell;
  st->ccb.channel_exec_request_function = cb_exec;
  st->ccb.channel_env_request_function = cb_env;
  st->ccb.channel_subsystem_request_function = cb_subsystem;
  st->ccb.channel_eof_function = cb_eof;
  st->ccb.channel_close_function = cb_close;
  ssh_callbacks_init(&st->ccb);
  ssh_set_channel_callbacks(st->chan, &st->ccb);
  return st->chan;
}

/* ---- driving libssh ---- */

static void on_poll(uv_poll_t *h, int status, int events) {
  (void)status;
  (void)events;
  drive(h->data);
}

/* The shell starts after libssh has replied to the request, or at the
 * first keystroke when that comes in the same read. */
static void start_shell(acc_sn_conn *c, ssh_state *st) {
  st->shell_started = 1;
  if (acc_sn_line_init(c, &st->line, 1)) {
    st->close_reason = "memory limit";
    st->sh.exited = 1;
    return;
  }
  acc_buf b;
  acc_buf_init(&b, 1024);
  acc_buf_puts(&b, "Welcome to Ubuntu 22.04.3 LTS (GNU/Linux "
                   "5.15.0-91-generic x86_64)\r\n\r\n");
  chan_write(st, &b);
  acc_buf_free(&b);
  prompt(st);
}

/* Requests are answered once libssh has replied to them. */
static void after_events(acc_sn_conn *c, ssh_state *st) {
  if (st->exec_cmd && st->chan) {
    char *cmd = st->exec_cmd;
    st->exec_cmd = NULL;
    run_line(c, st, cmd, strlen(cmd));
    free(cmd);
    end_channel(st, 0);
  }
  if (st->want_shell && !st->shell_started && st->chan)
    start_shell(c, st);
}

static void drive(acc_sn_conn *c) {
  ssh_state *st = c->ps;
  if (c->closing)
    return;
  if (!st->kex_done) {
    int rc = ssh_handle_key_exchange(st->s);
    if (rc == SSH_OK) {
      st->kex_done = 1;
      if (ssh_event_add_session(st->ev, st->s) == SSH_OK)
        st->in_event = 1;
    } else if (rc != SSH_AGAIN) {
      char why[200];
      snprintf(why, sizeof why, "key exchange failed: %.160s",
               ssh_get_error(st->s));
      acc_sn_close(c, why);
      return;
    }
  }
  if (st->in_event && ssh_event_dopoll(st->ev, 0) == SSH_ERROR && !c->closing) {
    acc_sn_close(c, "SSH protocol error");
    return;
  }
  if (c->closing)
    return;
  after_events(c, st);
  if (st->close_reason) {
    acc_sn_close(c, st->close_reason);
    return;
  }
  if (ssh_get_status(st->s) & (SSH_CLOSED | SSH_CLOSED_ERROR)) {
    acc_sn_close(c, "client disconnected");
    return;
  }
  int want = UV_READABLE;
  if (ssh_get_poll_flags(st->s) & SSH_WRITE_PENDING)
    want |= UV_WRITABLE;
  if (want != st->poll_events) {
    st->poll_events = want;
    uv_poll_start(&st->poll, want, on_poll);
  }
}

/* ---- the protocol ---- */

static size_t ssh_base_mem(const acc_sn *sn) {
  (void)sn;
  return sizeof(acc_sn_conn) + sizeof(ssh_state) + LIBSSH_SESSION_BYTES;
}

static acc_rc ssh_open(acc_sn_conn *c) {
  acc_sn *sn = c->sn;
  ssh_shared *sh = sn->ssh;
  ssh_state *st = calloc(1, sizeof *st);
  if (!st)
    return ACC_ENOMEM;
  c->ps = st;
  st->lfd = -1;
  acc_sshwire_init(&st->wire);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) !=
      0)
    return ACC_EIO;
  uv_pipe_init(&sn->loop, &st->pipe, 0);
  st->pipe.data = c;
  acc_sn_handle_open(c);
  st->pipe_open = 1;
  if (uv_pipe_open(&st->pipe, sv[0]) != 0) {
    close(sv[0]);
    close(sv[1]);
    return ACC_EIO;
  }
  st->lfd = sv[1];
  if (!(st->s = ssh_new()) || !(st->ev = ssh_event_new()))
    return ACC_ENOMEM;
  if (ssh_bind_accept_fd(sh->bind, st->s, st->lfd) != SSH_OK)
    return ACC_EIO;
  st->lfd = -1; /* the session owns it now */
  st->scb.userdata = c;
  st->scb.auth_password_function = cb_auth_password;
  st->scb.auth_none_function = cb_auth_none;
  st->scb.auth_pubkey_function = cb_auth_pubkey;
  st->scb.service_request_function = cb_service;
  st->scb.channel_open_request_session_function = cb_open_session;
  ssh_callbacks_init(&st->scb);
  ssh_set_server_callbacks(st->s, &st->scb);
  ssh_set_auth_methods(st->s,
                       SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_PUBLICKEY);
  ssh_set_blocking(st->s, 0);
  uv_poll_init(&sn->loop, &st->poll, sv[1]);
  st->poll.data = c;
  acc_sn_handle_open(c);
  st->poll_open = 1;
  uv_read_start((uv_stream_t *)&st->pipe, pipe_alloc, on_pipe_read);
  drive(c);
  return ACC_OK;
}

static void ssh_end(acc_sn_conn *c) {
  ssh_state *st = c->ps;
  if (!st)
    return;
  log_wire(c, st);
  if (st->pipe_open) {
    st->pipe_open = 0;
    uv_close((uv_handle_t *)&st->pipe, acc_sn_handle_closed);
  }
  if (st->poll_open) {
    st->poll_open = 0;
    uv_close((uv_handle_t *)&st->poll, acc_sn_handle_closed);
  }
}

static void ssh_release(acc_sn_conn *c) {
  ssh_state *st = c->ps;
  if (!st)
    return;
  if (st->ev) {
    if (st->in_event)
      ssh_event_remove_session(st->ev, st->s);
    ssh_event_free(st->ev);
  }
  if (st->s)
    ssh_free(st->s); /* closes its descriptor, frees the channel */
  if (st->lfd >= 0)
    close(st->lfd);
  acc_sshwire_free(&st->wire);
  acc_sn_line_free(NULL, &st->line);
  free(st->exec_cmd);
  free(st);
  c->ps = NULL;
}

const acc_sn_proto acc_sn_ssh = {
    .name = "ssh",
    .needs_login = 1,
    .base_mem = ssh_base_mem,
    .open = ssh_open,
    .data = ssh_data,
    .drained = ssh_drained,
    .end = ssh_end,
    .release = ssh_release,
};
