/*
 * Event channels inside the hypervisor (hv/common/evtchn*.c); the contract
 * is keel/event_channel.h.
 *
 *   evtchn_bits.c   pure: the port bitmap and the shared-info bit protocol
 *                   (unit-tested on the host, tests/unit/evtchn_bits_test.c)
 *   evtchn.c        per-domain port tables, locking, bind/close/status
 *   evtchn_send.c   send, virtual IRQs, unmask, the upcall decision
 *   evtchn_op.c     the two hypercalls: decode, check, call one worker
 *
 * Locking.  Each domain's ports are under its evtchn_dom.lock.  An operation
 * on two domains takes both locks, the lower domid first.  Lock order:
 * domain table lock -> timer list locks -> evtchn locks -> rq_lock.
 *
 * Lifetime.  An INTERDOMAIN port holds a plain pointer to its peer domain.
 * That is safe because destroying a domain closes every one of its ports
 * (taking the peer's lock too) before anything is freed, and marks the
 * table dead first so that nothing binds to it afterwards.  Whoever holds a
 * port's lock and sees it INTERDOMAIN may therefore use the peer.  Code that
 * must drop a lock to take two in order holds a domain reference
 * (domain_ref/domain_put) across the gap.
 */
#ifndef HV_EVTCHN_H
#define HV_EVTCHN_H

#include <stdint.h>
#include <stdbool.h>
#include <keel/domctl.h>
#include <keel/event_channel.h>
#include <keel/shared_info.h>
#include "lib.h"

struct domain;
struct vcpu;
struct hc_args;

/* ---- evtchn_bits.c (pure) ---- */
/* Lowest free port in 1 .. max_port in a bitmap of at least
 * evtchn_bitmap_words(max_port) words, marked used; -KEEL_ENOSPC if none.
 * The test and free take ports of 1 .. KEEL_EVTCHN_PORTS - 1: callers
 * check a port against the bitmap's max_port first. */
static inline unsigned evtchn_bitmap_words(unsigned max_port)
{
    return max_port / 64 + 1;
}
int evtchn_bitmap_alloc(uint64_t *used, unsigned max_port);
void evtchn_bitmap_free(uint64_t *used, unsigned port);
bool evtchn_bitmap_test(const uint64_t *used, unsigned port);
/* Set port pending in si.  Returns true when the vCPU must be notified:
 * the bit was newly set, the port is not masked, and upcall_pending was
 * clear before. */
bool evtchn_si_set_pending(struct keel_shared_info *si, unsigned port);
/* Clear the mask bit; returns true when the vCPU must be notified (the
 * port was pending: delivered as a new event). */
bool evtchn_si_unmask(struct keel_shared_info *si, unsigned port);
/* Clear port's pending bit; returns whether it was set. */
bool evtchn_si_take_pending(struct keel_shared_info *si, unsigned port);
/* A FREE -> in-use port starts clean: not pending, not masked. */
void evtchn_si_reset(struct keel_shared_info *si, unsigned port);

/* ---- evtchn.c ---- */
enum evtchn_state {
    ECS_FREE = KEEL_EVTCHNSTAT_FREE,
    ECS_UNBOUND = KEEL_EVTCHNSTAT_UNBOUND,
    ECS_INTERDOMAIN = KEEL_EVTCHNSTAT_INTERDOMAIN,
    ECS_VIRQ = KEEL_EVTCHNSTAT_VIRQ,
    ECS_PIRQ = KEEL_EVTCHNSTAT_PIRQ,
};

struct evtchn {
    uint8_t state;              /* enum evtchn_state */
    uint8_t virq;               /* ECS_VIRQ */
    bool latched;               /* ECS_UNBOUND: an event waits for the binder */
    uint8_t pirq;               /* ECS_PIRQ: the interrupt slot (hv/pci.h) */
    uint16_t remote_id;         /* UNBOUND: offered to; INTERDOMAIN: peer */
    uint16_t remote_port;       /* INTERDOMAIN */
    union {
        struct domain *peer;    /* INTERDOMAIN */
        uint64_t offer_serial;  /* UNBOUND: serial of the domain offered to */
    };
};

/* A bucket is one frame out of the domain's charge; its evtchn_ports
 * limit bounds how many it gets (hv/common/limits.c). */
#define EVTCHN_BUCKET_PORTS KEEL_HV_PORTS_PER_FRAME
#define EVTCHN_BUCKETS      (KEEL_EVTCHN_PORTS / EVTCHN_BUCKET_PORTS)
#define EVTCHN_INLINE_PORTS 4

struct evtchn_dom {
    spinlock_t lock;
    bool dead;                           /* being destroyed: no new binds */
    uint64_t upcall_entry;               /* SET_CALLBACK; 0 = none */
    uint16_t virq_port[KEEL_NR_VIRQS];   /* 0 = not bound */
    struct evtchn *bucket[EVTCHN_BUCKETS];  /* allocated on first use */
    /* ports 0 .. EVTCHN_INLINE_PORTS - 1 (0 unused): a guest's first
     * ports, so that one with a console and a NIC (one port) takes no
     * bucket frame */
    struct evtchn inline_slot[EVTCHN_INLINE_PORTS];
    /* ports 0 .. limits.evtchn_ports, bit 0 always set: a guest with the
     * default 255 ports pays 32 bytes, not the whole space's 1.5 KiB */
    uint64_t used[];
};

int evtchn_domain_init(struct domain *d);       /* 0 / -KEEL_ENOMEM */
/* Close every port (peers become UNBOUND and are told); no new bindings. */
void evtchn_domain_close_all(struct domain *d);
void evtchn_domain_free(struct domain *d);      /* memory only */

/* The port's slot if it is in use, else NULL; under d's lock. */
struct evtchn *evtchn_port(struct domain *d, unsigned port);
void evtchn_lock_pair(struct domain *a, struct domain *b);
void evtchn_unlock_pair(struct domain *a, struct domain *b);

long evtchn_alloc_unbound(struct domain *d, uint32_t remote_dom);
long evtchn_bind_interdomain(struct domain *d, uint32_t remote_dom, uint32_t rport);
long evtchn_bind_virq(struct domain *d, uint32_t virq);
/* A new PIRQ port for interrupt slot pirq (pci_irq.c); closing it calls
 * pci_irq_port_closed. */
long evtchn_bind_pirq(struct domain *d, unsigned pirq);
long evtchn_close(struct domain *d, uint32_t port);
long evtchn_status(struct domain *d, struct keel_evtchn_op *op);

/* ---- evtchn_send.c ---- */
/* Mark port pending in d and notify d's vCPU; under d's lock. */
void evtchn_deliver(struct domain *d, unsigned port);
long evtchn_send(struct domain *d, uint32_t port);
long evtchn_unmask(struct domain *d, uint32_t port);
/* Raise a virtual IRQ of d (no-op if not bound).  Any context but d's
 * evtchn lock. */
void evtchn_send_virq(struct domain *d, unsigned virq);
/* Interrupt slot pirq fired: port of d, if it is still that slot's. */
void evtchn_send_pirq(struct domain *d, unsigned port, unsigned pirq);
/* On the way back to ring 3: if v should take an upcall now, set its
 * upcall_mask and return the entry point; else 0. */
uint64_t evtchn_upcall_take(struct vcpu *v);

/* ---- evtchn_op.c: the hypercalls ---- */
long hc_evtchn_op(struct vcpu *v, const struct hc_args *args);
long hc_set_callback(struct vcpu *v, const struct hc_args *args);

#endif /* HV_EVTCHN_H */
