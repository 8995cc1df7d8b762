/*
 * sdk/blkback's zero copy (pin.c): the guest's pages pinned for the
 * device (fake pins, blkback_fake.h) and the device moving the data
 * itself.  Two guests in each run: what one does (pins that fail, ten
 * thousand references, a read into a page it granted read-only, going
 * away with requests on the device) never costs the other its pins or
 * its data.  The fake counts a breach (dev.violations) whenever the
 * device touches a page not pinned for it or a page is unpinned while a
 * request using it is on the device; every test ends with none, and
 * every teardown with no pin left.
 */
#include "blkback_fake.h"

static unsigned pinned(unsigned domid)
{
    unsigned n = 0;

    for (unsigned h = 0; h < FAKE_PINS; h++)
        n += pins.h[h].live && pins.h[h].domid == domid;
    return n;
}

static bool device_busy(void)
{
    for (unsigned s = 0; s < dev.slots; s++)
        if (dev.queued[s])
            return true;
    return false;
}

/* Guest d's requests taken, and the device answers until it has none. */
static void serve_guest(unsigned d)
{
    bb_vbd_poll(&g[d].vbd);
    for (unsigned i = 0; i < 64 && device_busy(); i++)
        complete_all();
}

/* One request of guest d over refs ref..ref+segs-1, served; its answer. */
static int one(unsigned d, uint8_t op, uint64_t sector, unsigned ref, unsigned segs,
               uint64_t id)
{
    put(d, op, sector, ref, segs, id);
    serve_guest(d);
    return answer(d, id);
}

KTEST(data_moves_without_a_copy)
{
    setup_with(8, false, &zc_ops, &zc_dops);
    EXPECT_EQ(both_write(), 2);
    EXPECT_EQ(dev.sg_submits, 2);                   /* on the device at once */
    EXPECT_EQ(pinned(1), 11);
    complete_all();
    EXPECT_EQ(answer(1, 1), KEEL_BLK_OK);
    EXPECT_EQ(answer(2, 2), KEEL_BLK_OK);
    EXPECT_EQ(dev.disk[8 * 512], 0xa1);
    EXPECT_EQ(dev.disk[(8 + 88) * 512 - 1], 0xa1);
    EXPECT_EQ(dev.disk[128 * 512], 0xb2);
    /* a read lands in the guest's page and is answered at its completion */
    put(1, KEEL_BLK_OP_READ, 8, 12, 1, 3);
    put(1, KEEL_BLK_OP_FLUSH, 0, 0, 0, 4);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 2);
    bb_disk_hold(&disk);
    complete_all();
    EXPECT_EQ(answer(1, 3), 99);                    /* answers wait for the release */
    bb_disk_release(&disk);
    EXPECT_EQ(answer(1, 3), KEEL_BLK_OK);
    EXPECT_EQ(answer(1, 4), KEEL_BLK_OK);
    EXPECT_EQ(g[1].page[12][4095], 0xa1);
    EXPECT_EQ(copies, 0);
    EXPECT_EQ(dev.flushes, 1);
    EXPECT_EQ(dev.violations, 0);
}

/* blkfront's pool: the same pages for every request, one pin each. */
KTEST(a_page_is_pinned_once)
{
    setup_with(8, false, &zc_ops, &zc_dops);
    for (unsigned i = 0; i < 40; i++) {
        memset(g[1].page[i % 4], (int)i, 4096);
        EXPECT_EQ(one(1, i & 1 ? KEEL_BLK_OP_READ : KEEL_BLK_OP_WRITE, 0, i % 4, 1, i),
                  KEEL_BLK_OK);
    }
    EXPECT_EQ(pins.maps, 4);
    EXPECT_EQ(pins.unmaps, 0);
    EXPECT_EQ(g[1].page[3][0], 38);                 /* read back what write 38 put */
    EXPECT_EQ(copies, 0);
    EXPECT_EQ(g[1].vbd.c.zero_copy, 40);
    EXPECT_EQ(g[1].vbd.c.copied, 0);
    EXPECT_EQ(dev.violations, 0);
}

/* A full cache drops a pin no request uses, never one on the device. */
KTEST(a_full_cache_evicts_an_idle_pin)
{
    setup_with(8, false, &zc_ops, &zc_dops);
    for (unsigned r = 0; r < BB_PINS_MAX; r += 11)
        EXPECT_EQ(one(1, KEEL_BLK_OP_WRITE, 0, r, 11, 1), KEEL_BLK_OK);
    EXPECT_EQ(pinned(1), BB_PINS_MAX);
    put(1, KEEL_BLK_OP_READ, 0, 0, 11, 2);          /* refs 0..10 stay on the device */
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 1);
    put(1, KEEL_BLK_OP_READ, 8, 1000, 11, 3);       /* 11 new refs */
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 1);
    EXPECT_EQ(pinned(1), BB_PINS_MAX);
    EXPECT_EQ(pins.unmaps, 11);
    EXPECT_EQ(dev.violations, 0);                   /* none of 0..10 went */
    complete_all();
    take_all(1);
    EXPECT_EQ(got[2], KEEL_BLK_OK);
    EXPECT_EQ(got[3], KEEL_BLK_OK);
    EXPECT_EQ(copies, 0);
    EXPECT_EQ(dev.violations, 0);
}

/* A pin that fails is a copied request, with today's answers: grant_maps
 * exhausted still serves the data, a bad reference is KEEL_BLK_ERROR
 * with the device untouched; nothing stays counted as in use. */
KTEST(a_failed_pin_falls_back_to_the_copy)
{
    setup_with(8, false, &zc_ops, &zc_dops);
    pins.limit = 1;
    memset(g[1].page[0], 0x5a, 4096 * 2);
    EXPECT_EQ(one(1, KEEL_BLK_OP_WRITE, 0, 0, 2, 1), KEEL_BLK_OK);    /* 2nd pin fails */
    EXPECT_EQ(copies, 1);
    EXPECT_EQ(dev.sg_submits, 0);
    EXPECT_EQ(dev.disk[4096 * 2 - 1], 0x5a);
    EXPECT_EQ(g[1].vbd.c.copied, 1);
    pins.limit = FAKE_PINS;
    put(1, KEEL_BLK_OP_WRITE, 16, 1, 1, 2);
    put(1, KEEL_BLK_OP_WRITE, 24, FAKE_REFS - 1, 2, 3);    /* its 2nd ref is bad */
    serve_guest(1);
    take_all(1);
    EXPECT_EQ(got[2], KEEL_BLK_OK);
    EXPECT_EQ(got[3], KEEL_BLK_ERROR);
    EXPECT_EQ(dev.disk[16 * 512], 0x5a);
    EXPECT_EQ(dev.disk[24 * 512], 0);               /* the device never saw it */
    dev.sg_status = -KEEL_EIO;                      /* the device refuses: EIO */
    EXPECT_EQ(one(1, KEEL_BLK_OP_READ, 0, 0, 1, 4), KEEL_BLK_EIO);
    dev.sg_status = 0;
    for (unsigned i = 0; i < BB_PINS_MAX; i++)
        EXPECT_EQ(g[1].vbd.pins.e[i].users, 0);
    EXPECT_EQ(one(2, KEEL_BLK_OP_READ, 0, 0, 1, 5), KEEL_BLK_OK);     /* the other goes on */
    EXPECT_EQ(dev.violations, 0);
}

/* A page granted read-only is pinned read-only for a WRITE; a READ into
 * it is copied (and fails, as today) while that write is on the device,
 * and repins it writable once the guest grants it so and nothing uses
 * the pin.  The device never writes a read-only pin. */
KTEST(a_read_into_a_read_only_pin)
{
    setup_with(8, false, &zc_ops, &zc_dops);
    g[1].ro_refs = 1u << 5;
    memset(g[1].page[5], 0x77, 4096);
    put(1, KEEL_BLK_OP_WRITE, 0, 5, 1, 1);
    put(1, KEEL_BLK_OP_READ, 0, 5, 1, 2);
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 2);
    EXPECT_EQ(dev.sg_submits, 1);                   /* the write only */
    EXPECT_EQ(pins.maps, 1);
    complete_all();
    complete_all();
    take_all(1);
    EXPECT_EQ(got[1], KEEL_BLK_OK);
    EXPECT_EQ(got[2], KEEL_BLK_ERROR);
    EXPECT_EQ(dev.disk[511], 0x77);
    g[1].ro_refs |= 1u << 6;                        /* never pinned read-only for a READ */
    EXPECT_EQ(one(1, KEEL_BLK_OP_READ, 0, 6, 1, 9), KEEL_BLK_ERROR);
    EXPECT_EQ(pins.maps, 1);
    g[1].ro_refs = 0;                               /* granted writable now */
    dev.disk[0] = 0x78;
    EXPECT_EQ(one(1, KEEL_BLK_OP_READ, 0, 5, 1, 3), KEEL_BLK_OK);
    EXPECT_EQ(g[1].page[5][0], 0x78);
    EXPECT_EQ(pins.maps, 2);
    EXPECT_EQ(pins.unmaps, 1);
    EXPECT_EQ(dev.violations, 0);
}

/* Every way a vbd ends lets go of every pin, and never under the
 * device: stopped idle, stopped with requests on the device (and one
 * waiting for a buffer), cut off by a corrupt ring. */
KTEST(every_teardown_drops_every_pin)
{
    setup_with(2, false, &zc_ops, &zc_dops);
    for (unsigned d = 1; d <= 2; d++)
        EXPECT_EQ(one(d, KEEL_BLK_OP_WRITE, 0, 0, 6, 1), KEEL_BLK_OK);
    put(1, KEEL_BLK_OP_READ, 0, 0, 1, 2);
    put(1, KEEL_BLK_OP_WRITE, 8, 1, 2, 3);
    put(1, KEEL_BLK_OP_WRITE, 8, 7, 1, 4);          /* waits: 2 buffers */
    EXPECT_EQ(bb_vbd_poll(&g[1].vbd), 3);
    EXPECT(g[1].vbd.has_held);
    bb_vbd_stop(&g[1].vbd);
    EXPECT_EQ(pinned(1), 3);                        /* refs 0, 1, 2: on the device */
    EXPECT_EQ(pinned(2), 6);
    complete_all();
    EXPECT_EQ(pinned(1), 0);
    EXPECT_EQ(g[1].vbd.pins.live, 0);
    EXPECT_EQ(g[1].vbd.inflight, 0);
    EXPECT_EQ(g[1].vbd.c.pin_maps, g[1].vbd.c.pin_unmaps);
    /* guest 2: a request on the device, then a corrupt ring */
    put(2, KEEL_BLK_OP_READ, 0, 3, 1, 5);
    EXPECT_EQ(bb_vbd_poll(&g[2].vbd), 1);
    ((struct keel_blk_sring *)g[2].ring)->h.req_prod += 1000;
    EXPECT_EQ(bb_vbd_poll(&g[2].vbd), 0);
    EXPECT_EQ(g[2].vbd.state, BB_CUT);
    EXPECT_EQ(pinned(2), 1);
    complete_all();
    EXPECT_EQ(pinned(2), 0);
    bb_vbd_stop(&g[2].vbd);
    EXPECT_EQ(pins.live, 0);
    EXPECT_EQ(pins.maps, pins.unmaps);
    /* stopped with nothing on the device: at once */
    setup_with(8, false, &zc_ops, &zc_dops);
    EXPECT_EQ(one(1, KEEL_BLK_OP_READ, 0, 0, 11, 1), KEEL_BLK_OK);
    bb_vbd_stop(&g[1].vbd);
    EXPECT_EQ(pins.live, 0);
    EXPECT_EQ(dev.violations, 0);
}

/* A guest naming ten thousand references holds at most BB_PINS_MAX pins;
 * the other guest's pins stay, and its requests keep going zero copy. */
KTEST(ten_thousand_refs_stay_bounded)
{
    setup_with(8, false, &zc_ops, &zc_dops);
    EXPECT_EQ(one(1, KEEL_BLK_OP_WRITE, 0, 0, 4, 1), KEEL_BLK_OK);
    unsigned most = 0;
    for (unsigned r = 100; r < 10100; r += 8) {
        for (unsigned k = 0; k < 8; k++)
            put(2, k & 1 ? KEEL_BLK_OP_READ : KEEL_BLK_OP_WRITE, k * 8, r + k, 1, k);
        serve_guest(2);
        take_all(2);
        for (unsigned k = 0; k < 8; k++)
            EXPECT_EQ(got[k], KEEL_BLK_OK);
        if (pinned(2) > most)
            most = pinned(2);
    }
    EXPECT_EQ(most, BB_PINS_MAX);
    EXPECT_EQ(g[2].vbd.pins.live, BB_PINS_MAX);
    EXPECT_EQ(pinned(1), 4);
    EXPECT_EQ(one(1, KEEL_BLK_OP_READ, 0, 0, 4, 2), KEEL_BLK_OK);
    EXPECT_EQ(pinned(1), 4);
    EXPECT_EQ(g[1].vbd.c.zero_copy, 2);
    EXPECT_EQ(copies, 0);
    bb_vbd_stop(&g[2].vbd);
    bb_vbd_stop(&g[1].vbd);
    EXPECT_EQ(pins.live, 0);
    EXPECT_EQ(dev.violations, 0);
}

KTEST_MAIN(KTEST_CASE(data_moves_without_a_copy), KTEST_CASE(a_page_is_pinned_once),
           KTEST_CASE(a_full_cache_evicts_an_idle_pin),
           KTEST_CASE(a_failed_pin_falls_back_to_the_copy),
           KTEST_CASE(a_read_into_a_read_only_pin), KTEST_CASE(every_teardown_drops_every_pin),
           KTEST_CASE(ten_thousand_refs_stay_bounded))
