/*
 * Opening the disk (blkfront.h): the device entry, the granter end of the
 * connection (libos/conn.h), the ring, every slot's pages granted once,
 * INITIALISED.  And the devices note: this object is linked into every
 * image that uses blkfront, and only those.
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <keel/image_note.h>
#include <libos/device.h>
#include <libos/devices_note.h>
#include <libos/event.h>
#include <libos/grant.h>
#include "bf_impl.h"

/* This image drives a disk (libos/devices_note.h). */
LIBOS_DEVICES_NOTE(KEEL_NOTE_DEV_BLOCK);

static struct blkfront bfs[BLKFRONT_DISKS_MAX];

/* Upcall context: only note it; whoever waits looks at the ring. */
static void on_event(keel_evtchn_port_t port, void *arg)
{
    (void)port;
    ((struct blkfront *)arg)->event = 1;
}

static bool settings_ok(const struct keel_blk_settings *s)
{
    return s->version == KEEL_BLK_VERSION && s->sectors &&
           s->sector_size >= KEEL_BLK_SECTOR && s->sector_size <= KEEL_PAGE_SIZE &&
           !(s->sector_size & (s->sector_size - 1)) &&
           s->max_segs && s->max_segs <= KEEL_BLK_SEGS_MAX;
}

static int grant_slots(struct blkfront *bf)
{
    size_t bytes = (size_t)BLKFRONT_POOL_PAGES * KEEL_PAGE_SIZE;

    if (!(bf->pool = memalign(KEEL_PAGE_SIZE, bytes)))
        return -KEEL_ENOMEM;
    memset(bf->pool, 0, bytes);
    for (unsigned p = 0; p < BLKFRONT_POOL_PAGES; p++) {
        long ref = libos_grant_access(bf->conn.peer, bf->pool + p * KEEL_PAGE_SIZE, 0);
        if (ref < 0)
            return (int)ref;
        bf->ref[p] = (uint32_t)ref;
    }
    return 0;
}

static int connect(struct blkfront *bf, const struct keel_device *d)
{
    int rc;

    if (d->role != KEEL_DEV_GRANTER || d->ring_pages != KEEL_BLK_RING_PAGES)
        return -KEEL_ENODEV;
    memcpy(&bf->set, d->settings, sizeof(bf->set));
    memcpy(bf->mount, bf->set.mount, sizeof(bf->mount) - 1);   /* NUL kept */
    if (!settings_ok(&bf->set))
        return -KEEL_ENODEV;
    if ((rc = libos_conn_init(&bf->conn, d, bf->page, 0, on_event, bf)))
        return rc == -KEEL_EINVAL ? -KEEL_ENODEV : rc;
    if ((rc = grant_slots(bf)) || (rc = (int)libos_conn_grant(&bf->conn)))
        return rc;
    bf_ring_init(bf);
    libos_conn_set_state(&bf->conn, KEEL_CONN_INITIALISED);
    return 0;
}

/* Grants are kept on failure (a failed open is the end of the app's
 * disk): simpler than undoing them, and nothing else would use the pages. */
/* The toolstack names a guest's disks "disk", "disk1", "disk2", ... in
 * command-line order (dom0/disk_vbd.c). */
int blkfront_open_nth(unsigned n, struct blkfront **out)
{
    char name[16] = "disk";
    const struct keel_device *d;
    int rc;

    if (n)
        snprintf(name, sizeof(name), "disk%u", n);
    if (n >= BLKFRONT_DISKS_MAX || !(d = libos_device_find(KEEL_DEV_BLOCK, name)))
        return -KEEL_ENODEV;
    if (bfs[n].opened)
        return -KEEL_EBUSY;
    bfs[n].opened = true;
    if ((rc = connect(&bfs[n], d)))
        return rc;
    *out = &bfs[n];
    return 0;
}

int blkfront_open(struct blkfront **out)
{
    return blkfront_open_nth(0, out);
}

const char *blkfront_mount_point(const struct blkfront *bf)
{
    return bf->mount[0] ? bf->mount : "/";
}

uint64_t blkfront_sectors(const struct blkfront *bf)
{
    return bf->set.sectors;
}

uint32_t blkfront_sector_size(const struct blkfront *bf)
{
    return bf->set.sector_size;
}

bool blkfront_read_only(const struct blkfront *bf)
{
    return bf->set.flags & KEEL_BLK_F_RO;
}
