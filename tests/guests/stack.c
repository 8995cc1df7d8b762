/*
 * A guest's stack, built with default options (a 256 KiB stack, of which
 * the builder backs only the top; the hypervisor backs each further page
 * when the guest first touches it, docs/memory.md):
 *
 *   deep KIB   recursion through KIB KiB of stack, each frame checking the
 *              bytes it wrote once the frames below it are gone; prints
 *              "deep KIB KiB: ok" (or how many bytes were wrong)
 *   overflow   recursion without end: dies of a page fault on the guard
 *              page below the stack, and dom0 says it was a stack overflow
 *   hold MS    prints "holding" and sleeps MS ms (an idle guest)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FRAME 1024

static long __attribute__((noinline)) descend(unsigned depth)
{
    volatile unsigned char frame[FRAME];
    long bad;

    for (unsigned i = 0; i < FRAME; i++)
        frame[i] = (unsigned char)(depth * 7 + i);
    bad = depth ? descend(depth - 1) : 0;
    for (unsigned i = 0; i < FRAME; i++)
        bad += frame[i] != (unsigned char)(depth * 7 + i);
    return bad;
}

static unsigned __attribute__((noinline)) overflow(unsigned n)
{
    volatile unsigned char frame[FRAME];

    frame[0] = (unsigned char)n;
    return n == ~0u ? 0 : overflow(n + 1) + frame[0];
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "deep") == 0) {
        unsigned kib = (unsigned)atoi(argv[2]);
        long bad = descend(kib * 1024 / (FRAME + 64));
        printf(bad ? "deep %u KiB: %ld bytes wrong\n" : "deep %u KiB: ok\n", kib, bad);
        return bad != 0;
    }
    if (argc > 1 && strcmp(argv[1], "overflow") == 0) {
        printf("overflowing\n");
        fflush(stdout);
        return (int)overflow(0);
    }
    if (argc > 2 && strcmp(argv[1], "hold") == 0) {
        printf("holding\n");
        fflush(stdout);
        usleep((useconds_t)atoi(argv[2]) * 1000);
        return 0;
    }
    fprintf(stderr, "usage: stack deep KIB | overflow | hold MS\n");
    return 2;
}
