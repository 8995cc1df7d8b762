/*
 * keel/blk.h: the layout both ends rely on, and the promises a frontend
 * author reads there (ring size for one page, 44 KiB requests, sector
 * arithmetic within a page).
 */
#include <stdint.h>
#include "ktest.h"
#include <keel/blk.h>

KTEST(ring_holds_the_promised_requests)
{
    EXPECT_EQ(keel_ring_size(KEEL_PAGE_SIZE, sizeof(union keel_blk_ring_entry)),
              KEEL_BLK_RING_SIZE);
    EXPECT(KEEL_BLK_RING_SIZE >= 32);
}

KTEST(a_request_carries_44_kib)
{
    EXPECT(KEEL_BLK_SEGS_MAX >= 11);
    EXPECT_EQ(KEEL_BLK_REQ_MAX_BYTES, KEEL_BLK_SEGS_MAX * 4096u);
    EXPECT(KEEL_BLK_REQ_MAX_BYTES >= 44u * 1024);
    /* first/last sector within a page fit their 8-bit fields */
    EXPECT_EQ(KEEL_BLK_SECTORS_PER_PAGE, 8);
    EXPECT_EQ(1u << KEEL_BLK_SECTOR_SHIFT, KEEL_BLK_SECTOR);
}

KTEST(settings_fill_the_entry)
{
    EXPECT_EQ(sizeof(struct keel_blk_settings), sizeof(((struct keel_device *)0)->settings));
    EXPECT_EQ(KEEL_BLK_F_KNOWN, KEEL_BLK_F_RO | KEEL_BLK_F_FLUSH | KEEL_BLK_F_DISCARD);
}

KTEST(field_offsets_are_fixed)
{
    EXPECT_EQ(__builtin_offsetof(struct keel_blk_settings, sector_size), 8);
    EXPECT_EQ(__builtin_offsetof(struct keel_blk_settings, flags), 12);
    EXPECT_EQ(__builtin_offsetof(struct keel_blk_settings, max_segs), 16);
    EXPECT_EQ(__builtin_offsetof(struct keel_blk_settings, version), 20);
    EXPECT_EQ(__builtin_offsetof(struct keel_blk_settings, mount), 24);
    EXPECT_EQ(__builtin_offsetof(struct keel_blk_page, errors), 64);
    EXPECT_EQ(__builtin_offsetof(struct keel_blk_page, front_epoch), 80);
    EXPECT_EQ(sizeof(struct keel_blk_seg), 8);
    EXPECT_EQ(__builtin_offsetof(struct keel_blk_req, nr_sectors), 4);
    EXPECT_EQ(__builtin_offsetof(struct keel_blk_req, id), 8);
    EXPECT_EQ(__builtin_offsetof(struct keel_blk_req, sector), 16);
    EXPECT_EQ(__builtin_offsetof(struct keel_blk_req, seg), 24);
    EXPECT_EQ(sizeof(struct keel_blk_rsp), 16);
    EXPECT_EQ(__builtin_offsetof(struct keel_blk_rsp, status), 10);
}

KTEST_MAIN(KTEST_CASE(ring_holds_the_promised_requests), KTEST_CASE(a_request_carries_44_kib),
           KTEST_CASE(settings_fill_the_entry), KTEST_CASE(field_offsets_are_fixed))
