/*
 * Shared by the inter-domain benchmark images (tests/hv/t_bench*.c): the
 * request/response ring they move pages through, and its grant layout.
 *
 * The guest is the frontend and the granter: grant ref 0 is the ring page,
 * refs 1..BENCH_SLOTS are its data pages, all granted read-only to dom0, and
 * port 1 is offered to dom0 after the grants are in place.  Each request
 * names one data page; the backend (dom0) takes its 4 KiB out, by grant
 * copy or through a mapping made once, and answers; the page is reused
 * once its response is back.
 */
#ifndef T_BENCH_H
#define T_BENCH_H
#include <keel/ring.h>
#include "t_evtchn_lib.h"

#define BENCH_PAGE  4096u
#define BENCH_SLOTS 16u             /* data pages in flight */
#define BENCH_RING_REF 0u

struct bench_req { uint32_t gref, len; uint64_t seq; };
struct bench_rsp { uint64_t seq; int32_t status, pad; };
KEEL_RING_DEFINE(bench, struct bench_req, struct bench_rsp);

/* Block until port is pending (and take it); no timer: the run is bounded
 * from outside (QEMU's timeout), and a timer hypercall per wait would be
 * part of what is measured. */
static inline void bench_wait(uint32_t port)
{
    volatile struct keel_vcpu_info *vi = &shinfo()->vcpu_info[0];

    for (;;) {
        __atomic_store_n(&vi->upcall_pending, 0, __ATOMIC_SEQ_CST);
        if (ev_take(port))
            return;
        hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
    }
}

static inline uint64_t bench_tsc(void)
{
    uint64_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (hi << 32) | lo;
}

/* ---- dom0 side: t_bench.c, t_bench_ring.c ---- */
extern const struct keel_module *bench_img;   /* t_bench_guest */
extern uint64_t bench_scale;                  /* 1: hvtest, 10: make bench */
/* Start the guest in mode and bind its port 1: the port, or <= 0. */
long bench_start_bound(const char *mode, uint32_t *domid);
/* Wait for exit(0) (unless destroy_running), destroy, close port q. */
void bench_finish(uint32_t d, long q, int destroy_running);
void ring_floor(void);                        /* memcpy of the same bytes */
void ring_run(const char *name, int use_map); /* grant copy / grant map */

#endif
