/*
 * sdk/lwip-port/isn_hash.c: SipHash-2-4 against the reference vectors of
 * its paper, and RFC 6528's ISN on top: a pure function of the secret and
 * the 4-tuple plus a clock of 4 us ticks, so connections that differ in
 * one port are not a fixed distance apart, and another secret (another
 * boot) gives other numbers.
 */
#include "ktest.h"
#include "../../sdk/lwip-port/isn_hash.c"

static uint8_t key[KEEL_ISN_KEY_BYTES];

static void ref_key(void)
{
    for (unsigned i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)i;
}

/* SipHash paper, appendix A, and the first of the reference vectors. */
KTEST(siphash_reference_vectors)
{
    uint8_t msg[64];

    ref_key();
    for (unsigned i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)i;
    EXPECT(keel_siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ull);
    EXPECT(keel_siphash24(key, msg, 15) == 0xa129ca6149be45e5ull);
    EXPECT(keel_siphash24(key, msg, 8) == 0x93f5f5799a932462ull);
    EXPECT(keel_siphash24(key, msg, 63) == 0x958a324ceb064572ull);
}

#define LOCAL  0x0100007fu   /* 127.0.0.1 as lwIP keeps it */
#define REMOTE 0x0200000au

KTEST(same_tuple_same_time_same_isn)
{
    ref_key();
    EXPECT_EQ(keel_isn(key, LOCAL, 49152, REMOTE, 80, 1000000),
              keel_isn(key, LOCAL, 49152, REMOTE, 80, 1000000));
}

/* M: one tick every 4 us, F unchanged. */
KTEST(clock_ticks_every_4us)
{
    uint64_t t = 123456789000ull;
    uint32_t a;

    ref_key();
    t -= t % KEEL_ISN_TICK_NS;
    a = keel_isn(key, LOCAL, 49152, REMOTE, 80, t);
    EXPECT_EQ(keel_isn(key, LOCAL, 49152, REMOTE, 80, t + KEEL_ISN_TICK_NS - 1), a);
    EXPECT_EQ(keel_isn(key, LOCAL, 49152, REMOTE, 80, t + KEEL_ISN_TICK_NS),
              (uint32_t)(a + 1));
    EXPECT_EQ(keel_isn(key, LOCAL, 49152, REMOTE, 80, t + 1000 * KEEL_ISN_TICK_NS),
              (uint32_t)(a + 1000));
}

/* lwIP's counter gave successive connections ISNs a fixed step apart;
 * here one port more is an unrelated number. */
KTEST(successive_ports_not_a_fixed_step_apart)
{
    uint32_t isn[8];
    int small = 0, same_step = 0;

    ref_key();
    for (int i = 0; i < 8; i++)
        isn[i] = keel_isn(key, LOCAL, (uint16_t)(49152 + i), REMOTE, 80, 5000000);
    for (int i = 1; i < 8; i++) {
        int32_t d = (int32_t)(isn[i] - isn[i - 1]);
        small += d > -(1 << 20) && d < (1 << 20);
        same_step += i > 1 && isn[i] - isn[i - 1] == isn[i - 1] - isn[i - 2];
    }
    EXPECT_EQ(small, 0);
    EXPECT_EQ(same_step, 0);
    /* every field of the tuple counts */
    EXPECT(keel_isn(key, LOCAL, 49152, REMOTE, 80, 0) !=
           keel_isn(key, LOCAL + 1, 49152, REMOTE, 80, 0));
    EXPECT(keel_isn(key, LOCAL, 49152, REMOTE, 80, 0) !=
           keel_isn(key, LOCAL, 49152, REMOTE + 1, 80, 0));
    EXPECT(keel_isn(key, LOCAL, 49152, REMOTE, 80, 0) !=
           keel_isn(key, LOCAL, 49152, REMOTE, 81, 0));
}

/* Another boot, another secret: the same tuple at the same time gets
 * another number. */
KTEST(another_secret_other_numbers)
{
    uint32_t a;

    ref_key();
    a = keel_isn(key, LOCAL, 49152, REMOTE, 80, 0);
    key[15] ^= 1;
    EXPECT(keel_isn(key, LOCAL, 49152, REMOTE, 80, 0) != a);
}

KTEST_MAIN(KTEST_CASE(siphash_reference_vectors),
           KTEST_CASE(same_tuple_same_time_same_isn),
           KTEST_CASE(clock_ticks_every_4us),
           KTEST_CASE(successive_ports_not_a_fixed_step_apart),
           KTEST_CASE(another_secret_other_numbers))
