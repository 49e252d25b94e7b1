/*
 * store_corr.h — what the storage interface knows of correlation
 * (src/correlate/): normalised observable values stored once, postings
 * from each value to the object versions that contain it, the sharing
 * class of each posting, and the anonymiser / relay lists (Tor exits,
 * VPNs, ...).  The correlate subsystem normalises and extracts; the
 * backend only stores and looks up (store_sqlite.c + sqlite_correlate.c).
 *
 * Index model:
 *   value    (vid, kind, text)           one row per distinct value
 *   posting  (vid, cls, seq, t, t_end)   one per value per live version
 *   doc      (seq, cls, t, t_end, live, vids)
 *   class    (cls, collection, tlp, ..., created_by_ref)
 * A version is live when it is the latest, unrevoked version of a
 * versioned object, or any version of an unversioned one (each distinct
 * content of an SCO is a separate report of it).  Only live versions have
 * postings; the backend keeps that exact when put() moves the latest mark
 * and when remove() takes versions away.  A class groups the facts the
 * sharing policy decides on (and the source), so an answer decides once
 * per class, never per posting.
 */
#ifndef ACC_STORE_CORR_H
#define ACC_STORE_CORR_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Kinds of values; the numbers are stored (never renumber). */
typedef enum acc_corr_kind {
  ACC_CK_NONE = 0,
  ACC_CK_IPV4 = 1,    /* address or CIDR */
  ACC_CK_IPV6 = 2,    /* address or CIDR */
  ACC_CK_DOMAIN = 3,  /* domain-name (punycode, lower case, no final dot) */
  ACC_CK_URL = 4,     /* url (normalised by libcurl's URL API) */
  ACC_CK_EMAIL = 5,   /* email-addr */
  ACC_CK_HASH = 6,    /* "algorithm:value", e.g. "sha256:ab..." */
  ACC_CK_MAC = 7,     /* mac-addr, aa:bb:cc:dd:ee:ff */
  ACC_CK_ASN = 8,     /* autonomous-system number, decimal */
  ACC_CK_X509_SERIAL = 9, /* x509 serial, lower-case hex without ':' */
  ACC_CK_ACCOUNT = 10,    /* user-account login */
  ACC_CK_MUTEX = 11,      /* mutex name */
  ACC_CK_REGKEY = 12,     /* windows-registry-key (lower case, full hive) */
  ACC_CK_REF = 13,        /* a reference to an object id (object_refs ...) */
  ACC_CK_COUNT
} acc_corr_kind;

/* One normalised value. */
typedef struct acc_corr_val {
  int kind;         /* acc_corr_kind */
  const char *text; /* normalised text, NUL-terminated */
  /* IP kinds: the network (v4 in net[0..3]) and its prefix length. */
  uint8_t plen;
  uint8_t net[16];
} acc_corr_val;

/* A value as stored, for answers. */
typedef struct acc_corr_value {
  int64_t vid;
  int kind;
  const char *text; /* valid during the callback */
  uint8_t plen;     /* IP kinds */
  uint8_t net[16];
} acc_corr_value;

/* What is indexed for one version. */
typedef struct acc_corr_doc {
  int64_t seq;      /* the version; 0 = the one the last put() stored */
  int64_t t_us;     /* when it was seen (observation start, ...) */
  int64_t t_end_us; /* end of that interval (>= t_us) */
} acc_corr_doc;

/* One posting of a value. */
typedef struct acc_corr_posting {
  int64_t vid;
  int64_t cls;
  int64_t seq;
  int64_t t_us;
  int64_t t_end_us;
} acc_corr_posting;

/* The sharing class of postings: the facts the policy decides on and the
 * source.  Strings are malloc'd; acc_corr_cls_clear frees them. */
typedef struct acc_corr_cls {
  int64_t cls;
  int64_t collection;
  int tlp;
  int granular_tlp;
  int64_t origin_oid;
  int64_t origin_uid;
  char *share_orgs;     /* "|a|b|" or NULL */
  char *share_users;    /* "|a|b|" or NULL */
  char *created_by_ref; /* or NULL */
} acc_corr_cls;

void acc_corr_cls_clear(acc_corr_cls *c);

/* Which networks corr_nets returns. */
typedef enum acc_corr_net_mode {
  ACC_CORR_NET_INSIDE,     /* values (addresses and networks) inside net */
  ACC_CORR_NET_CONTAINING, /* networks strictly containing net */
} acc_corr_net_mode;

typedef struct acc_corr_stats {
  int64_t values;
  int64_t postings;
  int64_t docs;      /* versions with indexed values */
  int64_t live_docs; /* of which live */
  int64_t classes;
  int64_t bytes;     /* on disk, tables and indexes of the index (0 when
                        the backend cannot tell) */
} acc_corr_stats;

typedef int (*acc_corr_posting_cb)(void *ctx, const acc_corr_posting *p);
typedef int (*acc_corr_value_cb)(void *ctx, const acc_corr_value *v);
typedef int (*acc_corr_cls_cb)(void *ctx, const acc_corr_cls *c);

/* The postings of one value in one class, summed up. */
typedef struct acc_corr_agg {
  int64_t cls;
  int64_t n;          /* postings */
  int64_t t_min_us;   /* earliest start */
  int64_t t_max_us;   /* latest end */
  int64_t seq_max;    /* most recent version */
} acc_corr_agg;
typedef int (*acc_corr_agg_cb)(void *ctx, const acc_corr_agg *a);

/* ---- anonymiser and relay lists ---- */

/* Kinds of list entries; the numbers are stored. */
typedef enum acc_list_kind {
  ACC_LK_NONE = 0,
  ACC_LK_TOR_EXIT = 1,
  ACC_LK_VPN = 2,
  ACC_LK_PROXY = 3,
  ACC_LK_SCANNER = 4,
  ACC_LK_CDN = 5,
  ACC_LK_COUNT
} acc_list_kind;

typedef struct acc_list_info {
  int64_t lid;
  char name[128];
  char kind[16];    /* the --kind given, or "mixed" (CSV type column) */
  char format[16];  /* tor-exit, plain, csv */
  char source[256]; /* file imported from */
  int64_t imported_us;
  int64_t n_entries;
  int64_t valid_from_us;  /* earliest entry start (ACC_TIME_NONE = open) */
  int64_t valid_until_us; /* latest entry end (ACC_TIME_NONE = open) */
} acc_list_info;

/* One entry: a network valid over [valid_from_us, valid_until_us]
 * (ACC_TIME_NONE = open at that end). */
typedef struct acc_list_entry {
  int kind; /* acc_list_kind */
  uint8_t v6;
  uint8_t plen;
  uint8_t net[16];
  int64_t valid_from_us;
  int64_t valid_until_us;
} acc_list_entry;

/* One match of a lookup: the entry and its list's name. */
typedef struct acc_list_match {
  const acc_list_entry *e;
  const char *list; /* valid during the callback */
} acc_list_match;

typedef int (*acc_list_info_cb)(void *ctx, const acc_list_info *l);
typedef int (*acc_list_match_cb)(void *ctx, const acc_list_match *m);

#endif
