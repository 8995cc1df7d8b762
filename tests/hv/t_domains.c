/*
 * hv-domains: the domain life cycle through DOMCTL, as a raw dom0 with the
 * test guest (boot module 1).  Hostile domctl arguments change nothing;
 * guests exit and crash in every way and dom0 hears of it; every frame
 * comes back; foreign mappings pin a domain; guests that never yield
 * cannot starve dom0, and can be destroyed while they run.
 */
#include "tbuild.h"
#include <image/elf64.h>

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

static const struct keel_module *img;

static long dc(struct keel_domctl *op, uint32_t cmd, uint32_t domid)
{
    return domctl(op, cmd, domid);
}

static void hostile_domctls(void)
{
    struct keel_domctl op;
    uint64_t free0 = tbuild_free_frames();
    memset(&op, 0, sizeof(op));
    CHECK_EQ(dc(&op, KEEL_DOMCTL_CREATE, 0), -KEEL_EINVAL);          /* 0 pages */
    op.u.create.mem_pages = 1ull << 40;
    CHECK_EQ(dc(&op, KEEL_DOMCTL_CREATE, 0), -KEEL_EINVAL);
    op.u.create.mem_pages = (KEEL_GUEST_MAX_BYTES >> 12);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_CREATE, 0), -KEEL_ENOMEM);          /* > RAM */
    op.u.create.mem_pages = 16;
    op.u.create.flags = 2;                  /* 1 is KEEL_CREATE_ON_DEMAND */
    CHECK_EQ(dc(&op, KEEL_DOMCTL_CREATE, 0), -KEEL_EINVAL);
    CHECK_EQ(tbuild_free_frames(), free0);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, 0x7fff), -KEEL_ESRCH);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_UNPAUSE, 77), -KEEL_ESRCH);

    memset(&op, 0, sizeof(op));
    op.u.create.mem_pages = 16;
    CHECK_EQ(dc(&op, KEEL_DOMCTL_CREATE, 0), 0);
    uint32_t d = op.domid;
    CHECK(d >= 1 && d <= KEEL_DOMID_MAX);
    struct { uint64_t gva, n; } bad[] = {
        { 0, 1 }, { KEEL_GUEST_BASE - 4096, 2 }, { KEEL_GUEST_BASE + 1, 1 },
        { KEEL_GUEST_BASE, 0 }, { KEEL_GUEST_BASE, 17 }, { KEEL_GUEST_BASE + 15 * 4096, 2 },
        { KEEL_GUEST_BASE + 4096, ~0ull }, { ~0ull & ~4095ull, 1 },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&op, 0, sizeof(op));
        op.u.map_foreign.gva = bad[i].gva;
        op.u.map_foreign.npages = bad[i].n;
        CHECK_EQ(dc(&op, KEEL_DOMCTL_MAP_FOREIGN, d), -KEEL_EINVAL);
        op.u.set_rights.rights = KEEL_RIGHT_R;
        CHECK_EQ(dc(&op, KEEL_DOMCTL_SET_RIGHTS, d), -KEEL_EINVAL);
    }
    memset(&op, 0, sizeof(op));
    op.u.set_rights.gva = KEEL_GUEST_BASE;
    op.u.set_rights.npages = 1;
    op.u.set_rights.rights = KEEL_RIGHT_W | KEEL_RIGHT_X;
    CHECK_EQ(dc(&op, KEEL_DOMCTL_SET_RIGHTS, d), -KEEL_EINVAL);
    op.u.set_rights.rights = KEEL_RIGHT_R | KEEL_RIGHT_W | KEEL_RIGHT_X;
    CHECK_EQ(dc(&op, KEEL_DOMCTL_SET_RIGHTS, d), -KEEL_EINVAL);
    op.u.set_rights.rights = 8;
    CHECK_EQ(dc(&op, KEEL_DOMCTL_SET_RIGHTS, d), -KEEL_EINVAL);
    op.u.set_rights.rights = KEEL_RIGHT_R | KEEL_RIGHT_X;
    CHECK_EQ(dc(&op, KEEL_DOMCTL_SET_RIGHTS, d), 0);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_SET_RIGHTS, 0), -KEEL_EPERM);       /* dom0's own */
    CHECK_EQ(dc(&op, KEEL_DOMCTL_UNPAUSE, d), -KEEL_EINVAL);         /* no context */
    memset(&op, 0, sizeof(op));
    op.u.vcpu.rip = 0x0000800000000000ull;
    CHECK_EQ(dc(&op, KEEL_DOMCTL_SET_VCPU, d), -KEEL_EINVAL);
    op.u.vcpu.rip = 0xffffffff80000000ull;
    CHECK_EQ(dc(&op, KEEL_DOMCTL_SET_VCPU, d), -KEEL_EINVAL);
    op.u.vcpu.rip = KEEL_GUEST_BASE;
    op.u.vcpu.rsp = ~0ull;
    CHECK_EQ(dc(&op, KEEL_DOMCTL_SET_VCPU, d), -KEEL_EINVAL);
    memset(&op, 0, sizeof(op));
    op.u.unmap_foreign.va = KEEL_DOM0_FOREIGN_VA;
    op.u.unmap_foreign.npages = 1;
    CHECK_EQ(dc(&op, KEEL_DOMCTL_UNMAP_FOREIGN, 0), -KEEL_EINVAL);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_GET_INFO, d), 0);
    CHECK_EQ(op.u.info.state, KEEL_DOMSTATE_PAUSED);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, d), 0);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_GET_INFO, d), -KEEL_ESRCH);
    CHECK_EQ(tbuild_free_frames(), free0);
}

/* Run the guest in `mode`; check how it ended; destroy it. */
static void run_mode(const char *mode, uint32_t state, long code_or_vector)
{
    struct keel_domain_info info;
    struct keel_domctl op;
    uint64_t free0 = tbuild_free_frames();
    long d = tbuild_start(img, mode);

    outf("# guest mode %s\n", mode);
    CHECK(d > 0);
    if (d <= 0)
        return;
    CHECK_EQ(tbuild_wait((uint32_t)d, &info, 3000), 0);
    CHECK_EQ(info.state, state);
    if (state == KEEL_DOMSTATE_SHUTDOWN)
        CHECK_EQ(info.exit_code, code_or_vector);
    else
        CHECK_EQ(info.crash.vector, code_or_vector);
    if (!t_strcmp(mode, "nullw"))
        CHECK(info.crash.fault_addr == 0 && (info.crash.error_code & 6) == 6);
    if (!t_strcmp(mode, "nx"))
        CHECK(info.crash.error_code & 0x10);                   /* fetch */
    if (!t_strcmp(mode, "textw"))
        CHECK(info.crash.error_code & 1);                      /* protection */
    if (state == KEEL_DOMSTATE_CRASHED && code_or_vector != KEEL_CRASH_ABORT)
        CHECK(info.crash.regs.rip >= KEEL_GUEST_BASE);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_UNPAUSE, (uint32_t)d), -KEEL_EINVAL);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

static void foreign_pins(void)
{
    struct keel_domctl op;
    uint64_t free0 = tbuild_free_frames();
    long d = tbuild_start(img, "exit7");
    struct keel_domain_info info;

    CHECK(d > 0);
    CHECK_EQ(tbuild_wait((uint32_t)d, &info, 3000), 0);
    memset(&op, 0, sizeof(op));
    op.u.map_foreign.gva = KEEL_GUEST_BASE;
    op.u.map_foreign.npages = 2;
    CHECK_EQ(dc(&op, KEEL_DOMCTL_MAP_FOREIGN, (uint32_t)d), 0);
    uint64_t va = op.u.map_foreign.va;
    CHECK(va >= KEEL_DOM0_FOREIGN_VA);
    const struct elf64_ehdr *eh = (const void *)img->va;
    const struct elf64_phdr *ph = (const void *)(img->va + eh->e_phoff);
    CHECK_EQ(*(volatile uint64_t *)va, *(const uint64_t *)(img->va + ph[0].p_offset));
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d), -KEEL_EBUSY);
    op.u.unmap_foreign.va = va;
    op.u.unmap_foreign.npages = 1;                              /* not the region */
    CHECK_EQ(dc(&op, KEEL_DOMCTL_UNMAP_FOREIGN, 0), -KEEL_EINVAL);
    op.u.unmap_foreign.npages = 2;
    CHECK_EQ(dc(&op, KEEL_DOMCTL_UNMAP_FOREIGN, 0), 0);
    CHECK_EQ(hc(KEEL_HC_CONSOLE_WRITE, 1, (long)va, 1), -KEEL_EFAULT);    /* gone */
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

/* Two spinners on two CPUs: dom0's timer must still wake it on time. */
static void spinners(void)
{
    struct keel_domctl op;
    uint64_t free0 = tbuild_free_frames();
    long a = tbuild_start(img, "spin"), b = tbuild_start(img, "spin");
    long t = tbuild_start(img, "timer");
    struct keel_domain_info info;

    CHECK(a > 0 && b > 0 && t > 0);
    CHECK_EQ(tbuild_wait((uint32_t)t, &info, 3000), 0);
    CHECK_EQ(info.exit_code, 0);                                /* woke in time */
    uint64_t t0 = now_ns();
    hc(KEEL_HC_SET_TIMER, (long)(t0 + 50000000), 0, 0);
    __atomic_fetch_and(&shinfo()->pending, 0, __ATOMIC_SEQ_CST);
    while (!(shinfo()->pending & KEEL_PENDING_TIMER))
        hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
    CHECK(now_ns() - t0 < 1000000000ull);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_GET_INFO, (uint32_t)a), 0);
    CHECK_EQ(op.u.info.state, KEEL_DOMSTATE_RUNNING);
    CHECK(op.u.info.cpu_time_ns > 1000000);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_PAUSE, (uint32_t)a), 0);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_UNPAUSE, (uint32_t)a), 0);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_SET_VCPU, (uint32_t)a), -KEEL_EBUSY);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, (uint32_t)a), 0);        /* while running */
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, (uint32_t)b), 0);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, (uint32_t)t), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

/* Three FPU torturers on two CPUs: preempted all the time. */
static void fpu_preemption(void)
{
    struct keel_domain_info info;
    struct keel_domctl op;
    long d[3];

    for (int i = 0; i < 3; i++)
        d[i] = tbuild_start(img, "fpu");
    for (int i = 0; i < 3; i++) {
        CHECK(d[i] > 0);
        CHECK_EQ(tbuild_wait((uint32_t)d[i], &info, 20000), 0);
        CHECK_EQ(info.state, KEEL_DOMSTATE_SHUTDOWN);
        CHECK_EQ(info.exit_code, 0);
        dc(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d[i]);
    }
}

/* A thousand small domains at once; ids stay unique; every frame comes back. */
#define MANY 1000
static void many(void)
{
    static uint32_t ids[MANY];
    struct keel_domctl op;
    uint64_t free0 = tbuild_free_frames(), t0 = now_ns(), t1;
    unsigned n, dup = 0;

    for (n = 0; n < MANY; n++) {
        memset(&op, 0, sizeof(op));
        op.u.create.mem_pages = 4;
        if (dc(&op, KEEL_DOMCTL_CREATE, 0))
            break;
        ids[n] = op.domid;
        dup += n && ids[n] == ids[n - 1];
    }
    t1 = now_ns();
    CHECK_EQ(n, MANY);
    CHECK_EQ(dup, 0);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_PHYSINFO, 0), 0);
    CHECK_EQ(op.u.physinfo.nr_domains, MANY + 1);
    for (unsigned i = 0; i < n; i++)
        if (dc(&op, KEEL_DOMCTL_DESTROY, ids[i]))
            dup++;
    CHECK_EQ(dup, 0);
    outf("# %u domains created in %lu us, destroyed in %lu us\n", n,
         (unsigned long)((t1 - t0) / 1000), (unsigned long)((now_ns() - t1) / 1000));
    CHECK_EQ(tbuild_free_frames(), free0);
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    (void)entry_rsp;
    ktap_begin("hv-domains");
    img = (const struct keel_module *)si->modules_va + 1;
    CHECK_EQ(si->nr_modules, 2);
    CHECK_EQ(tbuild_warm_up(), 0);
    hostile_domctls();
    run_mode("exit7", KEEL_DOMSTATE_SHUTDOWN, 7);
    run_mode("hostile", KEEL_DOMSTATE_SHUTDOWN, 0);
    run_mode("timer", KEEL_DOMSTATE_SHUTDOWN, 0);
    run_mode("nullw", KEEL_DOMSTATE_CRASHED, KEEL_CRASH_PF);
    run_mode("textw", KEEL_DOMSTATE_CRASHED, KEEL_CRASH_PF);
    run_mode("nx", KEEL_DOMSTATE_CRASHED, KEEL_CRASH_PF);
    run_mode("ud", KEEL_DOMSTATE_CRASHED, KEEL_CRASH_UD);
    run_mode("abort", KEEL_DOMSTATE_CRASHED, KEEL_CRASH_ABORT);
    foreign_pins();
    spinners();
    fpu_preemption();
    many();
    ktap_end_poweroff();
}
