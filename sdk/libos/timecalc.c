/*
 * Time arithmetic, kept apart from the code that reads the shared-info page
 * so that it can be tested on the host.
 *
 * The scaling follows keel/shared_info.h exactly: the TSC delta is first
 * shifted (left for slow TSCs, right for fast ones), then multiplied by a
 * 32.32 fixed-point factor.  The 128-bit product keeps the full precision
 * for deltas of any length, so a domain that has not looked at the clock
 * for hours still reads the right time.
 */
#include "internal.h"

uint64_t libos_tsc_to_ns(uint64_t tsc_delta, int8_t tsc_shift, uint32_t mul)
{
    /* Shifting a 64-bit value by 64 or more is undefined in C; a sane
     * hypervisor never publishes such a shift. */
    if (tsc_shift >= 64 || tsc_shift <= -64)
        return 0;
    if (tsc_shift >= 0)
        tsc_delta <<= tsc_shift;
    else
        tsc_delta >>= -tsc_shift;
    return (uint64_t)(((unsigned __int128)tsc_delta * mul) >> 32);
}

void libos_ns_split(uint64_t ns, uint64_t *sec, uint32_t *nsec)
{
    *sec = ns / 1000000000ull;
    *nsec = (uint32_t)(ns % 1000000000ull);
}

int libos_ts_to_ns(int64_t sec, long nsec, uint64_t *ns)
{
    if (sec < 0 || nsec < 0 || nsec >= 1000000000L)
        return -KEEL_EINVAL;
    if ((uint64_t)sec > (UINT64_MAX - (uint64_t)nsec) / 1000000000ull)
        *ns = UINT64_MAX;
    else
        *ns = (uint64_t)sec * 1000000000ull + (uint64_t)nsec;
    return 0;
}
