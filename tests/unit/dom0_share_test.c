/*
 * dom0/share.c: which pages of a guest image are shared from its boot
 * module and which are copied.  Segments are described directly (an
 * image_info as image_check would fill it), so every edge can be placed.
 */
#include "ktest.h"
#include "../../dom0/share.c"

static struct image_info info;

static void seg(unsigned i, uint32_t flags, uint64_t off, uint64_t va,
                uint64_t filesz, uint64_t memsz)
{
    info.seg[i] = (struct image_seg){ va, off, filesz, memsz, flags };
    if (info.nsegs <= i)
        info.nsegs = i + 1;
}

/* keel.ld's shape: text, rodata, data each from a page boundary */
static void linked(void)
{
    memset(&info, 0, sizeof(info));
    seg(0, ELF_PF_R | ELF_PF_X, 0x1000, 0x400000, 0x5123, 0x5123);
    seg(1, ELF_PF_R, 0x7000, 0x406000, 0x2800, 0x2800);
    seg(2, ELF_PF_R | ELF_PF_W, 0xa000, 0x409000, 0x100, 0x4000);
}

KTEST(text_and_rodata_whole_pages)
{
    struct share_run r;

    linked();
    EXPECT(share_run(&info, 0, &r));
    EXPECT_EQ(r.gva, 0x400000);
    EXPECT_EQ(r.npages, 5);             /* 0x405000 holds the last 0x123 */
    EXPECT_EQ(r.offset, 1);
    EXPECT_EQ(r.rights, KEEL_RIGHT_R | KEEL_RIGHT_X);
    EXPECT(share_run(&info, 1, &r));
    EXPECT_EQ(r.gva, 0x406000);
    EXPECT_EQ(r.npages, 2);             /* 0x408000 is half file bytes */
    EXPECT_EQ(r.offset, 7);
    EXPECT_EQ(r.rights, KEEL_RIGHT_R);
    EXPECT(!share_run(&info, 2, &r));   /* writable: always copied */
    EXPECT(!share_run(&info, 3, &r));   /* no such segment */
}

KTEST(unaligned_start_skips_first_page)
{
    struct share_run r;

    linked();
    seg(0, ELF_PF_R | ELF_PF_X, 0x1080, 0x400080, 0x4000, 0x4000);
    EXPECT(share_run(&info, 0, &r));
    EXPECT_EQ(r.gva, 0x401000);
    EXPECT_EQ(r.npages, 3);             /* 0x401000 .. 0x404000 */
    EXPECT_EQ(r.offset, 2);             /* 0x1080 + 0xf80 = 0x2000 */
}

KTEST(offset_and_vaddr_disagree)
{
    struct share_run r;

    linked();
    seg(0, ELF_PF_R | ELF_PF_X, 0x1010, 0x400000, 0x5000, 0x5000);
    EXPECT(!share_run(&info, 0, &r));
}

KTEST(nothing_whole_or_bss_only)
{
    struct share_run r;

    linked();
    seg(1, ELF_PF_R, 0x7000, 0x406000, 0xfff, 0x3000);   /* < one page of file */
    EXPECT(!share_run(&info, 1, &r));
    seg(1, ELF_PF_R, 0x7000, 0x406000, 0, 0x3000);       /* memory only */
    EXPECT(!share_run(&info, 1, &r));
    seg(1, ELF_PF_X, 0x7000, 0x406000, 0x2000, 0x2000);  /* not readable */
    EXPECT(!share_run(&info, 1, &r));
}

/* A page another segment touches keeps the union of rights: copied. */
KTEST(pages_touched_by_neighbours_are_copied)
{
    struct share_run r;

    memset(&info, 0, sizeof(info));
    seg(0, ELF_PF_R | ELF_PF_X, 0x1000, 0x400000, 0x3000, 0x3000);
    seg(1, ELF_PF_R, 0x4000, 0x403000, 0x3000, 0x3000);
    seg(2, ELF_PF_R | ELF_PF_W, 0x6800, 0x405800, 0x800, 0x1800);
    EXPECT(share_run(&info, 0, &r));
    EXPECT_EQ(r.npages, 3);             /* untouched: ends on a boundary */
    EXPECT(share_run(&info, 1, &r));
    EXPECT_EQ(r.gva, 0x403000);
    EXPECT_EQ(r.npages, 2);             /* 0x405000 is data's too */
    seg(0, ELF_PF_R | ELF_PF_X, 0x1000, 0x400000, 0x3000, 0x3100);
    EXPECT(share_run(&info, 1, &r));
    EXPECT_EQ(r.gva, 0x404000);         /* 0x403000 is text's bss too */
    EXPECT_EQ(r.npages, 1);
    EXPECT_EQ(r.offset, 5);
    seg(2, ELF_PF_R | ELF_PF_W, 0x5800, 0x404800, 0x800, 0x1800);
    EXPECT(!share_run(&info, 1, &r));   /* nothing left */
}

KTEST_MAIN(KTEST_CASE(text_and_rodata_whole_pages),
           KTEST_CASE(unaligned_start_skips_first_page),
           KTEST_CASE(offset_and_vaddr_disagree),
           KTEST_CASE(nothing_whole_or_bss_only),
           KTEST_CASE(pages_touched_by_neighbours_are_copied))
