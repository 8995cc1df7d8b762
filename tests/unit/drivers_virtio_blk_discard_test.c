/*
 * sdk/drivers/virtio: the virtio-blk driver's DISCARD over a fake legacy
 * device (drivers_blk_fixture.h zeroes a discarded range as QEMU's
 * discard=unmap punches a hole).  What it takes of the device's limits,
 * the checks before anything reaches the device (nothing is split: a
 * range over the limit is refused), the 16-byte range in the slot's own
 * memory, and a device that answers UNSUPP.
 */
#include "ktest.h"
#include "drivers_blk_fixture.h"
#include "../../sdk/drivers/virtio/virtio_blk_sg.c"

static int discard(uint64_t sector, uint32_t sectors, uint64_t tag)
{
    int s = virtio_blk_slot_get(blk);
    if (s < 0)
        return s;
    struct virtio_blk_request r = { .op = VIRTIO_BLK_DISCARD, .sector = sector,
                                    .tag = tag, .sectors = sectors };
    int rc = virtio_blk_submit(blk, (unsigned)s, &r);
    if (rc)
        virtio_blk_slot_put(blk, (unsigned)s);
    return rc ? rc : s;
}

KTEST(reads_the_limits_it_is_offered)
{
    struct virtio_blk_info i;

    up_max_discard = 100;               /* rounds down to the 4 KiB sector */
    EXPECT_EQ(up(VIRTIO_BLK_F_DISCARD | VIRTIO_BLK_F_BLK_SIZE, 4096), 0);
    virtio_blk_info(blk, &i);
    EXPECT(i.discard);
    EXPECT_EQ(fd.guest_features & VIRTIO_BLK_F_DISCARD, VIRTIO_BLK_F_DISCARD);
    EXPECT_EQ(i.max_discard_sectors, 96);
    EXPECT_EQ(i.max_discard_seg, 1);
    EXPECT_EQ(i.discard_align, 8);
    /* a limit below one logical sector: no usable discard */
    up_max_discard = 7;
    EXPECT_EQ(up(VIRTIO_BLK_F_DISCARD | VIRTIO_BLK_F_BLK_SIZE, 4096), 0);
    virtio_blk_info(blk, &i);
    EXPECT(!i.discard);
    EXPECT_EQ(i.max_discard_sectors, 0);
    EXPECT_EQ(discard(0, 8, 1), -KEEL_ENOSYS);
    /* not offered: not agreed, the config not read */
    up_max_discard = 64;
    EXPECT_EQ(up(VIRTIO_BLK_F_FLUSH, 512), 0);
    virtio_blk_info(blk, &i);
    EXPECT(!i.discard);
    EXPECT_EQ(fd.guest_features & VIRTIO_BLK_F_DISCARD, 0);
    EXPECT_EQ(discard(0, 8, 1), -KEEL_ENOSYS);
    EXPECT_EQ(fake_posted(0), 0);
}

KTEST(bad_discards_never_reach_the_device)
{
    up_max_discard = 64;
    EXPECT_EQ(up(VIRTIO_BLK_F_DISCARD | VIRTIO_BLK_F_BLK_SIZE, 4096), 0);
    EXPECT_EQ(discard(DISK_SECTORS - 8, 16, 1), -KEEL_EINVAL);   /* past the end */
    EXPECT_EQ(discard(~0ull - 7, 16, 1), -KEEL_EINVAL);          /* wraps */
    EXPECT_EQ(discard(4, 8, 1), -KEEL_EINVAL);                   /* unaligned */
    EXPECT_EQ(discard(0, 12, 1), -KEEL_EINVAL);                  /* not a sector */
    EXPECT_EQ(discard(0, 0, 1), -KEEL_EINVAL);
    EXPECT_EQ(discard(0, 72, 1), -KEEL_EINVAL);                  /* over the limit */
    int s = virtio_blk_slot_get(blk);
    struct virtio_blk_request r = { .op = VIRTIO_BLK_DISCARD, .bytes = 4096,
                                    .tag = 1, .sectors = 8 };
    EXPECT_EQ(virtio_blk_submit(blk, (unsigned)s, &r), -KEEL_EINVAL);   /* data */
    struct virtio_blk_seg g = { 0x10000, 4096 };
    r.bytes = 0;
    EXPECT_EQ(virtio_blk_submit_sg(blk, (unsigned)s, &r, &g, 1), -KEEL_EINVAL);
    EXPECT_EQ(virtio_blk_submit_sg(blk, (unsigned)s, &r, NULL, 0), -KEEL_EINVAL);
    r = (struct virtio_blk_request){ .op = VIRTIO_BLK_READ, .bytes = 4096,
                                     .tag = 1, .sectors = 8 };
    EXPECT_EQ(virtio_blk_submit(blk, (unsigned)s, &r), -KEEL_EINVAL);   /* sectors */
    virtio_blk_slot_put(blk, (unsigned)s);
    EXPECT_EQ(up(VIRTIO_BLK_F_DISCARD | VIRTIO_BLK_F_RO, 512), 0);
    EXPECT_EQ(discard(0, 8, 1), -KEEL_EROFS);
    EXPECT_EQ(fake_posted(0), 0);
    struct virtio_blk_counters c;
    virtio_blk_counters(blk, &c);
    EXPECT_EQ(c.refused, 1);
    EXPECT_EQ(c.discards, 0);
}

KTEST(discard_sends_its_range_and_completes)
{
    up_max_discard = 64;
    EXPECT_EQ(up(VIRTIO_BLK_F_DISCARD | VIRTIO_BLK_F_FLUSH, 512), 0);
    memset(disk, 0xab, sizeof(disk));
    int s = discard(DISK_SECTORS - 64, 64, 77);        /* the last 64, the most */
    EXPECT(s >= 0);
    virtio_blk_kick(blk);
    EXPECT(serve(VIRTIO_BLK_S_OK, 0) >= 0);
    EXPECT_EQ(last_discard.sector, DISK_SECTORS - 64);
    EXPECT_EQ(last_discard.num_sectors, 64);
    EXPECT_EQ(last_discard.flags, 0);
    EXPECT_EQ(virtio_blk_poll(blk), 1);
    EXPECT_EQ(last_status, 0);
    EXPECT_EQ(last_tag, 77);
    EXPECT_EQ(disk[(DISK_SECTORS - 64) * 512], 0);
    EXPECT_EQ(disk[(DISK_SECTORS - 65) * 512], 0xab);   /* before it: untouched */
    struct virtio_blk_counters c;
    virtio_blk_counters(blk, &c);
    EXPECT_EQ(c.discards, 1);
    EXPECT_EQ(c.sectors_discarded, 64);
    EXPECT_EQ(c.device_errors, 0);
}

KTEST(a_device_that_refuses_it_says_enosys)
{
    up_max_discard = 64;
    EXPECT_EQ(up(VIRTIO_BLK_F_DISCARD, 512), 0);
    EXPECT(discard(0, 8, 5) >= 0);
    virtio_blk_kick(blk);
    serve(VIRTIO_BLK_S_UNSUPP, 0);
    EXPECT_EQ(virtio_blk_poll(blk), 1);
    EXPECT_EQ(last_status, -KEEL_ENOSYS);
    EXPECT(discard(0, 8, 6) >= 0);
    virtio_blk_kick(blk);
    serve(VIRTIO_BLK_S_IOERR, 0);
    EXPECT_EQ(virtio_blk_poll(blk), 1);
    EXPECT_EQ(last_status, -KEEL_EIO);
    EXPECT(submit(VIRTIO_BLK_READ, 0, 512, 7) >= 0);     /* the disk goes on */
    virtio_blk_kick(blk);
    serve(VIRTIO_BLK_S_OK, 0);
    EXPECT_EQ(virtio_blk_poll(blk), 1);
    EXPECT_EQ(last_status, 0);
}

KTEST_MAIN(KTEST_CASE(reads_the_limits_it_is_offered),
           KTEST_CASE(bad_discards_never_reach_the_device),
           KTEST_CASE(discard_sends_its_range_and_completes),
           KTEST_CASE(a_device_that_refuses_it_says_enosys))
