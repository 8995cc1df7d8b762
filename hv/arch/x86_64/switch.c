/*
 * arch_switch_to: the one way back to ring 3 (or to idle).
 *
 * Rules (see hv/arch.h): a pending event upcall is entered here, on the way
 * out and never inside a hypercall (upcall.c); the register state a guest
 * owns beyond its saved frame (FPU/SSE/AVX, data selectors, FS/GS bases:
 * docs/isolation.md) stays live in the CPU while its owner is in the
 * hypervisor, and is saved, with the owner's `running` flag dropped, before
 * anyone else runs here; the TSS's I/O bitmap follows the same owner
 * (ioperm.c: it is only ever loaded, nothing of it is saved); CR3 is
 * reloaded whenever the vCPU on this CPU changes (idle runs on the
 * hypervisor's own PML4, so a destroyed address space is never live); the
 * saved frame is sanitized before iretq, because a guest (or dom0 through
 * SET_VCPU) controls every bit of it.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/sched.h>
#include <hv/domain.h>
#include "x86.h"

void upcall_inject(struct vcpu *v);

/* Save the live state of this CPU's owner and release it to other CPUs. */
static void owner_switch_out(struct percpu *pc)
{
    struct vcpu *v = pc->state_owner;

    if (!v)
        return;
    seg_save(&v->arch);
    fpu_save(v->arch.fpu);
    pc->state_owner = NULL;
    __atomic_store_n(&v->arch.running, 0, __ATOMIC_RELEASE);
}

static void owner_switch_in(struct percpu *pc, struct vcpu *v)
{
    fpu_restore(v->arch.fpu);
    seg_load(&v->arch);
    io_switch_in(v);
    pc->state_owner = v;
}

/* CS/SS forced to the user selectors; IF on; IOPL 0, no NT/RF/VM/VIF/VIP. */
static void sanitize(struct cpu_regs *r)
{
    r->cs = SEL_UCODE;
    r->ss = SEL_UDATA;
    r->rflags = (r->rflags & RFLAGS_USER_MASK) | RFLAGS_IF | RFLAGS_FIXED;
}

/* iretq to a non-canonical rip faults in ring 0 on Intel CPUs: such a
 * frame is a guest fault, reported before we ever try it. */
static bool rip_ok(const struct cpu_regs *r)
{
    return r->rip < KEEL_USER_VA_END;
}

/* How long an idle CPU spins before it halts (see arch_idle_loop). */
#define IDLE_POLL_US 200

static __noreturn void go_idle(struct percpu *pc)
{
    pc->current = NULL;
    write_cr3(hv_kernel_pml4);
    owner_switch_out(pc);
    arch_idle_loop(pc->hv_stack_top, rdtsc() + arch_tsc_khz() * IDLE_POLL_US / 1000);
}

/* The CPU leaves the previous vCPU's page tables *before* owner_switch_out()
 * drops that vCPU's `running` flag: the moment the flag is 0, another CPU
 * may destroy the domain and free those tables, and a CPU still walking a
 * freed PML4 would lose the hypervisor half under its feet. */
__noreturn void arch_switch_to(struct vcpu *next)
{
    struct percpu *pc = this_cpu();

    if (!next)
        go_idle(pc);
    BUG_ON(!next->domain || !next->domain->as.pml4 || !next->arch.fpu);
    if (pc->current != next || (read_cr3() & ~0xfffull) != next->domain->as.pml4) {
        if (pc->current != next)
            spec_ctrl_domain_switch();
        pc->current = next;
        write_cr3(next->domain->as.pml4);
    }
    if (pc->state_owner != next) {
        owner_switch_out(pc);
        /* the scheduler waits for this too; never load state in flight */
        while (__atomic_load_n(&next->arch.running, __ATOMIC_ACQUIRE))
            cpu_relax();
        next->arch.running = 1;
        owner_switch_in(pc, next);
    }
    upcall_inject(next);             /* may crash next and not return */
    sanitize(&next->arch.regs);
    if (!rip_ok(&next->arch.regs))
        hv_guest_exception(next, 13, 0, 0);
    arch_resume_user(&next->arch.regs, pc->hv_stack_top);
}

/* Release everything this CPU holds of v: its FPU and segment state (saved,
 * `running` back to 0) and, if v is current here, its address space
 * (CR3 goes back to the hypervisor's own tables), so v's domain can be torn
 * down.  this_cpu()->current is left alone: arch_switch_to compares it
 * only, never dereferences it. */
void arch_vcpu_release(struct vcpu *v)
{
    struct percpu *pc = this_cpu();

    if (pc->state_owner == v)
        owner_switch_out(pc);
    if (pc->current == v)
        write_cr3(hv_kernel_pml4);
}
