/*
 * hv-share: KEEL_DOMCTL_MAP_MODULE (keel/domctl.h), as a raw dom0 with the
 * test guest (boot module 1).  Every bad argument changes nothing; a shared
 * range gives its frames back at once and none at DESTROY; a shared page is
 * never writable (SET_RIGHTS, MAP_FOREIGN, the guest itself, a hypercall's
 * output, a grant); the module's frames survive their guests, so guest
 * after guest runs from them.
 */
#include "tbuild.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

#define B     KEEL_GUEST_BASE
#define PAGE  4096ull
#define R     KEEL_RIGHT_R
#define W     KEEL_RIGHT_W
#define X     KEEL_RIGHT_X

static const struct keel_module *img;

static long mm(uint32_t domid, uint64_t gva, uint64_t n, uint32_t module,
               uint64_t offset, uint32_t rights)
{
    struct keel_domctl op;

    memset(&op, 0, sizeof(op));
    op.u.map_module.gva = gva;
    op.u.map_module.npages = n;
    op.u.map_module.module = module;
    op.u.map_module.offset = offset;
    op.u.map_module.rights = rights;
    return domctl(&op, KEEL_DOMCTL_MAP_MODULE, domid);
}

/* MAP_FOREIGN and at once UNMAP_FOREIGN: 0 or the error. */
static long foreign(uint32_t domid, uint64_t gva, uint64_t n)
{
    struct keel_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    op.u.map_foreign.gva = gva;
    op.u.map_foreign.npages = n;
    if ((rc = domctl(&op, KEEL_DOMCTL_MAP_FOREIGN, domid)))
        return rc;
    op.u.unmap_foreign.va = op.u.map_foreign.va;
    op.u.unmap_foreign.npages = n;
    return domctl(&op, KEEL_DOMCTL_UNMAP_FOREIGN, 0);
}


static void bad_arguments(void)
{
    uint64_t free0 = tbuild_free_frames(), mpages = img->bytes / PAGE;   /* whole */
    uint32_t d = tbuild_create(16, 0);

    CHECK(d > 0);
    uint64_t f1 = tbuild_free_frames();
    CHECK_EQ(mm(0, B, 1, 1, 0, R), -KEEL_EPERM);                 /* dom0 itself */
    CHECK_EQ(mm(KEEL_DOMID_SELF, B, 1, 1, 0, R), -KEEL_EPERM);
    CHECK_EQ(mm(0x7fff, B, 1, 1, 0, R), -KEEL_ESRCH);
    CHECK_EQ(mm(d, B, 1, 1, 0, R | W), -KEEL_EACCES);
    CHECK_EQ(mm(d, B, 1, 1, 0, R | W | X), -KEEL_EACCES);
    CHECK_EQ(mm(d, B, 1, 1, 0, W), -KEEL_EACCES);
    CHECK_EQ(mm(d, B, 1, 1, 0, 0), -KEEL_EINVAL);
    CHECK_EQ(mm(d, B, 1, 1, 0, X), -KEEL_EINVAL);
    CHECK_EQ(mm(d, B, 1, 1, 0, R | 8), -KEEL_EINVAL);
    CHECK_EQ(mm(d, B, 1, 2, 0, R), -KEEL_EINVAL);                /* no module 2 */
    CHECK_EQ(mm(d, B, 1, ~0u, 0, R), -KEEL_EINVAL);
    CHECK_EQ(mm(d, B, 1, 1, mpages, R), -KEEL_EINVAL);   /* partial last page, or past the end */
    CHECK_EQ(mm(d, B, 2, 1, mpages - 1, R), -KEEL_EINVAL);
    CHECK_EQ(mm(d, B, 2, 1, ~0ull, R), -KEEL_EINVAL);            /* wraps */
    CHECK_EQ(mm(d, B, ~0ull, 1, 1, R), -KEEL_EINVAL);
    CHECK_EQ(mm(d, B, 0, 1, 0, R), -KEEL_EINVAL);
    CHECK_EQ(mm(d, B + 1, 1, 1, 0, R), -KEEL_EINVAL);            /* unaligned */
    CHECK_EQ(mm(d, B - PAGE, 1, 1, 0, R), -KEEL_EINVAL);         /* below memory */
    CHECK_EQ(mm(d, KEEL_SHARED_INFO_VA, 1, 1, 0, R), -KEEL_EINVAL);
    CHECK_EQ(mm(d, B + 16 * PAGE, 1, 1, 0, R), -KEEL_EINVAL);    /* above it */
    CHECK_EQ(mm(d, B + 15 * PAGE, 2, 1, 0, R), -KEEL_EINVAL);
    CHECK_EQ(mm(d, ~0ull & ~(PAGE - 1), 1, 1, 0, R), -KEEL_EINVAL);
    CHECK_EQ(tbuild_free_frames(), f1);                          /* nothing moved */

    /* pages 1, 2 from module pages 0, 1: their two frames come back */
    CHECK_EQ(mm(d, B + PAGE, 2, 1, 0, R), 0);
    CHECK_EQ(tbuild_free_frames(), f1 + 2);
    CHECK_EQ(mm(d, B + PAGE, 2, 1, 0, R), -KEEL_EEXIST);         /* already */
    CHECK_EQ(mm(d, B, 2, 1, 0, R), -KEEL_EEXIST);                /* overlaps */
    CHECK_EQ(mm(d, B + 2 * PAGE, 2, 1, 0, R | X), -KEEL_EEXIST);
    CHECK_EQ(tbuild_free_frames(), f1 + 2);
    CHECK_EQ(foreign(d, B, 1), 0);                               /* page 0 kept */
    CHECK_EQ(foreign(d, B + 3 * PAGE, 1), 0);
    CHECK_EQ(foreign(d, B + PAGE, 1), -KEEL_EINVAL);             /* shared */
    CHECK_EQ(foreign(d, B, 4), -KEEL_EINVAL);
    CHECK_EQ(tbuild_set_rights(d, B + PAGE, 1, R | W), -KEEL_EACCES); /* never W */
    CHECK_EQ(tbuild_set_rights(d, B, 4, R | W), -KEEL_EACCES);
    CHECK_EQ(tbuild_set_rights(d, B + PAGE, 2, R | X), 0);
    CHECK_EQ(tbuild_set_rights(d, B + PAGE, 1, 0), 0);           /* a guard is fine */
    CHECK_EQ(tbuild_set_rights(d, B + PAGE, 1, R), 0);
    CHECK_EQ(tbuild_set_rights(d, B, 1, R | W), 0);              /* its own page */

    /* dom0 holding a foreign mapping of the target: busy */
    struct keel_domctl op;
    memset(&op, 0, sizeof(op));
    op.u.map_foreign.gva = B;
    op.u.map_foreign.npages = 1;
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_MAP_FOREIGN, d), 0);
    CHECK_EQ(mm(d, B + 8 * PAGE, 1, 1, 0, R), -KEEL_EBUSY);
    op.u.unmap_foreign.va = op.u.map_foreign.va;
    op.u.unmap_foreign.npages = 1;
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_UNMAP_FOREIGN, 0), 0);
    CHECK_EQ(mm(d, B + 8 * PAGE, 1, 1, 0, R), 0);
    CHECK_EQ(tbuild_free_frames(), f1 + 3);
    CHECK_EQ(tbuild_destroy(d), 0);
    CHECK_EQ(tbuild_free_frames(), free0);                       /* no more, no less */
}

/* Only before the first UNPAUSE: running, paused after running, ended. */
static void started_targets(void)
{
    struct keel_domain_info info;
    struct keel_domctl op;
    uint64_t free0 = tbuild_free_frames();
    long s = tbuild_start(img, "spin"), e = tbuild_start(img, "exit7");

    CHECK(s > 0 && e > 0);
    CHECK_EQ(mm((uint32_t)s, B, 1, 1, 0, R), -KEEL_EBUSY);
    memset(&op, 0, sizeof(op));
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_PAUSE, (uint32_t)s), 0);
    CHECK_EQ(mm((uint32_t)s, B, 1, 1, 0, R), -KEEL_EBUSY);
    CHECK_EQ(tbuild_wait((uint32_t)e, &info, 3000), 0);
    CHECK_EQ(mm((uint32_t)e, B, 1, 1, 0, R), -KEEL_EBUSY);
    CHECK_EQ(tbuild_destroy((uint32_t)s), 0);
    CHECK_EQ(tbuild_destroy((uint32_t)e), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

static long run(const char *mode, struct keel_domain_info *info)
{
    long d = tbuild_start(img, mode);

    outf("# shared guest mode %s\n", mode);
    CHECK(d > 0);
    if (d <= 0)
        return d;
    CHECK_EQ(tbuild_wait((uint32_t)d, info, 3000), 0);
    return d;
}

static long gnt(uint32_t cmd, uint64_t a1, uint64_t a2)
{
    return hc(KEEL_HC_GRANT_TABLE_OP, cmd, (long)a1, (long)a2);
}

static long gmap(uint32_t domid, uint32_t ref, uint16_t flags, struct keel_grant_map *m)
{
    memset(m, 0, sizeof(*m));
    m->domid = (keel_domid_t)domid;
    m->ref = ref;
    m->flags = flags;
    return gnt(KEEL_GNTOP_MAP, (uint64_t)m, 0);
}

/* The guest granted its shared rodata page (refs 0, 1) and a data page
 * (ref 2): the first is no grant anyone can use. */
static void grants(uint32_t d)
{
    struct keel_grant_map m;
    struct keel_grant_copy c;

    CHECK_EQ(gmap(d, 0, KEEL_GRANT_MAP_READONLY, &m), -KEEL_EINVAL);
    CHECK_EQ(gmap(d, 1, 0, &m), -KEEL_EINVAL);
    CHECK_EQ(gmap(d, 1, KEEL_GRANT_MAP_READONLY, &m), -KEEL_EINVAL);
    CHECK_EQ(gmap(d, 2, KEEL_GRANT_MAP_READONLY, &m), 0);
    CHECK_EQ(*(volatile uint64_t *)m.va, 0x5348);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, m.handle, 0), 0);
    static uint8_t buf[64];
    memset(&c, 0, sizeof(c));
    c.src.ref = 0;
    c.src.domid = (keel_domid_t)d;
    c.dst.gva = (uint64_t)buf;
    c.len = sizeof(buf);
    c.flags = KEEL_GRANT_COPY_SRC_GREF;
    CHECK_EQ(gnt(KEEL_GNTOP_COPY, (uint64_t)&c, 1), 1);
    CHECK_EQ(c.status, -KEEL_EINVAL);
}

static void shared_guests(void)
{
    struct keel_domain_info info;
    uint64_t free0 = tbuild_free_frames();

    /* what sharing saves: the shared pages, exactly.  One guest at a time,
     * each from the same state: the hypervisor's heap takes a slab page for
     * whichever guest finds the last one full, which would otherwise count
     * against one of the two. */
    tbuild_share_module = 0;
    long plain = tbuild_start(img, "spin");
    uint64_t cost_plain = free0 - tbuild_free_frames();
    CHECK_EQ(tbuild_destroy((uint32_t)plain), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
    tbuild_share_module = 1;
    tbuild_shared = 0;
    long sh = tbuild_start(img, "spin");
    uint64_t cost_shared = free0 - tbuild_free_frames();
    CHECK(plain > 0 && sh > 0);
    CHECK(tbuild_shared >= 2);                      /* text and ro's page */
    CHECK_EQ(cost_plain - cost_shared, tbuild_shared);
    outf("# a guest of %u pages: %lu frames copied, %lu shared\n", TGUEST_PAGES,
         (unsigned long)cost_plain, (unsigned long)tbuild_shared);
    CHECK_EQ(tbuild_destroy((uint32_t)sh), 0);
    CHECK_EQ(tbuild_free_frames(), free0);

    long d = run("exit7", &info);                   /* runs from the module */
    CHECK_EQ(info.state, KEEL_DOMSTATE_SHUTDOWN);
    CHECK_EQ(info.exit_code, 7);
    CHECK_EQ(tbuild_destroy((uint32_t)d), 0);
    d = run("shared", &info);
    CHECK_EQ(info.state, KEEL_DOMSTATE_SHUTDOWN);
    CHECK_EQ(info.exit_code, 0);
    grants((uint32_t)d);
    CHECK_EQ(tbuild_destroy((uint32_t)d), 0);
    /* dom0's first grant map gave it its grant window's page tables and
     * maptrack, which stay with dom0: count from here */
    free0 = tbuild_free_frames();
    d = run("textw", &info);
    CHECK_EQ(info.state, KEEL_DOMSTATE_CRASHED);
    CHECK_EQ(info.crash.vector, KEEL_CRASH_PF);
    CHECK(info.crash.error_code & 1);               /* protection */
    CHECK_EQ(tbuild_destroy((uint32_t)d), 0);
    d = run("rodataw", &info);
    CHECK_EQ(info.state, KEEL_DOMSTATE_CRASHED);
    CHECK_EQ(info.crash.vector, KEEL_CRASH_PF);
    CHECK(info.crash.error_code & 1);
    CHECK_EQ(tbuild_destroy((uint32_t)d), 0);
    /* the module's frames outlived four guests: a fifth still runs */
    d = run("exit7", &info);
    CHECK_EQ(info.exit_code, 7);
    CHECK_EQ(tbuild_destroy((uint32_t)d), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

/* Many create/share/destroy cycles: every frame comes back, none twice
 * (a module frame freed would panic the allocator's double-free check
 * or show up as extra free frames). */
#define CYCLES 300
static void cycles(void)
{
    uint64_t free0 = tbuild_free_frames();
    unsigned bad = 0;

    for (unsigned i = 0; i < CYCLES; i++) {
        uint32_t d = tbuild_create(16, 0);
        bad += !d || mm(d, B, 2, 1, 0, R | X) != 0 || tbuild_destroy(d) != 0;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    (void)entry_rsp;
    ktap_begin("hv-share");
    img = (const struct keel_module *)si->modules_va + 1;
    CHECK_EQ(si->nr_modules, 2);
    CHECK_EQ(tbuild_warm_up(), 0);
    bad_arguments();
    started_targets();
    shared_guests();
    cycles();
    ktap_end_poweroff();
}
