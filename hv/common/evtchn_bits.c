/*
 * The bit-level half of event channels, pure so that it runs as a host unit
 * test: a domain's port bitmap, and the protocol on the shared-info page.
 *
 * Shared-info protocol (keel/event_channel.h).  The hypervisor may run this
 * on any CPU while the guest clears bits on its own, so every change is one
 * atomic read-modify-write, and the order is: pending bit, then pending_sel
 * bit, then upcall_pending.  A guest that clears upcall_pending before it
 * scans pending_sel, and pending_sel before it scans the words, therefore
 * either sees an event in this scan or gets upcall_pending set again after
 * it: events may be seen twice (harmless), never missed.
 *
 * Masking is a Dekker pair: a sender sets pending then reads mask, an
 * unmasker clears mask then reads pending (both SEQ_CST, i.e. locked
 * instructions on x86), so at least one of them sees the other and
 * delivers.
 */
#include <hv/evtchn.h>

static inline unsigned word_of(unsigned port) { return port / 64; }
static inline uint64_t bit_of(unsigned port) { return 1ull << (port % 64); }

int evtchn_bitmap_alloc(uint64_t *used, unsigned max_port)
{
    if (max_port >= KEEL_EVTCHN_PORTS)
        max_port = KEEL_EVTCHN_PORTS - 1;
    used[0] |= 1;                       /* port 0 is never handed out */
    for (unsigned w = 0; w <= word_of(max_port); w++) {
        /* bits above max_port count as used */
        uint64_t above = w < word_of(max_port) ? 0 : ~(bit_of(max_port) * 2 - 1);
        if ((used[w] | above) == ~0ull)
            continue;
        unsigned b = (unsigned)__builtin_ctzll(~(used[w] | above));
        used[w] |= 1ull << b;
        return (int)(w * 64 + b);
    }
    return -KEEL_ENOSPC;
}

void evtchn_bitmap_free(uint64_t *used, unsigned port)
{
    if (port && port < KEEL_EVTCHN_PORTS)
        used[word_of(port)] &= ~bit_of(port);
}

bool evtchn_bitmap_test(const uint64_t *used, unsigned port)
{
    return port && port < KEEL_EVTCHN_PORTS &&
           (used[word_of((unsigned)index_nospec(port, KEEL_EVTCHN_PORTS))] & bit_of(port));
}

/* pending_sel and upcall_pending for an unmasked pending port. */
static bool notify(struct keel_shared_info *si, unsigned port)
{
    struct keel_vcpu_info *vi = &si->vcpu_info[0];

    unsigned w = word_of(port);

    __atomic_fetch_or(&vi->pending_sel[w / 64], 1ull << (w % 64), __ATOMIC_SEQ_CST);
    return __atomic_exchange_n(&vi->upcall_pending, 1, __ATOMIC_SEQ_CST) == 0;
}

bool evtchn_si_set_pending(struct keel_shared_info *si, unsigned port)
{
    unsigned w = word_of(port);
    uint64_t b = bit_of(port);

    if (__atomic_fetch_or(&si->evtchn_pending[w], b, __ATOMIC_SEQ_CST) & b)
        return false;                   /* already pending: coalesced */
    if (__atomic_load_n(&si->evtchn_mask[w], __ATOMIC_SEQ_CST) & b)
        return false;                   /* masked: unmask delivers it */
    return notify(si, port);
}

bool evtchn_si_unmask(struct keel_shared_info *si, unsigned port)
{
    unsigned w = word_of(port);
    uint64_t b = bit_of(port);

    __atomic_fetch_and(&si->evtchn_mask[w], ~b, __ATOMIC_SEQ_CST);
    if (!(__atomic_load_n(&si->evtchn_pending[w], __ATOMIC_SEQ_CST) & b))
        return false;
    return notify(si, port);
}

bool evtchn_si_take_pending(struct keel_shared_info *si, unsigned port)
{
    uint64_t b = bit_of(port);

    return __atomic_fetch_and(&si->evtchn_pending[word_of(port)], ~b,
                              __ATOMIC_SEQ_CST) & b;
}

void evtchn_si_reset(struct keel_shared_info *si, unsigned port)
{
    uint64_t b = bit_of(port);

    __atomic_fetch_and(&si->evtchn_pending[word_of(port)], ~b, __ATOMIC_SEQ_CST);
    __atomic_fetch_and(&si->evtchn_mask[word_of(port)], ~b, __ATOMIC_SEQ_CST);
}
