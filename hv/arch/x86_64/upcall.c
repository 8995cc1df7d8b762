/*
 * Entering a domain's event upcall (contract: keel/event_channel.h).
 *
 * Called by arch_switch_to() as the last change to a vCPU's saved frame
 * before it goes back to ring 3, so an upcall never lands inside a
 * hypercall's work: the hypercall has finished and its result is in rax,
 * which the callback sees untouched.  The frame is written through the
 * checked guest accessor, exactly as the guest itself could write it; if it
 * cannot be (the stack pointer was garbage, the stack ran into its guard
 * page), the domain crashes with a record that says so, and the hypervisor
 * goes on with something else.
 */
#include <hv/arch.h>
#include <hv/sched.h>
#include <hv/domain.h>
#include <hv/evtchn.h>
#include <hv/guest_access.h>
#include <hv/lib.h>
#include "x86.h"

#define RFLAGS_TF (1ull << 8)
#define RFLAGS_DF (1ull << 10)
#define RFLAGS_AC (1ull << 18)

void upcall_inject(struct vcpu *v);

static __noreturn void frame_fault(struct vcpu *v, uint64_t at)
{
    printk("d%u: upcall frame at %#lx is not writable: domain crashed",
           v->domain->id, (unsigned long)at);
    domain_crash(v->domain, KEEL_CRASH_UPCALL, 0, at);
    schedule_and_return();
}

void upcall_inject(struct vcpu *v)
{
    struct cpu_regs *r = &v->arch.regs;
    uint64_t entry = evtchn_upcall_take(v);
    struct keel_upcall_frame f;
    uint64_t at;

    if (!entry)
        return;
    f.rflags = (r->rflags & RFLAGS_USER_MASK) | RFLAGS_IF | RFLAGS_FIXED;
    f.rip = r->rip;
    at = r->rsp - KEEL_UPCALL_FRAME_OFFSET;
    if (r->rsp < KEEL_UPCALL_FRAME_OFFSET ||
        copy_to_guest(v->domain, at, &f, sizeof(f)) != 0)
        frame_fault(v, at);
    r->rsp = at;
    r->rip = entry;
    r->rflags &= ~(RFLAGS_TF | RFLAGS_DF | RFLAGS_AC);
}
