/* TCP options (level IPPROTO_TCP), Linux's numbers.  lwIP serves
 * TCP_NODELAY and the keep-alive ones; others fail with ENOPROTOOPT. */
#ifndef _NETINET_TCP_H
#define _NETINET_TCP_H

#define TCP_NODELAY     1
#define TCP_MAXSEG      2
#define TCP_KEEPIDLE    4
#define TCP_KEEPINTVL   5
#define TCP_KEEPCNT     6

#endif /* _NETINET_TCP_H */
