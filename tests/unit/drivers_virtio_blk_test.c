/*
 * sdk/drivers/virtio: the virtio-blk driver over a fake legacy device
 * (drivers_fakedev.h; drivers_blk_fixture.h plays the device's side of
 * the chains).
 * What it agrees to, the checks before anything reaches the device, a
 * write and a read through three-descriptor chains, 32 requests in
 * flight, and a device that lies in its used ring.
 */
#include "ktest.h"
#include "drivers_blk_fixture.h"

KTEST(takes_flush_on_purpose_and_reads_the_disk)
{
    if (up(0xffffffffu, 4096))
        abort();
    struct virtio_blk_info i;
    virtio_blk_info(blk, &i);
    EXPECT_EQ(fd.guest_features, VIRTIO_BLK_F_RO | VIRTIO_BLK_F_BLK_SIZE |
              VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_FLUSH |
              VIRTIO_BLK_F_DISCARD | VIRTIO_RING_F_INDIRECT_DESC);
    EXPECT(i.flush && i.read_only);
    EXPECT_EQ(i.sectors, DISK_SECTORS);
    EXPECT_EQ(i.sector_size, 4096);
    EXPECT_EQ(fd.status & VIRTIO_STATUS_DRIVER_OK, VIRTIO_STATUS_DRIVER_OK);
    /* a logical sector we cannot serve: the device is given up */
    EXPECT_EQ(up(VIRTIO_BLK_F_BLK_SIZE, 768), -KEEL_EIO);
    EXPECT_EQ(fd.status, VIRTIO_STATUS_FAILED);
}

KTEST(bad_requests_never_reach_the_device)
{
    EXPECT_EQ(up(VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH, 4096), 0);
    EXPECT_EQ(submit(VIRTIO_BLK_READ, DISK_SECTORS - 8, 8192, 1), -KEEL_EINVAL);  /* past the end */
    EXPECT_EQ(submit(VIRTIO_BLK_READ, ~0ull - 3, 4096, 1), -KEEL_EINVAL);         /* wraps */
    EXPECT_EQ(submit(VIRTIO_BLK_READ, 1, 4096, 1), -KEEL_EINVAL);                 /* unaligned */
    EXPECT_EQ(submit(VIRTIO_BLK_WRITE, 0, 512, 1), -KEEL_EINVAL);                 /* not a sector */
    EXPECT_EQ(submit(VIRTIO_BLK_WRITE, 0, 0, 1), -KEEL_EINVAL);
    EXPECT_EQ(submit(VIRTIO_BLK_WRITE, 0, VIRTIO_BLK_SLOT_BYTES + 4096, 1), -KEEL_EINVAL);
    EXPECT_EQ(submit(7, 0, 4096, 1), -KEEL_EINVAL);
    EXPECT_EQ(submit(VIRTIO_BLK_FLUSH, 0, 4096, 1), -KEEL_EINVAL);
    struct virtio_blk_request r = { .op = VIRTIO_BLK_READ, .bytes = 4096, .tag = 1 };
    EXPECT_EQ(virtio_blk_submit(blk, 3, &r), -KEEL_EINVAL);     /* slot not held */
    EXPECT_EQ(virtio_blk_submit(blk, 99, &r), -KEEL_EINVAL);
    EXPECT_EQ(up(VIRTIO_BLK_F_RO, 512), 0);
    EXPECT_EQ(submit(VIRTIO_BLK_WRITE, 0, 512, 1), -KEEL_EROFS);
    EXPECT_EQ(fake_posted(0), 0);
    struct virtio_blk_counters c;
    virtio_blk_counters(blk, &c);
    EXPECT_EQ(c.refused, 1);
}

KTEST(write_flush_read_back)
{
    EXPECT_EQ(up(VIRTIO_BLK_F_FLUSH, 512), 0);
    int s = virtio_blk_slot_get(blk);
    memset(virtio_blk_slot_data(blk, (unsigned)s), 0xab, VIRTIO_BLK_SLOT_BYTES);
    struct virtio_blk_request w = { .op = VIRTIO_BLK_WRITE, .sector = 16,
                                    .bytes = VIRTIO_BLK_SLOT_BYTES, .tag = 41 };
    EXPECT_EQ(virtio_blk_submit(blk, (unsigned)s, &w), 0);
    virtio_blk_kick(blk);
    EXPECT_EQ(fd.notifies[0], 1);
    EXPECT(serve(VIRTIO_BLK_S_OK, 0) >= 0);
    EXPECT_EQ(virtio_blk_event(blk), 1);
    EXPECT_EQ(last_tag, 41);
    EXPECT_EQ(last_status, 0);
    EXPECT_EQ(disk[16 * 512], 0xab);
    EXPECT_EQ(disk[16 * 512 + VIRTIO_BLK_SLOT_BYTES - 1], 0xab);
    EXPECT_EQ(disk[16 * 512 + VIRTIO_BLK_SLOT_BYTES], 0);
    EXPECT(submit(VIRTIO_BLK_FLUSH, 0, 0, 42) >= 0);
    virtio_blk_kick(blk);
    serve(VIRTIO_BLK_S_OK, 0);
    EXPECT_EQ(virtio_blk_poll(blk), 1);
    EXPECT_EQ(last_tag, 42);
    s = submit(VIRTIO_BLK_READ, 24, 1024, 43);
    virtio_blk_kick(blk);
    serve(VIRTIO_BLK_S_OK, 0);
    ndone = 0;
    EXPECT_EQ(virtio_blk_poll(blk), 1);
    EXPECT_EQ(last_status, 0);
    EXPECT_EQ(((uint8_t *)virtio_blk_slot_data(blk, (unsigned)s))[1023], 0xab);
}

KTEST(thirty_two_in_flight)
{
    EXPECT_EQ(up(0, 512), 0);
    for (unsigned i = 0; i < VIRTIO_BLK_SLOTS; i++)
        EXPECT(submit(VIRTIO_BLK_READ, i * 8, 4096, i) >= 0);
    EXPECT_EQ(virtio_blk_slot_get(blk), -KEEL_ENOSPC);
    virtio_blk_kick(blk);
    EXPECT_EQ(fake_posted(0), VIRTIO_BLK_SLOTS);
    while (serve(VIRTIO_BLK_S_OK, 0) >= 0)
        ;
    EXPECT_EQ(virtio_blk_poll(blk), VIRTIO_BLK_SLOTS);
    EXPECT(virtio_blk_slot_get(blk) >= 0);
}

KTEST(a_lying_device_is_not_believed)
{
    struct virtio_blk_counters c;

    EXPECT_EQ(up(0, 512), 0);
    EXPECT(submit(VIRTIO_BLK_READ, 0, 4096, 1) >= 0);
    virtio_blk_kick(blk);
    int head = serve(VBLK_STATUS_UNSET, 0);          /* never wrote the status */
    EXPECT_EQ(virtio_blk_poll(blk), 1);
    EXPECT_EQ(last_status, -KEEL_EIO);
    fake_use(0, head, 1);                            /* the same chain again */
    fake_use(0, 200, 1);                             /* a chain never posted */
    EXPECT_EQ(virtio_blk_poll(blk), 0);
    EXPECT(submit(VIRTIO_BLK_READ, 0, 4096, 2) >= 0);
    virtio_blk_kick(blk);
    serve(VIRTIO_BLK_S_OK, -100);                    /* short of the data */
    EXPECT_EQ(virtio_blk_poll(blk), 1);
    EXPECT_EQ(last_status, -KEEL_EIO);
    EXPECT(submit(VIRTIO_BLK_READ, 0, 4096, 3) >= 0);
    virtio_blk_kick(blk);
    serve(VIRTIO_BLK_S_IOERR, 0);
    EXPECT_EQ(virtio_blk_poll(blk), 1);
    EXPECT_EQ(last_status, -KEEL_EIO);
    virtio_blk_counters(blk, &c);
    EXPECT_EQ(c.device_errors, 4);
    EXPECT_EQ(c.io_errors, 3);
    /* and it still works */
    EXPECT(submit(VIRTIO_BLK_READ, 0, 4096, 4) >= 0);
    virtio_blk_kick(blk);
    serve(VIRTIO_BLK_S_OK, 0);
    EXPECT_EQ(virtio_blk_poll(blk), 1);
    EXPECT_EQ(last_status, 0);
}

/* With MSI-X the configuration is at 24 (the fake aborts when a vector
 * register is read as configuration), the queue and configuration changes
 * on entry 0, set after the reset, and an event needs no IRQ_ACK. */
KTEST(msix_when_the_function_has_it)
{
    struct virtio_blk_info i;

    up_msix = 9;
    EXPECT_EQ(up(0xffffffffu, 4096), 0);
    up_msix = -KEEL_ENODEV;
    virtio_blk_info(blk, &i);
    EXPECT_EQ(i.sectors, DISK_SECTORS);
    EXPECT_EQ(i.sector_size, 4096);
    EXPECT_EQ(fd.msix_binds, 1);
    EXPECT_EQ(fd.config_vector, 0);
    EXPECT_EQ(fd.queue_vector[0], 0);
    EXPECT_EQ(virtio_blk_port(blk), 9);
    EXPECT(submit(VIRTIO_BLK_READ, 0, 4096, 1) >= 0);
    virtio_blk_kick(blk);
    EXPECT(serve(VIRTIO_BLK_S_OK, 0) >= 0);
    EXPECT_EQ(virtio_blk_event(blk), 1);
    EXPECT_EQ(fd.irq_acks, 0);
    EXPECT_EQ(up(0xffffffffu, 4096), 0);        /* no MSI-X: INTx */
    EXPECT_EQ(fd.config_vector, 0xffff);
    EXPECT_EQ(virtio_blk_port(blk), FAKE_PORT);
}

KTEST_MAIN(KTEST_CASE(takes_flush_on_purpose_and_reads_the_disk),
           KTEST_CASE(msix_when_the_function_has_it),
           KTEST_CASE(bad_requests_never_reach_the_device),
           KTEST_CASE(write_flush_read_back), KTEST_CASE(thirty_two_in_flight),
           KTEST_CASE(a_lying_device_is_not_believed))
