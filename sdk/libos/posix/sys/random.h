/*
 * getrandom() (Linux's <sys/random.h>, which newlib lacks), implemented by
 * the libos (docs/posix.md); getentropy() is newlib's <unistd.h>'s.
 */
#ifndef _SYS_RANDOM_H
#define _SYS_RANDOM_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GRND_NONBLOCK 0x01
#define GRND_RANDOM   0x02
#define GRND_INSECURE 0x04

/* Fills buf[0, len) (at most 32 MiB - 1 at a time, as Linux): the count,
 * or -1 and errno (EINVAL: unknown flags, EFAULT: buf outside memory).
 * Never blocks: the generator is seeded from the start. */
ssize_t getrandom(void *buf, size_t len, unsigned int flags);
int getentropy(void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* _SYS_RANDOM_H */
