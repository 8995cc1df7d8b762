/*
 * Just enough ACPI to find the CPUs and where an ISA IRQ goes: RSDP (EBDA
 * or the BIOS area) -> RSDT/XSDT -> MADT.  Every table is checksummed and
 * every length is bounded; anything odd means "one CPU" or "no interrupt"
 * (madt.c), never a crash.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include "madt.h"
#include "x86.h"

struct rsdp {
    char sig[8];
    uint8_t csum;
    char oem[6];
    uint8_t rev;
    uint32_t rsdt;
    uint32_t len;
    uint64_t xsdt;
    uint8_t xcsum, rsvd[3];
} __attribute__((packed));

struct sdt {
    char sig[4];
    uint32_t len;
    uint8_t rev, csum;
    char oem[6], oem_table[8];
    uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

#define MAX_TABLE_LEN (1u << 20)
#define MADT_FIXED    (sizeof(struct sdt) + 8)   /* LAPIC address, flags */

static const struct sdt *madt;    /* checked, kept for acpi_isa_route */

static bool csum_ok(const void *p, size_t n)
{
    uint8_t s = 0;

    for (size_t i = 0; i < n; i++)
        s += ((const uint8_t *)p)[i];
    return s == 0;
}

static const struct rsdp *scan(uint64_t pa, uint64_t len)
{
    const char *p = kmap_firmware(pa, len);

    for (uint64_t off = 0; off + sizeof(struct rsdp) <= len; off += 16)
        if (!memcmp(p + off, "RSD PTR ", 8) && csum_ok(p + off, 20))
            return (const struct rsdp *)(p + off);
    return NULL;
}

static const struct sdt *map_table(uint64_t pa)
{
    const struct sdt *t;

    if (!pa)
        return NULL;
    t = kmap_firmware(pa, sizeof(*t));
    if (t->len < sizeof(*t) || t->len > MAX_TABLE_LEN)
        return NULL;
    t = kmap_firmware(pa, t->len);
    return csum_ok(t, t->len) ? t : NULL;
}

static const struct sdt *find_madt(const struct rsdp *r)
{
    bool x = r->rev >= 2 && r->xsdt;
    const struct sdt *root = map_table(x ? r->xsdt : r->rsdt);
    unsigned esz = x ? 8 : 4;

    if (!root)
        return NULL;
    unsigned n = (root->len - sizeof(*root)) / esz;
    const uint8_t *ents = (const uint8_t *)(root + 1);
    for (unsigned i = 0; i < n; i++) {
        uint64_t pa = 0;
        memcpy(&pa, ents + i * esz, esz);
        const struct sdt *t = map_table(pa);
        if (t && !memcmp(t->sig, "APIC", 4))
            return t->len >= MADT_FIXED ? t : NULL;
    }
    return NULL;
}

unsigned acpi_find_cpus(uint32_t *ids, unsigned max, uint64_t *lapic_pa)
{
    uint16_t ebda_seg = *(const uint16_t *)kmap_firmware(0x40e, 2);
    const struct rsdp *r = NULL;
    const struct sdt *m;
    unsigned n, unreachable;

    *lapic_pa = 0xfee00000;
    if (ebda_seg)
        r = scan((uint64_t)ebda_seg << 4, 1024);
    if (!r)
        r = scan(0xe0000, 0x20000);
    if (!r || !(m = find_madt(r))) {
        printk("acpi: no MADT, running on one CPU");
        return 0;
    }
    memcpy(lapic_pa, (const uint8_t *)m + sizeof(*m), 4);
    *lapic_pa &= 0xffffffffull;
    n = madt_cpus((const uint8_t *)m + MADT_FIXED, m->len - MADT_FIXED, ids, max,
                  lapic_pa, &unreachable);
    printk("acpi: MADT lists %u CPU(s), LAPIC at %#lx", n, *lapic_pa);
    if (unreachable)
        printk("acpi: %u CPU(s) with x2APIC ids above %u left idle (xAPIC mode)",
               unreachable, XAPIC_MAX_ID);
    madt = m;
    return n;
}

/* After acpi_find_cpus: NULL and *r, or why ISA IRQ irq has no route. */
const char *acpi_isa_route(unsigned irq, struct isa_route *r)
{
    if (!madt || madt->len < MADT_FIXED)
        return "no MADT";
    return madt_isa_route((const uint8_t *)madt + MADT_FIXED,
                          madt->len - MADT_FIXED, irq, r);
}
