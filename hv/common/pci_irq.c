/*
 * Interrupts of lent functions (keel/pci.h "Interrupts").  Each bound
 * function has a slot: its owner, its PIRQ port, and why its IOAPIC pin is
 * masked.  The pin is unmasked exactly when the slot is bound to a port,
 * not in service (an interrupt came and the owner has not acknowledged it)
 * and not masked by the owner; line_apply sets it so under irq_lock,
 * after every change.  PCI INTx is a level: masking it until the owner has
 * serviced its device is what keeps a line that stays asserted from
 * storming the CPU.
 *
 * The slot table and the port close each other down in either order: the
 * port's close (CLOSE, RELEASE, DESTROY) frees the slot
 * (pci_irq_port_closed, under the owner's evtchn lock), and an interrupt
 * takes a domain reference under irq_lock before it sends, so the domain
 * outlives the send (DESTROY closes its ports, then waits for references).
 */
#include <hv/pci.h>
#include <hv/evtchn.h>
#include <hv/domain.h>
#include <hv/lib.h>

struct irq_slot {
    struct domain *owner;        /* NULL: free */
    uint16_t bdf;
    uint16_t port;               /* 0 while being bound */
    bool in_service;             /* fired, not acknowledged */
    bool masked;                 /* IRQ_MASK */
};

static struct irq_slot slots[KEEL_PCI_IRQ_LINES];
static spinlock_t irq_lock = SPINLOCK_INIT;

/* Under irq_lock. */
static void line_apply(unsigned s)
{
    const struct irq_slot *x = &slots[s];

    arch_pci_irq_mask(s, !(x->owner && x->port && !x->in_service && !x->masked));
}

/* Under irq_lock; -1 if f has no slot of d's. */
static int slot_of(const struct domain *d, const struct pci_func *f)
{
    for (unsigned s = 0; s < KEEL_PCI_IRQ_LINES; s++)
        if (slots[s].owner == d && slots[s].bdf == f->info.bdf)
            return (int)s;
    return -1;
}

static long slot_reserve(struct domain *d, const struct pci_func *f)
{
    long rc = -KEEL_ENOSPC;

    spin_lock(&irq_lock);
    if (slot_of(d, f) >= 0) {
        rc = -KEEL_EEXIST;
    } else {
        for (unsigned s = 0; s < KEEL_PCI_IRQ_LINES && rc < 0; s++)
            if (!slots[s].owner) {
                slots[s] = (struct irq_slot){ .owner = d, .bdf = f->info.bdf };
                rc = s;
            }
    }
    spin_unlock(&irq_lock);
    return rc;
}

static void slot_free(unsigned s)
{
    spin_lock(&irq_lock);
    slots[s] = (struct irq_slot){ 0 };
    spin_unlock(&irq_lock);
}

/* The port may have been closed already, if d is being destroyed (DESTROY
 * closes ports while the owner's vCPU may still be in this call): the
 * slot is then free or someone else's, and the bind fails. */
static long slot_connect(struct domain *d, unsigned s, long port)
{
    long rc = -KEEL_ESRCH;

    spin_lock(&irq_lock);
    if (slots[s].owner == d && !slots[s].port) {
        slots[s].port = (uint16_t)port;
        line_apply(s);
        rc = port;
    }
    spin_unlock(&irq_lock);
    return rc;
}

long pci_irq_bind(struct domain *d, struct pci_func *f)
{
    long s, port;
    int rc;

    if (!f->info.irq_pin || f->info.irq_line == 0xff)
        return -KEEL_ENODEV;
    if (pci_line_shared_with_kept(f))
        return -KEEL_EBUSY;
    if ((s = slot_reserve(d, f)) < 0)
        return s;
    if ((rc = arch_pci_irq_route((unsigned)s, f->info.irq_line))) {
        slot_free((unsigned)s);
        return rc;
    }
    if ((port = evtchn_bind_pirq(d, (unsigned)s)) < 0) {
        arch_pci_irq_unroute((unsigned)s);
        slot_free((unsigned)s);
        return port;
    }
    return slot_connect(d, (unsigned)s, port);
}

long pci_irq_control(struct domain *d, const struct pci_func *f, uint32_t cmd)
{
    long rc = 0;
    int s;

    spin_lock(&irq_lock);
    if ((s = slot_of(d, f)) < 0 || !slots[s].port) {
        rc = -KEEL_ENOENT;
    } else {
        if (cmd == KEEL_PCIOP_IRQ_ACK)
            slots[s].in_service = false;
        else
            slots[s].masked = cmd == KEEL_PCIOP_IRQ_MASK;
        line_apply((unsigned)s);
    }
    spin_unlock(&irq_lock);
    return rc;
}

/* RELEASE, by the owner's own vCPU: nobody else closes its ports. */
void pci_irq_unbind_func(struct domain *d, const struct pci_func *f)
{
    unsigned port = 0;
    int s;

    spin_lock(&irq_lock);
    if ((s = slot_of(d, f)) >= 0)
        port = slots[s].port;
    spin_unlock(&irq_lock);
    if (port)
        evtchn_close(d, port);
}

void pci_irq_port_closed(struct domain *d, unsigned slot)
{
    if (slot >= KEEL_PCI_IRQ_LINES)
        return;
    spin_lock(&irq_lock);
    if (slots[slot].owner == d) {
        arch_pci_irq_unroute(slot);
        slots[slot] = (struct irq_slot){ 0 };
    }
    spin_unlock(&irq_lock);
}

/* The arch masked the pin and sent the EOI; it stays masked until the
 * owner acknowledges (or for good, if the slot is no longer bound). */
__noreturn void hv_pci_interrupt(unsigned slot)
{
    struct domain *d = NULL;
    unsigned port = 0;

    spin_lock(&irq_lock);
    if (slot < KEEL_PCI_IRQ_LINES && slots[slot].owner && slots[slot].port) {
        slots[slot].in_service = true;
        line_apply(slot);           /* masked already; keeps the state so */
        d = slots[slot].owner;
        port = slots[slot].port;
        domain_ref(d);
    }
    spin_unlock(&irq_lock);
    if (d) {
        evtchn_send_pirq(d, port, slot);
        domain_put(d);
    }
    schedule_and_return();
}
