/*
 * Inside blkfront: open.c (the connection, the granted pages) and io.c
 * (requests) share this.  A slot per ring entry (32), its id on the ring
 * its index; the data goes through a pool of BLKFRONT_POOL_PAGES pages,
 * granted once, that a request takes as many of as it needs while it is
 * in flight.  So 32 small requests fit, or 8 of the largest, and the
 * grants a disk costs stay 88 of the guest's 512 (libos/grant.h).
 */
#ifndef BLKFRONT_BF_IMPL_H
#define BLKFRONT_BF_IMPL_H

#include <libos/conn.h>
#include <blkfront/blkfront.h>

#define BLKFRONT_POOL_PAGES (8u * KEEL_BLK_SEGS_MAX)
#define BLKFRONT_POOL_WORDS ((BLKFRONT_POOL_PAGES + 63) / 64)

/* Zero-copy buffers (buffer.c): at most BLKFRONT_BUFFERS_MAX of them,
 * BLKFRONT_BUFFER_PAGES_MAX pages together, so that pool and buffers stay
 * within the backend's pin cache (KEEL_BLK_RING_SIZE * KEEL_BLK_SEGS_MAX
 * pages a disk) and the guest's grants. */
#define BLKFRONT_BUFFERS_MAX       16u
#define BLKFRONT_BUFFER_PAGES_MAX  256u

struct bf_buffer {
    uint8_t *va;
    uint32_t *ref;               /* [npages] */
    uint32_t npages;
    bool used;                   /* the app's; else granted, waiting */
};

struct bf_slot {
    struct blkfront_io *io;      /* NULL: free */
    bool direct;                 /* on a zero-copy buffer: no pool pages */
    uint8_t npages;
    uint8_t page[KEEL_BLK_SEGS_MAX];   /* pool pages, in data order */
};

struct blkfront {
    struct libos_conn conn;
    uint8_t *page[KEEL_BLK_RING_PAGES];
    struct keel_blk_front ring;
    struct keel_blk_settings set;
    struct bf_slot slot[BLKFRONT_INFLIGHT];
    uint8_t *pool;               /* BLKFRONT_POOL_PAGES pages */
    uint32_t ref[BLKFRONT_POOL_PAGES];
    uint64_t busy[BLKFRONT_POOL_WORDS];  /* pool pages in flight */
    struct bf_buffer buffer[BLKFRONT_BUFFERS_MAX];
    unsigned nbuffers, buffer_pages;
    unsigned inflight;
    volatile int event;
    bool dead;                   /* the backend answered nonsense */
    bool taking;                 /* in take_answers: submits push at its end */
    bool opened;
    char mount[KEEL_BLK_MOUNT_MAX + 1];   /* settings' mount, NUL-terminated */
};

/* io.c */
void bf_ring_init(struct blkfront *bf);
/* buffer.c: the grant references of [buf, buf + bytes) when it starts on
 * a page of a zero-copy buffer the app holds and lies inside it, else
 * NULL (the request goes through the pool). */
const uint32_t *bf_buffer_refs(const struct blkfront *bf, const void *buf, size_t bytes);

#endif /* BLKFRONT_BF_IMPL_H */
