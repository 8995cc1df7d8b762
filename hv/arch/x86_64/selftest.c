/*
 * In-hypervisor self tests, run on the boot CPU before hv_main() when the
 * hypervisor's command line holds the word `selftest`.  Results are KTAP
 * lines in the hypervisor log; the boot then goes on as usual.  They cover
 * what host unit tests cannot: real page tables, the direct map, the TSC.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <keel/keel.h>
#include "pt.h"
#include "x86.h"

typedef bool (*selftest_fn)(void);

#define CHECK(c) do { if (!(c)) { \
    printk("    # %s:%d: failed: %s", __FILE__, __LINE__, #c); return false; } } while (0)

static bool test_address_space(void)
{
    struct addr_space as;
    uint64_t free0 = frames_free_count(), pa, got;
    unsigned rights, flags;

    CHECK(as_create(&as) == 0);
    pa = frame_alloc_zeroed();
    CHECK(pa);
    CHECK(as_map(&as, KEEL_GUEST_BASE, pa, KEEL_RIGHT_R | KEEL_RIGHT_W, AS_OWNED) == 0);
    CHECK(as_map(&as, KEEL_GUEST_BASE, pa, KEEL_RIGHT_R, 0) == -KEEL_EEXIST);
    CHECK(as_map(&as, KEEL_USER_VA_END, pa, KEEL_RIGHT_R, 0) == -KEEL_EINVAL);
    CHECK(as_map(&as, KEEL_GUEST_BASE + 1, pa, KEEL_RIGHT_R, 0) == -KEEL_EINVAL);
    CHECK(as_map(&as, 0, pa, KEEL_RIGHT_W | KEEL_RIGHT_X, 0) == -KEEL_EINVAL);
    CHECK(as_lookup(&as, KEEL_GUEST_BASE + 123, &got, &rights, &flags) == 0);
    CHECK(got == pa && rights == (KEEL_RIGHT_R | KEEL_RIGHT_W) && flags == AS_OWNED);
    CHECK(as_set_rights(&as, KEEL_GUEST_BASE, 0) == 0);      /* guard page */
    CHECK(as_lookup(&as, KEEL_GUEST_BASE, &got, &rights, NULL) == 0);
    CHECK(got == pa && rights == 0);
    CHECK(as_set_rights(&as, KEEL_GUEST_BASE + PAGE_SIZE, 1) == -KEEL_ENOENT);
    CHECK(as_lookup(&as, 0x7fffffff000ull, NULL, NULL, NULL) == -KEEL_ENOENT);
    CHECK(as_lookup(&as, ~0ull, NULL, NULL, NULL) == -KEEL_ENOENT);
    /* a foreign mapping of the same frame is not freed with the space */
    CHECK(as_map(&as, KEEL_DOM0_FOREIGN_VA, pa, KEEL_RIGHT_R, AS_FOREIGN) == 0);
    CHECK(as_unmap(&as, KEEL_DOM0_FOREIGN_VA, &got, &flags) == 0);
    CHECK(got == pa && flags == AS_FOREIGN);
    CHECK(as_unmap(&as, KEEL_DOM0_FOREIGN_VA, NULL, NULL) == -KEEL_ENOENT);
    /* the kernel half is shared */
    CHECK(((uint64_t *)phys_to_virt(as.pml4))[511] ==
          ((uint64_t *)phys_to_virt(hv_kernel_pml4))[511]);
    as_destroy(&as);
    CHECK(as.pml4 == 0);
    CHECK(frames_free_count() == free0);      /* tables and owned frame back */
    return true;
}

static bool test_heap(void)
{
    uint64_t free0 = frames_free_count();
    void *p[64];

    for (unsigned i = 0; i < 64; i++) {
        p[i] = kzalloc(i * 97 + 1);
        CHECK(p[i] && ((uint8_t *)p[i])[i * 97] == 0);
        memset(p[i], 0xee, i * 97 + 1);
    }
    void *big = kzalloc(3 * PAGE_SIZE);
    CHECK(big && ((uint64_t)big & 63) == 0);
    kfree(big);
    for (unsigned i = 0; i < 64; i++)
        kfree(p[i]);
    CHECK(frames_free_count() == free0);
    return true;
}

/* The zero pool (hv/mm/frame.c): its frames count as free, come out all
 * zeros through the direct map even when they went back dirty, and
 * prezeroing never moves the free count. */
static bool test_zero_pool(void)
{
    uint64_t free0 = frames_free_count(), pa;
    const uint64_t *p;

    pa = frame_alloc();                       /* a dirty frame, freed */
    CHECK(pa);
    memset(phys_to_virt(pa), 0xa5, PAGE_SIZE);
    frame_free(pa);
    while (frames_prezero_some(FRAME_PREZERO_MAX))
        CHECK(frames_free_count() == free0);
    CHECK(frames_pool_count() > 0);
    CHECK(frames_free_count() == free0);
    for (uint64_t n = frames_pool_count(); n; n--) {
        pa = frame_alloc_zeroed();
        CHECK(pa);
        CHECK(frames_free_count() == free0 - 1);
        CHECK(frames_pool_count() == n - 1);
        p = phys_to_virt(pa);
        for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
            CHECK(p[i] == 0);
        memset(phys_to_virt(pa), 0xa5, PAGE_SIZE);
        frame_free(pa);                       /* back dirty */
        CHECK(frames_free_count() == free0);
    }
    return true;
}

static bool test_time(void)
{
    uint64_t t0 = hv_now_ns(), t1;

    time_delay_us(2000);
    t1 = hv_now_ns();
    CHECK(t1 > t0);
    CHECK(t1 - t0 >= 2000000 && t1 - t0 < 200000000);
    CHECK(arch_tsc_khz() > 0);
    return true;
}

static bool test_image_wx(void)
{
    extern char _text_start[], _data_start[];
    uint64_t *e = pt_walk(hv_kernel_pml4, (uint64_t)_text_start, 0, 0,
                          &(struct pt_ops){ NULL, (void *(*)(uint64_t))phys_to_virt, NULL });
    CHECK(e && (*e & PTE_P) && !(*e & PTE_W) && !(*e & PTE_NX));
    e = pt_walk(hv_kernel_pml4, (uint64_t)_data_start, 0, 0,
                &(struct pt_ops){ NULL, (void *(*)(uint64_t))phys_to_virt, NULL });
    CHECK(e && (*e & PTE_W) && (*e & PTE_NX) && !(*e & PTE_U));
    return true;
}

/* Every stack of every CPU sits right above an unmapped page, so an
 * overflow faults instead of overwriting a neighbour. */
static bool stack_guarded(uint64_t base, uint64_t bytes)
{
    CHECK(kpaging_is_stack_guard(base - PAGE_SIZE));
    for (uint64_t off = 0; off < bytes; off += PAGE_SIZE)
        CHECK(!kpaging_is_stack_guard(base + off));
    return true;
}

static bool test_stack_guards(void)
{
    for (unsigned i = 0; i < hv_nr_cpus; i++) {
        struct percpu_arch *c = (struct percpu_arch *)hv_cpus[i];
        CHECK(stack_guarded(c->stack_base, HV_STACK_SIZE));
        for (unsigned j = 0; j < ARRAY_SIZE(c->ist_base); j++)
            CHECK(stack_guarded(c->ist_base[j], IST_STACK_SIZE));
    }
    return true;
}

static const struct { const char *name; selftest_fn fn; } tests[] = {
    { "address_space", test_address_space },
    { "heap", test_heap },
    { "zero_pool", test_zero_pool },
    { "time", test_time },
    { "image_wx", test_image_wx },
    { "stack_guards", test_stack_guards },
    { "io_bitmap", selftest_io_bitmap },
};

/* `selftest-stack-overflow`: prove the guard pages and the #DF path by
 * running off the bottom of this CPU's stack.  The machine must stop with
 * "hypervisor stack overflow", not corrupt memory and go on. */
static volatile uint64_t overflow_depth = ~0ull;   /* volatile: no "infinite recursion" */

static __attribute__((noinline)) uint64_t recurse(uint64_t depth)
{
    volatile uint8_t pad[512];

    pad[0] = (uint8_t)depth;
    if (depth >= overflow_depth)
        return pad[0];
    return recurse(depth + 1) + pad[0];
}

void arch_selftest_stack_overflow(void)
{
    printk("selftest: overflowing the stack of CPU %u", this_cpu()->id);
    recurse(0);
    panic("selftest: the stack overflow went unnoticed");
}

void arch_selftest(void)
{
    unsigned bad = 0;

    printk("KTAP version 1");
    printk("# Subtest: hv-arch");
    printk("1..%u", (unsigned)ARRAY_SIZE(tests));
    for (unsigned i = 0; i < ARRAY_SIZE(tests); i++) {
        bool ok = tests[i].fn();
        bad += !ok;
        printk("%sok %u %s", ok ? "" : "not ", i + 1, tests[i].name);
    }
    printk("# hv-arch: %u passed, %u failed", (unsigned)ARRAY_SIZE(tests) - bad, bad);
}
