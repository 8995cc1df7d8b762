/*
 * The backend half of the ring benchmark (protocol in t_bench.h): dom0
 * drains the guest's requests in batches of up to BENCH_SLOTS, moves each
 * page into its own buffer, checks the stamp the frontend wrote, answers,
 * and notifies only when the ring says the frontend waits.  The floor is
 * the same copy routine over the same number of pages, memory to memory.
 */
#include "tbuild.h"
#include "t_bench.h"

static uint8_t buf[BENCH_SLOTS][BENCH_PAGE] __attribute__((aligned(BENCH_PAGE)));
static uint8_t src[BENCH_SLOTS][BENCH_PAGE] __attribute__((aligned(BENCH_PAGE)));
static uint64_t data_va[BENCH_SLOTS + 1];     /* map mode: by grant ref */
static uint32_t handles[BENCH_SLOTS + 2];
static unsigned nhandles;

static uint64_t ring_pages(void)
{
    return 512 * bench_scale;                  /* 2 MiB, 20 MiB */
}

/* The one copy routine of the floor and of map mode. */
static void copy_page(void *d, const void *s, size_t bytes)
{
    size_t n = bytes / 8;
    __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

static void report(const char *name, uint64_t pages, uint64_t ns)
{
    uint64_t bytes = pages * BENCH_PAGE;
    outf("# bench %s ns=%lu bytes=%lu mb_s=%lu\n", name, (unsigned long)ns,
         (unsigned long)bytes, (unsigned long)(ns ? bytes * 1000 / ns : 0));
}

void ring_floor(void)
{
    uint64_t n = ring_pages(), t0 = now_ns();

    for (uint64_t i = 0; i < n; i++) {
        src[i % BENCH_SLOTS][0] = (uint8_t)i;
        copy_page(buf[i % BENCH_SLOTS], src[i % BENCH_SLOTS], BENCH_PAGE);
    }
    report("memcpy", n, now_ns() - t0);
}

static long map(uint32_t d, uint32_t ref, uint16_t flags, uint64_t *va)
{
    struct keel_grant_map m = { .domid = (keel_domid_t)d, .flags = flags, .ref = ref };
    long rc = hc(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_MAP, (long)&m, 0);

    if (rc == 0) {
        handles[nhandles++] = m.handle;
        *va = m.va;
    }
    return rc;
}

/* Take the k requests' pages into buf[0..k): one COPY call for the batch. */
static int move_copy(uint32_t d, const struct bench_req *rq, unsigned k)
{
    struct keel_grant_copy seg[BENCH_SLOTS];

    memset(seg, 0, sizeof(seg));
    for (unsigned i = 0; i < k; i++) {
        seg[i].src.ref = rq[i].gref;
        seg[i].src.domid = (keel_domid_t)d;
        seg[i].dst.gva = (uint64_t)buf[i];
        seg[i].len = (uint16_t)rq[i].len;
        seg[i].flags = KEEL_GRANT_COPY_SRC_GREF;
    }
    return hc(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_COPY, (long)seg, k) == 0 ? 0 : -1;
}

static int move_map(const struct bench_req *rq, unsigned k)
{
    for (unsigned i = 0; i < k; i++) {
        if (rq[i].gref == 0 || rq[i].gref > BENCH_SLOTS || rq[i].len > BENCH_PAGE)
            return -1;
        copy_page(buf[i], (const void *)data_va[rq[i].gref], rq[i].len);
    }
    return 0;
}

/* Answer the batch: status 0 where the page arrived with its stamp. */
static void answer(struct bench_back *b, const struct bench_req *rq, unsigned k, int moved)
{
    for (unsigned i = 0; i < k; i++) {
        struct bench_rsp *r = bench_back_next_rsp(b);
        r->seq = rq[i].seq;
        r->status = moved == 0 && *(uint64_t *)buf[i] == rq[i].seq ? 0 : -1;
    }
}

/* Serve n pages; 0, or -1 on a protocol error. */
static int serve(uint32_t d, long q, int use_map, struct bench_back *b, uint64_t n)
{
    struct bench_req rq[BENCH_SLOTS];
    uint64_t done = 0;
    int rc = 0;

    while (done < n) {
        unsigned k = 0;
        while (k < BENCH_SLOTS && (rc = bench_back_take_req(b, &rq[k])) == 1)
            k++;
        if (rc < 0)
            return -1;
        if (k == 0) {
            if ((rc = bench_back_final_check(b)) < 0)
                return -1;
            if (rc == 0)
                bench_wait((uint32_t)q);
            continue;
        }
        answer(b, rq, k, use_map ? move_map(rq, k) : move_copy(d, rq, k));
        if (bench_back_push(b))
            ev_send((uint32_t)q);
        done += k;
    }
    return 0;
}

static long set_affinity_both(uint32_t d, uint32_t cpu)
{
    long rc = tbuild_set_affinity(KEEL_DOMID_SELF, cpu);
    return rc ? rc : tbuild_set_affinity(d, cpu);
}

/* "ring:N" for the guest */
static void ring_mode(char *out, uint64_t n)
{
    char digits[24];
    int k = 0;

    do
        digits[k++] = (char)('0' + n % 10);
    while ((n /= 10) != 0);
    memcpy(out, "ring:", 5);
    out += 5;
    while (k)
        *out++ = digits[--k];
    *out = 0;
}

void ring_run(const char *name, int use_map)
{
    uint32_t d = 0;
    uint64_t n = ring_pages(), ring_va = 0, t0;
    char mode[32];
    struct bench_back b;

    ring_mode(mode, n);
    long q = bench_start_bound(mode, &d);
    int ok = q > 0;

    /* one CPU for both ends: the mechanism, not the emulator's cost of
     * waking a halted CPU (see the round trips across CPUs) */
    ok = ok && set_affinity_both(d, 0) == 0;

    nhandles = 0;
    ok = ok && map(d, BENCH_RING_REF, 0, &ring_va) == 0;
    ok = ok && bench_back_init(&b, (struct bench_sring *)ring_va, BENCH_PAGE) == 0;
    for (uint32_t r = 1; ok && use_map && r <= BENCH_SLOTS; r++)
        ok = map(d, r, KEEL_GRANT_MAP_READONLY, &data_va[r]) == 0;
    CHECK(ok);
    t0 = now_ns();
    if (ok)
        CHECK_EQ(serve(d, q, use_map, &b, n), 0);
    report(name, n, now_ns() - t0);
    for (unsigned i = 0; i < nhandles; i++)
        CHECK_EQ(hc(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_UNMAP, handles[i], 0), 0);
    set_affinity_both(KEEL_DOMID_SELF, KEEL_CPU_ANY);
    bench_finish(d, q, !ok);
}
