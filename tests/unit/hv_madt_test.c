/*
 * Where an ISA IRQ arrives (hv/arch/x86_64/madt.c): QEMU's MADT routes IRQ
 * 4 to pin 4 of its IOAPIC, overrides are honoured, and every hostile or
 * ambiguous table (truncated or zero-length entries, two overrides, two
 * IOAPICs on one base, reserved flags, an address outside the IOAPIC
 * window, a GSI no IOAPIC covers) gives "no route", never a wrong one.
 */
#include "ktest.h"
#include "../../hv/arch/x86_64/madt.c"

static uint8_t t[256];
static size_t len;

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static void reset(void)
{
    memset(t, 0, sizeof(t));
    len = 0;
}

static void lapic(uint8_t id)
{
    uint8_t *e = t + len;
    e[0] = 0, e[1] = 8, e[3] = id, e[4] = 1;
    len += 8;
}

/* An entry of `type` and `size` whose bytes 4..11 are two 32-bit fields
 * (IOAPIC: address, GSI base; local x2APIC: id, flags). */
static void two_words(uint8_t type, uint8_t size, uint32_t a, uint32_t b)
{
    uint8_t *e = t + len;
    e[0] = type, e[1] = size;
    put32(e + 4, a);
    put32(e + 8, b);
    len += size;
}

static void ioapic(uint32_t pa, uint32_t base) { two_words(1, 12, pa, base); }
static void x2apic(uint32_t id, uint32_t flags) { two_words(9, 16, id, flags); }

static void iso(uint8_t src, uint32_t gsi, uint16_t flags)
{
    uint8_t *e = t + len;
    e[0] = 2, e[1] = 10, e[2] = 0, e[3] = src;
    put32(e + 4, gsi);
    memcpy(e + 8, &flags, 2);
    len += 10;
}

/* QEMU's: one IOAPIC, IRQ 0 -> GSI 2, the PCI IRQs level/high. */
static void qemu_like(void)
{
    reset();
    lapic(0);
    lapic(1);
    ioapic(0xfec00000, 0);
    iso(0, 2, 0);
    iso(5, 5, 0xd);
    iso(9, 9, 0xd);
}

KTEST(identity_route_by_default)
{
    struct isa_route r;
    qemu_like();
    EXPECT(madt_isa_route(t, len, 4, &r) == NULL);
    EXPECT_EQ(r.ioapic_pa, 0xfec00000);
    EXPECT_EQ(r.gsi, 4);
    EXPECT_EQ(r.gsi_base, 0);
    EXPECT(!r.level && !r.active_low);
}

KTEST(override_is_honoured)
{
    struct isa_route r;
    qemu_like();
    EXPECT(madt_isa_route(t, len, 0, &r) == NULL);
    EXPECT_EQ(r.gsi, 2);
    EXPECT(madt_isa_route(t, len, 9, &r) == NULL);
    EXPECT(r.level && !r.active_low);
    reset();
    ioapic(0xfec00000, 0);
    iso(4, 20, 0xf);                       /* level, active low */
    EXPECT(madt_isa_route(t, len, 4, &r) == NULL);
    EXPECT_EQ(r.gsi, 20);
    EXPECT(r.level && r.active_low);
}

KTEST(second_ioapic_by_base)
{
    struct isa_route r;
    reset();
    ioapic(0xfec01000, 24);
    ioapic(0xfec00000, 0);
    iso(4, 30, 0);
    EXPECT(madt_isa_route(t, len, 4, &r) == NULL);
    EXPECT_EQ(r.ioapic_pa, 0xfec01000);
    EXPECT_EQ(r.gsi - r.gsi_base, 6);
}

KTEST(ambiguity_is_refused)
{
    struct isa_route r;
    qemu_like();
    iso(4, 4, 0);
    iso(4, 7, 0);
    EXPECT(madt_isa_route(t, len, 4, &r) != NULL);    /* two overrides */
    reset();
    ioapic(0xfec00000, 0);
    ioapic(0xfec01000, 0);
    EXPECT(madt_isa_route(t, len, 4, &r) != NULL);    /* one base twice */
}

KTEST(reserved_flags_are_refused)
{
    struct isa_route r;
    static const uint16_t bad[] = { 0x2, 0x8, 0x10, 0x8000 };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        reset();
        ioapic(0xfec00000, 0);
        iso(4, 4, bad[i]);
        EXPECT(madt_isa_route(t, len, 4, &r) != NULL);
    }
}

KTEST(addresses_and_ranges_are_checked)
{
    struct isa_route r;
    static const uint32_t bad_pa[] = { 0, 0x1000, 0xfebff000, 0xfed00000,
                                       0xfec00004, 0xffffffff };
    for (unsigned i = 0; i < sizeof(bad_pa) / sizeof(bad_pa[0]); i++) {
        reset();
        ioapic(bad_pa[i], 0);
        EXPECT(madt_isa_route(t, len, 4, &r) != NULL);
    }
    reset();
    ioapic(0xfec00000, 8);                  /* covers GSI 8 and up only */
    EXPECT(madt_isa_route(t, len, 4, &r) != NULL);
    reset();
    ioapic(0xfec00000, 0);
    iso(4, 0xffffffffu, 0);                 /* beyond any IOAPIC's pins */
    EXPECT(madt_isa_route(t, len, 4, &r) != NULL);
    EXPECT(madt_isa_route(t, len, 16, &r) != NULL);   /* not ISA */
    reset();
    EXPECT(madt_isa_route(t, len, 4, &r) != NULL);    /* no IOAPIC at all */
}

KTEST(broken_entries_stop_the_walk)
{
    struct isa_route r;
    reset();
    t[0] = 1, t[1] = 0;                     /* zero length: no progress */
    len = 64;
    EXPECT(madt_isa_route(t, len, 4, &r) != NULL);
    reset();
    ioapic(0xfec00000, 0);
    t[len] = 2, t[len + 1] = 200;           /* runs past the end */
    len += 10;
    EXPECT(madt_isa_route(t, len, 4, &r) == NULL);    /* ignored */
    reset();
    ioapic(0xfec00000, 0);
    t[1] = 11;                              /* too short to be an IOAPIC */
    EXPECT(madt_isa_route(t, len, 4, &r) != NULL);
    qemu_like();
    EXPECT(madt_isa_route(t, 7, 4, &r) != NULL);      /* truncated */
}

KTEST(many_ioapics_are_bounded)
{
    struct isa_route r;
    reset();
    for (unsigned i = 0; i < 20; i++)
        ioapic(0xfec00000 + 0x1000 * i, 24 * i);
    EXPECT(madt_isa_route(t, len, 4, &r) == NULL);
    EXPECT_EQ(r.ioapic_pa, 0xfec00000);
}

KTEST(cpus_from_lapic_and_x2apic_entries)
{
    uint32_t ids[8];
    uint64_t pa = 0xfee00000;
    unsigned far;

    reset();
    lapic(0);
    lapic(1);
    t[len - 4] = 0;                       /* CPU 1 disabled */
    x2apic(2, 1);
    x2apic(0, 1);                         /* listed twice: once */
    x2apic(300, 1);                       /* beyond xAPIC's reach */
    x2apic(255, 1);                       /* the broadcast id */
    x2apic(7, 0);                         /* disabled */
    EXPECT_EQ(madt_cpus(t, len, ids, 8, &pa, &far), 2);
    EXPECT_EQ(ids[0], 0);
    EXPECT_EQ(ids[1], 2);
    EXPECT_EQ(far, 2);
    EXPECT_EQ(pa, 0xfee00000);
}

KTEST(cpus_are_bounded_and_broken_entries_stop_the_walk)
{
    uint32_t ids[4];
    uint64_t pa = 0xfee00000;
    unsigned far;

    reset();
    for (unsigned i = 0; i < 10; i++)
        lapic((uint8_t)i);
    EXPECT_EQ(madt_cpus(t, len, ids, 4, &pa, &far), 4);
    EXPECT_EQ(ids[3], 3);
    reset();
    lapic(0);
    t[len++] = 9, t[len++] = 16;          /* an x2APIC entry cut short */
    EXPECT_EQ(madt_cpus(t, len, ids, 4, &pa, &far), 1);
    reset();
    lapic(0);
    t[len++] = 0, t[len++] = 0;           /* zero length: the walk stops */
    lapic(1);
    EXPECT_EQ(madt_cpus(t, len, ids, 4, &pa, &far), 1);
    EXPECT_EQ(madt_cpus(t, 0, ids, 4, &pa, &far), 0);
}

KTEST(lapic_address_override)
{
    uint32_t ids[2];
    uint64_t pa = 0xfee00000, big = 0x123456789000ull;
    unsigned far;

    reset();
    t[0] = 5, t[1] = 12;
    memcpy(t + 4, &big, 8);
    len = 12;
    lapic(0);
    EXPECT_EQ(madt_cpus(t, len, ids, 2, &pa, &far), 1);
    EXPECT_EQ(pa, big);
}

KTEST_MAIN(KTEST_CASE(cpus_from_lapic_and_x2apic_entries),
           KTEST_CASE(cpus_are_bounded_and_broken_entries_stop_the_walk),
           KTEST_CASE(lapic_address_override),
           KTEST_CASE(identity_route_by_default), KTEST_CASE(override_is_honoured),
           KTEST_CASE(second_ioapic_by_base), KTEST_CASE(ambiguity_is_refused),
           KTEST_CASE(reserved_flags_are_refused),
           KTEST_CASE(addresses_and_ranges_are_checked),
           KTEST_CASE(broken_entries_stop_the_walk),
           KTEST_CASE(many_ioapics_are_bounded))
