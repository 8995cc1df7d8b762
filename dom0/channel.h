/*
 * Inter-domain channels (keel/channel.h) between guests of a run, as the
 * manifest's "connect" lines ask.
 *
 * A channel needs both guests to exist before either runs: the granter's
 * entry names the mapper's domain and port, the mapper's names the
 * granter's domain and grant reference.  So guests with channels are built
 * held (struct guest.hold, paused, device page written with placeholders),
 * then chan_wire() allocates each mapper's port (privileged ALLOC_UNBOUND
 * in the mapper's space, offered to the granter) and completes both
 * entries, and only then does main release them (builder_release writes
 * the final device page and unpauses).
 *
 *   chan_setup(m)        once, before any guest is planned
 *   chan_held(i)         does guest i take part in a channel?
 *   chan_plan(g)         builder's plan step: g's entries, ring pages
 *   chan_wire(g, n)      after every guest was built, before releasing
 *
 * A guest whose peer could not be built keeps running with that channel's
 * entry removed (type 0), so opening it fails with ENOENT instead of
 * waiting for a peer that will never come.
 */
#ifndef DOM0_CHANNEL_H
#define DOM0_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>
#include "manifest.h"

struct guest;

/* 0, or -1 (out of memory: reported, channels disabled). */
int chan_setup(const struct manifest *m);
bool chan_held(uint32_t idx);
/* 0, or -1 when g's device page has no room for its channels. */
int chan_plan(struct guest *g);
void chan_wire(struct guest *g, uint32_t n);

#endif /* DOM0_CHANNEL_H */
