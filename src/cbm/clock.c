/*
 * clock.c — the time consultations are judged by, and durations.
 *
 * Deadlines are compared with "now", which tests (and anyone replaying a
 * situation) may pin: a pinned value passed by the caller (`--now`),
 * else $ACCORD_NOW, else the system clock.  Everything is kept to the
 * millisecond, as STIX timestamps are written.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbm/cbm.h"
#include "util/time.h"

#define MS INT64_C(1000)

acc_rc acc_cbm_env_now(int64_t *out, acc_diag *d) {
  const char *e = getenv("ACCORD_NOW");
  if (!e || !*e)
    return ACC_ENOTFOUND;
  int64_t t;
  if (acc_time_parse(e, strlen(e), 1, &t))
    return acc_diag_set(d, ACC_EUSAGE,
                        "ACCORD_NOW='%.64s' is not a timestamp like "
                        "2026-03-01T12:00:00Z",
                        e);
  *out = t;
  return ACC_OK;
}

int64_t acc_cbm_now(int64_t pinned) {
  int64_t t = pinned;
  if (t == ACC_TIME_NONE && acc_cbm_env_now(&t, NULL) != ACC_OK)
    t = acc_time_now_us();
  return t - ((t % MS) + MS) % MS;
}

acc_rc acc_cbm_duration(const char *s, int64_t *out_us, acc_diag *d) {
  const char *p = s;
  int64_t total = 0;
  int parts = 0;
  if (!s || !*s)
    return acc_diag_set(d, ACC_EUSAGE, "an empty duration (say 90m, 4h, 3d)");
  while (*p) {
    if (!isdigit((unsigned char)*p))
      goto bad;
    char *end;
    unsigned long long v = strtoull(p, &end, 10);
    if (end == p || v > 100000000ULL)
      goto bad;
    int64_t unit;
    switch (*end) {
    case 's':
      unit = INT64_C(1000000);
      break;
    case 'm':
      unit = INT64_C(60000000);
      break;
    case 'h':
      unit = INT64_C(3600000000);
      break;
    case 'd':
      unit = INT64_C(86400000000);
      break;
    case 'w':
      unit = INT64_C(604800000000);
      break;
    default:
      goto bad;
    }
    if ((int64_t)v > INT64_MAX / 4 / unit)
      goto bad;
    total += (int64_t)v * unit;
    if (total > INT64_MAX / 4)
      goto bad;
    p = end + 1;
    parts++;
  }
  if (!parts || total <= 0)
    goto bad;
  *out_us = total;
  return ACC_OK;
bad:
  return acc_diag_set(d, ACC_EUSAGE,
                      "'%.64s' is not a duration: a number and a unit s, m, "
                      "h, d or w (90m, 4h, 3d, 1d12h)",
                      s ? s : "");
}

void acc_cbm_duration_text(int64_t us, char *out, size_t size) {
  int64_t s = us / 1000000;
  if (s < 0)
    s = -s;
  int64_t dd = s / 86400, hh = s % 86400 / 3600, mm = s % 3600 / 60;
  if (dd && hh)
    snprintf(out, size, "%lldd %lldh", (long long)dd, (long long)hh);
  else if (dd)
    snprintf(out, size, "%lldd", (long long)dd);
  else if (hh && mm)
    snprintf(out, size, "%lldh %lldm", (long long)hh, (long long)mm);
  else if (hh)
    snprintf(out, size, "%lldh", (long long)hh);
  else if (mm)
    snprintf(out, size, "%lldm", (long long)mm);
  else
    snprintf(out, size, "%llds", (long long)s);
}
