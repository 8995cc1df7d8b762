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

struct bf_slot {
    struct blkfront_io *io;      /* NULL: free */
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
    unsigned inflight;
    volatile int event;
    bool dead;                   /* the backend answered nonsense */
    bool taking;                 /* in take_answers: submits push at its end */
    bool opened;
    char mount[KEEL_BLK_MOUNT_MAX + 1];   /* settings' mount, NUL-terminated */
};

/* io.c */
void bf_ring_init(struct blkfront *bf);

#endif /* BLKFRONT_BF_IMPL_H */
