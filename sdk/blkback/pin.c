/*
 * blkback's zero copy (bb_impl.h): the guest's pages pinned for the
 * device, kept per vbd by grant reference (docs/blk.md, "Zero copy").
 *
 * A frontend reuses a fixed pool of granted pages (blkfront: 88, granted
 * once at open), so a pin made at a reference's first use and kept for
 * the vbd's life makes the steady state no hypercall a request.  The
 * cache is bounded (BB_PINS_MAX) and a hash finds a reference without a
 * scan; when it is full an entry no request uses is dropped.
 *
 * Invariant: e->users counts the segments on the device (or being
 * submitted) that use entry e; an entry is unpinned only at users == 0,
 * since the device may write the page until its request completes.
 * Every pin is taken writable first (reads and writes of a pool page
 * then share it); only a WRITE, whose page the device just reads, falls
 * back to a read-only pin of a read-only grant.
 */
#include <keel/abi.h>
#include "bb_impl.h"

static unsigned bucket_of(keel_grant_ref_t ref)
{
    return (ref * 2654435761u) >> 16 & (BB_PIN_BUCKETS - 1);
}

void bb_pins_init(struct bb_pins *ps)
{
    for (unsigned b = 0; b < BB_PIN_BUCKETS; b++)
        ps->bucket[b] = BB_PIN_NONE;
    for (unsigned i = 0; i < BB_PINS_MAX; i++)
        ps->e[i] = (struct bb_pin){ .next = i + 1 < BB_PINS_MAX ? (uint16_t)(i + 1) :
                                                                  BB_PIN_NONE };
    ps->free = 0;
    ps->hand = 0;
    ps->live = 0;
}

bool bb_zero_copy(const struct bb_disk *d)
{
    return d->ops->map_device && d->ops->unmap_device && d->dev_ops->submit_sg;
}

static int lookup(const struct bb_pins *ps, keel_grant_ref_t ref)
{
    for (unsigned i = ps->bucket[bucket_of(ref)]; i != BB_PIN_NONE; i = ps->e[i].next)
        if (ps->e[i].ref == ref)
            return (int)i;
    return -1;
}

/* Entry i (users 0) unpinned, off its chain, onto the free list. */
static void drop(struct bb_vbd *vbd, unsigned i)
{
    struct bb_pins *ps = &vbd->pins;
    uint16_t *pp = &ps->bucket[bucket_of(ps->e[i].ref)];

    while (*pp != i)
        pp = &ps->e[*pp].next;
    *pp = ps->e[i].next;
    vbd->disk->ops->unmap_device(vbd->disk->ctx, ps->e[i].handle);
    vbd->c.pin_unmaps++;
    ps->e[i] = (struct bb_pin){ .next = ps->free };
    ps->free = (uint16_t)i;
    ps->live--;
}

/* A free entry: an unused one, else one no request uses (dropped), found
 * by a clock hand so that a full cache is not scanned from the start at
 * every miss.  -1: every entry is on the device (cannot happen for a
 * guest within its ring; the request is copied then). */
static int entry_get(struct bb_vbd *vbd)
{
    struct bb_pins *ps = &vbd->pins;

    for (unsigned n = 0; ps->free == BB_PIN_NONE && n < BB_PINS_MAX; n++) {
        unsigned i = ps->hand;
        ps->hand = (uint16_t)((i + 1) % BB_PINS_MAX);
        if (!ps->e[i].users)
            drop(vbd, i);
    }
    if (ps->free == BB_PIN_NONE)
        return -1;
    unsigned i = ps->free;
    ps->free = ps->e[i].next;
    return (int)i;
}

/* A new pin of ref: writable if it can be, read-only for a WRITE (the
 * device only reads it) of a read-only grant.  Mapped before an entry is
 * taken, so a bad reference evicts nothing. */
static int pin_new(struct bb_vbd *vbd, keel_grant_ref_t ref, bool device_writes)
{
    const struct bb_ops *o = vbd->disk->ops;
    struct bb_pins *ps = &vbd->pins;
    uint64_t maddr;
    uint32_t handle;
    bool ro = false;
    long rc = o->map_device(vbd->disk->ctx, vbd->domid, ref, false, &maddr, &handle);

    if (rc == -KEEL_EACCES && !device_writes) {
        ro = true;
        rc = o->map_device(vbd->disk->ctx, vbd->domid, ref, true, &maddr, &handle);
    }
    if (rc)
        return -1;
    vbd->c.pin_maps++;
    int i = entry_get(vbd);
    if (i < 0) {
        o->unmap_device(vbd->disk->ctx, handle);
        vbd->c.pin_unmaps++;
        return -1;
    }
    unsigned b = bucket_of(ref);
    ps->e[i] = (struct bb_pin){ .maddr = maddr, .ref = ref, .handle = handle,
                                .next = ps->bucket[b], .pinned = true, .read_only = ro };
    ps->bucket[b] = (uint16_t)i;
    ps->live++;
    return i;
}

/* ref's entry, its users counted; -1: copy this request instead. */
static int pin_get(struct bb_vbd *vbd, keel_grant_ref_t ref, bool device_writes)
{
    int i = lookup(&vbd->pins, ref);

    if (i >= 0 && device_writes && vbd->pins.e[i].read_only) {
        if (vbd->pins.e[i].users)
            return -1;          /* a WRITE still reads it: not repinned under it */
        drop(vbd, (unsigned)i);
        i = -1;
    }
    if (i < 0 && (i = pin_new(vbd, ref, device_writes)) < 0)
        return -1;
    vbd->pins.e[i].users++;
    return i;
}

/* Entry i has one user less; a cut vbd keeps no pin nobody uses. */
static void pin_put(struct bb_vbd *vbd, unsigned i)
{
    if (--vbd->pins.e[i].users == 0 && vbd->state == BB_CUT)
        drop(vbd, i);
}

bool bb_pins_take(struct bb_vbd *vbd, struct bb_pending *p, struct bb_seg *segs)
{
    bool device_writes = p->req.op == KEEL_BLK_OP_READ;

    for (unsigned k = 0; k < p->req.nr_segs; k++) {
        const struct keel_blk_seg *s = &p->req.seg[k];
        int i = pin_get(vbd, s->gref, device_writes);
        if (i < 0) {
            while (k--)
                pin_put(vbd, p->pin[k]);
            return false;
        }
        p->pin[k] = (uint16_t)i;
        segs[k] = (struct bb_seg){
            .maddr = vbd->pins.e[i].maddr + s->first_sect * KEEL_BLK_SECTOR,
            .len = (uint32_t)(s->last_sect - s->first_sect + 1) * KEEL_BLK_SECTOR };
    }
    p->pinned = true;
    return true;
}

void bb_pins_put(struct bb_vbd *vbd, struct bb_pending *p)
{
    for (unsigned k = 0; p->pinned && k < p->req.nr_segs; k++)
        pin_put(vbd, p->pin[k]);
    p->pinned = false;
}

void bb_pins_drop_idle(struct bb_vbd *vbd)
{
    for (unsigned i = 0; i < BB_PINS_MAX && vbd->pins.live; i++)
        if (vbd->pins.e[i].pinned && !vbd->pins.e[i].users)
            drop(vbd, i);
}
