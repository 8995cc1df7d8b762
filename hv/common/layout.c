/*
 * Where a domain's pieces go inside its memory (see keel/start_info.h):
 *
 *   mem_base   segments ............ image_end
 *   info_va    struct keel_start_info, keel_module[nr_modules], args (r--)
 *   heap_start .. heap_end            free memory
 *   heap_end   one guard page (rights 0)
 *   stack_top - stack_bytes .. stack_top == mem_base + mem_bytes
 *
 * Pure logic, unit-tested on the host.  Inputs come from a validated note
 * (mem_bytes <= 64 GiB) but are re-checked so that no sum can wrap.
 */
#include <keel/abi.h>
#include <keel/start_info.h>
#include <hv/elf.h>

#define PAGE 4096ull
#define UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ARGS_MAX (1ull << 20)
#define MODULES_MAX 4096u

int guest_layout_compute(uint64_t image_end, uint64_t mem_bytes,
                         uint64_t stack_bytes, unsigned nr_modules,
                         uint64_t args_bytes, struct guest_layout *out,
                         const char **why)
{
    struct guest_layout l = { .mem_base = KEEL_GUEST_BASE, .mem_bytes = mem_bytes };

    if (mem_bytes == 0 || mem_bytes % PAGE || mem_bytes > KEEL_GUEST_MAX_BYTES ||
        stack_bytes == 0 || stack_bytes % PAGE || stack_bytes >= mem_bytes) {
        *why = "bad memory or stack size";
        return -KEEL_EINVAL;
    }
    if (image_end < KEEL_GUEST_BASE || image_end - KEEL_GUEST_BASE > mem_bytes ||
        args_bytes > ARGS_MAX || nr_modules > MODULES_MAX) {
        *why = "image, arguments or modules too large";
        return -KEEL_EINVAL;
    }
    l.stack_top = KEEL_GUEST_BASE + mem_bytes;
    l.stack_bytes = stack_bytes;
    l.info_va = UP(image_end, PAGE);
    l.modules_va = l.info_va + UP(sizeof(struct keel_start_info), 16);
    l.args_va = l.modules_va + (uint64_t)nr_modules * sizeof(struct keel_module);
    l.args_bytes = args_bytes;
    l.heap_start = UP(l.args_va + args_bytes, PAGE);
    /* the guard page needs a page of its own below the stack */
    if (l.heap_start + PAGE > l.stack_top - stack_bytes) {
        *why = "memory too small for image, start info, guard page and stack";
        return -KEEL_EINVAL;
    }
    l.heap_end = l.stack_top - stack_bytes - PAGE;
    *out = l;
    return 0;
}
