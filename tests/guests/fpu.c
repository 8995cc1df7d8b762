/*
 * Floating point under preemption.  Eight lanes of the logistic map
 * x <- r x (1 - x) (chaotic: one wrong bit anywhere changes every later
 * value) with a running sum per lane, kept in vector registers for the
 * whole loop: four xmm pairs in the SSE build, two ymm pairs with -mavx2.
 * Every operation is exactly rounded and lane-wise, so the SSE build, the
 * AVX build and the host builds must all print the same bits.
 *
 *   fpu SEED ITERATIONS      (the lanes' start depends on SEED and argv[0],
 *                             so guests of one run compute different things)
 */
#include <immintrin.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LANES 8
#define ROUNDS 8

#ifdef __AVX2__
#define W 4
typedef __m256d vec;
#define vset1(a) _mm256_set1_pd(a)
#define vload(p) _mm256_loadu_pd(p)
#define vstore(p, v) _mm256_storeu_pd(p, v)
#define vmul(a, b) _mm256_mul_pd(a, b)
#define vsub(a, b) _mm256_sub_pd(a, b)
#define vadd(a, b) _mm256_add_pd(a, b)
#define VARIANT "avx2"
#else
#define W 2
typedef __m128d vec;
#define vset1(a) _mm_set1_pd(a)
#define vload(p) _mm_loadu_pd(p)
#define vstore(p, v) _mm_storeu_pd(p, v)
#define vmul(a, b) _mm_mul_pd(a, b)
#define vsub(a, b) _mm_sub_pd(a, b)
#define vadd(a, b) _mm_add_pd(a, b)
#define VARIANT "sse2"
#endif
#define NV (LANES / W)

static uint64_t bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    return u;
}

/* One round: n iterations with x, s and r in registers throughout. */
static __attribute__((noinline)) void round_of(double *x, double *s, const double *r, long n)
{
    vec vx[NV], vs[NV], vr[NV];
    const vec one = vset1(1.0);
    for (int v = 0; v < NV; v++) {
        vx[v] = vload(x + v * W);
        vs[v] = vload(s + v * W);
        vr[v] = vload(r + v * W);
    }
    for (long k = 0; k < n; k++) {
        for (int v = 0; v < NV; v++) {
            vx[v] = vmul(vmul(vr[v], vx[v]), vsub(one, vx[v]));
            vs[v] = vadd(vs[v], vx[v]);
        }
    }
    for (int v = 0; v < NV; v++) {
        vstore(x + v * W, vx[v]);
        vstore(s + v * W, vs[v]);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fpu SEED ITERATIONS\n");
        return 2;
    }
    long seed = atol(argv[1]), iters = atol(argv[2]);
    for (const char *c = argv[0]; *c; c++)
        seed = seed * 31 + (unsigned char)*c;
    seed %= 1000;
    double x[LANES], s[LANES], r[LANES];
    for (int i = 0; i < LANES; i++) {
        x[i] = 0.1 + 0.1 * i + 0.001 * (double)seed;
        s[i] = 0;
        r[i] = 3.7 + 0.03 * i;
    }
    fprintf(stderr, "fpu %s seed %ld\n", VARIANT, seed);
    for (int k = 0; k < ROUNDS; k++) {
        round_of(x, s, r, iters / ROUNDS);
        uint64_t h = 0;
        for (int i = 0; i < LANES; i++)
            h = h * 1000003u ^ bits(x[i]) ^ (bits(s[i]) << 1);
        printf("round %d %016" PRIx64 "\n", k, h);
    }
    for (int i = 0; i < LANES; i++)
        printf("lane %d x=%016" PRIx64 " s=%016" PRIx64 "\n", i, bits(x[i]), bits(s[i]));
    return 0;
}
