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
#define DEFAULT_ACCEPTMBOX_SIZE     256 /* above any backlog (255): no RST */

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
#define TCP_LISTEN_BACKLOG          1   /* listen()'s, at most 255 */
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
/* TIME-WAIT for 2 s, not lwIP's two minutes: a closed connection's PCB
 * holds heap as long (MEMP_MEM_MALLOC below); a busy server closes
 * hundreds a second.  A SYN that meets one starts a new connection
 * (tcp_reuse.c), as on Linux. */
#define TCP_MSL                     1000
struct pbuf;
struct netif;
int keel_lwip_ip4_input(struct pbuf *p, struct netif *inp);
#define LWIP_HOOK_IP4_INPUT(p, inp) keel_lwip_ip4_input(p, inp)

/* Memory: lwIP's heap (tcp_write copies, loopback copies, small
 * allocations) and every pool (PCBs, segments, netconns, received frames)
 * come from the libos's heap (malloc) when needed and go back to it: an
 * idle guest pays for none of the room a busy one uses, and a guest's
 * memory (mkimage --mem), not a count, bounds its connections.  The
 * MEMP_NUM_* counts are then no limits (lwIP ignores them). */
#define MEM_ALIGNMENT               8
#define MEM_LIBC_MALLOC             1
#define MEMP_MEM_MALLOC             1
#define PBUF_POOL_SIZE              16  /* no limit either: rx batches */
#define MEMP_NUM_NETCONN            512 /* = the number of sockets (a static
                                         * table of 24 bytes each, twice) */

#define LWIP_STATS                  0

/* Delayed ACKs go out within this many ms, not at the next 250 ms TCP
 * timer (tcp_delack.c); the hook arms its timer on segments with data. */
#define KEEL_TCP_DELACK_MS          2
int keel_tcp_delack_arm(unsigned payload_len);
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p) \
    keel_tcp_delack_arm((p)->tot_len)

#endif /* KEEL_LWIPOPTS_H */
