/*
 * lists.h — anonymiser and relay lists: Tor exit nodes, VPN and proxy
 * endpoints, scanners, CDNs.  Each entry is a network with a validity
 * period, so "was this IP a Tor exit on date D?" has an answer.  Lists
 * are imported from the formats they are published in (lists.c):
 *   tor-exit  the exit list (ExitNode / Published / LastStatus /
 *             ExitAddress IP DATE records)
 *   plain     one IP or CIDR (or range A-B) per line, '#' comments — also
 *             the Tor bulk exit list
 *   csv       a header naming an address column and a type column (and
 *             optionally valid_from / valid_until or first_seen /
 *             last_seen), or rows "ip,type[,from[,until]]"
 * Correlation answers carry the hits as flags; attribution cases derive
 * the "rests on an anonymiser" caveat from acc_lists_lookup.
 */
#ifndef ACC_LISTS_H
#define ACC_LISTS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/error.h"

typedef struct acc_list_hit {
  char kind[16];          /* tor-exit, vpn, proxy, scanner, cdn */
  char list[128];         /* the list's name (file name by default, --name) */
  int64_t valid_from_us;  /* ACC_TIME_NONE = open */
  int64_t valid_until_us; /* ACC_TIME_NONE = open */
} acc_list_hit;

/* The list entries covering ip (IPv4/IPv6 address text; canonicalised
 * inside) at time at_us (ACC_TIME_NONE = now): up to max hits into out,
 * the number found in *n. */
acc_rc acc_lists_lookup(acc_store *s, const char *ip, int64_t at_us,
                        acc_list_hit *out, size_t max, size_t *n, acc_diag *d);

/* The same over a period: entries whose validity overlaps [from_us,
 * until_us] (either ACC_TIME_NONE = open at that end; both open = any
 * time).  ip may also be a network: entries covering all of it. */
acc_rc acc_lists_lookup_span(acc_store *s, const char *ip, int64_t from_us,
                             int64_t until_us, acc_list_hit *out, size_t max,
                             size_t *n, acc_diag *d);

/* Kinds: "tor-exit", "vpn", "proxy", "scanner", "cdn" (acc_list_kind).
 * Parsing is lenient: "tor", "TOR_EXIT", "exit" are tor-exit, "vpn-exit"
 * vpn, "open-proxy" proxy ... ACC_LK_NONE when unknown. */
const char *acc_list_kind_name(int kind);
int acc_list_kind_parse(const char *s);

typedef enum acc_list_format {
  ACC_LF_AUTO = 0,
  ACC_LF_TOR_EXIT,
  ACC_LF_PLAIN,
  ACC_LF_CSV,
} acc_list_format;

const char *acc_list_format_name(acc_list_format f);

/* A date as lists and their users write it: "YYYY-MM-DD" (*date_only set,
 * midnight UTC), "YYYY-MM-DD HH:MM:SS" (UTC) or RFC 3339. */
acc_rc acc_lists_date(const char *s, size_t n, int64_t *out, int *date_only);

/* How a list file is read. */
typedef struct acc_list_parse_opts {
  acc_list_format format; /* ACC_LF_AUTO: detected from the content */
  int kind;               /* every entry's kind; ACC_LK_NONE: from the CSV
                             type column (required then) */
  int64_t valid_from_us;  /* set: overrides what the file says */
  int64_t valid_until_us; /* set: overrides what the file says */
} acc_list_parse_opts;

typedef struct acc_list_parse_counts {
  size_t lines;
  size_t entries;  /* networks produced (a range may give several) */
  size_t skipped;  /* lines that are not entries (comments, headers) */
  size_t bad;      /* lines that could not be read */
  size_t other_kind; /* CSV rows of another type than --kind */
  acc_list_format format; /* the format read */
  char first_bad[160]; /* "line N: what" of the first bad line */
} acc_list_parse_counts;

typedef acc_rc (*acc_list_entry_fn)(void *ctx, const acc_list_entry *e);

/*
 * Parse a list document buf[0..len) and hand each entry to fn.  Lines that
 * cannot be read are counted (and the first is described), not fatal;
 * ACC_EINVAL only when nothing in the document is a list (with diag).
 * Tor exit records: an entry is valid from the earlier of Published and
 * the ExitAddress test time until one day after the later of LastStatus
 * and that test time — a relay seen exiting is taken to be an exit for
 * the day around it — unless the options set the period.
 */
acc_rc acc_list_parse(const char *buf, size_t len,
                      const acc_list_parse_opts *o, acc_list_entry_fn fn,
                      void *ctx, acc_list_parse_counts *c, acc_diag *d);

/* Import a list into the store under name (replace: drop its entries
 * first; otherwise entries are added to what the list holds) in one
 * transaction. */
acc_rc acc_lists_import(acc_store *s, const char *name, const char *source,
                        const char *buf, size_t len,
                        const acc_list_parse_opts *o, int replace,
                        acc_list_parse_counts *c, acc_diag *d);

#endif
