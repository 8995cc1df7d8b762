/*
 * C side of every interrupt, exception and syscall entry (entry.S).
 *
 * From ring 3 the frame is first copied into the current vCPU, then the
 * event goes to hv/common, which never returns (it reschedules).  From ring
 * 0 the only legitimate events are interrupts taken in the idle loop;
 * anything else is a hypervisor bug and panics with a register dump.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/sched.h>
#include "x86.h"

/* entry.S relies on these */
_Static_assert(sizeof(struct cpu_regs) == 22 * 8, "cpu_regs layout");
_Static_assert(__builtin_offsetof(struct percpu, hv_stack_top) == 8, "gs:8");
_Static_assert(__builtin_offsetof(struct percpu, user_rsp_scratch) == 16, "gs:16");
_Static_assert(__builtin_offsetof(struct percpu_arch, pc) == 0, "percpu first");
/* cpu.c's TSS limit and ioperm.c rely on this: the bitmap follows the TSS */
_Static_assert(__builtin_offsetof(struct percpu_arch, io_bitmap) ==
               __builtin_offsetof(struct percpu_arch, tss) + sizeof(struct tss),
               "I/O bitmap right after the TSS");

static const char *const exc_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO",
    "#TS", "#NP", "#SS", "#GP", "#PF", "?15", "#MF", "#AC", "#MC", "#XM",
    "#VE", "#CP", "?22", "?23", "?24", "?25", "?26", "?27", "#HV", "#VC",
    "#SX", "?31",
};

/* entry.S clears RFLAGS.AC on every entry so that a guest cannot switch
 * SMAP off for us; one cheap look makes sure it stays so (hv-isolation
 * fails on this line). */
static void check_ac_clear(void)
{
    static bool said;

    if ((read_rflags() & RFLAGS_AC) && !said) {
        said = true;
        printk("BUG: RFLAGS.AC set in the hypervisor after an entry from ring 3");
    }
}

static struct vcpu *save_guest_frame(const struct cpu_regs *r)
{
    struct vcpu *v = this_cpu()->current;

    check_ac_clear();
    if (!v)
        panic("entry from ring 3 with no current vCPU (rip %#lx)", r->rip);
    v->arch.regs = *r;
    return v;
}

/* NMI, #DF and #MC may interrupt the exit path after its swapgs, so they
 * must not trust %gs; they only log and stop the machine. */
static __noreturn void fatal_machine_event(struct cpu_regs *r)
{
    trap_dump(r);
    if (r->vector == 8 && kpaging_is_stack_guard(read_cr2()))
        panic("hypervisor stack overflow on CPU with APIC id %u (guard page %#lx)",
              lapic_id(), read_cr2());
    panic("fatal %s on CPU with APIC id %u", exc_names[r->vector], lapic_id());
}

/* A #DB in ring 0 has one source: a guest's single step (TF) held back by
 * MOV SS / POP SS until the next instruction, a syscall or an int3/int n
 * that entered ring 0, so it lands on the first instruction of an entry
 * path, before its swapgs: %gs may still be the guest's.  Touch nothing
 * per-CPU; the frame's TF is already clear (FMASK, the gate), so going
 * back finishes the entry normally.  Anywhere else it would be a
 * hypervisor bug, and then %gs is ours and panicking is safe. */
static uint64_t ring0_debug_traps;

static bool at_entry_point(uint64_t rip)
{
    uint64_t stubs = (uint64_t)isr_table;

    return rip == (uint64_t)syscall_entry ||
           (rip >= stubs && rip < stubs + 256 * 16 && rip % 16 == 0);
}

static void ring0_debug_trap(struct cpu_regs *r)
{
    write_dr6(DR6_RESET);
    if (!at_entry_point(r->rip)) {
        trap_dump(r);
        panic("#DB in the hypervisor at %#lx", r->rip);
    }
    __atomic_add_fetch(&ring0_debug_traps, 1, __ATOMIC_RELAXED);
}

/* At power-off, so that a test can see the path was taken (the trap
 * itself cannot print: printk needs %gs). */
void trap_report(void)
{
    uint64_t n = __atomic_load_n(&ring0_debug_traps, __ATOMIC_RELAXED);

    if (n)
        printk("trap: %lu guest single step(s) held over into ring 0, taken on the #DB stack", n);
}

/* The timer, the kick IPI, the console interrupt and lent functions'
 * interrupts, from ring 0 or 3
 * alike: each handler reschedules and does not return.  Any other vector
 * (spurious, masked legacy PIC lines) returns to the caller. */
static void device_interrupt(uint64_t vector)
{
    switch (vector) {
    case VEC_TIMER:
        lapic_eoi();
        hv_timer_interrupt();
    case VEC_KICK:
        lapic_eoi();
        hv_kick_interrupt();
    case VEC_CONSOLE:
        console_irq_interrupt();
    case VEC_PCI_FIRST ... VEC_PCI_LAST:
        pci_vector_interrupt((unsigned)(vector - VEC_PCI_FIRST));
    default:
        return;
    }
}

static void ring0_interrupt(struct cpu_regs *r)
{
    if (r->vector == VEC_TIMER && lapic_timer_early())
        return;
    device_interrupt(r->vector);
}

static void guest_event(struct cpu_regs *r)
{
    struct vcpu *v;

    if (r->vector == VEC_SPURIOUS ||
        (r->vector >= VEC_LEGACY_FIRST && r->vector <= VEC_LEGACY_LAST))
        return;
    if (r->vector == VEC_TIMER && lapic_timer_early())
        return;
    v = save_guest_frame(r);
    device_interrupt(r->vector);
    if (r->vector < 32)
        hv_guest_exception(v, (unsigned)r->vector, r->error_code,
                           r->vector == 14 ? read_cr2() : 0);
    printk("cpu%u: unexpected vector %#lx from a guest, ignored",
           this_cpu()->id, r->vector);
}

void trap_entry(struct cpu_regs *r)
{
    if (r->vector == 1 && (r->cs & 3) == 0) {
        ring0_debug_trap(r);
        return;
    }
    if (r->vector == 2 || r->vector == 8 || r->vector == 18)
        fatal_machine_event(r);
    if ((r->cs & 3) == 3) {
        guest_event(r);
        return;
    }
    if (r->vector >= 32) {
        ring0_interrupt(r);
        return;
    }
    trap_dump(r);
    panic("%s in the hypervisor, error %#lx, rip %#lx",
          exc_names[r->vector], r->error_code, r->rip);
}

__noreturn void syscall_dispatch(struct cpu_regs *r)
{
    hv_hypercall(save_guest_frame(r));
}

static void backtrace(uint64_t rbp)
{
    for (int i = 0; i < 16 && rbp; i++) {
        /* only walk frames inside the hypervisor's own half */
        if (rbp < HV_DIRECT_MAP_BASE || (rbp & 7))
            break;
        const uint64_t *f = (const uint64_t *)rbp;
        printk("  [%d] %#lx", i, f[1]);
        rbp = f[0];
    }
}

void trap_dump(const struct cpu_regs *r)
{
    printk("apic %u vector %lu error %#lx cr2 %#lx cr3 %#lx cr0 %#lx cr4 %#lx",
           lapic_id(), r->vector, r->error_code, read_cr2(), read_cr3(),
           read_cr0(), read_cr4());
    printk("rip %04lx:%016lx rflags %#lx rsp %04lx:%016lx",
           r->cs, r->rip, r->rflags, r->ss, r->rsp);
    printk("rax %016lx rbx %016lx rcx %016lx rdx %016lx",
           r->rax, r->rbx, r->rcx, r->rdx);
    printk("rsi %016lx rdi %016lx rbp %016lx r8  %016lx",
           r->rsi, r->rdi, r->rbp, r->r8);
    printk("r9  %016lx r10 %016lx r11 %016lx r12 %016lx",
           r->r9, r->r10, r->r11, r->r12);
    printk("r13 %016lx r14 %016lx r15 %016lx", r->r13, r->r14, r->r15);
    if ((r->cs & 3) == 0) {
        printk("backtrace (addr2line -e build/hv/keel-hv.elf):");
        printk("  [-] %#lx", r->rip);
        backtrace(r->rbp);
    }
}
