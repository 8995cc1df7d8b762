/*
 * The byte-stream ring (stream/stream.h, which explains the ordering).
 */
#include <stream/stream.h>

#define PAGE KEEL_PAGE_SIZE

void stream_init(struct stream *st, struct keel_stream *s, uint8_t *data,
                 uint32_t size, uint32_t mine)
{
    *st = (struct stream){ .s = s, .data = data, .size = size, .mine = mine };
}

void stream_init_pages(struct stream *st, struct keel_stream *s,
                       uint8_t *const *page, uint32_t size, uint32_t mine)
{
    *st = (struct stream){ .s = s, .page = page, .size = size, .mine = mine };
}

void stream_reset(struct keel_stream *s)
{
    s->prod = s->cons = 0;
    s->prod_event = 1;
    s->cons_event = 1;
}

long stream_readable(const struct stream *st)
{
    uint32_t used = __atomic_load_n(&st->s->prod, __ATOMIC_ACQUIRE) - st->mine;

    return used > st->size ? STREAM_CORRUPT : (long)used;
}

long stream_writable(const struct stream *st)
{
    uint32_t used = st->mine - __atomic_load_n(&st->s->cons, __ATOMIC_ACQUIRE);

    return used > st->size ? STREAM_CORRUPT : (long)(st->size - used);
}

uint32_t stream_piece(const struct stream *st, uint32_t done, uint32_t n,
                      uint32_t *off)
{
    uint32_t at = (st->mine + done) & (st->size - 1);
    uint32_t len = n - done;

    if (len > st->size - at)
        len = st->size - at;
    if (!st->data && len > PAGE - at % PAGE)
        len = PAGE - at % PAGE;
    *off = at;
    return len;
}

static uint8_t *at(const struct stream *st, uint32_t off)
{
    return st->data ? st->data + off : st->page[off / PAGE] + off % PAGE;
}

void stream_copy_out(const struct stream *st, void *buf, uint32_t n)
{
    uint32_t off;

    for (uint32_t done = 0, len; done < n; done += len) {
        len = stream_piece(st, done, n, &off);
        __builtin_memcpy((uint8_t *)buf + done, at(st, off), len);
    }
}

void stream_copy_in(const struct stream *st, const void *buf, uint32_t n)
{
    uint32_t off;

    for (uint32_t done = 0, len; done < n; done += len) {
        len = stream_piece(st, done, n, &off);
        __builtin_memcpy(at(st, off), (const uint8_t *)buf + done, len);
    }
}

/* Store our new counter (release: after the bytes), fence, and look at the
 * peer's event index. */
static int publish(volatile uint32_t *counter, const volatile uint32_t *event,
                   uint32_t old, uint32_t now)
{
    __atomic_store_n(counter, now, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return keel_stream_need_notify(old, now, *event);
}

int stream_consumed(struct stream *st, uint32_t n)
{
    uint32_t old = st->mine;

    st->mine += n;
    return publish(&st->s->cons, &st->s->cons_event, old, st->mine);
}

int stream_produced(struct stream *st, uint32_t n)
{
    uint32_t old = st->mine;

    st->mine += n;
    return publish(&st->s->prod, &st->s->prod_event, old, st->mine);
}

int stream_take(struct stream *st, void *buf, uint32_t n)
{
    stream_copy_out(st, buf, n);
    return stream_consumed(st, n);
}

int stream_put(struct stream *st, const void *buf, uint32_t n)
{
    stream_copy_in(st, buf, n);
    return stream_produced(st, n);
}

long stream_arm_read(struct stream *st)
{
    st->s->prod_event = st->mine + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return stream_readable(st);
}

/* Wake me as soon as the consumer frees anything: the next cons value. */
long stream_arm_write(struct stream *st)
{
    st->s->cons_event = __atomic_load_n(&st->s->cons, __ATOMIC_ACQUIRE) + 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return stream_writable(st);
}
