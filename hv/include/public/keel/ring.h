/*
 * Shared request/response rings, for every split-driver protocol.
 *
 * A ring lives in memory both ends map (usually one granted page): a header
 * with four free-running 32-bit indices, then a power-of-two array of
 * entries, each a union of one request and one response.  The frontend
 * produces requests and consumes responses; the backend consumes requests
 * and puts each response into the slot of a request it has consumed.  Index
 * i names slot i & (size - 1); indices wrap at 2^32 and only differences
 * are meaningful, so every comparison below is on a uint32_t difference.
 *
 *   KEEL_RING_DEFINE(blk, struct blk_req, struct blk_rsp);
 *
 * defines union blk_ring_entry, struct blk_sring (the shared layout),
 * struct blk_front and struct blk_back (each end's private state), and
 * static inline functions blk_sring_init, blk_front_init, blk_back_init,
 * blk_front_next_req, blk_front_push, blk_front_take_rsp,
 * blk_front_final_check, blk_back_take_req, blk_back_next_rsp,
 * blk_back_push, blk_back_final_check.
 *
 * Notification suppression.  Each side tells the other which index it
 * wants to hear about: req_event (set by the backend) is the request index
 * whose arrival should send it an event, rsp_event (set by the frontend)
 * likewise for responses.  A producer that publishes indices old..new
 * notifies only if the other side's event index lies in (old, new]; a
 * consumer that has drained the ring sets its event index to "one more",
 * then looks again (the final check), so nothing published in between is
 * missed.  A burst of requests therefore costs one notification.
 *
 * Distrust.  Each end keeps its own indices privately and never reads back
 * its own shared producer index; the other end's producer index is read
 * once and checked: more unanswered requests than slots (or more responses
 * than requests) is corruption, reported as KEEL_RING_CORRUPT so that the
 * caller closes the connection instead of following a hostile index.
 * Entries are copied out of the shared page before the caller looks at
 * them, so the other end cannot change a request after it was validated.
 *
 * Memory ordering.  x86-64 is TSO: stores are seen in program order, loads
 * are not reordered with other loads, and the only reordering is a load
 * passing an older store to another location.  So "write the entry, then
 * the producer index" and "read the producer index, then the entry" need
 * only compiler barriers (release/acquire fences compile to nothing), while
 * "publish my producer index, then read your event index" (and "publish my
 * event index, then re-read your producer index") is store->load and needs
 * a full fence (mfence).  The fences are C11 fences, so the header is also
 * correct on weaker CPUs.
 *
 * Self-contained: needs only <stdint.h>, <stddef.h> and GCC's __atomic builtins.
 */
#ifndef KEEL_PUBLIC_RING_H
#define KEEL_PUBLIC_RING_H

#include <stdint.h>
#include <stddef.h>

typedef uint32_t keel_ring_idx_t;

#define KEEL_RING_OK       0
#define KEEL_RING_CORRUPT  (-1)

#define keel_ring_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)  /* store->store */
#define keel_ring_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)  /* load->load */
#define keel_ring_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)  /* store->load */
/* After copying an entry out: the compiler must not re-read the shared slot
 * in place of the private copy (a double fetch the other end could race). */
#define keel_ring_barrier() __asm__ __volatile__("" ::: "memory")

/* The four indices, padded so that entries start on a cache line. */
struct keel_ring_hdr {
    keel_ring_idx_t req_prod, req_event;
    keel_ring_idx_t rsp_prod, rsp_event;
    uint8_t state[16];        /* free for the protocol (connection state) */
    uint8_t pad[32];
};

static inline keel_ring_idx_t keel_ring_read(const keel_ring_idx_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void keel_ring_write(keel_ring_idx_t *p, keel_ring_idx_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* Largest power of two of entries of entry_size that fit in bytes after the
 * header; 0 if not even one does. */
static inline uint32_t keel_ring_size(size_t bytes, size_t entry_size)
{
    size_t n, p = 1;

    if (bytes < sizeof(struct keel_ring_hdr) + entry_size)
        return 0;
    n = (bytes - sizeof(struct keel_ring_hdr)) / entry_size;
    while (p * 2 <= n && p < (1u << 31))
        p *= 2;
    return (uint32_t)p;
}

/* Publish prod (after the entries it covers) and say whether the other
 * side asked to hear about an index in (old, prod].  old is the value this
 * side published last, kept privately: the shared copy is the other side's
 * to scribble on. */
static inline int keel_ring_push(keel_ring_idx_t *shared_prod, const keel_ring_idx_t *event,
                                 keel_ring_idx_t old, keel_ring_idx_t prod)
{
    keel_ring_wmb();                  /* entries before the index */
    keel_ring_write(shared_prod, prod);
    keel_ring_mb();                   /* index before reading the event */
    return (keel_ring_idx_t)(prod - keel_ring_read(event)) < (keel_ring_idx_t)(prod - old);
}

#define KEEL_RING_DEFINE(name, req_t, rsp_t)                                   \
union name##_ring_entry { req_t req; rsp_t rsp; };                             \
struct name##_sring {                                                          \
    struct keel_ring_hdr h;                                                    \
    union name##_ring_entry ring[];                                            \
};                                                                             \
struct name##_front {                                                          \
    keel_ring_idx_t req_prod_pvt, rsp_cons, req_pushed;                        \
    uint32_t size;                                                             \
    struct name##_sring *s;                                                    \
};                                                                             \
struct name##_back {                                                           \
    keel_ring_idx_t rsp_prod_pvt, req_cons, rsp_pushed;                        \
    uint32_t size;                                                             \
    struct name##_sring *s;                                                    \
};                                                                             \
                                                                               \
/* The frontend, once, before it shares the ring. */                           \
static inline void name##_sring_init(struct name##_sring *s)                   \
{                                                                              \
    s->h.req_prod = s->h.rsp_prod = 0;                                         \
    s->h.req_event = s->h.rsp_event = 1;                                       \
}                                                                              \
                                                                               \
/* bytes: the size of the shared area (e.g. 4096).  0, or -1 if too small. */  \
static inline int name##_front_init(struct name##_front *f,                    \
                                    struct name##_sring *s, size_t bytes)      \
{                                                                              \
    f->size = keel_ring_size(bytes, sizeof(union name##_ring_entry));          \
    f->s = s;                                                                  \
    f->req_prod_pvt = f->rsp_cons = f->req_pushed = 0;                         \
    return f->size ? 0 : -1;                                                   \
}                                                                              \
                                                                               \
/* The backend starts from the indices it finds; a ring that is already      \
 * corrupt shows up at the first take. */                                      \
static inline int name##_back_init(struct name##_back *b,                      \
                                   struct name##_sring *s, size_t bytes)       \
{                                                                              \
    b->size = keel_ring_size(bytes, sizeof(union name##_ring_entry));          \
    b->s = s;                                                                  \
    b->req_cons = b->rsp_prod_pvt = b->rsp_pushed =                            \
        keel_ring_read(&s->h.rsp_prod);                                        \
    return b->size ? 0 : -1;                                                   \
}                                                                              \
                                                                               \
/* Slot for the next request, or NULL when every slot awaits a response.     \
 * Fill it, then publish with name##_front_push. */                            \
static inline req_t *name##_front_next_req(struct name##_front *f)             \
{                                                                              \
    if ((keel_ring_idx_t)(f->req_prod_pvt - f->rsp_cons) >= f->size)           \
        return NULL;                                                           \
    return &f->s->ring[f->req_prod_pvt++ & (f->size - 1)].req;                 \
}                                                                              \
                                                                               \
/* Publish the requests filled so far; 1 if the backend must be notified. */   \
static inline int name##_front_push(struct name##_front *f)                    \
{                                                                              \
    keel_ring_idx_t old = f->req_pushed;                                       \
                                                                               \
    f->req_pushed = f->req_prod_pvt;                                           \
    return keel_ring_push(&f->s->h.req_prod, &f->s->h.req_event, old,          \
                          f->req_prod_pvt);                                    \
}                                                                              \
                                                                               \
/* Copy the next response to *out: 1, 0 if none, KEEL_RING_CORRUPT if the    \
 * backend claims more responses than there were requests. */                  \
static inline int name##_front_take_rsp(struct name##_front *f, rsp_t *out)    \
{                                                                              \
    keel_ring_idx_t prod = keel_ring_read(&f->s->h.rsp_prod);                  \
                                                                               \
    if ((keel_ring_idx_t)(prod - f->rsp_cons) >                                \
        (keel_ring_idx_t)(f->req_prod_pvt - f->rsp_cons))                      \
        return KEEL_RING_CORRUPT;                                              \
    if (prod == f->rsp_cons)                                                   \
        return 0;                                                              \
    keel_ring_rmb();                  /* index before the entry */             \
    *out = f->s->ring[f->rsp_cons & (f->size - 1)].rsp;                        \
    keel_ring_barrier();              /* use the copy, never re-read */        \
    f->rsp_cons++;                                                             \
    return 1;                                                                  \
}                                                                              \
                                                                               \
/* Nothing left: ask for an event at the next response, then look again.     \
 * 1 if responses are waiting (keep going), 0 if the ring is drained (an     \
 * event will come), KEEL_RING_CORRUPT. */                                     \
static inline int name##_front_final_check(struct name##_front *f)             \
{                                                                              \
    keel_ring_idx_t prod = keel_ring_read(&f->s->h.rsp_prod);                  \
                                                                               \
    if (prod == f->rsp_cons) {                                                 \
        keel_ring_write(&f->s->h.rsp_event, f->rsp_cons + 1);                  \
        keel_ring_mb();               /* event index before re-reading prod */ \
        prod = keel_ring_read(&f->s->h.rsp_prod);                              \
    }                                                                          \
    if ((keel_ring_idx_t)(prod - f->rsp_cons) >                                \
        (keel_ring_idx_t)(f->req_prod_pvt - f->rsp_cons))                      \
        return KEEL_RING_CORRUPT;                                              \
    return prod != f->rsp_cons;                                                \
}                                                                              \
                                                                               \
/* Copy the next request to *out: 1, 0 if none, KEEL_RING_CORRUPT if the     \
 * frontend's producer index claims more unanswered requests than slots      \
 * (or went backwards): close the connection. */                               \
static inline int name##_back_take_req(struct name##_back *b, req_t *out)      \
{                                                                              \
    keel_ring_idx_t prod = keel_ring_read(&b->s->h.req_prod);                  \
                                                                               \
    if ((keel_ring_idx_t)(prod - b->rsp_prod_pvt) > b->size ||                 \
        (keel_ring_idx_t)(prod - b->req_cons) >                                \
        (keel_ring_idx_t)(prod - b->rsp_prod_pvt))                             \
        return KEEL_RING_CORRUPT;                                              \
    if (prod == b->req_cons)                                                   \
        return 0;                                                              \
    keel_ring_rmb();                  /* index before the entry */             \
    *out = b->s->ring[b->req_cons & (b->size - 1)].req;                        \
    keel_ring_barrier();              /* use the copy, never re-read */        \
    b->req_cons++;                                                             \
    return 1;                                                                  \
}                                                                              \
                                                                               \
/* Slot for the response to the oldest unanswered request, or NULL if every \
 * request taken has its response already. */                                 \
static inline rsp_t *name##_back_next_rsp(struct name##_back *b)               \
{                                                                              \
    if (b->rsp_prod_pvt == b->req_cons)                                        \
        return NULL;                                                           \
    return &b->s->ring[b->rsp_prod_pvt++ & (b->size - 1)].rsp;                 \
}                                                                              \
                                                                               \
/* Publish the responses filled so far; 1 if the frontend must be notified. */\
static inline int name##_back_push(struct name##_back *b)                      \
{                                                                              \
    keel_ring_idx_t old = b->rsp_pushed;                                       \
                                                                               \
    b->rsp_pushed = b->rsp_prod_pvt;                                           \
    return keel_ring_push(&b->s->h.rsp_prod, &b->s->h.rsp_event, old,          \
                          b->rsp_prod_pvt);                                    \
}                                                                              \
                                                                               \
/* Nothing left: ask for an event at the next request, then look again.      \
 * 1 if requests are waiting, 0 if drained, KEEL_RING_CORRUPT. */              \
static inline int name##_back_final_check(struct name##_back *b)               \
{                                                                              \
    keel_ring_idx_t prod = keel_ring_read(&b->s->h.req_prod);                  \
                                                                               \
    if (prod == b->req_cons) {                                                 \
        keel_ring_write(&b->s->h.req_event, b->req_cons + 1);                  \
        keel_ring_mb();               /* event index before re-reading prod */ \
        prod = keel_ring_read(&b->s->h.req_prod);                              \
    }                                                                          \
    if ((keel_ring_idx_t)(prod - b->rsp_prod_pvt) > b->size ||                 \
        (keel_ring_idx_t)(prod - b->req_cons) >                                \
        (keel_ring_idx_t)(prod - b->rsp_prod_pvt))                             \
        return KEEL_RING_CORRUPT;                                              \
    return prod != b->req_cons;                                                \
}                                                                              \
struct name##_ring_defined_ /* swallow the caller's semicolon */

#endif /* KEEL_PUBLIC_RING_H */
