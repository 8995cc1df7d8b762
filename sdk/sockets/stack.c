/*
 * lwIP's tcpip thread, started by the first socket() so that a program
 * written for Linux needs no set-up call: tcpip_init() brings up lwIP and
 * its loopback interface (127.0.0.1) and starts the thread, which then
 * reports through the callback.  Threads that arrive meanwhile wait for
 * the same report.
 *
 * The network frontend (sdk/netfront) adds its interface from its own
 * thread, which lwIP's sys_init starts when the domain has a NIC; the
 * first socket() also waits for it (a second at most), so that a program
 * never sends before its interface is there.
 */
#include <lwip/tcpip.h>
#include <libos/thread.h>
#include <libos/time.h>
#include <netfront/netif.h>
#include "sk_impl.h"

#define NIC_WAIT_NS 1000000000ull

static int started;
static volatile int up;

static void on_up(void *arg)
{
    (void)arg;
    up = 1;               /* runs in the tcpip thread */
}

static int is_up(void *arg)
{
    (void)arg;
    return up;
}

void sk_stack_up(void)
{
    if (!started) {
        started = 1;
        tcpip_init(on_up, NULL);
    }
    while (!up)
        libos_thread_wait(is_up, NULL, LIBOS_FOREVER);
    netfront_lwip_wait_up(libos_monotonic_ns() + NIC_WAIT_NS);   /* no NIC: at once */
}
