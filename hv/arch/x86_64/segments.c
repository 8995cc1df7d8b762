/*
 * The segment state a ring-3 guest can change without asking us: the data
 * selectors DS, ES, FS and GS (any `mov` to them) and, through those loads,
 * the FS and GS bases (a selector load sets the base from the descriptor;
 * on AMD a null selector leaves the old base in place).  CS and SS are in
 * every saved frame and restored by iretq.
 *
 * The hypervisor never uses DS, ES or FS and reaches its per-CPU data
 * through the *kernel* half of the swapgs pair, so this state is simply
 * left in the CPU while its owner is in the hypervisor, like the FPU
 * registers: seg_save() takes it into the vCPU when another vCPU (or the
 * idle loop) is about to take the CPU, seg_load() puts the next owner's
 * back.  Both run with interrupts off, in switch.c, at exactly the points
 * where FPU ownership changes.  docs/isolation.md lists every piece of
 * per-vCPU register state and where it is switched.
 */
#include <hv/arch.h>
#include "x86.h"

#define READ_SEL(seg) ({ uint16_t s_; __asm__ volatile("mov %%" #seg ", %0" : "=r"(s_)); s_; })

/* Selectors a guest can hold at all: the null selectors (any RPL) and the
 * two DPL-3 descriptors of the GDT.  Anything else loads as null, so that a
 * bad saved value can never fault in ring 0. */
static uint16_t sel_usable(uint16_t sel)
{
    return (sel <= 3 || sel == SEL_UDATA || sel == SEL_UCODE) ? sel : 0;
}

void seg_save(struct arch_vcpu *a)
{
    a->seg.ds = READ_SEL(ds);
    a->seg.es = READ_SEL(es);
    a->seg.fs = READ_SEL(fs);
    a->seg.gs = READ_SEL(gs);
    a->seg.fs_base = rdmsr(MSR_FS_BASE);
    /* in ring 0 the user half of the swapgs pair sits in KERNEL_GS_BASE */
    a->seg.gs_base = rdmsr(MSR_KERNEL_GS_BASE);
}

/* Loading GS must not touch the hypervisor's base: swap the user half in,
 * load, swap back.  Interrupts are off; the NMI, #DF and #MC handlers never
 * use %gs (entry.S), so nothing can observe the swapped state. */
static void load_user_gs(uint16_t sel)
{
    __asm__ volatile("swapgs\n\tmov %0, %%gs\n\tswapgs" :: "r"(sel) : "memory");
}

/* Only the selectors that differ are loaded (a load costs a descriptor
 * fetch); the bases are written after the selector loads, which may have
 * changed them. */
void seg_load(const struct arch_vcpu *a)
{
    uint16_t ds = sel_usable(a->seg.ds), es = sel_usable(a->seg.es);
    uint16_t fs = sel_usable(a->seg.fs), gs = sel_usable(a->seg.gs);

    if (READ_SEL(ds) != ds)
        __asm__ volatile("mov %0, %%ds" :: "r"(ds));
    if (READ_SEL(es) != es)
        __asm__ volatile("mov %0, %%es" :: "r"(es));
    if (READ_SEL(fs) != fs)
        __asm__ volatile("mov %0, %%fs" :: "r"(fs));
    if (READ_SEL(gs) != gs)
        load_user_gs(gs);
    wrmsr(MSR_FS_BASE, a->seg.fs_base);
    wrmsr(MSR_KERNEL_GS_BASE, a->seg.gs_base);
}

void seg_init(struct arch_vcpu *a)
{
    a->seg = (struct user_segments){ 0 };
}
