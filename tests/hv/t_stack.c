/*
 * hv-stack: a guest's stack backed on first touch (KEEL_DOMCTL_SET_STACK,
 * keel/domctl.h; hv/common/stack.c), from a raw dom0.  Bad arguments are
 * refused and change nothing; a guest that starts with one page of its
 * stack backed recurses through the rest and makes a hypercall whose
 * argument lies on a page it never touched, and holds exactly the frames
 * it touched; a guest that overflows dies alone of a page fault on the
 * guard page while a benign guest runs; a guest whose stack cannot grow
 * (the machine full) dies alone of the fault, and every frame comes back.
 */
#include "tbuild.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

#define B      KEEL_GUEST_BASE
#define PAGE   4096ull
#define TOP    (B + TGUEST_PAGES * PAGE)
#define STACK  (TOP - 4 * PAGE)             /* guest.c's 16 KiB stack */
#define GUARD  (STACK - PAGE)

static long set_stack(uint32_t domid, uint64_t gva, uint64_t npages, uint64_t pad)
{
    struct keel_domctl op;

    memset(&op, 0, sizeof(op));
    op.u.set_stack.gva = gva;
    op.u.set_stack.npages = npages;
    op.u.set_stack.pad = pad;
    return domctl(&op, KEEL_DOMCTL_SET_STACK, domid);
}

static long give_back(uint32_t domid, uint64_t gva, uint64_t npages)
{
    struct keel_memory_op op;

    memset(&op, 0, sizeof(op));
    op.gva = gva;
    op.npages = npages;
    op.domid = (keel_domid_t)domid;
    return hc(KEEL_HC_MEMORY_OP, KEEL_MEMORY_DECREASE, (long)&op, 0);
}

/* guest.c in `mode`, paused, with only the top page of its stack backed
 * and the whole stack backed on first touch; its domid or 0. */
static uint32_t prepare_lazy(const struct keel_module *img, const char *mode)
{
    long d = tbuild_prepare(img, mode);

    if (d <= 0 || give_back((uint32_t)d, STACK, 3) || set_stack((uint32_t)d, STACK, 4, 0))
        return 0;
    return (uint32_t)d;
}

static long unpause(uint32_t domid)
{
    struct keel_domctl op;

    memset(&op, 0, sizeof(op));
    return domctl(&op, KEEL_DOMCTL_UNPAUSE, domid);
}

static void bad_arguments(const struct keel_module *img)
{
    uint32_t d = prepare_lazy(img, "exit7");
    struct keel_domain_info info;

    CHECK(d > 0);
    uint64_t free1 = tbuild_free_frames();
    CHECK_EQ(set_stack(d, STACK + 1, 1, 0), -KEEL_EINVAL);         /* unaligned */
    CHECK_EQ(set_stack(d, B - PAGE, 1, 0), -KEEL_EINVAL);          /* below its memory */
    CHECK_EQ(set_stack(d, KEEL_SHARED_INFO_VA, 1, 0), -KEEL_EINVAL);
    CHECK_EQ(set_stack(d, TOP, 1, 0), -KEEL_EINVAL);               /* past its memory */
    CHECK_EQ(set_stack(d, STACK, 5, 0), -KEEL_EINVAL);
    CHECK_EQ(set_stack(d, STACK, 0, 0), -KEEL_EINVAL);
    CHECK_EQ(set_stack(d, STACK, ~0ull, 0), -KEEL_EINVAL);         /* would wrap */
    CHECK_EQ(set_stack(d, ~0ull & ~(PAGE - 1), 2, 0), -KEEL_EINVAL);
    CHECK_EQ(set_stack(d, STACK, 4, 1), -KEEL_EINVAL);             /* pad */
    CHECK_EQ(set_stack(0x7fff, STACK, 4, 0), -KEEL_ESRCH);
    CHECK_EQ(set_stack(0, STACK, 4, 0), -KEEL_EPERM);              /* dom0 itself */
    CHECK_EQ(set_stack(KEEL_DOMID_SELF, STACK, 4, 0), -KEEL_EPERM);
    CHECK_EQ(tbuild_info(d).mem_frames, TGUEST_PAGES - 3);
    CHECK_EQ(tbuild_free_frames(), free1);                          /* nothing changed */
    CHECK_EQ(unpause(d), 0);
    CHECK_EQ(tbuild_wait(d, &info, 20000), 0);
    CHECK_EQ(info.exit_code, 7);
    CHECK_EQ(set_stack(d, STACK, 4, 0), -KEEL_EBUSY);              /* it has run */
    CHECK_EQ(tbuild_destroy(d), 0);
}

/* The pages it touched, and only those, are backed: all three here. */
static void grows_on_touch(const struct keel_module *img)
{
    uint64_t free0 = tbuild_free_frames();
    uint32_t d = prepare_lazy(img, "stack");
    struct keel_domain_info info;

    CHECK(d > 0);
    CHECK_EQ(tbuild_info(d).mem_frames, TGUEST_PAGES - 3);
    CHECK_EQ(unpause(d), 0);
    CHECK_EQ(tbuild_wait(d, &info, 20000), 0);
    CHECK_EQ(info.state, KEEL_DOMSTATE_SHUTDOWN);
    CHECK_EQ(info.exit_code, 0);
    CHECK_EQ(info.mem_frames, TGUEST_PAGES);
    CHECK_EQ(tbuild_destroy(d), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

/* An overflow ends on the guard page, below the range: the guest alone
 * dies, with the fault's address, while a benign guest runs to its end. */
static void overflow_dies_alone(const struct keel_module *img)
{
    uint64_t free0 = tbuild_free_frames();
    uint32_t d = prepare_lazy(img, "overflow");
    long g = tbuild_start(img, "exit7");
    struct keel_domain_info info;

    CHECK(d > 0 && g > 0);
    CHECK_EQ(unpause(d), 0);
    CHECK_EQ(tbuild_wait(d, &info, 20000), 0);
    CHECK_EQ(info.state, KEEL_DOMSTATE_CRASHED);
    CHECK_EQ(info.crash.vector, KEEL_CRASH_PF);
    CHECK(info.crash.fault_addr >= GUARD && info.crash.fault_addr < STACK);
    CHECK_EQ(info.crash.error_code & 1, 0);                         /* not present */
    CHECK_EQ(info.mem_frames, TGUEST_PAGES);                        /* the guard: none */
    CHECK_EQ(tbuild_wait((uint32_t)g, &info, 20000), 0);
    CHECK_EQ(info.exit_code, 7);
    CHECK_EQ(tbuild_destroy(d), 0);
    CHECK_EQ(tbuild_destroy((uint32_t)g), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

/* A domain takes every frame it can; a guest then touching a new stack
 * page gets none (the same floor as MEMORY_OP INCREASE) and dies of the
 * fault alone; once the hog is gone the same guest runs. */
static void machine_full(const struct keel_module *img)
{
    uint64_t free0 = tbuild_free_frames(), range = 1ull << 20, got = 0;
    uint32_t d = prepare_lazy(img, "stack");
    uint32_t hog = tbuild_create(range, KEEL_CREATE_ON_DEMAND);
    struct keel_memory_op op;
    struct keel_domain_info info;
    uint64_t n = KEEL_MEMORY_OP_MAX_PAGES;

    CHECK(d > 0 && hog > 0);
    for (;;) {
        memset(&op, 0, sizeof(op));
        op.gva = B + got * PAGE;
        op.npages = n;
        op.domid = (keel_domid_t)hog;
        if (hc(KEEL_HC_MEMORY_OP, KEEL_MEMORY_INCREASE, (long)&op, 0) == 0)
            got += n;
        else if (n > 1)
            n = 1;
        else
            break;
    }
    outf("# the hog took %lu frames\n", got);
    CHECK_EQ(unpause(d), 0);
    CHECK_EQ(tbuild_wait(d, &info, 20000), 0);
    CHECK_EQ(info.state, KEEL_DOMSTATE_CRASHED);
    CHECK_EQ(info.crash.vector, KEEL_CRASH_PF);
    CHECK(info.crash.fault_addr >= STACK && info.crash.fault_addr < TOP - PAGE);
    CHECK_EQ(tbuild_destroy(d), 0);
    CHECK_EQ(tbuild_destroy(hog), 0);
    d = prepare_lazy(img, "stack");
    CHECK(d > 0);
    CHECK_EQ(unpause(d), 0);
    CHECK_EQ(tbuild_wait(d, &info, 20000), 0);
    CHECK_EQ(info.exit_code, 0);
    CHECK_EQ(tbuild_destroy(d), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    const struct keel_module *img = (const struct keel_module *)si->modules_va + 1;

    (void)entry_rsp;
    ktap_begin("hv-stack");
    CHECK_EQ(si->nr_modules, 2);
    CHECK_EQ(tbuild_warm_up(), 0);
    bad_arguments(img);
    grows_on_touch(img);
    overflow_dies_alone(img);
    machine_full(img);
    ktap_end_poweroff();
}
