/*
 * sdk/blkback: DISCARD from two guests' slices of one fake device (whose
 * discards zero their range and take at most DEV_MAX_DISCARD sectors
 * each): the settings that offer it, a range split into device-sized
 * pieces answered once after the last, a device that fails a piece, and
 * hostile discards (past the slice, overflowing, with segments, on a
 * read-only disk) refused before the device sees them while the other
 * guest is served in the same run.
 */
#include "blkback_fake.h"

/* guest d puts DISCARD of [sector, sector + n) */
static void put_discard(unsigned d, uint64_t sector, uint32_t n, uint64_t id)
{
    struct keel_blk_req *r = keel_blk_front_next_req(&g[d].f);
    *r = (struct keel_blk_req){ .op = KEEL_BLK_OP_DISCARD, .id = id, .sector = sector,
                                .nr_sectors = n };
    keel_blk_front_push(&g[d].f);
}

static bool all(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

KTEST(settings_offer_discard_when_the_device_does)
{
    struct bb_dev_info info = { .sectors = 4096, .sector_size = 4096, .max_bytes = 45056,
                                .discard = true, .max_discard = 64 };
    struct keel_blk_settings s;

    EXPECT_EQ(bb_settings(&info, 0, 4096, false, &s), 0);
    EXPECT_EQ(s.flags, KEEL_BLK_F_DISCARD);
    EXPECT_EQ(bb_settings(&info, 0, 4096, true, &s), 0);
    EXPECT_EQ(s.flags, KEEL_BLK_F_RO);            /* read-only: no discard */
    info.read_only = true;
    EXPECT_EQ(bb_settings(&info, 0, 4096, false, &s), 0);
    EXPECT_EQ(s.flags, KEEL_BLK_F_RO);
    info.discard = false;
    info.read_only = false;
    EXPECT_EQ(bb_settings(&info, 0, 4096, false, &s), 0);
    EXPECT_EQ(s.flags, 0);
    /* a device that claims discard with no way to do it, or pieces that
     * would not stay aligned to its sector */
    struct bb_disk dk;
    info.discard = true;
    EXPECT_EQ(bb_disk_init(&dk, &ops, &dops, NULL, &info, NULL), -KEEL_EINVAL);
    info.max_discard = 12;
    EXPECT_EQ(bb_disk_init(&dk, &ops, &discard_dops, NULL, &info, NULL), -KEEL_EINVAL);
    info.max_discard = 0;
    EXPECT_EQ(bb_disk_init(&dk, &ops, &discard_dops, NULL, &info, NULL), -KEEL_EINVAL);
    info.max_discard = 64;
    EXPECT_EQ(bb_disk_init(&dk, &ops, &discard_dops, NULL, &info, NULL), 0);
}

KTEST(a_long_discard_goes_in_pieces_and_is_answered_once)
{
    setup_with(8, false, &ops, &discard_dops);
    EXPECT_EQ(g[1].s.flags & KEEL_BLK_F_DISCARD, KEEL_BLK_F_DISCARD);
    memset(dev.disk, 0x5a, sizeof(dev.disk));
    put_discard(1, 8, 40, 1);                      /* 16 + 16 + 8 */
    put_discard(2, 0, 8, 2);                       /* device sectors 128.. */
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd) + bb_vbd_poll(&g[2].vbd), 2);
    complete_all();
    EXPECT_EQ(answer(1, 1), 99);                   /* two pieces to go */
    EXPECT_EQ(answer(2, 2), KEEL_BLK_OK);
    complete_all();
    EXPECT_EQ(answer(1, 1), 99);
    complete_all();
    EXPECT_EQ(answer(1, 1), KEEL_BLK_OK);
    EXPECT_EQ(dev.discards, 4);
    EXPECT_EQ(dev.discarded, 48);
    EXPECT(all(dev.disk, 8 * 512, 0x5a));
    EXPECT(all(dev.disk + 8 * 512, 40 * 512, 0));
    EXPECT(all(dev.disk + 48 * 512, 80 * 512, 0x5a));
    EXPECT(all(dev.disk + 128 * 512, 8 * 512, 0));
    EXPECT(all(dev.disk + 136 * 512, 120 * 512, 0x5a));
    EXPECT_EQ(g[1].vbd.c.discards, 1);
    EXPECT_EQ(g[1].vbd.inflight, 0);
    EXPECT_EQ(dev.violations, 0);
    for (unsigned s = 0; s < dev.slots; s++)
        EXPECT(!dev.held[s]);                      /* every buffer back */
}

KTEST(a_failed_piece_is_eio_and_ends_it)
{
    setup_with(8, false, &ops, &discard_dops);
    dev.discard_status = -KEEL_EIO;                /* the second submit fails */
    dev.discard_fail_after = 1;
    put_discard(1, 0, 48, 1);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 1);
    complete_all();
    EXPECT_EQ(answer(1, 1), KEEL_BLK_EIO);
    EXPECT_EQ(dev.discards, 2);                    /* no third piece */
    dev.discard_status = 0;
    dev.status = -KEEL_EIO;                        /* the device fails the first */
    put_discard(1, 0, 48, 2);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 1);
    complete_all();
    EXPECT_EQ(answer(1, 2), KEEL_BLK_EIO);
    EXPECT_EQ(dev.discards, 3);
    EXPECT_EQ(g[1].vbd.c.io_errors, 2);
    EXPECT_EQ(g[1].vbd.inflight, 0);
}

KTEST(hostile_discards_never_reach_the_device)
{
    setup_with(8, true, &ops, &discard_dops);     /* guest 2: read-only */
    memset(dev.disk, 0x5a, sizeof(dev.disk));
    EXPECT_EQ(g[2].s.flags & KEEL_BLK_F_DISCARD, 0);
    put_discard(1, 120, 16, 10);                   /* past its slice: guest 2's */
    put_discard(1, ~0ull - 3, 8, 11);              /* sector + nr_sectors wraps */
    put_discard(1, 0, 0, 12);
    struct keel_blk_req *r = keel_blk_front_next_req(&g[1].f);
    *r = (struct keel_blk_req){ .op = KEEL_BLK_OP_DISCARD, .nr_segs = 1, .id = 13,
                                .nr_sectors = 8 };  /* with a segment */
    r = keel_blk_front_next_req(&g[1].f);
    *r = (struct keel_blk_req){ .op = KEEL_BLK_OP_DISCARD, .flags = 1, .id = 14,
                                .nr_sectors = 8 };
    keel_blk_front_push(&g[1].f);
    put_discard(2, 0, 8, 20);                      /* read-only */
    put(2, KEEL_BLK_OP_READ, 0, 0, 1, 21);         /* the benign observer */
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 5);
    EXPECT_EQ(bb_vbd_poll(&g[2].vbd), 2);
    complete_all();
    take_all(1);
    for (unsigned id = 10; id <= 14; id++)
        EXPECT_EQ(got[id], KEEL_BLK_ERROR);
    take_all(2);
    EXPECT_EQ(got[20], KEEL_BLK_EROFS);
    EXPECT_EQ(got[21], KEEL_BLK_OK);
    EXPECT(all(g[2].page[0], 4096, 0x5a));
    EXPECT_EQ(dev.discards, 0);
    EXPECT(all(dev.disk, sizeof(dev.disk), 0x5a));
    EXPECT_EQ(g[1].vbd.c.errors, 5);
    EXPECT_EQ(g[1].vbd.state, BB_LIVE);
}

KTEST(a_disk_without_discard_says_notsupp)
{
    setup(8, false);
    EXPECT_EQ(g[1].s.flags & KEEL_BLK_F_DISCARD, 0);
    put_discard(1, 0, 8, 1);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 1);
    EXPECT_EQ(answer(1, 1), KEEL_BLK_NOTSUPP);
    /* settings that claim it on such a disk are refused */
    struct keel_blk_settings s = g[1].s;
    s.flags |= KEEL_BLK_F_DISCARD;
    struct bb_vbd_conf conf = { .domid = 1, .port = 1, .settings = &s,
                                .page = { g[1].conn, g[1].ring } };
    EXPECT_EQ(bb_vbd_init(&g[1].vbd, &disk, &conf), -KEEL_EINVAL);
}

KTEST_MAIN(KTEST_CASE(settings_offer_discard_when_the_device_does),
           KTEST_CASE(a_long_discard_goes_in_pieces_and_is_answered_once),
           KTEST_CASE(a_failed_piece_is_eio_and_ends_it),
           KTEST_CASE(hostile_discards_never_reach_the_device),
           KTEST_CASE(a_disk_without_discard_says_notsupp))
