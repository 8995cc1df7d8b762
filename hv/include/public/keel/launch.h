/*
 * How `keel run` hands a run to domain zero.
 *
 * Boot modules, in this order (QEMU -initrd, or a boot loader):
 *   module 0        the dom0 image (built by the hypervisor itself)
 *   module 1        the run manifest below, module string "keel-run"
 *   module 2 + k    guest image k, k = 0 .. m-1: each distinct image once,
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
 *   "KEELRUN 2\n"
 *   "images <m>\n"                     m = boot modules - 2
 *   "guests <n>\n"
 *   then for each guest i = 0 .. n-1:
 *     "guest <i> <module> <argc>\n"    module: the boot module it boots,
 *                                      2 <= module < 2 + m
 *     argc times: "<len>:<len bytes>\n"   argv[0] is the guest's name
 *   zero or more channels (keel/channel.h), guest a granting, b mapping:
 *     "connect <a> <b> <len>:<name>\n"   a != b, both < n; name 1..31
 *                                        bytes, unique on each guest
 *   "end\n"
 *
 * dom0 checks that m matches the modules it was given, and refuses a
 * guest whose module is 0 (dom0), 1 (the manifest) or not below 2 + m.
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

#define KEEL_MANIFEST_MAGIC       "KEELRUN 2\n"
#define KEEL_MANIFEST_MODULE_NAME "keel-run"
#define KEEL_FIRST_GUEST_MODULE   2
/* the hypervisor accepts at most this many boot modules */
#define KEEL_LAUNCH_MAX_MODULES   1024
#define KEEL_LAUNCH_MAX_IMAGES    (KEEL_LAUNCH_MAX_MODULES - KEEL_FIRST_GUEST_MODULE)

/*
 * Guests in one run (the manifest's `guests <n>`).  Images are bounded by
 * modules; guests are bounded by what dom0 holds for each live guest:
 *   - one event channel port in dom0's own port space, shared by every
 *     device dom0 serves for it (console and NIC, keel/device.h):
 *     KEEL_EVTCHN_PORTS - 1 = 4095 usable ports, less dom0's own (the
 *     VIRQs VIRQ_DOM_EXC and VIRQ_CONSOLE, its NIC's interrupt): 4092;
 *   - pages of dom0's grant window (KEEL_GRANT_MAX_MAPS =
 *     KEEL_GRANT_WINDOW_PAGES = 16384 handles): one for the console's page
 *     0, and KEEL_NET_RING_PAGES (3) more for a guest with a NIC:
 *     4000 x 4 = 16000, which leaves 384 for dom0's own.
 * Guests of one run may all be alive at once (dom0 builds every guest
 * before it reaps any), so the ports, 4092, are the real bound; 4000
 * keeps 92 ports and (with a NIC in every guest) 384 grant handles for
 * dom0's own devices.  Every other per-guest cost is far below it: domain
 * ids (KEEL_DOMID_MAX = 32751), dom0's memory (about 1.5 KiB a guest with
 * a NIC, of its 64 MiB), the console record's 4 hex digits of domain id.
 * The machine's memory (`keel run --mem`) bounds it further: each live
 * guest holds its image note's mem_bytes plus about 40 KiB.
 *
 * The launcher refuses more guests than this; dom0 refuses a manifest that
 * announces more.  If dom0 nonetheless runs out of a resource for one guest
 * (ports, grant handles, memory), that guest is reported as rejected (126,
 * with a `msg` saying which) and the others run.
 */
#define KEEL_LAUNCH_MAX_GUESTS    4000

#define KEEL_STATUS_REJECTED      126
#define KEEL_STATUS_TIMEOUT       124
#define KEEL_STATUS_MACHINE       125

#endif /* KEEL_PUBLIC_LAUNCH_H */
