/*
 * COPY: bytes between granted pages and the caller's own memory without
 * mapping anything.  Each segment is checked (grant_check_copy), its grant
 * sides pinned (so END fails and the frames stay while the bytes move), and
 * copied through the hypervisor's direct map; the caller's own side goes
 * through the checked guest accessors with the caller's own rights.
 *
 * The array is checked readable and writable once, then read and answered
 * one segment at a time, so the hypervisor never holds more than one
 * segment and a batch is bounded (KEEL_GRANT_COPY_MAX pages of copying).
 */
#include <hv/grant.h>
#include <hv/domain.h>
#include <hv/guest_access.h>

static uint8_t *frame_at(uint64_t pa, uint16_t offset)
{
    return (uint8_t *)phys_to_virt(pa) + offset;
}

static int move_bytes(struct domain *d, const struct keel_grant_copy *c,
                      const struct grant_pin *sp, const struct grant_pin *dp)
{
    if (sp->gt && dp->gt) {
        /* the same page may be both source and destination */
        memmove(frame_at(dp->pa, c->dst.offset), frame_at(sp->pa, c->src.offset), c->len);
        return 0;
    }
    if (sp->gt)
        return copy_to_guest(d, c->dst.gva, frame_at(sp->pa, c->src.offset), c->len);
    return copy_from_guest(d, frame_at(dp->pa, c->dst.offset), c->src.gva, c->len);
}

static int copy_one(struct domain *d, const struct keel_grant_copy *c)
{
    struct grant_pin sp = { 0 }, dp = { 0 };
    int rc = grant_check_copy(c);

    if (!rc && (c->flags & KEEL_GRANT_COPY_SRC_GREF))
        rc = grant_pin(d->id, c->src.domid, c->src.ref, false, &sp);
    if (!rc && (c->flags & KEEL_GRANT_COPY_DST_GREF))
        rc = grant_pin(d->id, c->dst.domid, c->dst.ref, true, &dp);
    if (!rc)
        rc = move_bytes(d, c, &sp, &dp);
    if (sp.gt)
        grant_unpin(&sp);
    if (dp.gt)
        grant_unpin(&dp);
    return rc;
}

long grant_copy(struct domain *d, uint64_t uops, uint64_t count)
{
    const uint64_t sz = sizeof(struct keel_grant_copy);
    long failed = 0;
    int rc;

    if (count > KEEL_GRANT_COPY_MAX)
        return -KEEL_E2BIG;
    if ((rc = guest_range_check(d, uops, count * sz, KEEL_RIGHT_R | KEEL_RIGHT_W)))
        return rc;
    for (uint64_t i = 0; i < count; i++) {
        struct keel_grant_copy c;
        uint64_t at = uops + i * sz;
        if ((rc = copy_from_guest(d, &c, at, sz)))
            return rc;
        c.status = copy_one(d, &c);
        failed += c.status != 0;
        if ((rc = copy_to_guest(d, at + offsetof(struct keel_grant_copy, status),
                                &c.status, sizeof(c.status))))
            return rc;
    }
    return failed;
}
