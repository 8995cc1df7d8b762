/*
 * Split virtqueue, the driver's half (virtqueue.h).
 *
 * Ordering against the device, which runs concurrently (another CPU, or
 * QEMU's I/O thread): descriptors and the avail entry are written before
 * avail->idx (release store), and the used entries are read after
 * used->idx (acquire load).  Deciding whether to notify reads used->flags
 * after storing avail->idx: a store then a load, which x86 may reorder,
 * hence the full fence there; without it the device could set NO_NOTIFY,
 * stop looking, and never see the new entries.
 *
 * Free descriptors form a list through desc[].next; a popped chain goes
 * back on its front, so the head just popped is the next one added.  A
 * chain's length is remembered at add (in_flight[head]), not read back
 * from the flags at pop: an indirect head has no NEXT yet its table has,
 * and the walk must never follow more links than were chained.
 */
#include "virtqueue.h"

static bool power_of_two(unsigned v)
{
    return v && !(v & (v - 1));
}

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static size_t used_offset(uint16_t size)
{
    return align_up(sizeof(struct vring_desc) * size +
                    sizeof(struct vring_avail) + sizeof(uint16_t) * (size + 1u),
                    VQ_ALIGN);
}

size_t vq_bytes(uint16_t size)
{
    return used_offset(size) +
           align_up(sizeof(struct vring_used) +
                    sizeof(struct vring_used_elem) * size + sizeof(uint16_t),
                    VQ_ALIGN);
}

int vq_init(struct virtqueue *q, void *mem, uint8_t *in_flight,
            uint16_t size, uint16_t ndesc)
{
    if (!power_of_two(size) || size > VQ_SIZE_MAX || !ndesc || ndesc > size)
        return -1;
    *q = (struct virtqueue){
        .desc = mem,
        .avail = (struct vring_avail *)((uint8_t *)mem +
                                        sizeof(struct vring_desc) * size),
        .used = (struct vring_used *)((uint8_t *)mem + used_offset(size)),
        .in_flight = in_flight, .size = size, .ndesc = ndesc,
        .num_free = ndesc, .free_head = 0,
    };
    for (uint16_t i = 0; i < ndesc; i++) {
        q->desc[i].next = (uint16_t)(i + 1);
        in_flight[i] = 0;
    }
    return 0;
}

static uint16_t desc_flags(const struct vq_seg *seg, bool more)
{
    return (uint16_t)((seg->device_writes ? VRING_DESC_F_WRITE : 0) |
                      (more ? VRING_DESC_F_NEXT : 0));
}

/* head's chain of ring descriptors goes in the avail ring. */
static int post(struct virtqueue *q, uint16_t head, unsigned ring_descs)
{
    q->in_flight[head] = (uint8_t)ring_descs;
    q->avail->ring[q->avail_idx & (q->size - 1)] = head;
    q->avail_idx++;
    return head;
}

int vq_add(struct virtqueue *q, const struct vq_seg *segs, unsigned n)
{
    if (n == 0 || n > VQ_SEGS_MAX || n > q->num_free)
        return VQ_FULL;
    uint16_t head = q->free_head, i = head, last = head;
    for (unsigned k = 0; k < n; k++) {
        struct vring_desc *d = &q->desc[i];
        d->addr = segs[k].addr;
        d->len = segs[k].len;
        d->flags = desc_flags(&segs[k], k + 1 < n);
        last = i;
        i = d->next;
    }
    q->free_head = q->desc[last].next;
    q->num_free = (uint16_t)(q->num_free - n);
    return post(q, head, n);
}

int vq_add_indirect(struct virtqueue *q, struct vring_desc *table,
                    uint64_t table_maddr, const struct vq_seg *segs, unsigned n)
{
    if (n == 0 || n > VQ_SEGS_MAX || q->num_free == 0)
        return VQ_FULL;
    for (unsigned k = 0; k < n; k++)
        table[k] = (struct vring_desc){ segs[k].addr, segs[k].len,
                                        desc_flags(&segs[k], k + 1 < n),
                                        (uint16_t)(k + 1 < n ? k + 1 : 0) };
    uint16_t head = q->free_head;
    struct vring_desc *d = &q->desc[head];
    q->free_head = d->next;
    q->num_free--;
    d->addr = table_maddr;
    d->len = (uint32_t)(n * sizeof(*table));
    d->flags = VRING_DESC_F_INDIRECT;
    return post(q, head, 1);
}

bool vq_publish(struct virtqueue *q)
{
    if (q->avail_idx == q->kicked_idx)
        return false;
    __atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
    q->kicked_idx = q->avail_idx;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return !(__atomic_load_n(&q->used->flags, __ATOMIC_RELAXED) &
             VRING_USED_F_NO_NOTIFY);
}

/* Puts the chain starting at head back on the free list: as many
 * descriptors as vq_add took (in_flight), whatever the flags say now. */
static void free_chain(struct virtqueue *q, uint16_t head)
{
    uint16_t i = head, n = q->in_flight[head];

    for (uint16_t k = 1; k < n; k++)
        i = q->desc[i].next;
    q->desc[i].next = q->free_head;
    q->free_head = head;
    q->num_free = (uint16_t)(q->num_free + n);
    q->in_flight[head] = 0;
}

int vq_pop(struct virtqueue *q, uint32_t *len)
{
    if (q->last_used == __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE))
        return VQ_EMPTY;
    struct vring_used_elem e = q->used->ring[q->last_used & (q->size - 1)];
    q->last_used++;
    if (e.id >= q->ndesc || !q->in_flight[e.id])
        return VQ_BROKEN;
    free_chain(q, (uint16_t)e.id);
    *len = e.len;
    return (int)e.id;
}

void vq_want_interrupts(struct virtqueue *q, bool on)
{
    __atomic_store_n(&q->avail->flags, on ? 0 : VRING_AVAIL_F_NO_INTERRUPT,
                     __ATOMIC_RELAXED);
    /* a device that looks after this store and before our next pop must
     * see the new flag: the caller pops again after turning them on */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
