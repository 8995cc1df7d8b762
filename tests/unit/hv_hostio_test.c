/*
 * The hypervisor's one-time check of the host I/O header
 * (hv/arch/x86_64/hostio_check.c): the launcher's own layout passes, and
 * every hostile variant (wrong magic or version, sizes that disagree with
 * the BAR, rings outside it, unaligned, not a power of two, overlapping,
 * offsets that overflow) is refused.  And the output doorbell: the
 * hypervisor's half (hostio_out_take_waiting, after publishing out.prod)
 * against the launcher's (tools/keel/hostio.c: out_waiting, then a last
 * look at the ring), every interleaving of their steps enumerated: the
 * launcher never sleeps on bytes that no doorbell announces, each wait
 * gets at most one doorbell, and none comes when the launcher is awake.
 */
#include <stdlib.h>

#include "ktest.h"
#include "../../hv/arch/x86_64/hostio_check.c"
#include "../../tools/keel/record.c"
#include "../../tools/keel/hostio.c"
#include "../../lib/stream/stream.c"

static struct keel_hostio_header *good(void)
{
    static uint8_t *mem;
    if (!mem)
        mem = malloc(KEEL_HOSTIO_TOTAL_SIZE);
    keel_hostio_layout(mem);
    return (void *)mem;
}

KTEST(launcher_layout_passes)
{
    EXPECT(hostio_layout_error(good(), KEEL_HOSTIO_TOTAL_SIZE) == NULL);
}

KTEST(identity_checked)
{
    struct keel_hostio_header *h = good();
    h->magic ^= 1;
    EXPECT(hostio_layout_error(h, KEEL_HOSTIO_TOTAL_SIZE) != NULL);
    h = good();
    h->version = KEEL_HOSTIO_VERSION + 1;
    EXPECT(hostio_layout_error(h, KEEL_HOSTIO_TOTAL_SIZE) != NULL);
}

KTEST(sizes_must_match_the_bar)
{
    struct keel_hostio_header *h = good();
    EXPECT(hostio_layout_error(h, KEEL_HOSTIO_TOTAL_SIZE / 2) != NULL);
    EXPECT(hostio_layout_error(h, KEEL_HOSTIO_TOTAL_SIZE * 2) != NULL);
    h->hdr_size = 64;
    EXPECT(hostio_layout_error(h, KEEL_HOSTIO_TOTAL_SIZE) != NULL);
}

KTEST(rings_must_fit)
{
    struct keel_hostio_header *h = good();
    const uint64_t bar = KEEL_HOSTIO_TOTAL_SIZE;
    h->in_size = 2u << 20;                  /* past the end */
    EXPECT(hostio_layout_error(h, bar) != NULL);
    h = good();
    h->out_size = 3u << 19;                 /* not a power of two */
    EXPECT(hostio_layout_error(h, bar) != NULL);
    h = good();
    h->out_size = 0;
    EXPECT(hostio_layout_error(h, bar) != NULL);
    h = good();
    h->out_offset = 0;                      /* over the header */
    EXPECT(hostio_layout_error(h, bar) != NULL);
    h = good();
    h->in_offset += 8;                      /* unaligned */
    EXPECT(hostio_layout_error(h, bar) != NULL);
    h = good();
    h->in_offset = h->out_offset + 4096;    /* overlap */
    EXPECT(hostio_layout_error(h, bar) != NULL);
    h = good();
    h->in_offset = 0xfffff000u;             /* 32-bit overflow of off + size */
    EXPECT(hostio_layout_error(h, bar) != NULL);
}

/* One step of either side; the memory operations each one does are
 * sequentially consistent (fences), so interleaving whole steps covers
 * every order the protocol allows. */
enum step { L_WANT, L_LOOK, L_AWAKE, H_PUB, H_PUB_FULL, H_TAKE };

struct outcome {
    int looks_empty;      /* the launcher's last look found `out` empty */
    int rings;            /* doorbells the hypervisor wrote */
};

static struct keel_hostio lh;

static struct outcome play(struct keel_hostio_header *hd, const enum step *seq, int n)
{
    struct outcome o = { -1, 0 };
    uint8_t *ring = (uint8_t *)hd + hd->out_offset;

    for (int i = 0; i < n; i++) {
        switch (seq[i]) {
        case L_WANT: keel_hostio_out_want(&lh); break;
        case L_LOOK: o.looks_empty = keel_hostio_out_empty(&lh); break;
        case L_AWAKE: keel_hostio_out_awake(&lh); break;
        case H_PUB:       /* one byte, then the release store of prod */
            ring[hd->out.prod & (hd->out_size - 1)] = 'x';
            __atomic_store_n(&hd->out.prod, hd->out.prod + 1, __ATOMIC_RELEASE);
            break;
        case H_PUB_FULL:  /* fills the ring: the hv then spins */
            __atomic_store_n(&hd->out.prod, hd->out.cons + hd->out_size, __ATOMIC_RELEASE);
            break;
        case H_TAKE: o.rings += hostio_out_take_waiting(hd); break;
        }
    }
    return o;
}

/* Asleep (the last look was empty) only with a doorbell coming; at most
 * one per wait. */
static bool no_lost_wakeup(struct outcome o)
{
    return (o.looks_empty != 1 || o.rings == 1) && o.rings <= 1;
}

/*
 * Every merge of the launcher's steps l[] with the hypervisor's h[] (each
 * side's own order kept), from an empty ring with out_waiting clear; the
 * number of merges, *bad set if one loses a wake-up.
 */
static int interleave(const enum step *l, int nl, const enum step *h, int nh, int *bad)
{
    int n = nl + nh, merges = 0;

    for (unsigned mask = 0; mask < 1u << n; mask++) {
        if (__builtin_popcount(mask) != nh)
            continue;
        enum step seq[16];
        for (int i = 0, a = 0, b = 0; i < n; i++)
            seq[i] = mask >> i & 1 ? h[b++] : l[a++];
        struct keel_hostio_header *hd = good();
        keel_hostio_attach(&lh, hd);
        if (!no_lost_wakeup(play(hd, seq, n))) {
            printf("    # merge %#x loses a wake-up\n", mask);
            *bad = 1;
        }
        merges++;
    }
    return merges;
}

/*
 * The launcher arms (flag, look) against: one publish; two publishes (one
 * doorbell for the one wait); a publish that fills the ring (the
 * hypervisor rings before it spins, so the launcher drains); and a
 * launcher that woke for another reason and cleared its flag, which may
 * miss the doorbell of a publish it has not seen but looks again before
 * it sleeps.
 */
KTEST(no_lost_wakeup_in_any_interleaving)
{
    static const struct {
        enum step l[5], h[4];
        int nl, nh, merges;
    } cases[] = {
        { { L_WANT, L_LOOK }, { H_PUB, H_TAKE }, 2, 2, 6 },
        { { L_WANT, L_LOOK }, { H_PUB, H_TAKE, H_PUB, H_TAKE }, 2, 4, 15 },
        { { L_WANT, L_LOOK }, { H_PUB_FULL, H_TAKE }, 2, 2, 6 },
        { { L_WANT, L_LOOK, L_AWAKE, L_WANT, L_LOOK }, { H_PUB, H_TAKE }, 5, 2, 21 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int bad = 0;
        EXPECT_EQ(interleave(cases[i].l, cases[i].nl, cases[i].h, cases[i].nh, &bad),
                  cases[i].merges);
        if (bad)
            printf("    # case %zu\n", i);
        EXPECT(!bad);
    }
}

KTEST(no_doorbell_when_not_waiting)
{
    struct keel_hostio_header *hd = good();
    static const enum step h[] = { H_PUB, H_TAKE, H_PUB_FULL, H_TAKE };
    keel_hostio_attach(&lh, hd);
    EXPECT_EQ(play(hd, h, 4).rings, 0);
    static const enum step woke[] = { L_WANT, L_AWAKE, H_PUB, H_TAKE };
    hd = good();
    EXPECT_EQ(play(hd, woke, 4).rings, 0);
}

KTEST(garbage_flag_costs_one_doorbell)
{
    struct keel_hostio_header *hd = good();
    hd->out_waiting = 0xdeadbeef;
    EXPECT(hostio_out_take_waiting(hd));
    EXPECT_EQ(hd->out_waiting, 0);
    EXPECT(!hostio_out_take_waiting(hd));
}

KTEST_MAIN(KTEST_CASE(launcher_layout_passes), KTEST_CASE(identity_checked),
           KTEST_CASE(sizes_must_match_the_bar), KTEST_CASE(rings_must_fit),
           KTEST_CASE(no_lost_wakeup_in_any_interleaving),
           KTEST_CASE(no_doorbell_when_not_waiting),
           KTEST_CASE(garbage_flag_costs_one_doorbell))
