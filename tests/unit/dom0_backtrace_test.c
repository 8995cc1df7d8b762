/*
 * dom0/backtrace.c: walking an rbp chain in a fake guest stack, and every
 * way a corrupt chain must end the walk (and never loop).
 */
#include "ktest.h"
#include "../../dom0/backtrace.c"

#define LO 0x7f0000ull
static uint64_t stack[512];              /* guest [LO, LO + 4096) */
static int reads;

static int rd(void *ctx, uint64_t addr, uint64_t *val)
{
    (void)ctx;
    reads++;
    if (addr < LO || addr + 8 > LO + sizeof(stack) || (addr & 7))
        return -1;
    *val = stack[(addr - LO) / 8];
    return 0;
}

static void frame(uint64_t at, uint64_t next, uint64_t ret)
{
    stack[(at - LO) / 8] = next;
    stack[(at - LO) / 8 + 1] = ret;
}

static unsigned walk(uint64_t rbp, uint64_t *pcs, unsigned max)
{
    return backtrace_walk(rbp, LO, LO + sizeof(stack), rd, NULL, pcs, max);
}

KTEST(three_frames)
{
    uint64_t pcs[8];

    memset(stack, 0, sizeof(stack));
    frame(LO + 0x100, LO + 0x200, 0x401500);
    frame(LO + 0x200, LO + 0x300, 0x401600);
    frame(LO + 0x300, 0, 0x401700);
    EXPECT_EQ(walk(LO + 0x100, pcs, 8), 3);
    EXPECT_EQ(pcs[0], 0x401500);
    EXPECT_EQ(pcs[1], 0x401600);
    EXPECT_EQ(pcs[2], 0x401700);
}

KTEST(stops_on_bad_pointers)
{
    uint64_t pcs[8];

    memset(stack, 0, sizeof(stack));
    EXPECT_EQ(walk(0, pcs, 8), 0);                   /* null */
    EXPECT_EQ(walk(LO + 0x101, pcs, 8), 0);          /* misaligned */
    EXPECT_EQ(walk(LO - 0x10, pcs, 8), 0);           /* below range */
    EXPECT_EQ(walk(LO + sizeof(stack) - 8, pcs, 8), 0);  /* frame past top */
    EXPECT_EQ(walk(UINT64_MAX - 7, pcs, 8), 0);
    frame(LO + 0x100, LO + 0x100, 0x401500);         /* self loop */
    EXPECT_EQ(walk(LO + 0x100, pcs, 8), 1);
    frame(LO + 0x100, LO + 0x80, 0x401500);          /* goes down */
    EXPECT_EQ(walk(LO + 0x100, pcs, 8), 1);
    frame(LO + 0x100, LO + 0x200, 0);                /* zero return address */
    EXPECT_EQ(walk(LO + 0x100, pcs, 8), 0);
    frame(LO + 0x100, LO + 0x200, 0x401500);
    EXPECT_EQ(walk(LO + 0x100, pcs, 0), 0);
}

KTEST(depth_is_bounded)
{
    uint64_t pcs[16];

    for (uint64_t at = LO; at + 16 <= LO + sizeof(stack); at += 16)
        frame(at, at + 16, 0x400000 + at - LO);
    reads = 0;
    EXPECT_EQ(walk(LO, pcs, 16), 16);
    EXPECT(reads <= 2 * 16);
}

KTEST_MAIN(KTEST_CASE(three_frames), KTEST_CASE(stops_on_bad_pointers),
           KTEST_CASE(depth_is_bounded))
