/*
 * Frames held for a guest that has no receive buffer posted (netback.h,
 * NB_HOLD_*).  Without them a burst larger than the buffers a guest has
 * posted (two hundred clients connecting at once) loses frames, and each
 * loss costs the peer's TCP a retransmission timeout of a second or more.
 *
 * Invariant: an interface that holds frames is on the pool's holders list
 * (in the order it began to hold) and either is queued for a poll or has
 * asked for an event at its next rx request (the ring's final check), so
 * the buffer the guest posts next brings a poll, which delivers the held
 * frames first (nb_hold_deliver); a newer frame waits behind them
 * (nb_deliver), so a guest sees its frames in the order they came.
 *
 * Bounds: NB_HOLD_PER_IF an interface, NB_HOLD_FRAMES in all, NB_HOLD_NS
 * each (swept at most every NB_HOLD_SWEEP_NS): a guest that never posts
 * buffers pins a few slots for half a second, never the pool.
 */
#include <stdlib.h>
#include <string.h>
#include "nb_impl.h"

#define NB_HOLD_SWEEP_NS (NB_HOLD_NS / 8)

_Static_assert(NB_HOLD_SLOT <= KEEL_PAGE_SIZE && KEEL_PAGE_SIZE % NB_HOLD_SLOT == 0,
               "a slot lies in one page: a copy segment's own side must");

int nb_hold_init(struct nb_switch *sw)
{
    struct nb_hold_pool *p = calloc(1, sizeof(*p));

    if (!(sw->hold = p))
        return -KEEL_ENOMEM;
    p->slot = calloc(NB_HOLD_FRAMES, sizeof(*p->slot));
    p->q = calloc(NB_HOLD_FRAMES, sizeof(*p->q));
    p->mem = aligned_alloc(KEEL_PAGE_SIZE, (size_t)NB_HOLD_FRAMES * NB_HOLD_SLOT);
    if (!p->slot || !p->q || !p->mem)
        return -KEEL_ENOMEM;
    for (unsigned i = NB_HOLD_FRAMES; i-- > 0;) {
        p->slot[i] = (struct nb_held){ .next = p->free, .data = p->mem + (size_t)i * NB_HOLD_SLOT };
        p->free = &p->slot[i];
        p->q[i].next = p->free_q;
        p->free_q = &p->q[i];
    }
    return 0;
}

void nb_hold_fini(struct nb_switch *sw)
{
    if (sw->hold) {
        free(sw->hold->slot);
        free(sw->hold->q);
        free(sw->hold->mem);
    }
    free(sw->hold);
    sw->hold = NULL;
}

static uint64_t now(const struct nb_switch *sw)
{
    return sw->ops->now_ns ? sw->ops->now_ns(sw->ctx) : 0;
}

/* vif's queue, new at the end of the holders list (a free one exists
 * whenever a slot does: one queue a holder, one slot at least each). */
static struct nb_holdq *queue_open(struct nb_hold_pool *p, struct nb_if *vif)
{
    struct nb_holdq *q = p->free_q;

    p->free_q = q->next;
    *q = (struct nb_holdq){ .prev = p->newest, .vif = vif };
    if (p->newest)
        p->newest->next = q;
    else
        p->oldest = q;
    p->newest = q;
    return vif->hq = q;
}

static void queue_close(struct nb_hold_pool *p, struct nb_holdq *q)
{
    if (q->prev)
        q->prev->next = q->next;
    else
        p->oldest = q->next;
    if (q->next)
        q->next->prev = q->prev;
    else
        p->newest = q->prev;
    q->vif->hq = NULL;
    q->next = p->free_q;
    p->free_q = q;
}

/* vif's oldest held frame, off its queue (the caller owns the slot). */
static struct nb_held *pop_oldest(struct nb_switch *sw, struct nb_if *vif)
{
    struct nb_holdq *q = vif->hq;
    struct nb_held *h = q->head;

    q->head = h->next;
    if (--q->n == 0)
        queue_close(sw->hold, q);
    return h;
}

static void free_slot(struct nb_hold_pool *p, struct nb_held *h)
{
    h->next = p->free;
    p->free = h;
}

static void drop_oldest(struct nb_switch *sw, struct nb_if *vif)
{
    free_slot(sw->hold, pop_oldest(sw, vif));
    nb_count_rx_lost(vif, false);
}

/* Frames held longer than NB_HOLD_NS are lost.  Looks at most every
 * NB_HOLD_SWEEP_NS, and only at interfaces that hold frames. */
void nb_hold_expire(struct nb_switch *sw)
{
    struct nb_hold_pool *p = sw->hold;
    struct nb_holdq *q, *next;
    uint64_t t;

    if (!p->oldest || !sw->ops->now_ns || (t = now(sw)) < p->next_expiry_ns)
        return;
    p->next_expiry_ns = t + NB_HOLD_SWEEP_NS;
    for (q = p->oldest; q; q = next) {
        struct nb_if *vif = q->vif;
        next = q->next;
        while (vif->hq && t - vif->hq->head->at_ns > NB_HOLD_NS) {
            drop_oldest(sw, vif);
            sw->st.held_expired++;
        }
    }
}

/* The guest's next rx request must bring an event (invariant above);
 * false if it is there already, or the ring is broken (then cut off). */
static bool ask_for_buffers(struct nb_switch *sw, struct nb_if *vif)
{
    int rc = keel_net_rx_back_final_check(&vif->rx);

    if (rc == KEEL_RING_CORRUPT)
        nb_cut_off(sw, vif, NB_RX_RING_CORRUPT);
    return rc == 0;
}

/* A frame for live vif that finds no buffer, or older frames waiting. */
void nb_hold(struct nb_switch *sw, struct nb_if *vif, const uint8_t *frame, uint16_t len)
{
    struct nb_hold_pool *p = sw->hold;
    struct nb_held *h = p->free;
    struct nb_holdq *q = vif->hq;

    if (!h || len > NB_HOLD_SLOT || (q && q->n >= NB_HOLD_PER_IF)) {
        sw->st.held_refused++;
        nb_count_rx_lost(vif, false);
        return;
    }
    p->free = h->next;
    memcpy(h->data, frame, len);
    *h = (struct nb_held){ .data = h->data, .at_ns = now(sw), .len = len };
    if (q)
        q->tail->next = h;
    else
        (q = queue_open(p, vif))->head = h;
    q->tail = h;
    q->n++;
    sw->st.held++;
    if (q->n == 1 && !ask_for_buffers(sw, vif) && vif->state == NB_LIVE)
        nb_switch_kick(sw, vif);       /* posted meanwhile: the next poll */
}

/* In vif's turn of a poll: its held frames into the buffers it has
 * posted, oldest first, while the batch has room.  True if it has more to
 * deliver right now (give it another turn); false when done, or when it
 * must post more buffers first (it has asked for the event). */
bool nb_hold_deliver(struct nb_switch *sw, struct nb_if *vif)
{
    struct nb_batch *b = sw->b;
    struct keel_net_rx_req req;
    struct nb_held *h;
    int rc;

    while (vif->hq) {
        if (b->ntx + b->nrx >= NB_BATCH)
            return true;
        rc = nb_rx_claim(sw, vif, &req);
        if (rc == -2)
            return false;               /* cut off: its frames are gone */
        if (rc == 0) {
            if (ask_for_buffers(sw, vif) || vif->state != NB_LIVE)
                return false;
            continue;                   /* posted meanwhile */
        }
        h = pop_oldest(sw, vif);
        b->released[b->nreleased++] = h;
        nb_add_rx(sw, vif, &req, rc > 0, h->data, h->len);
    }
    return false;
}

/* vif is cut off or leaving: its held frames are lost.  Counted in our
 * counters only: a leaving interface's pages may be unmapped already. */
void nb_hold_forget(struct nb_switch *sw, struct nb_if *vif)
{
    while (vif->hq) {
        free_slot(sw->hold, pop_oldest(sw, vif));
        vif->c.rx_no_buffer++;
    }
}

/* At a batch's end, once its copies are done: the slots it delivered. */
void nb_hold_release_batch(struct nb_switch *sw)
{
    struct nb_batch *b = sw->b;

    for (unsigned i = 0; i < b->nreleased; i++)
        free_slot(sw->hold, b->released[i]);
    b->nreleased = 0;
}
