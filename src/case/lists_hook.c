/*
 * lists_hook.c — where the anonymiser caveat learns which IP addresses
 * were anonymisers or relays at a given time.  The lists themselves
 * (Tor exits, VPNs, proxies ...) belong to the correlation subsystem;
 * this build has none yet, so the hook is empty and the caveat is never
 * raised.
 */
#include "case/case.h"

const acc_case_lists_fn acc_case_default_lists = NULL;
