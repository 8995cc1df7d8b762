/*
 * The boot CPU's path from boot.S to hv_main(), in dependency order:
 *
 *   serial -> multiboot info -> final page tables -> frame allocator ->
 *   per-CPU block, GDT/TSS/IDT, CPU features, FPU -> TSC -> ACPI MADT ->
 *   PCI scan (hv/pci.h) -> host I/O (ivshmem; the console leaves the UART
 *   here) -> LAPIC -> console input interrupt (IOAPIC) -> RTC -> other
 *   CPUs -> hv_main()
 *
 * Paging comes before the frame allocator (the brief's order swapped) so
 * that the allocator's bitmap can sit anywhere in RAM, reached through the
 * direct map; the boot page tables come from a pool in .bss.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/pci.h>
#include "x86.h"

void smp_release_aps(void);

static void frames_setup(void)
{
    static struct phys_range ram[64], rsv[HV_MAX_MODULES + 8];   /* boot stack is small */
    unsigned nram = multiboot_ram(ram, ARRAY_SIZE(ram));
    unsigned nrsv = multiboot_reserved(rsv, ARRAY_SIZE(rsv));

    if (frames_init(ram, nram, rsv, nrsv, phys_to_virt))
        panic("no usable RAM for the frame allocator");
    printk("mm: %lu MiB free of %lu MiB usable",
           frames_free_count() / 256, frames_total_count() / 256);
    multiboot_fix_modules();
}

static void boot_cpu_setup(void)
{
    struct percpu_arch *c = percpu_alloc(0, 0);

    idt_init();
    cpu_init_features();
    fpu_init_cpu();
    cpu_load_tables(c);
}

static void log_modules(void)
{
    printk("keel: command line \"%s\", %u module(s)", hv_boot_cmdline,
           hv_nr_boot_modules);
    for (unsigned i = 0; i < hv_nr_boot_modules; i++)
        printk("  module %u: %s at %#lx, %lu bytes (\"%s\")", i,
               hv_boot_modules[i].name, hv_boot_modules[i].phys,
               hv_boot_modules[i].bytes, hv_boot_modules[i].cmdline);
}

static bool cmdline_has(const char *word)
{
    size_t n = strlen(word);

    for (const char *p = hv_boot_cmdline; *p; p++)
        if ((p == hv_boot_cmdline || p[-1] == ' ') && !strncmp(p, word, n) &&
            (p[n] == 0 || p[n] == ' '))
            return true;
    return false;
}

/* The rest of the boot runs on the boot CPU's own stack, which has a
 * guard page below it (kmap_stack); the image's boot stack is left behind. */
static __noreturn void boot_on_cpu_stack(void)
{
    uint32_t apic_ids[HV_MAX_CPUS];
    uint64_t lapic_pa;
    unsigned ncpus;

    time_init();
    spec_ctrl_init();
    ncpus = acpi_find_cpus(apic_ids, HV_MAX_CPUS, &lapic_pa);
    pci_init();                 /* needs the MADT; hostio needs its table */
    hostio_init();
    lapic_init_bsp(lapic_pa);
    hv_cpus[0]->apic_id = lapic_id();
    console_irq_init(!cmdline_has("noconsoleirq"));
    rtc_read_boot();
    smp_boot_aps(apic_ids, ncpus);
    if (cmdline_has("selftest"))
        arch_selftest();
    if (cmdline_has("selftest-stack-overflow"))
        arch_selftest_stack_overflow();
    smp_release_aps();
    hv_main();
}

__noreturn void arch_boot_main(uint32_t magic, uint64_t mbi_pa)
{
    serial_init();
    multiboot_parse(magic, mbi_pa);
    kpaging_init();
    frames_setup();
    log_modules();
    boot_cpu_setup();
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "call *%1"
                     :: "r"(this_cpu()->hv_stack_top), "r"(boot_on_cpu_stack) : "memory");
    __builtin_unreachable();
}
