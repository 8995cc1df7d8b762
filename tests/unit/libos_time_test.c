/*
 * libos time arithmetic (sdk/libos/timecalc.c) against an independent
 * reference: the TSC scaling of keel/shared_info.h computed in long double
 * and with exact integer cases, timespec conversion limits and saturation.
 */
#include <stdint.h>
#include "ktest.h"
#include "../../sdk/libos/timecalc.c"

/* mul for a TSC of khz kHz with shift s: ns = (delta << s) * mul >> 32 */
static uint32_t mul_for(uint64_t khz, int shift)
{
    long double f = 1e6L / (long double)khz;   /* ns per tick */
    f = shift >= 0 ? f / (long double)(1ull << shift) : f * (long double)(1ull << -shift);
    return (uint32_t)(f * 4294967296.0L);
}

KTEST(exact_one_to_one)
{
    /* 1 GHz TSC: mul = 1.0 in 32.32 needs shift 1 and mul 2^31 */
    EXPECT_EQ(libos_tsc_to_ns(1000, 1, 0x80000000u), 1000);
    EXPECT_EQ(libos_tsc_to_ns(0, 1, 0x80000000u), 0);
}

KTEST(shift_directions)
{
    EXPECT_EQ(libos_tsc_to_ns(1000, 2, 0x40000000u), 1000);   /* x4 x0.25 */
    EXPECT_EQ(libos_tsc_to_ns(1000, -1, 0xffffffffu), 499);    /* /2 x~1 */
    EXPECT_EQ(libos_tsc_to_ns(12345, 0, 0), 0);
}

KTEST(matches_reference_for_real_frequencies)
{
    static const uint64_t khz[] = { 1000000, 2400000, 3600000, 2995213, 800000 };
    static const uint64_t deltas[] = { 1, 977, 3000000, 2400000000ull,
                                       86400ull * 3000000000ull };

    for (unsigned i = 0; i < sizeof(khz) / sizeof(khz[0]); i++) {
        uint32_t mul = mul_for(khz[i], -1);
        for (unsigned j = 0; j < sizeof(deltas) / sizeof(deltas[0]); j++) {
            long double want = (long double)(deltas[j] >> 1) * mul / 4294967296.0L;
            uint64_t got = libos_tsc_to_ns(deltas[j], -1, mul);
            EXPECT(got <= (uint64_t)want + 1 && got + 1 >= (uint64_t)want);
        }
    }
}

KTEST(one_day_at_3ghz_is_one_day)
{
    uint32_t mul = mul_for(3000000, -1);
    uint64_t ns = libos_tsc_to_ns(86400ull * 3000000000ull, -1, mul);
    uint64_t day = 86400ull * 1000000000ull;

    /* 32-bit mul: relative error below 2^-31 */
    EXPECT(ns <= day && day - ns < day / 1000000000ull + 1000);
}

KTEST(no_overflow_for_huge_deltas)
{
    /* the 128-bit product must not wrap: delta * mul > 2^64 */
    EXPECT_EQ(libos_tsc_to_ns(1ull << 62, 0, 0x80000000u), 1ull << 61);
}

KTEST(absurd_shift_is_zero_not_undefined)
{
    EXPECT_EQ(libos_tsc_to_ns(1000, 64, 1), 0);
    EXPECT_EQ(libos_tsc_to_ns(1000, -100, 1), 0);
}

KTEST(ns_split)
{
    uint64_t s;
    uint32_t n;

    libos_ns_split(1999999999ull, &s, &n);
    EXPECT_EQ(s, 1);
    EXPECT_EQ(n, 999999999);
    libos_ns_split(UINT64_MAX, &s, &n);
    EXPECT_EQ(s, UINT64_MAX / 1000000000ull);
    EXPECT_EQ(n, UINT64_MAX % 1000000000ull);
}

KTEST(timespec_to_ns)
{
    uint64_t ns = 7;

    EXPECT_EQ(libos_ts_to_ns(2, 5, &ns), 0);
    EXPECT_EQ(ns, 2000000005ull);
    EXPECT_EQ(libos_ts_to_ns(0, 999999999, &ns), 0);
    EXPECT_EQ(ns, 999999999);
    EXPECT_EQ(libos_ts_to_ns(0, 1000000000, &ns), -KEEL_EINVAL);
    EXPECT_EQ(libos_ts_to_ns(0, -1, &ns), -KEEL_EINVAL);
    EXPECT_EQ(libos_ts_to_ns(-1, 0, &ns), -KEEL_EINVAL);
    EXPECT_EQ(libos_ts_to_ns(INT64_MAX, 999999999, &ns), 0);
    EXPECT(ns == UINT64_MAX);   /* saturates: "sleep forever" */
}

KTEST_MAIN(KTEST_CASE(exact_one_to_one), KTEST_CASE(shift_directions),
           KTEST_CASE(matches_reference_for_real_frequencies),
           KTEST_CASE(one_day_at_3ghz_is_one_day), KTEST_CASE(no_overflow_for_huge_deltas),
           KTEST_CASE(absurd_shift_is_zero_not_undefined), KTEST_CASE(ns_split),
           KTEST_CASE(timespec_to_ns))
