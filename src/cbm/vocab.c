/*
 * vocab.c — the fixed lists of confidence-building: kinds of consultation
 * (after the OSCE CBMs and UN GGE 2015 norms (h) and (j)), urgencies and
 * the deadlines they set by default, point-of-contact levels and channel
 * types.
 */
#include <stdio.h>
#include <string.h>

#include "cbm/cbm.h"

#define MIN (INT64_C(60) * 1000000)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

const char *const acc_cbm_kinds[] = {
    "clarification",              /* CBM 3: clear up a misperception */
    "assistance-request",         /* norm (h): critical infrastructure hit */
    "activity-notification",      /* norm (c): activity from your territory */
    "vulnerability-notification", /* norm (j) */
    NULL};

const char *const acc_cbm_levels[] = {"policy", "technical", NULL};

const char *const acc_cbm_channel_types[] = {
    "email", "phone", "fax", "messaging", "taxii", "url", "other", NULL};

static const acc_cbm_urgency urgencies[] = {
    {"routine", 3 * DAY, 30 * DAY},
    {"priority", 1 * DAY, 7 * DAY},
    {"urgent", 4 * HOUR, 3 * DAY},
    {"critical", 1 * HOUR, 1 * DAY},
};

const acc_cbm_urgency *acc_cbm_urgencies(size_t *n) {
  *n = sizeof urgencies / sizeof urgencies[0];
  return urgencies;
}

const acc_cbm_urgency *acc_cbm_urgency_find(const char *key) {
  for (size_t i = 0; key && i < sizeof urgencies / sizeof urgencies[0]; i++)
    if (!strcmp(urgencies[i].key, key))
      return &urgencies[i];
  return NULL;
}

int acc_cbm_in(const char *const *list, const char *s) {
  for (size_t i = 0; s && list[i]; i++)
    if (!strcmp(list[i], s))
      return 1;
  return 0;
}

void acc_cbm_list_text(const char *const *list, char *out, size_t size) {
  size_t k = 0;
  if (size)
    out[0] = '\0';
  for (size_t i = 0; list[i] && k < size; i++) {
    int n = snprintf(out + k, size - k, "%s%s", i ? ", " : "", list[i]);
    if (n < 0)
      break;
    k += (size_t)n;
  }
}
