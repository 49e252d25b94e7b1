/*
 * time.c — RFC 3339 UTC timestamp parsing and formatting, done by hand
 * (no timegm, no locale) so it is exact, fast and the same everywhere.
 */
#include "util/time.h"

#include <stdio.h>
#include <time.h>

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = (int64_t)yoe + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int)(yy + (*m <= 2));
}

static int is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

acc_rc acc_time_parse(const char *s, size_t len, int check_calendar,
                      int64_t *out) {
  int y, mo, d, h, mi, se;
  if (len < 20)
    return ACC_EINVAL;
  if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
      digits(s + 8, 2, &d) || s[10] != 'T' || digits(s + 11, 2, &h) ||
      s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
      digits(s + 17, 2, &se))
    return ACC_EINVAL;
  size_t i = 19;
  int64_t frac = 0;
  if (s[i] == '.') {
    i++;
    size_t start = i;
    int n = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
      if (n < 6) {
        frac = frac * 10 + (s[i] - '0');
        n++;
      }
      i++;
    }
    if (i == start)
      return ACC_EINVAL;
    while (n++ < 6)
      frac *= 10;
  }
  if (i + 1 != len || s[i] != 'Z')
    return ACC_EINVAL;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
    return ACC_EINVAL;
  if (check_calendar) {
    static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    int max = mdays[mo - 1] + (mo == 2 && is_leap(y));
    if (d > max)
      return ACC_EINVAL;
  }
  int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + se;
  *out = secs * 1000000 + frac;
  return ACC_OK;
}

static void split(int64_t us, int64_t *secs, int64_t *frac) {
  *secs = us / 1000000;
  *frac = us % 1000000;
  if (*frac < 0) {
    *frac += 1000000;
    *secs -= 1;
  }
}

/* Write n digits of v (zero-padded) at p. */
static char *put_digits(char *p, unsigned v, int n) {
  for (int i = n - 1; i >= 0; i--) {
    p[i] = (char)('0' + v % 10);
    v /= 10;
  }
  return p + n;
}

/* Format by hand: this runs once per object in audit entries and
 * listings, where snprintf's cost shows. */
static void fmt(int64_t us, char out[ACC_TIME_BUFSZ], int ms) {
  int64_t secs, frac;
  split(us, &secs, &frac);
  int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days -= 1;
  }
  int y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  if (y < 0 || y > 9999) { /* outside RFC 3339: fall back */
    snprintf(out, ACC_TIME_BUFSZ, "%04d-%02u-%02uT%02d:%02d:%02d.%06dZ", y, m,
             d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
             (int)frac);
    return;
  }
  char *p = out;
  p = put_digits(p, (unsigned)y, 4);
  *p++ = '-';
  p = put_digits(p, m, 2);
  *p++ = '-';
  p = put_digits(p, d, 2);
  *p++ = 'T';
  p = put_digits(p, (unsigned)(rem / 3600), 2);
  *p++ = ':';
  p = put_digits(p, (unsigned)(rem / 60 % 60), 2);
  *p++ = ':';
  p = put_digits(p, (unsigned)(rem % 60), 2);
  *p++ = '.';
  p = ms ? put_digits(p, (unsigned)(frac / 1000), 3)
         : put_digits(p, (unsigned)frac, 6);
  *p++ = 'Z';
  *p = '\0';
}

void acc_time_format(int64_t us, char out[ACC_TIME_BUFSZ]) {
  fmt(us, out, 0);
}

void acc_time_format_ms(int64_t us, char out[ACC_TIME_BUFSZ]) {
  fmt(us, out, 1);
}

int64_t acc_time_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
