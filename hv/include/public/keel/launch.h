/*
 * How `keel run` hands a run to domain zero.
 *
 * Boot modules, in this order (QEMU -initrd, or a boot loader):
 *   module 0        the dom0 image (built by the hypervisor itself)
 *   module 1        the run manifest below, module string "keel-run"
 *   module 2        the run's hosts table (keel/hosts.h), module string
 *                   "keel-hosts", whole pages
 *   module 3 + k    guest image k, k = 0 .. m-1: each distinct image once,
 *                   in the order of its first guest on the command line
 *
 * Many guests may boot from one image module: a run of a thousand copies
 * of one image loads and reserves that image once.  Each guest names its
 * module; guest numbers (command-line order) and module numbers are
 * different things, and everything else (control lines, "connect") uses
 * guest numbers.
 *
 * The manifest is text with length-prefixed strings, so arguments may hold
 * any byte but NUL (spaces, commas, newlines):
 *
 *   "KEELRUN 3\n"
 *   "images <m>\n"                     m = boot modules - 3
 *   "guests <n>\n"
 *   then for each guest i = 0 .. n-1:
 *     "guest <i> <module> <argc>\n"    module: the boot module it boots,
 *                                      3 <= module < 3 + m
 *     argc times: "<len>:<len bytes>\n"   argv[0] is the guest's name
 *     optionally "env <envc>\n" and envc times "<len>:<len bytes>\n": its
 *                                      environment, NAME=VALUE each
 *   zero or more channels (keel/channel.h), guest a granting, b mapping:
 *     "connect <a> <b> <len>:<name>\n"   a != b, both < n; name 1..31
 *                                        bytes, unique on each guest
 *   zero or more disks (`keel run --disk`, docs/blk.md), in command-line
 *   order, each a virtual disk of guest g on the virtio-blk function at
 *   PCI 00:<slot>.0, the whole device, read-only if ro is 1 (the device
 *   may be read-only anyway); several lines may name one slot (shared
 *   read-only) and one guest (several disks, device entries in this order):
 *     "disk <g> <slot> <ro> <len>:<mount>\n"   g < n, slot < 32, ro 0 or 1,
 *                                        mount 1..31 bytes, starting '/'
 *   optionally "guestmem <bytes>\n": every guest's maximum memory
 *   (keel/memory.h) instead of its image note's mem_bytes (`keel run
 *   --guest-mem`); a whole number of pages, 1 .. KEEL_GUEST_MAX_BYTES
 *   optionally "diskbench\n": dom0 measures its first disk directly
 *   before serving any guest, overwriting it (make bench only: keel run
 *   writes it under KEEL_DISK_BENCH=1)
 *   "end\n"
 *
 * dom0 checks that m matches the modules it was given, and refuses a
 * guest whose module is 0 (dom0), 1 (the manifest), 2 (the hosts table)
 * or not below 3 + m.
 * A module no guest names is allowed (and wasted).
 *
 * Numbers are decimal without sign or leading '+'.  dom0 rejects a manifest
 * that does not parse exactly (with a `msg -1` control line and `done 125`).
 *
 * Exit statuses dom0 reports (control lines, see console.h):
 *   guest exit(code)               code & 0xff
 *   guest crash                    128 + signal number, as a shell shows a
 *                                  signal death: #PF/#GP 139 (SEGV),
 *                                  #UD 132 (ILL), #DE/#MF/#XM 136 (FPE),
 *                                  #BP/#DB 133 (TRAP), #AC 135 (BUS),
 *                                  abort() 134 (ABRT)
 *   image rejected by the builder, 126
 *   or the guest not built (no
 *   memory, port or grant page
 *   left for it)
 *   run: 0 if every guest's status is 0, else the first non-zero status in
 *   command-line order.
 * The launcher adds 124 (its --timeout expired) and 125 (the machine
 * stopped without a `done`: hypervisor panic, dom0 crash, QEMU failure).
 */
#ifndef KEEL_PUBLIC_LAUNCH_H
#define KEEL_PUBLIC_LAUNCH_H

#include "abi.h"

#define KEEL_MANIFEST_MAGIC       "KEELRUN 3\n"
#define KEEL_MANIFEST_MODULE_NAME "keel-run"
#define KEEL_HOSTS_MODULE         2
#define KEEL_FIRST_GUEST_MODULE   3
/* the hypervisor accepts at most this many boot modules */
#define KEEL_LAUNCH_MAX_MODULES   1024
#define KEEL_LAUNCH_MAX_IMAGES    (KEEL_LAUNCH_MAX_MODULES - KEEL_FIRST_GUEST_MODULE)

/*
 * Guests in one run (the manifest's `guests <n>`).  Images are bounded by
 * modules; guests are bounded by what dom0 holds for each live guest:
 *   - one event channel port in dom0's own port space, shared by every
 *     device dom0 serves for it (console and NIC, keel/device.h):
 *     KEEL_EVTCHN_PORTS - 1 = 12287 usable ports, less dom0's own (the
 *     VIRQs VIRQ_DOM_EXC and VIRQ_CONSOLE, its NIC's interrupt): 12284;
 *   - pages of dom0's grant window (KEEL_GRANT_MAX_MAPS =
 *     KEEL_GRANT_WINDOW_PAGES = 65536 handles): one for the console's page
 *     0, and KEEL_NET_RING_PAGES (3) more for a guest with a NIC:
 *     12000 x 4 = 48000, which leaves 17536 for dom0's own.
 * Guests of one run may all be alive at once (dom0 builds every guest
 * before it reaps any), so the ports, 12284, are the real bound; 12000
 * keeps 284 ports for dom0's own devices.  (The port space was 4096, and
 * this bound 4000.)  Every other per-guest cost is far below it: domain
 * ids (KEEL_DOMID_MAX = 32751), dom0's memory (about 1.5 KiB a guest with
 * a NIC, of its 64 MiB), the console record's 4 hex digits of domain id,
 * the network plan's addresses below.
 * The machine's memory (`keel run --mem`) bounds it further: each live
 * guest holds what it starts with (keel/memory.h: not its image note's
 * mem_bytes, which is its maximum) plus about 40 KiB, and what it grows to.  The hosts
 * table (module 2, keel/hosts.h) costs no port, grant or dom0 memory per
 * guest: its frames are shared by every guest with a NIC.
 *
 * The launcher refuses more guests than this; dom0 refuses a manifest that
 * announces more.  If dom0 nonetheless runs out of a resource for one guest
 * (ports, grant handles, memory), that guest is reported as rejected (126,
 * with a `msg` saying which) and the others run.
 */
#define KEEL_LAUNCH_MAX_GUESTS    12000

#define KEEL_STATUS_REJECTED      126
#define KEEL_STATUS_TIMEOUT       124
#define KEEL_STATUS_MACHINE       125

/*
 * The run's network plan (keel run --net, docs/net.md), one for the
 * launcher, which sets QEMU's user-mode network up with it, and for dom0,
 * which gives guests their addresses from it.  A tap setup (--net
 * tap:IFNAME) is expected to follow it too: the host's end of the tap, or
 * a router behind it, at the gateway's address.
 *
 *   subnet    10.0.0.0/16
 *   gateway   10.0.0.2: QEMU's host in user mode (it NATs to the outside)
 *   DNS       none: guests are given no resolver
 *   guest i   10.0.1.1 + i (i < KEEL_LAUNCH_MAX_GUESTS: up to 10.0.47.224),
 *             MAC 02:4b:0a:00:x:y when its address is 10.0.x.y (02:
 *             locally administered, unicast; 4b: "K")
 *   dom0      its uplink has the NIC's own MAC (QEMU's first NIC:
 *             52:54:00:12:34:56) and claims no IPv4 address of the plan
 *             (its ARP self test asks as an RFC 5227 probe, sender 0.0.0.0)
 *
 * QEMU's user mode also answers at 10.0.0.3 (its DNS forwarder, unused)
 * and hands out DHCP leases from 10.0.0.15 up; the guests' range starts
 * past both.  Addresses here are host-order numbers (10.0.0.2 is
 * 0x0a000002); keel/net.h's settings are in network order.
 */
#define KEEL_NET_PLAN_SUBNET      0x0a000000u   /* 10.0.0.0 */
#define KEEL_NET_PLAN_PREFIX_LEN  16u
#define KEEL_NET_PLAN_GATEWAY     0x0a000002u   /* 10.0.0.2 */
#define KEEL_NET_PLAN_DNS         0u            /* none */
#define KEEL_NET_PLAN_FIRST_GUEST 0x0a000101u   /* 10.0.1.1 */

static inline uint32_t keel_net_plan_netmask(void)
{
    return ~0u << (32u - KEEL_NET_PLAN_PREFIX_LEN);
}

static inline uint32_t keel_net_plan_guest_ipv4(uint32_t guest)
{
    return KEEL_NET_PLAN_FIRST_GUEST + guest;
}

static inline void keel_net_plan_guest_mac(uint32_t guest, uint8_t mac[6])
{
    uint32_t ip = keel_net_plan_guest_ipv4(guest);

    mac[0] = 0x02;
    mac[1] = 0x4b;
    mac[2] = (uint8_t)(ip >> 24);
    mac[3] = (uint8_t)(ip >> 16);
    mac[4] = (uint8_t)(ip >> 8);
    mac[5] = (uint8_t)ip;
}

/* every guest's address inside the subnet, below its broadcast address */
#ifndef __cplusplus
_Static_assert(((KEEL_NET_PLAN_FIRST_GUEST + KEEL_LAUNCH_MAX_GUESTS) >>
                (32u - KEEL_NET_PLAN_PREFIX_LEN)) ==
               (KEEL_NET_PLAN_SUBNET >> (32u - KEEL_NET_PLAN_PREFIX_LEN)),
               "the guests' addresses fit the plan's subnet");
#endif

#endif /* KEEL_PUBLIC_LAUNCH_H */
