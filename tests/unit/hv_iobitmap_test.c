/*
 * The TSS I/O permission bitmap (hv/arch/x86_64/iobitmap.c): exactly the
 * lent ports open, nothing else; closing the span a domain opened leaves
 * none of its ports open for the next domain; ranges that run past port
 * 0xffff are clipped, empty ones change nothing.
 */
#include "ktest.h"
#include "../../hv/arch/x86_64/iobitmap.c"

static uint8_t bm[IO_BITMAP_BYTES];

static int port_open(unsigned p)
{
    return !(bm[p / 8] >> (p % 8) & 1);
}

static unsigned open_ports(void)
{
    unsigned n = 0;

    for (unsigned p = 0; p < 0x10000; p++)
        n += port_open(p);
    return n;
}

KTEST(exactly_the_ranges)
{
    const struct pci_port_range r[] = { { 0xc040, 0x20 }, { 0xc0a3, 5 } };
    unsigned lo, hi;

    memset(bm, 0xff, sizeof(bm));
    iobitmap_open(bm, r, 2, &lo, &hi);
    EXPECT_EQ(open_ports(), 0x25);
    EXPECT(port_open(0xc040) && port_open(0xc05f) && !port_open(0xc060));
    EXPECT(!port_open(0xc03f) && !port_open(0xc0a2) && port_open(0xc0a3));
    EXPECT(port_open(0xc0a7) && !port_open(0xc0a8));
    EXPECT_EQ(lo, 0xc040 / 8);
    EXPECT_EQ(hi, 0xc0a7 / 8 + 1);
}

KTEST(closing_the_span_closes_everything)
{
    const struct pci_port_range a[] = { { 0xc000, 0x40 } }, b[] = { { 0xd010, 8 } };
    unsigned lo, hi;

    memset(bm, 0xff, sizeof(bm));
    iobitmap_open(bm, a, 1, &lo, &hi);
    iobitmap_close(bm, lo, hi);
    EXPECT_EQ(open_ports(), 0);
    iobitmap_open(bm, b, 1, &lo, &hi);
    EXPECT_EQ(open_ports(), 8);
    EXPECT(!port_open(0xc000));
}

KTEST(clipped_and_empty_ranges)
{
    const struct pci_port_range r[] = { { 0xfff8, 0x100 }, { 0x2000, 0 } };
    unsigned lo, hi;

    memset(bm, 0xff, sizeof(bm));
    iobitmap_open(bm, r, 2, &lo, &hi);
    EXPECT_EQ(open_ports(), 8);
    EXPECT_EQ(lo, 0xfff8 / 8);
    EXPECT_EQ(hi, IO_BITMAP_BYTES);
    iobitmap_close(bm, lo, hi);
    iobitmap_open(bm, r + 1, 1, &lo, &hi);
    EXPECT_EQ(open_ports(), 0);
    EXPECT_EQ(lo, 0);
    EXPECT_EQ(hi, 0);
    iobitmap_close(bm, 0, IO_BITMAP_BYTES + 100);     /* never past the end */
}

KTEST_MAIN(KTEST_CASE(exactly_the_ranges), KTEST_CASE(closing_the_span_closes_everything),
           KTEST_CASE(clipped_and_empty_ranges))
