/* The generic page-table walker (see pt.h). */
#include "pt.h"

uint64_t *pt_walk(uint64_t pml4_pa, uint64_t va, int level, uint64_t table_flags,
                  const struct pt_ops *ops)
{
    uint64_t table = pml4_pa;

    for (int l = 3; l > level; l--) {
        uint64_t *e = (uint64_t *)ops->virt(table) + pt_index(va, l);
        if (!(*e & PTE_P)) {
            uint64_t pa = ops->alloc ? ops->alloc(ops->ctx) : 0;
            if (!pa)
                return NULL;
            *e = pa | table_flags;
        } else if (*e & PTE_PS) {
            return NULL;
        }
        table = *e & PTE_ADDR;
    }
    return (uint64_t *)ops->virt(table) + pt_index(va, level);
}
