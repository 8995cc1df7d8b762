/*
 * lib/image/layout.c: the start-of-day layout both builders share, and the
 * page rights of a checked image's segments.
 */
#include "ktest.h"
#include "../../lib/image/layout.c"

#define BASE KEEL_GUEST_BASE
#define MiB (1ull << 20)

KTEST(pieces_in_order)
{
    struct image_layout l;

    EXPECT_EQ(image_layout(BASE + 0x5123, MiB, 64 << 10, 100, 3, &l), 0);
    EXPECT_EQ(l.info_va, BASE + 0x6000);          /* page after segments */
    EXPECT_EQ(l.extra_va, BASE + 0x7000);         /* 100 bytes: one page */
    EXPECT_EQ(l.heap_start, BASE + 0xa000);       /* after 3 extra pages */
    EXPECT_EQ(l.stack_top, BASE + MiB);
    EXPECT_EQ(l.heap_end, BASE + MiB - (64 << 10) - 4096);
    EXPECT_EQ(image_layout(BASE + 0x5123, MiB, 64 << 10, 4097, 0, &l), 0);
    EXPECT_EQ(l.heap_start, BASE + 0x8000);       /* 4097 bytes: two */
}

KTEST(exact_fit_and_one_byte_more)
{
    struct image_layout l;

    /* 3 pages of image, 1 of info, 1 extra, guard, 2 of stack = 8 */
    EXPECT_EQ(image_layout(BASE + 0x3000, 0x8000, 0x2000, 4096, 1, &l), 0);
    EXPECT_EQ(l.heap_start, l.heap_end);          /* an empty heap */
    EXPECT_EQ(image_layout(BASE + 0x3000, 0x8000, 0x2000, 4097, 1, &l), -1);
    EXPECT_EQ(image_layout(BASE + 0x3000, 0x8000, 0x2000, 4096, 2, &l), -1);
    EXPECT_EQ(image_layout(BASE + 0x3001, 0x8000, 0x2000, 4096, 1, &l), -1);
}

KTEST(hostile_inputs_cannot_wrap)
{
    struct image_layout l;

    EXPECT_EQ(image_layout(BASE, 0, 0, 0, 0, &l), -1);
    EXPECT_EQ(image_layout(BASE, MiB + 1, 4096, 0, 0, &l), -1);
    EXPECT_EQ(image_layout(BASE, KEEL_GUEST_MAX_BYTES + 4096, 4096, 0, 0, &l),
              -1);
    EXPECT_EQ(image_layout(BASE, MiB, MiB, 0, 0, &l), -1);       /* stack */
    EXPECT_EQ(image_layout(BASE, MiB, 4097, 0, 0, &l), -1);
    EXPECT_EQ(image_layout(BASE - 1, MiB, 4096, 0, 0, &l), -1);  /* image */
    EXPECT_EQ(image_layout(UINT64_MAX, MiB, 4096, 0, 0, &l), -1);
    EXPECT_EQ(image_layout(BASE, MiB, 4096, UINT64_MAX, 0, &l), -1);
    EXPECT_EQ(image_layout(BASE, MiB, 4096, UINT64_MAX - 4000, 0, &l), -1);
    EXPECT_EQ(image_layout(BASE, MiB, 4096, 0, UINT64_MAX, &l), -1);
    EXPECT_EQ(image_layout(BASE, MiB, 4096, 0, UINT64_MAX / 4096 + 1, &l), -1);
    /* the largest memory: every piece at its bound still adds up */
    EXPECT_EQ(image_layout(BASE + KEEL_GUEST_MAX_BYTES, KEEL_GUEST_MAX_BYTES,
                           KEEL_GUEST_MAX_BYTES - 4096, KEEL_GUEST_MAX_BYTES,
                           KEEL_GUEST_MAX_BYTES / 4096, &l), -1);
}

KTEST(segment_rights)
{
    EXPECT_EQ(image_seg_rights(ELF_PF_R | ELF_PF_X), KEEL_RIGHT_R | KEEL_RIGHT_X);
    EXPECT_EQ(image_seg_rights(ELF_PF_R), KEEL_RIGHT_R);
    EXPECT_EQ(image_seg_rights(ELF_PF_R | ELF_PF_W), KEEL_RIGHT_R | KEEL_RIGHT_W);
    EXPECT_EQ(image_seg_rights(0), KEEL_RIGHT_R);   /* always readable */
    EXPECT_EQ(image_seg_rights(ELF_PF_X), KEEL_RIGHT_R | KEEL_RIGHT_X);
}

KTEST(page_rights)
{
    static struct image_info img = {
        .nsegs = 2,
        .seg = { { BASE, 0x1000, 0x40, 0x40, ELF_PF_R | ELF_PF_X },
                 { BASE + 0x1000, 0, 0, 0x2000, ELF_PF_R | ELF_PF_W } },
    };

    EXPECT_EQ(image_page_rights(&img, BASE), KEEL_RIGHT_R | KEEL_RIGHT_X);
    EXPECT_EQ(image_page_rights(&img, BASE + 0x2000), KEEL_RIGHT_R | KEEL_RIGHT_W);
    EXPECT_EQ(image_page_rights(&img, BASE + 0x3000), 0);       /* past them */
    EXPECT_EQ(image_page_rights(&img, BASE - 0x1000), 0);
}

KTEST_MAIN(KTEST_CASE(pieces_in_order), KTEST_CASE(exact_fit_and_one_byte_more),
           KTEST_CASE(hostile_inputs_cannot_wrap), KTEST_CASE(segment_rights),
           KTEST_CASE(page_rights))
