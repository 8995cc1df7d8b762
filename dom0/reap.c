/*
 * The wait loop (see reap.h) and the end of a guest.
 *
 * Live guests are kept as a compact list of indices, so a scan costs one
 * GET_INFO per guest still running, never per guest ever started.
 */
#include <stdio.h>
#include <stdlib.h>
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

static void report_crash(struct guest *g, const struct keel_crash_info *c)
{
    uint64_t pcs[BT_MAX_FRAMES];
    struct foreign_reader r;
    struct symtab st;

    symbols_load(&st, g->image, g->image_size);   /* none: raw addresses */
    foreign_reader_init(&r, g->domid, KEEL_GUEST_BASE,
                        KEEL_GUEST_BASE + g->info.note.mem_bytes);
    unsigned n = collect_frames(g, &st, &c->regs, &r, pcs);
    foreign_reader_done(&r);
    crash_report(g->mf->name, c, &st, pcs, n, emit_msg, g);
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
        report_crash(g, &info->crash);
        g->status = crash_status(&info->crash);
    }
    if (info)
        builder_destroy(g->domid);
    ctl_exit(g->idx, g->status);
}

/* GET_INFO each live guest; reap the ended ones.  Returns how many live. */
static unsigned scan(struct guest *g, unsigned *live, unsigned nlive)
{
    for (unsigned k = 0; k < nlive;) {
        struct guest *x = &g[live[k]];
        struct keel_domctl op = { .cmd = KEEL_DOMCTL_GET_INFO,
                                  .domid = x->domid };
        long rc = hc_domctl(&op);
        if (rc >= 0 && op.u.info.state != KEEL_DOMSTATE_SHUTDOWN &&
            op.u.info.state != KEEL_DOMSTATE_CRASHED) {
            k++;
            continue;
        }
        reap_one(x, rc >= 0 ? &op.u.info : NULL);
        live[k] = live[--nlive];
    }
    return nlive;
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
    while (nlive) {
        hc_pending_take(KEEL_PENDING_DOMAIN);
        nlive = scan(g, live, nlive);
        if (nlive)
            hc_wait(KEEL_PENDING_DOMAIN);
    }
    free(live);
    for (unsigned i = 0; i < n; i++)
        if (g[i].status != 0)
            return g[i].status;
    return 0;
}
