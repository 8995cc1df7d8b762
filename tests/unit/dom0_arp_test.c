/*
 * dom0/arp.c: the uplink self test's ARP request, byte for byte, and the
 * answers it takes (only a reply from the address asked, to us or to
 * everyone) and leaves (requests, other senders, other protocols,
 * truncated frames, frames for another MAC).
 */
#include "ktest.h"
#include "../../dom0/arp.c"

static const uint8_t us[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t gw[6] = { 0x52, 0x55, 0x0a, 0x00, 0x00, 0x02 };

/* QEMU's user-mode answer to our request: slirp's arp reply. */
static size_t reply(uint8_t *f, uint32_t sender_ip)
{
    static const uint8_t head[] = { 0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 2 };

    memset(f, 0, 64);
    memcpy(f, us, 6);
    memcpy(f + 6, gw, 6);
    memcpy(f + 12, head, sizeof(head));
    memcpy(f + 22, gw, 6);
    put32(f + 28, sender_ip);
    memcpy(f + 32, us, 6);
    return 42;
}

KTEST(request_bytes)
{
    uint8_t f[ARP_FRAME_LEN + 4];
    static const uint8_t want[42] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
        0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
    };

    memset(f, 0xaa, sizeof(f));
    EXPECT_EQ(arp_request(f, us, 0, 0x0a000002u), 60);
    EXPECT(!memcmp(f, want, sizeof(want)));
    for (unsigned i = 42; i < 60; i++)
        EXPECT_EQ(f[i], 0);                      /* padding */
    EXPECT_EQ(f[60], 0xaa);
}

KTEST(takes_the_answer)
{
    uint8_t f[64], mac[6] = { 0 };
    size_t n = reply(f, 0x0a000002u);

    EXPECT_EQ(arp_answer_from(f, n, 0x0a000002u, us, mac), 1);
    EXPECT(!memcmp(mac, gw, 6));
    memset(f, 0xff, 6);                          /* broadcast reply */
    EXPECT_EQ(arp_answer_from(f, 60, 0x0a000002u, us, mac), 1);
}

KTEST(leaves_everything_else)
{
    uint8_t f[64], mac[6] = { 0 };
    size_t n = reply(f, 0x0a000002u);

    EXPECT_EQ(arp_answer_from(f, n - 1, 0x0a000002u, us, mac), 0);
    EXPECT_EQ(arp_answer_from(f, n, 0x0a000003u, us, mac), 0);  /* other sender */
    f[21] = 1;                                   /* a request */
    EXPECT_EQ(arp_answer_from(f, n, 0x0a000002u, us, mac), 0);
    reply(f, 0x0a000002u);
    f[13] = 0x00;                                /* IPv4, not ARP */
    EXPECT_EQ(arp_answer_from(f, n, 0x0a000002u, us, mac), 0);
    reply(f, 0x0a000002u);
    f[17] = 0xdd;                                /* not IPv4 addresses */
    EXPECT_EQ(arp_answer_from(f, n, 0x0a000002u, us, mac), 0);
    reply(f, 0x0a000002u);
    f[0] = 0x02;                                 /* for another MAC */
    EXPECT_EQ(arp_answer_from(f, n, 0x0a000002u, us, mac), 0);
    EXPECT_EQ(mac[0], 0);                        /* never written */
}

KTEST_MAIN(KTEST_CASE(request_bytes), KTEST_CASE(takes_the_answer),
           KTEST_CASE(leaves_everything_else))
