/*
 * The program break for newlib's malloc (_sbrk), and the frames behind it.
 *
 * The builder leaves [heap_start, heap_end) free and puts an unmapped guard
 * page at heap_end, below the stack.  The break only ever moves inside that
 * range: a request that would leave it fails cleanly (malloc returns NULL
 * with ENOMEM) instead of running into the guard page.  Arithmetic is done
 * so that no incr, however large, can wrap around.
 *
 * Memory on demand (keel/memory.h): only [start, backed) has frames.  A
 * break that passes `backed` first asks the hypervisor for the pages up to
 * it and a chunk more (so small mallocs do not each make a hypercall): as
 * much as is backed already, from LIBOS_HEAP_MIN_CHUNK to LIBOS_HEAP_CHUNK,
 * so a small guest stays small and a big one asks every 256 KiB; it fails like a break past `end` if it is refused:
 * the guest's maximum reached, or the machine full.  A break that falls
 * more than two chunks below `backed` (malloc trimming the top of its heap
 * after a large free) gives the pages above break + one chunk back.
 * Invariant: start <= brk <= backed <= end, backed page aligned (or end).
 */
#include "internal.h"

struct libos_heap libos_heap;

void libos_heap_init(struct libos_heap *h, uintptr_t start, uintptr_t end)
{
    h->start = start;
    h->end = end < start ? start : end;
    h->brk = start;
    h->backed = h->end;
    h->memory_op = NULL;
}

void libos_heap_on_demand(struct libos_heap *h, uintptr_t backed,
                          long (*memory_op)(uint32_t, uintptr_t, uint64_t))
{
    if (backed >= h->start && backed <= h->end && !(backed % LIBOS_PAGE)) {
        h->backed = backed;
        h->memory_op = memory_op;
    }
}

static uintptr_t page_up(uintptr_t x)
{
    return (x + LIBOS_PAGE - 1) & ~(uintptr_t)(LIBOS_PAGE - 1);
}

/* Frames for [backed, to), to page aligned and <= end; false if refused
 * before `to` (whatever was had stays backed: it is used next time). */
static bool back_to(struct libos_heap *h, uintptr_t to)
{
    while (h->backed < to) {
        uint64_t n = (to - h->backed) / LIBOS_PAGE;
        if (n > KEEL_MEMORY_OP_MAX_PAGES)
            n = KEEL_MEMORY_OP_MAX_PAGES;
        if (h->memory_op(KEEL_MEMORY_INCREASE, h->backed, n) < 0)
            return false;
        h->backed += n * LIBOS_PAGE;
    }
    return true;
}

/* The heap doubles until it grows by LIBOS_HEAP_CHUNK at a time. */
static uintptr_t chunk(const struct libos_heap *h)
{
    uintptr_t had = h->backed - h->start;

    return had < LIBOS_HEAP_MIN_CHUNK ? LIBOS_HEAP_MIN_CHUNK :
           had > LIBOS_HEAP_CHUNK ? LIBOS_HEAP_CHUNK : page_up(had);
}

/* The break moves to brk: back what it needs (a chunk more if the
 * hypervisor gives it, just what it needs if not). */
static bool back_for(struct libos_heap *h, uintptr_t brk)
{
    uintptr_t need = page_up(brk), more = chunk(h), want;

    if (need <= h->backed)
        return true;
    want = h->end - need > more ? need + more : h->end;
    return back_to(h, want) || back_to(h, need);
}

/* Give back what lies more than a chunk above the break, top first so that
 * what stays backed is one run; a refusal keeps the rest. */
static void trim(struct libos_heap *h)
{
    uintptr_t keep = page_up(h->brk);

    if (h->backed - keep <= 2 * LIBOS_HEAP_CHUNK)
        return;
    keep += LIBOS_HEAP_CHUNK;
    while (h->backed > keep) {
        uint64_t n = (h->backed - keep) / LIBOS_PAGE;
        if (n > KEEL_MEMORY_OP_MAX_PAGES)
            n = KEEL_MEMORY_OP_MAX_PAGES;
        if (h->memory_op(KEEL_MEMORY_DECREASE, h->backed - n * LIBOS_PAGE, n) < 0)
            return;
        h->backed -= n * LIBOS_PAGE;
    }
}

void *libos_heap_grow(struct libos_heap *h, intptr_t incr)
{
    uintptr_t old = h->brk;

    if (incr >= 0) {
        if ((uintptr_t)incr > h->end - old)
            return NULL;
        if (h->memory_op && !back_for(h, old + (uintptr_t)incr))
            return NULL;
    } else {
        /* -(incr + 1) + 1 avoids negating INTPTR_MIN */
        uintptr_t dec = (uintptr_t)(-(incr + 1)) + 1;
        if (dec > old - h->start)
            return NULL;
    }
    h->brk = old + (uintptr_t)incr;
    if (incr < 0 && h->memory_op)
        trim(h);
    return (void *)old;
}
