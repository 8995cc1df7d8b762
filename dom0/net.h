/*
 * Wiring guests' network interfaces to the switch (netback/netback.h),
 * which is a library: the toolstack gives a guest whose image asks for a
 * NIC (its devices note, keel/image_note.h) a KEEL_DEV_NET entry with the
 * addresses of the run's network plan (keel/launch.h) for its index,
 * hands netback the mapper end of each connection (libos/conn.h) once the
 * guest is INITIALISED, and serves the switch from a thread of its own,
 * woken by the guests' events.  The uplink (uplink.c) is plugged in when
 * the machine's NIC is up.
 *
 *   net_start()          once, before any guest: the switch and its thread
 *   net_plan(g)          builder's plan step: g's NIC entry, if it asks
 *   net_connect(g)       after CREATE: the mapper end on g->port
 *   net_detach(id)       the guest has ended (builder_destroy)
 *   net_uplink(nic)      the machine's NIC is up (uplink.c)
 *   net_from_uplink(f,n) frames the NIC received (uplink.c)
 *   net_report()         at the end of the run: the switch's counters
 *
 * Threads are cooperative and netback never blocks inside a call, so the
 * toolstack's thread (net_detach), the uplink's (net_from_uplink) and the
 * switch's own never interleave inside the library.
 */
#ifndef DOM0_NET_H
#define DOM0_NET_H

#include <stdint.h>
#include <netback/netback.h>

struct guest;
struct virtio_net;

/* 0, or -KEEL_E* (then no guest gets a NIC). */
int net_start(void);
/* 0 or -1 (no room in g's device page). */
int net_plan(struct guest *g);
/* 0 or -KEEL_E* (an interface beyond the limit, no memory). */
long net_connect(struct guest *g);
void net_detach(uint32_t domid);
void net_uplink(struct virtio_net *nic);
void net_from_uplink(const struct nb_frame *f, unsigned n);
/* `timing -1 net_copy_calls=...` lines, if the switch copied anything. */
void net_report(void);

/* The settings of guest idx, from the plan (pure; unit-tested). */
void net_settings(uint32_t idx, struct keel_net_settings *s);

#endif /* DOM0_NET_H */
