/*
 * The libos's internal index: what each file defines for the others.
 *
 * Only standard headers and the public ABI are included here, so that the
 * pure files (args.c, heap.c, timecalc.c) compile unchanged as host unit
 * tests (tests/unit/libos_*_test.c).
 */
#ifndef LIBOS_INTERNAL_H
#define LIBOS_INTERNAL_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <keel/abi.h>
#include <keel/start_info.h>
#include <keel/shared_info.h>
#include <keel/image_note.h>
#include <keel/memory.h>

/* args.c (pure): checks that buf[0, bytes) holds exactly argc NUL-terminated
 * strings back to back and points argv[0..argc-1] at them, argv[argc] at
 * NULL.  Returns 0, or -KEEL_EINVAL (argv untouched past what was filled). */
int libos_unpack_args(char *buf, size_t bytes, uint32_t argc, char **argv);

/* heap.c (pure): the program break inside [start, end), with frames
 * behind [start, backed) (all of it unless libos_heap_on_demand). */
#define LIBOS_PAGE        4096u
#define LIBOS_HEAP_CHUNK  (256u << 10)   /* most asked for, and kept, at a time */
#define LIBOS_HEAP_MIN_CHUNK (16u << 10) /* least asked for at a time */
struct libos_heap {
    uintptr_t start, end, brk, backed;
    /* KEEL_MEMORY_INCREASE / DECREASE of npages at va: >= 0 or -KEEL_E* */
    long (*memory_op)(uint32_t cmd, uintptr_t va, uint64_t npages);
};
void libos_heap_init(struct libos_heap *h, uintptr_t start, uintptr_t end);
/* Only [start, backed) has frames (page aligned, inside [start, end]):
 * the break asks for more, and gives back, through memory_op. */
void libos_heap_on_demand(struct libos_heap *h, uintptr_t backed,
                          long (*memory_op)(uint32_t, uintptr_t, uint64_t));
/* Moves the break by incr; returns the old break, or NULL (nothing changed)
 * if the new break would leave [start, end]. */
void *libos_heap_grow(struct libos_heap *h, intptr_t incr);
extern struct libos_heap libos_heap;

/* timecalc.c (pure): the shared-info TSC scaling of keel/shared_info.h. */
uint64_t libos_tsc_to_ns(uint64_t tsc_delta, int8_t tsc_shift, uint32_t mul);
/* Splits ns into seconds and the remaining nanoseconds. */
void libos_ns_split(uint64_t ns, uint64_t *sec, uint32_t *nsec);
/* tv_sec/tv_nsec (validated: nsec < 1e9, sec >= 0) to ns, saturating at
 * UINT64_MAX.  Returns -KEEL_EINVAL for an invalid pair. */
int libos_ts_to_ns(int64_t sec, long nsec, uint64_t *ns);

/* chacha20.c (pure): ChaCha20's block function (RFC 8439 2.3): 64 bytes
 * of key stream for key, block counter and nonce, little-endian words. */
void libos_chacha20_block(const uint32_t key[8], uint32_t counter,
                          const uint32_t nonce[3], uint8_t out[64]);

/* pathname.c (pure): path made absolute against cwd (itself absolute
 * and normalised) into out[0, size), "." and ".." resolved by name; 0 or
 * -ENAMETOOLONG. */
int libos_path_join(const char *cwd, const char *path, char *out, size_t size);

/* note.c: one ELF note entry, 4-byte aligned like every ELF note. */
struct libos_note_entry {
    uint32_t namesz, descsz, type;
    char name[8];                       /* "Keel", NUL, padding */
    struct keel_image_note desc;
} __attribute__((packed, aligned(4)));
extern const struct libos_note_entry __keel_image_note;

/* start.c */
void libos_start(const struct keel_start_info *si);   /* from crt0.S */
extern const struct keel_start_info *libos_si;
extern struct keel_shared_info *libos_shinfo;
_Noreturn void libos_fatal(const char *msg);
/* [p, p + bytes) lies inside the domain's memory: a cheap check that
 * turns a wild pointer from a caller into EFAULT (guard pages and
 * read-only pages inside still fault). */
int libos_in_memory(const void *p, size_t bytes);

/* clock.c */
void libos_clock_init(void);
extern uint64_t libos_boot_mono_ns;    /* monotonic time at start of day */
extern uint64_t libos_blocked_ns;      /* total time spent blocked */

/* event.c, event_init.c, upcall.S */
void libos_events_init(void);          /* registers the upcall entry */
void libos_evtchn_dispatch(void);      /* upcalls masked */
void libos_events_poll(void);          /* dispatch while upcall_pending */
int libos_evtchn_received(uint32_t port);
void libos_upcall_entry(void);
extern uint64_t libos_upcall_fpu_bytes;   /* save area + alignment slack */
extern uint8_t libos_upcall_xsave;        /* 1: XSAVE, 0: FXSAVE */

/* thread.c: the scheduler every blocking call goes through.  The calling
 * thread sleeps until ready(arg) is true (ready may be NULL) or the
 * monotonic deadline passes; it may come back early, callers re-check. */
void libos_sched_wait(int (*ready)(void *), void *arg, uint64_t deadline_ns);
void libos_ctx_switch(uint64_t *save_rsp, uint64_t load_rsp);   /* thread_switch.S */
/* thread_posix.c: waits until ok(arg) (1) or the monotonic deadline (0);
 * a deadline passed already makes it a test. */
int libos_wait_for(int (*ok)(void *), void *arg, uint64_t deadline_ns);

/* sleep.c: the monotonic deadline for ns on clock id (CLOCK_MONOTONIC or
 * CLOCK_REALTIME), an absolute time; 0 if it has passed. */
uint64_t libos_abs_deadline(int id, uint64_t ns);

/* wait.c: the pending word as the scheduler sees it */
uint64_t libos_pending_now(uint64_t mask);
void libos_pending_set_aside(void);    /* before blocking the vCPU */

/* sys_proc.c */
void libos_stack_guard_init(void);
_Noreturn void __stack_chk_fail(void);   /* called by -fstack-protector code */

/* poll.c: rounds over fds until one is ready or the monotonic deadline
 * (LIBOS_FOREVER: none); the number ready, revents set (poll's rules). */
struct pollfd;
int libos_poll_until(struct pollfd *fds, unsigned long n, uint64_t deadline_ns);

/* console_fd.c: descriptors 0, 1 and 2 (start of day, before any
 * constructor). */
void libos_console_fds_init(void);

#endif /* LIBOS_INTERNAL_H */
