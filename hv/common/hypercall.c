/*
 * The hypercall dispatcher.  The guest's registers are already saved in
 * v->arch.regs; the number is in rax, arguments in rdi, rsi, rdx, r10, r8,
 * r9 (keel/hypercall.h).  Each handler decodes, checks and acts, and returns
 * >= 0 or -KEEL_Exxx, which goes back in rax.  Then, as after every entry
 * from ring 3, the scheduler decides what runs next.
 */
#include <hv/hypercall.h>
#include <hv/evtchn.h>
#include <hv/grant.h>
#include <hv/pci.h>
#include <hv/sched.h>
#include <hv/lib.h>
#include <keel/hypercall.h>

static long hc_null(struct vcpu *v, const struct hc_args *args)
{
    (void)v;
    (void)args;
    return 0;
}

static long hc_abi_version(struct vcpu *v, const struct hc_args *args)
{
    (void)v;
    (void)args;
    return KEEL_ABI_VERSION;
}

static const hc_handler_t handlers[KEEL_HC_COUNT] = {
    [KEEL_HC_NULL]          = hc_null,
    [KEEL_HC_CONSOLE_WRITE] = hc_console_write,
    [KEEL_HC_SCHED_YIELD]   = hc_sched_yield,
    [KEEL_HC_SCHED_BLOCK]   = hc_sched_block,
    [KEEL_HC_SET_TIMER]     = hc_set_timer,
    [KEEL_HC_SHUTDOWN]      = hc_shutdown,
    [KEEL_HC_DOMCTL]        = hc_domctl,
    [KEEL_HC_ABI_VERSION]   = hc_abi_version,
    [KEEL_HC_EVTCHN_OP]     = hc_evtchn_op,
    [KEEL_HC_SET_CALLBACK]  = hc_set_callback,
    [KEEL_HC_GRANT_TABLE_OP] = hc_grant_table_op,
    [KEEL_HC_CONSOLE_READ]  = hc_console_read,
    [KEEL_HC_PCI_OP]        = hc_pci_op,
    [KEEL_HC_MEMORY_OP]     = hc_memory_op,
};

__noreturn void hv_hypercall(struct vcpu *v)
{
    struct cpu_regs *r = &v->arch.regs;
    struct hc_args args = { { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 } };
    uint64_t nr = r->rax;
    long ret = -KEEL_ENOSYS;

    if (nr < KEEL_HC_COUNT) {
        nr = index_nospec(nr, KEEL_HC_COUNT);
        if (handlers[nr])
            ret = handlers[nr](v, &args);
    }
    r->rax = (uint64_t)ret;
    schedule_and_return();
}
