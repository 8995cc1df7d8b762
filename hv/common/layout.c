/*
 * Where dom0's pieces go inside its memory (see keel/start_info.h):
 *
 *   mem_base   segments ............ image_end
 *   info_va    struct keel_start_info, keel_module[nr_modules], args (r--)
 *   heap_start .. heap_end            free memory
 *   heap_end   one guard page (rights 0)
 *   stack_top - stack_bytes .. stack_top == mem_base + mem_bytes
 *
 * The arithmetic is lib/'s image_layout, which every builder shares; what
 * is dom0's own is the module array between start info and arguments.
 * Pure logic, unit-tested on the host.
 */
#include <keel/abi.h>
#include <keel/start_info.h>
#include <hv/layout.h>
#include <image/layout.h>

#define UP(x, a) (((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define ARGS_MAX (1ull << 20)
#define MODULES_MAX 4096u

int guest_layout_compute(uint64_t image_end, uint64_t mem_bytes,
                         uint64_t stack_bytes, unsigned nr_modules,
                         uint64_t args_bytes, struct guest_layout *out,
                         const char **why)
{
    uint64_t modules_off = UP(sizeof(struct keel_start_info), 16);
    uint64_t args_off = modules_off + (uint64_t)nr_modules * sizeof(struct keel_module);
    struct image_layout il;

    if (args_bytes > ARGS_MAX || nr_modules > MODULES_MAX) {
        *why = "arguments or modules too large";
        return -KEEL_EINVAL;
    }
    if (image_layout(image_end, mem_bytes, stack_bytes, args_off + args_bytes, 0, &il)) {
        *why = "memory too small for image, start info, modules, arguments, guard page and stack";
        return -KEEL_EINVAL;
    }
    *out = (struct guest_layout){
        .mem_base = KEEL_GUEST_BASE, .mem_bytes = mem_bytes,
        .info_va = il.info_va, .modules_va = il.info_va + modules_off,
        .args_va = il.info_va + args_off, .args_bytes = args_bytes,
        .heap_start = il.heap_start, .heap_end = il.heap_end,
        .stack_top = il.stack_top, .stack_bytes = stack_bytes,
    };
    return 0;
}
