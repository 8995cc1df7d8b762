/*
 * hv-timers: one guest's timers interrupt only the CPU it runs on, and no
 * more often than KEEL_TIMER_MIN_INTERVAL_NS allows (issue 6, part 4).
 * Raw dom0, pinned to CPU 0, with the test guest (boot module 1).
 *
 * A hostile guest pinned to CPU 0 arms a timer 1 us ahead again and again
 * (guest.c "tstorm": blocking for each; "tspin": spinning until each
 * fires) while a victim pinned to CPU 1 computes and now and then makes a
 * hypercall ("busy").  KEEL_DOMCTL_CPU_INFO
 * counts each CPU's interrupts over a window: the victim's CPU may take
 * almost none, the hostile guest's CPU one per KEEL_TIMER_MIN_INTERVAL_NS
 * at most.  When every CPU armed its timer for the machine-wide earliest
 * deadline, the victim's CPU took thousands.
 *
 * Then timers that move with their vCPU still fire, never early, and
 * dom0's own sleeps show what the bound costs a benign sleeper (the
 * "# sleep" lines: lateness per sleep length).
 */
#include "tbuild.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

#define WINDOW_NS   1000000000ull
#define VICTIM_MAX  20      /* interrupts of the victim's CPU per window */
#define OWN_SLACK   50      /* dom0's wake-ups, slice ends on CPU 0 */

static const struct keel_module *img;

static long cpu_info(uint32_t cpu, struct keel_cpu_info *out)
{
    struct keel_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    op.u.cpu_info.cpu = cpu;
    rc = domctl(&op, KEEL_DOMCTL_CPU_INFO, 0);
    *out = op.u.cpu_info;
    return rc;
}

static long pin(uint32_t domid, uint32_t cpu)
{
    struct keel_domctl op;

    memset(&op, 0, sizeof(op));
    op.u.affinity.cpu = cpu;
    return domctl(&op, KEEL_DOMCTL_SET_AFFINITY, domid);
}

static void destroy(long domid)
{
    struct keel_domctl op;

    CHECK_EQ(domctl(&op, KEEL_DOMCTL_DESTROY, (uint32_t)domid), 0);
}

static unsigned long other_wakes;  /* blocks that ended before the timer */

/* dom0 blocks until its own timer, armed for deadline, fires; returns when
 * it saw it fire (so an early firing shows).  Nothing else wakes dom0 here
 * but a guest's end (KEEL_PENDING_DOMAIN, cleared and counted). */
static uint64_t sleep_until(uint64_t deadline)
{
    volatile uint64_t *pending = &shinfo()->pending;

    hc(KEEL_HC_SET_TIMER, 0, 0, 0);
    __atomic_fetch_and(pending, ~(KEEL_PENDING_TIMER | KEEL_PENDING_DOMAIN), __ATOMIC_SEQ_CST);
    hc(KEEL_HC_SET_TIMER, (long)deadline, 0, 0);
    while (!(*pending & KEEL_PENDING_TIMER)) {
        hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
        if (!(*pending & KEEL_PENDING_TIMER)) {
            other_wakes++;
            __atomic_fetch_and(pending, ~KEEL_PENDING_DOMAIN, __ATOMIC_SEQ_CST);
        }
    }
    return now_ns();
}

static void cpu_info_args(void)
{
    struct keel_cpu_info a, b;
    struct keel_domctl op;

    memset(&op, 0, sizeof(op));
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_PHYSINFO, 0), 0);
    CHECK_EQ(op.u.physinfo.nr_cpus, 2);
    CHECK_EQ(cpu_info(op.u.physinfo.nr_cpus, &a), -KEEL_EINVAL);
    CHECK_EQ(cpu_info(KEEL_CPU_ANY, &a), -KEEL_EINVAL);
    memset(&op, 0, sizeof(op));
    op.u.cpu_info.pad = 1;
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_CPU_INFO, 0), -KEEL_EINVAL);
    CHECK_EQ(cpu_info(0, &a), 0);
    sleep_until(now_ns() + 2000000);
    CHECK_EQ(cpu_info(0, &b), 0);
    CHECK(b.timer_irqs > a.timer_irqs);       /* dom0's own sleep, on CPU 0 */
    CHECK_EQ(cpu_info(1, &a), 0);
}

/* The hostile guest `mode` on CPU 0, a busy victim on CPU 1, for one
 * window.  (A victim that never enters the hypervisor would never re-arm
 * its CPU's timer, and hide the leak.) */
static void isolation(const char *mode)
{
    long hostile = tbuild_start(img, mode), victim = tbuild_start(img, "busy");
    struct keel_cpu_info own0, own1, vic0, vic1;
    uint64_t t0, t1;

    CHECK(hostile > 0 && victim > 0);
    CHECK_EQ(pin((uint32_t)hostile, 0), 0);
    CHECK_EQ(pin((uint32_t)victim, 1), 0);
    sleep_until(now_ns() + 100000000);         /* both settle on their CPU */
    t0 = now_ns();
    cpu_info(0, &own0);
    cpu_info(1, &vic0);
    t1 = sleep_until(t0 + WINDOW_NS);
    cpu_info(0, &own1);
    cpu_info(1, &vic1);
    destroy(hostile);
    destroy(victim);

    uint64_t victim_irqs = vic1.timer_irqs - vic0.timer_irqs + vic1.kicks - vic0.kicks;
    uint64_t own = own1.timer_irqs - own0.timer_irqs;
    uint64_t bound = (t1 - t0) / KEEL_TIMER_MIN_INTERVAL_NS + OWN_SLACK;
    outf("# %s: %lu ms; victim's CPU 1: %lu timer irqs, %lu kicks;"
         " hostile's CPU 0: %lu timer irqs (bound %lu)\n", mode,
         (unsigned long)((t1 - t0) / 1000000),
         (unsigned long)(vic1.timer_irqs - vic0.timer_irqs),
         (unsigned long)(vic1.kicks - vic0.kicks), (unsigned long)own,
         (unsigned long)bound);
    check("victim's CPU left alone", victim_irqs <= VICTIM_MAX);
    check("hostile's CPU within the rate bound", own <= bound);
}

/* An armed timer follows its spinning vCPU from CPU 0 to CPU 1 and back
 * to 1 (tmove); a blocked vCPU re-pinned away from its timer's CPU is
 * still woken (timer). */
static void moves(void)
{
    struct keel_domain_info info;
    const char *modes[] = { "tmove", "timer" };

    for (unsigned i = 0; i < 2; i++) {
        long d = tbuild_start(img, modes[i]);

        CHECK(d > 0);
        CHECK_EQ(pin((uint32_t)d, 0), 0);
        sleep_until(now_ns() + 5000000);
        CHECK_EQ(pin((uint32_t)d, 1), 0);
        CHECK_EQ(tbuild_wait((uint32_t)d, &info, 5000), 0);
        CHECK_EQ(info.state, KEEL_DOMSTATE_SHUTDOWN);
        CHECK_EQ(info.exit_code, 0);
        destroy(d);
    }
}

/* n sleeps of len ns each, back to back: never early; how late, and the
 * period from the first wake to the last (the bound shows in short ones). */
static uint64_t sleeps(uint64_t len, unsigned n)
{
    uint64_t late = 0, worst = 0, first = 0, t = 0;
    unsigned early = 0;

    other_wakes = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t dl = now_ns() + len, d;

        t = sleep_until(dl);
        d = t > dl ? t - dl : 0;
        first = i ? first : t;
        early += t < dl;
        late += d;
        worst = d > worst ? d : worst;
    }
    uint64_t period = (t - first) / (n - 1);
    outf("# sleep %lu us x %u: late %lu us mean, %lu us worst; period %lu us"
         " (%lu other wake-ups)\n", (unsigned long)(len / 1000), n,
         (unsigned long)(late / n / 1000), (unsigned long)(worst / 1000),
         (unsigned long)(period / 1000), other_wakes);
    CHECK_EQ(early, 0);
    return period;
}

static void precision(void)
{
    CHECK(sleeps(KEEL_TIMER_MIN_INTERVAL_NS / 5, 200) >= KEEL_TIMER_MIN_INTERVAL_NS);
    sleeps(KEEL_TIMER_MIN_INTERVAL_NS, 200);
    sleeps(1000000, 100);
    sleeps(20000000, 10);
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    (void)entry_rsp;
    ktap_begin("hv-timers");
    img = (const struct keel_module *)si->modules_va + 1;
    CHECK_EQ(si->nr_modules, 2);
    CHECK_EQ(pin(KEEL_DOMID_SELF, 0), 0);
    cpu_info_args();
    isolation("tstorm");
    isolation("tspin");
    moves();
    precision();
    ktap_end_poweroff();
}
