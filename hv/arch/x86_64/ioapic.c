/*
 * The IOAPICs: pins routed to a vector on one CPU, masked and unmasked.
 * Registers are reached through the select/window pair, so every access
 * holds ioapic_lock (lent functions' pins are masked and unmasked from any
 * CPU).  A chip is mapped, and every one of its pins masked (firmware may
 * have left some on), the first time it is used; that happens at boot
 * only (ioapic_prepare), because mapping it changes the hypervisor's
 * shared page tables.  The version register tells how many pins there
 * are; a chip that answers all-ones (nothing there) or reports an
 * implausible version is left alone.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include "madt.h"
#include "x86.h"

#define IOREGSEL   0x00
#define IOWIN      0x10
#define IOAPIC_VER 0x01
#define REDIR(pin) (0x10 + 2 * (pin))

#define RTE_POLARITY_LOW (1u << 13)
#define RTE_LEVEL        (1u << 15)
#define RTE_MASKED       (1u << 16)

struct chip {
    uint64_t pa;
    volatile uint32_t *io;
    unsigned pins;
};

static struct chip chips[MADT_MAX_IOAPICS];
static unsigned nchips;
static spinlock_t ioapic_lock = SPINLOCK_INIT;

static uint32_t rd(const struct chip *c, uint32_t reg)
{
    c->io[IOREGSEL / 4] = reg;
    return c->io[IOWIN / 4];
}

static void wr(const struct chip *c, uint32_t reg, uint32_t v)
{
    c->io[IOREGSEL / 4] = reg;
    c->io[IOWIN / 4] = v;
}

/* Pins of the chip, or 0 if it does not look like an IOAPIC. */
static unsigned count_pins(const struct chip *c)
{
    uint32_t v = rd(c, IOAPIC_VER);
    unsigned n = ((v >> 16) & 0xff) + 1, ver = v & 0xff;

    if (v == 0xffffffffu || ver < 0x10 || ver > 0x2f || n > MADT_MAX_PINS)
        return 0;
    return n;
}

static struct chip *chip_at(uint64_t pa)
{
    for (unsigned i = 0; i < nchips; i++)
        if (chips[i].pa == pa)
            return chips[i].pins ? &chips[i] : NULL;
    return NULL;
}

/* Boot CPU, boot time.  0, or -1 (no usable chip there). */
int ioapic_prepare(uint64_t pa)
{
    struct chip *c;

    if (chip_at(pa))
        return 0;
    for (unsigned i = 0; i < nchips; i++)
        if (chips[i].pa == pa)
            return -1;                  /* tried: not an IOAPIC */
    if (nchips == MADT_MAX_IOAPICS)
        return -1;
    c = &chips[nchips++];
    c->pa = pa;
    c->io = kmap_mmio(pa, 0x20);
    if (!(c->pins = count_pins(c))) {
        printk("ioapic: %#lx: no usable chip", pa);
        return -1;
    }
    for (unsigned i = 0; i < c->pins; i++)
        wr(c, REDIR(i), rd(c, REDIR(i)) | RTE_MASKED);
    return 0;
}

/* Fixed delivery, physical destination apic_id, on a prepared chip.  0,
 * or -1 (nothing done to the chip). */
int ioapic_route(const struct isa_route *r, uint8_t vector, uint32_t apic_id,
                 bool masked)
{
    unsigned pin = r->gsi - r->gsi_base;
    uint32_t lo = vector | (masked ? RTE_MASKED : 0);
    struct chip *c = chip_at(r->ioapic_pa);

    if (apic_id > 0xff || vector < 0x20 || !c)
        return -1;
    if (pin >= c->pins) {
        printk("ioapic: %#lx: no pin %u (of %u)", r->ioapic_pa, pin, c->pins);
        return -1;
    }
    if (r->active_low)
        lo |= RTE_POLARITY_LOW;
    if (r->level)
        lo |= RTE_LEVEL;
    spin_lock(&ioapic_lock);
    wr(c, REDIR(pin), rd(c, REDIR(pin)) | RTE_MASKED);   /* never half-written live */
    wr(c, REDIR(pin) + 1, apic_id << 24);
    wr(c, REDIR(pin), lo);
    spin_unlock(&ioapic_lock);
    return 0;
}

void ioapic_mask(const struct isa_route *r, bool masked)
{
    struct chip *c = chip_at(r->ioapic_pa);
    unsigned pin = r->gsi - r->gsi_base;
    uint32_t lo;

    if (!c || pin >= c->pins)
        return;
    spin_lock(&ioapic_lock);
    lo = rd(c, REDIR(pin));
    wr(c, REDIR(pin), masked ? lo | RTE_MASKED : lo & ~RTE_MASKED);
    spin_unlock(&ioapic_lock);
}
