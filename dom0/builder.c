/*
 * The domain builder (see builder.h for the sequence).
 *
 * The image is validated completely before CREATE, so a hostile image costs
 * no hypervisor resources at all.  After CREATE every step that can fail
 * leads to one exit path that destroys the domain; foreign mappings never
 * outlive the step that made them (foreign.c), so DESTROY cannot find the
 * domain busy.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/abi.h>
#include <keel/start_info.h>
#include <keel/launch.h>
#include <libos/event.h>
#include "admit.h"
#include "builder.h"
#include "channel.h"
#include "console.h"
#include "ctl.h"
#include "devpage.h"
#include "disk.h"
#include "foreign.h"
#include "hc.h"
#include "hosts.h"
#include "layout.h"
#include "net.h"
#include "share.h"

#define PAGE      KEEL_PAGE_SIZE
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(uint64_t)(PAGE - 1))

static long domctl(uint32_t cmd, uint32_t domid, struct keel_domctl *op)
{
    op->cmd = cmd;
    op->domid = domid;
    return hc_domctl(op);
}

static int reject(struct guest *g, const char *why)
{
    ctl_msg(g->idx, "%s: %s", g->mf->name, why);
    g->status = KEEL_STATUS_REJECTED;
    ctl_exit(g->idx, g->status);
    return -1;
}

/* Device modules, in one place: each adds its entries (plan, before the
 * layout) and learns the new domain (connect, after CREATE). */
static int devices_plan(struct guest *g)
{
    return console_plan(g) || net_plan(g) || disk_plan(g) || chan_plan(g);
}

/* One port of dom0's per guest, for every device dom0 serves
 * (keel/device.h): its number goes into each of their entries.  If no
 * backend took it, nothing will close it but us. */
static long devices_connect(struct guest *g)
{
    uint16_t self = (uint16_t)hc_start_info()->domid;
    struct keel_device_page *p = &g->dev->page;
    long rc;
    void *arg;

    for (uint32_t i = 0; i < p->nr_devices; i++)
        if (p->dev[i].role == KEEL_DEV_GRANTER && p->dev[i].peer_domid == self) {
            if (!g->port) {
                if ((rc = hc_evtchn_alloc_in(KEEL_DOMID_SELF, g->domid)) < 0)
                    return rc;
                g->port = (uint32_t)rc;
            }
            p->dev[i].port = g->port;
        }
    if (!g->port)
        return 0;
    if (((rc = console_connect(g)) < 0 || (rc = net_connect(g)) < 0 ||
         (rc = disk_connect(g)) < 0) &&
        !libos_evtchn_get_handler((keel_evtchn_port_t)g->port, &arg))
        hc_evtchn_close(g->port);
    return rc;
}

/* Backends let go of the domain first: the console drains what the guest
 * wrote before it ended, so no byte is lost and `exit` comes after it. */
void builder_destroy(uint32_t domid)
{
    struct keel_domctl op = { 0 };

    console_detach(domid);
    net_detach(domid);
    disk_detach(domid);
    long rc = domctl(KEEL_DOMCTL_DESTROY, domid, &op);

    if (rc >= 0)
        admit_destroyed();
    else
        hc_log("destroying domain %u failed: %s (%ld)", domid,
               ctl_strerror(rc), rc);
}

/* Frames for the guest's pages [va, end), in calls the hypervisor allows. */
static long back_pages(const struct guest *g, uint64_t va, uint64_t end)
{
    while (va < end) {
        uint64_t n = (end - va) / PAGE;
        struct keel_memory_op op = {
            .gva = va, .domid = (keel_domid_t)g->domid,
            .npages = n < KEEL_MEMORY_OP_MAX_PAGES ? n : KEEL_MEMORY_OP_MAX_PAGES,
        };
        long rc = hc_memory_op(KEEL_MEMORY_INCREASE, &op);
        if (rc < 0)
            return rc;
        va += op.npages * PAGE;
    }
    return 0;
}

/* The whole stack is backed on first touch (keel/domctl.h); the guard
 * page below it stays outside, so an overflow still faults. */
static long set_stack(const struct guest *g, const struct layout *l)
{
    struct keel_domctl op = { 0 };

    op.u.set_stack.gva = l->stack_top - l->stack_bytes;
    op.u.set_stack.npages = l->stack_bytes / PAGE;
    return domctl(KEEL_DOMCTL_SET_STACK, g->domid, &op);
}

/* What the guest needs to reach main (layout_regions): the rest of its
 * heap it asks for itself, the rest of its stack the hypervisor backs
 * when it first touches it. */
static long back_memory(const struct guest *g, const struct layout *l)
{
    long rc = back_pages(g, l->mem_base, l->heap_backed);

    if (rc >= 0)
        rc = back_pages(g, l->stack_backed, l->stack_top);
    return rc < 0 ? rc : set_stack(g, l);
}

/* Pages [first, end) of segment s copied from the image (gaps zeroed). */
static long copy_pages(const struct guest *g, const struct image_seg *s,
                       uint64_t first, uint64_t end)
{
    return foreign_load(g->domid, first, end, s->vaddr,
                        (const uint8_t *)g->image + s->offset, s->filesz);
}

static long share_pages(const struct guest *g, const struct share_run *r)
{
    struct keel_domctl op = { 0 };

    op.u.map_module.gva = r->gva;
    op.u.map_module.npages = r->npages;
    op.u.map_module.offset = r->offset;
    op.u.map_module.module = g->mf->module;
    op.u.map_module.rights = r->rights;
    return domctl(KEEL_DOMCTL_MAP_MODULE, g->domid, &op);
}

/* Each segment's pages: the run share.h allows is mapped from the boot
 * module (one MAP_MODULE), the pages around it are copied.  Should the
 * hypervisor refuse the run (an older one: -KEEL_ENOSYS), it is copied
 * too, so the guest sees the same bytes either way. */
static long build_segments(const struct guest *g)
{
    for (unsigned i = 0; i < g->info.nsegs; i++) {
        const struct image_seg *s = &g->info.seg[i];
        uint64_t first = s->vaddr & ~(uint64_t)(PAGE - 1);
        uint64_t end = PAGE_UP(s->vaddr + s->memsz);
        struct share_run r;
        long rc;

        if (!share_run(&g->info, i, &r)) {
            rc = copy_pages(g, s, first, end);
        } else {
            uint64_t r_end = r.gva + r.npages * PAGE;
            if ((rc = copy_pages(g, s, first, r.gva)) >= 0 &&
                share_pages(g, &r) < 0)
                rc = copy_pages(g, s, r.gva, r_end);
            if (rc >= 0)
                rc = copy_pages(g, s, r_end, end);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void fill_start_info(const struct guest *g, const struct layout *l,
                            uint32_t nr_cpus, struct keel_start_info *si)
{
    memset(si, 0, sizeof(*si));
    memcpy(si->magic, KEEL_START_MAGIC, sizeof(si->magic));
    si->abi_version = KEEL_ABI_VERSION;
    si->domid = g->domid;
    si->nr_cpus = nr_cpus;
    si->mem_base = l->mem_base;
    si->mem_bytes = l->mem_bytes;
    si->heap_start = l->heap_start;
    si->heap_end = l->heap_end;
    si->heap_backed = l->heap_backed;
    si->stack_top = l->stack_top;
    si->stack_bytes = l->stack_bytes;
    si->shared_info_va = KEEL_SHARED_INFO_VA;
    si->args_va = l->args_va;
    si->args_bytes = l->args_bytes;
    si->argc = g->mf->argc;
    si->envc = g->mf->envc;
    si->device_page_va = l->dev_va;
    si->hosts_va = l->hosts_va;
    si->hosts_bytes = l->hosts_pages * PAGE;
}

/* Start info and the argument strings, as one block at si_va. */
static long write_start_info(const struct guest *g, const struct layout *l,
                             uint32_t nr_cpus)
{
    uint64_t len = l->args_va - l->si_va + l->args_bytes;
    uint8_t *buf = malloc(len);

    if (!buf)
        return -KEEL_ENOMEM;
    fill_start_info(g, l, nr_cpus, (struct keel_start_info *)buf);
    memset(buf + sizeof(struct keel_start_info), 0,
           l->args_va - l->si_va - sizeof(struct keel_start_info));
    memcpy(buf + (l->args_va - l->si_va), g->mf->args, l->args_bytes);
    long rc = foreign_load(g->domid, l->si_va, PAGE_UP(l->si_va + len),
                           l->si_va, buf, len);
    free(buf);
    return rc;
}

/* The device page, and the ring pages after it zeroed: a zeroed page is
 * KEEL_CONN_UNKNOWN on both ends. */
static long write_devpage(const struct guest *g, const struct layout *l)
{
    if (!l->dev_va)
        return 0;
    return foreign_load(g->domid, l->dev_va,
                        l->rings_va + l->ring_pages * PAGE, l->dev_va,
                        &g->dev->page, sizeof(g->dev->page));
}

static long set_rights(const struct guest *g, const struct layout *l)
{
    struct region r[LAYOUT_MAX_REGIONS];
    unsigned n = layout_regions(&g->info, l, r);

    for (unsigned i = 0; i < n; i++) {
        struct keel_domctl op = { 0 };
        op.u.set_rights.gva = r[i].gva;
        op.u.set_rights.npages = r[i].npages;
        op.u.set_rights.rights = r[i].rights;
        long rc = domctl(KEEL_DOMCTL_SET_RIGHTS, g->domid, &op);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static long set_vcpu(const struct guest *g, const struct layout *l)
{
    struct keel_domctl op = { 0 };

    op.u.vcpu.rip = g->info.entry;
    op.u.vcpu.rsp = l->stack_top;
    op.u.vcpu.rdi = l->si_va;
    return domctl(KEEL_DOMCTL_SET_VCPU, g->domid, &op);
}

/* The floor the build time is compared with: a plain memcpy of the same
 * loadable bytes inside dom0.  The scratch buffer is kept across guests, and
 * the empty asm that "reads" it keeps the compiler from dropping the copy. */
static uint8_t *builder_scratch;
static uint64_t scratch_bytes;

static uint64_t copy_floor_ns(const struct guest *g)
{
    if (g->info.load_bytes > scratch_bytes) {
        free(builder_scratch);
        scratch_bytes = 0;
        if (!(builder_scratch = malloc(g->info.load_bytes)))
            return 0;
        scratch_bytes = g->info.load_bytes;
    }
    uint64_t t0 = hc_now_ns(), at = 0;
    for (unsigned i = 0; i < g->info.nsegs; i++) {
        const struct image_seg *s = &g->info.seg[i];
        memcpy(builder_scratch + at, (const uint8_t *)g->image + s->offset,
               s->filesz);
        at += s->filesz;
    }
    __asm__ volatile("" : : "r"(builder_scratch) : "memory");
    return hc_now_ns() - t0;
}

/* Timestamps of one build, for the `timing` line and dom0's log (a held
 * guest's release knows only create and ready: the others are 0). */
struct build_times {
    uint64_t create, created, populated, ready;
};

/* `start` and `timing` of a guest that was just unpaused, and note in
 * dom0's log (ctl_started: two console writes in all). */
static void report_started(const struct guest *g, const struct build_times *b,
                           const char *note)
{
    struct ctl_timing t = {
        .create_ns = b->create, .main_ready_ns = b->ready,
        .created_ns = b->created, .unpause_ns = b->populated,
        .copy_ns = copy_floor_ns(g), .image_bytes = g->info.load_bytes,
        .mem_bytes = g->info.note.mem_bytes, .free_frames = ctl_free_frames(),
    };

    ctl_started(g->idx, g->domid, &t, note);
}

/* Everything between CREATE and UNPAUSE; the caller destroys on failure. */
static long populate(struct guest *g, const struct layout *l, uint32_t nr_cpus,
                     const char **step)
{
    long rc;

    if ((*step = "backing memory", rc = back_memory(g, l)) < 0 ||
        (*step = "connecting devices", rc = devices_connect(g)) < 0 ||
        (*step = "loading segments", rc = build_segments(g)) < 0 ||
        (*step = "mapping the hosts table", rc = hosts_map(g, l->hosts_va)) < 0 ||
        (*step = "writing start info", rc = write_start_info(g, l, nr_cpus)) < 0 ||
        (*step = "writing the device page", rc = write_devpage(g, l)) < 0 ||
        (*step = "setting page rights", rc = set_rights(g, l)) < 0 ||
        (*step = "setting the vCPU", rc = set_vcpu(g, l)) < 0)
        return rc;
    return 0;
}

/* CREATE .. UNPAUSE.  Nothing is written to the console in between: a
 * console write costs more than several of these steps together. */
static long run_domain(struct guest *g, const struct layout *l,
                       uint32_t nr_cpus, struct build_times *t,
                       const char **step)
{
    struct keel_domctl op = { 0 };

    op.u.create.mem_pages = l->mem_bytes / PAGE;
    op.u.create.flags = KEEL_CREATE_ON_DEMAND;
    devpage_limits(g->dev, &op.u.create.limits);
    *step = "creating the domain";
    t->create = hc_now_ns();
    long rc = domctl(KEEL_DOMCTL_CREATE, 0, &op);
    if (rc < 0)
        return rc;
    g->domid = op.domid;
    admit_created();
    t->created = hc_now_ns();
    if ((rc = populate(g, l, nr_cpus, step)) >= 0) {
        t->populated = hc_now_ns();
        t->ready = t->populated;
        if (g->hold)
            return 0;           /* builder_release unpauses (channel.h) */
        *step = "unpausing";
        rc = domctl(KEEL_DOMCTL_UNPAUSE, g->domid, &op);
        t->ready = hc_now_ns();
    }
    if (rc < 0)
        builder_destroy(g->domid);
    return rc;
}

/* Checks and plans everything before CREATE; g->dev is set on success. */
static int plan(struct guest *g, struct layout *l, char *why, size_t len)
{
    struct keel_domain_limits limits;

    if (image_check(g->image, g->image_size, 0, KEEL_IMAGE_PRIVILEGED,
                    &g->info, why, len))
        return -1;
    if (g->max_mem)                  /* the run's word over the image's */
        g->info.note.mem_bytes = g->max_mem;
    if (!(g->dev = malloc(sizeof(*g->dev)))) {
        snprintf(why, len, "out of memory for the device page");
        return -1;
    }
    devpage_init(g->dev);
    if (devices_plan(g)) {
        snprintf(why, len, "too many devices for one device page");
        return -1;
    }
    if (layout_plan_dev(&g->info, g->mf->args_bytes, 1, g->dev->ring_pages,
                        hosts_pages(g), l, why, len))
        return -1;
    devpage_place(g->dev, l->rings_va);
    devpage_limits(g->dev, &limits);
    /* the hosts table's pages too: CREATE gives it frames for them, which
     * sharing the table frees at once (hosts.h) */
    return admit_memory(layout_start_bytes(l), &limits, why, len);
}

/* Why a step failed, and what to do about it when there is something. */
static void explain(const char *step, long rc, char *why, size_t len)
{
    int n = snprintf(why, len, "%s failed: %s (%ld)", step, ctl_strerror(rc), rc);

    if (n < 0 || (size_t)n >= len)
        return;
    if (rc == -KEEL_ENOMEM && !strcmp(step, "creating the domain"))
        snprintf(why + n, len - (size_t)n, ": raise keel run --mem");
    else if (rc == -KEEL_ENOSPC && !strcmp(step, "connecting devices"))
        snprintf(why + n, len - (size_t)n, ": dom0 has no event channel port "
                 "or grant page left for its console or NIC (at most %d guests "
                 "at once)", KEEL_LAUNCH_MAX_GUESTS);
}

int builder_start(struct guest *g, uint32_t nr_cpus)
{
    char why[IMAGE_MSG_MAX + 64];
    struct build_times t;
    struct layout l;
    const char *step;

    g->status = -1;
    if (plan(g, &l, why, sizeof(why))) {
        free(g->dev);
        g->dev = NULL;
        return reject(g, why);
    }
    long rc = run_domain(g, &l, nr_cpus, &t, &step);
    if (rc >= 0 && g->hold) {
        g->dev_va = l.dev_va;   /* g->dev stays until builder_release */
        g->create_ns = t.create;
        return 0;
    }
    free(g->dev);
    g->dev = NULL;
    if (rc < 0) {
        explain(step, rc, why, sizeof(why));
        return reject(g, why);
    }
    /* The guest may already have printed: the launcher holds the records of
     * a domain until `start` names its guest. */
    snprintf(why, sizeof(why), "guest %d: domain %u, %" PRIu64 " KiB, entry "
             "0x%" PRIx64 ": create %" PRIu64 " us, load %" PRIu64 " us, "
             "start %" PRIu64 " us", g->idx, g->domid,
             g->info.note.mem_bytes >> 10, g->info.entry,
             (t.created - t.create) / 1000, (t.populated - t.created) / 1000,
             (t.ready - t.populated) / 1000);
    report_started(g, &t, why);
    return 0;
}

/* A held guest: its final device page (channel entries complete), then
 * UNPAUSE.  Only the device page is rewritten; its rings stay zeroed. */
int builder_release(struct guest *g)
{
    struct keel_domctl op = { 0 };
    char why[96];
    long rc = foreign_load(g->domid, g->dev_va, g->dev_va + PAGE, g->dev_va,
                           &g->dev->page, sizeof(g->dev->page));
    const char *step = "writing the device page";

    if (rc >= 0 && (step = "unpausing",
                    rc = domctl(KEEL_DOMCTL_UNPAUSE, g->domid, &op)) >= 0) {
        struct build_times t = { .create = g->create_ns, .ready = hc_now_ns() };
        report_started(g, &t, NULL);
    }
    free(g->dev);
    g->dev = NULL;
    g->hold = false;
    if (rc >= 0)
        return 0;
    builder_destroy(g->domid);
    snprintf(why, sizeof(why), "%s failed: %s (%ld)", step, ctl_strerror(rc), rc);
    return reject(g, why);
}
