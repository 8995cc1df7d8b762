/*
 * What every backend takes from dom0 alike: the operations its library
 * calls (netback's struct nb_ops, blkback's struct bb_ops: grant copies,
 * event sends and a log line, over the real hypercalls; ctx is unused),
 * and the mapper end of each guest's device entry (struct backend_conn,
 * in dom0/disk_impl.h's struct vbd and net_impl.h's struct vif).
 */
#ifndef DOM0_BACKEND_OPS_H
#define DOM0_BACKEND_OPS_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/grant_table.h>
#include <libos/conn.h>

long backend_copy(void *ctx, struct keel_grant_copy *seg, unsigned n);
void backend_notify(void *ctx, uint32_t port);
/* One line into dom0's log ("netback: domain 5 cut off: ..."). */
void backend_log(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A guest's device entry, our end: its ring's pages mapped, their
 * handles, whose it is.  Connecting happens on the backend's thread: an
 * event marks it (event), the thread maps and checks the guest's state
 * word, and a guest that has not granted yet is tried again at its next
 * event. */
#define BACKEND_RING_PAGES_MAX 3u
struct backend_conn {
    struct libos_conn conn;             /* the mapper end */
    uint8_t *page[BACKEND_RING_PAGES_MAX];
    keel_grant_handle_t handle[BACKEND_RING_PAGES_MAX];
    uint32_t domid;
    bool warned;                        /* a map failure was said */
    volatile bool event;                /* an event not yet looked at */
};

/* bc as the mapper end of entry d (granted by domid, on its shared port),
 * marked as having an event; fn(port, arg) runs at each event from now. */
long backend_conn_init(struct backend_conn *bc, uint32_t domid, keel_evtchn_port_t port,
                       const struct keel_device *d, libos_evtchn_handler_t fn, void *arg);
/* Its pages mapped (0..pages-1) and the guest INITIALISED or CONNECTED:
 * the backend sets up, then libos_conn_connect.  false: not yet (a map
 * failure other than "not granted yet" logged once, "WHO: domain N: its
 * ring cannot be mapped: ..."), or a state word that is not one. */
bool backend_conn_ready(struct backend_conn *bc, uint32_t pages, const char *who);

#endif /* DOM0_BACKEND_OPS_H */
