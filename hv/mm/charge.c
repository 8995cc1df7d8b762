/*
 * A domain's hypervisor memory (hv/mm.h): a reserve taken at CREATE, and
 * the frames the hypervisor takes out of it for the domain afterwards.
 *
 * `left` is the only word the two sides race on: a frame is handed out by
 * a successful decrement of it, and charge_close takes whatever is left
 * with one exchange, so each reserved frame is either taken or given back,
 * never both, even if an allocation raced with the domain's end.
 */
#include <hv/mm.h>
#include <hv/lib.h>

int charge_open(struct hv_charge *c, uint64_t max)
{
    if (!frames_reserve(max))
        return -KEEL_ENOMEM;
    c->left = c->max = max;
    c->used = 0;
    return 0;
}

/* One unit of the reserve, or false when it is used up. */
static bool take_unit(struct hv_charge *c)
{
    uint64_t left = __atomic_load_n(&c->left, __ATOMIC_RELAXED);

    while (left)
        if (__atomic_compare_exchange_n(&c->left, &left, left - 1, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            return true;
    return false;
}

uint64_t charge_frame(struct hv_charge *c)
{
    uint64_t pa;

    if (!take_unit(c))
        return 0;
    pa = frame_alloc_reserved();
    if (!pa) {          /* never: the reserve holds it; give the unit back */
        __atomic_fetch_add(&c->left, 1, __ATOMIC_RELEASE);
        return 0;
    }
    __atomic_fetch_add(&c->used, 1, __ATOMIC_RELAXED);
    return pa;
}

void charge_close(struct hv_charge *c)
{
    frames_unreserve(__atomic_exchange_n(&c->left, 0, __ATOMIC_ACQ_REL));
}
