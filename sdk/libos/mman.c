/*
 * Anonymous mmap, munmap and mprotect (posix/sys/mman.h) on the C
 * library's heap, so that there is one allocator (and memory on demand,
 * when the heap grows, serves both).  A mapping is a page-aligned, zeroed
 * block from memalign, recorded in a list so that munmap frees exactly
 * what mmap gave.
 *
 * What cannot be done honestly fails: file mappings (ENODEV), MAP_FIXED
 * (EINVAL: the heap decides where), unmapping part of a mapping (EINVAL:
 * the pages would stay usable), and an mprotect that takes a right away
 * or adds execute (ENOTSUP / EACCES: the hypervisor owns the page tables
 * and offers the guest no call to change its pages' rights).
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "internal.h"

#define PAGE 4096u

struct mapping {
    struct mapping *next;
    uintptr_t addr;
    size_t len;                      /* whole pages */
};

static struct mapping *mappings;

static void *fail(int err)
{
    errno = err;
    return MAP_FAILED;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    struct mapping *m;
    void *p;

    (void)addr;                      /* a hint: the heap decides */
    (void)fd;
    (void)off;
    if (!len || len > SIZE_MAX - PAGE || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
        return fail(EINVAL);
    if (!(flags & MAP_ANONYMOUS))
        return fail(ENODEV);         /* no file mappings */
    if ((flags & MAP_FIXED) || !(flags & (MAP_SHARED | MAP_PRIVATE)))
        return fail(EINVAL);
    if (prot & PROT_EXEC)
        return fail(EACCES);         /* heap pages are never executable */
    len = (len + PAGE - 1) & ~(size_t)(PAGE - 1);
    if (!(m = malloc(sizeof(*m))))
        return fail(ENOMEM);
    if (!(p = memalign(PAGE, len))) {
        free(m);
        return fail(ENOMEM);
    }
    memset(p, 0, len);               /* anonymous pages read as zero */
    m->addr = (uintptr_t)p;
    m->len = len;
    m->next = mappings;
    mappings = m;
    return p;
}

/* The mapping that holds [a, a + len), or NULL; *pp its link. */
static struct mapping *find(uintptr_t a, size_t len, struct mapping ***pp)
{
    for (struct mapping **p = &mappings; *p; p = &(*p)->next) {
        struct mapping *m = *p;

        if (a >= m->addr && a - m->addr < m->len) {
            *pp = p;
            return len <= m->len - (a - m->addr) ? m : NULL;
        }
    }
    return NULL;
}

int munmap(void *addr, size_t len)
{
    uintptr_t a = (uintptr_t)addr;
    struct mapping **pp = NULL, *m;

    if (!len || (a & (PAGE - 1))) {
        errno = EINVAL;
        return -1;
    }
    m = find(a, len, &pp);
    if (!m && !pp)
        return 0;                    /* nothing mapped there: POSIX's no-op */
    if (!m || m->addr != a || (len + PAGE - 1) / PAGE != m->len / PAGE) {
        errno = EINVAL;              /* part of a mapping */
        return -1;
    }
    *pp = m->next;
    free((void *)m->addr);
    free(m);
    return 0;
}

int mprotect(void *addr, size_t len, int prot)
{
    uintptr_t a = (uintptr_t)addr;

    if ((a & (PAGE - 1)) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))) {
        errno = EINVAL;
        return -1;
    }
    if (!libos_in_memory(addr, len)) {
        errno = ENOMEM;              /* POSIX: outside the address space */
        return -1;
    }
    /* text and read-only data are not writable: only the heap (mappings
     * are in it) already has the rights read-write asks for */
    if (a < libos_heap.start || len > libos_heap.brk - a) {
        errno = ENOTSUP;
        return -1;
    }
    if (prot & PROT_EXEC) {
        errno = EACCES;
        return -1;
    }
    if (prot != (PROT_READ | PROT_WRITE)) {
        errno = ENOTSUP;
        return -1;
    }
    return 0;                        /* heap pages are readable and writable */
}
