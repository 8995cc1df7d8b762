/*
 * Start of day for events: measure the FPU save area upcall.S needs and
 * register the upcall entry.
 *
 * XSAVE is used when the hypervisor has enabled it (CPUID.1:ECX.OSXSAVE);
 * its area for the features enabled in XCR0 is CPUID.(0xd,0):EBX bytes.
 * Otherwise FXSAVE, 512 bytes.  64 bytes of slack pay for the alignment.
 */
#include <cpuid.h>
#include <libos/hypercall.h>
#include "internal.h"

uint64_t libos_upcall_fpu_bytes = 512 + 64;
uint8_t libos_upcall_xsave;

static void measure_fpu(void)
{
    unsigned a, b, c, d;

    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27)))
        return;
    __cpuid_count(0xd, 0, a, b, c, d);
    if (b < 576)
        return;
    libos_upcall_fpu_bytes = b + 64;
    libos_upcall_xsave = 1;
}

void libos_events_init(void)
{
    measure_fpu();
    __atomic_store_n(&libos_shinfo->vcpu_info[0].upcall_mask, 0, __ATOMIC_SEQ_CST);
    if (keel_hypercall1(KEEL_HC_SET_CALLBACK, (uint64_t)(uintptr_t)libos_upcall_entry))
        libos_fatal("the hypervisor refused the upcall entry");
}
