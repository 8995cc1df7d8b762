/*
 * chan_ring's copy mode (included by chan_ring.c): the server never maps;
 * it pulls the client's page with KEEL_GNTOP_COPY in odd pieces,
 * transforms it, and pushes it into the client's other granted page.  On
 * the first round it also sends segments that must fail one by one.
 */
#ifndef CHAN_RING_COPY_H
#define CHAN_RING_COPY_H

static struct keel_grant_copy seg(uint64_t gva, uint32_t ref, uint16_t off,
                                  uint16_t len, int to_grant)
{
    struct keel_grant_copy c = { .len = len };
    struct keel_grant_copy_ptr mine = { .gva = gva };
    struct keel_grant_copy_ptr theirs = { .ref = ref, .domid = peer, .offset = off };

    c.src = to_grant ? mine : theirs;
    c.dst = to_grant ? theirs : mine;
    c.flags = to_grant ? KEEL_GRANT_COPY_DST_GREF : KEEL_GRANT_COPY_SRC_GREF;
    return c;
}

static void fill(uint8_t *p, unsigned round)
{
    uint32_t s = 0x9e3779b9u ^ round;
    for (int i = 0; i < 4096; i++)
        p[i] = gen_next(&s);
}

static int copy_client(void)
{
    uint8_t *src = memalign(4096, 4096), *dst = memalign(4096, 4096);
    uint8_t want[4096];
    long rs = libos_grant_access(peer, src, 1), rd = libos_grant_access(peer, dst, 0);
    struct hello h = { { (uint32_t)rs, (uint32_t)rd }, 0 };

    if (!src || !dst || rs < 0 || rd < 0)
        FAIL("copy setup: %ld %ld", rs, rd);
    for (unsigned r = 0; r < rounds; r++) {
        uint8_t ok;
        fill(src, r);
        memset(dst, 0, 4096);
        if (libos_chan_write(chan, &h, sizeof(h)) != sizeof(h) || read_full(chan, &ok, 1))
            FAIL("round %u: channel", r);
        for (int i = 0; i < 4096; i++)
            want[i] = src[4095 - i] ^ 0x5a;
        if (!ok || memcmp(dst, want, 4096))
            FAIL("round %u: server's copy is wrong (ok %u)", r, ok);
    }
    h.ref[0] = h.ref[1] = ~0u;                 /* goodbye */
    if (libos_chan_write(chan, &h, sizeof(h)) != sizeof(h))
        FAIL("goodbye");
    uint8_t bye;
    if (read_full(chan, &bye, 1) || libos_grant_end((uint32_t)rs) || libos_grant_end((uint32_t)rd))
        FAIL("ending the grants");
    printf("chan_ring: copy client: %u pages round-tripped\n", rounds);
    return 0;
}

/* Bad segments fail one by one, the good one beside them still copies. */
static int copy_hostile(const struct hello *h, uint8_t *buf)
{
    struct keel_grant_copy c[5] = {
        seg((uint64_t)(uintptr_t)buf, h->ref[0], 4000, 200, 0),   /* leaves page */
        seg((uint64_t)(uintptr_t)buf, 4000, 0, 16, 0),            /* ref too big */
        seg((uint64_t)(uintptr_t)buf, h->ref[0], 0, 16, 1),       /* write a r/o grant */
        seg(0x10, h->ref[1], 0, 16, 0),                           /* bad own address */
        seg((uint64_t)(uintptr_t)buf, h->ref[0], 0, 16, 0),       /* fine */
    };
    long n = libos_grant_copy(c, 5);
    if (n != 4 || c[0].status != -KEEL_EINVAL || c[1].status != -KEEL_EINVAL ||
        c[2].status != -KEEL_EACCES || c[3].status != -KEEL_EFAULT || c[4].status)
        FAIL("bad segments: %ld: %d %d %d %d %d", n, c[0].status, c[1].status,
             c[2].status, c[3].status, c[4].status);
    void *va;
    if (libos_grant_map(peer, 4000, 0, &va) != -KEEL_EINVAL ||
        libos_grant_map(peer, h->ref[0], 0, &va) != -KEEL_EACCES ||
        libos_grant_map(0x7fee, h->ref[0], 1, &va) != -KEEL_ESRCH)
        FAIL("bad maps were not refused");
    return 0;
}

static int copy_server(void)
{
    uint8_t *in = memalign(4096, 4096), *out = memalign(4096, 4096);
    struct hello h;
    unsigned r = 0;

    for (;; r++) {
        if (read_full(chan, &h, sizeof(h)))
            FAIL("no request");
        if (h.ref[0] == ~0u)
            break;
        if (r == 0 && copy_hostile(&h, in))
            return 1;
        /* pull in three odd pieces, push back in two */
        struct keel_grant_copy c[3] = {
            seg((uint64_t)(uintptr_t)in, h.ref[0], 0, 1000, 0),
            seg((uint64_t)(uintptr_t)in + 1000, h.ref[0], 1000, 3001, 0),
            seg((uint64_t)(uintptr_t)in + 4001, h.ref[0], 4001, 95, 0),
        };
        if (libos_grant_copy(c, 3))
            FAIL("pull: %d %d %d", c[0].status, c[1].status, c[2].status);
        for (int i = 0; i < 4096; i++)
            out[i] = in[4095 - i] ^ 0x5a;
        struct keel_grant_copy d[2] = {
            seg((uint64_t)(uintptr_t)out, h.ref[1], 0, 2048, 1),
            seg((uint64_t)(uintptr_t)out + 2048, h.ref[1], 2048, 2048, 1),
        };
        uint8_t ok = libos_grant_copy(d, 2) == 0;
        if (libos_chan_write(chan, &ok, 1) != 1)
            FAIL("answer");
    }
    uint8_t bye = 1;
    libos_chan_write(chan, &bye, 1);
    printf("chan_ring: copy server: %u pages served\n", r);
    return 0;
}

#endif
