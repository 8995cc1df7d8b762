/*
 * Zero-copy buffers (blkfront.h blkfront_buffer_alloc): page-aligned
 * memory granted to the backend once and kept granted for the disk's
 * life, so a request on it names its own pages and no byte is copied in
 * the guest.  Kept granted even when the app frees it, because the
 * backend keeps its device pins on pages it has seen (docs/blk.md "Zero
 * copy"): ending the grant would fail while pinned, and granting the
 * same memory again would only grow the backend's pin cache.  So a freed
 * buffer waits, granted, for the next alloc that fits in it.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <keel/abi.h>
#include <libos/grant.h>
#include "bf_impl.h"

static unsigned pages_of(size_t bytes)
{
    return (unsigned)((bytes + KEEL_PAGE_SIZE - 1) / KEEL_PAGE_SIZE);
}

/* The smallest free buffer of at least n pages. */
static struct bf_buffer *reuse(struct blkfront *bf, unsigned n)
{
    struct bf_buffer *best = NULL;

    for (unsigned i = 0; i < bf->nbuffers; i++) {
        struct bf_buffer *b = &bf->buffer[i];
        if (!b->used && b->npages >= n && (!best || b->npages < best->npages))
            best = b;
    }
    return best;
}

/* Grant each page of b; all or none. */
static bool grant_all(struct blkfront *bf, struct bf_buffer *b)
{
    for (unsigned p = 0; p < b->npages; p++) {
        long ref = libos_grant_access(bf->conn.peer, b->va + (size_t)p * KEEL_PAGE_SIZE, 0);
        if (ref < 0) {
            while (p--)
                libos_grant_end(b->ref[p]);
            return false;
        }
        b->ref[p] = (uint32_t)ref;
    }
    return true;
}

static struct bf_buffer *make(struct blkfront *bf, unsigned n)
{
    struct bf_buffer *b = &bf->buffer[bf->nbuffers];

    if (bf->nbuffers == BLKFRONT_BUFFERS_MAX ||
        n > BLKFRONT_BUFFER_PAGES_MAX - bf->buffer_pages)
        return NULL;
    *b = (struct bf_buffer){ .npages = n };
    b->va = memalign(KEEL_PAGE_SIZE, (size_t)n * KEEL_PAGE_SIZE);
    b->ref = malloc(n * sizeof(*b->ref));
    if (!b->va || !b->ref || !grant_all(bf, b)) {
        free(b->va);
        free(b->ref);
        return NULL;
    }
    bf->nbuffers++;
    bf->buffer_pages += n;
    return b;
}

void *blkfront_buffer_alloc(struct blkfront *bf, size_t bytes)
{
    unsigned n = pages_of(bytes);
    struct bf_buffer *b;

    if (!n || n > BLKFRONT_BUFFER_PAGES_MAX)
        return NULL;
    if (!(b = reuse(bf, n)) && !(b = make(bf, n)))
        return NULL;
    b->used = true;
    return b->va;
}

void blkfront_buffer_free(struct blkfront *bf, void *buf)
{
    for (unsigned i = 0; buf && i < bf->nbuffers; i++)
        if (bf->buffer[i].va == buf)
            bf->buffer[i].used = false;
}

const uint32_t *bf_buffer_refs(const struct blkfront *bf, const void *buf, size_t bytes)
{
    uintptr_t a = (uintptr_t)buf;

    if (a % KEEL_PAGE_SIZE)
        return NULL;
    for (unsigned i = 0; i < bf->nbuffers; i++) {
        const struct bf_buffer *b = &bf->buffer[i];
        uintptr_t start = (uintptr_t)b->va, len = (uintptr_t)b->npages * KEEL_PAGE_SIZE;
        if (b->used && a >= start && a - start < len && bytes <= len - (a - start))
            return b->ref + (a - start) / KEEL_PAGE_SIZE;
    }
    return NULL;
}
