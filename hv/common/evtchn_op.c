/*
 * KEEL_HC_EVTCHN_OP and KEEL_HC_SET_CALLBACK: decode, check, one worker.
 *
 * Every check on the caller's arguments that does not need a lock is here,
 * once: the op must be readable, the command known, and every field the
 * command does not use must be 0.  Ports and domains are checked by the
 * workers under the locks that make the answer stick.
 */
#include <hv/evtchn.h>
#include <hv/hypercall.h>
#include <hv/guest_access.h>
#include <hv/domain.h>
#include <hv/lib.h>

#define F_PORT   (1u << 0)
#define F_RDOM   (1u << 1)
#define F_RPORT  (1u << 2)
#define F_VIRQ   (1u << 3)
#define F_STATE  (1u << 4)
#define F_DOM    (1u << 5)

/* Fields each command reads (STATUS ignores what it writes). */
static const uint8_t fields[] = {
    [KEEL_EVTCHNOP_ALLOC_UNBOUND]    = F_RDOM | F_DOM,
    [KEEL_EVTCHNOP_BIND_INTERDOMAIN] = F_RDOM | F_RPORT,
    [KEEL_EVTCHNOP_BIND_VIRQ]        = F_VIRQ,
    [KEEL_EVTCHNOP_SEND]             = F_PORT,
    [KEEL_EVTCHNOP_CLOSE]            = F_PORT,
    [KEEL_EVTCHNOP_STATUS]           = F_PORT | F_RDOM | F_RPORT | F_VIRQ | F_STATE,
    [KEEL_EVTCHNOP_UNMASK]           = F_PORT,
};

static bool unused_zero(const struct keel_evtchn_op *op, unsigned f)
{
    return ((f & F_PORT) || !op->port) && ((f & F_RDOM) || !op->remote_dom) &&
           ((f & F_RPORT) || !op->remote_port) && ((f & F_VIRQ) || !op->virq) &&
           ((f & F_STATE) || !op->state) && ((f & F_DOM) || !op->dom);
}

static long status(struct domain *d, uint64_t gva, struct keel_evtchn_op *op)
{
    long rc = evtchn_status(d, op);

    if (rc == 0 && copy_to_guest(d, gva, op, sizeof(*op)))
        rc = -KEEL_EFAULT;
    return rc;
}

/* ALLOC_UNBOUND, possibly in another domain's space (privileged: the
 * toolstack wires a connection before either end runs).  The reference
 * keeps the owner alive across the allocation; a dying owner's table is
 * marked dead, so the port cannot outlive it. */
static long alloc_unbound(struct domain *d, const struct keel_evtchn_op *op)
{
    struct domain *owner;
    long rc;

    if (op->dom == 0 || op->dom == KEEL_DOMID_SELF || op->dom == d->id)
        return evtchn_alloc_unbound(d, op->remote_dom);
    if (!d->privileged)
        return -KEEL_EPERM;
    if (!(owner = domain_get(op->dom)))
        return -KEEL_ESRCH;
    rc = evtchn_alloc_unbound(owner, op->remote_dom);
    domain_put(owner);
    return rc;
}

long hc_evtchn_op(struct vcpu *v, const struct hc_args *args)
{
    struct domain *d = v->domain;
    uint64_t cmd = args->a[0], gva = args->a[1];
    struct keel_evtchn_op op;

    if (cmd >= ARRAY_SIZE(fields) || !fields[cmd])
        return -KEEL_ENOSYS;
    if (copy_from_guest(d, &op, gva, sizeof(op)))
        return -KEEL_EFAULT;
    if (!unused_zero(&op, fields[cmd]))
        return -KEEL_EINVAL;
    switch (cmd) {
    case KEEL_EVTCHNOP_ALLOC_UNBOUND:
        return alloc_unbound(d, &op);
    case KEEL_EVTCHNOP_BIND_INTERDOMAIN:
        return evtchn_bind_interdomain(d, op.remote_dom, op.remote_port);
    case KEEL_EVTCHNOP_BIND_VIRQ:
        return evtchn_bind_virq(d, op.virq);
    case KEEL_EVTCHNOP_SEND:
        return evtchn_send(d, op.port);
    case KEEL_EVTCHNOP_CLOSE:
        return evtchn_close(d, op.port);
    case KEEL_EVTCHNOP_STATUS:
        return status(d, gva, &op);
    default:
        return evtchn_unmask(d, op.port);
    }
}

/* The entry must be executable now; if the guest later takes that right
 * away, entering the callback faults and crashes the domain, as any jump
 * to a non-executable page would. */
long hc_set_callback(struct vcpu *v, const struct hc_args *args)
{
    struct domain *d = v->domain;
    uint64_t entry = args->a[0];

    if (entry && guest_range_check(d, entry, 1, KEEL_RIGHT_X))
        return -KEEL_EFAULT;
    d->evtchn->upcall_entry = entry;
    return 0;
}
