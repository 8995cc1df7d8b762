/*
 * Interrupts of lent functions (keel/pci.h "Interrupts", "MSI-X").  Each
 * bound interrupt has a slot: its owner, its PIRQ port, and for an INTx
 * line why its IOAPIC pin is masked, for an MSI-X vector its table entry.
 * Slots 0 .. KEEL_PCI_IRQ_LINES - 1 are INTx lines, the
 * KEEL_PCI_MSIX_VECTORS after them MSI-X vectors; a function binds one
 * kind or the other, never both (an enabled MSI-X silences INTx).
 *
 * An INTx pin is unmasked exactly when the slot is bound to a port, not in
 * service (an interrupt came and the owner has not acknowledged it) and
 * not masked by the owner; line_apply sets it so under irq_lock, after
 * every change.  PCI INTx is a level: masking it until the owner has
 * serviced its device is what keeps a line that stays asserted from
 * storming the CPU.  An MSI-X message is an edge: nothing to hold, its
 * entry stays unmasked while bound (pci_msix.c writes it).
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
    uint16_t entry;              /* MSI-X: the table entry */
    bool in_service;             /* INTx: fired, not acknowledged */
    bool masked;                 /* INTx: IRQ_MASK */
};

#define ANY_ENTRY 0xffffffffu

static struct irq_slot slots[PCI_IRQ_SLOTS];
static spinlock_t irq_lock = SPINLOCK_INIT;

static bool is_msix(unsigned s)
{
    return s >= KEEL_PCI_IRQ_LINES;
}

/* Under irq_lock. */
static void line_apply(unsigned s)
{
    const struct irq_slot *x = &slots[s];

    if (!is_msix(s))
        arch_pci_irq_mask(s, !(x->owner && x->port && !x->in_service && !x->masked));
}

static unsigned kind_first(bool msix)
{
    return msix ? KEEL_PCI_IRQ_LINES : 0;
}

static unsigned kind_end(bool msix)
{
    return msix ? PCI_IRQ_SLOTS : KEEL_PCI_IRQ_LINES;
}

/* Under irq_lock: the slot of d's for f among the INTx lines or the MSI-X
 * vectors (with this entry, or any), or -1. */
static int slot_of(const struct domain *d, const struct pci_func *f, bool msix, uint32_t entry)
{
    for (unsigned s = kind_first(msix); s < kind_end(msix); s++)
        if (slots[s].owner == d && slots[s].bdf == f->info.bdf &&
            (!msix || entry == ANY_ENTRY || slots[s].entry == entry))
            return (int)s;
    return -1;
}

/* Under irq_lock: whether d holds its whole share of MSI-X vectors
 * (limits.msix_vectors; the machine's pool is shared, the share is not). */
static bool msix_share_used(const struct domain *d)
{
    unsigned held = 0;

    for (unsigned s = kind_first(true); s < kind_end(true); s++)
        held += slots[s].owner == d;
    return held >= d->limits.msix_vectors;
}

static long slot_take(struct domain *d, const struct pci_func *f, bool msix, uint32_t entry)
{
    if (msix && msix_share_used(d))
        return -KEEL_ENOSPC;
    for (unsigned s = kind_first(msix); s < kind_end(msix); s++)
        if (!slots[s].owner) {
            slots[s] = (struct irq_slot){ .owner = d, .bdf = f->info.bdf,
                                          .entry = (uint16_t)entry };
            return s;
        }
    return -KEEL_ENOSPC;
}

static long slot_reserve(struct domain *d, const struct pci_func *f, bool msix, uint32_t entry)
{
    long rc;

    spin_lock(&irq_lock);
    if (slot_of(d, f, msix, entry) >= 0)
        rc = -KEEL_EEXIST;
    else if (slot_of(d, f, !msix, ANY_ENTRY) >= 0)
        rc = -KEEL_EBUSY;            /* the other kind is bound */
    else
        rc = slot_take(d, f, msix, entry);
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
 * slot is then free or someone else's, and the bind fails.  An MSI-X
 * entry is written only here, so a slot with a port is one whose entry
 * is on (pci_irq_port_closed turns it off). */
static long slot_connect(struct domain *d, struct pci_func *f, unsigned s, long port,
                         uint64_t addr, uint32_t data)
{
    long rc = -KEEL_ESRCH;

    spin_lock(&irq_lock);
    if (slots[s].owner == d && !slots[s].port) {
        slots[s].port = (uint16_t)port;
        if (is_msix(s))
            pci_msix_entry_on(f, slots[s].entry, addr, data);
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
    if ((s = slot_reserve(d, f, false, 0)) < 0)
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
    return slot_connect(d, f, (unsigned)s, port, 0, 0);
}

long pci_msix_bind(struct domain *d, struct pci_func *f, uint32_t entry)
{
    uint64_t addr;
    uint32_t data;
    long s, port;

    if (!f->msix_table)
        return -KEEL_ENODEV;
    if (entry >= f->msix.entries)
        return -KEEL_EINVAL;
    if ((s = slot_reserve(d, f, true, entry)) < 0)
        return s;
    if (arch_pci_msi_message((unsigned)s, &addr, &data)) {
        slot_free((unsigned)s);
        return -KEEL_ENODEV;
    }
    if ((port = evtchn_bind_pirq(d, (unsigned)s)) < 0) {
        slot_free((unsigned)s);
        return port;
    }
    return slot_connect(d, f, (unsigned)s, port, addr, data);
}

long pci_irq_control(struct domain *d, const struct pci_func *f, uint32_t cmd)
{
    long rc = 0;
    int s;

    spin_lock(&irq_lock);
    if ((s = slot_of(d, f, false, 0)) < 0 || !slots[s].port) {
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
    for (unsigned s = 0; s < PCI_IRQ_SLOTS; s++) {
        unsigned port = 0;
        spin_lock(&irq_lock);
        if (slots[s].owner == d && slots[s].bdf == f->info.bdf)
            port = slots[s].port;
        spin_unlock(&irq_lock);
        if (port)
            evtchn_close(d, port);
    }
}

/* The function table never changes shape, so f stays valid unlocked. */
static void slot_off(unsigned slot)
{
    const struct irq_slot *x = &slots[slot];

    if (!is_msix(slot))
        arch_pci_irq_unroute(slot);
    else if (x->port)
        pci_msix_entry_off(pci_func_find(x->bdf), x->entry);
}

void pci_irq_port_closed(struct domain *d, unsigned slot)
{
    if (slot >= PCI_IRQ_SLOTS)
        return;
    spin_lock(&irq_lock);
    if (slots[slot].owner == d) {
        slot_off(slot);
        slots[slot] = (struct irq_slot){ 0 };
    }
    spin_unlock(&irq_lock);
}

/* The arch sent the EOI, and for INTx masked the pin; it stays masked
 * until the owner acknowledges (or for good, if the slot is no longer
 * bound).  An MSI-X vector with no port (closed meanwhile) is dropped. */
__noreturn void hv_pci_interrupt(unsigned slot)
{
    struct domain *d = NULL;
    unsigned port = 0;

    spin_lock(&irq_lock);
    if (slot < PCI_IRQ_SLOTS && slots[slot].owner && slots[slot].port) {
        slots[slot].in_service = !is_msix(slot);
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
