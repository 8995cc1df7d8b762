/*
 * netback's insides, shared by its files:
 *   vif.c      an interface: settings, cut-off, counters, the state word
 *   ring.c     its tx and rx rings: take, check, answer, push and notify
 *   table.c    the MAC and IPv4 hash tables
 *   pending.c  which interfaces have work: the inbox and the ready list
 *   frame.c    Ethernet, ARP and IPv4 headers: source checks, ARP replies
 *   switch.c   where a frame goes (from a guest, from the uplink)
 *   batch.c    one poll: gather, copy in, switch, copy out; frames from
 *              the NIC
 *   deliver.c  a batch's output: rx buffers, the uplink, answers, events
 *   hold.c     frames waiting for a guest to post buffers
 *
 * A batch.  Every guest frame is first copied whole into a staging page of
 * dom0's (one grant copy call for the batch), checked and switched on that
 * copy, then copied from it into the destinations' posted buffers (one
 * more call) or handed to the uplink.  The staged bytes are the bytes
 * delivered: a guest that rewrites its frame after the check changes
 * nothing.  Responses are written once the copies are done, in the order
 * the requests were taken, so each ring is answered in request order.
 */
#ifndef NETBACK_NB_IMPL_H
#define NETBACK_NB_IMPL_H

#include <stdbool.h>
#include <netback/netback.h>

/* nb_if.flags */
#define NB_F_TX_RSP     0x01u   /* tx responses written this batch */
#define NB_F_RX_RSP     0x02u   /* rx responses written this batch */
#define NB_F_TOUCHED    0x04u   /* on the batch's touched list */
#define NB_F_SPOOF_LOGGED 0x08u /* its first spoofed frame was logged */

/* A tx request taken this batch; its frame is staged at buf. */
struct nb_txent {
    struct nb_if *src;
    uint8_t *buf;
    uint16_t id, len;
    int16_t status;
    int16_t seg;                /* its copy-in segment, -1: none */
};

/* An rx request taken this batch (a frame for dst). */
struct nb_rxent {
    struct nb_if *dst;
    uint16_t id, offset, len;
    int16_t status;             /* KEEL_NET_ERROR: unusable buffer */
    int16_t seg;                /* its copy-out segment, -1: none */
};

/* A frame held for a guest (hold.c): its bytes in a slot of the pool. */
struct nb_held {
    struct nb_held *next;
    uint8_t *data;              /* NB_HOLD_SLOT bytes, within one page */
    uint64_t at_ns;             /* when it was held */
    uint16_t len;
};

/* An interface's held frames, oldest first; one for each interface that
 * holds any, so there are never more than frames. */
struct nb_holdq {
    struct nb_held *head, *tail;
    struct nb_holdq *prev, *next;   /* the holders list, oldest first */
    struct nb_if *vif;
    unsigned n;
};

struct nb_hold_pool {
    struct nb_held *slot;       /* NB_HOLD_FRAMES */
    struct nb_holdq *q;         /* NB_HOLD_FRAMES */
    uint8_t *mem;               /* the frames' bytes, page aligned */
    struct nb_held *free;
    struct nb_holdq *free_q;
    struct nb_holdq *oldest, *newest;   /* interfaces holding frames */
    uint64_t next_expiry_ns;    /* no sweep for old frames before this */
};

struct nb_batch {
    unsigned ntx, nrx, nin, nout, nup, ntouched, nreleased;
    struct nb_txent tx[NB_BATCH];
    struct nb_rxent rx[NB_BATCH];
    struct keel_grant_copy in[NB_BATCH], out[NB_BATCH];
    struct nb_frame up[NB_BATCH];
    struct nb_if *touched[2 * NB_BATCH];
    struct nb_held *released[NB_BATCH];   /* delivered this batch: free at its end */
    uint8_t (*stage)[KEEL_PAGE_SIZE];   /* NB_BATCH page-aligned pages */
};

/* vif.c */
void nb_cut_off(struct nb_switch *sw, struct nb_if *vif, enum nb_reason why);
bool nb_state_word_ok(struct nb_switch *sw, struct nb_if *vif);
void nb_count_tx(struct nb_if *vif, int16_t status);
void nb_count_rx_lost(struct nb_if *vif, bool unusable);
void nb_log(struct nb_switch *sw, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ring.c */
int nb_tx_take(struct nb_switch *sw, struct nb_if *vif, struct keel_net_tx_req *req);
int16_t nb_tx_check(const struct nb_if *vif, const struct keel_net_tx_req *req);
void nb_tx_idle(struct nb_switch *sw, struct nb_if *vif);
void nb_tx_answer(struct nb_switch *sw, struct nb_if *vif, uint16_t id, int16_t status);
int nb_rx_claim(struct nb_switch *sw, struct nb_if *vif, struct keel_net_rx_req *req);
void nb_rx_answer(struct nb_switch *sw, struct nb_if *vif, const struct nb_rxent *e);
void nb_push(struct nb_switch *sw, struct nb_if *vif);

/* pending.c */
struct nb_if *nb_ready_pop(struct nb_switch *sw);
void nb_ready_append(struct nb_switch *sw, struct nb_if *vif);
void nb_inbox_drain(struct nb_switch *sw);
void nb_pending_forget(struct nb_switch *sw, struct nb_if *vif);
bool nb_pending_any(const struct nb_switch *sw);

/* frame.c */
#define NB_ETH_ARP   0x0806u
#define NB_ETH_IPV4  0x0800u
#define NB_ARP_LEN   (KEEL_NET_ETH_HLEN + 28u)
#define NB_ARP_REQUEST 1u

enum nb_source { NB_SRC_OK, NB_SRC_SPOOFED, NB_SRC_UNFORWARDED };

struct nb_arp {                 /* ARP for IPv4 over Ethernet, copied out */
    uint16_t op;
    uint8_t sha[6], tha[6];
    uint32_t spa, tpa;          /* network byte order */
};

uint16_t nb_ethertype(const uint8_t *f);
bool nb_mac_is_group(const uint8_t *mac);     /* multicast or broadcast */
bool nb_mac_is_broadcast(const uint8_t *mac);
bool nb_parse_arp(const uint8_t *f, uint16_t len, struct nb_arp *a);
enum nb_source nb_check_source(const struct nb_if *vif, const uint8_t *f, uint16_t len);
uint16_t nb_arp_reply(uint8_t *out, const struct nb_if *owner, const struct nb_arp *req);

/* hold.c */
int nb_hold_init(struct nb_switch *sw);
void nb_hold_fini(struct nb_switch *sw);
void nb_hold(struct nb_switch *sw, struct nb_if *vif, const uint8_t *frame, uint16_t len);
bool nb_hold_deliver(struct nb_switch *sw, struct nb_if *vif);
void nb_hold_forget(struct nb_switch *sw, struct nb_if *vif);
void nb_hold_expire(struct nb_switch *sw);
void nb_hold_release_batch(struct nb_switch *sw);

/* switch.c */
int16_t nb_switch_guest_frame(struct nb_switch *sw, struct nb_txent *e);
void nb_switch_uplink_frame(struct nb_switch *sw, const struct nb_frame *f, uint8_t *scratch);

/* batch.c, deliver.c */
void nb_batch_reset(struct nb_batch *b);
void nb_deliver(struct nb_switch *sw, struct nb_if *dst, const uint8_t *frame, uint16_t len);
void nb_add_rx(struct nb_switch *sw, struct nb_if *dst, const struct keel_net_rx_req *req,
               bool usable, const uint8_t *frame, uint16_t len);
void nb_to_uplink(struct nb_switch *sw, const uint8_t *frame, uint16_t len);
void nb_touch(struct nb_switch *sw, struct nb_if *vif);
void nb_copy(struct nb_switch *sw, struct keel_grant_copy *seg, unsigned n);
void nb_batch_finish(struct nb_switch *sw);

#endif /* NETBACK_NB_IMPL_H */
