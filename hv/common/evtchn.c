/*
 * Per-domain port tables: allocating, binding, closing and describing
 * ports.  See hv/evtchn.h for the locking and lifetime rules and
 * keel/event_channel.h for the semantics.
 *
 * A domain's table is a bitmap of used ports (as long as its limit) plus
 * up to 48 buckets of 256 slots, each bucket one frame out of the domain's
 * charge, allocated the first time one of its ports is (whoever asks: the
 * domain, or the toolstack allocating in its space): a domain with a
 * handful of ports costs one frame, one with all 12287 forty-eight; its
 * first ports (below EVTCHN_INLINE_PORTS) are in the table itself, so a
 * guest with one to three costs none.  Ports above the domain's
 * evtchn_ports limit are never handed out, so its buckets stay inside its
 * reserve.
 * Buckets never move or go away before the domain does, so a slot pointer
 * stays valid while its lock is held, even across another allocation.
 */
#include <hv/evtchn.h>
#include <hv/domain.h>
#include <hv/pci.h>
#include <hv/lib.h>

static inline bool port_ok(uint32_t port)
{
    return port != 0 && port < KEEL_EVTCHN_PORTS;
}

/* A guest's table with the default limit stays in the 512-byte heap
 * class (the 1344-byte one next would cost every guest 832 bytes). */
_Static_assert(sizeof(struct evtchn_dom) +
               sizeof(uint64_t) * (KEEL_DEFAULT_EVTCHN_PORTS / 64 + 1) <= 512,
               "a default guest's port table fits 512 bytes");

/* Its limit is fixed at creation, so the bitmap is sized once. */
int evtchn_domain_init(struct domain *d)
{
    unsigned words = evtchn_bitmap_words(d->limits.evtchn_ports);

    d->evtchn = kzalloc(sizeof(*d->evtchn) + words * sizeof(uint64_t));
    if (!d->evtchn)
        return -KEEL_ENOMEM;
    d->evtchn->used[0] = 1;
    return 0;
}

void evtchn_domain_free(struct domain *d)
{
    if (!d->evtchn)
        return;
    for (unsigned i = 0; i < EVTCHN_BUCKETS; i++)
        charge_page_free(d->evtchn->bucket[i]);
    kfree(d->evtchn);
    d->evtchn = NULL;
}

struct evtchn *evtchn_port(struct domain *d, unsigned port)
{
    struct evtchn_dom *e = d->evtchn;

    if (port > d->limits.evtchn_ports || !evtchn_bitmap_test(e->used, port))
        return NULL;
    if (port < EVTCHN_INLINE_PORTS)
        return &e->inline_slot[index_nospec(port, EVTCHN_INLINE_PORTS)];
    port = (unsigned)index_nospec(port, KEEL_EVTCHN_PORTS);
    return &e->bucket[port / EVTCHN_BUCKET_PORTS][port % EVTCHN_BUCKET_PORTS];
}

/* Serials are never reused, unlike ids (a dying domain's id may already
 * name a new domain), so they give a total order. */
void evtchn_lock_pair(struct domain *a, struct domain *b)
{
    if (a == b) {
        spin_lock(&a->evtchn->lock);
        return;
    }
    if (a->serial > b->serial) {
        struct domain *t = a;
        a = b;
        b = t;
    }
    spin_lock(&a->evtchn->lock);
    spin_lock(&b->evtchn->lock);
}

void evtchn_unlock_pair(struct domain *a, struct domain *b)
{
    spin_unlock(&a->evtchn->lock);
    if (a != b)
        spin_unlock(&b->evtchn->lock);
}

/* A new port in d with a zeroed slot and clean shared-info bits; under d's
 * lock.  A dying domain gets no new ports. */
static long port_alloc(struct domain *d, struct evtchn **out)
{
    struct evtchn_dom *e = d->evtchn;
    struct evtchn **bucket;
    int port;

    if (e->dead)
        return -KEEL_ESRCH;
    port = evtchn_bitmap_alloc(e->used, d->limits.evtchn_ports);
    if (port < 0)
        return port;
    bucket = &e->bucket[port / EVTCHN_BUCKET_PORTS];
    if (!*bucket && port >= EVTCHN_INLINE_PORTS && !(*bucket = charge_page(&d->charge))) {
        evtchn_bitmap_free(e->used, (unsigned)port);
        return -KEEL_ENOMEM;
    }
    *out = evtchn_port(d, (unsigned)port);
    memset(*out, 0, sizeof(**out));
    evtchn_si_reset(d->shared_info, (unsigned)port);
    return port;
}

static void port_free(struct domain *d, unsigned port)
{
    memset(evtchn_port(d, port), 0, sizeof(struct evtchn));
    evtchn_bitmap_free(d->evtchn->used, port);
    evtchn_si_reset(d->shared_info, port);
}

long evtchn_alloc_unbound(struct domain *d, uint32_t remote_dom)
{
    uint32_t rid = remote_dom == KEEL_DOMID_SELF ? d->id : remote_dom;
    struct domain *r = domain_get(rid);
    struct evtchn *c;
    uint64_t serial;
    long port;

    if (!r)
        return -KEEL_ESRCH;
    serial = r->serial;
    domain_put(r);
    spin_lock(&d->evtchn->lock);
    port = port_alloc(d, &c);
    if (port > 0) {
        c->state = ECS_UNBOUND;
        c->remote_id = (uint16_t)rid;
        c->offer_serial = serial;
    }
    spin_unlock(&d->evtchn->lock);
    return port;
}

/* Both locks held.  An event latched on the remote port while it was
 * unbound is delivered on the new local port. */
static long bind_locked(struct domain *d, struct domain *r, uint32_t rport)
{
    struct evtchn *rc, *lc;
    bool latched;
    long port;

    if (r->evtchn->dead)
        return -KEEL_ESRCH;
    if (!(rc = evtchn_port(r, rport)))
        return -KEEL_ENOENT;
    if (rc->state != ECS_UNBOUND)
        return -KEEL_EBUSY;
    if (rc->remote_id != d->id || rc->offer_serial != d->serial)
        return -KEEL_EACCES;
    if ((port = port_alloc(d, &lc)) < 0)
        return port;
    *lc = (struct evtchn){ .state = ECS_INTERDOMAIN, .remote_id = r->id,
                           .remote_port = (uint16_t)rport, .peer = r };
    latched = rc->latched;
    *rc = (struct evtchn){ .state = ECS_INTERDOMAIN, .remote_id = d->id,
                           .remote_port = (uint16_t)port, .peer = d };
    if (latched)
        evtchn_deliver(d, (unsigned)port);
    return port;
}

long evtchn_bind_interdomain(struct domain *d, uint32_t remote_dom, uint32_t rport)
{
    uint32_t rid = remote_dom == KEEL_DOMID_SELF ? d->id : remote_dom;
    struct domain *r;
    long rc;

    if (!port_ok(rport))
        return -KEEL_EINVAL;
    if (!(r = domain_get(rid)))
        return -KEEL_ESRCH;
    evtchn_lock_pair(d, r);
    rc = bind_locked(d, r, rport);
    evtchn_unlock_pair(d, r);
    domain_put(r);
    return rc;
}

static bool virq_allowed(struct domain *d, uint32_t virq)
{
    return virq == KEEL_VIRQ_TIMER || d->privileged;
}

long evtchn_bind_virq(struct domain *d, uint32_t virq)
{
    struct evtchn *c;
    long port;

    if (virq >= KEEL_NR_VIRQS)
        return -KEEL_EINVAL;
    if (!virq_allowed(d, virq))
        return -KEEL_EPERM;
    if (virq == KEEL_VIRQ_CONSOLE && !arch_console_irq())
        return -KEEL_ENODEV;          /* it would never fire: poll instead */
    spin_lock(&d->evtchn->lock);
    if (d->evtchn->virq_port[virq]) {
        port = -KEEL_EEXIST;
    } else if ((port = port_alloc(d, &c)) > 0) {
        c->state = ECS_VIRQ;
        c->virq = (uint8_t)virq;
        d->evtchn->virq_port[virq] = (uint16_t)port;
    }
    spin_unlock(&d->evtchn->lock);
    return port;
}

long evtchn_bind_pirq(struct domain *d, unsigned pirq)
{
    struct evtchn *c;
    long port;

    spin_lock(&d->evtchn->lock);
    if ((port = port_alloc(d, &c)) > 0) {
        c->state = ECS_PIRQ;
        c->pirq = (uint8_t)pirq;
    }
    spin_unlock(&d->evtchn->lock);
    return port;
}

/* Both locks held.  The peer's end goes back to UNBOUND, offered to d, and
 * is told; an event d had not consumed yet waits there for d's re-bind. */
static void close_interdomain(struct domain *d, unsigned port, struct evtchn *c)
{
    struct domain *p = c->peer;
    unsigned pport = c->remote_port;
    struct evtchn *pc = evtchn_port(p, pport);
    bool unconsumed = evtchn_si_take_pending(d->shared_info, port);

    BUG_ON(!pc || pc->state != ECS_INTERDOMAIN || pc->peer != d);
    *pc = (struct evtchn){ .state = ECS_UNBOUND, .remote_id = d->id,
                           .latched = unconsumed, .offer_serial = d->serial };
    port_free(d, port);
    evtchn_deliver(p, pport);
}

/* d's lock held; c is not INTERDOMAIN. */
static void close_local(struct domain *d, unsigned port, struct evtchn *c)
{
    if (c->state == ECS_VIRQ)
        d->evtchn->virq_port[c->virq] = 0;
    if (c->state == ECS_PIRQ)
        pci_irq_port_closed(d, c->pirq);
    port_free(d, port);
}

/* To take the peer's lock in order we may have to drop ours; the peer is
 * kept alive by a reference meanwhile, and if the port changed in the gap
 * (the peer closed its end first) we start over. */
long evtchn_close(struct domain *d, uint32_t port)
{
    if (!port_ok(port))
        return -KEEL_EINVAL;
    for (;;) {
        struct evtchn *c;
        struct domain *p;
        bool done;

        spin_lock(&d->evtchn->lock);
        if (!(c = evtchn_port(d, port))) {
            spin_unlock(&d->evtchn->lock);
            return -KEEL_ENOENT;
        }
        if (c->state != ECS_INTERDOMAIN || c->peer == d) {
            if (c->state == ECS_INTERDOMAIN)
                close_interdomain(d, port, c);     /* loopback: one lock */
            else
                close_local(d, port, c);
            spin_unlock(&d->evtchn->lock);
            return 0;
        }
        p = c->peer;
        domain_ref(p);
        spin_unlock(&d->evtchn->lock);
        evtchn_lock_pair(d, p);
        c = evtchn_port(d, port);
        done = c && c->state == ECS_INTERDOMAIN && c->peer == p;
        if (done)
            close_interdomain(d, port, c);
        evtchn_unlock_pair(d, p);
        domain_put(p);
        if (done)
            return 0;
    }
}

void evtchn_domain_close_all(struct domain *d)
{
    struct evtchn_dom *e = d->evtchn;

    spin_lock(&e->lock);
    e->dead = true;
    spin_unlock(&e->lock);
    /* No port can appear now; peers may still turn ours UNBOUND, which
     * close handles like any other state. */
    for (unsigned w = 0; w < evtchn_bitmap_words(d->limits.evtchn_ports); w++) {
        uint64_t bits = __atomic_load_n(&e->used[w], __ATOMIC_RELAXED);
        for (unsigned b = 0; b < 64; b++)
            if ((bits >> b) & 1 && (w || b))
                evtchn_close(d, w * 64 + b);
    }
}

long evtchn_status(struct domain *d, struct keel_evtchn_op *op)
{
    struct evtchn *c;
    long rc = 0;

    if (!port_ok(op->port))
        return -KEEL_EINVAL;
    spin_lock(&d->evtchn->lock);
    if (!(c = evtchn_port(d, op->port))) {
        rc = -KEEL_ENOENT;
    } else {
        op->state = c->state;
        op->remote_dom = c->state == ECS_UNBOUND || c->state == ECS_INTERDOMAIN
                         ? c->remote_id : 0;
        op->remote_port = c->state == ECS_INTERDOMAIN ? c->remote_port : 0;
        op->virq = c->state == ECS_VIRQ ? c->virq : 0;
    }
    spin_unlock(&d->evtchn->lock);
    return rc;
}
