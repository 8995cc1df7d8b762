/*
 * Hypercall wrappers: one inline function per hypercall of keel/hypercall.h.
 *
 * Contract:
 *  - Each wrapper executes exactly one `syscall` with the register
 *    convention of keel/hypercall.h and returns the hypervisor's result
 *    unchanged: >= 0 on success, -KEEL_Exxx on failure.  Nothing here sets
 *    errno; the libos's POSIX layer does that.
 *  - Pointers must point into the caller's own memory, mapped with the
 *    rights the call needs; otherwise the call fails with -KEEL_EFAULT.
 *  - The wrappers are compiler barriers ("memory" clobber): buffers written
 *    before a call are visible to the hypervisor, and results it writes are
 *    read after it returns.
 *  - Usable in any context, including before the libos has started.
 */
#ifndef LIBOS_HYPERCALL_H
#define LIBOS_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>
#include <keel/hypercall.h>
#include <keel/domctl.h>
#include <keel/memory.h>

static inline long keel_hypercall0(long nr)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
    return ret;
}

static inline long keel_hypercall1(long nr, uint64_t a1)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a1)
                     : "rcx", "r11", "memory");
    return ret;
}

static inline long keel_hypercall2(long nr, uint64_t a1, uint64_t a2)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a1), "S"(a2)
                     : "rcx", "r11", "memory");
    return ret;
}

static inline long keel_hypercall3(long nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
                     : "rcx", "r11", "memory");
    return ret;
}

/* The ABI's fourth argument is r10 (rcx is taken by `syscall`). */
static inline long keel_hypercall4(long nr, uint64_t a1, uint64_t a2, uint64_t a3,
                                   uint64_t a4)
{
    long ret;
    register uint64_t r10 __asm__("r10") = a4;
    __asm__ volatile("syscall" : "=a"(ret)
                     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}

/* The floor of every hypercall: does nothing, returns 0. */
static inline long keel_hc_null(void)
{
    return keel_hypercall0(KEEL_HC_NULL);
}

/* Writes len (<= KEEL_CONSOLE_WRITE_MAX) bytes to a console stream
 * (keel/console.h); returns len or an error.  libos/console.h chunks. */
static inline long keel_hc_console_write(uint32_t stream, const void *buf, size_t len)
{
    return keel_hypercall3(KEEL_HC_CONSOLE_WRITE, stream, (uint64_t)(uintptr_t)buf, len);
}

/* Privileged: console input (keel/console.h): bytes copied (<= len), 0
 * when none is waiting (arms KEEL_VIRQ_CONSOLE), -KEEL_EPIPE after the
 * end of input. */
static inline long keel_hc_console_read(void *buf, size_t len)
{
    return keel_hypercall2(KEEL_HC_CONSOLE_READ, (uint64_t)(uintptr_t)buf, len);
}

static inline long keel_hc_sched_yield(void)
{
    return keel_hypercall0(KEEL_HC_SCHED_YIELD);
}

/* Sleeps until the timer fires or a pending bit is set; may wake
 * spuriously.  Prefer libos_wait() (libos/time.h), which owns the timer and
 * the pending word. */
static inline long keel_hc_sched_block(void)
{
    return keel_hypercall0(KEEL_HC_SCHED_BLOCK);
}

/* Arms the vCPU's one-shot timer for monotonic deadline_ns (0 disarms).
 * The libos's sleep functions use this timer: an application that arms it
 * itself must not sleep through the libos at the same time. */
static inline long keel_hc_set_timer(uint64_t deadline_ns)
{
    return keel_hypercall1(KEEL_HC_SET_TIMER, deadline_ns);
}

/* Does not return on success.  Applications call exit() or abort(). */
static inline long keel_hc_shutdown(uint32_t reason, int32_t code)
{
    return keel_hypercall2(KEEL_HC_SHUTDOWN, reason, (uint64_t)(int64_t)code);
}

/* Privileged domains only (-KEEL_EPERM otherwise).  op->abi_version must be
 * KEEL_ABI_VERSION; OUT fields come back in *op.  See keel/domctl.h. */
static inline long keel_hc_domctl(struct keel_domctl *op)
{
    return keel_hypercall1(KEEL_HC_DOMCTL, (uint64_t)(uintptr_t)op);
}

/* Back pages of the caller's memory with frames, give them back, or
 * lower their rights (KEEL_MEMORY_INCREASE / DECREASE / PROTECT); see
 * keel/memory.h. */
static inline long keel_hc_memory_op(uint32_t cmd, struct keel_memory_op *op)
{
    return keel_hypercall2(KEEL_HC_MEMORY_OP, cmd, (uint64_t)(uintptr_t)op);
}

static inline long keel_hc_abi_version(void)
{
    return keel_hypercall0(KEEL_HC_ABI_VERSION);
}

#endif /* LIBOS_HYPERCALL_H */
