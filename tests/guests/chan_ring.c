/*
 * Request/response protocols between two guests, bootstrapped over the
 * channel.  The channel's MAPPER is the client: it grants its own pages to
 * the peer and sends the references (and, for the ring, a fresh event
 * port) over the channel; the GRANTER serves.
 *
 *   chan_ring map N    keel/ring.h on a granted page the server maps:
 *                      N multiply requests, responses checked
 *   chan_ring copy N   no mapping: the server pulls a page with
 *                      KEEL_GNTOP_COPY, transforms it, pushes it back into
 *                      another granted page; N rounds, every byte checked,
 *                      plus bad segments that must fail alone
 */
#include <malloc.h>
#include <string.h>
#include <libos/event.h>
#include <libos/grant.h>
#include <keel/ring.h>
#include "chan_common.h"

struct mul_req { uint32_t id, a, b; };
struct mul_rsp { uint32_t id; uint64_t p; };
KEEL_RING_DEFINE(mul, struct mul_req, struct mul_rsp);

struct hello { uint32_t ref[2], port; };

static libos_chan_t *chan;
static keel_domid_t peer;
static unsigned rounds;

#define FAIL(...) do { printf("chan_ring: " __VA_ARGS__); printf("\n"); return 1; } while (0)

static int wait_port(uint32_t port)
{
    return libos_evtchn_wait(port, libos_monotonic_ns() + 10000000000ull) ? 0 : -1;
}

/* ---- map: the client is the ring's frontend ---- */
static int map_client(void)
{
    struct mul_sring *s = memalign(4096, 4096);
    struct mul_front f;
    struct mul_rsp rsp;
    struct hello h = { { 0, 0 }, 0 };
    long ref = libos_grant_access(peer, s, 0), port = libos_evtchn_alloc_unbound(peer);
    unsigned sent = 0, got = 0;

    if (!s || ref < 0 || port < 0)
        FAIL("setup: ref %ld port %ld", ref, port);
    mul_sring_init(s);
    mul_front_init(&f, s, 4096);
    h.ref[0] = (uint32_t)ref;
    h.port = (uint32_t)port;
    if (libos_chan_write(chan, &h, sizeof(h)) != sizeof(h))
        FAIL("sending the hello");
    while (got < rounds) {
        struct mul_req *r;
        unsigned before = sent + got;
        int k;
        while (sent < rounds && (r = mul_front_next_req(&f))) {
            *r = (struct mul_req){ sent, sent * 7 + 1, sent ^ 0xbeef };
            sent++;
        }
        if (mul_front_push(&f))
            libos_evtchn_send((uint32_t)port);
        while ((k = mul_front_take_rsp(&f, &rsp)) == 1) {
            if (rsp.id != got || rsp.p != (uint64_t)(got * 7 + 1) * (got ^ 0xbeef))
                FAIL("response %u wrong", got);
            got++;
        }
        if (k < 0)
            FAIL("server corrupted the ring");
        if (got < rounds && sent + got == before &&
            (k = mul_front_final_check(&f)) <= 0 && (k < 0 || wait_port((uint32_t)port)))
            FAIL("no response after %u (%d)", got, k);
    }
    uint8_t done;
    if (read_full(chan, &done, 1))            /* the server unmapped */
        FAIL("no goodbye");
    long rc = libos_grant_end((uint32_t)ref);
    if (rc)
        FAIL("ending the grant: %ld", rc);
    libos_evtchn_close((uint32_t)port);
    printf("chan_ring: map client: %u requests answered\n", rounds);
    return 0;
}

static int map_server(void)
{
    struct hello h;
    struct mul_back b;
    struct mul_req q;
    void *va;

    if (read_full(chan, &h, sizeof(h)))
        FAIL("no hello");
    long handle = libos_grant_map(peer, h.ref[0], 0, &va);
    long port = libos_evtchn_bind_interdomain(peer, h.port);
    if (handle < 0 || port < 0)
        FAIL("map %ld bind %ld", handle, port);
    mul_back_init(&b, va, 4096);
    for (unsigned done = 0; done < rounds;) {
        int k;
        while ((k = mul_back_take_req(&b, &q)) == 1) {
            struct mul_rsp *r = mul_back_next_rsp(&b);
            r->id = q.id;
            r->p = (uint64_t)q.a * q.b;
            done++;
        }
        if (k < 0)
            FAIL("client corrupted the ring");
        if (mul_back_push(&b))
            libos_evtchn_send((uint32_t)port);
        if (done < rounds && (k = mul_back_final_check(&b)) <= 0 &&
            (k < 0 || wait_port((uint32_t)port)))
            FAIL("no request after %u (%d)", done, k);
    }
    if (libos_grant_unmap((uint32_t)handle))
        FAIL("unmap");
    libos_evtchn_close((uint32_t)port);
    uint8_t bye = 1;
    if (libos_chan_write(chan, &bye, 1) != 1)
        FAIL("goodbye");
    printf("chan_ring: map server: %u requests served\n", rounds);
    return 0;
}

#include "chan_ring_copy.h"

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "map";
    int rc;

    rounds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1000;
    chan = chan_open_or_die("chan_ring");
    peer = libos_chan_peer(chan);
    int server = libos_chan_is_granter(chan);
    if (!strcmp(mode, "copy"))
        rc = server ? copy_server() : copy_client();
    else
        rc = server ? map_server() : map_client();
    int crc = libos_chan_close(chan, libos_monotonic_ns() + 10000000000ull);
    return rc || crc;
}
