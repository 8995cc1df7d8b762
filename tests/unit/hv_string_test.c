/*
 * The hypervisor's memcpy (hv/lib/string.c), which grant copies go
 * through: 64-byte blocks, then quads, then bytes.  Every length across
 * the block and quad edges, at every source and destination misalignment,
 * lands exactly and touches nothing past its end; memmove's overlapping
 * forward case (which uses memcpy) too.  Renamed so the host's own string
 * functions stay the host's.
 */
#include <stdint.h>
#include <string.h>
#include "ktest.h"

#define memcpy hv_memcpy
#define memmove hv_memmove
#define memset hv_memset
#define memcmp hv_memcmp
#define strlen hv_strlen
#define strnlen hv_strnlen
#define strcmp hv_strcmp
#define strncmp hv_strncmp
#include "../../hv/lib/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp

static uint8_t src[1024], dst[1024], want[1024];

static void fill(void)
{
    for (unsigned i = 0; i < sizeof(src); i++)
        src[i] = (uint8_t)(i * 7 + 3);
    memset(dst, 0x5a, sizeof(dst));
    memset(want, 0x5a, sizeof(want));
}

KTEST(memcpy_every_length_and_alignment)
{
    unsigned bad = 0;

    for (unsigned so = 0; so < 8; so++)
        for (unsigned d0 = 0; d0 < 8; d0++)
            for (unsigned n = 0; n <= 300; n++) {
                fill();
                memcpy(want + d0, src + so, n);
                void *r = hv_memcpy(dst + d0, src + so, n);
                bad += r != dst + d0 || memcmp(dst, want, sizeof(dst)) != 0;
            }
    EXPECT_EQ(bad, 0);
    fill();
    hv_memcpy(dst, src, 45056 > sizeof(dst) ? sizeof(dst) : 45056);
    EXPECT(memcmp(dst, src, sizeof(dst)) == 0);
}

KTEST(memmove_overlapping_forward)
{
    unsigned bad = 0;

    for (unsigned gap = 1; gap < 80; gap++) {
        fill();
        memcpy(want, src, sizeof(want));
        memmove(want, want + gap, 500);
        uint8_t buf[1024];
        memcpy(buf, src, sizeof(buf));
        hv_memmove(buf, buf + gap, 500);
        bad += memcmp(buf, want, sizeof(buf)) != 0;
    }
    EXPECT_EQ(bad, 0);
}

KTEST_MAIN(KTEST_CASE(memcpy_every_length_and_alignment), KTEST_CASE(memmove_overlapping_forward))
