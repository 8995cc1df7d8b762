/*
 * Host test of per-domain limits (hv/common/limits.c) and of the reserve
 * they call for (keel_domain_hv_frames, keel/domctl.h): the defaults, the
 * maxima, and the frames for a guest with default limits and for dom0.
 */
#include "ktest.h"
#include "../../hv/common/limits.c"

static struct keel_domain_limits lim(uint32_t e, uint32_t m, uint32_t p, uint32_t f)
{
    return (struct keel_domain_limits){ e, m, p, f };
}

KTEST(zero_means_the_default)
{
    struct keel_domain_limits in = lim(0, 0, 0, 0), out;
    EXPECT_EQ(limits_resolve(&in, false, &out), 0);
    EXPECT_EQ(out.grant_entries, KEEL_DEFAULT_GRANT_ENTRIES);
    EXPECT_EQ(out.grant_maps, KEEL_DEFAULT_GRANT_MAPS);
    EXPECT_EQ(out.evtchn_ports, KEEL_DEFAULT_EVTCHN_PORTS);
    EXPECT_EQ(out.foreign_pages, 0);
    /* the reserve is the same for the request and its resolution */
    EXPECT_EQ(keel_domain_hv_frames(&in), keel_domain_hv_frames(&out));
    in = lim(7, 0, 9, 0);
    EXPECT_EQ(limits_resolve(&in, false, &out), 0);
    EXPECT(out.grant_entries == 7 && out.grant_maps == KEEL_DEFAULT_GRANT_MAPS &&
           out.evtchn_ports == 9);
}

KTEST(maxima_and_the_foreign_window)
{
    struct keel_domain_limits in, out = lim(1, 2, 3, 4), was = out;
    in = lim(KEEL_GRANT_MAX_ENTRIES, KEEL_GRANT_MAX_MAPS, KEEL_EVTCHN_PORTS - 1, 0);
    EXPECT_EQ(limits_resolve(&in, false, &out), 0);
    in = lim(KEEL_GRANT_MAX_ENTRIES + 1, 0, 0, 0);
    EXPECT_EQ(limits_resolve(&in, false, &out), -KEEL_EINVAL);
    in = lim(0, KEEL_GRANT_MAX_MAPS + 1, 0, 0);
    EXPECT_EQ(limits_resolve(&in, true, &out), -KEEL_EINVAL);
    in = lim(0, 0, KEEL_EVTCHN_PORTS, 0);
    EXPECT_EQ(limits_resolve(&in, false, &out), -KEEL_EINVAL);
    in = lim(0, 0, ~0u, 0);
    EXPECT_EQ(limits_resolve(&in, false, &out), -KEEL_EINVAL);
    in = lim(0, 0, 0, 1);                         /* a guest has no window */
    EXPECT_EQ(limits_resolve(&in, false, &out), -KEEL_EINVAL);
    EXPECT_EQ(limits_resolve(&in, true, &out), 0);
    in = lim(0, 0, 0, KEEL_DOM0_FOREIGN_PAGES + 1);
    EXPECT_EQ(limits_resolve(&in, true, &out), -KEEL_EINVAL);
    out = was;
    in = lim(0, ~0u, 0, 0);
    EXPECT_EQ(limits_resolve(&in, false, &out), -KEEL_EINVAL);
    EXPECT(!memcmp(&out, &was, sizeof(out)));     /* untouched on error */
}

/* docs/memory.md's numbers. */
KTEST(reserve_in_frames)
{
    struct keel_domain_limits l = lim(0, 0, 0, 0);
    /* 512 records: 4 frames; 128 handles: 1, and their window's PT, PD,
     * PDPT; ports 0 .. 255: 1 */
    EXPECT_EQ(keel_domain_hv_frames(&l), 4 + 1 + 3 + 1);
    /* dom0: 8192 records in 49 frames, 4096 maps in 32 and a 16 MiB
     * window (8 PTs), all ports (16 frames), 64 MiB of foreign window (32
     * PTs, a PD, a PDPT) */
    l = lim(KEEL_GRANT_MAX_ENTRIES, KEEL_GRANT_MAX_MAPS, KEEL_EVTCHN_PORTS - 1, 16384);
    EXPECT_EQ(keel_domain_hv_frames(&l), 49 + 32 + 10 + 16 + 34);
    /* the largest a domain can be given */
    l = lim(KEEL_GRANT_MAX_ENTRIES, KEEL_GRANT_MAX_MAPS, KEEL_EVTCHN_PORTS - 1,
            KEEL_DOM0_FOREIGN_PAGES);
    EXPECT_EQ(keel_domain_hv_frames(&l), 49 + 32 + 10 + 16 + 2048 + 4 + 1);
    /* the smallest */
    l = lim(1, 1, 1, 0);
    EXPECT_EQ(keel_domain_hv_frames(&l), 1 + 1 + 3 + 1);
    l = lim(1, 1, 256, 0);                        /* port 256: a second bucket */
    EXPECT_EQ(keel_domain_hv_frames(&l), 1 + 1 + 3 + 2);
    l = lim(171, 513, 1, 0);                      /* a second chunk, a second PT */
    EXPECT_EQ(keel_domain_hv_frames(&l), 2 + 5 + 4 + 1);
}

KTEST_MAIN(KTEST_CASE(zero_means_the_default), KTEST_CASE(maxima_and_the_foreign_window),
           KTEST_CASE(reserve_in_frames))
