/*
 * KEEL_HC_GRANT_TABLE_OP(cmd, a1, a2): decode and dispatch.  Any domain may
 * call it; what it may do is decided per grant by the granter's entries.
 */
#include <hv/grant.h>
#include <hv/hypercall.h>
#include <hv/sched.h>

long hc_grant_table_op(struct vcpu *v, const struct hc_args *args)
{
    struct domain *d = v->domain;
    uint64_t a1 = args->a[1], a2 = args->a[2];

    switch (args->a[0]) {
    case KEEL_GNTOP_SETUP:
        return grant_setup(d, a1, a2);
    case KEEL_GNTOP_MAP:
        return grant_map(d, a1);
    case KEEL_GNTOP_UNMAP:
        return grant_unmap(d, a1);
    case KEEL_GNTOP_END:
        return grant_end(d, a1);
    case KEEL_GNTOP_COPY:
        return grant_copy(d, a1, a2);
    default:
        return -KEEL_ENOSYS;
    }
}
