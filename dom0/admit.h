/*
 * Admission control: whether the machine has room for one more guest,
 * asked before CREATE, so that a run asking for more than fits gets a clear
 * per-guest refusal instead of a hypervisor that runs dry halfway through.
 *
 * What a guest can cost the hypervisor is bounded by the limits dom0 gives
 * it at CREATE (keel/domctl.h): CREATE reserves keel_domain_hv_frames of
 * them for everything the hypervisor allocates for the guest later (the
 * records of its grants when dom0 maps its console, its ports, its maps),
 * and dom0's own share of each console (a port, a map, their page tables)
 * comes out of the reserve the hypervisor made for dom0 when it built it.
 * Reserved frames are free for nobody else, and PHYSINFO says how many
 * there are, so the guests already running need no further allowance: a
 * guest fits when the frames no domain has reserved hold the hypervisor's
 * CREATE margin for its memory, its reserve, and ADMIT_BASE_FRAMES (slack
 * for the hypervisor's own heap, which CREATE's margin only estimates:
 * with it, this check and not CREATE is what refuses a guest that does
 * not fit).
 */
#ifndef DOM0_ADMIT_H
#define DOM0_ADMIT_H

#include <stddef.h>
#include <stdint.h>
#include <keel/domctl.h>

#define ADMIT_BASE_FRAMES 256u   /* 1 MiB, see above */

/* Frames no domain has reserved that must be free to create a guest of
 * mem_pages with limits l: the hypervisor's own CREATE margin (page tables,
 * shared info, heap), the reserve for l, and the slack above. */
uint64_t admit_frames_needed(uint64_t mem_pages, const struct keel_domain_limits *l);

/* 0 when a guest that starts with mem_bytes (layout_start_bytes: the rest
 * of its memory comes on demand) with limits l fits (PHYSINFO's free frames
 * less the reserved ones), else -1 with the reason, and what to do about
 * it, in why. */
int admit_memory(uint64_t mem_bytes, const struct keel_domain_limits *l,
                 char *why, size_t len);

/* The live count, for the message: a CREATE that succeeded, a DESTROY. */
void admit_created(void);
void admit_destroyed(void);

#endif /* DOM0_ADMIT_H */
