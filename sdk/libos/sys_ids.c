/*
 * The process's identity and limits: getppid and the user and group ids
 * (one process, run by no user: root's ids, as in a container), and
 * sysconf with what the libos really has.  getpid is sys_proc.c's.
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <libos/fd.h>
#include <libos/thread.h>
#include "internal.h"

pid_t getppid(void)
{
    return 0;                         /* no parent process: like init's */
}

uid_t getuid(void) { return 0; }
uid_t geteuid(void) { return 0; }
gid_t getgid(void) { return 0; }
gid_t getegid(void) { return 0; }

static long heap_pages_left(void)
{
    return (long)((libos_heap.end - libos_heap.brk) / KEEL_PAGE_SIZE);
}

long sysconf(int name)
{
    switch (name) {
    case _SC_PAGESIZE:         return KEEL_PAGE_SIZE;
    case _SC_NPROCESSORS_CONF:
    case _SC_NPROCESSORS_ONLN: return 1;        /* one vCPU per domain */
    case _SC_CLK_TCK:          return CLOCKS_PER_SEC;   /* times()'s unit */
    case _SC_OPEN_MAX:         return LIBOS_FD_MAX;
    case _SC_PHYS_PAGES:       return (long)(libos_si->mem_bytes / KEEL_PAGE_SIZE);
    case _SC_AVPHYS_PAGES:     return heap_pages_left();
    case _SC_THREADS:          return 200809L;
    case _SC_THREAD_KEYS_MAX:  return 128;      /* pthread_key.c */
    case _SC_THREAD_STACK_MIN: return 16384;    /* pthread_thread.c */
    case _SC_SEM_VALUE_MAX:    return 0x7fffffff;
    case _SC_MONOTONIC_CLOCK:  return 200112L;
    case _SC_HOST_NAME_MAX:    return 64;
    case _SC_IOV_MAX:          return 1024;
    case _SC_LINE_MAX:         return 2048;
    default:
        errno = EINVAL;
        return -1;
    }
}
