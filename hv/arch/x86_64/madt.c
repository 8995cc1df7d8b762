/*
 * The MADT's IOAPIC (type 1) and interrupt source override (type 2)
 * entries: which IOAPIC pin an ISA IRQ reaches, and how.  Firmware is not
 * trusted: entries are walked with the same bounds as the CPU walk in
 * acpi.c, and anything ambiguous (two overrides for one IRQ, two IOAPICs
 * claiming one GSI base, reserved polarity or trigger encodings, an
 * IOAPIC address that cannot be one) means "no route", never a guess.
 */
#include <string.h>
#include "madt.h"

#define MADT_LAPIC        0
#define MADT_IOAPIC       1
#define MADT_ISO          2
#define MADT_LAPIC_ADDR   5
#define MADT_X2APIC       9
#define MADT_CPU_ENABLED  1u
/* Where the architecture puts IOAPICs: never RAM, so mapping it uncached
 * and writing its select register cannot touch memory (nor make kmap_mmio
 * panic on a cached RAM page). */
#define IOAPIC_WINDOW_LO 0xfec00000u
#define IOAPIC_WINDOW_HI 0xfed00000u

struct ioapic_ent {
    uint32_t pa, gsi_base;
};

struct walk {
    struct ioapic_ent io[MADT_MAX_IOAPICS];
    unsigned nio;
    unsigned nover;               /* overrides for our IRQ */
    uint32_t gsi;
    uint16_t flags;
};

static uint32_t le32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return v;
}

static void note(struct walk *w, const uint8_t *e, unsigned irq)
{
    if (e[0] == MADT_IOAPIC && e[1] >= 12 && w->nio < MADT_MAX_IOAPICS) {
        w->io[w->nio].pa = le32(e + 4);
        w->io[w->nio].gsi_base = le32(e + 8);
        w->nio++;
    }
    /* bus 0 is ISA, the only bus the MADT defines overrides for */
    if (e[0] == MADT_ISO && e[1] >= 10 && e[2] == 0 && e[3] == irq) {
        w->gsi = le32(e + 4);
        memcpy(&w->flags, e + 8, 2);
        w->nover++;
    }
}

/* MPS INTI flags: 0 = the bus's default, 1 and 3 = explicit, 2 reserved. */
static const char *decode_flags(uint16_t flags, struct isa_route *r)
{
    unsigned pol = flags & 3, trig = (flags >> 2) & 3;

    if (pol == 2 || trig == 2 || (flags >> 4))
        return "reserved flags in the interrupt override";
    r->active_low = pol == 3;
    r->level = trig == 3;
    return NULL;
}

/* The IOAPIC with the highest base at or below gsi. */
static const char *pick_ioapic(const struct walk *w, struct isa_route *r)
{
    const struct ioapic_ent *best = NULL;

    for (unsigned i = 0; i < w->nio; i++) {
        const struct ioapic_ent *e = &w->io[i];
        if (e->gsi_base > r->gsi)
            continue;
        if (best && e->gsi_base == best->gsi_base)
            return "two IOAPICs with one GSI base";
        if (!best || e->gsi_base > best->gsi_base)
            best = e;
    }
    if (!best)
        return "no IOAPIC for the GSI";
    if (best->pa < IOAPIC_WINDOW_LO || best->pa >= IOAPIC_WINDOW_HI ||
        (best->pa & 0xf))
        return "IOAPIC address outside FEC00000-FECFFFFF";
    if (r->gsi - best->gsi_base >= MADT_MAX_PINS)
        return "GSI beyond the IOAPIC's pins";
    r->ioapic_pa = best->pa;
    r->gsi_base = best->gsi_base;
    return NULL;
}

/* The next entry, or NULL at the end or at the first entry whose length
 * is too small to walk past or runs off the table. */
static const uint8_t *next_entry(const uint8_t *p, const uint8_t *end)
{
    if (end - p < 2 || p[1] < 2 || p[1] > end - p)
        return NULL;
    return p;
}

static bool listed(const uint32_t *ids, unsigned n, uint32_t id)
{
    for (unsigned i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

unsigned madt_cpus(const uint8_t *ents, size_t len, uint32_t *ids, unsigned max,
                   uint64_t *lapic_pa, unsigned *unreachable)
{
    const uint8_t *p = ents, *end = ents + len;
    unsigned n = 0;

    *unreachable = 0;
    for (; (p = next_entry(p, end)); p += p[1]) {
        uint32_t id, flags;
        if (p[0] == MADT_LAPIC && p[1] >= 8) {
            id = p[3];
            flags = le32(p + 4);
        } else if (p[0] == MADT_X2APIC && p[1] >= 16) {
            id = le32(p + 4);
            flags = le32(p + 8);
        } else {
            if (p[0] == MADT_LAPIC_ADDR && p[1] >= 12)
                memcpy(lapic_pa, p + 4, 8);
            continue;
        }
        if (!(flags & MADT_CPU_ENABLED) || listed(ids, n, id))
            continue;
        if (id > XAPIC_MAX_ID)
            ++*unreachable;
        else if (n < max)
            ids[n++] = id;
    }
    return n;
}

const char *madt_isa_route(const uint8_t *ents, size_t len, unsigned irq,
                           struct isa_route *r)
{
    struct walk w = { .gsi = irq };
    const uint8_t *p = ents, *end = ents + len;
    const char *err;

    if (irq > 15)
        return "not an ISA IRQ";
    for (; (p = next_entry(p, end)); p += p[1])
        note(&w, p, irq);
    if (w.nover > 1)
        return "several overrides for one IRQ";
    memset(r, 0, sizeof(*r));
    r->gsi = w.gsi;
    if ((err = decode_flags(w.nover ? w.flags : 0, r)))
        return err;
    return pick_ioapic(&w, r);
}
