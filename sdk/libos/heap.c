/*
 * The program break for newlib's malloc (_sbrk).
 *
 * The builder leaves [heap_start, heap_end) free and puts an unmapped guard
 * page at heap_end, below the stack.  The break only ever moves inside that
 * range: a request that would leave it fails cleanly (malloc returns NULL
 * with ENOMEM) instead of running into the guard page.  Arithmetic is done
 * so that no incr, however large, can wrap around.
 */
#include "internal.h"

struct libos_heap libos_heap;

void libos_heap_init(struct libos_heap *h, uintptr_t start, uintptr_t end)
{
    h->start = start;
    h->end = end < start ? start : end;
    h->brk = start;
}

void *libos_heap_grow(struct libos_heap *h, intptr_t incr)
{
    uintptr_t old = h->brk;

    if (incr >= 0) {
        if ((uintptr_t)incr > h->end - old)
            return NULL;
    } else {
        /* -(incr + 1) + 1 avoids negating INTPTR_MIN */
        uintptr_t dec = (uintptr_t)(-(incr + 1)) + 1;
        if (dec > old - h->start)
            return NULL;
    }
    h->brk = old + (uintptr_t)incr;
    return (void *)old;
}
