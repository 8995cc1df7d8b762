/*
 * Domain state changes: pause, unpause, the end of a domain (shutdown,
 * crash) and telling dom0 about it.
 *
 * A domain ends on its own vCPU (the shutdown hypercall, or a fault in ring
 * 3).  Its record (exit code or crash info) is written before its state, and
 * the state before dom0 is told (KEEL_PENDING_DOMAIN in its shared info and
 * VIRQ_DOM_EXC if bound), so dom0 finds a complete record when it looks.  The domain keeps all its memory
 * until dom0 destroys it: dom0 may still read it (crash backtraces).
 *
 * The privileged domain ending ends the machine: there is nobody left to
 * report to.
 */
#include <hv/domain.h>
#include <hv/domctl.h>
#include <hv/evtchn.h>
#include <hv/lib.h>

/* SHUTDOWN and CRASHED are final, and the domain's own vCPU may reach one
 * on another CPU while dom0 pauses it: change the state only if it is not
 * final yet, atomically. */
static bool set_live_state(struct domain *d, uint32_t state)
{
    uint32_t old = __atomic_load_n(&d->state, __ATOMIC_ACQUIRE);

    do {
        if (old == KEEL_DOMSTATE_SHUTDOWN || old == KEEL_DOMSTATE_CRASHED)
            return false;
    } while (!__atomic_compare_exchange_n(&d->state, &old, state, false,
                                          __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    return true;
}

int domain_pause(struct domain *d)
{
    if (!set_live_state(d, KEEL_DOMSTATE_PAUSED))
        return -KEEL_EINVAL;
    vcpu_pause(d->vcpu);
    return 0;
}

int domain_unpause(struct domain *d)
{
    if (!d->vcpu->has_context)
        return -KEEL_EINVAL;
    if (!set_live_state(d, KEEL_DOMSTATE_RUNNING))
        return -KEEL_EINVAL;
    d->vcpu->started = true;
    vcpu_unpause(d->vcpu);
    return 0;
}

void domain_set_pending(struct domain *d, uint64_t bits)
{
    __atomic_fetch_or(&d->shared_info->pending, bits, __ATOMIC_SEQ_CST);
    vcpu_wake(d->vcpu);
}

static void dump_regs(const struct keel_crash_info *c)
{
    const struct keel_cpu_regs *r = &c->regs;

    printk("vector %u error %#lx addr %#lx", c->vector, (unsigned long)c->error_code,
           (unsigned long)c->fault_addr);
    printk("rip %016lx rsp %016lx rflags %016lx", (unsigned long)r->rip,
           (unsigned long)r->rsp, (unsigned long)r->rflags);
    printk("rax %016lx rbx %016lx rcx %016lx rdx %016lx", (unsigned long)r->rax,
           (unsigned long)r->rbx, (unsigned long)r->rcx, (unsigned long)r->rdx);
    printk("rsi %016lx rdi %016lx rbp %016lx r8  %016lx", (unsigned long)r->rsi,
           (unsigned long)r->rdi, (unsigned long)r->rbp, (unsigned long)r->r8);
    printk("r9  %016lx r10 %016lx r11 %016lx r12 %016lx", (unsigned long)r->r9,
           (unsigned long)r->r10, (unsigned long)r->r11, (unsigned long)r->r12);
    printk("r13 %016lx r14 %016lx r15 %016lx", (unsigned long)r->r13,
           (unsigned long)r->r14, (unsigned long)r->r15);
}

static __noreturn void dom0_ended(struct domain *d)
{
    if (d->state == KEEL_DOMSTATE_SHUTDOWN) {
        printk("dom0 exited with status %d: powering off", d->exit_code);
        arch_poweroff(d->exit_code);
    }
    printk("dom0 crashed: powering off");
    dump_regs(&d->crash);
    arch_poweroff(KEEL_STATUS_MACHINE);
}

static void domain_ended(struct domain *d, uint32_t state)
{
    struct domain *dom0;

    __atomic_store_n(&d->state, state, __ATOMIC_RELEASE);
    if (d->privileged)
        dom0_ended(d);
    vcpu_kill_current(d->vcpu);
    domctl_note_ended(d->id);
    dom0 = domain_lookup(0);
    if (dom0) {
        domain_set_pending(dom0, KEEL_PENDING_DOMAIN);
        evtchn_send_virq(dom0, KEEL_VIRQ_DOM_EXC);
    }
}

void domain_shutdown(struct domain *d, int32_t code)
{
    d->exit_code = code;
    domain_ended(d, KEEL_DOMSTATE_SHUTDOWN);
}

void domain_crash(struct domain *d, uint32_t vector, uint64_t error_code,
                  uint64_t fault_addr)
{
    d->crash.vector = vector;
    d->crash.error_code = error_code;
    d->crash.fault_addr = fault_addr;
    arch_vcpu_get_regs(&d->vcpu->arch, &d->crash.regs);
    domain_ended(d, KEEL_DOMSTATE_CRASHED);
}

void domain_get_info(struct domain *d, struct keel_domain_info *info)
{
    info->state = __atomic_load_n(&d->state, __ATOMIC_ACQUIRE);
    info->exit_code = d->exit_code;
    info->mem_pages = d->mem_pages;
    info->mem_frames = d->mem_frames;
    info->cpu_time_ns = d->vcpu->cpu_time_ns;
    info->crash = d->crash;
    info->limits = d->limits;
    info->hv_frames = __atomic_load_n(&d->charge.used, __ATOMIC_RELAXED);
    info->hv_frames_max = d->charge.max;
}
