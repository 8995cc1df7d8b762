/*
 * Inside the libos's POSIX threads (docs/threads.md): what pthread_*.c
 * share.
 *
 * newlib's <sys/_pthreadtypes.h> makes pthread_t, pthread_mutex_t,
 * pthread_cond_t and pthread_rwlock_t 32-bit handles (its RTEMS design),
 * so each names an object in one table (pthread_handle.c).  0 and
 * 0xFFFFFFFF (the static initializers; 0 as well because programs written
 * for Linux zero their locks) name no object yet: the first use makes
 * one with the default attributes and writes its handle back.
 */
#ifndef LIBOS_PTHREAD_IMPL_H
#define LIBOS_PTHREAD_IMPL_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <libos/thread.h>

enum px_kind { PX_THREAD = 1, PX_MUTEX, PX_COND, PX_RWLOCK };

#define PX_UNSET 0xFFFFFFFFu            /* newlib's static initializers */

/* Every object starts with its kind, so that a handle of another kind, or
 * of a destroyed object, is EINVAL (ESRCH for threads), never a crash. */
struct px_head {
    enum px_kind kind;
};

/* handle.c: 0 < handle < PX_UNSET, or 0 without memory */
uint32_t px_handle_new(struct px_head *obj);
/* obj (malloc'd) under a new handle stored in *h: 0, or ENOMEM with obj
 * freed (what every *_init does). */
int px_handle_publish(uint32_t *h, struct px_head *obj);
/* *h was never used (0, or newlib's static initializer): its destroy has
 * nothing to free. */
static inline int px_handle_unused(const uint32_t *h)
{
    return h && (*h == 0 || *h == PX_UNSET);
}
/* The object of that kind, or NULL. */
void *px_handle_get(uint32_t h, enum px_kind kind);
void px_handle_free(uint32_t h);
/* *h's object; one with the defaults (make) if *h is 0 or PX_UNSET.  NULL:
 * a bad handle (*err EINVAL) or no memory (*err ENOMEM). */
void *px_handle_lazy(uint32_t *h, enum px_kind kind, struct px_head *(*make)(void),
                     int *err);

/* pthread_thread.c: the calling thread's record, made on first use for
 * main (without memory for it the program stops: nothing can go on). */
struct px_thread;
struct px_thread *px_self(void);
/* where the calling thread keeps its key values (pthread_key.c) */
void ***px_self_keys(void);
/* pthread_key.c: runs the thread's key destructors, frees its values */
void px_keys_exit(void **values);

/* pthread_mutex.c, for condition variables: releases the caller's mutex
 * whatever its recursion count (saved in *count); EPERM if not the
 * owner.  restore waits for it and takes it back with that count: 0, or
 * EINVAL if it was destroyed meanwhile (never a crash). */
int px_mutex_release(pthread_mutex_t *h, unsigned *count);
int px_mutex_restore(pthread_mutex_t *h, unsigned count);

/* The monotonic deadline for abstime on clock, or EINVAL; NULL abstime:
 * LIBOS_FOREVER. */
int px_deadline(clockid_t clock, const struct timespec *abstime, uint64_t *out);

#endif /* LIBOS_PTHREAD_IMPL_H */
