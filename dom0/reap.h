/*
 * Watching the running guests until every one has ended (reap.c).
 *
 * The hypervisor raises VIRQ_DOM_EXC (and, for compatibility, sets
 * KEEL_PENDING_DOMAIN) whenever a domain shuts down or crashes, and queues
 * its id for KEEL_DOMCTL_NEXT_ENDED.  After one full look at every guest,
 * each event drains that queue and asks only the named guests for their
 * state; an end during the drain leaves a new event for the next round.
 * Ended guests are reported (`exit`, plus the crash report as `msg`
 * lines) and destroyed.
 */
#ifndef DOM0_REAP_H
#define DOM0_REAP_H

#include "builder.h"

/* Bind VIRQ_DOM_EXC; before the first guest starts, so no end is missed.
 * Without it (an old hypervisor) the wait falls back to the pending bit. */
void reap_watch(void);

/* Wait for every guest in g[0..n) whose status is -1 (running) to end; then
 * return the run's status: 0 if every status is 0, else the first non-zero
 * status in command-line order. */
int reap_all(struct guest *g, unsigned n);

/* Report and destroy one guest that GET_INFO found ended (or vanished). */
void reap_one(struct guest *g, const struct keel_domain_info *info);

#endif /* DOM0_REAP_H */
