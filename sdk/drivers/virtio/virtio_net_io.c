/*
 * virtio-net, the data path (virtio_net.h): send, receive, reclaim.
 *
 * Transmit interrupts are off while the queue has room: sent buffers are
 * reclaimed whenever we send or poll, so a burst costs the device no
 * interrupts and us no events.  When a send finds the queue full we turn
 * them on (and look once more, in case the device used buffers meanwhile),
 * so the caller that dropped a frame hears when room comes back; they go
 * off again once half the queue is free.  send_many's frames that find the
 * queue full wait in a backlog (malloc'd copies, VIRTIO_NET_TX_BACKLOG at
 * most), which goes to the device before anything newer, at the next
 * send_many and after each reclaim of a poll or event.
 *
 * Receive: every free buffer is posted; a batch of received frames is
 * handed out first and its buffers posted again after it, with one
 * notification for the whole batch.  Popped buffers are on the free list
 * while the batch is out, but nothing adds to the receive queue until
 * the batch is back (the callback may only send), so they stay the
 * caller's to read.
 */
#include <stdlib.h>
#include <string.h>
#include <keel/abi.h>
#include "virtio_net_impl.h"

static uint16_t frame_max(const struct virtio_net *n)
{
    return (uint16_t)VIRTIO_NET_FRAME_MAX(n->mtu);
}

/* The descriptors of the buffer tied to head, len bytes of it (header
 * included); how many. */
static unsigned segments(const struct virtio_net *n, const struct vnet_pool *p,
                         uint16_t head, uint32_t len, bool device_writes,
                         struct vq_seg *s)
{
    uint64_t a = p->maddr + (uint64_t)head * n->slot;

    if (n->segs == 1) {
        s[0] = (struct vq_seg){ a, len, device_writes };
        return 1;
    }
    s[0] = (struct vq_seg){ a, VNET_HDR_LEN, device_writes };
    s[1] = (struct vq_seg){ a + VNET_HDR_LEN, len - VNET_HDR_LEN, device_writes };
    return 2;
}

static uint8_t *buffer(const struct virtio_net *n, const struct vnet_pool *p,
                       uint16_t head)
{
    return p->va + (size_t)head * n->slot;
}

static void notify(struct virtio_net *n, unsigned queue, struct virtqueue *q)
{
    if (vq_publish(q)) {
        vpci_out16(&n->pci, VIRTIO_PCI_QUEUE_NOTIFY, (uint16_t)queue);
        n->c.notifies++;
    }
}

void vnet_fill_rx(struct virtio_net *n)
{
    struct vq_seg s[2];

    while (vq_num_free(&n->rx) >= n->segs) {
        uint16_t head = vq_next_head(&n->rx);
        vq_add(&n->rx, s, segments(n, &n->rx_buf, head, n->slot, true, s));
    }
    notify(n, VNET_QUEUE_RX, &n->rx);
}

static void set_tx_interrupts(struct virtio_net *n, bool on)
{
    vq_want_interrupts(&n->tx, on);
    n->tx_interrupts = on;
}

static void reclaim_tx(struct virtio_net *n)
{
    uint32_t len;
    int head;

    while ((head = vq_pop(&n->tx, &len)) != VQ_EMPTY)
        if (head == VQ_BROKEN)
            n->c.device_errors++;
    if (n->tx_interrupts && vq_num_free(&n->tx) >= n->tx.ndesc / 2)
        set_tx_interrupts(n, false);
}

static bool tx_room(struct virtio_net *n)
{
    reclaim_tx(n);
    if (vq_num_free(&n->tx) >= n->segs)
        return true;
    set_tx_interrupts(n, true);
    reclaim_tx(n);                  /* used before the device saw the flag */
    return vq_num_free(&n->tx) >= n->segs;
}

/* One frame onto the queue, not yet published.  0, -KEEL_EINVAL,
 * -KEEL_ENOSPC. */
static int enqueue(struct virtio_net *n, const void *frame, size_t len)
{
    struct vq_seg s[2];

    if (len < VIRTIO_NET_ETH_HLEN || len > frame_max(n)) {
        n->c.tx_errors++;
        return -KEEL_EINVAL;
    }
    if (!tx_room(n))
        return -KEEL_ENOSPC;
    uint16_t head = vq_next_head(&n->tx);
    uint8_t *b = buffer(n, &n->tx_buf, head);
    memset(b, 0, VNET_HDR_LEN);                 /* no offload: flags 0 */
    memcpy(b + VNET_HDR_LEN, frame, len);
    vq_add(&n->tx, s, segments(n, &n->tx_buf, head,
                               (uint32_t)(VNET_HDR_LEN + len), false, s));
    n->c.tx_frames++;
    n->c.tx_bytes += len;
    return 0;
}

int virtio_net_send(struct virtio_net *n, const void *frame, size_t len)
{
    int rc = n->backlog ? -KEEL_ENOSPC : enqueue(n, frame, len);

    if (rc == 0)
        notify(n, VNET_QUEUE_TX, &n->tx);
    else if (rc == -KEEL_ENOSPC)
        n->c.tx_full++;
    return rc;
}

static bool backlog_add(struct virtio_net *n, const struct virtio_net_frame *f)
{
    struct vnet_waiting *w;

    if (n->backlog_len >= VIRTIO_NET_TX_BACKLOG || !(w = malloc(sizeof(*w) + f->len)))
        return false;
    w->next = NULL;
    w->len = f->len;
    memcpy(w->frame, f->data, f->len);
    if (!n->backlog)
        n->backlog_end = &n->backlog;
    *n->backlog_end = w;
    n->backlog_end = &w->next;
    n->backlog_len++;
    n->c.tx_waited++;
    return true;
}

/* The backlog onto the queue, oldest first, while it has room (a frame
 * with a bad length is dropped on the way, counted by enqueue). */
static void backlog_to_queue(struct virtio_net *n)
{
    struct vnet_waiting *w;

    while ((w = n->backlog) && enqueue(n, w->frame, w->len) != -KEEL_ENOSPC) {
        n->backlog = w->next;
        n->backlog_len--;
        free(w);
    }
}

unsigned virtio_net_send_many(struct virtio_net *n,
                              const struct virtio_net_frame *f, unsigned count)
{
    unsigned i = 0;

    backlog_to_queue(n);
    for (; i < count; i++) {
        if (!n->backlog && enqueue(n, f[i].data, f[i].len) != -KEEL_ENOSPC)
            continue;
        if (!backlog_add(n, &f[i])) {
            n->c.tx_full++;
            break;
        }
    }
    notify(n, VNET_QUEUE_TX, &n->tx);
    return i;
}

/* Adds the frame in head's buffer to the batch; false (counted) if the
 * device reported a length out of range. */
static bool take_frame(struct virtio_net *n, uint16_t head, uint32_t len,
                       unsigned k)
{
    if (len < VNET_HDR_LEN + VIRTIO_NET_ETH_HLEN ||
        len > VNET_HDR_LEN + (uint32_t)frame_max(n)) {
        n->c.rx_errors++;
        return false;
    }
    len -= VNET_HDR_LEN;
    n->batch[k] = (struct virtio_net_frame){
        buffer(n, &n->rx_buf, head) + VNET_HDR_LEN, (uint16_t)len };
    n->c.rx_frames++;
    n->c.rx_bytes += len;
    return true;
}

/* Up to max used receive buffers: handed out as one batch, then posted
 * again.  How many were taken. */
static unsigned rx_batch(struct virtio_net *n, unsigned max)
{
    unsigned taken = 0, k = 0;
    uint32_t len;
    int head;

    while (taken < max && (head = vq_pop(&n->rx, &len)) != VQ_EMPTY) {
        taken++;
        if (head == VQ_BROKEN)
            n->c.device_errors++;
        else if (take_frame(n, (uint16_t)head, len, k))
            k++;
    }
    if (k) {
        n->in_rx = true;
        n->rx_fn(n->rx_ctx, n->batch, k);
        n->in_rx = false;
    }
    vnet_fill_rx(n);                /* the batch's buffers, back to the device */
    return taken;
}

int virtio_net_poll(struct virtio_net *n, unsigned budget)
{
    unsigned taken = 0, got;

    if (n->in_rx)
        return -KEEL_EBUSY;
    do {
        unsigned max = budget - taken;
        got = rx_batch(n, max < VIRTIO_NET_RX_BATCH ? max : VIRTIO_NET_RX_BATCH);
        taken += got;
    } while (got == VIRTIO_NET_RX_BATCH && taken < budget);
    reclaim_tx(n);
    if (n->backlog) {
        backlog_to_queue(n);
        notify(n, VNET_QUEUE_TX, &n->tx);
    }
    return (int)taken;
}

int virtio_net_event(struct virtio_net *n, unsigned budget)
{
    if (n->in_rx)
        return -KEEL_EBUSY;
    n->c.events++;
    /* reading the ISR lowers the line; anything used after this read
     * raises it again, and the acknowledgement lets that through */
    if (vpci_in8(&n->pci, VIRTIO_PCI_ISR) & VIRTIO_PCI_ISR_CONFIG)
        vnet_read_link(n);
    if (n->port)
        vpci_irq_ack(&n->pci);
    return virtio_net_poll(n, budget);
}
