/*
 * The ACPI MADT's entries: the CPUs, and where an ISA IRQ arrives
 * (madt.c, pure: tests/unit/hv_madt_test.c feeds it hostile tables).
 */
#ifndef HV_X86_MADT_H
#define HV_X86_MADT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MADT_MAX_IOAPICS 16       /* more are ignored */
#define MADT_MAX_PINS    240      /* an IOAPIC's pins, at most */
#define XAPIC_MAX_ID     254u     /* 255 is the xAPIC broadcast destination */

struct isa_route {
    uint64_t ioapic_pa;           /* the IOAPIC whose range holds gsi */
    uint32_t gsi_base;            /* its first GSI */
    uint32_t gsi;                 /* pin = gsi - gsi_base */
    bool level;                   /* level-triggered (ISA default: edge) */
    bool active_low;              /* (ISA default: active high) */
};

/* The MADT's entries (after its 44-byte fixed part), len bytes: the ids of
 * the enabled CPUs (local APIC and local x2APIC entries, each id once, at
 * most max), and *lapic_pa replaced by a 64-bit address override if there
 * is one.  The LAPIC runs in xAPIC mode, whose IPIs carry 8-bit ids: CPUs
 * with larger x2APIC ids are counted in *unreachable, not returned. */
unsigned madt_cpus(const uint8_t *ents, size_t len, uint32_t *ids, unsigned max,
                   uint64_t *lapic_pa, unsigned *unreachable);

/* The MADT's entries (after its 44-byte fixed part), len bytes.  NULL and
 * *r filled in, or why the IRQ has no usable route. */
const char *madt_isa_route(const uint8_t *ents, size_t len, unsigned irq,
                           struct isa_route *r);

#endif /* HV_X86_MADT_H */
