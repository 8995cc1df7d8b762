/* Admission control (admit.h). */
#include <stdio.h>
#include <keel/abi.h>
#include <keel/domctl.h>
#include <keel/memory.h>
#include "admit.h"
#include "hc.h"

/* The slack is also the floor every INCREASE leaves: the last page the
 * builder backs still finds it. */
_Static_assert(ADMIT_BASE_FRAMES >= KEEL_MEMORY_FLOOR_FRAMES, "the floor is in the slack");

static unsigned live;     /* guests created and not yet destroyed */

/* The page tables INCREASE makes for what a guest starts with, charged
 * to it: its pages are two runs (its image up to heap_backed, its stack
 * at the top of its range), the tables of one run that long and, where
 * the second begins, a PT it starts, one it straddles into and a PD; and
 * one PD a call may reserve beyond that and give back. */
static uint64_t start_tables(uint64_t mem_pages)
{
    return keel_memory_tables(mem_pages) + 4;
}

uint64_t admit_frames_needed(uint64_t mem_pages, const struct keel_domain_limits *l)
{
    /* hv/common/domain.c refuses CREATE below 16 + the reserve unreserved
     * free frames (an on-demand guest's memory is backed afterwards) */
    return mem_pages + start_tables(mem_pages) + 16 + keel_domain_hv_frames(l) +
           ADMIT_BASE_FRAMES;
}

int admit_memory(uint64_t mem_bytes, const struct keel_domain_limits *l,
                 char *why, size_t len)
{
    struct keel_domctl op = { .cmd = KEEL_DOMCTL_PHYSINFO };
    uint64_t need = admit_frames_needed(mem_bytes / KEEL_PAGE_SIZE, l), room;

    if (hc_domctl(&op) < 0)
        return 0;           /* unknown: CREATE itself will say */
    room = op.u.physinfo.free_frames > op.u.physinfo.reserved_frames ?
           op.u.physinfo.free_frames - op.u.physinfo.reserved_frames : 0;
    if (room >= need)
        return 0;
    snprintf(why, len, "not enough memory left on the machine for the "
             "%llu KiB it starts with (%llu KiB free with %u guests running, %llu KiB "
             "needed): raise keel run --mem, or build the image with a "
             "smaller mkimage --mem",
             (unsigned long long)(mem_bytes >> 10),
             (unsigned long long)room * 4, live,
             (unsigned long long)need * 4);
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
