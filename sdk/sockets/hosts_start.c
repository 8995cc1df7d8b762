/*
 * What the hosts table (hosts.c) holds: the names a guest knows without
 * DNS, from what its domain was started with.
 *
 *   localhost       127.0.0.1
 *   its own name    argv[0], as `keel run` named it; the address of its
 *                   network interface (the device page's KEEL_DEV_NET
 *                   settings), 127.0.0.1 without one
 *
 * Still missing (docs/net.md, "Names"): the other guests of the run and
 * `host`.  The toolstack is to hand every guest one table of (name, IPv4)
 * pairs; its transport (a device-page entry or pages of their own) is not
 * built.  When it is, this file adds its entries here, and nothing above
 * it changes.
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

void sk_hosts_load(void)
{
    const char *me = own_name();

    sk_hosts_add("localhost", LOOPBACK);
    if (me)
        sk_hosts_add(me, own_address());
}
