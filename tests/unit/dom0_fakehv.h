/*
 * A fake hypervisor for dom0's unit tests: the functions of dom0/hc.h,
 * implemented on the host.
 *
 * Domains are host buffers (pre-filled with 0xaa, so a test sees what the
 * builder forgot to write); MAP_FOREIGN hands out host pointers into them;
 * SET_RIGHTS keeps a byte per page; MAP_MODULE copies the module's bytes
 * from fake.module[] and marks the pages shared; CREATE with
 * KEEL_CREATE_ON_DEMAND backs no page until MEMORY_OP INCREASE does (MAP_FOREIGN then refuses
 * them, SET_RIGHTS refuses W on them).  It enforces what the real hypervisor
 * promises to enforce (ranges, W+X, no DESTROY while mapped) and can fail
 * the n-th call of any domctl on request.  Control lines are collected in
 * fake.ctl.
 */
#ifndef DOM0_FAKEHV_H
#define DOM0_FAKEHV_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <keel/keel.h>
#include <libos/event.h>
#include "../../dom0/hc.h"

#define FAKE_DOMS 8

struct fake_dom {
    int exists;
    uint8_t *mem;
    uint64_t pages;
    uint8_t *rights;
    uint8_t *shared;                    /* per page: from MAP_MODULE */
    uint8_t *backed;                    /* per page: has a frame (MEMORY_OP) */
    int unpaused;
    struct keel_vcpu_context vcpu;
    struct keel_domain_info info;
    struct keel_domain_limits limits;   /* as CREATE was given them */
    uint64_t stack_lo, stack_hi;        /* SET_STACK: backed on first touch */
};

static struct {
    struct fake_dom dom[FAKE_DOMS];     /* domid = index + 1 */
    int maps;                           /* live MAP_FOREIGN regions */
    uint64_t max_batch;
    unsigned calls[32];
    uint32_t fail_cmd;                  /* fail this cmd ... */
    unsigned fail_skip;                 /* ... after this many successes */
    long fail_rc;
    char ctl[16384];
    size_t ctl_len;
    unsigned console_writes;    /* control writes and log writes */
    uint64_t now, pending;
    void (*on_wait)(void);
    uint64_t free_frames;               /* PHYSINFO; 0: 4242 */
    uint64_t reserved_frames;           /* PHYSINFO: the live domains' reserves */
    const uint8_t *module[4];           /* MAP_MODULE's boot modules */
    uint64_t module_bytes[4];
    uint64_t shared_pages;              /* pages MAP_MODULE mapped */
} fake;

static void fake_reset(void)
{
    for (unsigned i = 0; i < FAKE_DOMS; i++) {
        free(fake.dom[i].mem);
        free(fake.dom[i].rights);
        free(fake.dom[i].shared);
        free(fake.dom[i].backed);
    }
    memset(&fake, 0, sizeof(fake));
}

static struct fake_dom *fake_dom(uint32_t domid)
{
    if (domid < 1 || domid > FAKE_DOMS || !fake.dom[domid - 1].exists)
        return NULL;
    return &fake.dom[domid - 1];
}

static int fake_range(struct fake_dom *d, uint64_t gva, uint64_t npages)
{
    return d && gva >= KEEL_GUEST_BASE && !(gva & 4095) && npages &&
           npages <= d->pages && (gva - KEEL_GUEST_BASE) / 4096 <= d->pages - npages;
}

static long fake_create(struct keel_domctl *op)
{
    for (unsigned i = 0; i < FAKE_DOMS; i++) {
        struct fake_dom *d = &fake.dom[i];
        if (d->exists)
            continue;
        free(d->mem);
        free(d->rights);
        free(d->shared);
        free(d->backed);
        memset(d, 0, sizeof(*d));
        d->pages = op->u.create.mem_pages;
        /* calloc: the host backs only the pages a test touches */
        d->mem = calloc(d->pages, 4096);
        d->rights = calloc(d->pages, 1);
        d->shared = calloc(d->pages, 1);
        d->backed = calloc(d->pages, 1);
        if (!(op->u.create.flags & KEEL_CREATE_ON_DEMAND)) {
            memset(d->mem, 0xaa, d->pages * 4096);
            memset(d->backed, 1, d->pages);
        }
        memset(d->rights, 0xff, d->pages);   /* "never set" */
        d->exists = 1;
        d->info.state = KEEL_DOMSTATE_PAUSED;
        d->limits = op->u.create.limits;
        fake.reserved_frames += keel_domain_hv_frames(&d->limits);
        op->domid = i + 1;
        return 0;
    }
    return -KEEL_ENOMEM;
}

/* Every page of the range backed by a frame? */
static int fake_all_backed(struct fake_dom *d, uint64_t gva, uint64_t npages)
{
    for (uint64_t p = 0; p < npages; p++)
        if (!d->backed[(gva - KEEL_GUEST_BASE) / 4096 + p])
            return 0;
    return 1;
}

/* KEEL_MEMORY_INCREASE for a guest being built: new pages are 0xaa, like
 * the rest, so a test sees what the builder forgot to write. */
long hc_memory_op(uint32_t cmd, struct keel_memory_op *op)
{
    struct fake_dom *d = fake_dom(op->domid);
    uint64_t p0;

    if (cmd != KEEL_MEMORY_INCREASE)
        return -KEEL_ENOSYS;
    if (!d)
        return -KEEL_ESRCH;
    if (!fake_range(d, op->gva, op->npages) || op->npages > KEEL_MEMORY_OP_MAX_PAGES)
        return -KEEL_EINVAL;
    p0 = (op->gva - KEEL_GUEST_BASE) / 4096;
    for (uint64_t p = 0; p < op->npages; p++)
        if (d->backed[p0 + p])
            return -KEEL_EEXIST;
    memset(d->mem + p0 * 4096, 0xaa, op->npages * 4096);
    memset(d->backed + p0, 1, op->npages);
    return 0;
}

/* Any page of the range shared from a module? */
static int fake_any_shared(struct fake_dom *d, uint64_t gva, uint64_t npages)
{
    for (uint64_t p = 0; p < npages; p++)
        if (d->shared[(gva - KEEL_GUEST_BASE) / 4096 + p])
            return 1;
    return 0;
}

static long fake_set_rights(struct keel_domctl *op, struct fake_dom *d)
{
    uint32_t r = op->u.set_rights.rights;

    if (!fake_range(d, op->u.set_rights.gva, op->u.set_rights.npages) ||
        ((r & KEEL_RIGHT_W) && (r & KEEL_RIGHT_X)) || r > 7)
        return -KEEL_EINVAL;
    if (!fake_all_backed(d, op->u.set_rights.gva, op->u.set_rights.npages))
        return -KEEL_ENOENT;
    if ((r & KEEL_RIGHT_W) &&
        fake_any_shared(d, op->u.set_rights.gva, op->u.set_rights.npages))
        return -KEEL_EACCES;
    memset(d->rights + (op->u.set_rights.gva - KEEL_GUEST_BASE) / 4096, (int)r,
           op->u.set_rights.npages);
    return 0;
}

static long fake_map(struct keel_domctl *op, struct fake_dom *d)
{
    if (!fake_range(d, op->u.map_foreign.gva, op->u.map_foreign.npages) ||
        !fake_all_backed(d, op->u.map_foreign.gva, op->u.map_foreign.npages) ||
        fake_any_shared(d, op->u.map_foreign.gva, op->u.map_foreign.npages))
        return -KEEL_EINVAL;
    op->u.map_foreign.va = (uint64_t)(uintptr_t)(d->mem +
                           (op->u.map_foreign.gva - KEEL_GUEST_BASE));
    if (op->u.map_foreign.npages > fake.max_batch)
        fake.max_batch = op->u.map_foreign.npages;
    fake.maps++;
    return 0;
}

/* MAP_MODULE as the hypervisor checks it; the module's bytes land in the
 * guest's buffer (what the guest would read) and the pages are marked. */
static long fake_map_module(struct keel_domctl *op, struct fake_dom *d)
{
    uint64_t gva = op->u.map_module.gva, n = op->u.map_module.npages;
    uint64_t off = op->u.map_module.offset;
    uint32_t m = op->u.map_module.module, r = op->u.map_module.rights;

    if (!d)
        return -KEEL_ESRCH;
    if (d->unpaused)
        return -KEEL_EBUSY;
    if (r & KEEL_RIGHT_W)
        return -KEEL_EACCES;
    if (!(r & KEEL_RIGHT_R) || r > 7 || m >= 4 || !fake.module[m] ||
        !fake_range(d, gva, n) || off > (fake.module_bytes[m] + 4095) / 4096 ||
        n > (fake.module_bytes[m] + 4095) / 4096 - off)
        return -KEEL_EINVAL;
    if (fake_any_shared(d, gva, n))
        return -KEEL_EEXIST;
    uint64_t p0 = (gva - KEEL_GUEST_BASE) / 4096;
    for (uint64_t p = 0; p < n; p++) {
        uint64_t at = (off + p) * 4096, len = fake.module_bytes[m] - at;
        memset(d->mem + (p0 + p) * 4096, 0, 4096);
        memcpy(d->mem + (p0 + p) * 4096, fake.module[m] + at, len < 4096 ? len : 4096);
        d->shared[p0 + p] = 1;
        d->rights[p0 + p] = (uint8_t)r;
    }
    fake.shared_pages += n;
    return 0;
}

/* KEEL_DOMCTL_NEXT_ENDED's queue: tests push with fake_note_ended();
 * fake_ended_on = 0 answers -KEEL_ENOSYS (an old hypervisor). */
static uint32_t fake_ended[16];
static unsigned fake_ended_head, fake_ended_tail, fake_ended_on;

static inline void fake_note_ended(uint32_t domid)
{
    fake_ended[fake_ended_tail++ % 16] = domid;
}

static long fake_next_ended(struct keel_domctl *op)
{
    if (!fake_ended_on)
        return -KEEL_ENOSYS;
    if (fake_ended_head == fake_ended_tail)
        return -KEEL_ENOENT;
    op->domid = fake_ended[fake_ended_head++ % 16];
    return 0;
}

long hc_domctl(struct keel_domctl *op)
{
    struct fake_dom *d = fake_dom(op->domid);

    if (op->cmd < 32)
        fake.calls[op->cmd]++;
    if (op->cmd == fake.fail_cmd && fake.fail_skip-- == 0)
        return fake.fail_rc;
    switch (op->cmd) {
    case KEEL_DOMCTL_CREATE:      return fake_create(op);
    case KEEL_DOMCTL_MAP_FOREIGN: return fake_map(op, d);
    case KEEL_DOMCTL_UNMAP_FOREIGN: fake.maps--; return 0;
    case KEEL_DOMCTL_SET_RIGHTS:  return fake_set_rights(op, d);
    case KEEL_DOMCTL_SET_VCPU:
        if (!d) return -KEEL_ESRCH;
        d->vcpu = op->u.vcpu;
        return 0;
    case KEEL_DOMCTL_UNPAUSE:
        if (!d) return -KEEL_ESRCH;
        d->unpaused = 1;
        d->info.state = KEEL_DOMSTATE_RUNNING;
        return 0;
    case KEEL_DOMCTL_GET_INFO:
        if (!d) return -KEEL_ESRCH;
        op->u.info = d->info;
        return 0;
    case KEEL_DOMCTL_DESTROY:
        if (!d) return -KEEL_ESRCH;
        if (fake.maps) return -KEEL_EBUSY;
        d->exists = 0;
        fake.reserved_frames -= keel_domain_hv_frames(&d->limits);
        return 0;
    case KEEL_DOMCTL_NEXT_ENDED:  return fake_next_ended(op);
    case KEEL_DOMCTL_MAP_MODULE:  return fake_map_module(op, d);
    case KEEL_DOMCTL_SET_STACK:
        if (!d) return -KEEL_ESRCH;
        if (!fake_range(d, op->u.set_stack.gva, op->u.set_stack.npages)) return -KEEL_EINVAL;
        d->stack_lo = op->u.set_stack.gva;
        d->stack_hi = op->u.set_stack.gva + op->u.set_stack.npages * 4096;
        return 0;
    case KEEL_DOMCTL_PHYSINFO:
        op->u.physinfo.nr_cpus = 2;
        op->u.physinfo.free_frames = fake.free_frames ? fake.free_frames : 4242;
        op->u.physinfo.reserved_frames = fake.reserved_frames;
        return 0;
    default:
        return -KEEL_ENOSYS;
    }
}

long hc_console_write(uint32_t stream, const void *buf, size_t len)
{
    fake.console_writes++;
    if (stream == KEEL_CONSOLE_CONTROL && len < sizeof(fake.ctl) - fake.ctl_len) {
        memcpy(fake.ctl + fake.ctl_len, buf, len);
        fake.ctl_len += len;
        fake.ctl[fake.ctl_len] = '\0';
    }
    return (long)len;
}

void hc_wait(uint64_t mask)
{
    if (!(fake.pending & mask) && fake.on_wait)
        fake.on_wait();
}

uint64_t hc_pending_take(uint64_t mask)
{
    uint64_t got = fake.pending & mask;

    fake.pending &= ~mask;
    return got;
}

uint64_t hc_now_ns(void) { return fake.now += 1000; }

/* dom0 is domain 0 */
const struct keel_start_info *hc_start_info(void)
{
    static const struct keel_start_info si;
    return &si;
}

/* no backend took a port in these tests: the builder closes it */
libos_evtchn_handler_t libos_evtchn_get_handler(keel_evtchn_port_t port, void **arg)
{
    (void)port;
    *arg = NULL;
    return NULL;
}

/* dom0/channel.c's privileged ALLOC_UNBOUND: ports counted from 1. */
long hc_evtchn_alloc_in(uint32_t owner, uint32_t remote)
{
    static long next;
    (void)owner;
    (void)remote;
    return ++next;
}

long hc_evtchn_close(uint32_t port)
{
    (void)port;
    return 0;
}

/* one line of dom0's log: one console write */
void hc_log(const char *fmt, ...)
{
    (void)fmt;
    fake.console_writes++;
}
void hc_log_lines(const char *text, size_t len)
{
    (void)text;
    (void)len;
    fake.console_writes++;
}

#endif /* DOM0_FAKEHV_H */
