/*
 * lwIP's operating-system layer (NO_SYS=0) on the libos's cooperative
 * threads (libos/thread.h).
 *
 * Threads switch only where they block in the libos, and event handlers
 * never call lwIP, so a critical section needs no lock at all
 * (SYS_LIGHTWEIGHT_PROT 0 in lwipopts.h).  Semaphores and mailboxes are
 * plain counters and rings that a waiting thread watches through
 * libos_thread_wait() with a deadline; mutexes are libos mutexes.  An event
 * handler (which may interrupt a thread anywhere) must not call lwIP, not
 * even tcpip_callback(): it sets a flag that a thread turns into lwIP
 * calls.
 *
 * All of it lives in the structures themselves except a mailbox's slots
 * (malloc'd by sys_mbox_new, freed by sys_mbox_free).
 */
#ifndef KEEL_LWIP_ARCH_SYS_ARCH_H
#define KEEL_LWIP_ARCH_SYS_ARCH_H

#include <stdint.h>
#include <libos/thread.h>

typedef struct {
    uint32_t count;
    uint8_t valid;
} sys_sem_t;
#define sys_sem_valid(s)       ((s)->valid)
#define sys_sem_set_invalid(s) ((s)->valid = 0)

typedef struct {
    libos_mutex_t lock;
    uint8_t valid;
} sys_mutex_t;
#define sys_mutex_valid(m)       ((m)->valid)
#define sys_mutex_set_invalid(m) ((m)->valid = 0)

/* A ring of `size` message pointers; slot != NULL while it exists. */
typedef struct {
    void **slot;
    uint32_t size, head, count;
} sys_mbox_t;
#define sys_mbox_valid(mb)       ((mb)->slot != NULL)
#define sys_mbox_set_invalid(mb) ((mb)->slot = NULL)

typedef libos_thread_t *sys_thread_t;

#endif /* KEEL_LWIP_ARCH_SYS_ARCH_H */
