/*
 * hv-lifecycle: destroying a domain ends everything it shared.  1000 times:
 * start t_bench_guest in "hold" mode (it maps a page dom0 granted it,
 * grants dom0 a page of its own and offers an event channel), bind the
 * channel, map the guest's page, write to it, then destroy the guest with
 * all of that in use.  After each destroy: dom0's grant can be ended at
 * once (the guest's mapping of it is gone), dom0's mapping of the dead
 * guest's page still works until dom0 unmaps it, and dom0's end of the
 * channel is UNBOUND.  At the end the hypervisor's free-frame count is
 * exactly what it was after the first cycle (which lets dom0's own grant
 * window tables come into being).
 *
 * Before that, KEEL_DOMCTL_NEXT_ENDED: three guests that exit are named,
 * each once, and then nothing is; after more ends than the queue holds,
 * the next call says -KEEL_ENOSPC once and the queue starts afresh.
 */
#include "tbuild.h"
#include "t_bench.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

#define CYCLES 1000

static struct keel_grant_entry table[512] __attribute__((aligned(BENCH_PAGE)));
static uint8_t page[BENCH_PAGE] __attribute__((aligned(BENCH_PAGE)));
static const struct keel_module *img;

static long gnt(uint32_t cmd, uint64_t a1, uint64_t a2)
{
    return hc(KEEL_HC_GRANT_TABLE_OP, cmd, (long)a1, (long)a2);
}

static void grant_to(uint32_t d)
{
    table[0].domid = (keel_domid_t)d;
    table[0].page = (uint32_t)(((uint64_t)page - KEEL_GUEST_BASE) / BENCH_PAGE);
    __asm__ volatile("" ::: "memory");
    table[0].flags = KEEL_GTF_PERMIT;
}

static long bind_retry(uint32_t d)
{
    uint64_t end = now_ns() + 5000000000ull;
    long q;

    while ((q = ev_bind(d, 1)) == -KEEL_ENOENT && now_ns() < end)
        hc(KEEL_HC_SCHED_YIELD, 0, 0, 0);
    return q;
}

/* One cycle; the number of things that went wrong. */
static unsigned cycle(void)
{
    struct keel_grant_map m = { .ref = 1 };
    struct keel_evtchn_op st;
    struct keel_domctl op;
    unsigned bad = 0;
    long d = tbuild_start(img, "hold"), q;

    if (d <= 0)
        return 1;
    grant_to((uint32_t)d);
    q = bind_retry((uint32_t)d);               /* the guest has mapped by now */
    m.domid = (keel_domid_t)d;
    bad += q <= 0;
    bad += gnt(KEEL_GNTOP_MAP, (uint64_t)&m, 0) != 0;
    if (m.va)
        *(volatile uint64_t *)m.va = 0x4c494645;
    bad += gnt(KEEL_GNTOP_END, 0, 0) != -KEEL_EBUSY;   /* the guest holds it */
    memset(&op, 0, sizeof(op));
    bad += domctl(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d) != 0;
    bad += gnt(KEEL_GNTOP_END, 0, 0) != 0;
    bad += m.va && *(volatile uint64_t *)m.va != 0x4c494645;
    bad += m.va && gnt(KEEL_GNTOP_UNMAP, m.handle, 0) != 0;
    bad += q > 0 && (ev_status((uint32_t)q, &st) != 0 ||
                     st.state != KEEL_EVTCHNSTAT_UNBOUND);
    bad += q > 0 && ev_close((uint32_t)q) != 0;
    return bad;
}

static long next_ended(uint32_t *domid)
{
    struct keel_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    rc = domctl(&op, KEEL_DOMCTL_NEXT_ENDED, 0);
    *domid = op.domid;
    return rc;
}

static void ended_queue(void)
{
    struct keel_domain_info info;
    struct keel_domctl op;
    long d[3];
    uint32_t id, seen = 0;

    while (next_ended(&id) != -KEEL_ENOENT)     /* whatever came before */
        ;
    for (unsigned i = 0; i < 3; i++)
        d[i] = tbuild_start(img, "exit");        /* unknown mode: exit(101) */
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ(tbuild_wait((uint32_t)d[i], &info, 10000), 0);
        CHECK_EQ(info.exit_code, 101);
    }
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ(next_ended(&id), 0);
        for (unsigned k = 0; k < 3; k++)
            seen |= (id == (uint32_t)d[k]) << k;
    }
    CHECK_EQ(seen, 7);
    CHECK_EQ(next_ended(&id), -KEEL_ENOENT);
    for (unsigned i = 0; i < 3; i++) {
        memset(&op, 0, sizeof(op));
        CHECK_EQ(domctl(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d[i]), 0);
    }
    CHECK_EQ(next_ended(&id), -KEEL_ENOENT);   /* destroying is no end */
}

#define ENDED_MAX 1024                  /* hv/common/domctl_ended.c */
static void ended_overflow(void)
{
    struct keel_domain_info info;
    struct keel_domctl op;
    unsigned bad = 0;
    uint32_t id;

    for (unsigned i = 0; i < ENDED_MAX + 2; i++) {
        long d = tbuild_start(img, "exit");
        bad += d <= 0 || tbuild_wait((uint32_t)d, &info, 10000) != 0;
        memset(&op, 0, sizeof(op));
        bad += domctl(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d) != 0;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(next_ended(&id), -KEEL_ENOSPC);
    CHECK_EQ(next_ended(&id), -KEEL_ENOENT);
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    uint64_t free0, t0;
    unsigned bad;

    (void)entry_rsp;
    ktap_begin("hv-lifecycle");
    img = (const struct keel_module *)si->modules_va + 1;
    ended_queue();
    ended_overflow();
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, (uint64_t)table, 512), 0);
    CHECK_EQ(cycle(), 0);
    free0 = tbuild_free_frames();
    t0 = now_ns();
    bad = 0;
    for (unsigned i = 1; i < CYCLES; i++)
        bad += cycle();
    CHECK_EQ(bad, 0);
    outf("# %u create/share/destroy cycles in %lu ms\n", CYCLES,
         (unsigned long)((now_ns() - t0) / 1000000));
    CHECK_EQ(tbuild_free_frames(), free0);
    ktap_end_poweroff();
}
