/*
 * lwIP's tcpip thread, started by the first socket() so that a program
 * written for Linux needs no set-up call: tcpip_init() brings up lwIP and
 * its loopback interface (127.0.0.1) and starts the thread, which then
 * reports through the callback.  Threads that arrive meanwhile wait for
 * the same report.
 *
 * The network frontend (sdk/netfront, to come) adds its interface here,
 * once the stack is up: netif_add() with the device page's address, mask
 * and gateway (struct keel_net_settings), netif_set_default(), link up.
 */
#include <lwip/tcpip.h>
#include <libos/thread.h>
#include <libos/time.h>
#include "sk_impl.h"

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
}
