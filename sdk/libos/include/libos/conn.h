/*
 * One end of a split-driver connection (keel/device.h): the handshake that
 * every split driver shares, so that a new driver adds its protocol and
 * not another handshake.  The console frontend, channels and the console
 * backend use it.
 *
 * The connection descriptor is a struct keel_device, as this end sees the
 * connection: a frontend finds its own in the device page
 * (libos/device.h); a backend is handed one by whoever wired the
 * connection (dom0's toolstack today; a driver domain's device page
 * tomorrow): role KEEL_DEV_MAPPER, peer_domid the frontend's domain,
 * ring_ref and ring_pages the frontend's grants, port its own port.
 *
 *   granter                               mapper
 *   libos_conn_grant: grant every page,   libos_conn_map(n): map pages 0..n-1
 *     bind to the mapper's port             (-KEEL_ENOENT: not granted yet;
 *   (protocol: zero its counters)            again at the granter's event)
 *   libos_conn_set_state(INITIALISED) ─▶  libos_conn_peer_state() >= INITIALISED
 *                                         (protocol: resume from the counters)
 *   sees CONNECTED                   ◀─   libos_conn_connect: epoch + 1, CONNECTED
 *
 * Restart: a mapper that goes away and comes back (a restarted backend)
 * maps the same references again and calls libos_conn_connect again,
 * which bumps mapper_epoch; it resumes from the counters in the pages, and
 * the granter tears nothing down.  What keel/device.h says is not done
 * yet: a mapper whose domain died (its port is gone) cannot come back.
 *
 * Shared ports (keel/device.h): every connection between this domain and
 * one peer that names the same port shares one event channel.  A granter
 * binds a (peer, port) once and later connections reuse its local port; a
 * mapper's connections on the same port join it.  An event on a shared
 * port runs the handler of every connection on it (each looks at its own
 * pages), and the port is closed when the last of them is released.
 *
 * Contract:
 *  - Functions return 0 (or a count, a state) on success and -KEEL_Exxx on
 *    failure; errno is not touched.
 *  - The peer is not trusted: libos_conn_peer_state() answers -KEEL_EIO
 *    for a word that is none of KEEL_CONN_*, and nothing here follows a
 *    value read from the shared pages.
 *  - fn runs in upcall context (libos/event.h) for every event on the
 *    connection's port, from the moment the port is ours (mapper:
 *    libos_conn_init; granter: libos_conn_grant) until libos_conn_release.
 *  - One thread drives a connection; the handler only notes events.
 */
#ifndef LIBOS_CONN_H
#define LIBOS_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/device.h>
#include <keel/grant_table.h>
#include <libos/event.h>

struct libos_conn {
    /* from the descriptor */
    keel_domid_t peer;
    bool granter;
    uint32_t ref, npages;          /* grant references ref .. ref + npages - 1 */
    uint64_t va;                   /* granter: the pages, in our memory */
    keel_evtchn_port_t peer_port;  /* granter: the mapper's port to bind to */
    /* ours */
    keel_evtchn_port_t port;       /* our port (0: not bound yet) */
    uint8_t **page;                /* the caller's: page i's address */
    keel_grant_handle_t *handle;   /* the caller's (mapper): page i's handle */
    uint32_t ready;                /* pages granted (granter) / mapped (mapper) */
    struct keel_conn_header *hdr;  /* page 0, once granted or mapped */
    libos_evtchn_handler_t fn;
    void *arg;
    struct libos_conn *next_on_port;   /* the others sharing port */
    struct libos_conn *next_granter;   /* granters bound (for sharing) */
};

/* Sets c up from the descriptor d; nothing is granted, mapped or bound
 * yet (the mapper's port gets fn at once).  page[] (and, for a mapper,
 * handle[]) have room for every page this end will grant or map.
 * -KEEL_EINVAL for a malformed descriptor (no pages, an unknown role, a
 * granter whose pages or references the libos cannot grant). */
int libos_conn_init(struct libos_conn *c, const struct keel_device *d,
                    uint8_t **page, keel_grant_handle_t *handle,
                    libos_evtchn_handler_t fn, void *arg);

/* Granter: grant every page to the peer (read-write), bind to its port. */
long libos_conn_grant(struct libos_conn *c);

/* Mapper: map pages ready .. n - 1 (those mapped stay mapped).  0 once
 * all n are, -KEEL_ENOENT while the granter has not granted one yet (call
 * again at its event), another -KEEL_Exxx from the hypervisor. */
long libos_conn_map(struct libos_conn *c, uint32_t n);
/* Mapper: unmap every page (a later libos_conn_map maps them again). */
void libos_conn_unmap(struct libos_conn *c);

/* The peer's state word (KEEL_CONN_*), or -KEEL_EIO for garbage. */
long libos_conn_peer_state(const struct libos_conn *c);
/* Is the peer still bound to our port?  A peer whose domain died, or that
 * closed its port, leaves ours UNBOUND.  Costs a hypercall. */
bool libos_conn_peer_bound(const struct libos_conn *c);

/* Publish our state word (everything written to the pages before it is
 * visible first), then notify the peer.  Nothing before page 0 is there. */
void libos_conn_set_state(struct libos_conn *c, uint32_t state);
/* Mapper, once mapped and the granter INITIALISED or later: a connect
 * (or a reconnect after a restart): bump mapper_epoch, CONNECTED, notify. */
void libos_conn_connect(struct libos_conn *c);
void libos_conn_notify(const struct libos_conn *c);

/* Let go of our end: the handler, our port (closed, if no other
 * connection shares it: the peer sees it UNBOUND), the grants (granter; -KEEL_EBUSY while still mapped is left
 * as it is: the pages are the toolstack's reservation) or the maps
 * (mapper).  The state word is the caller's to set before. */
void libos_conn_release(struct libos_conn *c);

#endif /* LIBOS_CONN_H */
