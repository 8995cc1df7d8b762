/*
 * hv-basic: the hypervisor alone with a raw dom0.  Start of day as
 * keel/start_info.h promises, every hypercall with good and with hostile
 * arguments (null, kernel, non-canonical, wrapping, unmapped and read-only
 * pointers; bad streams, sizes, commands), time, timers and blocking.
 */
#include "tlib.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

static const char ro_domctl[sizeof(struct keel_domctl)] = { 0 };

static long cw(long stream, uint64_t buf, uint64_t len)
{
    return hc(KEEL_HC_CONSOLE_WRITE, stream, (long)buf, (long)len);
}

static void start_of_day(struct keel_start_info *si, uint64_t rsp)
{
    CHECK_EQ(rsp % 16, 0);                   /* as keel/start_info.h says */
    CHECK(!t_strcmp((const char *)si->args_va, "dom0"));
    CHECK_EQ(si->argc, 1);
    CHECK_EQ(si->abi_version, KEEL_ABI_VERSION);
    CHECK_EQ(si->flags & KEEL_SIF_PRIVILEGED, KEEL_SIF_PRIVILEGED);
    CHECK_EQ(si->domid, 0);
    CHECK_EQ(si->mem_bytes, 1 << 20);
    CHECK_EQ(si->stack_top, KEEL_GUEST_BASE + (1 << 20));
    CHECK(si->heap_start <= si->heap_end && si->heap_end < si->stack_top);
    CHECK_EQ(si->nr_modules, 2);                 /* itself and the guest */
    const struct keel_module *m = (const void *)si->modules_va;
    CHECK(m[0].va == KEEL_DOM0_MODULE_VA && m[0].bytes > 64);
    CHECK(m[1].va >= m[0].va + m[0].bytes && m[1].va % 4096 == 0);
    CHECK_EQ(*(const uint32_t *)m[1].va, 0x464c457f);   /* the guest ELF */
    CHECK(!t_strcmp(m[0].name, "dom0") && !t_strcmp(m[1].name, "guest"));
    CHECK(shinfo()->wc_sec > 1600000000ull);
    CHECK(shinfo()->tsc_khz > 0);
}

static void console(struct keel_start_info *si)
{
    const char *hi = "console ok\n";
    CHECK_EQ(cw(KEEL_CONSOLE_STDOUT, (uint64_t)hi, 11), 11);
    CHECK_EQ(cw(KEEL_CONSOLE_STDERR, (uint64_t)hi, 11), 11);
    CHECK_EQ(cw(KEEL_CONSOLE_CONTROL, (uint64_t)"", 0), 0);
    CHECK_EQ(cw(KEEL_CONSOLE_STDOUT, 0, 0), 0);
    CHECK_EQ(cw(0, (uint64_t)hi, 1), -KEEL_EBADF);
    CHECK_EQ(cw(99, (uint64_t)hi, 1), -KEEL_EBADF);
    /* console backend: records on behalf of another domain */
    CHECK_EQ(cw(KEEL_CONSOLE_STDOUT | KEEL_CONSOLE_FOR | (5l << 16), (uint64_t)"", 0), 0);
    CHECK_EQ(cw(KEEL_CONSOLE_CONTROL | KEEL_CONSOLE_FOR, (uint64_t)hi, 1), -KEEL_EBADF);
    CHECK_EQ(cw(KEEL_CONSOLE_STDOUT | KEEL_CONSOLE_FOR | (0x7ff0l << 16), (uint64_t)hi, 1),
             -KEEL_ESRCH);
    CHECK_EQ(cw(KEEL_CONSOLE_STDOUT | KEEL_CONSOLE_FOR | (1l << 40), (uint64_t)hi, 1),
             -KEEL_ESRCH);
    /* console input: nothing framed has arrived, a bad buffer faults */
    CHECK_EQ(hc(KEEL_HC_CONSOLE_READ, (uint64_t)KEEL_DOM0_MODULE_VA, 16, 0), -KEEL_EFAULT);
    CHECK_EQ(cw(1, (uint64_t)hi, KEEL_CONSOLE_WRITE_MAX + 1), -KEEL_E2BIG);
    CHECK_EQ(cw(1, 0, 5), -KEEL_EFAULT);
    CHECK_EQ(cw(1, 0xffffffff80000000ull, 5), -KEEL_EFAULT);
    CHECK_EQ(cw(1, 0xffff800000000000ull, 5), -KEEL_EFAULT);
    CHECK_EQ(cw(1, 0x0000800000000000ull, 5), -KEEL_EFAULT);
    CHECK_EQ(cw(1, 0x8000000000000000ull, 5), -KEEL_EFAULT);
    CHECK_EQ(cw(1, 0x00007ffffffffff0ull, 0x20), -KEEL_EFAULT);
    CHECK_EQ(cw(1, ~0ull - 2, 5), -KEEL_EFAULT);
    CHECK_EQ(cw(1, 0x300000, 5), -KEEL_EFAULT);                /* below base */
    CHECK_EQ(cw(1, si->heap_end, 5), -KEEL_EFAULT);            /* guard page */
    CHECK_EQ(cw(1, si->heap_end - 2, 5), -KEEL_EFAULT);        /* runs into it */
    CHECK_EQ(cw(1, si->stack_top, 5), -KEEL_EFAULT);           /* past the end */
    CHECK_EQ(cw(1, KEEL_DOM0_FOREIGN_VA, 5), -KEEL_EFAULT);     /* empty window */
    CHECK_EQ(cw(1, (uint64_t)"# ", 2), 2);
    CHECK_EQ(cw(1, KEEL_DOM0_MODULE_VA + 1, 3), 3);             /* read-only: fine */
    CHECK_EQ(cw(1, (uint64_t)"\n", 1), 1);
}

static void calls(void)
{
    struct keel_domctl op;
    CHECK_EQ(hc(KEEL_HC_NULL, 0, 0, 0), 0);
    CHECK_EQ(hc(KEEL_HC_ABI_VERSION, 0, 0, 0), KEEL_ABI_VERSION);
    CHECK_EQ(hc(KEEL_HC_COUNT, 0, 0, 0), -KEEL_ENOSYS);
    CHECK_EQ(hc(-1, 0, 0, 0), -KEEL_ENOSYS);
    CHECK_EQ(hc(0x100000000l, 0, 0, 0), -KEEL_ENOSYS);
    CHECK_EQ(hc(KEEL_HC_SCHED_YIELD, 0, 0, 0), 0);
    CHECK_EQ(hc(KEEL_HC_SHUTDOWN, 7, 0, 0), -KEEL_EINVAL);
    CHECK_EQ(hc(KEEL_HC_DOMCTL, 0, 0, 0), -KEEL_EFAULT);
    CHECK_EQ(hc(KEEL_HC_DOMCTL, 0xffffffff80001000l, 0, 0), -KEEL_EFAULT);
    CHECK_EQ(hc(KEEL_HC_DOMCTL, (long)ro_domctl, 0, 0), -KEEL_EFAULT);
    memset(&op, 0, sizeof(op));
    op.cmd = KEEL_DOMCTL_PHYSINFO;
    CHECK_EQ(hc(KEEL_HC_DOMCTL, (long)&op, 0, 0), -KEEL_EINVAL);    /* abi_version 0 */
    CHECK_EQ(domctl(&op, 0, 0), -KEEL_ENOSYS);
    CHECK_EQ(domctl(&op, 999, 0), -KEEL_ENOSYS);
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_PHYSINFO, 0), 0);
    CHECK(op.u.physinfo.nr_cpus >= 1 && op.u.physinfo.nr_domains == 1);
    CHECK(op.u.physinfo.free_frames > 0 && op.u.physinfo.free_frames < op.u.physinfo.total_frames);
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_GET_INFO, KEEL_DOMID_SELF), 0);
    CHECK_EQ(op.u.info.state, KEEL_DOMSTATE_RUNNING);
    CHECK_EQ(op.u.info.mem_pages, 256);
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_GET_INFO, 4242), -KEEL_ESRCH);
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_GET_INFO, 0xffffffffu), -KEEL_ESRCH);
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_DESTROY, KEEL_DOMID_SELF), -KEEL_EPERM);
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_PAUSE, 0), -KEEL_EPERM);
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_UNMAP_FOREIGN, 0), -KEEL_EINVAL);
}

static void clear_pending(void)
{
    __atomic_fetch_and(&shinfo()->pending, 0, __ATOMIC_SEQ_CST);
}

static void timers(void)
{
    uint64_t t0 = now_ns(), t1;
    CHECK(now_ns() >= t0);
    clear_pending();
    CHECK_EQ(hc(KEEL_HC_SET_TIMER, (long)(t0 + 10000000), 0, 0), 0);
    while (!(shinfo()->pending & KEEL_PENDING_TIMER))
        hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
    t1 = now_ns();
    CHECK(t1 >= t0 + 10000000);
    CHECK(t1 < t0 + 500000000);
    /* a pending bit makes block return at once */
    t0 = now_ns();
    CHECK_EQ(hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0), 0);
    CHECK(now_ns() - t0 < 50000000);
    /* a deadline in the past fires at once, once the last firing (before
     * t1) is KEEL_TIMER_MIN_INTERVAL_NS old ... */
    while (now_ns() < t1 + KEEL_TIMER_MIN_INTERVAL_NS)
        ;
    clear_pending();
    hc(KEEL_HC_SET_TIMER, 1, 0, 0);
    CHECK(shinfo()->pending & KEEL_PENDING_TIMER);
    /* ... but at most once per interval: 20 past deadlines in a row take
     * 19 intervals at least */
    t0 = now_ns();
    for (int i = 0; i < 20; i++) {
        clear_pending();
        hc(KEEL_HC_SET_TIMER, 1, 0, 0);
        while (!(shinfo()->pending & KEEL_PENDING_TIMER))
            hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
    }
    CHECK(now_ns() - t0 >= 19 * KEEL_TIMER_MIN_INTERVAL_NS);
    /* re-arming replaces, 0 disarms */
    clear_pending();
    t0 = now_ns();
    /* far enough that a loaded host cannot let it fire before it is
     * replaced (2 ms did, once) */
    hc(KEEL_HC_SET_TIMER, (long)(t0 + 1000000000), 0, 0);
    hc(KEEL_HC_SET_TIMER, 0, 0, 0);
    hc(KEEL_HC_SET_TIMER, (long)(t0 + 30000000), 0, 0);
    while (!(shinfo()->pending & KEEL_PENDING_TIMER))
        hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
    CHECK(now_ns() >= t0 + 30000000);
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    ktap_begin("hv-basic");
    start_of_day(si, entry_rsp);
    console(si);
    calls();
    timers();
    ktap_end_poweroff();
}
