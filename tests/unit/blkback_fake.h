/*
 * A world for sdk/blkback's host tests: a fake device (memory, a few
 * slots, completions when the test says), two guests (domids 1 and 2)
 * with real rings and granted pages, a grant copier that really copies,
 * and fake device pins (map_device / unmap_device) whose "machine
 * addresses" the device translates back, checking on every DMA and every
 * unpin that no page is touched, or let go, while it is not pinned for
 * it: dev.violations counts each breach.
 *
 * A pin's machine address is ((domid << 16 | ref) << 12) + offset; a
 * guest grants every ref below FAKE_REFS, ref r over its page r %
 * GUEST_PAGES; refs in g[d].ro_refs (below 64) are granted read-only.
 */
#ifndef BLKBACK_FAKE_H
#define BLKBACK_FAKE_H

#include <stdarg.h>
#include "ktest.h"
#include "../../sdk/blkback/check.c"
#include "../../sdk/blkback/vbd.c"
#include "../../sdk/blkback/answer.c"
#include "../../sdk/blkback/copy.c"
#include "../../sdk/blkback/pin.c"

#define DEV_SECTORS  256u
#define GUEST_PAGES  16u
#define SLOTS_MAX    8u
#define FAKE_REFS    16384u
#define FAKE_PINS    1024u
#define DEV_MAX_DISCARD 16u            /* sectors per device discard */
#define FAKE_OP_DISCARD 9u             /* dev.op[] of a discard: no data */

/* the device: memory, a few slots, completions when the test says */
static struct {
    uint8_t disk[DEV_SECTORS * 512];
    uint8_t buf[SLOTS_MAX][KEEL_BLK_REQ_MAX_BYTES];
    bool held[SLOTS_MAX], queued[SLOTS_MAX];
    unsigned op[SLOTS_MAX], slots, submits, flushes;
    int status;                        /* what every completion says */
    uint64_t sector[SLOTS_MAX];
    uint32_t bytes[SLOTS_MAX];
    /* zero copy: a slot's pieces, submit_sg calls, breaches seen */
    struct bb_seg seg[SLOTS_MAX][KEEL_BLK_SEGS_MAX];
    unsigned nsegs[SLOTS_MAX], sg_submits, violations;
    int sg_status;                     /* what submit_sg says */
    /* discards: calls, sectors, what the next n calls say */
    unsigned discards, discard_fail_after;
    uint64_t discarded;
    int discard_status;
} dev;

/* the fake hypervisor's device pins, by handle */
static struct {
    struct { bool live, ro; unsigned domid, ref; } h[FAKE_PINS];
    unsigned maps, unmaps, live, limit;   /* limit: live pins allowed (grant_maps) */
} pins;

static int d_get(void *x)
{
    (void)x;
    for (unsigned s = 0; s < dev.slots; s++)
        if (!dev.held[s])
            return dev.held[s] = true, (int)s;
    return -KEEL_ENOSPC;
}
static void *d_data(void *x, unsigned s) { (void)x; return dev.buf[s]; }
static void d_put(void *x, unsigned s) { (void)x; dev.held[s] = false; }
static void d_kick(void *x) { (void)x; }
static int d_submit(void *x, unsigned s, unsigned op, uint64_t sector, uint32_t bytes)
{
    (void)x;
    dev.op[s] = op, dev.sector[s] = sector, dev.bytes[s] = bytes;
    dev.queued[s] = true;
    dev.submits++;
    return 0;
}

/* A discard zeroes its range (as a punched hole reads); a piece past
 * the device's most, past its end, or where the vbd's slice is not is a
 * breach.  discard_status is said from the (discard_fail_after + 1)th
 * call on. */
static int d_discard(void *x, unsigned s, uint64_t sector, uint32_t sectors)
{
    (void)x;
    if (!sectors || sectors > DEV_MAX_DISCARD || sector > DEV_SECTORS ||
        sectors > DEV_SECTORS - sector)
        return dev.violations++, -KEEL_EINVAL;
    if (dev.discard_status && dev.discards >= dev.discard_fail_after)
        return dev.discards++, dev.discard_status;
    dev.discards++;
    dev.discarded += sectors;
    memset(dev.disk + sector * 512, 0, (size_t)sectors * 512);
    dev.op[s] = FAKE_OP_DISCARD, dev.sector[s] = sector, dev.bytes[s] = 0;
    dev.queued[s] = true;
    return 0;
}

static struct bb_disk disk;
static uint8_t *guest_page(unsigned domid, unsigned ref);

/* The pin of maddr's page, if live: else a breach, NULL. */
static uint8_t *dma_at(uint64_t maddr, bool device_writes)
{
    unsigned page = (unsigned)(maddr >> 12), domid = page >> 16, ref = page & 0xffff;

    for (unsigned h = 0; h < FAKE_PINS; h++)
        if (pins.h[h].live && pins.h[h].domid == domid && pins.h[h].ref == ref &&
            !(device_writes && pins.h[h].ro))
            return guest_page(domid, ref) + (maddr & 4095);
    dev.violations++;
    return NULL;
}

/* The device moves a zero-copy request's data itself. */
static void dma(unsigned s)
{
    uint8_t *at = dev.disk + dev.sector[s] * 512;
    bool to_guest = dev.op[s] == BB_IO_READ;

    for (unsigned k = 0; k < dev.nsegs[s]; k++) {
        uint8_t *p = dma_at(dev.seg[s][k].maddr, to_guest);
        if (p && to_guest)
            memcpy(p, at, dev.seg[s][k].len);
        else if (p)
            memcpy(at, p, dev.seg[s][k].len);
        at += dev.seg[s][k].len;
    }
}

/* The device answers everything queued. */
static void complete_all(void)
{
    for (unsigned s = 0; s < dev.slots; s++) {
        if (!dev.queued[s])
            continue;
        uint8_t *at = dev.disk + dev.sector[s] * 512;
        if (dev.nsegs[s])
            dma(s);
        else if (dev.op[s] == BB_IO_READ)
            memcpy(dev.buf[s], at, dev.bytes[s]);
        else if (dev.op[s] == BB_IO_WRITE)
            memcpy(at, dev.buf[s], dev.bytes[s]);
        else if (dev.op[s] == BB_IO_FLUSH)
            dev.flushes++;
        dev.queued[s] = false;          /* done with its pages from here */
        dev.nsegs[s] = 0;
        bb_disk_done(&disk, s, dev.status);
    }
}

/* two guests, domids 1 and 2: their granted pages, their rings */
struct guest {
    uint8_t page[GUEST_PAGES][4096];
    uint8_t conn[4096] __attribute__((aligned(4096)));
    uint8_t ring[4096] __attribute__((aligned(4096)));
    struct keel_blk_front f;
    struct keel_blk_settings s;
    struct bb_vbd vbd;
    unsigned notified;
    bool eager;                        /* takes its answers at each event */
    unsigned taken;
    uint64_t ro_refs;                  /* granted read-only */
};
static struct guest g[3];

static uint8_t *guest_page(unsigned domid, unsigned ref)
{
    return g[domid].page[ref % GUEST_PAGES];
}

static bool granted_ro(unsigned domid, unsigned ref)
{
    return ref < 64 && (g[domid].ro_refs >> ref & 1);
}

static long map_device(void *ctx, keel_domid_t domid, keel_grant_ref_t ref, bool ro,
                       uint64_t *maddr, uint32_t *handle)
{
    (void)ctx;
    if (domid < 1 || domid > 2 || ref >= FAKE_REFS)
        return -KEEL_ENOENT;
    if (!ro && granted_ro(domid, ref))
        return -KEEL_EACCES;
    for (unsigned h = 0; h < FAKE_PINS && pins.live < pins.limit; h++)
        if (!pins.h[h].live) {
            pins.h[h].live = true, pins.h[h].ro = ro;
            pins.h[h].domid = domid, pins.h[h].ref = ref;
            pins.maps++, pins.live++;
            *maddr = ((uint64_t)(domid << 16 | ref)) << 12;
            *handle = h;
            return 0;
        }
    return -KEEL_ENOSPC;
}

/* Unpinning a page the device may still touch is a breach. */
static void unmap_device(void *ctx, uint32_t handle)
{
    (void)ctx;
    if (handle >= FAKE_PINS || !pins.h[handle].live) {
        dev.violations++;
        return;
    }
    for (unsigned s = 0; s < dev.slots; s++)
        for (unsigned k = 0; dev.queued[s] && k < dev.nsegs[s]; k++)
            if (dev.seg[s][k].maddr >> 12 ==
                (uint64_t)(pins.h[handle].domid << 16 | pins.h[handle].ref))
                dev.violations++;
    pins.h[handle].live = false;
    pins.unmaps++, pins.live--;
}

static unsigned copies;                 /* copy calls */

static long copy(void *ctx, struct keel_grant_copy *seg, unsigned n)
{
    long failed = 0;

    (void)ctx;
    copies++;
    for (unsigned i = 0; i < n; i++) {
        struct keel_grant_copy *c = &seg[i];
        struct keel_grant_copy_ptr *gp = c->flags & KEEL_GRANT_COPY_SRC_GREF ? &c->src : &c->dst;
        struct keel_grant_copy_ptr *mp = c->flags & KEEL_GRANT_COPY_SRC_GREF ? &c->dst : &c->src;
        if (gp->domid < 1 || gp->domid > 2 || gp->ref >= GUEST_PAGES ||
            gp->offset + c->len > 4096 ||
            (c->flags & KEEL_GRANT_COPY_DST_GREF && granted_ro(gp->domid, gp->ref))) {
            c->status = -KEEL_ENOENT;
            failed++;
            continue;
        }
        uint8_t *gb = g[gp->domid].page[gp->ref] + gp->offset;
        uint8_t *mb = (uint8_t *)(uintptr_t)mp->gva;
        if (c->flags & KEEL_GRANT_COPY_SRC_GREF)
            memcpy(mb, gb, c->len);
        else
            memcpy(gb, mb, c->len);
        c->status = 0;
    }
    return failed;
}

/* An eager guest runs on another CPU: it takes what is there at once
 * and asks for the next answer's event, as blkfront_poll does. */
static void notify(void *ctx, uint32_t port)
{
    struct keel_blk_rsp r;

    (void)ctx;
    g[port].notified++;
    while (g[port].eager) {
        if (keel_blk_front_take_rsp(&g[port].f, &r) == 1)
            g[port].taken++;
        else if (keel_blk_front_final_check(&g[port].f) != 1)
            break;
    }
}
static unsigned logged;
static void log_line(void *ctx, const char *fmt, ...) { (void)ctx; (void)fmt; logged++; }

static int d_submit_sg(void *x, unsigned s, unsigned op, uint64_t sector, uint32_t bytes,
                       const struct bb_seg *segs, unsigned nsegs)
{
    uint32_t sum = 0;

    for (unsigned k = 0; k < nsegs; k++)
        sum += segs[k].len;
    if (!nsegs || nsegs > KEEL_BLK_SEGS_MAX || sum != bytes)
        return dev.violations++, -KEEL_EINVAL;
    if (dev.sg_status)
        return dev.sg_status;
    memcpy(dev.seg[s], segs, nsegs * sizeof(*segs));
    dev.nsegs[s] = nsegs;
    dev.sg_submits++;
    return d_submit(x, s, op, sector, bytes);
}

static const struct bb_ops ops = { .copy = copy, .notify = notify, .log = log_line };
static const struct bb_dev_ops dops = { .slot_get = d_get, .slot_data = d_data, .slot_put = d_put,
                                        .submit = d_submit, .kick = d_kick };
/* the same with zero copy */
static const struct bb_ops zc_ops = { .copy = copy, .notify = notify, .log = log_line,
                                      .map_device = map_device, .unmap_device = unmap_device };
static const struct bb_dev_ops zc_dops = { .slot_get = d_get, .slot_data = d_data,
                                           .slot_put = d_put, .submit = d_submit,
                                           .kick = d_kick, .submit_sg = d_submit_sg };

/* the plain device with discard */
static const struct bb_dev_ops discard_dops = { .slot_get = d_get, .slot_data = d_data,
                                                .slot_put = d_put, .submit = d_submit,
                                                .kick = d_kick, .discard = d_discard };

/* guest d gets sectors [first, first + sectors) */
static void setup_with(unsigned slots, bool b_ro, const struct bb_ops *o,
                       const struct bb_dev_ops *dv)
{
    struct bb_dev_info info = { .sectors = DEV_SECTORS, .sector_size = 512,
                                .max_bytes = KEEL_BLK_REQ_MAX_BYTES, .flush = true,
                                .discard = dv->discard != NULL,
                                .max_discard = DEV_MAX_DISCARD };

    memset(&dev, 0, sizeof(dev));
    memset(g, 0, sizeof(g));
    memset(&pins, 0, sizeof(pins));
    pins.limit = FAKE_PINS;
    dev.slots = slots;
    logged = copies = 0;
    if (bb_disk_init(&disk, o, dv, NULL, &info, NULL))
        abort();
    for (unsigned d = 1; d <= 2; d++) {
        struct keel_blk_sring *sr = (struct keel_blk_sring *)g[d].ring;
        keel_blk_sring_init(sr);
        keel_blk_front_init(&g[d].f, sr, 4096);
        bb_settings(&info, (d - 1) * 128, 128, d == 2 && b_ro, &g[d].s);
        struct bb_vbd_conf conf = { .domid = (keel_domid_t)d, .port = d,
                                    .first = (d - 1) * 128, .settings = &g[d].s,
                                    .page = { g[d].conn, g[d].ring } };
        if (bb_vbd_init(&g[d].vbd, &disk, &conf))
            abort();
    }
}

static __attribute__((unused)) void setup(unsigned slots, bool b_ro)
{
    setup_with(slots, b_ro, &ops, &dops);
}

/* guest d puts a request over page ref.. (segs whole pages) */
static void put(unsigned d, uint8_t op, uint64_t sector, unsigned ref, unsigned segs,
                uint64_t id)
{
    struct keel_blk_req *r = keel_blk_front_next_req(&g[d].f);
    *r = (struct keel_blk_req){ .op = op, .nr_segs = (uint8_t)segs, .id = id,
                                .sector = sector };
    for (unsigned i = 0; i < segs; i++)
        r->seg[i] = (struct keel_blk_seg){ .gref = ref + i, .last_sect = 7 };
    keel_blk_front_push(&g[d].f);
}

/* Each guest writes its slice (guest 1: 11 pages of 0xa1 at its sector 8,
 * id 1; guest 2: a page of 0xb2 at its sector 0, id 2); requests taken. */
static __attribute__((unused)) int both_write(void)
{
    memset(g[1].page[0], 0xa1, 4096 * 11);
    memset(g[2].page[0], 0xb2, 4096);
    put(1, KEEL_BLK_OP_WRITE, 8, 0, 11, 1);
    put(2, KEEL_BLK_OP_WRITE, 0, 0, 1, 2);
    return bb_vbd_poll(&g[1].vbd) + bb_vbd_poll(&g[2].vbd);
}

/* guest d's next answer's status (id checked), or 99 if none */
static int answer(unsigned d, uint64_t id)
{
    struct keel_blk_rsp r;
    if (keel_blk_front_take_rsp(&g[d].f, &r) != 1)
        return 99;
    return r.id == id ? r.status : 98;
}

/* Every answer guest d has, by id (< 256; 99: none): answers come in
 * any order (keel/blk.h). */
static int got[256];
static void take_all(unsigned d)
{
    struct keel_blk_rsp r;

    for (unsigned i = 0; i < 256; i++)
        got[i] = 99;
    while (keel_blk_front_take_rsp(&g[d].f, &r) == 1)
        if (r.id < 256)
            got[r.id] = r.status;
}


#endif /* BLKBACK_FAKE_H */
