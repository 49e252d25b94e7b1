/*
 * record.h — what the sensor keeps of one session and what it makes of
 * it: Cowrie-compatible JSON event lines (eventid, timestamp, src_ip,
 * session, ...) and, when the session ends, a STIX 2.1 observed-data with
 * its SCOs.  Pure functions of the record; the event loop owns records.
 */
#ifndef ACC_SENSOR_RECORD_H
#define ACC_SENSOR_RECORD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/error.h"

/* Bounds on what one session contributes to its observed-data (the event
 * lines keep everything; STIX keeps this many distinct values). */
#define ACC_REC_MAX_CREDS 16
#define ACC_REC_MAX_URLS 16
#define ACC_REC_MAX_IPS 16
#define ACC_REC_MAX_FILES 4
#define ACC_REC_FIELD_MAX 128 /* username, password */
#define ACC_REC_URL_MAX 1024

typedef struct acc_sensor_cred {
  char *user;
  char *pass;
  int ok; /* the policy let it in */
} acc_sensor_cred;

typedef struct acc_sensor_file {
  char sha256[65];
  char md5[33];
  size_t size;
} acc_sensor_file;

typedef struct acc_sensor_rec {
  char session[13];     /* 12 hex digits, as Cowrie's */
  const char *protocol; /* "ssh", "telnet" or "http" (static) */
  char src_ip[46];
  unsigned src_port;
  char dst_ip[46];
  unsigned dst_port;
  int64_t start_us, end_us;
  acc_sensor_cred creds[ACC_REC_MAX_CREDS];
  size_t n_creds;
  char *urls[ACC_REC_MAX_URLS];
  size_t n_urls;
  char *ips[ACC_REC_MAX_IPS];
  size_t n_ips;
  acc_sensor_file files[ACC_REC_MAX_FILES];
  size_t n_files;
  char *http_method; /* request line of an HTTP session, NULL otherwise */
  char *http_target;
  char *http_version;
  size_t bytes; /* heap held by the record's strings */
} acc_sensor_rec;

/* Start a record (fills session with a random id). */
void acc_sensor_rec_init(acc_sensor_rec *r, const char *protocol);
void acc_sensor_rec_free(acc_sensor_rec *r);
/* Keep a login attempt / URL / address / payload for the STIX of the
 * session; values past the bounds are not kept (ACC_OK all the same);
 * ACC_ENOMEM only when malloc fails. */
acc_rc acc_sensor_rec_cred(acc_sensor_rec *r, const char *user,
                           const char *pass, int ok);
acc_rc acc_sensor_rec_url(acc_sensor_rec *r, const char *url, size_t n);
acc_rc acc_sensor_rec_ip(acc_sensor_rec *r, const char *ip, size_t n);
void acc_sensor_rec_file(acc_sensor_rec *r, const void *data, size_t n);
acc_rc acc_sensor_rec_http(acc_sensor_rec *r, const char *method, size_t mn,
                           const char *target, size_t tn, const char *version,
                           size_t vn);

/*
 * One Cowrie event as a JSON line (with '\n') appended to out: eventid,
 * timestamp (ts_us), src_ip, src_port, dst_ip, dst_port, session,
 * sensor, protocol, message, then fields (a JSON object, stolen; may be
 * NULL).
 */
acc_rc acc_sensor_event(const acc_sensor_rec *r, const char *sensor,
                        int64_t ts_us, const char *eventid, const char *message,
                        json_t *fields, acc_buf *out);

/*
 * The STIX 2.1 objects of a finished session as one compact JSON array
 * (one line, no newline) appended to out: the source and destination
 * addresses, the network-traffic, a user-account per credential tried, a
 * url per download attempt, an ipv4-addr per address named in injected
 * commands, a file per payload, and the observed-data referring to them
 * all.  SCO ids are the deterministic ones (STIX §2.9).
 */
acc_rc acc_sensor_stix(const acc_sensor_rec *r, acc_buf *out);

/* Attacker text as a JSON string (bytes that are not UTF-8 replaced). */
json_t *acc_sensor_jstr(const char *s);

/* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" from libsodium's RNG. */
void acc_sensor_uuid4(char out[37]);

#endif
