/*
 * cmd_serve.c — `accord serve`: read the configuration (file, then flags),
 * start the TAXII 2.1 server on the data directory, and stop it gracefully
 * on SIGTERM or SIGINT (no new connections, requests in flight finish, so
 * an accepted POST is never lost).
 */
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cbm/cbm.h"
#include "cli/cli.h"
#include "sync/sync.h"
#include "taxii/taxii.h"

/* Pulled pages: detection runs on them as on a TAXII POST. */
static void on_ingest(void *ctx, acc_store *st, int new_indicators,
                      const char *observed, size_t len) {
  acc_taxii_server_ingested(ctx, st, new_indicators, observed, len);
}

int acc_cmd_serve(acc_cli *g, int argc, char **argv) {
  enum {
    O_CONFIG = 1000,
    O_LISTEN,
    O_PORT,
    O_PORT_FILE,
    O_TLS_CERT,
    O_TLS_KEY,
    O_INSECURE,
    O_THREADS,
    O_API_ROOT,
    O_SET,
  };
  static const struct option lo[] = {
      {"data", required_argument, 0, 'd'},
      {"quiet", no_argument, 0, 'q'},
      {"json", no_argument, 0, 'J'},
      {"help", no_argument, 0, 'h'},
      {"config", required_argument, 0, O_CONFIG},
      {"listen", required_argument, 0, O_LISTEN},
      {"port", required_argument, 0, O_PORT},
      {"port-file", required_argument, 0, O_PORT_FILE},
      {"tls-cert", required_argument, 0, O_TLS_CERT},
      {"tls-key", required_argument, 0, O_TLS_KEY},
      {"insecure-http", no_argument, 0, O_INSECURE},
      {"threads", required_argument, 0, O_THREADS},
      {"api-root", required_argument, 0, O_API_ROOT},
      {"set", required_argument, 0, O_SET},
      {0, 0, 0, 0}};
  acc_taxii_config cfg;
  acc_diag d;
  acc_rc rc;
  int c;
  acc_taxii_config_defaults(&cfg);

  /* First pass: the configuration file, so that flags override it. */
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "d:qh", lo, NULL)) != -1) {
    if (c == O_CONFIG && (rc = acc_taxii_config_load(&cfg, optarg, &d))) {
      acc_cli_err("%s", d.msg);
      return ACC_EXIT_USAGE;
    }
  }
  optind = 1;
  opterr = 1;
  while ((c = getopt_long(argc, argv, "d:qh", lo, NULL)) != -1) {
    const char *key = NULL;
    char kv[2048];
    rc = ACC_OK;
    switch (c) {
    case 'd':
      g->data_dir = optarg;
      continue;
    case 'q':
      g->quiet = 1;
      continue;
    case 'J':
      g->json = 1;
      continue;
    case 'h':
      acc_cli_usage(stdout, "serve");
      return ACC_EXIT_OK;
    case O_CONFIG:
      continue;
    case O_LISTEN:
      key = "listen";
      break;
    case O_PORT:
      key = "port";
      break;
    case O_PORT_FILE:
      key = "port_file";
      break;
    case O_TLS_CERT:
      key = "tls_cert";
      break;
    case O_TLS_KEY:
      key = "tls_key";
      break;
    case O_INSECURE:
      rc = acc_taxii_config_set(&cfg, "insecure_http", "true", &d);
      break;
    case O_THREADS:
      key = "threads";
      break;
    case O_API_ROOT:
      key = "api_root";
      break;
    case O_SET: {
      snprintf(kv, sizeof kv, "%s", optarg);
      char *eq = strchr(kv, '=');
      if (!eq) {
        acc_cli_err("--set wants KEY=VALUE, not '%s'", optarg);
        return ACC_EXIT_USAGE;
      }
      *eq = '\0';
      rc = acc_taxii_config_set(&cfg, kv, eq + 1, &d);
      break;
    }
    default:
      acc_cli_usage(stderr, "serve");
      return ACC_EXIT_USAGE;
    }
    if (!rc && key)
      rc = acc_taxii_config_set(&cfg, key, optarg, &d);
    if (rc) {
      acc_cli_err("%s", d.msg);
      return ACC_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    acc_cli_err("serve: unexpected argument '%s'", argv[optind]);
    return ACC_EXIT_USAGE;
  }

  /* Signals are taken by this thread alone (sigwait); the server's threads
   * inherit the blocked mask. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  /* a file size limit reached is an error to report (the audit log then
   * refuses releases), not a reason to die */
  signal(SIGXFSZ, SIG_IGN);

  acc_taxii_server *srv = NULL;
  /* Responses of a few hundred kilobytes are built and freed per request:
   * keep them in the heap instead of a fresh mmap (page faults, zeroing)
   * each time, and do not hand freed heap back to the kernel per request. */
  mallopt(M_MMAP_THRESHOLD, 16 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  rc = acc_taxii_server_start(&cfg, g->data_dir, &srv, &d);
  if (rc) {
    acc_cli_err("serve: %s", d.msg);
    return rc == ACC_EUSAGE ? ACC_EXIT_USAGE : acc_cli_exit_for(rc);
  }
  if (!g->quiet) {
    const char *host = cfg.listen;
    int v6 = strchr(host, ':') != NULL;
    fprintf(stderr,
            "{\"event\":\"listening\",\"url\":\"%s://%s%s%s:%u/taxii2/\","
            "\"data\":",
            acc_taxii_server_tls(srv) ? "https" : "http", v6 ? "[" : "", host,
            v6 ? "]" : "", acc_taxii_server_port(srv));
    acc_cli_json_str(stderr, g->data_dir);
    fputs("}\n", stderr);
  }
  /* Federation: each enabled peer on its schedule (src/sync). */
  acc_sync_service *sync = NULL;
  if ((rc = acc_sync_service_start(g->data_dir, g->quiet, on_ingest, srv, &sync,
                                   &d))) {
    acc_cli_err("serve: %s", d.msg);
    acc_taxii_server_stop(srv);
    return acc_cli_exit_for(rc);
  }
  /* Confidence-building: overdue consultations and points of contact
   * due for confirmation, logged (src/cbm). */
  acc_cbm_watch *watch = NULL;
  if ((rc = acc_cbm_watch_start(g->data_dir, g->quiet, &watch, &d))) {
    acc_cli_err("serve: %s", d.msg);
    acc_sync_service_stop(sync);
    acc_taxii_server_stop(srv);
    return acc_cli_exit_for(rc);
  }
  int sig = 0;
  sigwait(&set, &sig);
  if (!g->quiet)
    fprintf(stderr, "{\"event\":\"stopping\",\"signal\":%d}\n", sig);
  acc_cbm_watch_stop(watch);
  acc_sync_service_stop(sync);
  acc_taxii_server_stop(srv);
  if (!g->quiet)
    fputs("{\"event\":\"stopped\"}\n", stderr);
  return ACC_EXIT_OK;
}
