/* cmd_pack.c — placeholder until the pack subsystem lands. */
#include "cli/cli.h"
int acc_cmd_pack(acc_cli *g, int argc, char **argv) {
  (void)g; (void)argc; (void)argv;
  return ACC_EXIT_USAGE;
}
