/*
 * sensor_int.h — what the sensor's event-loop files share: the runtime,
 * a connection, the protocol table, and the helpers every protocol uses
 * to send, log, account memory and close.  Private to src/sensor/.
 */
#ifndef ACC_SENSOR_INT_H
#define ACC_SENSOR_INT_H

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#include "sensor/parse.h"
#include "sensor/record.h"
#include "sensor/sensor.h"
#include "sensor/spool.h"
#include "util/buf.h"

#define ACC_SN_BACKLOG_MAX ((size_t)64 << 10) /* output waiting per conn */

typedef struct acc_sn acc_sn;
typedef struct acc_sn_conn acc_sn_conn;

/* A protocol: what the loop calls for one of its connections. */
typedef struct acc_sn_proto {
  const char *name; /* "ssh", "telnet", "http": the protocol field */
  int needs_login;  /* subject to login_timeout */
  /* bytes reserved for a connection at accept (state, fixed buffers) */
  size_t (*base_mem)(const acc_sn *sn);
  /* after accept: allocate state, greet; may close the connection */
  acc_rc (*open)(acc_sn_conn *c);
  /* bytes from the attacker */
  void (*data)(acc_sn_conn *c, const char *p, size_t n);
  /* output backlog drained (optional) */
  void (*drained)(acc_sn_conn *c);
  /* the session is over: log what is left, close extra handles */
  void (*end)(acc_sn_conn *c);
  /* every handle is closed: free the state */
  void (*release)(acc_sn_conn *c);
} acc_sn_proto;

extern const acc_sn_proto acc_sn_ssh, acc_sn_telnet, acc_sn_http;

/* Per-source bookkeeping (rate and concurrency limits). */
typedef struct acc_sn_src {
  unsigned char addr[16]; /* IPv6 or IPv4-mapped */
  uint8_t used;
  double tokens;   /* connections this source may still open now */
  int64_t last_us; /* last refill */
  uint32_t conns;  /* open now */
} acc_sn_src;

#define ACC_SN_SRC_SLOTS 16384
#define ACC_SN_SRC_PROBE 64

struct acc_sn {
  const acc_sensor_config *cfg;
  uv_loop_t loop;
  uv_tcp_t listeners[3];
  const acc_sn_proto *listener_proto[3];
  int n_listeners;
  uv_timer_t sweep;
  uv_signal_t sig_term, sig_int;
  int log_fd;
  acc_spool *spool;
  acc_sn_conn *conns; /* live sessions (a list) */
  size_t n_conns;
  size_t mem_used; /* bytes reserved by live sessions */
  acc_sn_src *src; /* ACC_SN_SRC_SLOTS */
  acc_sensor_stats stats;
  int stopping;
  int64_t last_stats_us;
  void *ssh;  /* proto_ssh's shared state (host keys, bind) */
  acc_buf ev; /* the event line being written */
};

/* A line being typed (Telnet, SSH shell). */
typedef struct acc_sn_line {
  char *buf;
  size_t len, cap;
  int over;    /* characters were dropped: the line is longer than cap */
  int last_cr; /* the previous byte was CR (CR LF is one line end) */
} acc_sn_line;

enum { ACC_SN_LINE_MORE, ACC_SN_LINE_DONE, ACC_SN_LINE_INTR, ACC_SN_LINE_EOF };

struct acc_sn_conn {
  acc_sn_conn *prev, *next;
  acc_sn *sn;
  const acc_sn_proto *proto;
  uv_tcp_t tcp;
  int handles;               /* uv handles not yet closed (tcp + protocol's) */
  int closing;               /* the session is over */
  int finishing;             /* close once output is written */
  const char *finish_reason; /* why, for cowrie.session.closed */
  int writing;               /* a uv_write is in flight */
  int logged_in;             /* a login succeeded */
  unsigned auth_tries;
  acc_buf backlog; /* output behind the write in flight */
  size_t mem;      /* bytes reserved against the caps */
  acc_sn_src *src;
  int64_t last_us; /* last input */
  acc_sensor_rec rec;
  void *ps; /* protocol state */
};

/* Send bytes to the attacker (queued behind a write in flight, up to
 * ACC_SN_BACKLOG_MAX; past that the connection is closed). */
acc_rc acc_sn_send(acc_sn_conn *c, const void *p, size_t n);
acc_rc acc_sn_sends(acc_sn_conn *c, const char *s);
/* End the session now (logs cowrie.session.closed, spools its STIX). */
void acc_sn_close(acc_sn_conn *c, const char *reason);
/* End the session once queued output is written. */
void acc_sn_finish(acc_sn_conn *c, const char *reason);
/* Reserve (n > 0) or give back (n < 0) memory for c; ACC_ENOMEM when
 * the connection's or the sensor's cap would be passed. */
acc_rc acc_sn_mem(acc_sn_conn *c, long n);
/* Write one event (fields stolen, may be NULL). */
void acc_sn_event(acc_sn_conn *c, const char *eventid, const char *message,
                  json_t *fields);
/* A login attempt: cowrie.login.success/failed, kept for STIX; returns
 * whether the policy lets it in. */
int acc_sn_login(acc_sn_conn *c, const char *user, const char *pass);
/* A command line typed or injected: cowrie.command.input, and a
 * cowrie.session.file_download per URL in it. */
void acc_sn_command(acc_sn_conn *c, const char *line, size_t n);
/* A URL the attacker wanted fetched (never fetched). */
void acc_sn_url(acc_sn_conn *c, const char *url, size_t n);
/* acc_extract callback: URLs to acc_sn_url, addresses to the record. */
void acc_sn_extract_cb(void *ctx, acc_extract_kind kind, const char *s,
                       size_t n);
/* Stop / start reading from the attacker (backpressure). */
void acc_sn_pause_read(acc_sn_conn *c);
void acc_sn_resume_read(acc_sn_conn *c);
/* A uv handle of the protocol was opened / has closed. */
void acc_sn_handle_open(acc_sn_conn *c);
void acc_sn_handle_closed(uv_handle_t *h);

/* A line of line_max bytes; reserve counts it against the caps (0 when
 * the protocol's base_mem already did). */
acc_rc acc_sn_line_init(acc_sn_conn *c, acc_sn_line *l, int reserve);
void acc_sn_line_free(acc_sn_conn *c, acc_sn_line *l);
/* Feed one byte; echo (when set) receives what the terminal shows. */
int acc_sn_line_put(acc_sn_line *l, unsigned char ch, acc_buf *echo);

/* proto_ssh's process-wide setup (host keys) and teardown. */
acc_rc acc_sn_ssh_setup(acc_sn *sn, acc_diag *d);
void acc_sn_ssh_teardown(acc_sn *sn);

/* Inbound reads share one buffer: every read is consumed at once. */
#define ACC_SN_READ_BUF 65536

#endif
