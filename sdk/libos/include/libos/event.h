/*
 * Event channels for applications and drivers (keel/event_channel.h is the
 * hypervisor's contract; this is the libos's layer on top).
 *
 * Contract:
 *  - Functions return a port (> 0) or 0 on success, -KEEL_Exxx on failure,
 *    exactly as the hypervisor answered.  They never set errno.
 *  - The libos registers its upcall entry at start of day, so events are
 *    delivered asynchronously: when a port becomes pending its handler (if
 *    any) runs on the current stack, in "upcall context", with further
 *    upcalls masked.  A handler may: read and write memory, use atomics,
 *    call libos_evtchn_send/unmask/mask.  It MUST NOT block, yield, call
 *    thread, mutex or stdio functions, or malloc: like a signal handler.
 *    It needs about 4 KiB of stack below whatever it interrupted.
 *  - A port without a handler is recorded as received; libos_evtchn_wait()
 *    takes it.  Threads that must do real work on an event wait for it.
 *  - Many events on a port before it is handled are one event.
 *  - libos_events_mask() / libos_events_restore() bracket code that shares
 *    data with a handler, like disabling interrupts.
 */
#ifndef LIBOS_EVENT_H
#define LIBOS_EVENT_H

#include <stdint.h>
#include <keel/domctl.h>
#include <keel/event_channel.h>

typedef void (*libos_evtchn_handler_t)(keel_evtchn_port_t port, void *arg);

/*
 * The handler table covers ports 1 .. n - 1.  The libos's own (n = 256)
 * covers a guest's default port limit, so a guest does not carry a table
 * for the whole port space (192 KiB).  A program allowed more ports (dom0)
 * writes LIBOS_EVTCHN_TABLE(n) at file scope in one of its files, which
 * replaces the libos's.  Ports at or above n are -KEEL_EINVAL to
 * set_handler, and take/wait never see them.
 */
struct libos_evtchn_slot {
    libos_evtchn_handler_t fn;
    void *arg;
};
#define LIBOS_EVTCHN_DEFAULT_PORTS (KEEL_DEFAULT_EVTCHN_PORTS + 1)
#define LIBOS_EVTCHN_TABLE(n)                                               \
    struct libos_evtchn_slot libos_evtchn_slots[(n)];                        \
    volatile uint64_t libos_evtchn_recv_bits[((n) + 63) / 64];                \
    const unsigned libos_evtchn_nports = (n)
extern struct libos_evtchn_slot libos_evtchn_slots[];
extern volatile uint64_t libos_evtchn_recv_bits[];
extern const unsigned libos_evtchn_nports;

long libos_evtchn_alloc_unbound(keel_domid_t remote);
/* Privileged domains only: a new UNBOUND port in owner's port space,
 * offered to remote (a toolstack wiring a connection before either end
 * runs; keel/event_channel.h).  The port, owner's, or -KEEL_Exxx. */
long libos_evtchn_alloc_unbound_in(keel_domid_t owner, keel_domid_t remote);
long libos_evtchn_bind_interdomain(keel_domid_t remote, keel_evtchn_port_t rport);
long libos_evtchn_bind_virq(uint32_t virq);
long libos_evtchn_send(keel_evtchn_port_t port);
/* Also forgets the port's handler and any event recorded for it. */
long libos_evtchn_close(keel_evtchn_port_t port);
long libos_evtchn_status(keel_evtchn_port_t port, struct keel_evtchn_op *out);

/* Per-port mask bit (events stay pending while masked). */
void libos_evtchn_mask(keel_evtchn_port_t port);
long libos_evtchn_unmask(keel_evtchn_port_t port);

/* fn (NULL: none) runs in upcall context for every event on port. */
long libos_evtchn_set_handler(keel_evtchn_port_t port, libos_evtchn_handler_t fn,
                              void *arg);

/* port's handler (NULL: none) and, in *arg, its argument. */
libos_evtchn_handler_t libos_evtchn_get_handler(keel_evtchn_port_t port, void **arg);

/* Blocks (the calling thread, see libos/thread.h) until an event on port
 * (one without a handler) has been received, or monotonic deadline_ns
 * (LIBOS_FOREVER: none).  Returns 1 and consumes the event, or 0 at the
 * deadline. */
int libos_evtchn_wait(keel_evtchn_port_t port, uint64_t deadline_ns);
/* Non-blocking: 1 (and consumed) if an event was received on port. */
int libos_evtchn_take(keel_evtchn_port_t port);

/* Mask all upcalls; returns the previous state for libos_events_restore,
 * which delivers whatever came in meanwhile. */
int libos_events_mask(void);
void libos_events_restore(int old);

#endif /* LIBOS_EVENT_H */
