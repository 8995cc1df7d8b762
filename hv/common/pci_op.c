/*
 * KEEL_HC_PCI_OP: decode, check, one worker (keel/pci.h).
 *
 * Who may do what is decided here and nowhere else, before any worker
 * runs: privileged-only commands (refused before op is even read, as
 * domctl's), commands for the owner of the function named by bdf, and
 * commands for any domain that owns a function (check_caller).  Then every
 * field the command does not use must be 0.  Device commands run under pci_lock;
 * DMA_ALLOC and TRANSLATE touch only the caller's own memory and struct
 * pci_dom, which nobody else changes while it runs (hv/pci.h).
 *
 * A command with outputs checks its op writable first, so that one with
 * side effects (DMA_ALLOC, MAP_BAR) never succeeds without the caller
 * learning its result (BIND_IRQ and BIND_MSIX return their port in rax).
 */
#include <hv/pci.h>
#include <hv/domain.h>
#include <hv/hypercall.h>
#include <hv/guest_access.h>
#include <hv/lib.h>

/* fields, in struct keel_pci_op order */
#define F_BDF    (1u << 0)
#define F_DOMID  (1u << 1)
#define F_INDEX  (1u << 2)
#define F_OFFSET (1u << 3)
#define F_SIZE   (1u << 4)
#define F_VALUE  (1u << 5)
#define F_VA     (1u << 6)
#define F_NPAGES (1u << 7)
#define F_MADDR  (1u << 8)
#define F_CONTIG (1u << 9)

#define NEED_PRIV   1u      /* privileged caller */
#define NEED_OWNER  2u      /* the caller owns bdf's function */
#define NEED_LENDEE 4u      /* the caller owns some function */

struct cmd {
    uint8_t need;
    bool out;               /* writes op back */
    uint16_t fields;        /* read or written; the others must be 0 */
};

static const struct cmd cmds[] = {
    [KEEL_PCIOP_LIST]       = { NEED_PRIV, true, F_INDEX },
    [KEEL_PCIOP_ASSIGN]     = { NEED_PRIV, false, F_BDF | F_DOMID },
    [KEEL_PCIOP_RELEASE]    = { NEED_OWNER, false, F_BDF },
    [KEEL_PCIOP_CFG_READ]   = { NEED_OWNER, true, F_BDF | F_OFFSET | F_SIZE | F_VALUE },
    [KEEL_PCIOP_CFG_WRITE]  = { NEED_OWNER, false, F_BDF | F_OFFSET | F_SIZE | F_VALUE },
    [KEEL_PCIOP_MAP_BAR]    = { NEED_OWNER, true, F_BDF | F_INDEX | F_VA | F_NPAGES },
    [KEEL_PCIOP_UNMAP_BAR]  = { NEED_OWNER, false, F_BDF | F_INDEX },
    [KEEL_PCIOP_BIND_IRQ]   = { NEED_OWNER, false, F_BDF },
    [KEEL_PCIOP_IRQ_ACK]    = { NEED_OWNER, false, F_BDF },
    [KEEL_PCIOP_IRQ_MASK]   = { NEED_OWNER, false, F_BDF },
    [KEEL_PCIOP_IRQ_UNMASK] = { NEED_OWNER, false, F_BDF },
    [KEEL_PCIOP_DMA_ALLOC]  = { NEED_LENDEE, true, F_NPAGES | F_VA | F_MADDR },
    [KEEL_PCIOP_TRANSLATE]  = { NEED_LENDEE, true, F_VA | F_MADDR | F_CONTIG },
    [KEEL_PCIOP_BIND_MSIX]  = { NEED_OWNER, false, F_BDF | F_INDEX },
};

static bool unused_zero(const struct keel_pci_op *op, unsigned fields)
{
    const uint64_t v[] = { op->bdf, op->domid, op->index, op->offset, op->size,
                           op->value, op->va, op->npages, op->maddr, op->contig };

    for (unsigned i = 0; i < ARRAY_SIZE(v); i++)
        if (!(fields >> i & 1) && v[i])
            return false;
    return true;
}

/* Who may, after the privilege check (hc_pci_op, before op is read):
 * under pci_lock when bdf is used, so that the answer holds meanwhile. */
static long check_caller(struct domain *d, const struct cmd *c,
                         const struct keel_pci_op *op, struct pci_func **f)
{
    if ((c->need & NEED_LENDEE) && !pci_owns_a_function(d))
        return -KEEL_EPERM;
    if (!(c->fields & F_BDF))
        return 0;
    if (op->bdf > 0xffff)
        return -KEEL_EINVAL;
    if (!(*f = pci_func_find(op->bdf)))
        return -KEEL_ENODEV;
    if ((c->need & NEED_OWNER) && (*f)->owner != d)
        return -KEEL_EACCES;
    return 0;
}

static long cfg_access(struct pci_func *f, uint32_t cmd, struct keel_pci_op *op)
{
    if (!pci_cfg_access_ok(op->offset, op->size))
        return -KEEL_EINVAL;
    if (cmd == KEEL_PCIOP_CFG_READ) {
        op->value = pci_cfg_read(f, op->offset, op->size);
        return 0;
    }
    if (op->size < 4 && op->value >> (8 * op->size))
        return -KEEL_EINVAL;
    return pci_cfg_write(f, op->offset, op->size, op->value);
}

/* Under pci_lock, the caller checked. */
static long device_cmd(struct domain *d, struct pci_func *f, uint32_t cmd,
                       struct keel_pci_op *op)
{
    switch (cmd) {
    case KEEL_PCIOP_LIST:
        return pci_list(op->index, &op->info);
    case KEEL_PCIOP_ASSIGN:
        return pci_assign(d, f, op->domid);
    case KEEL_PCIOP_RELEASE:
        return pci_release(d, f);
    case KEEL_PCIOP_CFG_READ:
    case KEEL_PCIOP_CFG_WRITE:
        return cfg_access(f, cmd, op);
    case KEEL_PCIOP_MAP_BAR:
        return pci_map_bar(d, f, op->index, &op->va, &op->npages);
    case KEEL_PCIOP_UNMAP_BAR:
        return pci_unmap_bar(d, f, op->index);
    case KEEL_PCIOP_BIND_IRQ:
        return pci_irq_bind(d, f);
    case KEEL_PCIOP_BIND_MSIX:
        return pci_msix_bind(d, f, op->index);
    default:
        return pci_irq_control(d, f, cmd);
    }
}

static long run(struct domain *d, uint32_t cmd, const struct cmd *c, struct keel_pci_op *op)
{
    struct pci_func *f = NULL;
    bool locked = !(c->need & NEED_LENDEE);
    long rc;

    if (locked)
        pci_table_lock();
    rc = check_caller(d, c, op, &f);
    if (!rc && !unused_zero(op, c->fields))
        rc = -KEEL_EINVAL;
    if (!rc && cmd == KEEL_PCIOP_DMA_ALLOC)
        rc = pci_dma_alloc(d, op->npages, &op->va, &op->maddr);
    else if (!rc && cmd == KEEL_PCIOP_TRANSLATE)
        rc = pci_translate(d, op->va, &op->maddr, &op->contig);
    else if (!rc)
        rc = device_cmd(d, f, cmd, op);
    if (locked)
        pci_table_unlock();
    return rc;
}

long hc_pci_op(struct vcpu *v, const struct hc_args *args)
{
    struct domain *d = v->domain;
    uint64_t cmd = args->a[0], gva = args->a[1];
    const struct cmd *c;
    struct keel_pci_op op;
    long rc;

    if (cmd >= ARRAY_SIZE(cmds) || !cmds[index_nospec(cmd, ARRAY_SIZE(cmds))].need)
        return -KEEL_ENOSYS;
    c = &cmds[index_nospec(cmd, ARRAY_SIZE(cmds))];
    if ((c->need & NEED_PRIV) && !d->privileged)
        return -KEEL_EPERM;
    if (copy_from_guest(d, &op, gva, sizeof(op)) ||
        (c->out && guest_range_check(d, gva, sizeof(op), KEEL_RIGHT_W)))
        return -KEEL_EFAULT;
    rc = run(d, (uint32_t)cmd, c, &op);
    if (rc >= 0 && c->out && copy_to_guest(d, gva, &op, sizeof(op)))
        return -KEEL_EFAULT;
    return rc;
}
