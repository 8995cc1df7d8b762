/*
 * Process-level system calls for newlib: memory, exit, signals, and the
 * calls a unikernel cannot offer (one program, no processes).
 *
 * Signals: newlib's raise() runs handlers installed with signal() itself
 * and calls kill() only for a signal left at SIG_DFL.  The default action
 * then happens here: ignored signals do nothing; the ones that dump core
 * on a hosted system (abort() sends SIGABRT) end the domain as a crash
 * (KEEL_SHUTDOWN_CRASH, reported by dom0 with a backtrace); any other
 * terminating signal ends it with exit status 128 + signal, as a shell
 * shows a signal death.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libos/hypercall.h>
#include "internal.h"

#define LIBOS_PID 1   /* the one and only process */

void *sbrk(ptrdiff_t incr)
{
    void *old = libos_heap_grow(&libos_heap, incr);

    if (!old) {
        errno = ENOMEM;
        return (void *)-1;
    }
    return old;
}

void _exit(int status)
{
    keel_hc_shutdown(KEEL_SHUTDOWN_EXIT, status);
    __builtin_trap();   /* shutdown does not return; if it did, crash */
}

pid_t getpid(void)
{
    return LIBOS_PID;
}

static int default_ignored(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

static int dumps_core(int sig)
{
    return sig == SIGABRT || sig == SIGSEGV || sig == SIGILL || sig == SIGFPE ||
           sig == SIGBUS || sig == SIGTRAP || sig == SIGQUIT || sig == SIGSYS;
}

int kill(pid_t pid, int sig)
{
    if (pid != LIBOS_PID && pid != 0 && pid != -1) {
        errno = ESRCH;
        return -1;
    }
    if (sig < 0 || sig >= NSIG) {
        errno = EINVAL;
        return -1;
    }
    if (sig == 0 || default_ignored(sig))
        return 0;
    if (dumps_core(sig))
        keel_hc_shutdown(KEEL_SHUTDOWN_CRASH, sig);
    else
        keel_hc_shutdown(KEEL_SHUTDOWN_EXIT, 128 + sig);
    __builtin_trap();
}

static int no_processes(void)
{
    errno = ENOSYS;
    return -1;
}

pid_t fork(void)
{
    return no_processes();
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    (void)path;
    (void)argv;
    (void)envp;
    return no_processes();
}

pid_t wait(int *status)
{
    (void)status;
    errno = ECHILD;
    return -1;
}

/*
 * Stack protector, for applications built with -fstack-protector*: the
 * toolchain selects the global-canary variant (-mstack-protector-guard=
 * global), since there is no thread pointer to hold a per-thread one.
 * The low byte stays 0 so that string overflows cannot reproduce it.
 */
uintptr_t __stack_chk_guard = 0x595e9fbd94fda700ull;

void libos_stack_guard_init(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    __stack_chk_guard ^= (((uint64_t)hi << 32 | lo) * 0x9e3779b97f4a7c15ull) & ~0xffull;
}

_Noreturn void __stack_chk_fail(void)
{
    libos_fatal("stack smashing detected");
}
