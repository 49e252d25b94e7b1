/*
 * time.h — STIX/TAXII timestamps (RFC 3339, UTC, "Z") as microseconds since
 * the Unix epoch, which is how the store keeps and orders them.
 */
#ifndef ACC_TIME_H
#define ACC_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Marks an absent timestamp. */
#define ACC_TIME_NONE INT64_MIN

/* Buffer size for acc_time_format (with microseconds and NUL, with room for any
 * year). */
#define ACC_TIME_BUFSZ 48

/*
 * Parse "YYYY-MM-DDTHH:MM:SS[.fraction]Z".  Digits beyond microseconds are
 * accepted and truncated.  With check_calendar, impossible dates (30
 * February) are rejected; without it only the field ranges are checked.
 * *out is written only on success.
 */
acc_rc acc_time_parse(const char *s, size_t len, int check_calendar,
                      int64_t *out);

/* Format with exactly six fractional digits: 2016-01-20T12:31:12.123000Z */
void acc_time_format(int64_t us, char out[ACC_TIME_BUFSZ]);

/* Format with three fractional digits (STIX's usual millisecond form). */
void acc_time_format_ms(int64_t us, char out[ACC_TIME_BUFSZ]);

/* The current time in microseconds. */
int64_t acc_time_now_us(void);

#endif
