/*
 * Hypercalls about the caller's own vCPU: yield, block, its one-shot timer,
 * and ending its domain.  None of them takes a pointer.
 */
#include <hv/hypercall.h>
#include <hv/domain.h>
#include <hv/lib.h>

long hc_sched_yield(struct vcpu *v, const struct hc_args *args)
{
    (void)v;
    (void)args;
    sched_yield_current();
    return 0;
}

/* Returns 0 in both cases; the guest re-checks its condition. */
long hc_sched_block(struct vcpu *v, const struct hc_args *args)
{
    (void)args;
    vcpu_block(v);
    return 0;
}

long hc_set_timer(struct vcpu *v, const struct hc_args *args)
{
    timer_set(v, args->a[0]);
    return 0;
}

long hc_shutdown(struct vcpu *v, const struct hc_args *args)
{
    uint64_t reason = args->a[0];

    if (reason == KEEL_SHUTDOWN_EXIT)
        domain_shutdown(v->domain, (int32_t)args->a[1]);
    else if (reason == KEEL_SHUTDOWN_CRASH)
        domain_crash(v->domain, KEEL_CRASH_ABORT, 0, 0);
    else
        return -KEEL_EINVAL;
    return 0;                /* never seen: the vCPU is dead */
}
