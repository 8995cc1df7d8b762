/*
 * sdk/blkback: the request checks (bb_check) and a virtual disk's settings
 * (bb_settings), pure, on the host: every field a hostile frontend can set
 * is refused with the status keel/blk.h names, before any device work.
 */
#include "ktest.h"
#include "../../sdk/blkback/check.c"

static const struct keel_blk_settings rw = {
    .sectors = 1024, .sector_size = 512, .flags = KEEL_BLK_F_FLUSH,
    .max_segs = KEEL_BLK_SEGS_MAX, .version = KEEL_BLK_VERSION };

static struct keel_blk_req rd(uint64_t sector, unsigned segs)
{
    struct keel_blk_req r = { .op = KEEL_BLK_OP_READ, .nr_segs = (uint8_t)segs,
                              .id = 7, .sector = sector };
    for (unsigned i = 0; i < segs && i < KEEL_BLK_SEGS_MAX; i++)
        r.seg[i] = (struct keel_blk_seg){ .gref = i, .first_sect = 0, .last_sect = 7 };
    return r;
}

static int check(const struct keel_blk_settings *s, struct keel_blk_req r)
{
    uint32_t bytes;
    return bb_check(s, &r, &bytes);
}

KTEST(good_requests_pass_with_their_length)
{
    struct keel_blk_req r = rd(0, KEEL_BLK_SEGS_MAX);
    uint32_t bytes = 0;

    EXPECT_EQ(bb_check(&rw, &r, &bytes), KEEL_BLK_OK);
    EXPECT_EQ(bytes, 44 * 1024);
    r = rd(1024 - 8, 1);                        /* the last page */
    r.op = KEEL_BLK_OP_WRITE;
    EXPECT_EQ(bb_check(&rw, &r, &bytes), KEEL_BLK_OK);
    r = rd(1023, 1);                            /* one sector, the last */
    r.seg[0].first_sect = r.seg[0].last_sect = 3;
    EXPECT_EQ(bb_check(&rw, &r, &bytes), KEEL_BLK_OK);
    EXPECT_EQ(bytes, 512);
    EXPECT_EQ(check(&rw, (struct keel_blk_req){ .op = KEEL_BLK_OP_FLUSH, .id = 1 }),
              KEEL_BLK_OK);
}

KTEST(segments_out_of_bounds)
{
    struct keel_blk_req r;

    EXPECT_EQ(check(&rw, rd(0, 0)), KEEL_BLK_ERROR);              /* none */
    EXPECT_EQ(check(&rw, rd(0, KEEL_BLK_SEGS_MAX + 1)), KEEL_BLK_ERROR);
    EXPECT_EQ(check(&rw, rd(0, 255)), KEEL_BLK_ERROR);
    struct keel_blk_settings few = rw;
    few.max_segs = 2;
    EXPECT_EQ(check(&few, rd(0, 3)), KEEL_BLK_ERROR);            /* over max_segs */
    r = rd(0, 1);
    r.seg[0].last_sect = 8;                                        /* past the page */
    EXPECT_EQ(check(&rw, r), KEEL_BLK_ERROR);
    r = rd(0, 1);
    r.seg[0].first_sect = 5;
    r.seg[0].last_sect = 4;                                        /* backwards */
    EXPECT_EQ(check(&rw, r), KEEL_BLK_ERROR);
    r = rd(0, 1);
    r.seg[0].pad = 1;
    EXPECT_EQ(check(&rw, r), KEEL_BLK_ERROR);
}

KTEST(sectors_out_of_range)
{
    EXPECT_EQ(check(&rw, rd(1024 - 7, 1)), KEEL_BLK_ERROR);       /* one past the end */
    EXPECT_EQ(check(&rw, rd(1024, 1)), KEEL_BLK_ERROR);
    EXPECT_EQ(check(&rw, rd(~0ull - 3, 1)), KEEL_BLK_ERROR);      /* wraps */
    EXPECT_EQ(check(&rw, rd(1ull << 63, 11)), KEEL_BLK_ERROR);
    struct keel_blk_settings big = rw;
    big.sector_size = 4096;
    EXPECT_EQ(check(&big, rd(8, 1)), KEEL_BLK_OK);
    EXPECT_EQ(check(&big, rd(4, 1)), KEEL_BLK_ERROR);             /* unaligned start */
    struct keel_blk_req r = rd(0, 1);
    r.seg[0].last_sect = 3;                                        /* half a sector */
    EXPECT_EQ(check(&big, r), KEEL_BLK_ERROR);
}

KTEST(unknown_ops_flags_and_stray_fields)
{
    struct keel_blk_req r = rd(0, 1);

    r.op = 9;
    EXPECT_EQ(check(&rw, r), KEEL_BLK_ERROR);
    r = rd(0, 1);
    r.flags = 1;
    EXPECT_EQ(check(&rw, r), KEEL_BLK_ERROR);
    r = rd(0, 1);
    r.nr_sectors = 8;
    EXPECT_EQ(check(&rw, r), KEEL_BLK_ERROR);
    r = (struct keel_blk_req){ .op = KEEL_BLK_OP_FLUSH, .nr_segs = 1 };
    EXPECT_EQ(check(&rw, r), KEEL_BLK_ERROR);
}

KTEST(read_only_and_discard)
{
    struct keel_blk_settings ro = rw;
    struct keel_blk_req r = rd(0, 1);

    ro.flags |= KEEL_BLK_F_RO;
    EXPECT_EQ(check(&ro, r), KEEL_BLK_OK);
    r.op = KEEL_BLK_OP_WRITE;
    EXPECT_EQ(check(&ro, r), KEEL_BLK_EROFS);
    r.seg[0].last_sect = 9;                     /* malformed first: ERROR */
    EXPECT_EQ(check(&ro, r), KEEL_BLK_ERROR);
    struct keel_blk_req d = { .op = KEEL_BLK_OP_DISCARD, .sector = 8, .nr_sectors = 16 };
    EXPECT_EQ(check(&rw, d), KEEL_BLK_NOTSUPP);
    EXPECT_EQ(check(&ro, d), KEEL_BLK_EROFS);
    struct keel_blk_settings dis = rw;
    dis.flags |= KEEL_BLK_F_DISCARD;
    EXPECT_EQ(check(&dis, d), KEEL_BLK_OK);
    d.nr_sectors = 1024;
    EXPECT_EQ(check(&dis, d), KEEL_BLK_ERROR);  /* past the end */
}

KTEST(settings_of_a_slice)
{
    struct bb_dev_info dev = { .sectors = 4096, .sector_size = 512,
                               .max_bytes = 44 * 1024, .flush = true };
    struct keel_blk_settings s;

    EXPECT_EQ(bb_settings(&dev, 0, 4096, false, &s), 0);
    EXPECT_EQ(s.flags, KEEL_BLK_F_FLUSH);
    EXPECT_EQ(s.max_segs, KEEL_BLK_SEGS_MAX);
    EXPECT_EQ(bb_settings(&dev, 2048, 2048, true, &s), 0);
    EXPECT_EQ(s.flags, KEEL_BLK_F_RO | KEEL_BLK_F_FLUSH);
    EXPECT_EQ(bb_settings(&dev, 2048, 2049, false, &s), -KEEL_EINVAL);
    EXPECT_EQ(bb_settings(&dev, ~0ull, 2, false, &s), -KEEL_EINVAL);
    EXPECT_EQ(bb_settings(&dev, 0, 0, false, &s), -KEEL_EINVAL);
    dev.read_only = true;
    dev.max_bytes = 8192;
    EXPECT_EQ(bb_settings(&dev, 0, 8, false, &s), 0);
    EXPECT_EQ(s.flags & KEEL_BLK_F_RO, KEEL_BLK_F_RO);
    EXPECT_EQ(s.max_segs, 2);
}

KTEST_MAIN(KTEST_CASE(good_requests_pass_with_their_length), KTEST_CASE(segments_out_of_bounds),
           KTEST_CASE(sectors_out_of_range), KTEST_CASE(unknown_ops_flags_and_stray_fields),
           KTEST_CASE(read_only_and_discard), KTEST_CASE(settings_of_a_slice))
