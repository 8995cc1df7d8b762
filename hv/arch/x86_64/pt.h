/* Page-table entry bits and the generic 4-level walker shared by the
 * kernel mappings (kpaging.c) and guest address spaces (paging.c). */
#ifndef HV_PT_H
#define HV_PT_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_U    (1ull << 2)
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_PS   (1ull << 7)
#define PTE_G    (1ull << 8)
/* software bits, ignored by the MMU */
#define PTE_OWNED   (1ull << 9)    /* AS_OWNED */
#define PTE_FOREIGN (1ull << 10)   /* AS_FOREIGN */
#define PTE_VALID   (1ull << 11)   /* a mapping, even with P clear (rights 0) */
#define PTE_RIGHTS_SHIFT 52        /* KEEL_RIGHT_* as given, bits 52..54 */
#define PTE_RIGHTS_MASK  (7ull << PTE_RIGHTS_SHIFT)
#define PTE_READONLY (1ull << 55)  /* AS_READONLY: never gets PTE_W */
#define PTE_MMIO     (1ull << 56)  /* AS_MMIO: with PCD | PWT (uncached) */
#define PTE_LOWERED  (1ull << 57)  /* AS_LOWERED: as_lower_rights took rights */
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define PT_TABLE_KERNEL (PTE_P | PTE_W)
#define PT_TABLE_USER   (PTE_P | PTE_W | PTE_U)

static inline unsigned pt_index(uint64_t va, int level)
{
    return (unsigned)(va >> (12 + 9 * level)) & 511;
}

/* table page allocator and physical -> virtual for table pages */
struct pt_ops {
    uint64_t (*alloc)(void *ctx);     /* zeroed page, 0 on failure */
    void *(*virt)(uint64_t pa);
    void *ctx;                        /* alloc's argument */
};

/* Entry for va at `level` (0 = PT, 1 = PD, 2 = PDPT) under the PML4 at
 * pml4_pa.  With ops->alloc set, missing tables are created with
 * table_flags; otherwise (or if allocation fails, or a large page is in
 * the way) NULL. */
uint64_t *pt_walk(uint64_t pml4_pa, uint64_t va, int level, uint64_t table_flags,
                  const struct pt_ops *ops);

#endif /* HV_PT_H */
