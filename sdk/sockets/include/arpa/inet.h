/*
 * Address conversions (POSIX <arpa/inet.h>), as glibc does them.
 * inet_pton and inet_ntop know AF_INET only (AF_INET6: EAFNOSUPPORT).
 * inet_ntoa returns a static buffer, overwritten by the next call.
 */
#ifndef _ARPA_INET_H
#define _ARPA_INET_H

#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

in_addr_t inet_addr(const char *cp);
int inet_aton(const char *cp, struct in_addr *inp);
char *inet_ntoa(struct in_addr in);
int inet_pton(int af, const char *__restrict src, void *__restrict dst);
const char *inet_ntop(int af, const void *__restrict src, char *__restrict dst,
                      socklen_t size);

#ifdef __cplusplus
}
#endif

#endif /* _ARPA_INET_H */
