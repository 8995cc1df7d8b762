/*
 * The mapper end of a guest's device entry, for every backend alike
 * (backend_ops.h, struct backend_conn).
 */
#include <keel/blk.h>
#include <keel/net.h>
#include "backend_ops.h"
#include "ctl.h"
#include "hc.h"

_Static_assert(KEEL_BLK_RING_PAGES <= BACKEND_RING_PAGES_MAX &&
               KEEL_NET_RING_PAGES <= BACKEND_RING_PAGES_MAX, "room for every ring's pages");

long backend_conn_init(struct backend_conn *bc, uint32_t domid, keel_evtchn_port_t port,
                       const struct keel_device *d, libos_evtchn_handler_t fn, void *arg)
{
    struct keel_device mine = { .type = d->type, .role = KEEL_DEV_MAPPER,
                                .peer_domid = (uint16_t)domid, .port = port,
                                .ring_pages = d->ring_pages, .ring_ref = d->ring_ref };

    if (d->ring_pages > BACKEND_RING_PAGES_MAX)
        return -KEEL_EINVAL;
    *bc = (struct backend_conn){ .domid = domid, .event = true };
    return libos_conn_init(&bc->conn, &mine, bc->page, bc->handle, fn, arg);
}

bool backend_conn_ready(struct backend_conn *bc, uint32_t pages, const char *who)
{
    long rc = libos_conn_map(&bc->conn, pages), st;

    if (rc) {
        if (rc != -KEEL_ENOENT && !bc->warned) {
            bc->warned = true;
            hc_log("%s: domain %u: its ring cannot be mapped: %s (%ld)", who, bc->domid,
                   ctl_strerror(rc), rc);
        }
        return false;
    }
    st = libos_conn_peer_state(&bc->conn);
    return st == KEEL_CONN_INITIALISED || st == KEEL_CONN_CONNECTED;
}
