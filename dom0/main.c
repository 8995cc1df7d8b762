/*
 * Domain zero's toolstack: run what the launcher asked for, then power off.
 *
 *   start info -> module 1 (the manifest, keel/launch.h) -> parse it
 *   -> module 2, the hosts table (hosts.h): checked once, mapped into guests
 *   -> bind VIRQ_DOM_EXC (reap.c), console backend and uplink (uplink.c)
 *      threads, which run once we first wait
 *   -> build and start guest i, in order,
 *      from the boot module the manifest names for it (many guests may
 *      share one image module)
 *   -> wait for every guest to end (reap.c) -> `done S` -> POWEROFF(S)
 *
 * A run that cannot even begin (no manifest, a malformed one, a module count
 * that disagrees with it) is reported as `msg -1 ...` and `done 125`.  A
 * guest that cannot be built is reported on its own (status 126) and the
 * others still run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/abi.h>
#include <keel/launch.h>
#include <libos/event.h>
#include <libos/thread.h>
#include "builder.h"
#include "channel.h"
#include "console.h"
#include "ctl.h"
#include "hc.h"
#include "hosts.h"
#include "manifest.h"
#include "net.h"
#include "reap.h"
#include "uplink.h"
#include "disk.h"

/* A handler for every port dom0 may hold: one per live guest (builder.c),
 * up to KEEL_LAUNCH_MAX_GUESTS, beyond a guest's default table. */
LIBOS_EVTCHN_TABLE(KEEL_EVTCHN_PORTS);

static _Noreturn void finish(int status)
{
    struct keel_domctl op = { .cmd = KEEL_DOMCTL_POWEROFF };

    net_report();
    disk_report();
    ctl_done(status);
    hc_log("run done with status %d, powering off", status);
    fflush(stdout);
    op.u.poweroff.status = status;
    long rc = hc_domctl(&op);
    hc_log("poweroff failed (%ld); exiting instead", rc);
    exit(status);
}

static const struct keel_module *module(const struct keel_start_info *si,
                                        unsigned i)
{
    if (i >= si->nr_modules)
        return NULL;
    return (const struct keel_module *)(uintptr_t)si->modules_va + i;
}

static int load_manifest(const struct keel_start_info *si, struct manifest *m)
{
    const struct keel_module *mod = module(si, 1);
    char why[MANIFEST_MSG_MAX];

    if (!mod || strncmp(mod->name, KEEL_MANIFEST_MODULE_NAME,
                        KEEL_MODULE_NAME_MAX) != 0) {
        ctl_msg(-1, "no run manifest: boot module 1 must be \"%s\"",
                KEEL_MANIFEST_MODULE_NAME);
        return -1;
    }
    if (manifest_parse((const void *)(uintptr_t)mod->va, mod->bytes, m, why,
                       sizeof(why)) != 0) {
        ctl_msg(-1, "bad run manifest: %s", why);
        return -1;
    }
    if (si->nr_modules - KEEL_FIRST_GUEST_MODULE != m->nimages) {
        ctl_msg(-1, "run manifest lists %u images but %u were loaded",
                m->nimages, si->nr_modules - KEEL_FIRST_GUEST_MODULE);
        manifest_free(m);
        return -1;
    }
    return 0;
}

static uint32_t physical_cpus(void)
{
    struct keel_domctl op = { .cmd = KEEL_DOMCTL_PHYSINFO };

    if (hc_domctl(&op) < 0 || op.u.physinfo.nr_cpus == 0)
        return 1;
    hc_log("%u CPUs, %llu of %llu frames free",
           op.u.physinfo.nr_cpus,
           (unsigned long long)op.u.physinfo.free_frames,
           (unsigned long long)op.u.physinfo.total_frames);
    return op.u.physinfo.nr_cpus;
}

static void start_guests(const struct keel_start_info *si,
                         const struct manifest *m, struct guest *g,
                         uint32_t nr_cpus)
{
    for (unsigned i = 0; i < m->nguests; i++) {
        /* in range: manifest_parse checked it against nimages, and
         * load_manifest nimages against nr_modules */
        const struct keel_module *mod = module(si, m->guests[i].module);
        g[i] = (struct guest){ .idx = (int)i, .mf = &m->guests[i],
                               .image = (const void *)(uintptr_t)mod->va,
                               .image_size = mod->bytes, .status = -1,
                               .hold = chan_held(i), .max_mem = m->guest_mem };
        hc_log("guest %u: %s, module %u \"%.*s\", %llu bytes", i,
               m->guests[i].name, m->guests[i].module, KEEL_MODULE_NAME_MAX,
               mod->name,
               (unsigned long long)mod->bytes);
        builder_start(&g[i], nr_cpus);
        /* the backends serve the guests already running meanwhile: a
         * thousand builds would otherwise keep their rings waiting */
        libos_thread_yield();
    }
    /* Guests with channels were built held: wire, then start them. */
    chan_wire(g, m->nguests);
    for (unsigned i = 0; i < m->nguests; i++)
        if (g[i].hold && g[i].status == -1)
            builder_release(&g[i]);
}

int main(void)
{
    const struct keel_start_info *si = hc_start_info();
    struct manifest m;

    setvbuf(stdout, NULL, _IOLBF, 0);
    hc_log("toolstack up, domain %u, %u boot modules", si->domid,
           si->nr_modules);
    if (si->nr_modules < KEEL_FIRST_GUEST_MODULE || load_manifest(si, &m)) {
        if (si->nr_modules < KEEL_FIRST_GUEST_MODULE)
            ctl_msg(-1, "no run manifest: only %u boot modules",
                    si->nr_modules);
        finish(KEEL_STATUS_MACHINE);
    }
    struct guest *g = calloc(m.nguests ? m.nguests : 1, sizeof(*g));
    if (!g) {
        ctl_msg(-1, "out of memory for %u guests", m.nguests);
        finish(KEEL_STATUS_MACHINE);
    }
    hosts_init(si);
    reap_watch();
    if (console_start() < 0)
        hc_log("no console backend thread: guests' output is lost");
    if (net_start() < 0)
        hc_log("net: no switch: guests get no network");
    if (uplink_start() < 0)
        hc_log("net: no uplink: no thread for it");
    disk_attach(&m);
    if (disk_start() < 0)
        hc_log("disk: no thread for it: guests get no disk");
    chan_setup(&m);
    start_guests(si, &m, g, physical_cpus());
    finish(reap_all(g, m.nguests));
}
