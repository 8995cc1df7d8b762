/*
 * KEEL_HC_DOMCTL: the privileged domain's management interface.
 *
 * The privilege check is here, once, before a byte of the op is read.  The
 * op is copied in, checked and acted on, then copied back out; its buffer is
 * checked writable up front so that a command with side effects (CREATE)
 * never succeeds without its result reaching the caller.
 */
#include <hv/hypercall.h>
#include <hv/domctl.h>
#include <hv/guest_access.h>
#include <hv/domain.h>
#include <hv/lib.h>

int domctl_guest(struct vcpu *v, const struct keel_domctl *op, struct domain **out)
{
    uint32_t id = op->domid == KEEL_DOMID_SELF ? v->domain->id : op->domid;
    struct domain *d = domain_lookup(id);

    if (!d)
        return -KEEL_ESRCH;
    if (d == v->domain || d->privileged)
        return -KEEL_EPERM;
    *out = d;
    return 0;
}

int domctl_new_guest(struct vcpu *v, const struct keel_domctl *op, struct domain **out)
{
    int rc = domctl_guest(v, op, out);

    return rc ? rc : (*out)->vcpu->started ? -KEEL_EBUSY : 0;
}

static long dc_create(struct vcpu *v, struct keel_domctl *op)
{
    struct domain *d;
    int rc;

    (void)v;
    if ((op->u.create.flags & ~KEEL_CREATE_ON_DEMAND) || op->u.create.pad != 0)
        return -KEEL_EINVAL;
    if ((rc = domain_create(op->u.create.mem_pages, &op->u.create.limits, false,
                            op->u.create.flags & KEEL_CREATE_ON_DEMAND, &d)))
        return rc;
    op->domid = d->id;
    return 0;
}

static long dc_destroy(struct vcpu *v, struct keel_domctl *op)
{
    struct domain *d;
    int rc = domctl_guest(v, op, &d);

    return rc ? rc : domain_destroy(d);
}

static long dc_pause(struct vcpu *v, struct keel_domctl *op)
{
    struct domain *d;
    int rc = domctl_guest(v, op, &d);

    return rc ? rc : domain_pause(d);
}

static long dc_unpause(struct vcpu *v, struct keel_domctl *op)
{
    struct domain *d;
    int rc = domctl_guest(v, op, &d);

    return rc ? rc : domain_unpause(d);
}

/* Only for a domain that has never run: its registers are not live. */
static long dc_set_vcpu(struct vcpu *v, struct keel_domctl *op)
{
    const struct keel_vcpu_context *ctx = &op->u.vcpu;
    struct domain *d;
    int rc = domctl_guest(v, op, &d);

    if (rc)
        return rc;
    if (d->vcpu->started || d->state != KEEL_DOMSTATE_PAUSED)
        return -KEEL_EBUSY;
    /* a non-canonical rip would fault in ring 0 on the way out */
    if (ctx->rip >= KEEL_USER_VA_END || ctx->rsp >= KEEL_USER_VA_END)
        return -KEEL_EINVAL;
    if (d->vcpu->has_context) {
        d->vcpu->has_context = false;
        arch_vcpu_release(d->vcpu);
    }
    /* the FPU area made at CREATE, reset: nothing here can run dry */
    if ((rc = arch_vcpu_init(&d->vcpu->arch, ctx)))
        return rc;
    d->vcpu->has_context = true;
    return 0;
}

static long dc_get_info(struct vcpu *v, struct keel_domctl *op)
{
    uint32_t id = op->domid == KEEL_DOMID_SELF ? v->domain->id : op->domid;
    struct domain *d = domain_lookup(id);

    if (!d)
        return -KEEL_ESRCH;
    memset(&op->u, 0, sizeof(op->u));
    domain_get_info(d, &op->u.info);
    return 0;
}

static long dc_physinfo(struct vcpu *v, struct keel_domctl *op)
{
    (void)v;
    memset(&op->u, 0, sizeof(op->u));
    op->u.physinfo.total_frames = frames_total_count();
    op->u.physinfo.free_frames = frames_free_count();
    op->u.physinfo.nr_cpus = hv_nr_cpus;
    op->u.physinfo.nr_domains = domain_count();
    op->u.physinfo.tsc_khz = arch_tsc_khz();
    op->u.physinfo.reserved_frames = frames_reserved_count();
    return 0;
}

static long dc_poweroff(struct vcpu *v, struct keel_domctl *op)
{
    printk("dom%u powers off with status %d", v->domain->id, op->u.poweroff.status);
    arch_poweroff(op->u.poweroff.status);
}

/* Any domain, the caller and dom0 included (unlike domctl_guest). */
static long dc_set_affinity(struct vcpu *v, struct keel_domctl *op)
{
    uint32_t id = op->domid == KEEL_DOMID_SELF ? v->domain->id : op->domid;
    uint32_t cpu = op->u.affinity.cpu;
    struct domain *d = domain_lookup(id);

    if (!d)
        return -KEEL_ESRCH;
    if (op->u.affinity.pad != 0 || (cpu != KEEL_CPU_ANY && cpu >= hv_nr_cpus))
        return -KEEL_EINVAL;
    vcpu_set_affinity(d->vcpu, cpu);
    return 0;
}

typedef long (*domctl_fn)(struct vcpu *v, struct keel_domctl *op);

static const domctl_fn commands[] = {
    [KEEL_DOMCTL_CREATE]        = dc_create,
    [KEEL_DOMCTL_DESTROY]       = dc_destroy,
    [KEEL_DOMCTL_PAUSE]         = dc_pause,
    [KEEL_DOMCTL_UNPAUSE]       = dc_unpause,
    [KEEL_DOMCTL_MAP_FOREIGN]   = domctl_map_foreign,
    [KEEL_DOMCTL_UNMAP_FOREIGN] = domctl_unmap_foreign,
    [KEEL_DOMCTL_SET_RIGHTS]    = domctl_set_rights,
    [KEEL_DOMCTL_SET_VCPU]      = dc_set_vcpu,
    [KEEL_DOMCTL_GET_INFO]      = dc_get_info,
    [KEEL_DOMCTL_PHYSINFO]      = dc_physinfo,
    [KEEL_DOMCTL_POWEROFF]      = dc_poweroff,
    [KEEL_DOMCTL_SET_AFFINITY]  = dc_set_affinity,
    [KEEL_DOMCTL_NEXT_ENDED]    = domctl_next_ended,
    [KEEL_DOMCTL_MAP_MODULE]    = domctl_map_module,
    [KEEL_DOMCTL_CPU_INFO]      = domctl_cpu_info,
    [KEEL_DOMCTL_SET_STACK]     = domctl_set_stack,
};

long hc_domctl(struct vcpu *v, const struct hc_args *args)
{
    struct domain *self = v->domain;
    uint64_t uop = args->a[0];
    struct keel_domctl op;
    long rc;

    if (!self->privileged)
        return -KEEL_EPERM;
    if ((rc = guest_range_check(self, uop, sizeof(op), KEEL_RIGHT_R | KEEL_RIGHT_W)))
        return rc;
    if ((rc = copy_from_guest(self, &op, uop, sizeof(op))))
        return rc;
    if (op.abi_version != KEEL_ABI_VERSION)
        return -KEEL_EINVAL;
    if (op.cmd >= ARRAY_SIZE(commands))
        return -KEEL_ENOSYS;
    op.cmd = (uint32_t)index_nospec(op.cmd, ARRAY_SIZE(commands));
    if (!commands[op.cmd])
        return -KEEL_ENOSYS;
    rc = commands[op.cmd](v, &op);
    if (rc >= 0 && copy_to_guest(self, uop, &op, sizeof(op)))
        return -KEEL_EFAULT;
    return rc;
}
