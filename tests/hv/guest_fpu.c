/*
 * FPU state across preemption.  Each round loads a pattern unique to this
 * domain and round into xmm0-15 (ymm0-15 when AVX is on) and MXCSR, spins
 * long enough to be preempted now and then by the other guests doing the
 * same, and checks that every bit came back.  All in one asm block, so the
 * compiler cannot touch the registers in between.
 */
#include "tlib.h"

#define SPIN 200000

static int have_avx(void)
{
    uint32_t a, b, c, d, lo, hi;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (!(c & (1u << 28)) || !(c & (1u << 27)))
        return 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & 6) == 6;
}

#define REGS16(op, base) \
    op " 0x000(" base "), %%ymm0\n" op " 0x020(" base "), %%ymm1\n" \
    op " 0x040(" base "), %%ymm2\n" op " 0x060(" base "), %%ymm3\n" \
    op " 0x080(" base "), %%ymm4\n" op " 0x0a0(" base "), %%ymm5\n" \
    op " 0x0c0(" base "), %%ymm6\n" op " 0x0e0(" base "), %%ymm7\n" \
    op " 0x100(" base "), %%ymm8\n" op " 0x120(" base "), %%ymm9\n" \
    op " 0x140(" base "), %%ymm10\n" op " 0x160(" base "), %%ymm11\n" \
    op " 0x180(" base "), %%ymm12\n" op " 0x1a0(" base "), %%ymm13\n" \
    op " 0x1c0(" base "), %%ymm14\n" op " 0x1e0(" base "), %%ymm15\n"
#define STORE16(base) \
    "vmovdqu %%ymm0, 0x000(" base ")\nvmovdqu %%ymm1, 0x020(" base ")\n" \
    "vmovdqu %%ymm2, 0x040(" base ")\nvmovdqu %%ymm3, 0x060(" base ")\n" \
    "vmovdqu %%ymm4, 0x080(" base ")\nvmovdqu %%ymm5, 0x0a0(" base ")\n" \
    "vmovdqu %%ymm6, 0x0c0(" base ")\nvmovdqu %%ymm7, 0x0e0(" base ")\n" \
    "vmovdqu %%ymm8, 0x100(" base ")\nvmovdqu %%ymm9, 0x120(" base ")\n" \
    "vmovdqu %%ymm10, 0x140(" base ")\nvmovdqu %%ymm11, 0x160(" base ")\n" \
    "vmovdqu %%ymm12, 0x180(" base ")\nvmovdqu %%ymm13, 0x1a0(" base ")\n" \
    "vmovdqu %%ymm14, 0x1c0(" base ")\nvmovdqu %%ymm15, 0x1e0(" base ")\n"

static void round_avx(const uint8_t *in, uint8_t *out, uint32_t *mxcsr)
{
    __asm__ volatile("ldmxcsr (%2)\n" REGS16("vmovdqu", "%0")
                     "mov $" "200000" ", %%rcx\n1: dec %%rcx\n jnz 1b\n"
                     STORE16("%1") "stmxcsr (%2)\n"
                     : : "r"(in), "r"(out), "r"(mxcsr) : "rcx", "memory", "cc");
}

/* SSE only: the low 128 bits of the same layout. */
static void round_sse(const uint8_t *in, uint8_t *out, uint32_t *mxcsr)
{
    for (int r = 0; r < 16; r++) {
        /* one register at a time is enough without AVX: xmm15 holds it */
        __asm__ volatile("ldmxcsr (%2)\nmovdqu (%0), %%xmm15\n"
                         "mov $" "12500" ", %%rcx\n1: dec %%rcx\n jnz 1b\n"
                         "movdqu %%xmm15, (%1)\nstmxcsr (%2)\n"
                         : : "r"(in + 32 * r), "r"(out + 32 * r), "r"(mxcsr)
                         : "rcx", "xmm15", "memory", "cc");
    }
}

int fpu_torture(uint32_t domid, unsigned ms)
{
    static uint8_t in[512], out[512];
    uint64_t end = now_ns() + (uint64_t)ms * 1000000;
    int avx = have_avx(), bad = 0;
    unsigned rounds = 0;

    for (; now_ns() < end || rounds < 4; rounds++) {
        uint32_t mx = 0x1f80 | ((rounds & 3) << 13), want = mx;   /* rounding mode */
        for (unsigned i = 0; i < sizeof(in); i++)
            in[i] = (uint8_t)(domid * 131 + rounds * 7 + i);
        memset(out, 0, sizeof(out));
        if (avx)
            round_avx(in, out, &mx);
        else
            round_sse(in, out, &mx);
        for (unsigned i = 0; i < sizeof(in); i++)
            if (out[i] != in[i] && (avx || i % 32 < 16))
                bad++;
        bad += mx != want;
    }
    outf("guest %u: fpu %s, %u rounds, %d bad bytes\n", domid, avx ? "avx" : "sse", rounds, bad);
    return bad ? 1 : 0;
}
