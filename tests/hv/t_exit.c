/* hv-dom0-exit: dom0's exit status becomes the machine's. */
#include "tlib.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    (void)si;
    (void)entry_rsp;
    out("dom0 exits with 3\n");
    t_exit(3);
}
