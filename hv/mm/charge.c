/*
 * A domain's hypervisor memory (hv/mm.h): a reserve taken at CREATE, and
 * the frames the hypervisor takes out of it for the domain afterwards.
 *
 * `left` is the only word the two sides race on: a frame is handed out by
 * a successful decrement of it, and charge_close takes whatever is left
 * with one exchange, so each reserved frame is either taken or given back,
 * never both, even if an allocation raced with the domain's end.  Units
 * taken for a run that could not be had go back to `left`; if the charge
 * closed meanwhile (`closed` is set before its exchange), they go back to
 * the allocator with one more exchange: every exchange takes a disjoint
 * amount, and one of the two sees them.
 */
#include <hv/mm.h>
#include <hv/lib.h>

int charge_open_keeping(struct hv_charge *c, uint64_t max, uint64_t keep)
{
    if (!frames_reserve_keeping(max, keep))
        return -KEEL_ENOMEM;
    c->left = c->max = max;
    c->used = 0;
    c->closed = false;
    return 0;
}

int charge_open(struct hv_charge *c, uint64_t max) { return charge_open_keeping(c, max, 0); }

/* n units of the reserve (n > 0), or false when fewer are left. */
static bool take_units(struct hv_charge *c, uint64_t n)
{
    uint64_t left = __atomic_load_n(&c->left, __ATOMIC_RELAXED);

    while (left >= n)
        if (__atomic_compare_exchange_n(&c->left, &left, left - n, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            return true;
    return false;
}

/* pa of the n frames the units paid for, or 0: the units go back. */
static uint64_t settle(struct hv_charge *c, uint64_t n, uint64_t pa)
{
    if (!pa) {
        __atomic_fetch_add(&c->left, n, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&c->closed, __ATOMIC_SEQ_CST))
            frames_unreserve(__atomic_exchange_n(&c->left, 0, __ATOMIC_SEQ_CST));
        return 0;
    }
    __atomic_fetch_add(&c->used, n, __ATOMIC_RELAXED);
    return pa;
}

uint64_t charge_frame(struct hv_charge *c)
{
    if (!take_units(c, 1))
        return 0;
    return settle(c, 1, frame_alloc_reserved());   /* never 0: the reserve holds it */
}

/* The reserve holds n frames, but maybe not n in a row: that failure is
 * the one a charge can meet, and it takes nothing. */
uint64_t charge_frames_range(struct hv_charge *c, uint64_t n)
{
    if (!n || !take_units(c, n))
        return 0;
    return settle(c, n, frames_alloc_range_reserved(n));
}

void charge_close(struct hv_charge *c)
{
    __atomic_store_n(&c->closed, true, __ATOMIC_SEQ_CST);
    frames_unreserve(__atomic_exchange_n(&c->left, 0, __ATOMIC_SEQ_CST));
}

void charge_count(struct hv_charge *c, uint64_t n)
{
    __atomic_fetch_add(&c->max, n, __ATOMIC_RELAXED);
    __atomic_fetch_add(&c->used, n, __ATOMIC_RELAXED);
}
