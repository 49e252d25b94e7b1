/*
 * cli.h — what the `accord` command's subcommands share: global options,
 * exit codes, and small helpers for output and input files.
 */
#ifndef ACC_CLI_H
#define ACC_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

struct acc_store;
struct acc_audit;
struct acc_principal;
struct acc_reader;

/* Exit codes (documented in accord(1)). */
enum {
  ACC_EXIT_OK = 0,      /* done */
  ACC_EXIT_PARTIAL = 1, /* done, but some objects were rejected / absent */
  ACC_EXIT_USAGE = 2,   /* wrong command line */
  ACC_EXIT_INPUT = 3,   /* an input could not be read or was refused whole */
  ACC_EXIT_STORE = 4,   /* the store could not be opened or written */
};

typedef struct acc_cli {
  const char *data_dir; /* -d/--data, $ACCORD_DATA, or ./accord-data */
  int json;             /* --json: machine-readable output */
  int quiet;            /* -q: no progress, no summary on stderr */
} acc_cli;

typedef int (*acc_cmd_fn)(acc_cli *g, int argc, char **argv);

typedef struct acc_cmd {
  const char *name;
  acc_cmd_fn fn;
  const char *summary; /* one line for `accord help` */
  const char *usage;   /* full help for `accord help NAME` */
} acc_cmd;

/* Handle an option every command takes (-d/--data, --json as 'J',
 * -q/--quiet, -h/--help) from a getopt_long loop: returns 1 when c was one
 * of them (for --help, after printing cmd's usage, with *help_done set),
 * 0 when the command must handle c itself. */
int acc_cli_common_opt(acc_cli *g, int c, const char *cmd, int *help_done);

/* Print "accord: " + message to stderr. */
void acc_cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Map an error code to an exit code. */
int acc_cli_exit_for(acc_rc rc);

/* Print a command's usage to f. */
void acc_cli_usage(FILE *f, const char *name);

/* Resolve a collection named by UUID or alias (NULL = the default
 * collection); prints the error and returns non-zero when absent. */
struct acc_store;
int acc_cli_collection(struct acc_store *s, const char *name, int64_t *cid);

/* Write a JSON string literal (with quotes) to f. */
void acc_cli_json_str(FILE *f, const char *s);

/*
 * An input document in memory: mmap'd for a regular file, read for stdin
 * ("-") or pipes.  Refuses anything above max_bytes without reading it.
 */
typedef struct acc_input {
  const char *data;
  size_t len;
  int mapped;
  void *heap;
} acc_input;

acc_rc acc_input_open(const char *path, size_t max_bytes, acc_input *in,
                      acc_diag *d);
void acc_input_close(acc_input *in);

/* Subcommands. */
int acc_cmd_init(acc_cli *g, int argc, char **argv);
int acc_cmd_import(acc_cli *g, int argc, char **argv);
int acc_cmd_export(acc_cli *g, int argc, char **argv);
int acc_cmd_get(acc_cli *g, int argc, char **argv);
int acc_cmd_list(acc_cli *g, int argc, char **argv);
int acc_cmd_stats(acc_cli *g, int argc, char **argv);
int acc_cmd_check(acc_cli *g, int argc, char **argv);
int acc_cmd_generate(acc_cli *g, int argc, char **argv);
int acc_cmd_serve(acc_cli *g, int argc, char **argv);
int acc_cmd_org(acc_cli *g, int argc, char **argv);
int acc_cmd_user(acc_cli *g, int argc, char **argv);
int acc_cmd_token(acc_cli *g, int argc, char **argv);
int acc_cmd_collection(acc_cli *g, int argc, char **argv);
int acc_cmd_grant(acc_cli *g, int argc, char **argv);
int acc_cmd_pattern(acc_cli *g, int argc, char **argv);
int acc_cmd_match(acc_cli *g, int argc, char **argv);
int acc_cmd_audit(acc_cli *g, int argc, char **argv);
int acc_cmd_misp(acc_cli *g, int argc, char **argv);
int acc_cmd_sensor(acc_cli *g, int argc, char **argv);
int acc_cmd_lists(acc_cli *g, int argc, char **argv);
int acc_cmd_correlate(acc_cli *g, int argc, char **argv);
/* Attribution cases, evidence packs, organisation keys (issue 8). */
int acc_cmd_case(acc_cli *g, int argc, char **argv);
int acc_cmd_pack(acc_cli *g, int argc, char **argv);
int acc_cmd_key(acc_cli *g, int argc, char **argv);

int acc_cmd_peer(acc_cli *g, int argc, char **argv);
int acc_cmd_sync(acc_cli *g, int argc, char **argv);

/* `accord get ID --provenance` (cmd_sync.c): one line per version of id
 * the reader may see, saying where it came from. */
struct acc_reader;
int acc_cli_provenance(acc_cli *g, struct acc_store *s,
                       const struct acc_reader *rd, int64_t collection,
                       const char *id);

/* Confidence-building: points of contact, consultations (issue 12). */
int acc_cmd_poc(acc_cli *g, int argc, char **argv);
int acc_cmd_consult(acc_cli *g, int argc, char **argv);

extern const acc_cmd acc_commands[];

/* Open what a command reading for someone needs: the store, the audit
 * log, the principal (the operator, or the user named by --as: `as`) and
 * the reader for the enforcement point, with `path` naming the way out.
 * 0, or an exit code after printing why (nothing left open). */
int acc_cli_open_reader(acc_cli *g, const char *as, const char *path,
                        struct acc_store **st, struct acc_audit **audit,
                        struct acc_principal *who, struct acc_reader *rd);
void acc_cli_close_reader(struct acc_store *st, struct acc_audit *audit);

#endif
