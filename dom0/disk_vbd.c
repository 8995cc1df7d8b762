/*
 * The guest's virtual disk (disk.h): its entry in the device page, the
 * mapper end of the connection, blkback's vbd once the guest is
 * INITIALISED, and its end when the guest ends.
 *
 * One guest, the first, gets the machine's disk whole (--disk NAME=FILE
 * for others comes later).  Connecting happens on the disk's thread: an
 * event before the vbd is in blkback only marks it, and the thread maps
 * the two pages, checks the guest's state word and starts serving (a
 * guest that has not granted yet fails the map and is tried again at its
 * next event).
 */
#include <stdlib.h>
#include <string.h>
#include <keel/image_note.h>
#include <libos/event.h>
#include "ctl.h"
#include "devpage.h"
#include "disk.h"
#include "disk_impl.h"
#include "hc.h"

static struct vbd *the_vbd;

int disk_plan(struct guest *g)
{
    uint16_t self = (uint16_t)hc_start_info()->domid;
    struct keel_blk_settings s;
    struct keel_device *d;

    if (g->idx != 0 || !disk_present || !(g->info.devices & KEEL_NOTE_DEV_BLOCK))
        return 0;
    if (bb_settings(&disk_bb.info, 0, disk_bb.info.sectors, false, &s))
        return 0;
    if (!(d = devpage_add_granter(g->dev, KEEL_DEV_BLOCK, "disk", self,
                                  KEEL_BLK_RING_PAGES)))
        return -1;
    memcpy(d->settings, &s, sizeof(s));
    return 0;
}

static struct keel_device *disk_entry(struct guest *g)
{
    for (uint32_t i = 0; i < g->dev->page.nr_devices; i++)
        if (g->dev->page.dev[i].type == KEEL_DEV_BLOCK)
            return &g->dev->page.dev[i];
    return NULL;
}

/* Upcall context. */
static void on_event(keel_evtchn_port_t port, void *arg)
{
    struct vbd *v = arg;

    (void)port;
    v->event = true;
    disk_wake();
}

long disk_connect(struct guest *g)
{
    struct keel_device *d = disk_entry(g);
    struct vbd *v;
    long rc;

    if (!d)
        return 0;
    if (the_vbd)
        return -KEEL_EBUSY;
    if (!(v = calloc(1, sizeof(*v))))
        return -KEEL_ENOMEM;
    *v = (struct vbd){ .domid = g->domid, .event = true };
    memcpy(&v->settings, d->settings, sizeof(v->settings));
    struct keel_device mine = { .type = KEEL_DEV_BLOCK, .role = KEEL_DEV_MAPPER,
                                .peer_domid = (uint16_t)g->domid, .port = g->port,
                                .ring_pages = d->ring_pages, .ring_ref = d->ring_ref };
    if ((rc = libos_conn_init(&v->conn, &mine, v->page, v->handle, on_event, v))) {
        free(v);
        return rc;
    }
    the_vbd = v;
    disk_wake();
    return 0;
}

/* Mapped, INITIALISED: into blkback, CONNECTED.  false: not yet. */
static bool connect_one(struct vbd *v)
{
    long rc = libos_conn_map(&v->conn, KEEL_BLK_RING_PAGES);
    long st;

    if (rc) {
        if (rc != -KEEL_ENOENT && !v->warned) {
            v->warned = true;
            hc_log("disk: domain %u: its ring cannot be mapped: %s (%ld)",
                   v->domid, ctl_strerror(rc), rc);
        }
        return false;
    }
    st = libos_conn_peer_state(&v->conn);
    if (st != KEEL_CONN_INITIALISED && st != KEEL_CONN_CONNECTED)
        return false;
    struct bb_vbd_conf conf = { .domid = (keel_domid_t)v->domid,
                                .port = v->conn.port, .first = 0,
                                .settings = &v->settings,
                                .page = { v->page[0], v->page[1] } };
    if ((rc = bb_vbd_init(&v->bb, &disk_bb, &conf))) {
        hc_log("disk: domain %u: disk refused: %s (%ld)", v->domid,
               ctl_strerror(rc), rc);
        v->refused = true;
        return true;
    }
    v->added = true;
    libos_conn_connect(&v->conn);
    return true;
}

void disk_serve_vbd(void)
{
    struct vbd *v = the_vbd;

    if (!v || !v->event || v->refused)
        return;
    v->event = false;
    if (!v->added && !connect_one(v))
        return;
    if (v->added)
        bb_vbd_poll(&v->bb);
}

/* The handler goes first (libos_conn_release), so no event marks the vbd
 * after; requests still on the device (or one waiting for a buffer) keep
 * the vbd (blkback drops their answers once it is cut, and touches its
 * unmapped pages no more), so it is kept, not freed: one per run. */
void disk_detach(uint32_t domid)
{
    struct vbd *v = the_vbd;

    if (!v || v->domid != domid)
        return;
    libos_conn_release(&v->conn);
    bb_vbd_stop(&v->bb);
    v->added = false;
    if (!v->bb.inflight && !v->bb.has_held) {
        the_vbd = NULL;
        free(v);
    }
}
