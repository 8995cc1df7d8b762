/*
 * newlib's locks (built with --enable-newlib-retargetable-locking): every
 * stdio stream, malloc, atexit, the environment and the time zone take
 * one around their work.  Threads switch only where a call blocks
 * (docs/threads.md), but a stream's write may block on the console in the
 * middle of a flush; without its lock another thread's printf would then
 * write into the same half-flushed buffer and output would be lost or
 * doubled.  The locks are the libos's cooperative mutexes: waiting for
 * one blocks the thread and lets the holder run.
 *
 * All of newlib's static locks and all its routines are defined here, or
 * libc.a's dummy lock.o would be linked beside them (a link error).
 */
#include <stdlib.h>
#include <sys/lock.h>
#include <libos/thread.h>

struct __lock {
    libos_rmutex_t r;
};

struct __lock __lock___sinit_recursive_mutex;
struct __lock __lock___sfp_recursive_mutex;
struct __lock __lock___atexit_recursive_mutex;
struct __lock __lock___at_quick_exit_mutex;
struct __lock __lock___malloc_recursive_mutex;
struct __lock __lock___env_recursive_mutex;
struct __lock __lock___tz_mutex;
struct __lock __lock___dd_hash_mutex;
struct __lock __lock___arc4random_mutex;

/* A stream's lock.  Out of memory: none, and the stream goes unlocked
 * (as before these locks) rather than failing its fopen. */
void __retarget_lock_init(_LOCK_T *lock)
{
    *lock = calloc(1, sizeof(**lock));
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
    __retarget_lock_init(lock);
}

void __retarget_lock_close(_LOCK_T lock)
{
    free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
    free(lock);
}

/* newlib takes a non-recursive lock only where it never nests, so one
 * kind serves both. */
void __retarget_lock_acquire(_LOCK_T lock)
{
    if (lock)
        libos_rmutex_lock(&lock->r);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
    __retarget_lock_acquire(lock);
}

/* 0 when taken, as pthread_mutex_trylock (ftrylockfile returns it). */
int __retarget_lock_try_acquire(_LOCK_T lock)
{
    return lock && libos_rmutex_trylock(&lock->r) ? 1 : 0;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
    return __retarget_lock_try_acquire(lock);
}

void __retarget_lock_release(_LOCK_T lock)
{
    if (lock)
        libos_rmutex_unlock(&lock->r);
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
    __retarget_lock_release(lock);
}
