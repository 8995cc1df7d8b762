/*
 * Admission control: whether the machine has room for one more guest,
 * asked before CREATE, so that a run asking for more than fits gets a clear
 * per-guest refusal instead of a hypervisor that runs dry halfway through.
 *
 * The hypervisor's CREATE only checks the guest's own frames.  But every
 * live guest costs the hypervisor a little more after it is built: its
 * grant table (set up when it starts), the active records and dom0's
 * maptrack and grant-window page tables when dom0 maps its console (about
 * 4.5 KiB, docs/memory.md), and dom0 builds every guest before its console
 * backend connects any.  So dom0 keeps ADMIT_LIVE_FRAMES free for each
 * live guest, plus ADMIT_BASE_FRAMES for itself: if CREATE took the last
 * frames, the consoles of the guests already built could not connect.
 */
#ifndef DOM0_ADMIT_H
#define DOM0_ADMIT_H

#include <stddef.h>
#include <stdint.h>

#define ADMIT_BASE_FRAMES 256u   /* 1 MiB for dom0's own later needs */
#define ADMIT_LIVE_FRAMES 2u     /* 8 KiB per live guest, see above */

/* Frames that must be free to create a guest of mem_pages while `live`
 * others hold theirs: the hypervisor's own CREATE margin (page tables,
 * shared info, heap) plus the reserve above. */
uint64_t admit_frames_needed(uint64_t mem_pages, unsigned live);

/* 0 when a guest of mem_bytes fits (PHYSINFO's free frames), else -1 with
 * the reason, and what to do about it, in why. */
int admit_memory(uint64_t mem_bytes, char *why, size_t len);

/* The live count: a CREATE that succeeded, a DESTROY. */
void admit_created(void);
void admit_destroyed(void);

#endif /* DOM0_ADMIT_H */
