/*
 * The names a guest knows without DNS (hosts.c), from what its domain was
 * started with:
 *
 *   localhost       127.0.0.1
 *   its own name    argv[0], as `keel run` named it; the address of its
 *                   network interface (the device page's KEEL_DEV_NET
 *                   settings), 127.0.0.1 without one
 *   the run's       the hosts table dom0 maps into a guest with a NIC
 *   hosts table     (start info hosts_va, hosts_bytes; keel/hosts.h):
 *                   the run's guests with a NIC, and `host`
 */
#include <string.h>
#include <keel/net.h>
#include <libos/device.h>
#include <libos/start.h>
#include "sk_impl.h"

#define LOOPBACK 0x0100007fu     /* 127.0.0.1 in network byte order */

/* argv[0]: the first argument string (the libos checked the block). */
static const char *own_name(void)
{
    const struct keel_start_info *si = libos_start_info();

    if (!si || si->argc == 0 || si->args_bytes == 0)
        return NULL;
    return (const char *)(uintptr_t)si->args_va;
}

static uint32_t own_address(void)
{
    const struct keel_device *d = libos_device_find(KEEL_DEV_NET, NULL);
    struct keel_net_settings s;

    if (!d)
        return LOOPBACK;
    memcpy(&s, d->settings, sizeof(s));
    return s.ipv4_addr ? s.ipv4_addr : LOOPBACK;
}

/* The hosts table, if the start info puts one inside our memory. */
static void attach_table(void)
{
    const struct keel_start_info *si = libos_start_info();
    uint64_t va = si ? si->hosts_va : 0;

    if (!va || va % KEEL_PAGE_SIZE || va < si->mem_base ||
        va - si->mem_base >= si->mem_bytes ||
        si->hosts_bytes > si->mem_bytes - (va - si->mem_base))
        return;
    sk_hosts_attach((const void *)(uintptr_t)va, si->hosts_bytes);
}

void sk_hosts_load(void)
{
    const char *me = own_name();

    sk_hosts_add("localhost", LOOPBACK);
    if (me)
        sk_hosts_add(me, own_address());
    attach_table();
}
