/*
 * lwIP's configuration for Keel guests: one copy for every guest, built
 * into the sysroot's liblwip.a (changing it rebuilds lwIP).  Why each value
 * is what it is: docs/net.md, "lwIP in a guest".
 *
 * Memory is static and bounded (lwIP's own heap and pools, in .bss), sized
 * for a small appliance: a handful of connections at LAN speed.  What is
 * not set here is lwIP's default (lwip/opt.h).
 */
#ifndef KEEL_LWIPOPTS_H
#define KEEL_LWIPOPTS_H

/* Threads: the tcpip thread and the sequential APIs on libos threads. */
#define NO_SYS                      0
#define SYS_LIGHTWEIGHT_PROT        0   /* cooperative threads: sys_arch.h */
#define LWIP_TCPIP_CORE_LOCKING     1   /* API calls run in the caller */
#define TCPIP_THREAD_STACKSIZE      (32 * 1024)
#define TCPIP_MBOX_SIZE             32
#define DEFAULT_THREAD_STACKSIZE    (32 * 1024)
#define DEFAULT_TCP_RECVMBOX_SIZE   32
#define DEFAULT_UDP_RECVMBOX_SIZE   16
#define DEFAULT_RAW_RECVMBOX_SIZE   16
#define DEFAULT_ACCEPTMBOX_SIZE     8

/* APIs.  The sockets keep their lwip_ prefix: POSIX names (socket, read
 * on a socket fd) belong to the libos's file descriptors (sdk/sockets).
 * Their types and numbers are the guest's POSIX headers', Linux's
 * (arch/keel_sockets.h).  A socket is used by one thread at a time (no
 * LWIP_NETCONN_FULLDUPLEX: it needs per-thread semaphores); one thread
 * streams both ways with poll.  sdk/sockets reads the readiness counters
 * that LWIP_SOCKET_SELECT keeps in each socket. */
#define LWIP_NETCONN                1
#define LWIP_SOCKET                 1
#define LWIP_COMPAT_SOCKETS         0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_SELECT          1
#define LWIP_SOCKET_POLL            1
#define LWIP_SOCKET_EXTERNAL_HEADERS            1
#define LWIP_SOCKET_EXTERNAL_HEADER_SOCKETS_H   "arch/keel_sockets.h"
#define LWIP_SOCKET_EXTERNAL_HEADER_INET_H      "arch/keel_inet.h"
#define LWIP_SO_RCVTIMEO            1
#define LWIP_SO_RCVBUF              1   /* FIONREAD, SO_RCVBUF */
#define LWIP_FIONREAD_LINUXMODE     1   /* FIONREAD on UDP: the next datagram */
#define LWIP_SO_SNDTIMEO            1
#define SO_REUSE                    1
#define LWIP_TCP_KEEPALIVE          1
#define TCP_LISTEN_BACKLOG          1
#define LWIP_NETIF_API              1

/* Protocols: IPv4, ARP over ethernet, ICMP, UDP, TCP. */
#define LWIP_IPV4                   1
#define LWIP_IPV6                   0
#define LWIP_ARP                    1
#define LWIP_ETHERNET               1
#define LWIP_ICMP                   1
#define LWIP_UDP                    1
#define LWIP_TCP                    1
#define LWIP_RAW                    0
#define LWIP_DHCP                   0
#define LWIP_AUTOIP                 0
#define LWIP_IGMP                   0
#define LWIP_DNS                    0
#define LWIP_HAVE_LOOPIF            1   /* 127.0.0.1 */
#define LWIP_NETIF_LOOPBACK         1
#define LWIP_NETIF_STATUS_CALLBACK  1
#define LWIP_NETIF_LINK_CALLBACK    1

/* TCP initial sequence numbers: RFC 6528's keyed hash of the 4-tuple
 * plus a 4 us clock, not lwIP's predictable counter (tcp_isn.c). */
#define LWIP_HOOK_FILENAME          "arch/keel_hooks.h"
#define LWIP_HOOK_TCP_ISN(lip, lport, rip, rport) \
    keel_lwip_tcp_isn(lip, lport, rip, rport)

/* Every checksum generated and checked in software (these are lwIP's
 * defaults, stated because the issue requires them). */
#define CHECKSUM_GEN_IP             1
#define CHECKSUM_GEN_UDP            1
#define CHECKSUM_GEN_TCP            1
#define CHECKSUM_GEN_ICMP           1
#define CHECKSUM_CHECK_IP           1
#define CHECKSUM_CHECK_UDP          1
#define CHECKSUM_CHECK_TCP          1
#define CHECKSUM_CHECK_ICMP         1

/* TCP: ethernet MSS; window and send buffer of 8 segments. */
#define TCP_MSS                     1460
#define TCP_WND                     (8 * TCP_MSS)
#define TCP_SND_BUF                 (8 * TCP_MSS)
#define TCP_SND_QUEUELEN            ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)

/* Memory: lwIP's heap (tcp_write copies, loopback copies, small
 * allocations) and its pools. */
#define MEM_ALIGNMENT               8
#define MEM_SIZE                    (64 * 1024)
#define PBUF_POOL_SIZE              16  /* received frames */
#define MEMP_NUM_PBUF               16
#define MEMP_NUM_NETCONN            8   /* = the number of sockets */
#define MEMP_NUM_TCP_PCB            8
#define MEMP_NUM_TCP_PCB_LISTEN     4
#define MEMP_NUM_UDP_PCB            4
#define MEMP_NUM_TCP_SEG            TCP_SND_QUEUELEN
#define MEMP_NUM_NETBUF             8
#define MEMP_NUM_TCPIP_MSG_API      8
#define MEMP_NUM_TCPIP_MSG_INPKT    16
#define MEMP_NUM_SYS_TIMEOUT        (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)

#define LWIP_STATS                  0

/* Delayed ACKs go out within this many ms, not at the next 250 ms TCP
 * timer (tcp_delack.c); the hook arms its timer on segments with data. */
#define KEEL_TCP_DELACK_MS          2
int keel_tcp_delack_arm(unsigned payload_len);
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p) \
    keel_tcp_delack_arm((p)->tot_len)

#endif /* KEEL_LWIPOPTS_H */
