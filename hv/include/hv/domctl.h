/*
 * KEEL_HC_DOMCTL sub-commands (hv/common/domctl.c, domctl_mem.c,
 * domctl_module.c).  Each gets
 * the caller's vCPU (already known to be privileged) and the op copied into
 * hypervisor memory; OUT fields are written into *op, which the dispatcher
 * copies back.  Same shape as every handler: check, act, 0 or -KEEL_Exxx.
 */
#ifndef HV_DOMCTL_H
#define HV_DOMCTL_H

#include <stdbool.h>
#include <keel/domctl.h>

struct vcpu;
struct domain;

/* The guest domain op->domid names: not the caller, not privileged.
 * -KEEL_ESRCH if there is none, -KEEL_EPERM for the privileged domain. */
int domctl_guest(struct vcpu *v, const struct keel_domctl *op, struct domain **out);
/* The same for a guest that has never run (-KEEL_EBUSY if it has). */
int domctl_new_guest(struct vcpu *v, const struct keel_domctl *op, struct domain **out);

long domctl_map_foreign(struct vcpu *v, struct keel_domctl *op);
long domctl_unmap_foreign(struct vcpu *v, struct keel_domctl *op);
long domctl_set_rights(struct vcpu *v, struct keel_domctl *op);
/* [gva, gva + npages pages) is page aligned, npages > 0, inside d's memory. */
bool in_guest_memory(const struct domain *d, uint64_t gva, uint64_t npages);
/* Every page of [gva, + npages) of t mapped (else -KEEL_EINVAL) with
 * (flags & mask) == want, AS_* flags (else err). */
int domctl_pages_are(const struct domain *t, uint64_t gva, uint64_t npages,
                     unsigned mask, unsigned want, int err);
/* domctl_module.c */
long domctl_map_module(struct vcpu *v, struct keel_domctl *op);

/* stack.c */
long domctl_set_stack(struct vcpu *v, struct keel_domctl *op);

/* sched_rq.c */
long domctl_cpu_info(struct vcpu *v, struct keel_domctl *op);

/* domctl_ended.c */
long domctl_next_ended(struct vcpu *v, struct keel_domctl *op);
void domctl_note_ended(uint32_t domid);   /* from domain_ended() */

#endif /* HV_DOMCTL_H */
