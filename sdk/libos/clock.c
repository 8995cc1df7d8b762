/*
 * Reading time from the shared-info page (keel/shared_info.h).
 *
 * Both clocks are seqlocked: the hypervisor makes the version odd while it
 * updates the fields, so a reader retries until it saw the same even
 * version before and after.  On x86 loads are not reordered with loads, so
 * the barriers only have to stop the compiler; rdtsc, though, may run ahead
 * of earlier loads, hence the lfence in front of it.
 *
 * The hypervisor may move this vCPU between physical CPUs whose TSCs differ
 * slightly, so a reading could come out below an earlier one; the last
 * value is remembered and time never goes backwards within the domain.
 */
#include <libos/time.h>
#include "internal.h"

uint64_t libos_boot_mono_ns;
uint64_t libos_blocked_ns;
static uint64_t last_mono_ns;

static inline uint64_t rdtsc_ordered(void)
{
    uint32_t lo, hi;

    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

#define compiler_barrier() __asm__ volatile("" ::: "memory")

static uint64_t read_monotonic(const volatile struct keel_time_info *t)
{
    uint32_t v;
    uint64_t ns;

    do {
        uint64_t stamp, tsc;

        v = t->version;
        compiler_barrier();
        stamp = t->tsc_timestamp;
        tsc = rdtsc_ordered();
        ns = t->system_time_ns +
             libos_tsc_to_ns(tsc > stamp ? tsc - stamp : 0, t->tsc_shift,
                             t->tsc_to_ns_mul);
        compiler_barrier();
    } while ((v & 1) || v != t->version);
    return ns;
}

uint64_t libos_monotonic_ns(void)
{
    uint64_t ns = read_monotonic(&libos_shinfo->time);

    if (ns < last_mono_ns)
        return last_mono_ns;
    last_mono_ns = ns;
    return ns;
}

uint64_t libos_wallclock_ns(void)
{
    const volatile struct keel_shared_info *s = libos_shinfo;
    uint32_t v, nsec;
    uint64_t sec;

    do {
        v = s->wc_version;
        compiler_barrier();
        sec = s->wc_sec;
        nsec = s->wc_nsec;
        compiler_barrier();
    } while ((v & 1) || v != s->wc_version);
    return sec * LIBOS_NS_PER_SEC + nsec + libos_monotonic_ns();
}

void libos_clock_init(void)
{
    libos_boot_mono_ns = libos_monotonic_ns();
}

uint64_t libos_start_ns(void)
{
    return libos_boot_mono_ns;
}
