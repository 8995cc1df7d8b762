/*
 * hv-bench: inter-domain costs beside their floors, as a raw dom0 with
 * t_bench_guest (boot module 1), all in one run:
 *
 *   null hypercall                          (the floor of everything below)
 *   event round trip dom0 -> guest -> dom0, both pinned to one CPU, and
 *     pinned to two CPUs (KEEL_DOMCTL_SET_AFFINITY)
 *   ring throughput, page-sized requests (t_bench.h): the backend takes the
 *     data by grant copy, or through mappings made once; beside memcpy of
 *     the same bytes
 *
 * Each result is a "# bench NAME k=v ..." line (bench/bench.py reads them)
 * and the KTAP checks cover SET_AFFINITY's arguments and that every round
 * trip and page arrived.  The name of module 0 picks the size: "bench" for
 * make bench, anything else ("dom0") for a quick run in make hvtest.
 */
#include "tbuild.h"
#include "t_bench.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

const struct keel_module *bench_img;
uint64_t bench_scale = 1;

static uint32_t nr_cpus(void)
{
    struct keel_domctl op;

    memset(&op, 0, sizeof(op));
    return domctl(&op, KEEL_DOMCTL_PHYSINFO, 0) ? 1 : op.u.physinfo.nr_cpus;
}

static void affinity_args(void)
{
    struct keel_domctl op;

    CHECK_EQ(tbuild_set_affinity(KEEL_DOMID_SELF, nr_cpus()), -KEEL_EINVAL);
    CHECK_EQ(tbuild_set_affinity(KEEL_DOMID_SELF, KEEL_CPU_ANY - 1), -KEEL_EINVAL);
    CHECK_EQ(tbuild_set_affinity(0x7fee, 0), -KEEL_ESRCH);
    memset(&op, 0, sizeof(op));
    op.u.affinity.pad = 1;
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_SET_AFFINITY, KEEL_DOMID_SELF), -KEEL_EINVAL);
    CHECK_EQ(tbuild_set_affinity(KEEL_DOMID_SELF, nr_cpus() - 1), 0);
    CHECK_EQ(tbuild_set_affinity(KEEL_DOMID_SELF, 0), 0);
    CHECK_EQ(tbuild_set_affinity(KEEL_DOMID_SELF, KEEL_CPU_ANY), 0);
}

static void null_hypercall(void)
{
    uint64_t n = 20000 * bench_scale, t0 = now_ns(), c0 = bench_tsc();

    for (uint64_t i = 0; i < n; i++)
        hc(KEEL_HC_NULL, 0, 0, 0);
    uint64_t c = bench_tsc() - c0, t = now_ns() - t0;
    outf("# bench null_hypercall ns=%lu cycles=%lu n=%lu\n",
         (unsigned long)(t / n), (unsigned long)(c / n), (unsigned long)n);
}

long bench_start_bound(const char *mode, uint32_t *domid)
{
    long d = tbuild_start(bench_img, mode), q = -1;
    uint64_t end = now_ns() + 5000000000ull;

    if (d <= 0)
        return -1;
    *domid = (uint32_t)d;
    while ((q = ev_bind(*domid, 1)) == -KEEL_ENOENT && now_ns() < end)
        hc(KEEL_HC_SCHED_YIELD, 0, 0, 0);
    return q;
}

void bench_finish(uint32_t d, long q, int destroy_running)
{
    struct keel_domain_info info;
    struct keel_domctl op;

    if (!destroy_running) {
        CHECK_EQ(tbuild_wait(d, &info, 20000), 0);
        CHECK_EQ(info.state, KEEL_DOMSTATE_SHUTDOWN);
        CHECK_EQ(info.exit_code, 0);
    }
    memset(&op, 0, sizeof(op));
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_DESTROY, d), 0);
    CHECK_EQ(ev_close((uint32_t)q), 0);
}

/* dom0 on cpu0, the echo guest on cpu1: n round trips, mean reported.
 * timed: both ends wait with a timeout (a timer armed per wait, as ev_wait
 * and the libos do) instead of a bare block, the guest with upcalls on. */
static void round_trips(const char *name, uint32_t cpu0, uint32_t cpu1, int timed)
{
    uint32_t d = 0;
    long q = bench_start_bound(timed ? "echo_upcall" : "echo", &d);
    uint64_t n = 500 * bench_scale, ok = 0;

    CHECK(q > 0);
    CHECK_EQ(tbuild_set_affinity(KEEL_DOMID_SELF, cpu0), 0);
    CHECK_EQ(tbuild_set_affinity(d, cpu1), 0);
    for (unsigned i = 0; i < 20 && q > 0; i++) {      /* settle on the CPUs */
        ev_send((uint32_t)q);
        if (timed)
            ev_wait((uint32_t)q, 5000);
        else
            bench_wait((uint32_t)q);
    }
    ev_wait_stats = (struct ev_wait_stats){ 0, 0 };
    uint64_t t0 = now_ns(), c0 = bench_tsc();
    for (uint64_t i = 0; i < n && q > 0; i++) {
        ok += ev_send((uint32_t)q) == 0;
        if (timed)
            ok -= ev_wait((uint32_t)q, 5000) != 0;
        else
            bench_wait((uint32_t)q);
    }
    uint64_t c = bench_tsc() - c0, t = now_ns() - t0;
    CHECK_EQ(ok, n);
    outf("# bench %s ns=%lu cycles=%lu n=%lu\n", name, (unsigned long)(t / n),
         (unsigned long)(c / n), (unsigned long)n);
    if (timed) {
        /* one block per wait, give or take a round trip slower than the
         * 5 ms timer; a block that never blocks (a pending-word bit left
         * set) made it 24-850 */
        outf("# dom0 waits: %lu blocks, %lu woken by the timer\n",
             ev_wait_stats.blocks, ev_wait_stats.timer_wakes);
        CHECK(ev_wait_stats.blocks <= 2 * n);
    }
    CHECK_EQ(tbuild_set_affinity(KEEL_DOMID_SELF, KEEL_CPU_ANY), 0);
    bench_finish(d, q, 1);
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    const struct keel_module *mods = (const struct keel_module *)si->modules_va;
    uint64_t free0;

    (void)entry_rsp;
    ktap_begin("hv-bench");
    bench_img = mods + 1;
    if (!t_strcmp(mods[0].name, "bench"))      /* the module's label */
        bench_scale = 10;
    affinity_args();
    null_hypercall();
    round_trips("event_rt_same_cpu", 0, 0, 0);
    if (nr_cpus() > 1)
        round_trips("event_rt_cross_cpu", 0, 1, 0);
    round_trips("event_rt_unpinned", KEEL_CPU_ANY, KEEL_CPU_ANY, 0);
    ring_floor();
    ring_run("ring_grant_copy", 0);
    /* dom0's grant window tables now exist: every later frame must return */
    free0 = tbuild_free_frames();
    ring_run("ring_grant_map", 1);
    CHECK_EQ(tbuild_free_frames(), free0);
    /* last: with upcalls on, bench_wait would never see an event again */
    ev_upcalls_on();
    round_trips("event_rt_upcall", KEEL_CPU_ANY, KEEL_CPU_ANY, 1);
    ktap_end_poweroff();
}
