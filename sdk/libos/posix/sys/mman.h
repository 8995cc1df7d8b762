/*
 * Anonymous memory mappings (<sys/mman.h>, which newlib lacks), Linux's
 * values, implemented by the libos on the C library's heap
 * (docs/posix.md, "mmap").  Only anonymous mappings exist; mprotect
 * makes pages of one mapping read-write, read-only or inaccessible (never
 * executable), and fails ENOTSUP for rights it cannot take honestly.
 */
#ifndef _SYS_MMAN_H
#define _SYS_MMAN_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PROT_NONE      0x0
#define PROT_READ      0x1
#define PROT_WRITE     0x2
#define PROT_EXEC      0x4

#define MAP_SHARED     0x01
#define MAP_PRIVATE    0x02
#define MAP_FIXED      0x10
#define MAP_ANONYMOUS  0x20
#define MAP_ANON       MAP_ANONYMOUS
#define MAP_NORESERVE  0x4000
#define MAP_POPULATE   0x8000

#define MAP_FAILED     ((void *)-1)

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);

#ifdef __cplusplus
}
#endif

#endif /* _SYS_MMAN_H */
