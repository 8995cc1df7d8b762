/*
 * Guest address spaces (hv/mm.h).  The hypervisor owns every page table;
 * guests only ever get 4 KiB user pages below KEEL_USER_VA_END.  The upper
 * half is copied from the kernel's PML4 at creation and never changes
 * afterwards (kpaging.c fills it during boot only).
 *
 * A leaf entry of a mapping always has PTE_VALID and keeps its frame, even
 * with rights 0 (present bit clear: a guard page that is still owned).
 * The rights as given live in software bits 52..54 so that lookups return
 * exactly what was set; the hardware bits are derived from them.
 *
 * Map/unmap/set_rights take the address space's lock; lookups do not need
 * it: table pages are only freed by as_destroy and each entry is written
 * with one 64-bit store.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <keel/keel.h>
#include "pt.h"
#include "x86.h"

static void *dm_virt(uint64_t pa) { return phys_to_virt(pa); }
static uint64_t alloc_plain(void *ctx) { (void)ctx; return frame_alloc_zeroed(); }
static uint64_t alloc_charged(void *charge) { return charge_frame(charge); }
static const struct pt_ops ops_alloc = { alloc_plain, dm_virt, NULL };
static const struct pt_ops ops_walk = { NULL, dm_virt, NULL };

static uint64_t leaf_bits(unsigned rights)
{
    uint64_t e = PTE_VALID | ((uint64_t)rights << PTE_RIGHTS_SHIFT);

    if (rights == 0)
        return e;
    e |= PTE_P | PTE_U;
    if (rights & KEEL_RIGHT_W)
        e |= PTE_W;
    if (!(rights & KEEL_RIGHT_X))
        e |= PTE_NX;
    return e;
}

static int check_va(uint64_t va)
{
    if ((va & ~PAGE_MASK) || va >= KEEL_USER_VA_END)
        return -KEEL_EINVAL;
    return 0;
}

static int check_rights(unsigned rights)
{
    if (rights & ~7u)
        return -KEEL_EINVAL;
    if ((rights & KEEL_RIGHT_W) && (rights & KEEL_RIGHT_X))
        return -KEEL_EINVAL;   /* never writable and executable */
    return 0;
}

/* The loaded address space sees changes only after its TLB entry goes. */
static void flush_local(const struct addr_space *as, uint64_t va)
{
    if ((read_cr3() & PTE_ADDR) == as->pml4)
        invlpg(va);
}

int as_create(struct addr_space *as)
{
    uint64_t pa = frame_alloc_zeroed();

    if (!pa)
        return -KEEL_ENOMEM;
    memcpy((uint64_t *)phys_to_virt(pa) + 256,
           (uint64_t *)phys_to_virt(hv_kernel_pml4) + 256, 256 * sizeof(uint64_t));
    as->pml4 = pa;
    as->lock = (spinlock_t)SPINLOCK_INIT;
    return 0;
}

static void free_table(uint64_t pa, int level)
{
    uint64_t *t = phys_to_virt(pa);

    for (unsigned i = 0; i < 512; i++) {
        uint64_t e = t[i];
        if (level == 0) {
            if ((e & PTE_VALID) && (e & PTE_OWNED))
                frame_free(e & PTE_ADDR);
        } else if (e & PTE_P) {
            free_table(e & PTE_ADDR, level - 1);
        }
    }
    frame_free(pa);
}

void as_destroy(struct addr_space *as)
{
    uint64_t *pml4;

    if (!as->pml4)
        return;
    BUG_ON((read_cr3() & PTE_ADDR) == as->pml4);
    pml4 = phys_to_virt(as->pml4);
    for (unsigned i = 0; i < 256; i++)
        if (pml4[i] & PTE_P)
            free_table(pml4[i] & PTE_ADDR, 2);
    frame_free(as->pml4);
    as->pml4 = 0;
}

static int map_with(struct addr_space *as, uint64_t va, uint64_t pa, unsigned rights,
                    unsigned flags, const struct pt_ops *ops)
{
    int rc = check_va(va) ? : check_rights(rights);
    uint64_t *e;

    if (rc)
        return rc;
    if ((pa & ~PTE_ADDR) || (flags & ~(AS_OWNED | AS_FOREIGN | AS_READONLY | AS_MMIO)) ||
        (flags & AS_OWNED && flags & AS_FOREIGN) ||
        (flags & AS_READONLY && !(flags & AS_FOREIGN)) ||
        (flags & AS_MMIO && flags != AS_MMIO))
        return -KEEL_EINVAL;
    if (flags & AS_READONLY && rights & KEEL_RIGHT_W)
        return -KEEL_EACCES;
    spin_lock(&as->lock);
    e = pt_walk(as->pml4, va, 0, PT_TABLE_USER, ops);
    if (!e)
        rc = -KEEL_ENOMEM;
    else if (*e & PTE_VALID)
        rc = -KEEL_EEXIST;
    else
        *e = pa | leaf_bits(rights) | (flags & AS_OWNED ? PTE_OWNED : 0) |
             (flags & AS_FOREIGN ? PTE_FOREIGN : 0) |
             (flags & AS_READONLY ? PTE_READONLY : 0) |
             (flags & AS_MMIO ? PTE_MMIO | PTE_PCD | PTE_PWT : 0);
    spin_unlock(&as->lock);
    return rc;
}

int as_map(struct addr_space *as, uint64_t va, uint64_t pa, unsigned rights,
           unsigned flags)
{
    return map_with(as, va, pa, rights, flags, &ops_alloc);
}

int as_map_charged(struct addr_space *as, uint64_t va, uint64_t pa, unsigned rights,
                   unsigned flags, struct hv_charge *charge)
{
    const struct pt_ops ops = { alloc_charged, dm_virt, charge };

    return map_with(as, va, pa, rights, flags, &ops);
}

static unsigned pte_flags(uint64_t e)
{
    return (e & PTE_OWNED ? AS_OWNED : 0) | (e & PTE_FOREIGN ? AS_FOREIGN : 0) |
           (e & PTE_READONLY ? AS_READONLY : 0) | (e & PTE_MMIO ? AS_MMIO : 0) |
           (e & PTE_LOWERED ? AS_LOWERED : 0);
}

static uint64_t *find_leaf(const struct addr_space *as, uint64_t va)
{
    uint64_t *e;

    if (check_va(va) || !as->pml4)
        return NULL;
    e = pt_walk(as->pml4, va, 0, 0, &ops_walk);
    return e && (*e & PTE_VALID) ? e : NULL;
}

static int set_rights(struct addr_space *as, uint64_t va, unsigned rights, uint64_t extra)
{
    int rc = check_rights(rights);
    uint64_t *e;

    if (rc)
        return rc;
    spin_lock(&as->lock);
    e = find_leaf(as, va);
    if (!e) {
        rc = -KEEL_ENOENT;
    } else if ((*e & PTE_READONLY) && (rights & KEEL_RIGHT_W)) {
        rc = -KEEL_EACCES;
    } else {
        /* PTE_LOWERED is not kept: only as_lower_rights sets it */
        uint64_t keep = *e & (PTE_ADDR | PTE_OWNED | PTE_FOREIGN | PTE_READONLY |
                              PTE_MMIO | PTE_PCD | PTE_PWT);
        *e = keep | extra | leaf_bits(rights);
        flush_local(as, va);
    }
    spin_unlock(&as->lock);
    return rc;
}

int as_set_rights(struct addr_space *as, uint64_t va, unsigned rights)
{
    return set_rights(as, va, rights, 0);
}

int as_lower_rights(struct addr_space *as, uint64_t va, unsigned rights)
{
    bool rw = rights == (KEEL_RIGHT_R | KEEL_RIGHT_W);

    return set_rights(as, va, rights, rw ? 0 : PTE_LOWERED);
}

int as_unmap(struct addr_space *as, uint64_t va, uint64_t *pa, unsigned *flags)
{
    uint64_t *e, old = 0;

    spin_lock(&as->lock);
    e = find_leaf(as, va);
    if (e) {
        old = *e;
        *e = 0;
        flush_local(as, va);
    }
    spin_unlock(&as->lock);
    if (!e)
        return -KEEL_ENOENT;
    if (pa)
        *pa = old & PTE_ADDR;
    if (flags)
        *flags = pte_flags(old);
    return 0;
}

bool as_has_table(const struct addr_space *as, uint64_t va)
{
    return !check_va(va & PAGE_MASK) && as->pml4 &&
           pt_walk(as->pml4, va & PAGE_MASK, 0, 0, &ops_walk) != NULL;
}

int as_lookup(const struct addr_space *as, uint64_t va, uint64_t *pa,
              unsigned *rights, unsigned *flags)
{
    uint64_t *p = find_leaf(as, va & PAGE_MASK), e;

    if (!p)
        return -KEEL_ENOENT;
    e = __atomic_load_n(p, __ATOMIC_RELAXED);
    if (!(e & PTE_VALID))
        return -KEEL_ENOENT;
    if (pa)
        *pa = e & PTE_ADDR;
    if (rights)
        *rights = (unsigned)((e & PTE_RIGHTS_MASK) >> PTE_RIGHTS_SHIFT);
    if (flags)
        *flags = pte_flags(e);
    return 0;
}
