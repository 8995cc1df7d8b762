/*
 * Sending: interdomain events, virtual IRQs, unmasking, and the decision
 * to enter a domain's upcall.  The bit protocol is in evtchn_bits.c; this
 * file adds who gets notified and under which lock.
 *
 * A send holds only the sender's lock.  That is enough: the peer's end of
 * an INTERDOMAIN pair changes only with both locks held, and the peer
 * cannot be freed while the pair exists (hv/evtchn.h).  An event sent on an
 * UNBOUND port is latched in the port and delivered to whoever binds it
 * next, so a peer that closes and re-binds misses nothing.
 */
#include <hv/evtchn.h>
#include <hv/domain.h>
#include <hv/lib.h>

void evtchn_deliver(struct domain *d, unsigned port)
{
    if (evtchn_si_set_pending(d->shared_info, port))
        vcpu_notify(d->vcpu);
}

long evtchn_send(struct domain *d, uint32_t port)
{
    struct evtchn *c;
    long rc = 0;

    if (port == 0 || port >= KEEL_EVTCHN_PORTS)
        return -KEEL_EINVAL;
    spin_lock(&d->evtchn->lock);
    c = evtchn_port(d, port);
    if (!c)
        rc = -KEEL_ENOENT;
    else if (c->state == ECS_INTERDOMAIN)
        evtchn_deliver(c->peer, c->remote_port);
    else if (c->state == ECS_UNBOUND)
        c->latched = true;
    else
        rc = -KEEL_EINVAL;
    spin_unlock(&d->evtchn->lock);
    return rc;
}

long evtchn_unmask(struct domain *d, uint32_t port)
{
    long rc = 0;

    if (port == 0 || port >= KEEL_EVTCHN_PORTS)
        return -KEEL_EINVAL;
    spin_lock(&d->evtchn->lock);
    if (!evtchn_port(d, port))
        rc = -KEEL_ENOENT;
    else if (evtchn_si_unmask(d->shared_info, port))
        vcpu_notify(d->vcpu);
    spin_unlock(&d->evtchn->lock);
    return rc;
}

void evtchn_send_virq(struct domain *d, unsigned virq)
{
    unsigned port;

    if (virq >= KEEL_NR_VIRQS || !d->evtchn)
        return;
    spin_lock(&d->evtchn->lock);
    port = d->evtchn->virq_port[virq];
    if (port)
        evtchn_deliver(d, port);
    spin_unlock(&d->evtchn->lock);
}

void evtchn_send_pirq(struct domain *d, unsigned port, unsigned pirq)
{
    struct evtchn *c;

    spin_lock(&d->evtchn->lock);
    c = evtchn_port(d, port);
    if (c && c->state == ECS_PIRQ && c->pirq == pirq)
        evtchn_deliver(d, port);
    spin_unlock(&d->evtchn->lock);
}

/* Only v's own CPU calls this, on v's way out, and only v's own
 * SET_CALLBACK writes upcall_entry: no lock.  The guest is not running
 * meanwhile, so nothing else changes upcall_mask; other CPUs only ever set
 * upcall_pending, and one set after this check kicks v out again. */
uint64_t evtchn_upcall_take(struct vcpu *v)
{
    struct domain *d = v->domain;
    struct keel_vcpu_info *vi = &d->shared_info->vcpu_info[0];
    uint64_t entry = d->evtchn->upcall_entry;

    if (!entry || !__atomic_load_n(&vi->upcall_pending, __ATOMIC_ACQUIRE))
        return 0;
    if (__atomic_exchange_n(&vi->upcall_mask, 1, __ATOMIC_ACQ_REL) != 0)
        return 0;
    return entry;
}
