/*
 * The wait loop (see reap.h) and the end of a guest.
 *
 * dom0 hears of every shutdown and crash through VIRQ_DOM_EXC, bound once
 * before the first guest starts (reap_watch) and waited on with the libos
 * event API, so other dom0 threads (backends) run while it waits.  The
 * event says that something ended, not what: the live list is scanned.
 * Many ends before dom0 looks are one event, and an end during a scan
 * leaves the event received, so the next wait returns at once and rescans.
 *
 * Which ones ended comes from KEEL_DOMCTL_NEXT_ENDED, so a wake-up costs
 * one GET_INFO per guest that ended, not per guest running; the full scan
 * (one GET_INFO per live guest, kept as a compact list of indices) is the
 * fallback when the hypervisor dropped some names.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <libos/event.h>
#include <libos/time.h>
#include <keel/abi.h>
#include <keel/launch.h>
#include "backtrace.h"
#include "crash.h"
#include "ctl.h"
#include "foreign.h"
#include "hc.h"
#include "leaf.h"
#include "reap.h"

#define BT_MAX_FRAMES 32

static void emit_msg(void *ctx, const char *line)
{
    ctl_msg(((const struct guest *)ctx)->idx, "%s", line);
}

/* rip, the caller a frameless function would hide (leaf.h), then the rbp
 * chain; guest memory is read only inside [lo, hi). */
static unsigned collect_frames(const struct guest *g, const struct symtab *st,
                               const struct keel_cpu_regs *regs,
                               struct foreign_reader *r, uint64_t *pcs)
{
    const char *name;
    uint64_t off, slot, ret;
    unsigned n = 0;

    pcs[n++] = regs->rip;
    if (symbols_lookup(st, regs->rip, &name, &off) == 0 &&
        leaf_return_slot(&g->info, g->image, regs->rip - off, regs->rip,
                         &slot) &&
        foreign_read64(r, regs->rsp + slot, &ret) == 0 &&
        leaf_is_return_address(&g->info, g->image, ret))
        pcs[n++] = ret;
    return n + backtrace_walk(regs->rbp, r->lo, r->hi, foreign_read64, r,
                              pcs + n, BT_MAX_FRAMES - n);
}

/* The stack ends the guest's memory (layout.h), which is mem_pages long
 * with its hosts table. */
static void report_crash(struct guest *g, const struct keel_crash_info *c,
                         uint64_t mem_pages)
{
    uint64_t stack_bytes = g->info.note.stack_bytes;
    uint64_t stack_lo = KEEL_GUEST_BASE + mem_pages * KEEL_PAGE_SIZE - stack_bytes;
    char note[CRASH_LINE_MAX];
    uint64_t pcs[BT_MAX_FRAMES];
    struct foreign_reader r;
    struct symtab st;

    symbols_load(&st, g->image, g->image_size);   /* none: raw addresses */
    foreign_reader_init(&r, g->domid, KEEL_GUEST_BASE,
                        KEEL_GUEST_BASE + g->info.note.mem_bytes);
    unsigned n = collect_frames(g, &st, &c->regs, &r, pcs);
    foreign_reader_done(&r);
    crash_report(g->mf->name, c, &st, pcs, n, emit_msg, g);
    if (crash_is_stack_overflow(c, stack_lo)) {
        crash_stack_note(g->mf->name, stack_bytes, note, sizeof(note));
        emit_msg(g, note);
    }
}

void reap_one(struct guest *g, const struct keel_domain_info *info)
{
    if (!info) {
        ctl_msg(g->idx, "%s: domain %u vanished", g->mf->name, g->domid);
        g->status = KEEL_STATUS_MACHINE;
    } else if (info->state == KEEL_DOMSTATE_SHUTDOWN) {
        g->status = info->exit_code & 0xff;
        hc_log("guest %d (domain %u) exited with %d", g->idx,
               g->domid, g->status);
    } else {
        report_crash(g, &info->crash, info->mem_pages);
        g->status = crash_status(&info->crash);
    }
    if (info)
        builder_destroy(g->domid);
    ctl_exit(g->idx, g->status);
}

/* GET_INFO live guest live[k]: reap it (and drop it from the list) if it
 * ended.  Returns the new number of live guests. */
static unsigned check_one(struct guest *g, unsigned *live, unsigned nlive,
                          unsigned k)
{
    struct guest *x = &g[live[k]];
    struct keel_domctl op = { .cmd = KEEL_DOMCTL_GET_INFO, .domid = x->domid };
    long rc = hc_domctl(&op);

    if (rc >= 0 && op.u.info.state != KEEL_DOMSTATE_SHUTDOWN &&
        op.u.info.state != KEEL_DOMSTATE_CRASHED)
        return nlive;
    reap_one(x, rc >= 0 ? &op.u.info : NULL);
    live[k] = live[--nlive];
    return nlive;
}

/* GET_INFO each live guest; reap the ended ones.  Returns how many live. */
static unsigned scan(struct guest *g, unsigned *live, unsigned nlive)
{
    for (unsigned k = 0; k < nlive;) {
        unsigned before = nlive;
        nlive = check_one(g, live, nlive, k);
        k += nlive == before;        /* else live[k] is a new one: look */
    }
    return nlive;
}

/* Drain KEEL_DOMCTL_NEXT_ENDED and check only the guests it names; a full
 * scan if the hypervisor lost some (or does not know the command). */
static unsigned reap_ended(struct guest *g, unsigned *live, unsigned nlive)
{
    for (;;) {
        struct keel_domctl op = { .cmd = KEEL_DOMCTL_NEXT_ENDED };
        long rc = hc_domctl(&op);

        if (rc == -KEEL_ENOENT)
            return nlive;
        if (rc < 0)
            return scan(g, live, nlive);
        for (unsigned k = 0; k < nlive; k++)
            if (g[live[k]].domid == op.domid) {
                nlive = check_one(g, live, nlive, k);
                break;
            }
    }
}

static long dom_exc_port = -1;

void reap_watch(void)
{
    dom_exc_port = libos_evtchn_bind_virq(KEEL_VIRQ_DOM_EXC);
    if (dom_exc_port <= 0)
        hc_log("cannot bind VIRQ_DOM_EXC (%ld): polling the pending bit",
               dom_exc_port);
}

/* Until some domain has ended (or spuriously). */
static void wait_for_an_end(void)
{
    if (dom_exc_port > 0)
        libos_evtchn_wait((keel_evtchn_port_t)dom_exc_port, LIBOS_FOREVER);
    else
        hc_wait(KEEL_PENDING_DOMAIN);
}

int reap_all(struct guest *g, unsigned n)
{
    unsigned *live = malloc((n ? n : 1) * sizeof(*live)), nlive = 0;

    for (unsigned i = 0; live && i < n; i++)
        if (g[i].status == -1)
            live[nlive++] = i;
    if (!live) {
        hc_log("out of memory for the guest list");
        return KEEL_STATUS_MACHINE;
    }
    /* one full look, then only at the guests the hypervisor names */
    nlive = scan(g, live, nlive);
    for (bool first = true; nlive; first = false) {
        wait_for_an_end();
        /* every guest still running holds all it will hold (consoles
         * connected while we waited): what the run costs (bench/) */
        if (first)
            ctl_run_cost(g[live[nlive - 1]].domid);
        /* the bit is still set for old dom0s; keep it from piling up */
        hc_pending_take(KEEL_PENDING_DOMAIN);
        nlive = reap_ended(g, live, nlive);
    }
    free(live);
    for (unsigned i = 0; i < n; i++)
        if (g[i].status != 0)
            return g[i].status;
    return 0;
}
