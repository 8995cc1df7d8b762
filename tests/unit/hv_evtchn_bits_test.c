/*
 * Host unit test of hv/common/evtchn_bits.c: the port bitmap and the
 * shared-info bit protocol of event channels (coalescing, masking,
 * pending_sel, upcall_pending).
 */
#include <keel/domctl.h>
#include "ktest.h"
#include "../../hv/common/evtchn_bits.c"

static struct keel_shared_info si;

static void si_clear(void)
{
    memset(&si, 0, sizeof(si));
}

KTEST(bitmap_lowest_free_from_1)
{
    uint64_t used[KEEL_EVTCHN_WORDS] = { 0 };

    EXPECT_EQ(evtchn_bitmap_alloc(used, KEEL_EVTCHN_PORTS - 1), 1);
    EXPECT_EQ(evtchn_bitmap_alloc(used, KEEL_EVTCHN_PORTS - 1), 2);
    EXPECT_EQ(evtchn_bitmap_alloc(used, KEEL_EVTCHN_PORTS - 1), 3);
    evtchn_bitmap_free(used, 2);
    EXPECT(!evtchn_bitmap_test(used, 2));
    EXPECT(evtchn_bitmap_test(used, 3));
    EXPECT_EQ(evtchn_bitmap_alloc(used, KEEL_EVTCHN_PORTS - 1), 2);
}

KTEST(bitmap_full_and_bounds)
{
    uint64_t used[KEEL_EVTCHN_WORDS] = { 0 };
    int n = 0, last = 0, r;

    while ((r = evtchn_bitmap_alloc(used, KEEL_EVTCHN_PORTS - 1)) > 0)
        n++, last = r;
    EXPECT_EQ(r, -KEEL_ENOSPC);
    EXPECT_EQ(n, KEEL_EVTCHN_PORTS - 1);
    EXPECT_EQ(last, KEEL_EVTCHN_PORTS - 1);
    EXPECT(!evtchn_bitmap_test(used, 0));
    EXPECT(!evtchn_bitmap_test(used, KEEL_EVTCHN_PORTS));
    EXPECT(!evtchn_bitmap_test(used, 0xffffffffu));
    evtchn_bitmap_free(used, 0);                 /* ignored */
    evtchn_bitmap_free(used, KEEL_EVTCHN_PORTS); /* ignored */
    evtchn_bitmap_free(used, 4000);
    EXPECT_EQ(evtchn_bitmap_alloc(used, KEEL_EVTCHN_PORTS - 1), 4000);
}

/* A domain's evtchn_ports limit: ports 1 .. max, whatever the word
 * boundaries, and a bad limit is clamped to the ABI's. */
static int fill(uint64_t *used, unsigned max)
{
    int n = 0, last = 0, r;

    memset(used, 0, KEEL_EVTCHN_WORDS * sizeof(*used));
    while ((r = evtchn_bitmap_alloc(used, max)) > 0) {
        if (r != last + 1)
            return -1;
        n++, last = r;
    }
    return r == -KEEL_ENOSPC ? n : -2;
}

KTEST(bitmap_stops_at_the_limit)
{
    uint64_t used[KEEL_EVTCHN_WORDS];

    EXPECT_EQ(fill(used, 1), 1);
    EXPECT_EQ(fill(used, 63), 63);
    EXPECT_EQ(fill(used, 64), 64);
    EXPECT_EQ(fill(used, 65), 65);
    EXPECT_EQ(fill(used, 127), 127);
    EXPECT_EQ(fill(used, KEEL_DEFAULT_EVTCHN_PORTS), 255);
    EXPECT_EQ(fill(used, 256), 256);
    EXPECT_EQ(fill(used, KEEL_EVTCHN_PORTS), KEEL_EVTCHN_PORTS - 1);
    EXPECT_EQ(fill(used, ~0u), KEEL_EVTCHN_PORTS - 1);
    EXPECT_EQ(fill(used, 0), 0);
    fill(used, 100);
    evtchn_bitmap_free(used, 50);
    EXPECT_EQ(evtchn_bitmap_alloc(used, 100), 50);
    EXPECT_EQ(evtchn_bitmap_alloc(used, 100), -KEEL_ENOSPC);
    EXPECT_EQ(evtchn_bitmap_alloc(used, 101), 101);
}

KTEST(first_send_notifies_rest_coalesce)
{
    si_clear();
    EXPECT(evtchn_si_set_pending(&si, 70));
    EXPECT(!evtchn_si_set_pending(&si, 70));     /* already pending */
    EXPECT(!evtchn_si_set_pending(&si, 5));      /* upcall_pending already 1 */
    EXPECT_EQ(si.vcpu_info[0].upcall_pending, 1);
    EXPECT_EQ(si.vcpu_info[0].pending_sel[0], 3);   /* words 0 and 1 */
    EXPECT_EQ(si.evtchn_pending[1], 1ull << 6);
    EXPECT_EQ(si.evtchn_pending[0], 1ull << 5);
}

KTEST(masked_port_waits_for_unmask)
{
    si_clear();
    si.evtchn_mask[0] = 1ull << 9;
    EXPECT(!evtchn_si_set_pending(&si, 9));
    EXPECT_EQ(si.vcpu_info[0].upcall_pending, 0);
    EXPECT_EQ(si.vcpu_info[0].pending_sel[0], 0);
    EXPECT(evtchn_si_unmask(&si, 9));            /* delivered now */
    EXPECT_EQ(si.vcpu_info[0].upcall_pending, 1);
    EXPECT_EQ(si.vcpu_info[0].pending_sel[0], 1);
    EXPECT_EQ(si.evtchn_mask[0], 0);
    EXPECT(!evtchn_si_unmask(&si, 10));          /* nothing pending */
}

KTEST(guest_handled_then_new_event_notifies_again)
{
    si_clear();
    EXPECT(evtchn_si_set_pending(&si, 100));
    /* what the guest's dispatcher does */
    si.vcpu_info[0].upcall_pending = 0;
    si.vcpu_info[0].pending_sel[0] = 0;
    EXPECT(evtchn_si_take_pending(&si, 100));
    EXPECT(!evtchn_si_take_pending(&si, 100));
    EXPECT(evtchn_si_set_pending(&si, 100));
}

KTEST(reset_clears_pending_and_mask)
{
    si_clear();
    si.evtchn_mask[63] = ~0ull;
    evtchn_si_set_pending(&si, 4095);
    evtchn_si_reset(&si, 4095);
    EXPECT_EQ(si.evtchn_pending[63], 0);
    EXPECT_EQ(si.evtchn_mask[63], ~0ull >> 1);
}

/* dom0 holds a port per live guest, past the 4096 that one pending_sel
 * word once covered: word w is flagged in pending_sel[w / 64]. */
KTEST(ports_past_4096_flag_their_selector_word)
{
    uint64_t used[KEEL_EVTCHN_WORDS] = { 0 };

    si_clear();
    EXPECT(evtchn_si_set_pending(&si, 10000));          /* word 156 */
    EXPECT_EQ(si.vcpu_info[0].pending_sel[0], 0);
    EXPECT_EQ(si.vcpu_info[0].pending_sel[2], 1ull << (156 - 128));
    EXPECT_EQ(si.evtchn_pending[156], 1ull << (10000 % 64));
    EXPECT(!evtchn_si_set_pending(&si, KEEL_EVTCHN_PORTS - 1));
    EXPECT_EQ(si.vcpu_info[0].pending_sel[2] >> 63, 1);
    for (unsigned i = 0; i < 10003; i++)
        EXPECT_EQ(evtchn_bitmap_alloc(used, KEEL_EVTCHN_PORTS - 1), (int)i + 1);
    EXPECT_EQ(evtchn_bitmap_words(KEEL_DEFAULT_EVTCHN_PORTS), 4);
    EXPECT_EQ(evtchn_bitmap_words(KEEL_EVTCHN_PORTS - 1), KEEL_EVTCHN_WORDS);
}

KTEST_MAIN(KTEST_CASE(bitmap_lowest_free_from_1), KTEST_CASE(bitmap_full_and_bounds),
           KTEST_CASE(bitmap_stops_at_the_limit),
           KTEST_CASE(first_send_notifies_rest_coalesce),
           KTEST_CASE(masked_port_waits_for_unmask),
           KTEST_CASE(guest_handled_then_new_event_notifies_again),
           KTEST_CASE(reset_clears_pending_and_mask),
           KTEST_CASE(ports_past_4096_flag_their_selector_word))
