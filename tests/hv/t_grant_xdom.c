/*
 * hv-grant across domains, with tests/hv/t_grant_guest.c: a granter that
 * dies while dom0 still maps its pages (they stay readable, and the frames
 * come back at the last unmap), a grantee that dies holding dom0's page
 * (its map is undone; then dom0 can END), a write through a read-only map
 * (only the writer crashes), and a hostile grantee.
 */
#include "t_grant.h"

#define GUEST_A_MAGIC 0x4141414141414141ull
#define GUEST_B_MAGIC 0x4242424242424242ull
#define STRESS_READY  0x5245414459ull

static int memcmp_t(const uint8_t *a, const uint8_t *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (a[i] != b[i])
            return 1;
    return 0;
}

static long start_and_wait(const char *mode, uint32_t *domid, struct keel_domain_info *info,
                           void (*after_start)(uint32_t))
{
    long d = tbuild_start(guest_img, mode);
    if (d <= 0)
        return d;
    *domid = (uint32_t)d;
    if (after_start)
        after_start(*domid);
    return tbuild_wait(*domid, info, 5000);
}

static void copy_both_ways(uint32_t d)
{
    static uint8_t buf[64], back[64];
    struct keel_grant_copy c[3];
    for (unsigned i = 0; i < 64; i++)
        buf[i] = (uint8_t)(0x80 + i);
    memset(c, 0, sizeof(c));
    c[0].flags = KEEL_GRANT_COPY_DST_GREF;
    c[0].src.gva = (uint64_t)buf + 1;
    c[0].dst = (struct keel_grant_copy_ptr){ .ref = 0, .domid = (keel_domid_t)d, .offset = 2049 };
    c[0].len = 63;
    c[1].flags = KEEL_GRANT_COPY_SRC_GREF;
    c[1].src = c[0].dst;
    c[1].dst.gva = (uint64_t)back + 1;
    c[1].len = 63;
    c[2] = c[0];
    c[2].dst.ref = 1;                                       /* read-only */
    CHECK_EQ(gnt(KEEL_GNTOP_COPY, (uint64_t)c, 3), 1);
    CHECK_EQ(c[0].status, 0);
    CHECK_EQ(c[1].status, 0);
    CHECK_EQ(c[2].status, -KEEL_EACCES);
    CHECK(!memcmp_t(buf + 1, back + 1, 63));
}

static void granter_dies(void)
{
    struct keel_domain_info info;
    struct keel_domctl op;
    uint64_t free0 = tbuild_free_frames(), va_a = 0, va_b = 0, va;
    uint32_t d = 0, ha = 0, hb = 0, h;

    CHECK_EQ(start_and_wait("granter", &d, &info, NULL), 0);
    CHECK_EQ(info.state, KEEL_DOMSTATE_SHUTDOWN);
    CHECK_EQ(info.exit_code, 0);
    CHECK_EQ(map((keel_domid_t)d, 0, 0, &va_a, &ha), 0);
    CHECK_EQ(map((keel_domid_t)d, 1, 0, &va, &h), -KEEL_EACCES);
    CHECK_EQ(map((keel_domid_t)d, 1, KEEL_GRANT_MAP_READONLY, &va_b, &hb), 0);
    CHECK_EQ(map((keel_domid_t)d, 2, 0, &va, &h), -KEEL_ENOENT);
    CHECK_EQ(((volatile uint64_t *)va_a)[7], GUEST_A_MAGIC + 7);
    CHECK_EQ(((volatile uint64_t *)va_b)[9], GUEST_B_MAGIC + 9);
    copy_both_ways(d);
    ((volatile uint64_t *)va_a)[3] = DOM0_MAGIC;
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, d), 0);
    /* the granter is gone; its two pinned pages are not */
    CHECK_EQ(((volatile uint64_t *)va_a)[7], GUEST_A_MAGIC + 7);
    CHECK_EQ(((volatile uint64_t *)va_a)[3], DOM0_MAGIC);
    CHECK_EQ(((volatile uint64_t *)va_b)[9], GUEST_B_MAGIC + 9);
    /* (its table's bookkeeping stays too, until the last pin goes) */
    uint64_t dead = tbuild_free_frames();
    CHECK(dead <= free0 - 2);
    CHECK_EQ(map((keel_domid_t)d, 0, 0, &va, &h), -KEEL_ESRCH);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, ha, 0), 0);
    CHECK_EQ(tbuild_free_frames(), dead + 1);                     /* page A */
    CHECK_EQ(((volatile uint64_t *)va_b)[9], GUEST_B_MAGIC + 9);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, hb, 0), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

static void grant_hold(uint32_t d)
{
    ((volatile uint64_t *)pages[0])[0] = DOM0_MAGIC;
    ((volatile uint64_t *)pages[0])[1] = 0;
    grant(10, pages[0], (keel_domid_t)d, KEEL_GTF_PERMIT);
}

static void grantee_dies_holding(void)
{
    struct keel_domain_info info;
    struct keel_domctl op;
    uint64_t free0 = tbuild_free_frames();
    uint32_t d = 0;

    CHECK_EQ(start_and_wait("hold", &d, &info, grant_hold), 0);
    CHECK_EQ(info.state, KEEL_DOMSTATE_SHUTDOWN);
    CHECK_EQ(info.exit_code, 0);
    CHECK_EQ(((volatile uint64_t *)pages[0])[1], GUEST_A_MAGIC);   /* it wrote */
    CHECK(gtable[10].flags & KEEL_GTF_WRITING);
    CHECK_EQ(gnt(KEEL_GNTOP_END, 10, 0), -KEEL_EBUSY);            /* still mapped */
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, d), 0);
    CHECK(!(gtable[10].flags & KEEL_GTF_WRITING));
    CHECK_EQ(gnt(KEEL_GNTOP_END, 10, 0), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

static void grant_ro(uint32_t d)
{
    ((volatile uint64_t *)pages[1])[0] = DOM0_MAGIC;
    grant(12, pages[1], (keel_domid_t)(d + 1), KEEL_GTF_PERMIT);  /* not for it */
    grant(11, pages[1], (keel_domid_t)d, KEEL_GTF_PERMIT | KEEL_GTF_READONLY);
}

static void ro_write_crashes_writer(void)
{
    struct keel_domain_info info;
    struct keel_domctl op;
    uint32_t d = 0;

    CHECK_EQ(start_and_wait("ro_write", &d, &info, grant_ro), 0);
    CHECK_EQ(info.state, KEEL_DOMSTATE_CRASHED);
    CHECK_EQ(info.crash.vector, KEEL_CRASH_PF);
    CHECK((info.crash.error_code & 3) == 3);                      /* write, present */
    CHECK(info.crash.fault_addr >= KEEL_GRANT_WINDOW_VA &&
          info.crash.fault_addr < KEEL_GRANT_WINDOW_VA + KEEL_GRANT_WINDOW_PAGES * PAGE);
    CHECK_EQ(((volatile uint64_t *)pages[1])[0], DOM0_MAGIC);
    CHECK_EQ(gnt(KEEL_GNTOP_END, 11, 0), -KEEL_EBUSY);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, d), 0);
    CHECK_EQ(gnt(KEEL_GNTOP_END, 11, 0), 0);
    CHECK_EQ(gnt(KEEL_GNTOP_END, 12, 0), 0);
}

static void hostile_grantee(void)
{
    struct keel_domain_info info;
    struct keel_domctl op;
    uint32_t d = 0;

    CHECK_EQ(start_and_wait("hostile", &d, &info, grant_ro), 0);
    CHECK_EQ(info.state, KEEL_DOMSTATE_SHUTDOWN);
    CHECK_EQ(info.exit_code, 0);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, d), 0);
    CHECK_EQ(gnt(KEEL_GNTOP_END, 11, 0), 0);
    CHECK_EQ(gnt(KEEL_GNTOP_END, 12, 0), 0);
}

/* The granter destroyed while its grantee maps and copies its page on the
 * other CPU: every call gets 0 or -KEEL_ESRCH, the held page stays, and
 * every frame comes back. */
static void granter_dies_under_load(void)
{
    struct keel_domain_info info;
    struct keel_domctl op;
    uint64_t free0 = tbuild_free_frames();
    uint32_t a = 0, b;

    CHECK_EQ(start_and_wait("granter", &a, &info, NULL), 0);
    long d = tbuild_start(guest_img, "stress");
    CHECK_EQ(d, a + 1);                        /* the granter granted a + 1 */
    if (d <= 0)
        return;
    b = (uint32_t)d;
    /* page A is granted to us too (ref 0): wait there until b holds its map */
    uint64_t va = 0, end = now_ns() + 3000000000ull;
    uint32_t h = 0;
    CHECK_EQ(map((keel_domid_t)a, 0, KEEL_GRANT_MAP_READONLY, &va, &h), 0);
    while (va && ((volatile uint64_t *)va)[6] != STRESS_READY && now_ns() < end)
        hc(KEEL_HC_SCHED_YIELD, 0, 0, 0);
    CHECK_EQ(((volatile uint64_t *)va)[6], STRESS_READY);
    hc(KEEL_HC_SET_TIMER, (long)(now_ns() + 20000000), 0, 0);  /* b loops a while */
    hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, a), 0);
    /* the same frame, pinned under two references by two domains */
    CHECK_EQ(((volatile uint64_t *)va)[5], GUEST_A_MAGIC + 5);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, h, 0), 0);
    CHECK_EQ(tbuild_wait(b, &info, 8000), 0);
    CHECK_EQ(info.state, KEEL_DOMSTATE_SHUTDOWN);
    CHECK_EQ(info.exit_code, 0);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, b), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

void grant_xdom_tests(void)
{
    CHECK_EQ(tbuild_warm_up(), 0);
    granter_dies();
    grantee_dies_holding();
    ro_write_crashes_writer();
    hostile_grantee();
    granter_dies_under_load();
}
