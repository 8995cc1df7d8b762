/*
 * A libos guest for hv-evtchn (built with bin/mkimage): event handlers run
 * by real upcalls without disturbing the FPU state of the code they
 * interrupt, a thread waiting on a port, two threads taking turns through a
 * mutex and a condition variable, and sleeps that block.  Exit status: the
 * number of failed checks.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <libos/event.h>
#include <libos/thread.h>
#include <libos/time.h>

static int failed;
#define CHECK(c) do { if (!(c)) { printf("libos guest: FAILED %s\n", #c); failed++; } } while (0)

static volatile unsigned handled;
static volatile double handler_fp = 1.0;

static void on_event(keel_evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    handled++;
    handler_fp = handler_fp * 1.5 + 0.25;     /* dirties xmm registers */
}

/* x stays in an xmm register across each send: an upcall that failed to
 * save and restore it would change the result. */
static void upcalls_keep_fpu(void)
{
    long p = libos_evtchn_alloc_unbound(KEEL_DOMID_SELF);
    long q = libos_evtchn_bind_interdomain(KEEL_DOMID_SELF, (keel_evtchn_port_t)p);
    double x = 1.0, want = 1.0;

    CHECK(p > 0 && q > 0);
    CHECK(libos_evtchn_set_handler((keel_evtchn_port_t)p, on_event, 0) == 0);
    for (int i = 0; i < 1000; i++) {
        x = x * 1.000001 + 0.5;
        CHECK(libos_evtchn_send((keel_evtchn_port_t)q) == 0);
        x = x * 0.999999 - 0.25;
    }
    for (int i = 0; i < 1000; i++)
        want = (want * 1.000001 + 0.5) * 0.999999 - 0.25;
    CHECK(handled == 1000);
    CHECK(x == want);
    libos_evtchn_close((keel_evtchn_port_t)p);
    libos_evtchn_close((keel_evtchn_port_t)q);
}

static void *port_waiter(void *arg)
{
    keel_evtchn_port_t port = (keel_evtchn_port_t)(uintptr_t)arg;
    return (void *)(intptr_t)libos_evtchn_wait(port, libos_monotonic_ns() + 2000000000ull);
}

static void thread_waits_for_port(void)
{
    long p = libos_evtchn_alloc_unbound(KEEL_DOMID_SELF);
    long q = libos_evtchn_bind_interdomain(KEEL_DOMID_SELF, (keel_evtchn_port_t)p);
    libos_thread_t *t;
    void *res = 0;

    CHECK(libos_thread_create(&t, port_waiter, (void *)(uintptr_t)p, 16384) == 0);
    usleep(10000);                   /* both block: the vCPU idles */
    CHECK(libos_evtchn_send((keel_evtchn_port_t)q) == 0);
    CHECK(libos_thread_join(t, &res) == 0);
    CHECK(res == (void *)1);
}

static libos_mutex_t m = LIBOS_MUTEX_INIT;
static libos_cond_t c = LIBOS_COND_INIT;
static int turn, rounds;

static void *take_turns(void *arg)
{
    int me = (int)(intptr_t)arg;

    for (int i = 0; i < 100; i++) {
        libos_mutex_lock(&m);
        while (turn != me)
            libos_cond_wait(&c, &m, LIBOS_FOREVER);
        turn = !me;
        rounds++;
        libos_cond_broadcast(&c);
        libos_mutex_unlock(&m);
    }
    return arg;
}

static void threads_take_turns(void)
{
    libos_thread_t *a, *b;

    CHECK(libos_thread_create(&a, take_turns, (void *)0, 16384) == 0);
    CHECK(libos_thread_create(&b, take_turns, (void *)1, 16384) == 0);
    CHECK(libos_thread_join(a, 0) == 0 && libos_thread_join(b, 0) == 0);
    CHECK(rounds == 200);
    libos_mutex_lock(&m);
    CHECK(libos_cond_wait(&c, &m, libos_monotonic_ns() + 5000000) == -KEEL_EAGAIN);
    CHECK(libos_mutex_unlock(&m) == 0);
    CHECK(libos_mutex_unlock(&m) == -KEEL_EPERM);
}

int main(void)
{
    uint64_t t0 = libos_monotonic_ns();

    upcalls_keep_fpu();
    thread_waits_for_port();
    threads_take_turns();
    usleep(20000);
    CHECK(libos_monotonic_ns() - t0 >= 30000000ull);
    printf("libos guest: %d failed\n", failed);
    return failed;
}
