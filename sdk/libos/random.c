/*
 * getentropy, getrandom and /dev/urandom, /dev/random (docs/posix.md).
 *
 * One ChaCha20 generator per domain, keyed at first use from the boot's
 * entropy (libos/entropy.h).  Each request mixes a fresh RDRAND word into
 * the key where the CPU has one, draws its bytes from blocks 1.. under a
 * per-request nonce, and replaces the key with block 0 (fast key erasure:
 * a later read of memory cannot reconstruct earlier output).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <libos/entropy.h>
#include <libos/fd.h>
#include "internal.h"

#define REQUEST_MAX ((32u << 20) - 1)   /* Linux's getrandom cap per call */
#define ENTROPY_MAX 256                 /* getentropy's, POSIX */

static uint32_t key[8];
static uint32_t nonce[3];               /* a request counter */
static const char *seed_source;

static void rng_fill(uint8_t *out, size_t len)
{
    uint8_t block[64];
    uint32_t ctr = 1;
    uint64_t hw;

    if (!seed_source)
        seed_source = libos_entropy_seed(key, sizeof(key));
    if (libos_hw_random(&hw)) {
        key[0] ^= (uint32_t)hw;
        key[1] ^= (uint32_t)(hw >> 32);
    }
    if (++nonce[0] == 0)
        nonce[1]++;
    while (len) {
        size_t n = len < sizeof(block) ? len : sizeof(block);

        libos_chacha20_block(key, ctr++, nonce, block);
        memcpy(out, block, n);
        out += n;
        len -= n;
    }
    libos_chacha20_block(key, 0, nonce, block);
    memcpy(key, block, sizeof(key));
    memset(block, 0, sizeof(block));
}

int getentropy(void *buf, size_t len)
{
    if (len > ENTROPY_MAX) {
        errno = EIO;                  /* POSIX and glibc */
        return -1;
    }
    if (len && !libos_in_memory(buf, len)) {
        errno = EFAULT;
        return -1;
    }
    rng_fill(buf, len);
    return 0;
}

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
    if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) {
        errno = EINVAL;
        return -1;
    }
    if (len > REQUEST_MAX)
        len = REQUEST_MAX;
    if (len && !libos_in_memory(buf, len)) {
        errno = EFAULT;
        return -1;
    }
    rng_fill(buf, len);
    return (ssize_t)len;
}

static long urandom_read(void *obj, void *buf, size_t len, int flags)
{
    (void)obj;
    (void)flags;
    if (len > REQUEST_MAX)
        len = REQUEST_MAX;
    if (len && !libos_in_memory(buf, len))
        return -EFAULT;
    rng_fill(buf, len);
    return (long)len;
}

static int always_ready(void *obj, int events)
{
    (void)obj;
    return events & (POLLIN | POLLRDNORM);
}

static const struct libos_fd_ops urandom_ops = {
    .read = urandom_read,
    .poll = always_ready,
    .wake = always_ready,
    .mode = S_IFCHR,
};

int libos_dev_open(const char *path, int flags)
{
    if (!strncmp(path, "/dev/chan/", 10))
        return libos_chanfd_open(path);
    if (strcmp(path, "/dev/urandom") && strcmp(path, "/dev/random"))
        return -ENODEV;
    if ((flags & O_ACCMODE) != O_RDONLY)
        return -EACCES;               /* no writing entropy in */
    return libos_fd_install(&urandom_ops, NULL, flags & (O_ACCMODE | O_NONBLOCK));
}

const char *libos_random_source(void)
{
    return seed_source;
}
