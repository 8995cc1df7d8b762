/*
 * Inside blkfront: open.c (the connection, the granted pages) and io.c
 * (requests) share this.  Slot i owns BLKFRONT_SLOT_PAGES pages, granted
 * once, through which its request's data goes; its id on the ring is i.
 */
#ifndef BLKFRONT_BF_IMPL_H
#define BLKFRONT_BF_IMPL_H

#include <libos/conn.h>
#include <blkfront/blkfront.h>

#define BLKFRONT_SLOT_PAGES KEEL_BLK_SEGS_MAX

struct bf_slot {
    struct blkfront_io *io;      /* NULL: free */
    uint8_t *data;
    uint32_t ref[BLKFRONT_SLOT_PAGES];
};

struct blkfront {
    struct libos_conn conn;
    uint8_t *page[KEEL_BLK_RING_PAGES];
    struct keel_blk_front ring;
    struct keel_blk_settings set;
    struct bf_slot slot[BLKFRONT_INFLIGHT];
    uint8_t *pool;               /* every slot's pages */
    unsigned inflight;
    volatile int event;
    bool dead;                   /* the backend answered nonsense */
    bool opened;
    char mount[KEEL_BLK_MOUNT_MAX + 1];   /* settings' mount, NUL-terminated */
};

/* io.c */
void bf_ring_init(struct blkfront *bf);

#endif /* BLKFRONT_BF_IMPL_H */
