/*
 * Cooperative threads.
 *
 * Contract:
 *  - Threads run one at a time on the domain's single vCPU and switch only
 *    where they call in here (yield, join, mutex, condition variable, sleep,
 *    libos_wait, libos_evtchn_wait): no locking is needed between threads
 *    that do not call these in the middle of an update.
 *  - When no thread can run, the vCPU blocks in the hypervisor until an
 *    event, a pending bit or the earliest sleeper's deadline.  Nothing spins.
 *  - main() is a thread; sleep(), nanosleep() and friends sleep the calling
 *    thread only.  Event handlers (libos/event.h) are not threads and may
 *    not call any of this.
 *  - Functions return 0 or -KEEL_Exxx; errno is not touched.
 *  - Each thread's stack must leave about 4 KiB for event upcalls.
 */
#ifndef LIBOS_THREAD_H
#define LIBOS_THREAD_H

#include <stddef.h>
#include <stdint.h>

typedef struct libos_thread libos_thread_t;

#define LIBOS_THREAD_STACK_DEFAULT (64u << 10)

/* stack_bytes 0: the default.  -KEEL_ENOMEM without memory. */
int libos_thread_create(libos_thread_t **out, void *(*fn)(void *), void *arg,
                        size_t stack_bytes);
/* Waits for t to end, stores its result, frees it.  One join per thread;
 * -KEEL_EINVAL for the calling thread itself. */
int libos_thread_join(libos_thread_t *t, void **result);
void libos_thread_yield(void);
_Noreturn void libos_thread_exit(void *result);
libos_thread_t *libos_thread_self(void);
/* t frees itself when it ends (at once if it has); no join afterwards.
 * -KEEL_EINVAL for main, a joined or an already detached thread. */
int libos_thread_detach(libos_thread_t *t);
/* One pointer per thread for a library above (POSIX threads' data);
 * NULL until set. */
void libos_thread_set_local(void *p);
void *libos_thread_local(void);
/* 1 in the thread that runs main(). */
int libos_thread_is_main(void);
/* 1 while any thread but main has not ended (a ready() predicate may
 * call it). */
int libos_thread_others_alive(void);

/* Sleep the calling thread until ready(arg) is true or monotonic
 * deadline_ns passes (LIBOS_FOREVER: none).  ready is re-evaluated whenever
 * the scheduler looks (after events, timers, other threads' switches), so
 * an event handler need only set a flag that ready reads.  May return
 * early: callers re-check their condition. */
void libos_thread_wait(int (*ready)(void *), void *arg, uint64_t deadline_ns);

/* Mutex: not recursive (locking one the caller holds is -KEEL_EBUSY);
 * unlocking one the caller does not hold is -KEEL_EPERM.  Zero-initialised (LIBOS_MUTEX_INIT) is unlocked. */
typedef struct { libos_thread_t *owner; } libos_mutex_t;
#define LIBOS_MUTEX_INIT { 0 }
int libos_mutex_lock(libos_mutex_t *m);
int libos_mutex_trylock(libos_mutex_t *m);   /* -KEEL_EBUSY if held */
int libos_mutex_unlock(libos_mutex_t *m);

/* Recursive mutex: its owner may lock it again and unlocks it as often.
 * Zero-initialised (LIBOS_RMUTEX_INIT) is unlocked. */
typedef struct { libos_mutex_t m; unsigned depth; } libos_rmutex_t;
#define LIBOS_RMUTEX_INIT { LIBOS_MUTEX_INIT, 0 }
void libos_rmutex_lock(libos_rmutex_t *r);
int libos_rmutex_trylock(libos_rmutex_t *r);    /* -KEEL_EBUSY if another holds it */
int libos_rmutex_unlock(libos_rmutex_t *r);     /* -KEEL_EPERM if not the owner */

/* Condition variable: waiters are woken in FIFO order, no spurious
 * wake-ups. */
struct libos_cond_waiter;
typedef struct { struct libos_cond_waiter *head, *tail; } libos_cond_t;
#define LIBOS_COND_INIT { 0, 0 }
/* Releases m, waits for a signal or monotonic deadline_ns (LIBOS_FOREVER
 * from libos/time.h: none), re-acquires m.  0 if signalled, -KEEL_EAGAIN
 * at the deadline. */
int libos_cond_wait(libos_cond_t *c, libos_mutex_t *m, uint64_t deadline_ns);
void libos_cond_signal(libos_cond_t *c);
void libos_cond_broadcast(libos_cond_t *c);

#endif /* LIBOS_THREAD_H */
