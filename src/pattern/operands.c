/*
 * operands.c — the literal operands of an indicator pattern's equality,
 * IN and ISSUBSET comparisons, with their object path: what correlation
 * (src/correlate/extract.c) indexes of an indicator.  Negated comparisons
 * are left out: `NOT =` says nothing is that value.
 */
#include <stdio.h>
#include <string.h>

#include "pattern/pattern_int.h"

/* The path after the type, keys joined by '.', list steps as "[*]". */
static void render_path(const acc_ppath *p, char *out, size_t size) {
  size_t k = 0;
  out[0] = '\0';
  for (unsigned i = 0; i < p->nsteps && k + 1 < size; i++) {
    const acc_pstep *s = &p->steps[i];
    int w;
    if (s->kind == PS_KEY)
      w = snprintf(out + k, size - k, "%s%.*s", i ? "." : "", (int)s->keylen,
                   s->key);
    else
      w = snprintf(out + k, size - k, "[*]");
    if (w < 0)
      break;
    k += (size_t)w;
    if (k >= size)
      k = size - 1;
  }
}

static int emit(const acc_pcmp *c, const char *path, int op,
                const acc_pval *v, acc_pattern_operand_fn fn, void *ctx) {
  acc_pattern_operand o = {.type = c->path.type, .path = path, .op = op};
  if (v->kind == PV_STR) {
    o.value = v->s;
    o.len = v->n;
  } else if (v->kind == PV_INT) {
    o.is_int = 1;
    o.ival = v->u.i;
  } else {
    return 0;
  }
  return fn(ctx, &o);
}

int acc_pattern_operands(const acc_pattern *p, acc_pattern_operand_fn fn,
                         void *ctx) {
  char path[512];
  for (unsigned k = 0; k < p->ncmps; k++) {
    const acc_pcmp *c = p->cmps[k];
    if (c->negated)
      continue;
    int stop = 0;
    switch (c->op) {
    case PC_EQ:
      render_path(&c->path, path, sizeof path);
      stop = emit(c, path, '=', &c->val, fn, ctx);
      break;
    case PC_IN:
      render_path(&c->path, path, sizeof path);
      for (unsigned i = 0; i < c->nset && !stop; i++)
        stop = emit(c, path, 'I', &c->set[i], fn, ctx);
      break;
    case PC_SUBSET:
      render_path(&c->path, path, sizeof path);
      stop = emit(c, path, 'S', &c->val, fn, ctx);
      break;
    default:
      break;
    }
    if (stop)
      return stop;
  }
  return 0;
}
