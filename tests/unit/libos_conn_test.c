/*
 * sdk/libos/conn.c: the split-driver handshake, both ends in one process
 * over a fake grant table and fake event channels.  The mapper that comes
 * before the grants retries; a hostile peer's state word is -EIO at either
 * end; a malformed descriptor is refused before anything is granted; a
 * restarted mapper maps again, bumps the epoch and finds the granter as it
 * left it; release gives back exactly what was taken.  Two connections to
 * one peer on one port share it: the granter binds once, an event reaches
 * both, and the port closes with the last of them.
 */
#include <stdint.h>
#include "ktest.h"
#include "../../sdk/libos/conn.c"

#define NPAGES 3
#define REF    10
#define G_DOM  7      /* the granter's domain */
#define M_DOM  3      /* the mapper's */
#define M_PORT 5      /* the mapper's port, bound by the granter as G_PORT */
#define G_PORT 9

static struct {
    const void *granted[64];       /* by ref: the granter's page, or NULL */
    int maps, unmaps, ends, closes, binds, sends[16];
    libos_evtchn_handler_t handler[16];
    void *harg[16];
    int bound;                     /* G_PORT bound to M_PORT */
} fake;

static _Alignas(4096) uint8_t gmem[NPAGES][4096];

int libos_grant_set(keel_grant_ref_t ref, keel_domid_t domid, const void *page,
                    int readonly)
{
    if (ref >= 64 || fake.granted[ref] || domid != M_DOM || readonly)
        return -KEEL_EBUSY;
    fake.granted[ref] = page;
    return 0;
}

int libos_grant_end(keel_grant_ref_t ref)
{
    fake.granted[ref] = NULL;
    fake.ends++;
    return 0;
}

long libos_grant_map(keel_domid_t domid, keel_grant_ref_t ref, int readonly,
                     void **va)
{
    if (domid != G_DOM || ref >= 64 || readonly)
        return -KEEL_EINVAL;
    if (!fake.granted[ref])
        return -KEEL_ENOENT;
    *va = (void *)fake.granted[ref];   /* the same memory, as a grant window */
    fake.maps++;
    return 100 + ref;
}

int libos_grant_unmap(keel_grant_handle_t handle)
{
    (void)handle;
    fake.unmaps++;
    return 0;
}

long libos_evtchn_bind_interdomain(keel_domid_t remote, keel_evtchn_port_t rport)
{
    if (remote != M_DOM || rport != M_PORT)
        return -KEEL_EINVAL;
    fake.binds++;
    fake.bound = 1;
    return G_PORT;
}

long libos_evtchn_set_handler(keel_evtchn_port_t port, libos_evtchn_handler_t fn,
                              void *arg)
{
    fake.handler[port] = fn;
    fake.harg[port] = arg;
    return 0;
}

libos_evtchn_handler_t libos_evtchn_get_handler(keel_evtchn_port_t port, void **arg)
{
    *arg = fake.harg[port];
    return fake.handler[port];
}

int libos_events_mask(void) { return 0; }
void libos_events_restore(int old) { (void)old; }

long libos_evtchn_close(keel_evtchn_port_t port)
{
    fake.closes++;
    if (port == M_PORT || port == G_PORT)
        fake.bound = 0;
    return 0;
}

long libos_evtchn_status(keel_evtchn_port_t port, struct keel_evtchn_op *out)
{
    (void)port;
    out->state = fake.bound ? KEEL_EVTCHNSTAT_INTERDOMAIN : KEEL_EVTCHNSTAT_UNBOUND;
    return 0;
}

long libos_evtchn_send(keel_evtchn_port_t port)
{
    fake.sends[port]++;
    return 0;
}

static int heard[4];

static void on_event(keel_evtchn_port_t port, void *arg)
{
    (void)port;
    heard[(uintptr_t)arg]++;
}

/* The hypervisor delivers an event on port: 1 if a handler ran. */
static int deliver(keel_evtchn_port_t port)
{
    if (!fake.handler[port])
        return 0;
    fake.handler[port](port, fake.harg[port]);
    return 1;
}

static struct keel_device gdev, mdev;
static struct libos_conn g, m;
static uint8_t *gpage[NPAGES], *mpage[NPAGES];
static keel_grant_handle_t mhandle[NPAGES];

static void setup(void)
{
    memset(&fake, 0, sizeof(fake));
    memset(heard, 0, sizeof(heard));
    granters = NULL;                   /* the conns of earlier cases */
    memset(gmem, 0, sizeof(gmem));
    gdev = (struct keel_device){ .type = KEEL_DEV_CHANNEL, .role = KEEL_DEV_GRANTER,
                                 .peer_domid = M_DOM, .port = M_PORT,
                                 .ring_va = (uint64_t)(uintptr_t)gmem,
                                 .ring_pages = NPAGES, .ring_ref = REF };
    mdev = (struct keel_device){ .type = KEEL_DEV_CHANNEL, .role = KEEL_DEV_MAPPER,
                                 .peer_domid = G_DOM, .port = M_PORT,
                                 .ring_pages = NPAGES, .ring_ref = REF };
}

/* Both ends up: granted and bound, `mapped` pages mapped. */
static void both_ends(uint32_t mapped)
{
    setup();
    libos_conn_init(&g, &gdev, gpage, 0, on_event, 0);
    libos_conn_grant(&g);
    libos_conn_init(&m, &mdev, mpage, mhandle, on_event, 0);
    libos_conn_map(&m, mapped);
}

KTEST(handshake)
{
    setup();
    EXPECT_EQ(libos_conn_init(&m, &mdev, mpage, mhandle, on_event, 0), 0);
    EXPECT(deliver(M_PORT) && heard[0] == 1);          /* events before the map */
    EXPECT_EQ(libos_conn_map(&m, NPAGES), -KEEL_ENOENT);   /* nothing granted */
    EXPECT_EQ(libos_conn_init(&g, &gdev, gpage, 0, on_event, 0), 0);
    EXPECT_EQ(libos_conn_grant(&g), 0);
    EXPECT(fake.granted[REF] == gmem[0] && fake.granted[REF + 2] == gmem[2]);
    EXPECT_EQ(g.port, G_PORT);
    EXPECT(deliver(G_PORT) && heard[0] == 2);
    libos_conn_set_state(&g, KEEL_CONN_INITIALISED);
    EXPECT_EQ(fake.sends[G_PORT], 1);
    EXPECT_EQ(libos_conn_map(&m, 1), 0);               /* page 0 only */
    EXPECT_EQ(m.ready, 1);
    EXPECT_EQ(libos_conn_peer_state(&m), KEEL_CONN_INITIALISED);
    EXPECT_EQ(libos_conn_map(&m, NPAGES), 0);          /* then the rest */
    EXPECT(mpage[2] == gmem[2]);
    libos_conn_connect(&m);
    EXPECT_EQ(m.hdr->mapper_epoch, 1);
    EXPECT_EQ(libos_conn_peer_state(&g), KEEL_CONN_CONNECTED);
    EXPECT_EQ(fake.sends[M_PORT], 1);
    EXPECT(libos_conn_peer_bound(&g));
}

KTEST(hostile_state_words)
{
    both_ends(1);
    g.hdr->granter_state = KEEL_CONN_CLOSED + 1;
    EXPECT_EQ(libos_conn_peer_state(&m), -KEEL_EIO);
    g.hdr->mapper_state = 0xffffffffu;
    EXPECT_EQ(libos_conn_peer_state(&g), -KEEL_EIO);
    g.hdr->mapper_state = KEEL_CONN_CLOSING;
    EXPECT_EQ(libos_conn_peer_state(&g), KEEL_CONN_CLOSING);
}

KTEST(malformed_descriptors)
{
    struct keel_device d;

    setup();
    d = gdev, d.ring_pages = 0;
    EXPECT_EQ(libos_conn_init(&g, &d, gpage, 0, on_event, 0), -KEEL_EINVAL);
    d = gdev, d.role = 3;
    EXPECT_EQ(libos_conn_init(&g, &d, gpage, 0, on_event, 0), -KEEL_EINVAL);
    d = gdev, d.ring_ref = LIBOS_GRANT_ENTRIES - 2;    /* 3 pages: one too far */
    EXPECT_EQ(libos_conn_init(&g, &d, gpage, 0, on_event, 0), -KEEL_EINVAL);
    d = gdev, d.ring_ref = 0xffffffffu;                /* ref + pages wraps */
    EXPECT_EQ(libos_conn_init(&g, &d, gpage, 0, on_event, 0), -KEEL_EINVAL);
    d = gdev, d.ring_pages = 0x80000000u;
    EXPECT_EQ(libos_conn_init(&g, &d, gpage, 0, on_event, 0), -KEEL_EINVAL);
    EXPECT_EQ(fake.binds, 0);
    for (int i = 0; i < 64; i++)
        EXPECT(fake.granted[i] == NULL);
}

/* A mapper that goes away and comes back (a restarted backend): the
 * granter keeps its grants, its port and its state; the counters in the
 * pages are where the first mapper left them. */
KTEST(restarted_mapper_resumes)
{
    both_ends(NPAGES);
    libos_conn_set_state(&g, KEEL_CONN_INITIALISED);
    libos_conn_connect(&m);
    gmem[0][100] = 42;                                 /* protocol state */
    libos_conn_unmap(&m);                              /* the backend dies */
    EXPECT_EQ(fake.unmaps, NPAGES);
    EXPECT(m.hdr == NULL);
    EXPECT_EQ(libos_conn_init(&m, &mdev, mpage, mhandle, on_event, 0), 0);
    EXPECT_EQ(libos_conn_map(&m, NPAGES), 0);
    EXPECT_EQ(libos_conn_peer_state(&m), KEEL_CONN_INITIALISED);
    libos_conn_connect(&m);
    EXPECT_EQ(m.hdr->mapper_epoch, 2);
    EXPECT_EQ(mpage[0][100], 42);
    EXPECT_EQ(fake.ends, 0);
    EXPECT_EQ(fake.binds, 1);
    EXPECT_EQ(libos_conn_peer_state(&g), KEEL_CONN_CONNECTED);
}

KTEST(release_gives_back_what_was_taken)
{
    both_ends(2);
    libos_conn_release(&m);
    EXPECT_EQ(fake.unmaps, 2);
    EXPECT(fake.handler[M_PORT] == NULL);
    EXPECT(!libos_conn_peer_bound(&g));                /* the peer sees it gone */
    libos_conn_release(&g);
    EXPECT_EQ(fake.ends, NPAGES);
    EXPECT_EQ(fake.closes, 2);
    EXPECT(fake.handler[G_PORT] == NULL);
    libos_conn_set_state(&g, KEEL_CONN_CLOSED);        /* nothing left to write */
    EXPECT_EQ(fake.sends[G_PORT], 0);
}

/* A console and a NIC to the same backend: one port at each end. */
KTEST(connections_to_one_peer_share_its_port)
{
    static struct libos_conn g2, m2;
    static uint8_t *gpage2[NPAGES], *mpage2[NPAGES];
    static keel_grant_handle_t mhandle2[NPAGES];
    static _Alignas(4096) uint8_t gmem2[NPAGES][4096];
    struct keel_device gd2 = gdev, md2 = mdev;

    both_ends(NPAGES);
    gd2.ring_ref = md2.ring_ref = REF + NPAGES;
    gd2.ring_va = (uint64_t)(uintptr_t)gmem2;
    EXPECT_EQ(libos_conn_init(&g2, &gd2, gpage2, 0, on_event, (void *)1), 0);
    EXPECT_EQ(libos_conn_grant(&g2), 0);
    EXPECT_EQ(fake.binds, 1);                          /* bound once */
    EXPECT_EQ(g2.port, G_PORT);
    EXPECT_EQ(libos_conn_init(&m2, &md2, mpage2, mhandle2, on_event, (void *)1), 0);
    deliver(G_PORT);
    deliver(M_PORT);
    EXPECT_EQ(heard[0], 2);                            /* each event reaches */
    EXPECT_EQ(heard[1], 2);                            /* both connections */
    libos_conn_release(&g);
    libos_conn_release(&m);
    EXPECT_EQ(fake.closes, 0);                         /* still shared */
    deliver(G_PORT);
    EXPECT_EQ(heard[0], 2);
    EXPECT_EQ(heard[1], 3);
    libos_conn_release(&g2);
    libos_conn_release(&m2);
    EXPECT_EQ(fake.closes, 2);
    EXPECT(!deliver(G_PORT) && !deliver(M_PORT));
    EXPECT(granters == NULL);
}

KTEST_MAIN(KTEST_CASE(handshake), KTEST_CASE(hostile_state_words),
           KTEST_CASE(malformed_descriptors), KTEST_CASE(restarted_mapper_resumes),
           KTEST_CASE(release_gives_back_what_was_taken),
           KTEST_CASE(connections_to_one_peer_share_its_port))
