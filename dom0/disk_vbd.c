/*
 * The guests' virtual disks (disk.h): their entries in the device pages,
 * the mapper end of each connection, blkback's vbd once the guest is
 * INITIALISED, and its end when the guest ends.
 *
 * The manifest's "disk" lines say which guest gets which device (by PCI
 * slot), which sectors of it (the whole or a slice), read-only or not, and
 * where it mounts it; a guest gets one entry per line, in their order, and
 * one device may serve several guests (read-only, or in slices that do not
 * overlap: keel run checks).  vbds[i] is line i's.
 *
 * Connecting happens on the disk's thread: an event before the vbd is in
 * blkback only marks it, and the thread maps the two pages, checks the
 * guest's state word and starts serving (a guest that has not granted yet
 * fails the map and is tried again at its next event).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/image_note.h>
#include <libos/event.h>
#include "ctl.h"
#include "devpage.h"
#include "disk.h"
#include "disk_impl.h"
#include "hc.h"

static struct vbd *vbds[MANIFEST_MAX_DISKS];
static bool planned[MANIFEST_MAX_DISKS];      /* its entry was added */

/* Entry k of a guest is named "disk" (k = 0), "disk1", "disk2", ...:
 * blkfront_open_nth(k) finds it so. */
static long plan_one(struct guest *g, uint32_t i, uint32_t k)
{
    char name[16] = "disk";
    const struct mf_disk *m = &disk_mf->disks[i];
    uint16_t self = (uint16_t)hc_start_info()->domid;
    struct bb_disk *bb = disk_at_slot(m->slot);
    struct keel_blk_settings s;
    struct keel_device *d;

    if (!bb) {
        hc_log("disk: guest %u: no disk at 00:%02x.0", g->idx, m->slot);
        return 0;
    }
    uint64_t sectors = m->sectors ? m->sectors :
                       bb->info.sectors - (m->first < bb->info.sectors ? m->first : 0);
    if (bb_settings(&bb->info, m->first, sectors, m->ro, &s)) {
        hc_log("disk: guest %u: sectors %llu..+%llu are no slice of the disk at "
               "00:%02x.0 (%llu sectors of %u bytes)", g->idx,
               (unsigned long long)m->first, (unsigned long long)sectors, m->slot,
               (unsigned long long)bb->info.sectors, bb->info.sector_size);
        return 0;
    }
    memcpy(s.mount, m->mount, sizeof(s.mount));
    if (k)
        snprintf(name, sizeof(name), "disk%u", k);
    if (!(d = devpage_add_granter(g->dev, KEEL_DEV_BLOCK, name, self,
                                  KEEL_BLK_RING_PAGES)))
        return -1;
    memcpy(d->settings, &s, sizeof(s));
    planned[i] = true;
    return 0;
}

int disk_plan(struct guest *g)
{
    uint32_t k = 0;

    if (!disk_mf || !(g->info.devices & KEEL_NOTE_DEV_BLOCK))
        return 0;
    for (uint32_t i = 0; i < disk_mf->ndisks; i++) {
        if (disk_mf->disks[i].guest != (uint32_t)g->idx)
            continue;
        if (plan_one(g, i, k))
            return -1;
        k += planned[i];
    }
    return 0;
}

/* The k-th KEEL_DEV_BLOCK entry of g's page. */
static struct keel_device *disk_entry(struct guest *g, uint32_t k)
{
    for (uint32_t i = 0; i < g->dev->page.nr_devices; i++)
        if (g->dev->page.dev[i].type == KEEL_DEV_BLOCK && k-- == 0)
            return &g->dev->page.dev[i];
    return NULL;
}

/* Upcall context. */
static void on_event(keel_evtchn_port_t port, void *arg)
{
    struct vbd *v = arg;

    (void)port;
    v->bc.event = true;
    disk_wake();
}

static long connect_entry(struct guest *g, struct keel_device *d, uint32_t i)
{
    struct vbd *v;
    long rc;

    if (vbds[i])
        return -KEEL_EBUSY;
    if (!(v = calloc(1, sizeof(*v))))
        return -KEEL_ENOMEM;
    *v = (struct vbd){ .disk = disk_at_slot(disk_mf->disks[i].slot),
                       .first = disk_mf->disks[i].first };
    memcpy(&v->settings, d->settings, sizeof(v->settings));
    if ((rc = backend_conn_init(&v->bc, g->domid, g->port, d, on_event, v))) {
        free(v);
        return rc;
    }
    vbds[i] = v;
    return 0;
}

long disk_connect(struct guest *g)
{
    uint32_t k = 0;
    long rc;

    for (uint32_t i = 0; disk_mf && i < disk_mf->ndisks; i++) {
        struct keel_device *d;
        if (disk_mf->disks[i].guest != (uint32_t)g->idx || !planned[i] ||
            !(d = disk_entry(g, k++)))
            continue;
        if ((rc = connect_entry(g, d, i)))
            return rc;
    }
    disk_wake();
    return 0;
}

/* Mapped, INITIALISED: into blkback, CONNECTED.  false: not yet. */
static bool connect_one(struct vbd *v)
{
    long rc;

    if (!backend_conn_ready(&v->bc, KEEL_BLK_RING_PAGES, "disk"))
        return false;
    struct bb_vbd_conf conf = { .domid = (keel_domid_t)v->bc.domid,
                                .port = v->bc.conn.port, .first = v->first,
                                .settings = &v->settings,
                                .page = { v->bc.page[0], v->bc.page[1] } };
    if ((rc = bb_vbd_init(&v->bb, v->disk, &conf))) {
        hc_log("disk: domain %u: disk refused: %s (%ld)", v->bc.domid,
               ctl_strerror(rc), rc);
        v->refused = true;
        return true;
    }
    v->added = true;
    libos_conn_connect(&v->bc.conn);
    return true;
}

static void serve_one(struct vbd *v)
{
    if (!v || !v->bc.event || v->refused)
        return;
    v->bc.event = false;
    if (!v->added && !connect_one(v))
        return;
    if (v->added)
        bb_vbd_poll(&v->bb);
}

/* A gone vbd with nothing on the device (nor waiting for a buffer) holds
 * no pin any more (blkback.h): freed. */
static void reap(uint32_t i)
{
    struct vbd *v = vbds[i];

    if (v && v->gone && !v->bb.inflight && !v->bb.has_held) {
        vbds[i] = NULL;
        free(v);
    }
}

void disk_serve_vbd(void)
{
    for (uint32_t i = 0; disk_mf && i < disk_mf->ndisks; i++) {
        reap(i);
        serve_one(vbds[i]);
    }
}

/* Which path its requests took (keel run -v). */
static void say_counts(const struct vbd *v)
{
    const struct bb_counters *c = &v->bb.c;

    if (c->zero_copy || c->copied)
        hc_log("disk: domain %u: %llu zero copy, %llu copied; %llu pins made, %u left to its requests",
               v->bc.domid, (unsigned long long)c->zero_copy,
               (unsigned long long)c->copied, (unsigned long long)c->pin_maps,
               v->bb.pins.live);
}

/* The handler goes first (libos_conn_release), so no event marks the vbd
 * after; requests still on the device (or one waiting for a buffer) keep
 * the vbd (blkback drops their answers once it is cut, and touches its
 * unmapped pages no more) until the thread finds it idle (reap): the
 * device may still write the guest's pinned frames until then. */
void disk_detach(uint32_t domid)
{
    for (uint32_t i = 0; disk_mf && i < disk_mf->ndisks; i++) {
        struct vbd *v = vbds[i];
        if (!v || v->bc.domid != domid || !v->bc.conn.port)
            continue;
        libos_conn_release(&v->bc.conn);
        if (v->added)
            bb_vbd_stop(&v->bb);
        say_counts(v);
        v->added = false;
        v->refused = true;         /* served no more */
        v->gone = true;
        reap(i);
    }
}
