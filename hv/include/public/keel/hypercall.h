/*
 * Hypercall numbers and calling convention.
 *
 * A guest enters the hypervisor with the `syscall` instruction:
 *   rax = hypercall number, arguments in rdi, rsi, rdx, r10, r8, r9,
 *   result in rax (>= 0 success, -KEEL_Exxx failure).
 * rcx and r11 are clobbered (as by any syscall); every other register,
 * including the FPU/SSE/AVX state, is preserved.
 *
 * Pointers passed to a hypercall are guest virtual addresses in the caller's
 * own memory.  The hypervisor reads and writes them only through checked
 * accessors: a pointer that is not mapped with the needed rights, that
 * wraps, or that leaves the user half fails the call with -KEEL_EFAULT and
 * never harms the hypervisor.
 *
 * A hypercall never returns into the middle of another: upcalls and
 * preemption happen only on the way back to ring 3.
 */
#ifndef KEEL_PUBLIC_HYPERCALL_H
#define KEEL_PUBLIC_HYPERCALL_H

#include "abi.h"

/* long keel_null(void): does nothing; the floor of every hypercall. */
#define KEEL_HC_NULL            0
/* long console_write(uint32_t stream, const void *buf, size_t len):
 * returns bytes written (all of them, or an error).  len <= 64 KiB a call.
 * Streams: see console.h.  KEEL_CONSOLE_CONTROL is for the privileged
 * domain only (-KEEL_EPERM otherwise). */
#define KEEL_HC_CONSOLE_WRITE   1
/* long sched_yield(void): give up the CPU to any other runnable vCPU. */
#define KEEL_HC_SCHED_YIELD     2
/* long sched_block(void): sleep until the one-shot timer fires, a bit in
 * shared_info->pending becomes set, or vcpu_info[0].upcall_pending does
 * (whether upcalls are masked or not).  Returns 0 at once if one already is.
 * Callers must re-check their condition: wake-ups may be spurious. */
#define KEEL_HC_SCHED_BLOCK     3
/* long set_timer(uint64_t deadline_ns): arm this vCPU's one-shot timer for
 * monotonic time deadline_ns (see shared_info.h); 0 disarms.  When it fires
 * the vCPU is woken and KEEL_PENDING_TIMER is set.  It never fires before
 * its deadline, and at most once per KEEL_TIMER_MIN_INTERVAL_NS: a deadline
 * earlier than that after the timer last fired is deferred to it.  Any
 * other deadline in the past fires at once (inside this call). */
#define KEEL_HC_SET_TIMER       4
/* 100 us: a vCPU's timer fires at most 10,000 times a second, so a guest
 * that re-arms short timers in a loop interrupts its CPU (and whoever shares
 * it) at a bounded rate.  A sleep longer than this, or one that starts this
 * long after the previous firing, is not affected. */
#define KEEL_TIMER_MIN_INTERVAL_NS 100000ull
/* long shutdown(uint32_t reason, int32_t code): never returns on success.
 * reason KEEL_SHUTDOWN_EXIT: normal exit with code (the guest's exit
 * status); KEEL_SHUTDOWN_CRASH: the guest reports a fatal error itself
 * (abort, failed assert), recorded as a crash with vector KEEL_CRASH_ABORT. */
#define KEEL_HC_SHUTDOWN        5
/* long domctl(struct keel_domctl *op): privileged domain management, see
 * domctl.h.  -KEEL_EPERM for unprivileged callers. */
#define KEEL_HC_DOMCTL          6
/* long abi_version(void): returns KEEL_ABI_VERSION. */
#define KEEL_HC_ABI_VERSION     7

/* long evtchn_op(uint32_t cmd, struct keel_evtchn_op *op): event channels,
 * see event_channel.h. */
#define KEEL_HC_EVTCHN_OP       8
/* long set_callback(uint64_t entry): the upcall entry point, see
 * event_channel.h; 0 removes it. */
#define KEEL_HC_SET_CALLBACK    9
/* long grant_table_op(uint32_t cmd, uint64_t a1, uint64_t a2): grant
 * tables (set up, map, unmap, end, copy), see grant_table.h. */
#define KEEL_HC_GRANT_TABLE_OP  10

/* long console_read(void *buf, size_t len): privileged only; console
 * input from the launcher, see console.h. */
#define KEEL_HC_CONSOLE_READ    11

/* long pci_op(uint32_t cmd, struct keel_pci_op *op): lent PCI functions
 * (list, assign, configuration space, BARs, interrupt, DMA), see pci.h. */
#define KEEL_HC_PCI_OP          12

/* long memory_op(uint32_t cmd, struct keel_memory_op *op): memory on
 * demand (increase and decrease reservation), see memory.h. */
#define KEEL_HC_MEMORY_OP       13

#define KEEL_HC_COUNT           14

#define KEEL_SHUTDOWN_EXIT      0
#define KEEL_SHUTDOWN_CRASH     1

#endif /* KEEL_PUBLIC_HYPERCALL_H */
