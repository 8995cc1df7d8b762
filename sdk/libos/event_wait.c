/*
 * Waiting for an event: the calling thread sleeps in the scheduler on
 * "this port was received" (a bit the upcall dispatcher sets).
 */
#include <libos/event.h>
#include <libos/time.h>
#include "internal.h"

static int port_received(void *port)
{
    return libos_evtchn_received((uint32_t)(uintptr_t)port);
}

int libos_evtchn_wait(keel_evtchn_port_t port, uint64_t deadline_ns)
{
    for (;;) {
        if (libos_evtchn_take(port))
            return 1;
        if (libos_monotonic_ns() >= deadline_ns)
            return 0;
        libos_sched_wait(port_received, (void *)(uintptr_t)port, deadline_ns);
    }
}
