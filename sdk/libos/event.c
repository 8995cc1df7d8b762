/*
 * Event channels in the libos: the hypercall wrappers, the per-port
 * handler table, and the dispatcher the upcall entry (upcall.S) calls.
 *
 * The dispatcher follows the order keel/shared_info.h prescribes: clear
 * upcall_pending, then take pending_sel, then take the pending bits of
 * unmasked ports (one atomic and per word, so each event is taken once).
 * A port with a handler runs it; any other port is recorded in its received bit
 * for libos_evtchn_wait().  The dispatcher touches nothing else, so it may
 * interrupt any thread at any instruction.
 */
#include <libos/event.h>
#include <libos/hypercall.h>
#include "internal.h"

#define VI (&libos_shinfo->vcpu_info[0])

/* The handler table and the received bits are libos_evtchn_slots and
 * libos_evtchn_recv_bits, as long as the program's table
 * (libos_evtchn_nports: libos/event.h, event_table.c). */

static long op(uint32_t cmd, struct keel_evtchn_op *o)
{
    return keel_hypercall2(KEEL_HC_EVTCHN_OP, cmd, (uint64_t)(uintptr_t)o);
}

static int port_ok(keel_evtchn_port_t port)
{
    return port > 0 && port < libos_evtchn_nports;
}

long libos_evtchn_alloc_unbound(keel_domid_t remote)
{
    struct keel_evtchn_op o = { .remote_dom = remote };
    return op(KEEL_EVTCHNOP_ALLOC_UNBOUND, &o);
}

long libos_evtchn_alloc_unbound_in(keel_domid_t owner, keel_domid_t remote)
{
    struct keel_evtchn_op o = { .remote_dom = remote, .dom = owner };
    return op(KEEL_EVTCHNOP_ALLOC_UNBOUND, &o);
}

long libos_evtchn_bind_interdomain(keel_domid_t remote, keel_evtchn_port_t rport)
{
    struct keel_evtchn_op o = { .remote_dom = remote, .remote_port = rport };
    return op(KEEL_EVTCHNOP_BIND_INTERDOMAIN, &o);
}

long libos_evtchn_bind_virq(uint32_t virq)
{
    struct keel_evtchn_op o = { .virq = virq };
    return op(KEEL_EVTCHNOP_BIND_VIRQ, &o);
}

long libos_evtchn_send(keel_evtchn_port_t port)
{
    struct keel_evtchn_op o = { .port = port };
    return op(KEEL_EVTCHNOP_SEND, &o);
}

long libos_evtchn_status(keel_evtchn_port_t port, struct keel_evtchn_op *out)
{
    *out = (struct keel_evtchn_op){ .port = port };
    return op(KEEL_EVTCHNOP_STATUS, out);
}

long libos_evtchn_close(keel_evtchn_port_t port)
{
    long rc = libos_evtchn_set_handler(port, 0, 0);

    if (rc == 0 && port_ok(port))
        __atomic_fetch_and(&libos_evtchn_recv_bits[port / 64], ~(1ull << (port % 64)), __ATOMIC_SEQ_CST);
    struct keel_evtchn_op o = { .port = port };
    return op(KEEL_EVTCHNOP_CLOSE, &o);
}

void libos_evtchn_mask(keel_evtchn_port_t port)
{
    if (port_ok(port))
        __atomic_fetch_or(&libos_shinfo->evtchn_mask[port / 64], 1ull << (port % 64),
                          __ATOMIC_SEQ_CST);
}

/* Clear the bit ourselves; only if the port turns out pending does the
 * hypervisor have to deliver it (keel/event_channel.h). */
long libos_evtchn_unmask(keel_evtchn_port_t port)
{
    uint64_t b = 1ull << (port % 64);

    if (!port_ok(port))
        return -KEEL_EINVAL;
    __atomic_fetch_and(&libos_shinfo->evtchn_mask[port / 64], ~b, __ATOMIC_SEQ_CST);
    if (!(__atomic_load_n(&libos_shinfo->evtchn_pending[port / 64], __ATOMIC_SEQ_CST) & b))
        return 0;
    struct keel_evtchn_op o = { .port = port };
    return op(KEEL_EVTCHNOP_UNMASK, &o);
}

/* Handlers change with upcalls masked, so the dispatcher never sees a
 * handler with another port's argument. */
long libos_evtchn_set_handler(keel_evtchn_port_t port, libos_evtchn_handler_t fn, void *arg)
{
    int old;

    if (!port_ok(port))
        return -KEEL_EINVAL;
    old = libos_events_mask();
    libos_evtchn_slots[port].fn = fn;
    libos_evtchn_slots[port].arg = arg;
    libos_events_restore(old);
    return 0;
}

libos_evtchn_handler_t libos_evtchn_get_handler(keel_evtchn_port_t port, void **arg)
{
    if (!port_ok(port))
        return 0;
    *arg = libos_evtchn_slots[port].arg;
    return libos_evtchn_slots[port].fn;
}

int libos_evtchn_take(keel_evtchn_port_t port)
{
    uint64_t b = 1ull << (port % 64);

    if (!port_ok(port))
        return 0;
    return !!(__atomic_fetch_and(&libos_evtchn_recv_bits[port / 64], ~b, __ATOMIC_SEQ_CST) & b);
}

int libos_evtchn_received(keel_evtchn_port_t port)
{
    return port_ok(port) && ((libos_evtchn_recv_bits[port / 64] >> (port % 64)) & 1);
}

static void run_port(unsigned port)
{
    if (!port_ok(port))
        return;                 /* beyond the table: nobody could wait on it */
    if (libos_evtchn_slots[port].fn)
        libos_evtchn_slots[port].fn(port, libos_evtchn_slots[port].arg);
    else
        __atomic_fetch_or(&libos_evtchn_recv_bits[port / 64], 1ull << (port % 64), __ATOMIC_SEQ_CST);
}

static void dispatch_word(volatile struct keel_shared_info *si, unsigned w)
{
    uint64_t bits = si->evtchn_pending[w] & ~si->evtchn_mask[w];

    bits &= __atomic_fetch_and(&si->evtchn_pending[w], ~bits, __ATOMIC_SEQ_CST);
    while (bits) {
        unsigned b = (unsigned)__builtin_ctzll(bits);
        bits &= bits - 1;
        run_port(w * 64 + b);
    }
}

void libos_evtchn_dispatch(void)
{
    volatile struct keel_shared_info *si = libos_shinfo;
    uint64_t sel;

    __atomic_store_n(&VI->upcall_pending, 0, __ATOMIC_SEQ_CST);
    for (unsigned s = 0; s < KEEL_EVTCHN_SEL_WORDS; s++) {
        sel = __atomic_exchange_n(&VI->pending_sel[s], 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned w = s * 64 + (unsigned)__builtin_ctzll(sel);

            sel &= sel - 1;
            dispatch_word(si, w);
        }
    }
}

int libos_events_mask(void)
{
    return __atomic_exchange_n(&VI->upcall_mask, 1, __ATOMIC_SEQ_CST);
}

/* What the hypervisor would have done had upcalls been on: run the
 * dispatcher (masked) until nothing is pending. */
void libos_events_poll(void)
{
    while (__atomic_load_n(&VI->upcall_pending, __ATOMIC_SEQ_CST))
        libos_evtchn_dispatch();
}

void libos_events_restore(int old)
{
    if (old)
        return;
    for (;;) {
        libos_events_poll();
        __atomic_store_n(&VI->upcall_mask, 0, __ATOMIC_SEQ_CST);
        if (!__atomic_load_n(&VI->upcall_pending, __ATOMIC_SEQ_CST))
            return;
        /* it came before we unmasked: the hypervisor will not enter us
         * for it until our next exit, so take it ourselves */
        __atomic_store_n(&VI->upcall_mask, 1, __ATOMIC_SEQ_CST);
    }
}
