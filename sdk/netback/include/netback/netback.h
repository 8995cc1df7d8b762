/*
 * netback: the backend of keel/net.h and the software L2 switch between
 * every guest interface and the uplink (the physical NIC's driver).
 *
 * A library: dom0 links it today, a driver domain tomorrow.  It knows
 * nothing of the toolstack; whoever wires it supplies the outside world as
 * struct nb_ops (grant copies, event sends, the uplink, a log) and each
 * interface as a struct nb_if_conf (the connection's mapped pages, the
 * peer, the addresses the toolstack assigned).  docs/net.md explains the
 * design; this header is the contract.
 *
 *   nb_switch_init(sw, ops, ctx, max_ifs)
 *   nb_if_init(vif, conf); nb_switch_add(sw, vif); nb_switch_kick(sw, vif)
 *   event on vif's port      -> nb_switch_kick(sw, vif)   (upcall-safe)
 *   while (nb_switch_poll(sw) > 0) ... (one batch of guest frames a call)
 *   frames from the NIC      -> nb_switch_from_uplink(sw, frames, n)
 *
 * Contract:
 *  - One thread calls everything but nb_switch_kick, which may also run
 *    in an event handler (upcall context) at any moment.  No function may
 *    be called from inside an nb_ops callback (-KEEL_EBUSY).
 *  - Work is proportional to the frames moved: a poll serves the
 *    interfaces that were kicked, never scans the others; lookups by MAC
 *    and by IPv4 address are hash lookups.
 *  - A guest is never trusted: every request is copied out of its ring
 *    and checked, every frame is checked on dom0's own copy of its bytes.
 *    A guest that corrupts its ring indices or its state word is cut off
 *    (state NB_CUT, its mapper_state set to KEEL_CONN_CLOSED, the reason
 *    logged once); nothing it does reaches another interface.
 *  - Functions return 0 (or a count) on success, -KEEL_Exxx on failure.
 */
#ifndef NETBACK_NETBACK_H
#define NETBACK_NETBACK_H

#include <stdint.h>
#include <keel/grant_table.h>
#include <keel/net.h>

#define NB_BATCH   KEEL_GRANT_COPY_MAX   /* guest frames a poll moves, at most */
#define NB_QUANTUM 32u                   /* of them from one interface a turn */

/* A frame in the caller's memory (uplink direction). */
struct nb_frame {
    const uint8_t *data;
    uint16_t len;
};

struct nb_ops {
    /* Grant copy: n <= KEEL_GRANT_COPY_MAX segments, each status set in
     * place; returns how many failed, or -KEEL_Exxx if nothing was copied
     * (then every segment counts as failed).  Real: KEEL_GNTOP_COPY. */
    long (*copy)(void *ctx, struct keel_grant_copy *seg, unsigned n);
    /* Send an event on our port `port` (bound to the guest). */
    void (*notify)(void *ctx, uint32_t port);
    /* Hand n frames to the NIC; returns how many it took (the others are
     * dropped and counted).  The bytes are valid only during the call.
     * NULL: no uplink (guest-to-guest only). */
    unsigned (*uplink_tx)(void *ctx, const struct nb_frame *f, unsigned n);
    /* One line for the operator (no newline).  NULL: silent. */
    void (*log)(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
    /* A monotonic clock in ns, for the age of held frames (NB_HOLD_NS).
     * NULL: held frames leave only when delivered or pushed out by the
     * pool's bound. */
    uint64_t (*now_ns)(void *ctx);
};

/* A frame for a guest with no receive buffer posted waits in the switch
 * (at most NB_HOLD_PER_IF per interface, NB_HOLD_FRAMES in all, each at
 * most NB_HOLD_NS) and is delivered, in order, when the guest posts
 * buffers; only beyond those bounds is it lost (rx_no_buffer).  A burst
 * then costs the guest time, not frames and its peers' retransmissions.
 * Frames longer than NB_HOLD_SLOT are never held. */
#define NB_HOLD_FRAMES 2048u
#define NB_HOLD_PER_IF 512u
#define NB_HOLD_NS     500000000ull
#define NB_HOLD_SLOT   2048u

enum nb_state { NB_LIVE = 0, NB_CUT = 1 };

enum nb_reason {
    NB_REASON_NONE = 0,
    NB_TX_RING_CORRUPT,    /* tx producer index claims more than the ring */
    NB_RX_RING_CORRUPT,    /* same on the rx ring */
    NB_BAD_STATE_WORD,     /* granter_state is none of KEEL_CONN_* */
};

/* The backend's own counts; page 0 shows copies of three of them. */
struct nb_counters {
    uint64_t tx_ok, tx_dropped, tx_errors;
    uint64_t tx_spoofed;           /* part of tx_dropped */
    uint64_t rx_delivered, rx_no_buffer, rx_errors;
};

/* What the wiring knows about one interface. */
struct nb_if_conf {
    keel_domid_t domid;            /* the guest (the granter) */
    uint32_t port;                 /* our port, bound to the guest's */
    const struct keel_net_settings *settings;   /* as the toolstack wrote them */
    void *page[KEEL_NET_RING_PAGES];            /* mapped: header, tx, rx */
};

/* One guest interface.  Allocated by the caller (embed it and use
 * container_of to find your own state); every field is the library's:
 * read `state`, `reason` and `c`, write nothing. */
struct nb_holdq;

struct nb_if {
    struct keel_net_tx_back tx;
    struct keel_net_rx_back rx;
    struct keel_net_page *page;
    struct nb_if *next;            /* inbox or ready list, while queued */
    struct nb_if *mac_next, *ip_next;   /* hash chains */
    struct nb_counters c;
    struct nb_holdq *hq;           /* frames waiting for buffers, if any */
    uint32_t ipv4;                 /* network byte order, as in settings */
    uint32_t port;
    keel_domid_t domid;
    uint16_t mtu;
    uint8_t mac[6];
    uint8_t state, reason;
    uint8_t queued;                /* on the inbox or ready list (atomic) */
    uint8_t flags;                 /* NB_F_* (nb_impl.h) */
};

struct nb_switch_stats {
    uint64_t polls, copy_calls, copy_segs;
    uint64_t tx_frames;            /* guest frames answered */
    uint64_t uplink_tx, uplink_tx_lost;     /* to the NIC; refused by it */
    uint64_t uplink_rx, uplink_rx_dropped;  /* from the NIC; not delivered */
    uint64_t arp_answered;         /* requests the switch answered itself */
    uint64_t held, held_expired;   /* frames that waited; lost to NB_HOLD_NS */
    uint64_t held_refused;         /* not held: a bound was reached */
};

struct nb_batch;
struct nb_hold_pool;

struct nb_switch {
    const struct nb_ops *ops;
    void *ctx;
    struct nb_if **mac_tab, **ip_tab;   /* 2^bits buckets each */
    unsigned bits, nifs, max_ifs;
    struct nb_if *inbox;           /* kicked, pushed atomically (LIFO) */
    struct nb_if *ready, *ready_tail;   /* served round-robin (FIFO) */
    struct nb_batch *b;
    struct nb_hold_pool *hold;
    int busy;
    struct nb_switch_stats st;
};

/* max_ifs bounds the interfaces added at once (the hash tables get at least
 * that many buckets each).  Allocates the tables and one batch (its
 * staging pages: NB_BATCH * 4 KiB).  -KEEL_EINVAL, -KEEL_ENOMEM. */
int nb_switch_init(struct nb_switch *sw, const struct nb_ops *ops, void *ctx,
                   unsigned max_ifs);
void nb_switch_fini(struct nb_switch *sw);

/* Checks the settings (version, MTU range, a unicast MAC, an address) and
 * the ring pages; the backend resumes from the indices it finds there.
 * -KEEL_EINVAL. */
int nb_if_init(struct nb_if *vif, const struct nb_if_conf *conf);

/* Adds vif to the switch: -KEEL_EEXIST if its MAC or IPv4 address is
 * taken, -KEEL_ENOSPC beyond max_ifs.  Kick it once afterwards (the guest
 * may have queued frames before we connected). */
int nb_switch_add(struct nb_switch *sw, struct nb_if *vif);
/* Takes vif out (it may then be freed; its pages may be unmapped already:
 * they are not touched).  Its port's handler must be gone first: it must
 * not kick vif any more. */
void nb_switch_remove(struct nb_switch *sw, struct nb_if *vif);

/* vif's port had an event: serve it at the next poll.  Upcall-safe. */
void nb_switch_kick(struct nb_switch *sw, struct nb_if *vif);

/* Serves up to NB_BATCH tx requests of the kicked interfaces, round-robin,
 * at most NB_QUANTUM from each in turn, and delivers frames held for them
 * into buffers they have posted since.  1 if work is left (call again),
 * 0 if none, -KEEL_EBUSY from inside a callback. */
int nb_switch_poll(struct nb_switch *sw);

/* Frames the NIC received: each is delivered to the guest it is for (or
 * held for it until it posts a buffer), answered (ARP for a guest's
 * address) or dropped.  Done when it returns: the caller may reuse the
 * frames.  Returns 0, 1 if it left work for nb_switch_poll (a guest that
 * has buffers for frames held for it: wake the poller), or -KEEL_EBUSY
 * from inside a callback. */
int nb_switch_from_uplink(struct nb_switch *sw, const struct nb_frame *f, unsigned n);

struct nb_if *nb_switch_find_mac(const struct nb_switch *sw, const uint8_t mac[6]);
struct nb_if *nb_switch_find_ipv4(const struct nb_switch *sw, uint32_t ipv4);

const char *nb_reason_text(enum nb_reason why);

#endif /* NETBACK_NETBACK_H */
