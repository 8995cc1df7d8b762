/*
 * POSIX unnamed semaphores (<semaphore.h>, which newlib lacks),
 * implemented by the libos on its cooperative threads (docs/threads.md).
 * Named semaphores (sem_open) are not: a program that calls them fails
 * to link.  pshared must be 0: there is one process.
 */
#ifndef _SEMAPHORE_H
#define _SEMAPHORE_H

#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    unsigned int value;
    unsigned int magic;     /* set by sem_init: catches an uninitialised one */
} sem_t;

#define SEM_VALUE_MAX 0x7fffffff
#define SEM_FAILED ((sem_t *)0)

int sem_init(sem_t *sem, int pshared, unsigned int value);
int sem_destroy(sem_t *sem);
int sem_wait(sem_t *sem);
int sem_trywait(sem_t *sem);
int sem_timedwait(sem_t *sem, const struct timespec *abstime);
int sem_post(sem_t *sem);
int sem_getvalue(sem_t *sem, int *value);

#ifdef __cplusplus
}
#endif

#endif /* _SEMAPHORE_H */
