/*
 * TCP initial sequence numbers as a peer sees them: CONNS connections
 * from this guest to one listening port (its own, on 127.0.0.1), and the
 * ISN of each end read from lwIP's pcb right after the handshake (snd_nxt
 * - 1: the SYN took one number, no data sent yet).  Prints one line per
 * connection, "isn: client 0x... server 0x...", the secret's source, and
 * "tcp_isn: ok".  The test (test_lwip.py) judges the numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <lwip/api.h>
#include <lwip/tcp.h>
#include <lwip/tcpip.h>
#include <arch/keel_hooks.h>
#include <libos/thread.h>
#include <libos/time.h>

#define PORT   4242
#define CONNS  4

static _Noreturn void fail(const char *what, int err)
{
    printf("tcp_isn: FAIL %s (%d)\n", what, err);
    exit(1);
}

static int flag_set(void *flag)
{
    return *(volatile int *)flag;
}

static void set_flag(void *flag)
{
    *(volatile int *)flag = 1;
}

static uint32_t isn_of(struct netconn *c)
{
    uint32_t isn;

    LOCK_TCPIP_CORE();
    isn = c->pcb.tcp->snd_nxt - 1;
    UNLOCK_TCPIP_CORE();
    return isn;
}

int main(void)
{
    static volatile int up;
    struct netconn *l, *c, *a;
    ip_addr_t lo;
    err_t e;

    tcpip_init(set_flag, (void *)&up);
    libos_thread_wait(flag_set, (void *)&up, libos_monotonic_ns() + 5000000000ull);
    if (!up)
        fail("tcpip_init", 0);
    IP_ADDR4(&lo, 127, 0, 0, 1);
    l = netconn_new(NETCONN_TCP);
    if (!l || (e = netconn_bind(l, &lo, PORT)) || (e = netconn_listen(l)))
        fail("listen", l ? e : -1);
    for (int i = 0; i < CONNS; i++) {
        if (!(c = netconn_new(NETCONN_TCP)))
            fail("netconn_new", i);
        if ((e = netconn_connect(c, &lo, PORT)) || (e = netconn_accept(l, &a)))
            fail("connect", e);
        printf("isn: client 0x%08lx server 0x%08lx\n",
               (unsigned long)isn_of(c), (unsigned long)isn_of(a));
        netconn_delete(c);     /* 8 netconns in all (lwipopts.h) */
        netconn_delete(a);
    }
    printf("isn secret: %s\n", keel_lwip_isn_source());
    printf("tcp_isn: ok\n");
    return 0;
}
