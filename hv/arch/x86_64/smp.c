/*
 * Bringing up the other CPUs: INIT-SIPI-SIPI to each CPU the MADT lists,
 * one at a time, each through the real-mode trampoline (trampoline.S)
 * copied below 1 MiB.  An AP that does not check in within 200 ms is
 * left out.  Each AP gets its own per-CPU block, stacks, GDT and TSS,
 * then sets up its LAPIC, FPU and syscall MSRs like the boot CPU and
 * enters hv_ap_main().
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include "x86.h"

#define TRAMP_BASE 0x8000ull

struct tramp_params {
    uint64_t cr3, stack, percpu, entry;
};

extern char trampoline_start[], trampoline_end[], trampoline_params[];

static volatile bool aps_go;

static __noreturn void ap_entry64(struct percpu_arch *c)
{
    cpu_init_features();
    fpu_init_cpu();
    cpu_load_tables(c);
    lapic_init_cpu();
    __atomic_store_n(&c->alive, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&aps_go, __ATOMIC_ACQUIRE))
        cpu_relax();
    write_cr3(hv_kernel_pml4);    /* drop the bring-up identity map */
    hv_ap_main();
}

static bool start_ap(unsigned id, uint32_t apic_id)
{
    struct percpu_arch *c = percpu_alloc(id, apic_id);
    struct tramp_params *p = phys_to_virt(TRAMP_BASE +
                                          (trampoline_params - trampoline_start));
    *p = (struct tramp_params){
        .cr3 = hv_kernel_pml4,
        .stack = c->pc.hv_stack_top,
        .percpu = (uint64_t)c,
        .entry = (uint64_t)ap_entry64,
    };
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    lapic_send_ipi(apic_id, 0x4500);                 /* INIT */
    time_delay_us(10000);
    for (int i = 0; i < 2; i++) {
        lapic_send_ipi(apic_id, 0x4600 | (TRAMP_BASE >> 12));   /* SIPI */
        time_delay_us(200);
    }
    for (int ms = 0; ms < 200 && !__atomic_load_n(&c->alive, __ATOMIC_ACQUIRE); ms++)
        time_delay_us(1000);
    return c->alive;
}

void smp_boot_aps(const uint32_t *apic_ids, unsigned n)
{
    uint32_t self = lapic_id();

    hv_nr_cpus = 1;
    if (n <= 1)
        return;
    if (hv_kernel_pml4 >= (1ull << 32))
        panic("smp: kernel page tables above 4 GiB");
    memcpy(phys_to_virt(TRAMP_BASE), trampoline_start,
           (size_t)(trampoline_end - trampoline_start));
    kpaging_identity_low(true);
    for (unsigned i = 0; i < n && hv_nr_cpus < HV_MAX_CPUS; i++) {
        if (apic_ids[i] == self)
            continue;
        if (start_ap(hv_nr_cpus, apic_ids[i]))
            hv_nr_cpus++;
        else
            printk("smp: CPU with APIC id %u did not start", apic_ids[i]);
    }
    kpaging_identity_low(false);
    printk("smp: %u CPU(s) running", hv_nr_cpus);
}

/* Let the APs go on into hv_ap_main (after the boot CPU set everything up). */
void smp_release_aps(void)
{
    __atomic_store_n(&aps_go, true, __ATOMIC_RELEASE);
}
