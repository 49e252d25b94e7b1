/*
 * cmd_sensor.c — `accord sensor`: read the sensor's configuration (file,
 * then --set flags), run the honeypot until SIGTERM or SIGINT, and print
 * its counters.  The sensor itself is src/sensor/.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "sensor/sensor.h"

int acc_cmd_sensor(acc_cli *g, int argc, char **argv) {
  enum { O_CONFIG = 1000, O_SET, O_PORT_FILE, O_STATE };
  static const struct option lo[] = {
      {"data", required_argument, 0, 'd'},
      {"quiet", no_argument, 0, 'q'},
      {"json", no_argument, 0, 'J'},
      {"help", no_argument, 0, 'h'},
      {"config", required_argument, 0, O_CONFIG},
      {"set", required_argument, 0, O_SET},
      {"port-file", required_argument, 0, O_PORT_FILE},
      {"state", required_argument, 0, O_STATE},
      {0, 0, 0, 0}};
  acc_sensor_config cfg;
  acc_diag d;
  int c;
  /* The data directory decides the default state directory: read -d
   * first, then the file, then the flags in order. */
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "d:qh", lo, NULL)) != -1)
    if (c == 'd')
      g->data_dir = optarg;
  acc_sensor_config_defaults(&cfg, g->data_dir);
  optind = 1;
  while ((c = getopt_long(argc, argv, "d:qh", lo, NULL)) != -1)
    if (c == O_CONFIG && acc_sensor_config_load(&cfg, optarg, &d)) {
      acc_cli_err("%s", d.msg);
      return ACC_EXIT_USAGE;
    }
  optind = 1;
  opterr = 1;
  while ((c = getopt_long(argc, argv, "d:qh", lo, NULL)) != -1) {
    acc_rc rc = ACC_OK;
    switch (c) {
    case 'd':
    case O_CONFIG:
      break;
    case 'q':
      g->quiet = 1;
      break;
    case 'J':
      g->json = 1;
      break;
    case 'h':
      acc_cli_usage(stdout, "sensor");
      return ACC_EXIT_OK;
    case O_PORT_FILE:
      rc = acc_sensor_config_set(&cfg, "port_file", optarg, &d);
      break;
    case O_STATE:
      rc = acc_sensor_config_set(&cfg, "state_dir", optarg, &d);
      break;
    case O_SET: {
      char kv[2048];
      snprintf(kv, sizeof kv, "%s", optarg);
      char *eq = strchr(kv, '=');
      if (!eq) {
        acc_cli_err("--set %s: expected KEY=VALUE", optarg);
        return ACC_EXIT_USAGE;
      }
      *eq = '\0';
      rc = acc_sensor_config_set(&cfg, kv, eq + 1, &d);
      break;
    }
    default:
      acc_cli_usage(stderr, "sensor");
      return ACC_EXIT_USAGE;
    }
    if (rc) {
      acc_cli_err("%s", d.msg);
      return ACC_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    acc_cli_err("sensor: unexpected argument '%s'", argv[optind]);
    return ACC_EXIT_USAGE;
  }
  if (acc_sensor_config_finish(&cfg, &d)) {
    acc_cli_err("%s", d.msg);
    return ACC_EXIT_USAGE;
  }
  acc_sensor_stats st;
  memset(&st, 0, sizeof st);
  acc_rc rc = acc_sensor_run(&cfg, &st, &d);
  if (rc) {
    acc_cli_err("sensor: %s", d.msg);
    return acc_cli_exit_for(rc) == ACC_EXIT_PARTIAL ? ACC_EXIT_USAGE
                                                    : ACC_EXIT_STORE;
  }
  if (!g->quiet)
    fprintf(stderr,
            "accord sensor: %llu sessions, %llu events (%llu not written), "
            "%llu refused (rate %llu, capacity %llu, spool %llu), %llu "
            "closed by limits, %llu spooled\n",
            (unsigned long long)st.sessions, (unsigned long long)st.events,
            (unsigned long long)st.events_failed,
            (unsigned long long)(st.refused_rate + st.refused_capacity +
                                 st.refused_spool),
            (unsigned long long)st.refused_rate,
            (unsigned long long)st.refused_capacity,
            (unsigned long long)st.refused_spool,
            (unsigned long long)st.closed_limit,
            (unsigned long long)st.stix_spooled);
  return ACC_EXIT_OK;
}
