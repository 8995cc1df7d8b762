/*
 * One end of a keel/stream.h byte stream: the one implementation of the
 * byte-stream ring.  Every side that moves bytes through one uses it: the
 * hypervisor and the host launcher (the host I/O path, keel/hostio.h), the
 * libos (console frontend, channels) and the console backend.  Pure:
 * nothing here waits, notifies or allocates; the caller does those with
 * what these functions answer.
 *
 * The end's own counter (`mine`: prod for a producer, cons for a
 * consumer) is kept privately and only ever stored to the shared control
 * block, never read back, so a peer that scribbles on it cannot make us
 * re-send or skip bytes.  The peer's counter is read once per step and
 * checked: prod - cons > size is corruption (STREAM_CORRUPT), and the
 * caller stops using the stream instead of following the index.
 *
 * The data area (size bytes, a power of two) is either contiguous
 * (`data`) or a list of pages that need not be (`page`, a mapper's grant
 * window); with neither (a consumer that fetches by grant copy) only the
 * offsets are used.  Byte i of the stream is byte i % size of the area.
 *
 * Memory ordering, for every user at once:
 *  - a producer writes the bytes, then stores prod with release order, so
 *    a consumer that loads prod with acquire order sees every byte below
 *    it; the consumer's copies come before its release store of cons, so
 *    the producer never overwrites a byte that is still being read;
 *  - after publishing its counter (or an event index) each side issues a
 *    full fence before it reads the other side's event index (or
 *    counter): store then load is the one order x86-64 does not keep by
 *    itself (TSO), and without it both sides could miss each other and
 *    sleep with bytes or room waiting.  With the fence, of two racing ends
 *    at least one sees the other's store: no lost wake-up.
 * Notification suppression (keel/stream.h): the consumer arms prod_event
 * before it sleeps, the producer notifies only when its new prod crossed
 * it; likewise cons_event for a producer waiting for room.  Ends that do
 * not notify through the event indices (the host I/O path has doorbells
 * of its own) ignore what stream_produced/stream_consumed answer.
 */
#ifndef LIB_STREAM_STREAM_H
#define LIB_STREAM_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <keel/stream.h>

#define STREAM_CORRUPT (-1)

struct stream {
    struct keel_stream *s;      /* shared control block */
    uint8_t *data;              /* contiguous data area, or NULL */
    uint8_t *const *page;       /* else its pages (size / KEEL_PAGE_SIZE), or NULL */
    uint32_t size;              /* power of two */
    uint32_t mine;              /* ours: prod (producer) or cons (consumer) */
};

/* An end over a contiguous area (data), or over pages (data NULL, page[]
 * or NULL), resuming at counter `mine`. */
void stream_init(struct stream *st, struct keel_stream *s, uint8_t *data,
                 uint32_t size, uint32_t mine);
void stream_init_pages(struct stream *st, struct keel_stream *s,
                       uint8_t *const *page, uint32_t size, uint32_t mine);
/* The owner of a fresh stream, before it shares it: counters at 0, and
 * each side hears of the first byte and the first room. */
void stream_reset(struct keel_stream *s);

/* Consumer: bytes readable; producer: bytes of room.  STREAM_CORRUPT when
 * the peer's counter is impossible. */
long stream_readable(const struct stream *st);
long stream_writable(const struct stream *st);

/* The piece of the n bytes from our counter that starts `done` bytes in:
 * its offset in the data area (*off) and its length, which never crosses
 * the area's end nor, unless the area is contiguous, a page.  For callers
 * that move bytes themselves (grant copies, a parser fed in place). */
uint32_t stream_piece(const struct stream *st, uint32_t done, uint32_t n,
                      uint32_t *off);

/* Copy n bytes (<= readable) out / (<= writable) in at our counter,
 * without publishing; then stream_consumed / stream_produced. */
void stream_copy_out(const struct stream *st, void *buf, uint32_t n);
void stream_copy_in(const struct stream *st, const void *buf, uint32_t n);

/* Publish n more bytes consumed / produced (release), full fence; returns
 * 1 when the peer asked to hear of it (its event index was crossed). */
int stream_consumed(struct stream *st, uint32_t n);
int stream_produced(struct stream *st, uint32_t n);

/* Copy, then publish: what stream_consumed / stream_produced return. */
int stream_take(struct stream *st, void *buf, uint32_t n);
int stream_put(struct stream *st, const void *buf, uint32_t n);

/* Before sleeping: ask to hear of the next byte (consumer) or of any
 * freed room (producer), full fence, look again: what stream_readable /
 * stream_writable return then.  0 means sleep; an event will come. */
long stream_arm_read(struct stream *st);
long stream_arm_write(struct stream *st);

#endif /* LIB_STREAM_STREAM_H */
