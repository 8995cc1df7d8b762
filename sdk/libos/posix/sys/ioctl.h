/*
 * ioctl() (<sys/ioctl.h>), Linux's request numbers, implemented by the
 * libos for the two requests portable network programs use:
 *   FIONBIO  (int *) non-zero: the descriptor becomes non-blocking, as
 *            fcntl(fd, F_SETFL, O_NONBLOCK) does; 0: blocking again.
 *   FIONREAD (int *) bytes that a read would return at once (sockets).
 * Anything else fails with ENOTTY; a descriptor that is not open, EBADF.
 */
#ifndef _SYS_IOCTL_H
#define _SYS_IOCTL_H

#ifdef __cplusplus
extern "C" {
#endif

#define FIONREAD    0x541B
#define FIONBIO     0x5421

int ioctl(int fd, unsigned long request, ...);

#ifdef __cplusplus
}
#endif

#endif /* _SYS_IOCTL_H */
