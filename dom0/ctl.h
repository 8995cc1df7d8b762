/*
 * The control protocol to the launcher (keel/console.h): one line per
 * KEEL_CONSOLE_CONTROL write, so a line is never split across records.
 *
 * Text that came from users (guest names, arguments, symbol names from an
 * image) can hold any byte; ctl_msg() replaces control characters with '?'
 * so that nothing a guest's author chose can end a line early and forge a
 * "done 0" or an "exit".
 */
#ifndef DOM0_CTL_H
#define DOM0_CTL_H

#include <stdint.h>

#define CTL_LINE_MAX 512

void ctl_exit(int idx, int status);
void ctl_done(int status);
/* One guest's build (keel/console.h `timing`).  The stamps split create ->
 * unpaused into CREATE (create_ns .. created_ns), loading the image and
 * setting up the domain (.. unpause_ns) and the UNPAUSE call itself
 * (.. main_ready_ns); a held guest (channel.h) has no created/unpause
 * stamps (0).  free_frames is the hypervisor's free-frame count right after
 * the guest was unpaused, so a run of guests that stay alive shows what
 * each one costs (bench/). */
struct ctl_timing {
    uint64_t create_ns, main_ready_ns, copy_ns, image_bytes;
    uint64_t created_ns, unpause_ns;
    uint64_t mem_bytes;          /* the domain's memory (image note) */
    uint64_t free_frames;        /* 0: unknown */
};
/* A guest just started: `start` and `timing` as one control write, and
 * their echo plus note (one more log line, without its newline; NULL for
 * none) as one log write.  Each console write of dom0 costs a wake-up of
 * the launcher, and these come between a guest's UNPAUSE and dom0's next
 * block (docs/boot-time.md). */
void ctl_started(int idx, uint32_t domid, const struct ctl_timing *t,
                 const char *note);
/* "timing -1 <key>=<v>": a measurement of the run as a whole. */
void ctl_run_timing(const char *key, uint64_t v);
/* The hypervisor's free frames (KEEL_DOMCTL_PHYSINFO); 0 if unknown. */
uint64_t ctl_free_frames(void);
/* "timing -1 first_end_...": what the machine holds while every guest is
 * alive (the hypervisor's free and reserved frames, dom0's heap), for
 * bench/ to divide among the guests, and what one of them, domain domid,
 * holds itself (its memory's frames, the hypervisor's frames for it). */
void ctl_run_cost(uint32_t domid);
__attribute__((format(printf, 2, 3)))
void ctl_msg(int idx, const char *fmt, ...);

/* Human-readable name of a -KEEL_E* hypercall result ("out of memory"). */
const char *ctl_strerror(long err);

#endif /* DOM0_CTL_H */
