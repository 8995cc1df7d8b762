/*
 * sdk/netfront/open.c: opening the interface, against a fake libos.  An
 * open that fails half way (grant references run out) gives back every
 * grant and page it took and can be tried again, which lwIP's glue does
 * with a bounded backoff; a backend that is going away (CLOSING) is not
 * one that cut us off (CLOSED).
 */
#include <stdlib.h>
#include "ktest.h"
#include "../../sdk/netfront/open.c"
#include "../../sdk/netfront/io.c"

static struct keel_device dev;
static struct {
    int grants, grant_budget, grant_fails;   /* active; how many may succeed */
    int conn_grants, releases, binds_fail;
    long mapper_state;
} fake;

const struct keel_device *libos_device_find(uint32_t type, const char *name)
{
    (void)name;
    return type == KEEL_DEV_NET && dev.type == KEEL_DEV_NET ? &dev : NULL;
}

long libos_grant_access(keel_domid_t domid, const void *page, int readonly)
{
    (void)domid, (void)page, (void)readonly;
    if (fake.grant_budget-- <= 0) {
        fake.grant_fails++;
        return -KEEL_ENOSPC;
    }
    return 100 + fake.grants++;
}

int libos_grant_end(keel_grant_ref_t ref)
{
    (void)ref;
    fake.grants--;
    return 0;
}

static _Alignas(4096) uint8_t ring[KEEL_NET_RING_PAGES][4096];

int libos_conn_init(struct libos_conn *c, const struct keel_device *d,
                    uint8_t **page, keel_grant_handle_t *handle,
                    libos_evtchn_handler_t fn, void *arg)
{
    (void)handle;
    *c = (struct libos_conn){ .peer = d->peer_domid, .granter = true,
                              .npages = d->ring_pages, .page = page, .fn = fn,
                              .arg = arg };
    return 0;
}

long libos_conn_grant(struct libos_conn *c)
{
    if (fake.binds_fail)
        return -KEEL_ENOSPC;
    for (unsigned i = 0; i < c->npages; i++)
        c->page[i] = ring[i];
    c->hdr = (struct keel_conn_header *)ring[0];
    c->ready = c->npages;
    fake.conn_grants++;
    return 0;
}

void libos_conn_release(struct libos_conn *c)
{
    fake.conn_grants -= c->ready != 0;
    c->ready = 0;
    fake.releases++;
}

long libos_conn_peer_state(const struct libos_conn *c)
{
    (void)c;
    return fake.mapper_state;
}

void libos_conn_set_state(struct libos_conn *c, uint32_t state)
{
    c->hdr->granter_state = state;
}

void libos_conn_notify(const struct libos_conn *c)
{
    (void)c;
}

void libos_thread_wait(int (*ready)(void *), void *arg, uint64_t deadline_ns)
{
    (void)ready, (void)arg, (void)deadline_ns;
}

static void setup(int grant_budget)
{
    struct keel_net_settings s = { .mac = { 2, 0x4b, 10, 0, 1, 1 }, .mtu = 1500,
                                   .version = KEEL_NET_VERSION };

    memset(&fake, 0, sizeof(fake));
    memset(ring, 0, sizeof(ring));
    fake.grant_budget = grant_budget;
    fake.mapper_state = KEEL_CONN_UNKNOWN;
    dev = (struct keel_device){ .type = KEEL_DEV_NET, .role = KEEL_DEV_GRANTER,
                                .peer_domid = 0, .port = 7,
                                .ring_pages = KEEL_NET_RING_PAGES };
    memcpy(dev.settings, &s, sizeof(s));
    memset(&the_nf, 0, sizeof(the_nf));
    opened = false;
}

/* 20 of the 32 buffer pages granted, then no reference left: everything
 * given back, and the next open (references free again) succeeds. */
KTEST(failed_open_gives_back_and_opens_again)
{
    struct netfront *nf = NULL;

    setup(20);
    EXPECT_EQ(netfront_open(&nf), -KEEL_ENOSPC);
    EXPECT_EQ(fake.grants, 0);
    EXPECT_EQ(fake.releases, 1);
    EXPECT(nf == NULL && the_nf.txbuf == NULL && the_nf.rxbuf == NULL);
    fake.grant_budget = 1000;
    EXPECT_EQ(netfront_open(&nf), 0);
    EXPECT(nf == &the_nf);
    EXPECT_EQ(fake.grants, NF_TX_PAGES + NF_RX_PAGES);
    EXPECT_EQ(fake.conn_grants, 1);
    EXPECT_EQ(((struct keel_conn_header *)ring[0])->granter_state, KEEL_CONN_INITIALISED);
    EXPECT_EQ(netfront_open(&nf), -KEEL_EBUSY);       /* once open, open */
}

/* The port could not be bound: the buffer grants come back too. */
KTEST(failed_bind_gives_back_the_buffers)
{
    struct netfront *nf = NULL;

    setup(1000);
    fake.binds_fail = 1;
    EXPECT_EQ(netfront_open(&nf), -KEEL_ENOSPC);
    EXPECT_EQ(fake.grants, 0);
    fake.binds_fail = 0;
    EXPECT_EQ(netfront_open(&nf), 0);
}

/* What retrying cannot mend is final at once. */
KTEST(no_device_or_bad_settings_are_final)
{
    struct netfront *nf = NULL;

    setup(1000);
    dev.type = 0;
    EXPECT_EQ(netfront_open(&nf), -KEEL_ENODEV);
    setup(1000);
    ((struct keel_net_settings *)dev.settings)->mtu = 100;
    EXPECT_EQ(netfront_open(&nf), -KEEL_ENODEV);
    EXPECT_EQ(fake.grants, 0);
    setup(1000);
    dev.ring_pages = 2;
    EXPECT_EQ(netfront_open(&nf), -KEEL_ENODEV);
}

/* 10 ms doubling to 1 s: NF_OPEN_TRIES tries within a few seconds. */
KTEST(open_backoff_is_bounded)
{
    uint64_t d = NF_OPEN_FIRST_DELAY_NS, total = 0;

    for (unsigned i = 1; i < NF_OPEN_TRIES; i++) {
        total += d;
        EXPECT(d <= NF_OPEN_MAX_DELAY_NS);
        d = nf_open_next_delay(d);
    }
    EXPECT_EQ(nf_open_next_delay(NF_OPEN_FIRST_DELAY_NS), 2 * NF_OPEN_FIRST_DELAY_NS);
    EXPECT_EQ(nf_open_next_delay(NF_OPEN_MAX_DELAY_NS), NF_OPEN_MAX_DELAY_NS);
    EXPECT(total > 2000000000ull && total < 5000000000ull);
}

/* CLOSING: the backend is away and may come back (0); CLOSED: gone. */
KTEST(a_backend_going_away_is_not_the_end)
{
    struct netfront *nf = NULL;

    setup(1000);
    EXPECT_EQ(netfront_open(&nf), 0);
    fake.mapper_state = KEEL_CONN_CONNECTED;
    EXPECT_EQ(netfront_connected(nf), 1);
    fake.mapper_state = KEEL_CONN_CLOSING;
    EXPECT_EQ(netfront_connected(nf), 0);
    fake.mapper_state = KEEL_CONN_CLOSED;
    EXPECT_EQ(netfront_connected(nf), -KEEL_EPIPE);
}

KTEST_MAIN(KTEST_CASE(failed_open_gives_back_and_opens_again),
           KTEST_CASE(failed_bind_gives_back_the_buffers),
           KTEST_CASE(no_device_or_bad_settings_are_final),
           KTEST_CASE(open_backoff_is_bounded),
           KTEST_CASE(a_backend_going_away_is_not_the_end))
