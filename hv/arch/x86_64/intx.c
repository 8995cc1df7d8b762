/*
 * The INTx lines of lent PCI functions (pci_irq.c holds the policy): each
 * interrupt slot's IOAPIC pin, routed to its own vector (VEC_PCI_FIRST +
 * slot) on the boot CPU, masked until pci_irq.c says otherwise.
 *
 * The pin is the ISA IRQ in the function's Interrupt Line register as the
 * ACPI MADT routes it, always level triggered (PCI INTx is a level; an
 * edge route would lose every interrupt that came while the pin was
 * masked), with the MADT's polarity.  A pin serves one slot only, and
 * never the hypervisor's own devices: the PIT (IRQ 0), the cascade (2)
 * and COM1 (4, the console's input interrupt).
 *
 * On an interrupt the pin is masked before the EOI, so the level cannot
 * fire again until the owner has serviced its device and acknowledged.
 *
 * The slots after the lines are MSI-X vectors (pci_msix.c writes their
 * messages): the same vector numbering, physical destination the boot
 * CPU, fixed delivery, edge; an EOI is all they need.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/pci.h>
#include "madt.h"
#include "x86.h"

static struct isa_route routes[KEEL_PCI_IRQ_LINES];
static bool routed[KEEL_PCI_IRQ_LINES];
static spinlock_t route_lock = SPINLOCK_INIT;

void arch_pci_irq_prepare(unsigned line)
{
    struct isa_route r;

    if (line < 16 && !acpi_isa_route(line, &r))
        ioapic_prepare(r.ioapic_pa);
}

static bool line_reserved(unsigned line)
{
    return line == 0 || line == 2 || line == COM1_IRQ;
}

static bool same_pin(const struct isa_route *a, const struct isa_route *b)
{
    return a->ioapic_pa == b->ioapic_pa && a->gsi == b->gsi;
}

/* Under route_lock. */
static bool pin_taken(const struct isa_route *r)
{
    struct isa_route console;

    if (!acpi_isa_route(COM1_IRQ, &console) && same_pin(r, &console))
        return true;
    for (unsigned s = 0; s < KEEL_PCI_IRQ_LINES; s++)
        if (routed[s] && same_pin(&routes[s], r))
            return true;
    return false;
}

int arch_pci_irq_route(unsigned slot, unsigned line)
{
    struct isa_route r;
    int rc = 0;

    if (slot >= KEEL_PCI_IRQ_LINES || line > 15 || acpi_isa_route(line, &r))
        return -KEEL_ENODEV;
    if (line_reserved(line))
        return -KEEL_EBUSY;
    r.level = true;
    spin_lock(&route_lock);
    if (routed[slot] || pin_taken(&r))
        rc = -KEEL_EBUSY;
    else if (ioapic_route(&r, (uint8_t)(VEC_PCI_FIRST + slot), hv_cpus[0]->apic_id, true))
        rc = -KEEL_ENODEV;
    else
        routes[slot] = r, routed[slot] = true;
    spin_unlock(&route_lock);
    return rc;
}

void arch_pci_irq_mask(unsigned slot, bool masked)
{
    if (slot >= KEEL_PCI_IRQ_LINES)
        return;
    spin_lock(&route_lock);
    if (routed[slot])
        ioapic_mask(&routes[slot], masked);
    spin_unlock(&route_lock);
}

void arch_pci_irq_unroute(unsigned slot)
{
    if (slot >= KEEL_PCI_IRQ_LINES)
        return;
    spin_lock(&route_lock);
    if (routed[slot])
        ioapic_mask(&routes[slot], true);
    routed[slot] = false;
    spin_unlock(&route_lock);
}

#define MSI_ADDRESS 0xfee00000ull
#define MSI_DEST_SHIFT 12

int arch_pci_msi_message(unsigned slot, uint64_t *addr, uint32_t *data)
{
    uint32_t apic_id = hv_cpus[0]->apic_id;

    if (slot < KEEL_PCI_IRQ_LINES || slot >= KEEL_PCI_IRQ_LINES + KEEL_PCI_MSIX_VECTORS ||
        apic_id > 0xff)
        return -KEEL_ENODEV;
    *addr = MSI_ADDRESS | (uint64_t)apic_id << MSI_DEST_SHIFT;
    *data = VEC_PCI_FIRST + slot;
    return 0;
}

volatile void *arch_mmio_map(uint64_t pa, uint64_t len)
{
    return kmap_mmio(pa, len);
}

/* trap.c, for vectors VEC_PCI_FIRST .. VEC_PCI_LAST */
__noreturn void pci_vector_interrupt(unsigned slot)
{
    if (slot < KEEL_PCI_IRQ_LINES)
        arch_pci_irq_mask(slot, true);
    lapic_eoi();
    hv_pci_interrupt(slot);
}
