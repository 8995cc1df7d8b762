/*
 * A hostile channel peer, at either end (--connect evil:victim or
 * victim:evil).  First every bad argument it can think of must come back
 * as an error; then, with argv[1]:
 *   corrupt  after 100 good bytes, claims 1 GiB more in its producer index
 *            and notifies: the victim must get -EIO, close, and exit 0
 *   state    the same with its state word set to garbage
 *   crash    after 100 good bytes, dies on a null pointer: the victim must
 *            read the 100 bytes, then end of file
 * Exits with the number of wrong answers (0: all refused properly).
 */
#include <string.h>
#include <libos/device.h>
#include <libos/event.h>
#include <libos/grant.h>
#include <keel/channel.h>
#include "chan_common.h"

static int bad;

static void expect(const char *what, long got, long want)
{
    if (got != want) {
        printf("chan_evil: %s: got %ld, want %ld\n", what, got, want);
        bad++;
    }
}

static void bad_arguments(keel_domid_t peer)
{
    void *va;
    struct keel_grant_copy c = { .len = 8, .flags = KEEL_GRANT_COPY_SRC_GREF };
    uint8_t buf[8];

    expect("send on a port not in use", libos_evtchn_send(4000), -KEEL_ENOENT);
    expect("send on port 0", libos_evtchn_send(0), -KEEL_EINVAL);
    expect("bind to the peer's unoffered port 4000",
           libos_evtchn_bind_interdomain(peer, 4000), -KEEL_ENOENT);
    expect("bind to a missing domain", libos_evtchn_bind_interdomain(0x7fee, 1),
           -KEEL_ESRCH);
    expect("map a ref beyond the table", libos_grant_map(peer, 100000, 0, &va),
           -KEEL_EINVAL);
    expect("map a ref not granted to us", libos_grant_map(peer, 0, 0, &va),
           -KEEL_ENOENT);
    expect("map from no domain", libos_grant_map(0x7fee, 0, 0, &va), -KEEL_ESRCH);
    expect("unmap a handle never mapped", libos_grant_unmap(4095), -KEEL_EINVAL);
    c.src = (struct keel_grant_copy_ptr){ .ref = 3, .domid = peer };
    c.dst = (struct keel_grant_copy_ptr){ .gva = (uint64_t)(uintptr_t)buf };
    expect("copy from a ref not granted", libos_grant_copy(&c, 1), 1);
    expect("its status", c.status, -KEEL_ENOENT);
    expect("copy too many segments", libos_grant_copy(&c, 100000), -KEEL_E2BIG);
    expect("copy from a wild array",
           libos_grant_copy((void *)0xffff800000000000ull, 1), -KEEL_EFAULT);
}

/* Page 0 as we can scribble on it: the granter owns it, a mapper maps it
 * once more by hand. */
static struct keel_channel_page *page0(libos_chan_t *c, const struct keel_device *d)
{
    void *va;

    if (libos_chan_is_granter(c))
        return (void *)(uintptr_t)d->ring_va;
    return libos_grant_map(d->peer_domid, d->ring_ref, 0, &va) < 0 ? NULL : va;
}

static void wait_until(volatile uint32_t *word, uint32_t value)
{
    uint64_t end = libos_monotonic_ns() + 10000000000ull;

    while (*word != value && libos_monotonic_ns() < end)
        libos_sleep_until(libos_monotonic_ns() + 1000000);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "corrupt";
    libos_chan_t *c = chan_open_or_die("chan_evil");
    const struct keel_device *d = libos_device_find(KEEL_DEV_CHANNEL, "chan");
    struct keel_channel_page *pg = d ? page0(c, d) : NULL;
    uint8_t msg[100];

    if (!pg) {
        printf("chan_evil: no page 0\n");
        return 100;
    }
    int g = libos_chan_is_granter(c);
    struct keel_stream *tx = g ? &pg->to_mapper : &pg->to_granter;
    volatile uint32_t *mine = g ? &pg->hdr.granter_state : &pg->hdr.mapper_state;
    volatile uint32_t *theirs = g ? &pg->hdr.mapper_state : &pg->hdr.granter_state;

    memset(msg, 'e', sizeof(msg));
    expect("100 good bytes", libos_chan_write(c, msg, sizeof(msg)), sizeof(msg));
    bad_arguments(libos_chan_peer(c));
    if (!strcmp(mode, "crash")) {
        printf("chan_evil: crashing now\n");
        fflush(stdout);
        volatile uintptr_t wild = 8;
        *(volatile int *)wild = 1;
    }
    /* After the victim took the good bytes (a corrupt stream delivers
     * nothing more): an impossible producer index, or a state word that
     * means nothing. */
    wait_until(&tx->cons, sizeof(msg));
    if (!strcmp(mode, "state"))
        *mine = 77;
    else
        tx->prod += 1u << 30;
    libos_evtchn_send(libos_chan_port(c));
    wait_until(theirs, KEEL_CONN_CLOSED);
    expect("victim closed", *theirs, KEEL_CONN_CLOSED);
    printf("chan_evil: %s: %d wrong answers\n", g ? "granter" : "mapper", bad);
    return bad;
}
