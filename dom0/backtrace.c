/*
 * Frame-pointer walk (see backtrace.h).  Each step requires the next frame
 * pointer to be strictly above the current one: stacks grow down, so callers'
 * frames are higher, and a strictly increasing pointer bounded by hi cannot
 * loop however the guest's stack was corrupted.
 */
#include "backtrace.h"

unsigned backtrace_walk(uint64_t rbp, uint64_t lo, uint64_t hi,
                        bt_read_fn read, void *ctx, uint64_t *pcs,
                        unsigned max)
{
    unsigned n = 0;

    while (n < max) {
        uint64_t next, ret;
        if (rbp == 0 || (rbp & 7) || rbp < lo || rbp >= hi || hi - rbp < 16)
            break;
        if (read(ctx, rbp, &next) != 0 || read(ctx, rbp + 8, &ret) != 0)
            break;
        if (ret == 0)
            break;
        pcs[n++] = ret;
        if (next <= rbp)
            break;
        rbp = next;
    }
    return n;
}
