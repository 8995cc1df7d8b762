/*
 * The switch in dom0 (net.h): netback's operations over the real
 * hypercalls, its thread, and the uplink.
 *
 * The thread sleeps until a guest's event (or the uplink) wakes it,
 * connects interfaces that asked, then polls until netback has nothing
 * left, yielding between batches so that the toolstack and the uplink
 * run.  A kick that comes while it polls sets the flag again, so the
 * thread looks once more before it sleeps.
 */
#include <keel/launch.h>
#include <libos/event.h>
#include <libos/thread.h>
#include <libos/time.h>
#include <drivers/virtio_net.h>
#include "backend_ops.h"
#include "ctl.h"
#include "hc.h"
#include "net.h"
#include "net_impl.h"

struct nb_switch net_sw;
static volatile int woken;
static struct virtio_net *nic;

/* Until the NIC is up (or with --net none) the frames are lost, counted
 * as refused by the uplink. */
static unsigned op_uplink_tx(void *ctx, const struct nb_frame *f, unsigned n)
{
    struct virtio_net_frame v[NB_BATCH];

    (void)ctx;
    if (!nic || n > NB_BATCH)
        return 0;
    for (unsigned i = 0; i < n; i++)
        v[i] = (struct virtio_net_frame){ f[i].data, f[i].len };
    return virtio_net_send_many(nic, v, n);
}

static uint64_t op_now_ns(void *ctx)
{
    (void)ctx;
    return libos_monotonic_ns();
}

static const struct nb_ops ops = { backend_copy, backend_notify, op_uplink_tx,
                                   backend_log, op_now_ns };

void net_wake(void)
{
    woken = 1;
}

static int is_woken(void *arg)
{
    (void)arg;
    return woken;
}

static void *serve(void *arg)
{
    (void)arg;
    for (;;) {
        woken = 0;
        net_connect_waiting();
        while (nb_switch_poll(&net_sw) > 0)
            libos_thread_yield();
        libos_thread_wait(is_woken, 0, LIBOS_FOREVER);
    }
    return NULL;
}

int net_start(void)
{
    libos_thread_t *t;
    int rc = nb_switch_init(&net_sw, &ops, NULL, KEEL_LAUNCH_MAX_GUESTS);

    return rc ? rc : libos_thread_create(&t, serve, NULL, 0);
}

void net_uplink(struct virtio_net *n)
{
    nic = n;
}

/* On the uplink's thread: netback answers ARP for guests and delivers,
 * which may owe guests events and the uplink frames: all done inside. */
void net_from_uplink(const struct nb_frame *f, unsigned n)
{
    if (net_sw.ops && nb_switch_from_uplink(&net_sw, f, n) > 0)
        net_wake();
}

/* At the end of a run that used the network: the switch's counters as
 * `timing -1 net_...` lines (keel run --timings), so that make bench can
 * divide the frames by the grant copy calls that moved them. */
void net_report(void)
{
    const struct nb_switch_stats *st = &net_sw.st;

    if (!net_sw.ops || st->copy_calls == 0)
        return;
    ctl_run_timing("net_polls", st->polls);
    ctl_run_timing("net_copy_calls", st->copy_calls);
    ctl_run_timing("net_copy_segs", st->copy_segs);
    ctl_run_timing("net_tx_frames", st->tx_frames);
    ctl_run_timing("net_uplink_tx", st->uplink_tx);
    ctl_run_timing("net_uplink_rx", st->uplink_rx);
    ctl_run_timing("net_held", st->held);
    ctl_run_timing("net_held_lost", st->held_refused + st->held_expired);
}
