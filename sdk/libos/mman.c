/*
 * Anonymous mmap, munmap and mprotect (posix/sys/mman.h) on the C
 * library's heap, so that there is one allocator (and memory on demand,
 * when the heap grows, serves both).  A mapping is a page-aligned, zeroed
 * block from memalign, recorded in a list so that munmap frees exactly
 * what mmap gave.
 *
 * What cannot be done honestly fails: file mappings (ENODEV), MAP_FIXED
 * (EINVAL: the heap decides where), unmapping part of a mapping (EINVAL:
 * the pages would stay usable), execute (EACCES: heap pages are never
 * executable), and an mprotect that takes a right away anywhere but
 * inside one mapping (ENOTSUP: the allocator writes the rest of the heap).
 * Inside a mapping mprotect asks the hypervisor (KEEL_MEMORY_PROTECT) for
 * read-write, read-only or no access, and munmap makes the pages
 * read-write again before the allocator gets them back.
 */
#include <errno.h>
#include <stdbool.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <libos/hypercall.h>
#include "internal.h"

#define PAGE 4096u

struct mapping {
    struct mapping *next;
    uintptr_t addr;
    size_t len;                      /* whole pages */
    bool lowered;                    /* some page is not read-write */
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
    m->lowered = false;
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

/* KEEL_MEMORY_PROTECT of whole pages [a, a + len): PROT_WRITE means
 * read-write (x86 has no write-only page), PROT_READ read-only,
 * PROT_NONE not present.  0 or -KEEL_E*. */
static long protect(uintptr_t a, size_t len, int prot)
{
    struct keel_memory_op op = { .gva = a, .domid = KEEL_DOMID_SELF };
    size_t pages = (len + PAGE - 1) / PAGE;
    long rc = 0;

    op.rights = prot & PROT_WRITE ? KEEL_RIGHT_R | KEEL_RIGHT_W
              : prot & PROT_READ ? KEEL_RIGHT_R : 0;
    while (pages && !rc) {
        op.npages = pages < KEEL_MEMORY_OP_MAX_PAGES ? pages : KEEL_MEMORY_OP_MAX_PAGES;
        rc = keel_hc_memory_op(KEEL_MEMORY_PROTECT, &op);
        op.gva += op.npages * PAGE;
        pages -= op.npages;
    }
    return rc;
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
    if (m->lowered && protect(m->addr, m->len, PROT_READ | PROT_WRITE) < 0) {
        errno = EINVAL;              /* cannot happen; never hand the heap a read-only block */
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
    struct mapping **pp = NULL, *m;

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
    if (a < libos_heap.start || a > libos_heap.brk || len > libos_heap.brk - a) {
        errno = ENOTSUP;
        return -1;
    }
    if (prot & PROT_EXEC) {
        errno = EACCES;
        return -1;
    }
    if (!len)
        return 0;
    if (!(m = find(a, len, &pp))) {
        if (prot == (PROT_READ | PROT_WRITE))
            return 0;                /* heap pages are readable and writable */
        errno = ENOTSUP;             /* the allocator writes the heap's other pages */
        return -1;
    }
    m->lowered |= prot != (PROT_READ | PROT_WRITE);  /* before: a refusal may be partial */
    if (protect(a, len, prot) < 0) {
        errno = EINVAL;              /* refused (a page a grant pins, say) */
        return -1;
    }
    return 0;
}
