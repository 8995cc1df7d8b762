/*
 * Hypercall handlers (hv/common/hypercall.c is the dispatcher).
 *
 * Every handler has the same shape: decode its arguments from `a`, check
 * them, act, and return a value >= 0 or -KEEL_Exxx.  The dispatcher stores
 * the result in the caller's rax and then schedules; a handler that blocks
 * or ends its vCPU only changes the vCPU's state.
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include <stdint.h>

struct vcpu;

struct hc_args {
    uint64_t a[6];               /* rdi, rsi, rdx, r10, r8, r9 */
};

typedef long (*hc_handler_t)(struct vcpu *v, const struct hc_args *args);

long hc_console_write(struct vcpu *v, const struct hc_args *args);
long hc_console_read(struct vcpu *v, const struct hc_args *args);
long hc_domctl(struct vcpu *v, const struct hc_args *args);
long hc_memory_op(struct vcpu *v, const struct hc_args *args);   /* memory.c */
long hc_sched_yield(struct vcpu *v, const struct hc_args *args);
long hc_sched_block(struct vcpu *v, const struct hc_args *args);
long hc_set_timer(struct vcpu *v, const struct hc_args *args);
long hc_shutdown(struct vcpu *v, const struct hc_args *args);

#endif /* HV_HYPERCALL_H */
