/*
 * Watching the running guests until every one has ended (reap.c).
 *
 * The hypervisor sets KEEL_PENDING_DOMAIN in dom0's shared info whenever a
 * domain shuts down or crashes; it does not say which.  So each time the
 * bit is seen it is cleared first (atomically, before the scan: an end that
 * happens during the scan sets it again and is caught by the next round)
 * and every live guest is asked for its state.  Ended guests are reported
 * (`exit`, plus the crash report as `msg` lines) and destroyed.
 */
#ifndef DOM0_REAP_H
#define DOM0_REAP_H

#include "builder.h"

/* Wait for every guest in g[0..n) whose status is -1 (running) to end; then
 * return the run's status: 0 if every status is 0, else the first non-zero
 * status in command-line order. */
int reap_all(struct guest *g, unsigned n);

/* Report and destroy one guest that GET_INFO found ended (or vanished). */
void reap_one(struct guest *g, const struct keel_domain_info *info);

#endif /* DOM0_REAP_H */
