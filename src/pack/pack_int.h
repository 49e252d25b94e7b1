/*
 * pack_int.h — what the pack builder (build.c) hands the statement writer
 * (html.c): the case and, decided once, what of it is released.
 */
#ifndef ACC_PACK_INT_H
#define ACC_PACK_INT_H

#include "case/case_int.h"
#include "pack/pack.h"

typedef struct pk_release {
  const acc_case *c;
  acc_tlp release;
  int draft;
  const char *signer; /* the organisation releasing (the case's) */
  const char *key_id;
  size_t *exhibit;     /* per evidence item: exhibit number, 0 = withheld */
  char **source_label; /* per evidence item: its sources as released */
  size_t n_exhibits;
  size_t withheld; /* including items the builder cannot see */
  json_t *jointly; /* names of the partners who concur */
  json_t *caveats; /* texts as released */
  int rule_met;
} pk_release;

/* The statement of reasons. */
acc_rc acc_pack_html(const pk_release *r, acc_buf *out);

/* "Exhibits 1, 3 and 4" for the exhibits among ev (n of them) — or
 * "no released exhibit". */
acc_rc acc_pack_cite(const pk_release *r, unsigned link, acc_buf *out);

#endif
