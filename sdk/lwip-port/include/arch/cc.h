/*
 * lwIP's compiler and platform glue for Keel guests (newlib, the libos).
 *
 * Types, printf formats and errno come from newlib: lwIP's own <stdint.h>
 * and <inttypes.h> paths stay on, and errno values are newlib's
 * (LWIP_ERRNO_STDINCLUDE), so an errno set by lwip_recv() reads the same
 * as one set by read().  A failed lwIP assertion aborts the domain, which
 * ends it as a crash with a backtrace.
 */
#ifndef KEEL_LWIP_ARCH_CC_H
#define KEEL_LWIP_ARCH_CC_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/time.h>
/* Before lwIP's headers: lwip_fcntl() and the programs that call it then
 * agree on newlib's O_NONBLOCK, never lwIP's fallback value. */
#include <fcntl.h>

#define LWIP_ERRNO_STDINCLUDE 1

/* newlib's ssize_t is long; it has no SSIZE_MAX, and without one lwIP
 * would declare its own (int) ssize_t. */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

/* newlib's struct timeval.  The socket types, constants and sockaddrs
 * are the guest's POSIX headers' (LWIP_SOCKET_EXTERNAL_HEADERS in
 * lwipopts.h, arch/keel_sockets.h), and so are htons and friends. */
#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS 1

#define LWIP_PLATFORM_DIAG(x) do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { \
        fprintf(stderr, "lwip: assertion \"%s\" failed at %s:%d\n", \
                x, __FILE__, __LINE__); \
        abort(); \
    } while (0)

/* x86-64 is little-endian; the compiler knows the byte swaps. */
#define lwip_htons(x) ((uint16_t)__builtin_bswap16(x))
#define lwip_htonl(x) ((uint32_t)__builtin_bswap32(x))

/* Initial local ports and DNS ids: not predictable from boot to boot
 * (sys_arch.c; not a cryptographic generator). */
uint32_t keel_lwip_rand(void);
#define LWIP_RAND() keel_lwip_rand()

#endif /* KEEL_LWIP_ARCH_CC_H */
