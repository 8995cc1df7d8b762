/*
 * keel/net.h: the layout both ends rely on, and the ring size it promises
 * (KEEL_NET_RING_SIZE must be what keel/ring.h computes for one page).
 */
#include <stdint.h>
#include "ktest.h"
#include <keel/net.h>

KTEST(rings_hold_the_promised_entries)
{
    EXPECT_EQ(keel_ring_size(KEEL_PAGE_SIZE, sizeof(union keel_net_tx_ring_entry)),
              KEEL_NET_RING_SIZE);
    EXPECT_EQ(keel_ring_size(KEEL_PAGE_SIZE, sizeof(union keel_net_rx_ring_entry)),
              KEEL_NET_RING_SIZE);
}

KTEST(frames_fit_one_page)
{
    EXPECT_EQ(KEEL_NET_MAX_FRAME(KEEL_NET_MTU_MAX), KEEL_PAGE_SIZE);
    EXPECT_EQ(KEEL_NET_MAX_FRAME(KEEL_NET_MTU_DEFAULT), 1514);
    EXPECT_EQ(sizeof(struct keel_net_settings), sizeof(((struct keel_device *)0)->settings));
}

KTEST(field_offsets_are_fixed)
{
    EXPECT_EQ(__builtin_offsetof(struct keel_net_settings, mtu), 6);
    EXPECT_EQ(__builtin_offsetof(struct keel_net_settings, ipv4_addr), 8);
    EXPECT_EQ(__builtin_offsetof(struct keel_net_settings, ipv4_gateway), 16);
    EXPECT_EQ(__builtin_offsetof(struct keel_net_page, tx_dropped), 64);
    EXPECT_EQ(__builtin_offsetof(struct keel_net_tx_req, id), 8);
    EXPECT_EQ(__builtin_offsetof(struct keel_net_rx_rsp, status), 4);
}

KTEST_MAIN(KTEST_CASE(rings_hold_the_promised_entries), KTEST_CASE(frames_fit_one_page),
           KTEST_CASE(field_offsets_are_fixed))
