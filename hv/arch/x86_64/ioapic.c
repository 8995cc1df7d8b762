/*
 * The IOAPIC: one pin routed to a vector on one CPU, every other pin of
 * that IOAPIC masked.  Registers are reached through the select/window
 * pair; the version register tells how many pins there are, and a chip
 * that answers all-ones (nothing there) or reports an implausible version
 * is left alone.  Only the boot CPU touches it, once, before the other
 * CPUs run.
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

static volatile uint32_t *io;

static uint32_t rd(uint32_t reg)
{
    io[IOREGSEL / 4] = reg;
    return io[IOWIN / 4];
}

static void wr(uint32_t reg, uint32_t v)
{
    io[IOREGSEL / 4] = reg;
    io[IOWIN / 4] = v;
}

/* Pins of the chip at io, or 0 if it does not look like an IOAPIC. */
static unsigned pins(void)
{
    uint32_t v = rd(IOAPIC_VER);
    unsigned n = ((v >> 16) & 0xff) + 1, ver = v & 0xff;

    if (v == 0xffffffffu || ver < 0x10 || ver > 0x2f || n > MADT_MAX_PINS)
        return 0;
    return n;
}

/* Fixed delivery, physical destination apic_id.  0, or -1 (nothing done
 * to the chip beyond reading it). */
int ioapic_route(const struct isa_route *r, uint8_t vector, uint32_t apic_id)
{
    unsigned n, pin = r->gsi - r->gsi_base;
    uint32_t lo = vector;

    if (apic_id > 0xff || vector < 0x20)
        return -1;
    io = kmap_mmio(r->ioapic_pa, 0x20);
    if (!(n = pins()) || pin >= n) {
        printk("ioapic: %#lx: no usable chip or pin %u (of %u)", r->ioapic_pa,
               pin, n);
        return -1;
    }
    for (unsigned i = 0; i < n; i++)    /* firmware may have left some on */
        wr(REDIR(i), rd(REDIR(i)) | RTE_MASKED);
    if (r->active_low)
        lo |= RTE_POLARITY_LOW;
    if (r->level)
        lo |= RTE_LEVEL;
    wr(REDIR(pin) + 1, apic_id << 24);
    wr(REDIR(pin), lo);
    return 0;
}
