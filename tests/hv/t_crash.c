/*
 * hv-dom0-crash: dom0 faulting ends the machine with status 125 and a
 * register dump in the hypervisor log (there is nobody to report to).
 */
#include "tlib.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    (void)si;
    (void)entry_rsp;
    out("dom0 about to fault\n");
    volatile uint64_t *volatile bad = (volatile uint64_t *)8;
    *bad = 1;
    t_exit(0);
}
