/*
 * sensor.h — `accord sensor`, the honeypot: its configuration and the
 * call that runs it.  One event loop (libuv) serves the SSH, Telnet and
 * HTTP listeners; every session becomes Cowrie-compatible JSON lines and
 * a STIX 2.1 observed-data that is spooled on disk and sent to an Accord
 * server by TAXII (or written to a local store).  See docs/SENSOR.md.
 */
#ifndef ACC_SENSOR_H
#define ACC_SENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define ACC_SENSOR_PATH_MAX 1024

typedef struct acc_sensor_config {
  char name[64];                        /* the "sensor" field of events */
  char state_dir[ACC_SENSOR_PATH_MAX];  /* host keys, spool, default log */
  char listen[64];                      /* address of all listeners */
  int ssh_port, telnet_port, http_port; /* -1 off, 0 a free port */
  char port_file[ACC_SENSOR_PATH_MAX];  /* "ssh PORT" lines, when set */
  char log_path[ACC_SENSOR_PATH_MAX];   /* JSON lines; "-" stdout */
  char user[64];                        /* drop root to this user */

  /* what attackers see */
  char ssh_version[128];   /* "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6" */
  char telnet_banner[256]; /* text before "login: " */
  char http_server[128];   /* Server header */
  char http_realm[64];     /* Basic realm of protected paths */
  char hostname[64];       /* in shell prompts */
  char accept[1024];       /* credential policy (acc_sensor_cred_ok) */

  /* where the STIX goes: a TAXII collection's objects URL, or a store */
  char taxii_url[ACC_SENSOR_PATH_MAX];
  char taxii_token[256];
  char store_dir[ACC_SENSOR_PATH_MAX];
  size_t batch;         /* sessions per TAXII POST / transaction */
  unsigned flush_ms;    /* a spool segment is closed at least this often */
  size_t spool_max;     /* bytes on disk; full = new connections refused */
  unsigned retry_max_s; /* longest pause between upload attempts */

  /* hostile-input discipline */
  size_t max_sessions;      /* connections open at once */
  size_t max_per_source;    /* connections open at once from one address */
  double rate_per_source;   /* new connections per second per address */
  double rate_burst;        /* bucket size of that rate */
  size_t mem_cap;           /* bytes for all connections together */
  size_t conn_mem_cap;      /* bytes for one connection */
  unsigned login_timeout;   /* seconds to log in (SSH, Telnet) */
  unsigned idle_timeout;    /* seconds without input */
  unsigned session_timeout; /* seconds a session may last */
  unsigned http_timeout;    /* seconds to send one HTTP request */
  size_t max_auth_tries;    /* login attempts per connection */
  size_t http_body_max;     /* body bytes kept (the rest is read, dropped) */
  size_t line_max;          /* command line bytes kept */
} acc_sensor_config;

/* Defaults; state_dir is DATA_DIR/sensor. */
void acc_sensor_config_defaults(acc_sensor_config *c, const char *data_dir);
/* Set one key (the names of docs/SENSOR.md); ACC_EINVAL names the key. */
acc_rc acc_sensor_config_set(acc_sensor_config *c, const char *key,
                             const char *value, acc_diag *d);
/* Read `key = value` lines ('#' comments). */
acc_rc acc_sensor_config_load(acc_sensor_config *c, const char *path,
                              acc_diag *d);
/* Check the whole configuration, fill derived defaults (log path). */
acc_rc acc_sensor_config_finish(acc_sensor_config *c, acc_diag *d);

/* Counters of a run (printed at exit and in accord.sensor.stats). */
typedef struct acc_sensor_stats {
  uint64_t sessions;         /* connections accepted and logged */
  uint64_t refused_rate;     /* refused: per-source rate or count */
  uint64_t refused_capacity; /* refused: max_sessions or mem_cap */
  uint64_t refused_spool;    /* refused: spool full */
  uint64_t events;           /* event lines written */
  uint64_t events_failed;    /* event lines that could not be written */
  uint64_t stix_spooled;     /* sessions written to the spool */
  uint64_t closed_limit;     /* sessions closed by a memory/time limit */
} acc_sensor_stats;

/*
 * Run the sensor until SIGTERM or SIGINT: bind the listeners, generate
 * the SSH host key on first start, drop privileges, serve, then close
 * every session (each logged and spooled) and return ACC_OK.
 */
acc_rc acc_sensor_run(const acc_sensor_config *c, acc_sensor_stats *stats,
                      acc_diag *d);

#endif
