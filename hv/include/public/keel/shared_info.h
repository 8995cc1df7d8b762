/*
 * The shared-info page: one page per domain, owned by the hypervisor and
 * mapped read-write into the domain at KEEL_SHARED_INFO_VA.
 *
 * Time without hypercalls.  Monotonic time is nanoseconds since the
 * hypervisor booted, computed from the CPU's invariant TSC:
 *
 *   delta = rdtsc() - time.tsc_timestamp
 *   delta = tsc_shift >= 0 ? delta << tsc_shift : delta >> -tsc_shift
 *   now   = time.system_time_ns + ((unsigned __int128)delta * tsc_to_ns_mul >> 32)
 *
 * Wall clock (UTC) = wc_sec/wc_nsec (the wall time at monotonic 0, read from
 * the RTC at boot) + now.
 *
 * Readers use the version fields as a seqlock: read version, (read barrier),
 * read the fields, (read barrier), read version again; retry if the two
 * differ or are odd.  The hypervisor never reads these fields back, so a
 * guest that scribbles on its own page only confuses itself.
 *
 * pending: bits the hypervisor sets atomically (lock or) to tell a blocked or
 * running vCPU why it should look around; the guest clears the bits it has
 * handled with an atomic and.  KEEL_HC_SCHED_BLOCK returns at once while any
 * bit is set.
 *
 * Event channels (keel/event_channel.h): one pending and one mask bit per
 * port, and per vCPU the upcall flags.  The hypervisor sets pending bits,
 * pending_sel bits and upcall_pending with atomic read-modify-writes, and
 * sets upcall_mask when it enters the callback; the guest clears what it has
 * handled, also atomically.  The hypervisor trusts none of these bytes: a
 * guest that scribbles on them only loses or duplicates its own events.
 */
#ifndef KEEL_PUBLIC_SHARED_INFO_H
#define KEEL_PUBLIC_SHARED_INFO_H

#include "abi.h"
#include "event_channel.h"

#define KEEL_PENDING_TIMER    (1ull << 0)  /* the one-shot timer fired */
#define KEEL_PENDING_DOMAIN   (1ull << 1)  /* (dom0) a domain shut down or crashed */

struct keel_time_info {
    uint32_t version;
    int8_t   tsc_shift;
    uint8_t  pad[3];
    uint32_t tsc_to_ns_mul;
    uint32_t pad2;
    uint64_t tsc_timestamp;
    uint64_t system_time_ns;
};

/* Per-vCPU event state, one cache line. */
struct keel_vcpu_info {
    volatile uint8_t upcall_pending;  /* some unmasked port became pending */
    volatile uint8_t upcall_mask;     /* 1: no upcall now (set on entry) */
    uint8_t  pad[6];
    /* bit w % 64 of pending_sel[w / 64]: look at evtchn_pending[w] */
    volatile uint64_t pending_sel[KEEL_EVTCHN_SEL_WORDS];
    uint64_t reserved[7 - KEEL_EVTCHN_SEL_WORDS];
};

struct keel_shared_info {
    struct keel_time_info time;
    uint32_t wc_version;          /* seqlock for wc_sec / wc_nsec */
    uint32_t wc_nsec;
    uint64_t wc_sec;
    uint64_t tsc_khz;             /* informative */
    volatile uint64_t pending;    /* KEEL_PENDING_* */
    /* offset 64 */
    struct keel_vcpu_info vcpu_info[1];
    /* offset 128: bit (port % 64) of word (port / 64) */
    volatile uint64_t evtchn_pending[KEEL_EVTCHN_WORDS];
    volatile uint64_t evtchn_mask[KEEL_EVTCHN_WORDS];     /* offset 1664 */
    uint8_t  reserved[4096 - 128 - 16 * KEEL_EVTCHN_WORDS];
};

#ifdef __cplusplus
static_assert(sizeof(struct keel_shared_info) == 4096, "shared info is one page");
static_assert(offsetof(struct keel_shared_info, vcpu_info) == 64, "vcpu_info");
static_assert(offsetof(struct keel_shared_info, evtchn_pending) == 128, "pending");
#else
_Static_assert(sizeof(struct keel_shared_info) == 4096, "shared info is one page");
_Static_assert(offsetof(struct keel_shared_info, pending) == 56, "pending word");
_Static_assert(offsetof(struct keel_shared_info, vcpu_info) == 64, "vcpu_info");
_Static_assert(offsetof(struct keel_shared_info, evtchn_pending) == 128, "pending");
_Static_assert(offsetof(struct keel_shared_info, evtchn_mask) == 1664, "mask");
_Static_assert(sizeof(struct keel_vcpu_info) == 64, "vcpu_info is one cache line");
#endif

#endif /* KEEL_PUBLIC_SHARED_INFO_H */
