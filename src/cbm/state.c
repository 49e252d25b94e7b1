/*
 * state.c — the life of a consultation, as a pure function of its
 * messages and the time:
 *
 *     open ──ack──▶ acknowledged ──reply──▶ answered ──close──▶ closed
 *       │  ╲___________reply___________↗        (close from any state)
 *       └─ ack_due passes ─▶ expired (acknowledgement)
 *          acknowledged, answer_due passes ─▶ expired (answer)
 *
 * A deadline is met by a message sent at or before it (t <= due).  Both
 * ends replay the same messages in the same order (opening first, then by
 * created and id), so they agree on the state whatever their clocks say;
 * only "now" (for expiry of what is still pending) is local.
 */
#include <string.h>

#include "cbm/cbm.h"
#include "util/time.h"

static const char *const state_names[] = {"open", "acknowledged", "answered",
                                          "closed", "expired"};
static const char *const action_names[] = {"open", "acknowledge", "reply",
                                           "close"};

const char *acc_cbm_state_name(acc_cbm_state s) {
  return (unsigned)s < ACC_CBM_N_STATES ? state_names[s] : "?";
}

acc_rc acc_cbm_state_parse(const char *s, acc_cbm_state *out) {
  for (int i = 0; s && i < ACC_CBM_N_STATES; i++)
    if (!strcmp(s, state_names[i])) {
      *out = (acc_cbm_state)i;
      return ACC_OK;
    }
  return ACC_EINVAL;
}

const char *acc_cbm_action_name(acc_cbm_action a) {
  return (unsigned)a <= ACC_CBM_MSG_CLOSE ? action_names[a] : "?";
}

acc_rc acc_cbm_action_parse(const char *s, acc_cbm_action *out) {
  for (int i = 0; s && i <= ACC_CBM_MSG_CLOSE; i++)
    if (!strcmp(s, action_names[i])) {
      *out = (acc_cbm_action)i;
      return ACC_OK;
    }
  return ACC_EINVAL;
}

const char *acc_cbm_role_name(acc_cbm_role r) {
  switch (r) {
  case ACC_CBM_REQUESTER:
    return "requester";
  case ACC_CBM_RESPONDER:
    return "responder";
  case ACC_CBM_OBSERVER:
    return "observer";
  default:
    return "none";
  }
}

const char *acc_cbm_missed_name(acc_cbm_missed m) {
  switch (m) {
  case ACC_CBM_MISSED_ACK:
    return "acknowledgement";
  case ACC_CBM_MISSED_ANSWER:
    return "answer";
  default:
    return "none";
  }
}

void acc_cbm_fsm_init(acc_cbm_fsm *f, int64_t opened_us, int64_t ack_due_us,
                      int64_t answer_due_us) {
  *f = (acc_cbm_fsm){.state = ACC_CBM_OPEN,
                     .missed = ACC_CBM_MISSED_NONE,
                     .opened_us = opened_us,
                     .ack_due_us = ack_due_us,
                     .answer_due_us = answer_due_us,
                     .acked_us = ACC_TIME_NONE,
                     .answered_us = ACC_TIME_NONE,
                     .closed_us = ACC_TIME_NONE,
                     .expired_us = ACC_TIME_NONE};
}

void acc_cbm_fsm_tick(acc_cbm_fsm *f, int64_t t) {
  if (f->state == ACC_CBM_OPEN && t > f->ack_due_us) {
    f->state = ACC_CBM_EXPIRED;
    f->missed = ACC_CBM_MISSED_ACK;
    f->expired_us = f->ack_due_us;
  } else if (f->state == ACC_CBM_ACKNOWLEDGED && t > f->answer_due_us) {
    f->state = ACC_CBM_EXPIRED;
    f->missed = ACC_CBM_MISSED_ANSWER;
    f->expired_us = f->answer_due_us;
  }
}

acc_rc acc_cbm_deadlines_check(int64_t opened, int64_t ack_due,
                               int64_t answer_due, acc_diag *d) {
  if (ack_due == ACC_TIME_NONE || answer_due == ACC_TIME_NONE)
    return acc_diag_set(d, ACC_EINVAL,
                        "both deadlines (acknowledgement and answer) are "
                        "needed");
  if (ack_due <= opened)
    return acc_diag_set(d, ACC_EINVAL,
                        "the acknowledgement must be due after the opening");
  if (answer_due < ack_due)
    return acc_diag_set(d, ACC_EINVAL,
                        "the answer cannot be due before the "
                        "acknowledgement");
  return ACC_OK;
}

static acc_rc refuse_expired(const acc_cbm_fsm *f, acc_diag *d) {
  char ts[ACC_TIME_BUFSZ];
  acc_time_format_ms(f->expired_us, ts);
  return acc_diag_set(d, ACC_EINVAL,
                      "the consultation expired at %s: no %s came by then "
                      "(only closing it is left)",
                      ts, acc_cbm_missed_name(f->missed));
}

acc_rc acc_cbm_fsm_apply(acc_cbm_fsm *f, acc_cbm_action a, acc_cbm_role r,
                         int64_t t, acc_diag *d) {
  if (a == ACC_CBM_MSG_OPEN)
    return acc_diag_set(d, ACC_EINVAL,
                        "a consultation is opened once, by its first "
                        "message");
  if (r != ACC_CBM_REQUESTER && r != ACC_CBM_RESPONDER)
    return acc_diag_set(d, ACC_EINVAL,
                        r == ACC_CBM_OBSERVER
                            ? "observers follow a consultation but send "
                              "nothing in it"
                            : "only the two parties send messages in a "
                              "consultation");
  if (f->state == ACC_CBM_CLOSED)
    return acc_diag_set(d, ACC_EINVAL, "the consultation is closed");
  if (t < f->opened_us)
    return acc_diag_set(d, ACC_EINVAL, "a message dated before the opening");
  acc_cbm_fsm n = *f;
  acc_cbm_fsm_tick(&n, t);
  switch (a) {
  case ACC_CBM_MSG_ACK:
    if (r != ACC_CBM_RESPONDER)
      return acc_diag_set(d, ACC_EINVAL,
                          "only the state consulted acknowledges");
    if (n.state == ACC_CBM_EXPIRED)
      return refuse_expired(&n, d);
    if (n.state != ACC_CBM_OPEN)
      return acc_diag_set(d, ACC_EINVAL, "already acknowledged");
    n.state = ACC_CBM_ACKNOWLEDGED;
    n.acked_us = t;
    break;
  case ACC_CBM_MSG_REPLY:
    if (n.state == ACC_CBM_EXPIRED)
      return refuse_expired(&n, d);
    if (r == ACC_CBM_RESPONDER) {
      if (n.state == ACC_CBM_OPEN)
        n.acked_us = t;
      if (n.state != ACC_CBM_ANSWERED)
        n.answered_us = t;
      n.state = ACC_CBM_ANSWERED;
    }
    break;
  case ACC_CBM_MSG_CLOSE:
    n.state = ACC_CBM_CLOSED;
    n.closed_us = t;
    break;
  default:
    return acc_diag_set(d, ACC_EINVAL, "unknown action");
  }
  *f = n;
  return ACC_OK;
}
