/*
 * Host tests of keel/ring.h: both ends of one ring driven from one thread,
 * the indices started anywhere (so wrap-around at 2^32 is exercised), and a
 * hostile other end that writes whatever it likes into the shared header.
 */
#include <stdint.h>
#include "ktest.h"
#include <keel/ring.h>

struct t_req { uint32_t id; uint32_t val; };
struct t_rsp { uint32_t id; int32_t status; uint64_t extra; };
KEEL_RING_DEFINE(t, struct t_req, struct t_rsp);

static _Alignas(4096) uint8_t page[4096];
static struct t_sring *s = (struct t_sring *)page;
static struct t_front f;
static struct t_back b;

/* A fresh ring whose indices all start at `start`. */
static void setup(keel_ring_idx_t start)
{
    memset(page, 0xa5, sizeof(page));
    t_sring_init(s);
    t_front_init(&f, s, sizeof(page));
    s->h.req_prod = s->h.rsp_prod = start;
    s->h.req_event = s->h.rsp_event = start + 1;
    f.req_prod_pvt = f.rsp_cons = f.req_pushed = start;
    t_back_init(&b, s, sizeof(page));
}

static int push_reqs(unsigned n, uint32_t first_id)
{
    for (unsigned i = 0; i < n; i++) {
        struct t_req *r = t_front_next_req(&f);
        if (!r)
            return -1;
        r->id = first_id + i;
        r->val = (first_id + i) * 3;
    }
    return t_front_push(&f);
}

/* The backend answers everything it finds; returns how many. */
static int serve(void)
{
    struct t_req q;
    int n = 0, rc;

    while ((rc = t_back_take_req(&b, &q)) == 1) {
        struct t_rsp *r = t_back_next_rsp(&b);
        r->id = q.id;
        r->status = (int32_t)q.val;
        n++;
    }
    return rc < 0 ? rc : n;
}

KTEST(size_is_power_of_two_that_fits)
{
    EXPECT_EQ(keel_ring_size(4096, 16), 128);      /* 252 fit: 128 */
    EXPECT_EQ(keel_ring_size(4096, 8), 256);       /* 504 fit */
    EXPECT_EQ(keel_ring_size(64 + 16, 16), 1);
    EXPECT_EQ(keel_ring_size(64 + 15, 16), 0);
    EXPECT_EQ(keel_ring_size(0, 16), 0);
    EXPECT_EQ(keel_ring_size(64 + 4096 * 3, 4096), 2);
    setup(0);
    EXPECT_EQ(f.size, 128);                        /* 16-byte entries */
    EXPECT_EQ(sizeof(struct keel_ring_hdr), 64);
    EXPECT_EQ(t_front_init(&f, s, 10), -1);
}

KTEST(round_trip)
{
    struct t_rsp r = { 0, 0, 0 };
    setup(0);
    EXPECT_EQ(push_reqs(3, 10), 1);                /* backend wants req 1 */
    EXPECT_EQ(serve(), 3);
    EXPECT_EQ(t_back_push(&b), 1);                 /* frontend wants rsp 1 */
    for (unsigned i = 0; i < 3; i++) {
        EXPECT_EQ(t_front_take_rsp(&f, &r), 1);
        EXPECT_EQ(r.id, 10 + i);
        EXPECT_EQ(r.status, (10 + i) * 3);
    }
    EXPECT_EQ(t_front_take_rsp(&f, &r), 0);
    EXPECT_EQ(t_front_final_check(&f), 0);
    EXPECT_EQ(s->h.rsp_event, 4);
}

KTEST(full_and_empty)
{
    setup(0);
    EXPECT_EQ(push_reqs(128, 0), 1);
    EXPECT(t_front_next_req(&f) == NULL);          /* full */
    EXPECT_EQ(serve(), 128);
    EXPECT(t_front_next_req(&f) == NULL);          /* answered but not consumed */
    EXPECT(t_back_next_rsp(&b) == NULL);           /* nothing left to answer */
    t_back_push(&b);
    struct t_rsp r;
    EXPECT_EQ(t_front_take_rsp(&f, &r), 1);
    EXPECT(t_front_next_req(&f) != NULL);          /* one slot free again */
}

/* Many laps over 2^32 with bursts of every size. */
static void laps_from(keel_ring_idx_t start, int *ktest_failed)
{
    uint32_t next_id = 0, want_id = 0;
    struct t_rsp r;
    setup(start);
    for (unsigned lap = 0; lap < 2000; lap++) {
        unsigned n = 1 + lap % 128;
        EXPECT(push_reqs(n, next_id) >= 0);
        next_id += n;
        EXPECT_EQ(serve(), n);
        t_back_push(&b);
        while (t_front_take_rsp(&f, &r) == 1) {
            if (r.id != want_id)
                EXPECT_EQ(r.id, want_id);
            want_id++;
        }
    }
    EXPECT_EQ(want_id, next_id);
    EXPECT((keel_ring_idx_t)(f.rsp_cons - start) == next_id);
}

KTEST(wrap_around_2_32)
{
    laps_from(0xffffff00u, ktest_failed);
    laps_from(0xfffffffeu, ktest_failed);
    laps_from(0x7fffffc0u, ktest_failed);
}

KTEST(one_notification_per_burst)
{
    setup(0xfffffff0u);
    EXPECT_EQ(push_reqs(1, 0), 1);                 /* armed: notify */
    EXPECT_EQ(push_reqs(5, 1), 0);                 /* not re-armed: quiet */
    EXPECT_EQ(serve(), 6);
    EXPECT_EQ(t_back_final_check(&b), 0);          /* drained: re-arm */
    EXPECT_EQ(push_reqs(4, 6), 1);                 /* a new burst: once */
    EXPECT_EQ(push_reqs(4, 10), 0);
    EXPECT_EQ(t_back_final_check(&b), 1);          /* work found: no re-arm */
    EXPECT_EQ(serve(), 8);
    /* responses: frontend armed rsp_event = start + 1 */
    EXPECT_EQ(t_back_push(&b), 1);
    EXPECT_EQ(t_back_push(&b), 0);                 /* nothing new */
}

/* The final check must see a request published after the consumer found
 * the ring empty but before its event index was written. */
KTEST(final_check_catches_late_request)
{
    struct t_req q;
    setup(5);
    EXPECT_EQ(t_back_take_req(&b, &q), 0);
    EXPECT_EQ(push_reqs(1, 0), 1);
    EXPECT_EQ(t_back_final_check(&b), 1);
    EXPECT_EQ(t_back_take_req(&b, &q), 1);
}

KTEST(hostile_request_producer)
{
    struct t_req q;
    keel_ring_idx_t bad[] = { 129, 0xffffffffu, 0x80000000u, 1000 };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        setup(0xfffffffau);
        s->h.req_prod = 0xfffffffau + bad[i];
        EXPECT_EQ(t_back_take_req(&b, &q), KEEL_RING_CORRUPT);
        EXPECT_EQ(t_back_final_check(&b), KEEL_RING_CORRUPT);
        EXPECT_EQ(b.req_cons, 0xfffffffau);        /* nothing followed */
    }
    /* exactly full is fine */
    setup(0xfffffffau);
    s->h.req_prod = 0xfffffffau + 128;
    EXPECT_EQ(t_back_take_req(&b, &q), 1);
    /* backwards after consuming: corrupt */
    setup(0);
    push_reqs(4, 0);
    EXPECT_EQ(serve(), 4);
    s->h.req_prod = 2;
    EXPECT_EQ(t_back_take_req(&b, &q), KEEL_RING_CORRUPT);
    /* more requests than slots once responses are counted */
    setup(0);
    push_reqs(100, 0);
    EXPECT_EQ(serve(), 100);                       /* answered, not pushed */
    s->h.req_prod = 100 + 128 + 1;
    EXPECT_EQ(t_back_take_req(&b, &q), KEEL_RING_CORRUPT);
}

KTEST(hostile_response_producer)
{
    struct t_rsp r;
    setup(0);
    push_reqs(3, 0);
    s->h.rsp_prod = 4;                              /* more than requested */
    EXPECT_EQ(t_front_take_rsp(&f, &r), KEEL_RING_CORRUPT);
    EXPECT_EQ(t_front_final_check(&f), KEEL_RING_CORRUPT);
    s->h.rsp_prod = 0xffffffffu;                    /* backwards */
    EXPECT_EQ(t_front_take_rsp(&f, &r), KEEL_RING_CORRUPT);
    EXPECT_EQ(f.rsp_cons, 0);
}

/* The other side scribbling on our producer index or event index can
 * only change whether we notify, never our private indices. */
KTEST(scribbled_indices_only_change_notifications)
{
    setup(0);
    push_reqs(2, 0);
    s->h.req_prod = 77;
    s->h.req_event = 2;
    /* 2 is not in (2, 3]: quiet.  Trusting the shared 77 as "old" would
     * have made it look like a huge burst and notified. */
    EXPECT_EQ(push_reqs(1, 2), 0);
    EXPECT_EQ(s->h.req_prod, 3);
    EXPECT_EQ(f.req_prod_pvt, 3);
    s->h.req_event = 4;
    EXPECT_EQ(push_reqs(1, 3), 1);                  /* 4 in (3, 4] */
}

KTEST_MAIN(KTEST_CASE(size_is_power_of_two_that_fits), KTEST_CASE(round_trip),
           KTEST_CASE(full_and_empty), KTEST_CASE(wrap_around_2_32),
           KTEST_CASE(one_notification_per_burst),
           KTEST_CASE(final_check_catches_late_request),
           KTEST_CASE(hostile_request_producer), KTEST_CASE(hostile_response_producer),
           KTEST_CASE(scribbled_indices_only_change_notifications))
