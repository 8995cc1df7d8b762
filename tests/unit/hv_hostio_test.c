/*
 * The hypervisor's one-time check of the host I/O header
 * (hv/arch/x86_64/hostio_check.c): the launcher's own layout passes, and
 * every hostile variant (wrong magic or version, sizes that disagree with
 * the BAR, rings outside it, unaligned, not a power of two, overlapping,
 * offsets that overflow) is refused.
 */
#include <stdlib.h>

#include "ktest.h"
#include "../../hv/arch/x86_64/hostio_check.c"
#include "../../tools/keel/record.c"
#include "../../tools/keel/hostio.c"

static struct keel_hostio_header *good(void)
{
    static uint8_t *mem;
    if (!mem)
        mem = malloc(KEEL_HOSTIO_TOTAL_SIZE);
    keel_hostio_layout(mem);
    return (void *)mem;
}

KTEST(launcher_layout_passes)
{
    EXPECT(hostio_layout_error(good(), KEEL_HOSTIO_TOTAL_SIZE) == NULL);
}

KTEST(identity_checked)
{
    struct keel_hostio_header *h = good();
    h->magic ^= 1;
    EXPECT(hostio_layout_error(h, KEEL_HOSTIO_TOTAL_SIZE) != NULL);
    h = good();
    h->version = KEEL_HOSTIO_VERSION + 1;
    EXPECT(hostio_layout_error(h, KEEL_HOSTIO_TOTAL_SIZE) != NULL);
}

KTEST(sizes_must_match_the_bar)
{
    struct keel_hostio_header *h = good();
    EXPECT(hostio_layout_error(h, KEEL_HOSTIO_TOTAL_SIZE / 2) != NULL);
    EXPECT(hostio_layout_error(h, KEEL_HOSTIO_TOTAL_SIZE * 2) != NULL);
    h->hdr_size = 64;
    EXPECT(hostio_layout_error(h, KEEL_HOSTIO_TOTAL_SIZE) != NULL);
}

KTEST(rings_must_fit)
{
    struct keel_hostio_header *h = good();
    const uint64_t bar = KEEL_HOSTIO_TOTAL_SIZE;
    h->in_size = 2u << 20;                  /* past the end */
    EXPECT(hostio_layout_error(h, bar) != NULL);
    h = good();
    h->out_size = 3u << 19;                 /* not a power of two */
    EXPECT(hostio_layout_error(h, bar) != NULL);
    h = good();
    h->out_size = 0;
    EXPECT(hostio_layout_error(h, bar) != NULL);
    h = good();
    h->out_offset = 0;                      /* over the header */
    EXPECT(hostio_layout_error(h, bar) != NULL);
    h = good();
    h->in_offset += 8;                      /* unaligned */
    EXPECT(hostio_layout_error(h, bar) != NULL);
    h = good();
    h->in_offset = h->out_offset + 4096;    /* overlap */
    EXPECT(hostio_layout_error(h, bar) != NULL);
    h = good();
    h->in_offset = 0xfffff000u;             /* 32-bit overflow of off + size */
    EXPECT(hostio_layout_error(h, bar) != NULL);
}

KTEST_MAIN(KTEST_CASE(launcher_layout_passes), KTEST_CASE(identity_checked),
           KTEST_CASE(sizes_must_match_the_bar), KTEST_CASE(rings_must_fit))
