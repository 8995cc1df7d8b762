/*
 * For unit tests that #include dom0/builder.c: the device page and hosts
 * table modules themselves, and console wiring that only adds its entry (the real one needs
 * the libos and the console backend: event channels, grant maps, threads).
 */
#ifndef DOM0_DEVICES_STUB_H
#define DOM0_DEVICES_STUB_H

#include <keel/console.h>
#include <keel/net.h>
#include "../../dom0/devpage.c"
#include "../../dom0/hosts.c"          /* none until a test sets one */

int console_plan(struct guest *pg)
{
    return devpage_add_granter(pg->dev, KEEL_DEV_CONSOLE, "console", 0,
                               KEEL_CONSOLE_RING_PAGES) ? 0 : -1;
}
/* what console_connect answers: 0, or a test's -KEEL_E* */
static long stub_connect_rc;
long console_connect(struct guest *pg) { (void)pg; return stub_connect_rc; }
void console_detach(uint32_t domid) { (void)domid; }
/* the NIC: an entry when the image asks, as dom0/net.c does */
int net_plan(struct guest *pg)
{
    if (!(pg->info.devices & KEEL_NOTE_DEV_NET))
        return 0;
    return devpage_add_granter(pg->dev, KEEL_DEV_NET, "net", 0,
                               KEEL_NET_RING_PAGES) ? 0 : -1;
}
long net_connect(struct guest *pg) { (void)pg; return 0; }
void net_detach(uint32_t domid) { (void)domid; }
/* no disk in these tests */
int disk_plan(struct guest *pg) { (void)pg; return 0; }
long disk_connect(struct guest *pg) { (void)pg; return 0; }
void disk_detach(uint32_t domid) { (void)domid; }

#endif /* DOM0_DEVICES_STUB_H */
