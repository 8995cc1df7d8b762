/* Admission control (admit.h). */
#include <stdio.h>
#include <keel/abi.h>
#include <keel/domctl.h>
#include "admit.h"
#include "hc.h"

static unsigned live;     /* guests created and not yet destroyed */

uint64_t admit_frames_needed(uint64_t mem_pages, unsigned nlive)
{
    /* hv/common/domain.c refuses CREATE below mem_pages + mem_pages / 256
     * + 16 free frames */
    return mem_pages + mem_pages / 256 + 16 + ADMIT_BASE_FRAMES +
           (uint64_t)ADMIT_LIVE_FRAMES * (nlive + 1u);
}

int admit_memory(uint64_t mem_bytes, char *why, size_t len)
{
    struct keel_domctl op = { .cmd = KEEL_DOMCTL_PHYSINFO };
    uint64_t need = admit_frames_needed(mem_bytes / KEEL_PAGE_SIZE, live);

    if (hc_domctl(&op) < 0 || op.u.physinfo.free_frames >= need)
        return 0;           /* unknown: CREATE itself will say */
    snprintf(why, len, "not enough memory left on the machine for its "
             "%llu KiB (%llu KiB free with %u guests running, %llu KiB "
             "needed): raise keel run --mem, or build the image with a "
             "smaller mkimage --mem",
             (unsigned long long)(mem_bytes >> 10),
             (unsigned long long)op.u.physinfo.free_frames * 4,
             live, (unsigned long long)need * 4);
    return -1;
}

void admit_created(void)
{
    live++;
}

void admit_destroyed(void)
{
    if (live)
        live--;
}
