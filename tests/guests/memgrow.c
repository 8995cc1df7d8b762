/*
 * Memory on demand from inside a guest (keel/memory.h, sdk/libos/heap.c).
 *
 *   touch N         malloc N MiB, touch every page, check, free
 *   cycle R HOLD    R rounds: malloc 1 MiB blocks (touched) until malloc
 *                   says NULL with ENOMEM, hold them HOLD ms, free them
 *                   all; prints how many MiB each round got
 *   bad             KEEL_HC_MEMORY_OP with bad arguments, each with the
 *                   error keel/memory.h promises; then the guest goes on
 *                   (its console, which dom0 maps, and malloc still work)
 *
 * The status is 0 when everything was as expected.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <keel/memory.h>
#include <libos/grant.h>
#include <libos/hypercall.h>
#include <libos/start.h>

#define MIB (1u << 20)
#define PAGE 4096ull

static int touch(unsigned mib)
{
    unsigned char *p = malloc((size_t)mib * MIB);
    unsigned long sum = 0;

    if (!p) {
        printf("touch: malloc of %u MiB failed\n", mib);
        return 1;
    }
    for (size_t i = 0; i < (size_t)mib * MIB; i += PAGE)
        p[i] = (unsigned char)(i / PAGE);
    for (size_t i = 0; i < (size_t)mib * MIB; i += PAGE)
        sum += p[i] == (unsigned char)(i / PAGE);
    free(p);
    printf("touched %u MiB: %s\n", mib, sum == (size_t)mib * MIB / PAGE ? "ok" : "BAD");
    return sum != (size_t)mib * MIB / PAGE;
}

#define MAX_BLOCKS 4096
static void *blocks[MAX_BLOCKS];

static int cycle(unsigned rounds, unsigned hold_ms)
{
    int bad = 0;

    printf("cycle:");
    for (unsigned r = 0; r < rounds; r++) {
        unsigned n = 0;
        errno = 0;
        while (n < MAX_BLOCKS && (blocks[n] = malloc(MIB)) != NULL)
            memset(blocks[n++], 0x5a, MIB);
        bad |= n == MAX_BLOCKS || errno != ENOMEM;
        printf(" %u%s", n, errno == ENOMEM ? "" : "(no ENOMEM)");
        fflush(stdout);
        usleep(hold_ms * 1000u);
        while (n)
            free(blocks[--n]);
    }
    printf("\n");
    return bad;
}

static long mop(uint32_t cmd, uint64_t gva, uint64_t n, keel_domid_t domid, uint32_t pad)
{
    struct keel_memory_op op = { .gva = gva, .npages = n, .domid = domid, .pad = pad };

    return keel_hc_memory_op(cmd, &op);
}

static int fails = 0;

static void expect(const char *what, long got, long want)
{
    if (got != want) {
        printf("bad: %s: got %ld, want %ld\n", what, got, want);
        fails++;
    }
}

static int bad_arguments(void)
{
    const struct keel_start_info *si = libos_start_info();
    uint64_t text = (uint64_t)(uintptr_t)&bad_arguments & ~(PAGE - 1);
    uint64_t end = si->mem_base + si->mem_bytes, hole = si->heap_end - PAGE;
    const keel_domid_t me = KEEL_DOMID_SELF;

    expect("unknown cmd", mop(7, hole, 1, me, 0), -KEEL_ENOSYS);
    expect("unaligned", mop(KEEL_MEMORY_INCREASE, hole + 8, 1, me, 0), -KEEL_EINVAL);
    expect("pad", mop(KEEL_MEMORY_INCREASE, hole, 1, me, 1), -KEEL_EINVAL);
    expect("no pages", mop(KEEL_MEMORY_INCREASE, hole, 0, me, 0), -KEEL_EINVAL);
    expect("past the maximum", mop(KEEL_MEMORY_INCREASE, end, 1, me, 0), -KEEL_EINVAL);
    expect("across the maximum", mop(KEEL_MEMORY_INCREASE, end - PAGE, 2, me, 0), -KEEL_EINVAL);
    expect("huge count", mop(KEEL_MEMORY_INCREASE, hole, ~0ull, me, 0), -KEEL_EINVAL);
    expect("more than a call may", mop(KEEL_MEMORY_INCREASE, hole,
                                       KEEL_MEMORY_OP_MAX_PAGES + 1, me, 0), -KEEL_EINVAL);
    expect("below the memory", mop(KEEL_MEMORY_INCREASE, si->mem_base - PAGE, 1, me, 0),
           -KEEL_EINVAL);
    expect("shared info", mop(KEEL_MEMORY_INCREASE, si->shared_info_va, 1, me, 0),
           -KEEL_EINVAL);
    expect("grant window", mop(KEEL_MEMORY_INCREASE, KEEL_GRANT_WINDOW_VA, 1, me, 0),
           -KEEL_EINVAL);
    expect("its text", mop(KEEL_MEMORY_INCREASE, text, 1, me, 0), -KEEL_EEXIST);
    expect("its stack", mop(KEEL_MEMORY_INCREASE, si->stack_top - PAGE, 1, me, 0), -KEEL_EEXIST);
    expect("give back the unbacked", mop(KEEL_MEMORY_DECREASE, hole, 1, me, 0), -KEEL_EINVAL);
    expect("another domain", mop(KEEL_MEMORY_INCREASE, hole, 1, 0, 0), -KEEL_EPERM);
    expect("bad pointer", keel_hc_memory_op(KEEL_MEMORY_INCREASE, (void *)16), -KEEL_EFAULT);
    /* the heap's last page (below the guard page): back it; while a grant
     * of it is mapped it cannot go; then it can, exactly once */
    expect("back a page", mop(KEEL_MEMORY_INCREASE, hole, 1, me, 0), 0);
    expect("twice", mop(KEEL_MEMORY_INCREASE, hole, 1, me, 0), -KEEL_EEXIST);
    *(volatile char *)(uintptr_t)hole = 1;
    long ref = libos_grant_access((keel_domid_t)si->domid, (void *)(uintptr_t)hole, 0);
    void *va;
    long h = ref < 0 ? ref : libos_grant_map(KEEL_DOMID_SELF, (keel_grant_ref_t)ref, 0, &va);
    expect("grant and map it", h >= 0, 1);
    expect("a mapped grant's page", mop(KEEL_MEMORY_DECREASE, hole, 1, me, 0), -KEEL_EBUSY);
    if (h >= 0)
        expect("unmap", libos_grant_unmap((keel_grant_handle_t)h), 0);
    if (ref >= 0)
        expect("end", libos_grant_end((keel_grant_ref_t)ref), 0);
    expect("give it back", mop(KEEL_MEMORY_DECREASE, hole, 1, me, 0), 0);
    expect("again", mop(KEEL_MEMORY_DECREASE, hole, 1, me, 0), -KEEL_EINVAL);
    printf("bad: %d unexpected\n", fails);
    return fails || touch(8);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "touch"))
        return touch((unsigned)atoi(argv[2]));
    if (argc >= 4 && !strcmp(argv[1], "cycle"))
        return cycle((unsigned)atoi(argv[2]), (unsigned)atoi(argv[3]));
    if (argc >= 2 && !strcmp(argv[1], "bad"))
        return bad_arguments();
    printf("usage: memgrow touch N | cycle ROUNDS HOLD_MS | bad\n");
    return 2;
}
