/*
 * Byte-stream rings: one direction of a byte stream over shared memory, used
 * by the console and by inter-domain channels.  (Request/response protocols
 * use keel/ring.h instead.)
 *
 * A stream is a control block plus a data area of `size` bytes, size a
 * power of two.  prod and cons are free-running 32-bit byte counters:
 * prod - cons bytes are readable at data[cons % size ...], and
 * size - (prod - cons) bytes are writable.  Only the producer writes prod,
 * only the consumer writes cons.
 *
 * Notification suppression, as in keel/ring.h: the consumer sets
 * prod_event = cons + 1 before it sleeps ("wake me when anything new
 * arrives"), the producer notifies only when its update of prod crossed
 * prod_event; symmetrically the producer sets cons_event when it waits for
 * space.  Each side, after publishing its counter, issues a full fence and
 * re-reads the other side's event index, so a wake-up is never missed.
 *
 * Neither side trusts the other: a consumer that reads prod - cons > size
 * (or a producer that reads it) treats the stream as corrupt and closes the
 * connection instead of following the index.
 *
 * Every Keel end (hypervisor, launcher, libos, backends) moves bytes with
 * one implementation of this layout, lib/stream (stream/stream.h).
 */
#ifndef KEEL_PUBLIC_STREAM_H
#define KEEL_PUBLIC_STREAM_H

#include "abi.h"

struct keel_stream {
    volatile uint32_t prod;
    volatile uint32_t prod_event;
    volatile uint32_t cons;
    volatile uint32_t cons_event;
};

/* bytes readable; > size means the peer corrupted the counters */
static inline uint32_t keel_stream_used(const struct keel_stream *s)
{
    return s->prod - s->cons;
}

/* Did moving a counter from old to new cross event index ev?  (Same test as
 * keel/ring.h's notify check, on byte counters.) */
static inline int keel_stream_need_notify(uint32_t old, uint32_t new_, uint32_t ev)
{
    return (uint32_t)(new_ - ev) < (uint32_t)(new_ - old);
}

#endif /* KEEL_PUBLIC_STREAM_H */
