/*
 * The launcher's side of the shared-memory host I/O path
 * (tools/keel/hostio.c) on a plain buffer: the layout the hypervisor will
 * check, records drained across the ring's wrap, input pushed without ever
 * overrunning the consumer, counters that lie, and the doorbell: rung once
 * per wait of the hypervisor, only after input was published, and kept
 * owed while the serial pipe is full.  The output doorbell's launcher
 * half: we sleep only with out_waiting set and `out` empty, a full ring
 * is never slept on, and a corrupt one is not waited for.
 * (hv_hostio_test.c interleaves it with the hypervisor's half.)
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>

#include "ktest.h"
#include "../../tools/keel/record.c"
#include "../../tools/keel/hostio.c"
#include "../../lib/stream/stream.c"
#include "../../tools/keel/input.c"

static uint8_t *mem;
static struct keel_hostio h;
static struct keel_rec_parser parser;
static size_t got_len, nrec;
static uint8_t got[1 << 16];

static void on_record(void *ctx, const struct keel_record *r)
{
    (void)ctx;
    nrec++;
    if (got_len + r->len <= sizeof(got))
        memcpy(got + got_len, r->data, r->len);
    got_len += r->len;
}

static void on_log(void *ctx, const uint8_t *b, size_t n)
{
    (void)ctx, (void)b, (void)n;
}

/* A fresh layout whose `out` counters both start at out_at. */
static void setup_at(uint32_t out_at)
{
    if (!mem)
        mem = malloc(KEEL_HOSTIO_TOTAL_SIZE);
    memset(mem, 0xa5, KEEL_HOSTIO_TOTAL_SIZE);
    keel_hostio_layout(mem);
    ((struct keel_hostio_header *)mem)->out.prod = out_at;
    ((struct keel_hostio_header *)mem)->out.cons = out_at;
    keel_hostio_attach(&h, mem);
    keel_rec_init(&parser, (struct keel_rec_sink){ on_record, on_log, NULL });
    got_len = nrec = 0;
}

static void setup(void)
{
    setup_at(0);
}

/* The hypervisor's side of `out`: append bytes at prod. */
static void hv_put(const void *data, uint32_t n)
{
    struct keel_hostio_header *hd = (void *)mem;
    uint8_t *ring = mem + hd->out_offset;
    for (uint32_t i = 0; i < n; i++)
        ring[(hd->out.prod + i) % hd->out_size] = ((const uint8_t *)data)[i];
    hd->out.prod += n;
}

KTEST(layout_is_valid)
{
    setup();
    struct keel_hostio_header *hd = (void *)mem;
    EXPECT(hd->magic == KEEL_HOSTIO_MAGIC);
    EXPECT_EQ(hd->version, KEEL_HOSTIO_VERSION);
    EXPECT_EQ(hd->total_size, KEEL_HOSTIO_TOTAL_SIZE);
    EXPECT(hd->out_offset >= KEEL_HOSTIO_HDR_SIZE);
    EXPECT(hd->in_offset >= hd->out_offset + hd->out_size);
    EXPECT(hd->in_offset + hd->in_size <= KEEL_HOSTIO_TOTAL_SIZE);
    EXPECT_EQ(hd->out.prod | hd->out.cons | hd->in.prod | hd->in.cons, 0);
    EXPECT_EQ(hd->in_waiting | hd->out_waiting, 0);
    EXPECT(!keel_hostio_live(&h));
    hd->hv_state = KEEL_HOSTIO_HV_ACTIVE;
    EXPECT(keel_hostio_live(&h));
}

KTEST(drain_across_wrap)
{
    /* start just before the wrap, and near the 32-bit counter wrap too */
    setup_at(0xffffffffu - 5);
    struct keel_hostio_header *hd = (void *)mem;
    static uint8_t rec[12 + 1000];
    memcpy(rec, "\x01K0001o03e8:", 12);
    for (int i = 0; i < 1000; i++)
        rec[12 + i] = (uint8_t)(i * 13);
    hv_put(rec, sizeof(rec));
    EXPECT_EQ(keel_hostio_drain(&h, &parser), sizeof(rec));
    EXPECT_EQ(nrec, 1);
    EXPECT_EQ(got_len, 1000);
    EXPECT(!memcmp(got, rec + 12, 1000));
    EXPECT_EQ(hd->out.cons, hd->out.prod);
    EXPECT_EQ(keel_hostio_drain(&h, &parser), 0);
}

KTEST(corrupt_prod_is_not_followed)
{
    setup();
    struct keel_hostio_header *hd = (void *)mem;
    hd->out.prod = hd->out_size + 1;
    EXPECT_EQ(keel_hostio_drain(&h, &parser), 0);
    EXPECT(!h.out_ok);
    EXPECT_EQ(hd->out.cons, 0);
    EXPECT_EQ(nrec, 0);
    EXPECT(keel_hostio_out_arm(&h));           /* nothing more to wait for */
    EXPECT_EQ(hd->out_waiting, 0);             /* nor a doorbell to ask for */
}

KTEST(push_respects_room)
{
    setup();
    struct keel_hostio_header *hd = (void *)mem;
    static uint8_t data[(KEEL_HOSTIO_IN_SIZE) + 100];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)i;
    EXPECT_EQ(keel_hostio_push(&h, data, sizeof(data)), KEEL_HOSTIO_IN_SIZE);
    EXPECT_EQ(keel_hostio_push(&h, data, 1), 0);     /* full: never waits */
    hd->in.cons += 50;                                /* the hv took 50 */
    EXPECT_EQ(keel_hostio_push(&h, data + KEEL_HOSTIO_IN_SIZE, 100), 50);
    uint8_t *ring = mem + hd->in_offset;
    EXPECT_EQ(ring[0], data[KEEL_HOSTIO_IN_SIZE]);   /* wrapped */
    EXPECT_EQ(ring[49], data[KEEL_HOSTIO_IN_SIZE + 49]);
    hd->in.cons = hd->in.prod + 1;                    /* a lying consumer */
    EXPECT_EQ(keel_hostio_push(&h, data, 1), 0);
    EXPECT(!h.in_ok);
}

/* The machine scribbles on the counters we own: we neither re-read
 * records nor write input anywhere but after our last byte. */
KTEST(own_counters_never_read_back)
{
    setup();
    struct keel_hostio_header *hd = (void *)mem;

    hv_put("\x01K0001o0001:x", 13);
    hd->out.cons = 5;
    EXPECT_EQ(keel_hostio_drain(&h, &parser), 13);
    EXPECT_EQ(nrec, 1);
    EXPECT_EQ(hd->out.cons, 13);
    EXPECT_EQ(keel_hostio_push(&h, "ab", 2), 2);
    hd->in.prod = 1000;
    EXPECT_EQ(keel_hostio_push(&h, "cd", 2), 2);
    EXPECT_EQ(hd->in.prod, 4);
    EXPECT(!memcmp(mem + hd->in_offset, "abcd", 4));
}

KTEST(input_records_move_to_the_ring)
{
    setup();
    static struct keel_input in;
    memset(&in, 0, sizeof(in));
    memcpy(in.buf, "\x01Kffffi0002:hi\x01Kffffz0000:", 26);
    in.len = 26;
    keel_input_push(&in, &h);
    EXPECT_EQ(in.len, 0);
    EXPECT(!memcmp(mem + ((struct keel_hostio_header *)mem)->in_offset,
                   "\x01Kffffi0002:hi", 14));
}

/* A keel_input whose serial side is a non-blocking pipe; bell[0] reads it. */
static struct keel_input *bell_input(int bell[2])
{
    static struct keel_input in;

    if (pipe(bell))
        abort();
    fcntl(bell[0], F_SETFL, O_NONBLOCK);
    keel_input_init(&in, -1, bell[1]);
    keel_input_ready(&in);
    return &in;
}

static void queue(struct keel_input *in, const char *rec, size_t n)
{
    memcpy(in->buf + in->len, rec, n);
    in->len += n;
}

static ssize_t rings(int fd)
{
    uint8_t b[64];
    ssize_t n = read(fd, b, sizeof(b));
    return n < 0 ? 0 : n;
}

KTEST(doorbell_once_per_wait)
{
    setup();
    struct keel_hostio_header *hd = (void *)mem;
    int bell[2];
    struct keel_input *in = bell_input(bell);

    queue(in, "\x01Kffffi0001:a", 13);
    keel_input_push(in, &h);               /* not waiting: no byte */
    EXPECT_EQ(rings(bell[0]), 0);
    hd->in_waiting = 1;
    keel_input_push(in, &h);               /* nothing pushed: no byte */
    EXPECT_EQ(rings(bell[0]), 0);
    EXPECT_EQ(hd->in_waiting, 1);
    queue(in, "\x01Kffffi0001:b", 13);
    keel_input_push(in, &h);
    EXPECT_EQ(rings(bell[0]), 1);
    EXPECT_EQ(hd->in_waiting, 0);          /* answered */
    queue(in, "\x01Kffffi0001:c", 13);
    keel_input_push(in, &h);
    EXPECT_EQ(rings(bell[0]), 0);
    close(bell[0]);
    close(bell[1]);
}

KTEST(doorbell_owed_while_pipe_full)
{
    setup();
    struct keel_hostio_header *hd = (void *)mem;
    int bell[2];
    struct keel_input *in = bell_input(bell);
    static uint8_t fill[1 << 16];

    while (write(bell[1], fill, sizeof(fill)) > 0)
        ;
    hd->in_waiting = 1;
    queue(in, "\x01Kffffz0000:", 12);
    keel_input_push(in, &h);
    EXPECT(in->bell);                      /* could not write: owed */
    while (rings(bell[0]) > 0)
        ;
    keel_input_ring(in);
    EXPECT(!in->bell);
    EXPECT_EQ(rings(bell[0]), 1);
    close(bell[0]);
    close(bell[1]);
}

KTEST(out_arm_sleeps_only_on_an_empty_ring)
{
    setup();
    struct keel_hostio_header *hd = (void *)mem;

    EXPECT_EQ(hd->out_waiting, 0);             /* laid out clear */
    EXPECT(keel_hostio_out_arm(&h));           /* empty: sleep */
    EXPECT_EQ(hd->out_waiting, 1);
    keel_hostio_out_awake(&h);
    EXPECT_EQ(hd->out_waiting, 0);
    hv_put("\x01K0001o0001:x", 13);
    EXPECT(!keel_hostio_out_arm(&h));          /* bytes came: drain first */
    EXPECT_EQ(hd->out_waiting, 1);             /* the hv may still ring */
    keel_hostio_out_awake(&h);
    EXPECT_EQ(keel_hostio_drain(&h, &parser), 13);
    EXPECT_EQ(nrec, 1);
    EXPECT(keel_hostio_out_arm(&h));
}

KTEST(out_arm_never_sleeps_on_a_full_ring)
{
    setup_at(0xfffff000u);                         /* across the counter wrap */
    struct keel_hostio_header *hd = (void *)mem;

    hd->out.prod += hd->out_size;
    EXPECT(!keel_hostio_out_arm(&h));
    EXPECT_EQ(hd->out_waiting, 1);
}

KTEST_MAIN(KTEST_CASE(layout_is_valid), KTEST_CASE(drain_across_wrap),
           KTEST_CASE(corrupt_prod_is_not_followed), KTEST_CASE(push_respects_room),
           KTEST_CASE(own_counters_never_read_back),
           KTEST_CASE(input_records_move_to_the_ring),
           KTEST_CASE(doorbell_once_per_wait), KTEST_CASE(doorbell_owed_while_pipe_full),
           KTEST_CASE(out_arm_sleeps_only_on_an_empty_ring),
           KTEST_CASE(out_arm_never_sleeps_on_a_full_ring))
