/*
 * Filling a new shared-info page.  The time parameters are fixed at boot
 * (the TSC is invariant), so the page is written once, under the seqlock
 * protocol of keel/shared_info.h in case a guest is already reading.
 */
#include <hv/domain.h>
#include <hv/lib.h>

void shared_info_init(struct keel_shared_info *si)
{
    uint64_t tsc_base;
    uint32_t mul;
    int8_t shift;

    arch_time_params(&tsc_base, &mul, &shift);
    si->time.version++;                      /* odd: being written */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    si->time.tsc_shift = shift;
    si->time.tsc_to_ns_mul = mul;
    si->time.tsc_timestamp = tsc_base;
    si->time.system_time_ns = 0;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    si->time.version++;                      /* even: stable */

    si->wc_version++;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    si->wc_sec = arch_boot_wallclock_sec();
    si->wc_nsec = 0;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    si->wc_version++;
    si->tsc_khz = arch_tsc_khz();
}
