/*
 * The table of PCI functions (filled once by pci_scan.c) and who holds
 * each: assign, release, configuration access, and taking everything back
 * from a domain that is destroyed.  The rules are keel/pci.h's; the
 * locking and who-changes-what are in hv/pci.h.
 *
 * An owner's ports are recomputed from the table whenever it gains or
 * loses a function, with a new stamp: each CPU's TSS remembers the stamp
 * of the ports it holds (ioperm.c), so a stale bitmap is never taken for
 * a current one, even after the domain is gone.
 */
#include <hv/pci.h>
#include <hv/domain.h>
#include <hv/lib.h>

#define CFG_COMMAND      0x04

struct pci_func pci_funcs[PCI_MAX_FUNCS];
unsigned pci_nfuncs;
static spinlock_t pci_lock = SPINLOCK_INIT;
static uint64_t next_stamp = 1;      /* under pci_lock */

void pci_table_lock(void)
{
    spin_lock(&pci_lock);
}

void pci_table_unlock(void)
{
    spin_unlock(&pci_lock);
}

struct pci_func *pci_func_find(uint32_t bdf)
{
    for (unsigned i = 0; i < pci_nfuncs; i++)
        if (pci_funcs[i].info.bdf == bdf)
            return &pci_funcs[i];
    return NULL;
}

unsigned pci_func_index(const struct pci_func *f)
{
    return (unsigned)(f - pci_funcs);
}

const struct pci_func *pci_func_by_id(uint16_t vendor, uint16_t device)
{
    for (unsigned i = 0; i < pci_nfuncs; i++)
        if (pci_funcs[i].info.vendor == vendor && pci_funcs[i].info.device == device)
            return &pci_funcs[i];
    return NULL;
}

void pci_memory_decode_on(const struct pci_func *f)
{
    uint32_t cmd = arch_pci_cfg_read(f->info.bdf, CFG_COMMAND, 2);

    arch_pci_cfg_write(f->info.bdf, CFG_COMMAND, 2, cmd | 0x2u);
}

long pci_list(uint32_t index, struct keel_pci_info *out)
{
    const struct pci_func *f;

    if (index >= pci_nfuncs)
        return -KEEL_ENOENT;
    f = &pci_funcs[index_nospec(index, pci_nfuncs)];
    *out = f->info;
    out->command = (uint16_t)arch_pci_cfg_read(f->info.bdf, CFG_COMMAND, 2);
    if (f->owner) {
        out->flags |= KEEL_PCI_F_ASSIGNED;
        out->owner = f->owner->id;
    }
    if (f->info.flags & KEEL_PCI_F_KEPT)
        memset(out->bar, 0, sizeof(out->bar));
    return 0;
}

/* No decoding, no bus mastering, no INTx, no MSI-X: the function can
 * neither be reached nor reach memory until its (next) owner turns it on.
 * (Its MSI-X entries were masked as their ports closed.) */
static void quiesce(const struct pci_func *f)
{
    uint32_t cmd = arch_pci_cfg_read(f->info.bdf, CFG_COMMAND, 2);

    arch_pci_cfg_write(f->info.bdf, CFG_COMMAND, 2, pci_cmd_quiesced(cmd));
    pci_msix_off(f);
}

static unsigned io_bars(const struct pci_func *f)
{
    unsigned n = 0;

    for (unsigned i = 0; i < KEEL_PCI_BARS; i++)
        n += (f->info.bar[i].type & 0xfu) == KEEL_PCI_BAR_IO;
    return n;
}

/* d's ports from the table, under a new stamp. */
static void ports_rebuild(struct domain *d)
{
    struct pci_dom *p = &d->pci;

    p->nports = 0;
    for (unsigned i = 0; i < pci_nfuncs; i++) {
        const struct pci_func *f = &pci_funcs[i];
        for (unsigned b = 0; b < KEEL_PCI_BARS && f->owner == d; b++)
            if ((f->info.bar[b].type & 0xfu) == KEEL_PCI_BAR_IO)
                p->ports[p->nports++] = (struct pci_port_range){
                    (uint16_t)f->info.bar[b].base, (uint16_t)f->info.bar[b].size };
    }
    p->io_stamp = next_stamp++;
}

/* The caller itself, or a guest that has never run: nobody runs with
 * the ports or mappings that change (hv/pci.h). */
static long assign_target(struct domain *caller, uint32_t domid, struct domain **out)
{
    struct domain *t;

    if (domid == KEEL_DOMID_SELF || domid == caller->id) {
        *out = caller;
        return 0;
    }
    if (!(t = domain_lookup(domid)))
        return -KEEL_ESRCH;
    if (t->privileged)
        return -KEEL_EPERM;
    if (t->vcpu->started || t->state != KEEL_DOMSTATE_PAUSED)
        return -KEEL_EBUSY;
    *out = t;
    return 0;
}

/* t's mmio_pages hold every memory BAR of the functions it owns and of f
 * mapped at once, beside the tables its window took: then no MAP_BAR of
 * a function ASSIGN gave meets the limit. */
static bool mmio_room_with(const struct domain *t, const struct pci_func *f)
{
    uint32_t more = pci_func_tables_missing(t, f);

    for (unsigned i = 0; i < pci_nfuncs; i++)
        if (pci_funcs[i].owner == t)
            more += pci_func_tables_missing(t, &pci_funcs[i]);
    return pci_mmio_room(t, more);
}

long pci_assign(struct domain *caller, struct pci_func *f, uint32_t domid)
{
    struct domain *t;
    long rc;

    if (f->info.flags & KEEL_PCI_F_KEPT)
        return -KEEL_EACCES;
    if (f->owner)
        return -KEEL_EBUSY;
    if ((rc = assign_target(caller, domid, &t)))
        return rc;
    if (t->pci.nports + io_bars(f) > PCI_DOM_PORT_RANGES || !mmio_room_with(t, f))
        return -KEEL_ENOSPC;
    quiesce(f);
    f->owner = t;
    t->pci.nfuncs++;
    ports_rebuild(t);
    arch_io_ports_changed(t);
    return 0;
}

static void take_back(struct pci_func *f)
{
    quiesce(f);
    f->owner->pci.nfuncs--;
    f->owner = NULL;
    f->mapped = 0;
}

long pci_release(struct domain *d, struct pci_func *f)
{
    pci_irq_unbind_func(d, f);
    for (unsigned b = 0; b < KEEL_PCI_BARS; b++)
        if (f->mapped & (1u << b))
            pci_unmap_bar(d, f, b);
    take_back(f);
    ports_rebuild(d);
    arch_io_ports_changed(d);
    return 0;
}

/* Owners of a function are trusted with the machine's memory through its
 * DMA (keel/pci.h): what DMA_ALLOC, TRANSLATE and a grant's device pin
 * (grant_map.c) ask.  Only d's own vCPU changes the answer once d has run
 * (RELEASE; DESTROY when it is gone), so it holds while d's call runs. */
bool pci_owns_a_function(const struct domain *d)
{
    return d->pci.nfuncs != 0;
}

/* The interrupt's port is closed already (DESTROY closes every port first)
 * and the address space goes next, with its BAR mappings. */
void pci_domain_release(struct domain *d)
{
    if (!d->pci.nfuncs)
        return;
    spin_lock(&pci_lock);
    for (unsigned i = 0; i < pci_nfuncs; i++)
        if (pci_funcs[i].owner == d)
            take_back(&pci_funcs[i]);
    spin_unlock(&pci_lock);
}

uint32_t pci_cfg_read(const struct pci_func *f, unsigned off, unsigned size)
{
    return arch_pci_cfg_read(f->info.bdf, off, size);
}

long pci_cfg_write(struct pci_func *f, unsigned off, unsigned size, uint32_t val)
{
    uint32_t cur = arch_pci_cfg_read(f->info.bdf, off, size);

    if (!pci_cfg_write_ok(&f->guard, off, size, cur, val))
        return -KEEL_EACCES;
    arch_pci_cfg_write(f->info.bdf, off, size, val);
    return 0;
}

bool pci_line_shared_with_kept(const struct pci_func *f)
{
    for (unsigned i = 0; i < pci_nfuncs; i++) {
        const struct keel_pci_info *k = &pci_funcs[i].info;
        if ((k->flags & KEEL_PCI_F_KEPT) && k->irq_pin && k->irq_line == f->info.irq_line)
            return true;
    }
    return false;
}
