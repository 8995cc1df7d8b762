/*
 * The guest half of the inter-domain benchmarks (tests/hv/t_bench.c is
 * dom0).  argv[1]:
 *
 *   echo     offer port 1 to dom0 and answer each of its events, forever
 *            (dom0 destroys it): the far end of the event round trip
 *   echo_upcall  the same, taking events by upcall, waiting with a timer
 *   hold     grant data page 0 to dom0 (ref 1, writable), map dom0's ref 0,
 *            offer port 1, then block forever: dom0 destroys it with all
 *            three in use (tests/hv/t_life.c)
 *   ring:N   the frontend of t_bench.h: push N page-sized requests through
 *            the ring, reusing the BENCH_SLOTS data pages as responses come
 *            back, then exit(0); exit(50+) on a protocol error
 */
#include "t_bench.h"

TEST_NOTE(0, 256 << 10, 16 << 10);

static struct keel_grant_entry table[BENCH_SLOTS + 1] __attribute__((aligned(BENCH_PAGE)));
static uint8_t ring_page[BENCH_PAGE] __attribute__((aligned(BENCH_PAGE)));
static uint64_t data[BENCH_SLOTS][BENCH_PAGE / 8] __attribute__((aligned(BENCH_PAGE)));

static long offer_port(void)
{
    long p;
    while ((p = ev_alloc(0)) == -KEEL_ESRCH)
        hc(KEEL_HC_SCHED_YIELD, 0, 0, 0);
    return p;
}

/* upcalls: take events through the upcall entry and wait with a timer
 * armed (ev_wait), like a libos guest, instead of a bare block */
static __attribute__((noreturn)) void echo(int upcalls)
{
    if (offer_port() != 1)
        t_exit(30);
    if (upcalls)
        ev_upcalls_on();
    for (;;) {
        if (upcalls)
            ev_wait(1, 5000);
        else
            bench_wait(1);
        ev_send(1);
    }
}

static void grant(uint32_t ref, const void *p, uint16_t flags)
{
    table[ref].domid = 0;
    table[ref].page = (uint32_t)(((uint64_t)p - KEEL_GUEST_BASE) / BENCH_PAGE);
    __asm__ volatile("" ::: "memory");     /* x86 TSO: flags last */
    table[ref].flags = flags;
}

/* Responses come back in request order and at most BENCH_SLOTS are out, so
 * request seq can always use data page seq % BENCH_SLOTS. */
static void produce(struct bench_front *f, uint64_t *seq, uint64_t done, uint64_t n)
{
    struct bench_req *r;

    while (*seq < n && *seq - done < BENCH_SLOTS && (r = bench_front_next_req(f))) {
        data[*seq % BENCH_SLOTS][0] = *seq;           /* the data, in place */
        r->gref = (uint32_t)(*seq % BENCH_SLOTS) + 1;
        r->len = BENCH_PAGE;
        r->seq = (*seq)++;
    }
    if (bench_front_push(f))
        ev_send(1);
}

/* Take every response there is: the count, or -1 on a bad one. */
static long consume(struct bench_front *f, uint64_t done)
{
    struct bench_rsp rsp;
    long got = 0;
    int rc;

    while ((rc = bench_front_take_rsp(f, &rsp)) == 1) {
        if (rsp.status != 0 || rsp.seq != done + (uint64_t)got)
            return -1;
        got++;
    }
    return rc < 0 ? -1 : got;
}

static int ring(uint64_t n)
{
    struct bench_sring *s = (struct bench_sring *)ring_page;
    struct bench_front f;
    uint64_t seq = 0, done = 0;
    long got;
    int rc;

    bench_sring_init(s);
    if (bench_front_init(&f, s, BENCH_PAGE))
        return 50;
    if (hc(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_SETUP, (long)table, BENCH_SLOTS + 1))
        return 51;
    grant(BENCH_RING_REF, ring_page, KEEL_GTF_PERMIT);
    for (uint32_t i = 0; i < BENCH_SLOTS; i++)
        grant(i + 1, data[i], KEEL_GTF_PERMIT | KEEL_GTF_READONLY);
    if (offer_port() != 1)
        return 52;
    while (done < n) {
        produce(&f, &seq, done, n);
        if ((got = consume(&f, done)) < 0)
            return 53;
        done += (uint64_t)got;
        if (done == n || (seq < n && seq - done < BENCH_SLOTS))
            continue;
        if ((rc = bench_front_final_check(&f)) < 0)
            return 54;
        if (rc == 0)
            bench_wait(1);
    }
    return 0;
}

static __attribute__((noreturn)) void hold(void)
{
    struct keel_grant_map m = { .domid = 0, .ref = 0 };
    long rc;

    if (hc(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_SETUP, (long)table, BENCH_SLOTS + 1))
        t_exit(60);
    grant(1, data[0], KEEL_GTF_PERMIT);
    while ((rc = hc(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_MAP, (long)&m, 0)) == -KEEL_ENOENT)
        hc(KEEL_HC_SCHED_YIELD, 0, 0, 0);      /* dom0 grants once we exist */
    if (rc || offer_port() != 1)
        t_exit(61);
    for (;;)
        hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
}

static uint64_t num(const char *s)
{
    uint64_t n = 0;
    while (*s >= '0' && *s <= '9')
        n = n * 10 + (uint64_t)(*s++ - '0');
    return n;
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    const char *mode = (const char *)si->args_va;

    (void)entry_rsp;
    mode += t_strlen(mode) + 1;
    if (!t_strcmp(mode, "echo"))
        echo(0);
    if (!t_strcmp(mode, "echo_upcall"))
        echo(1);
    if (!t_strcmp(mode, "hold"))
        hold();
    if (mode[0] == 'r' && mode[1] == 'i' && mode[2] == 'n' && mode[3] == 'g' && mode[4] == ':')
        t_exit(ring(num(mode + 5)));
    t_exit(101);
}
