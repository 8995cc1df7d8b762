/*
 * Time: the TSC, calibrated against the PIT, is the one clock.  Monotonic
 * nanoseconds since boot are computed exactly as keel/shared_info.h tells
 * guests to, from the same (tsc_base, mul, shift), so the hypervisor and
 * every guest agree on "now".  The TSC is assumed invariant and in step on
 * all CPUs (true of the machines and of QEMU we run on).
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include "x86.h"

#define PIT_HZ 1193182ull
#define CAL_MS 20

static uint64_t tsc_base, tsc_khz;
static uint32_t tsc_mul;
static int8_t tsc_shift;

/* TSC ticks during CAL_MS, timed by PIT channel 2 in one-shot mode with
 * its gate driven through port 0x61. */
static uint64_t measure_once(void)
{
    uint16_t count = (uint16_t)(PIT_HZ * CAL_MS / 1000);
    uint8_t gate = inb(0x61);
    uint64_t t0, t1, spins = 0;

    outb(0x61, (gate & ~0x02) | 0x01);   /* speaker off, gate on */
    outb(0x43, 0xb0);                    /* ch 2, lo/hi, mode 0 */
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    t0 = rdtsc();
    while (!(inb(0x61) & 0x20) && ++spins < 100000000ull)
        ;
    t1 = rdtsc();
    outb(0x61, gate);
    return t1 - t0;
}

/* ns = (delta << shift or >> -shift) * mul >> 32 */
static void compute_scale(uint64_t khz)
{
    uint64_t hz = khz * 1000;
    int shift = 0;

    /* scaled rate in (1 GHz, 2 GHz]: ratio 1e9/hz in [1/2, 1), so mul
     * fits 32 bits and keeps 31 significant ones */
    while (hz > 2000000000ull) {
        hz >>= 1;
        shift--;
    }
    while (hz <= 1000000000ull) {
        hz <<= 1;
        shift++;
    }
    tsc_mul = (uint32_t)((1000000000ull << 32) / hz);   /* < 2^63: no overflow */
    tsc_shift = (int8_t)shift;
}

void time_init(void)
{
    uint64_t best = ~0ull;

    for (int i = 0; i < 3; i++) {      /* shortest: least disturbed */
        uint64_t t = measure_once();
        if (t < best)
            best = t;
    }
    tsc_khz = best / CAL_MS;
    if (tsc_khz < 1000)
        panic("TSC calibration failed (%lu ticks in %d ms)", best, CAL_MS);
    compute_scale(tsc_khz);
    tsc_base = rdtsc();
    printk("tsc: %lu.%03lu MHz, mul %u shift %d", tsc_khz / 1000,
           tsc_khz % 1000, tsc_mul, tsc_shift);
}

uint64_t hv_now_ns(void)
{
    uint64_t d = rdtsc() - tsc_base;

    if ((int64_t)d < 0)     /* a CPU whose TSC lags the boot CPU's by a hair */
        return 0;
    d = tsc_shift >= 0 ? d << tsc_shift : d >> -tsc_shift;
    return (uint64_t)(((unsigned __int128)d * tsc_mul) >> 32);
}

void arch_time_params(uint64_t *base, uint32_t *mul, int8_t *shift)
{
    *base = tsc_base;
    *mul = tsc_mul;
    *shift = tsc_shift;
}

uint64_t arch_tsc_khz(void) { return tsc_khz; }

void time_delay_us(uint64_t us)
{
    uint64_t end = rdtsc() + us * tsc_khz / 1000;

    while ((int64_t)(rdtsc() - end) < 0)
        cpu_relax();
}
