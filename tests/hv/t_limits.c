/*
 * hv-limits: everything a domain makes the hypervisor allocate is bounded
 * by the limits CREATE gave it and comes out of a reserve CREATE took
 * (keel/domctl.h), so hostile guests cannot starve anyone.
 *
 *   limits    bad limits are refused; GET_INFO reports the limits (defaults
 *             filled in) and the reserve; PHYSINFO's reserved_frames is
 *             the sum of what the domains have not taken of theirs
 *   granter   dom0 mapping a guest's grants makes the guest's records
 *             grow, not dom0's
 *   full      a machine filled with hogs (t_limits_guest.c "hog") until
 *             CREATE says -KEEL_ENOMEM, paused; two of them destroyed, so
 *             that one more guest fits; then the others do the worst they
 *             can (every grant, map and port the hypervisor gives them):
 *             each gets exactly its documented errors and takes exactly
 *             its reserve, and a benign guest created afterwards still
 *             creates, maps, grants and binds (before the limits, the
 *             hogs ate that room and it could not); at the end every frame
 *             and every reserved frame is back
 *   max       a hog with the largest limits the ABI allows fills exactly
 *             the reserve they call for
 */
#include "tbuild.h"
#include "t_evtchn_lib.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

#define PAGE 4096ull
#define MAX_HOGS 64
#define HOG_ROOM 24                   /* hogs the free memory is cut to hold */
#define BENIGN_MAGIC 0x42454e49474eull
#define DOM0_MAGIC   0x30304d41474943ull

static struct keel_grant_entry table[512] __attribute__((aligned(PAGE)));
static uint64_t page[PAGE / 8] __attribute__((aligned(PAGE)));
static const struct keel_module *img;

static long gnt(uint32_t cmd, uint64_t a1, uint64_t a2)
{
    return hc(KEEL_HC_GRANT_TABLE_OP, cmd, (long)a1, (long)a2);
}

static long create(uint64_t pages, struct keel_domain_limits l)
{
    struct keel_domctl op;
    long rc;

    memset(&op, 0, sizeof(op));
    op.u.create.mem_pages = pages;
    op.u.create.limits = l;
    rc = domctl(&op, KEEL_DOMCTL_CREATE, 0);
    return rc ? rc : op.domid;
}

static long destroy(uint32_t d)
{
    struct keel_domctl op;

    memset(&op, 0, sizeof(op));
    return domctl(&op, KEEL_DOMCTL_DESTROY, d);
}

static uint64_t untaken(uint32_t d)
{
    struct keel_domain_info i = tbuild_info(d);
    return i.hv_frames_max - i.hv_frames;
}

static void limits(void)
{
    struct keel_domain_limits big = { .grant_entries = KEEL_GRANT_MAX_ENTRIES,
                                      .grant_maps = KEEL_GRANT_MAX_MAPS,
                                      .evtchn_ports = KEEL_EVTCHN_PORTS - 1 };
    struct keel_domain_info i;
    uint64_t r0 = tbuild_physinfo().reserved_frames;
    long d;

    CHECK_EQ(create(4, (struct keel_domain_limits){ .grant_entries = KEEL_GRANT_MAX_ENTRIES + 1 }),
             -KEEL_EINVAL);
    CHECK_EQ(create(4, (struct keel_domain_limits){ .grant_maps = KEEL_GRANT_MAX_MAPS + 1 }),
             -KEEL_EINVAL);
    CHECK_EQ(create(4, (struct keel_domain_limits){ .evtchn_ports = KEEL_EVTCHN_PORTS }),
             -KEEL_EINVAL);
    CHECK_EQ(create(4, (struct keel_domain_limits){ .foreign_pages = 1 }), -KEEL_EINVAL);
    CHECK_EQ(create(4, (struct keel_domain_limits){ .dma_pages = KEEL_PCI_DMA_MAX_PAGES + 1 }),
             -KEEL_EINVAL);
    CHECK_EQ(create(4, (struct keel_domain_limits){ .mmio_pages = KEEL_PCI_MMIO_MAX_PAGES + 512 }),
             -KEEL_EINVAL);
    CHECK_EQ(create(4, (struct keel_domain_limits){ .mmio_pages = 4 }), -KEEL_EINVAL);
    CHECK_EQ(tbuild_physinfo().reserved_frames, r0);
    /* dom0: every port, map and reference, 64 MiB of foreign window, 8 MiB
     * of DMA pages, a BAR window of 16 tables (hv/common/dom0.c) */
    i = tbuild_info(0);
    CHECK(i.limits.grant_entries == KEEL_GRANT_MAX_ENTRIES &&
          i.limits.grant_maps == KEEL_GRANT_MAX_MAPS &&
          i.limits.evtchn_ports == KEEL_EVTCHN_PORTS - 1 && i.limits.foreign_pages == 16384);
    CHECK(i.limits.dma_pages == 2048 && i.limits.mmio_pages == 8192);
    CHECK_EQ(i.hv_frames_max, 2853);
    CHECK(i.hv_frames > 0 && i.hv_frames <= i.hv_frames_max);
    CHECK_EQ(r0, i.hv_frames_max - i.hv_frames);          /* only dom0 lives */
    /* a default guest reserves 9 frames and takes none until it acts */
    CHECK((d = create(4, (struct keel_domain_limits){ 0 })) > 0);
    i = tbuild_info((uint32_t)d);
    CHECK(i.limits.grant_entries == 512 && i.limits.grant_maps == 128 &&
          i.limits.evtchn_ports == 255 && i.limits.foreign_pages == 0 &&
          i.limits.dma_pages == 0 && i.limits.mmio_pages == 0);
    CHECK(i.hv_frames == 0 && i.hv_frames_max == 9);
    CHECK_EQ(tbuild_physinfo().reserved_frames, r0 + 9);
    CHECK_EQ(destroy((uint32_t)d), 0);
    CHECK((d = create(4, big)) > 0);
    CHECK_EQ(tbuild_info((uint32_t)d).hv_frames_max, keel_domain_hv_frames(&big));
    CHECK_EQ(tbuild_physinfo().reserved_frames, r0 + 49 + 513 + 130 + 48);
    CHECK_EQ(destroy((uint32_t)d), 0);
    CHECK_EQ(tbuild_physinfo().reserved_frames, r0);
}

static void grant_page(uint32_t ref, uint32_t to)
{
    table[ref].domid = (keel_domid_t)to;
    table[ref].page = (uint32_t)(((uint64_t)page - KEEL_GUEST_BASE) / PAGE);
    __asm__ volatile("" ::: "memory");
    table[ref].flags = KEEL_GTF_PERMIT;
}

static long map(uint32_t granter, uint32_t ref, struct keel_grant_map *m)
{
    memset(m, 0, sizeof(*m));
    m->domid = (keel_domid_t)granter;
    m->ref = ref;
    return gnt(KEEL_GNTOP_MAP, (uint64_t)m, 0);
}

/* The records of a grant in use are the granter's. */
static void granter(void)
{
    struct keel_domain_info i;
    struct keel_grant_map a, b;
    uint64_t dom0_before;
    long d = tbuild_start(img, "grant");

    CHECK(d > 0);
    CHECK_EQ(tbuild_wait((uint32_t)d, &i, 10000), 0);
    CHECK_EQ(i.exit_code, 0);
    CHECK_EQ(i.hv_frames, 0);                  /* a table costs no frame */
    CHECK_EQ(map((uint32_t)d, 1, &a), 0);
    CHECK_EQ(tbuild_info((uint32_t)d).hv_frames, 1);    /* chunk 0 of its records */
    dom0_before = tbuild_info(0).hv_frames;
    CHECK_EQ(map((uint32_t)d, 400, &b), 0);
    CHECK_EQ(tbuild_info((uint32_t)d).hv_frames, 2);    /* chunk 2, also its own */
    CHECK_EQ(tbuild_info(0).hv_frames, dom0_before);   /* dom0's handle: no frame */
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, a.handle, 0), 0);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, b.handle, 0), 0);
    CHECK_EQ(destroy((uint32_t)d), 0);
}

/* Free memory cut down to about HOG_ROOM hogs: one domain that takes the
 * rest, never run. */
static long ballast(void)
{
    struct keel_physinfo p = tbuild_physinfo();
    uint64_t room = p.free_frames - p.reserved_frames, keep = HOG_ROOM * 90ull;
    uint64_t pages = (room - keep - 64) / 257 * 256;

    return create(pages, (struct keel_domain_limits){ 0 });
}

/* Build hogs, paused, until CREATE refuses; their ids in hogs[]. */
static unsigned build_hogs(long *hogs)
{
    unsigned n = 0;
    long d;

    while (n < MAX_HOGS && (d = tbuild_prepare(img, "hog")) > 0)
        hogs[n++] = d;
    CHECK_EQ(d, -KEEL_ENOMEM);
    return n;
}

static void unpause_all(const long *hogs, unsigned n)
{
    struct keel_domctl op;
    unsigned bad = 0;

    for (unsigned k = 0; k < n; k++) {
        memset(&op, 0, sizeof(op));
        bad += domctl(&op, KEEL_DOMCTL_UNPAUSE, (uint32_t)hogs[k]) != 0;
    }
    CHECK_EQ(bad, 0);
}

/* Each hog ended with no surprise and holds exactly its reserve. */
static void check_hogs(const long *hogs, unsigned n)
{
    unsigned bad = 0, full = 0;

    for (unsigned k = 0; k < n; k++) {
        struct keel_domain_info i = { 0 };
        bad += tbuild_wait((uint32_t)hogs[k], &i, 20000) != 0 || i.exit_code != 0;
        full += i.hv_frames == 9 && i.hv_frames_max == 9;
        if (i.exit_code)
            outf("# hog %u (domain %ld): exit %d\n", k, hogs[k], i.exit_code);
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(full, n);
}

/* A benign guest in the room one hog left: everything it needs works. */
static void benign(void)
{
    struct keel_domain_info i;
    struct keel_grant_map m;
    long d = tbuild_start(img, "benign");

    CHECK(d > 0);
    if (d <= 0)
        return;
    page[0] = DOM0_MAGIC;
    grant_page(0, (uint32_t)d);
    CHECK_EQ(tbuild_wait((uint32_t)d, &i, 10000), 0);
    CHECK_EQ(i.exit_code, 0);
    CHECK_EQ(page[1], BENIGN_MAGIC);           /* it wrote through its map */
    CHECK_EQ(map((uint32_t)d, 5, &m), 0);      /* and granted us its page */
    CHECK_EQ(m.va ? *(volatile uint64_t *)m.va : 0, BENIGN_MAGIC);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, m.handle, 0), 0);
    CHECK_EQ(gnt(KEEL_GNTOP_END, 0, 0), 0);
    CHECK_EQ(destroy((uint32_t)d), 0);
}

static void full_machine(void)
{
    static long hogs[MAX_HOGS];
    struct keel_physinfo p0 = tbuild_physinfo(), p;
    uint64_t held;
    long b = ballast();
    unsigned n;

    CHECK(b > 0);
    n = build_hogs(hogs);
    outf("# %u hogs fill the machine\n", n);
    CHECK(n >= 4);
    /* room for one more guest, whatever the hypervisor's heap did */
    CHECK_EQ(destroy((uint32_t)hogs[--n]), 0);
    CHECK_EQ(destroy((uint32_t)hogs[--n]), 0);
    unpause_all(hogs, n);
    check_hogs(hogs, n);
    /* what the reserves still hold is exactly what the domains have not
     * taken of theirs */
    held = untaken(0) + untaken((uint32_t)b);
    for (unsigned k = 0; k < n; k++)
        held += untaken((uint32_t)hogs[k]);
    CHECK_EQ(tbuild_physinfo().reserved_frames, held);
    benign();
    for (unsigned k = 0; k < n; k++)
        CHECK_EQ(destroy((uint32_t)hogs[k]), 0);
    CHECK_EQ(destroy((uint32_t)b), 0);
    p = tbuild_physinfo();
    CHECK_EQ(p.free_frames, p0.free_frames);
    CHECK_EQ(p.reserved_frames, p0.reserved_frames);
}

/* The largest limits: the reserve they call for is what the hog fills. */
static void max_hog(void)
{
    struct keel_domain_limits big = { .grant_entries = KEEL_GRANT_MAX_ENTRIES,
                                      .grant_maps = KEEL_GRANT_MAX_MAPS,
                                      .evtchn_ports = KEEL_EVTCHN_PORTS - 1 };
    struct keel_domain_info i;
    long d;

    tbuild_limits = big;
    d = tbuild_start(img, "hog_max");
    tbuild_limits = (struct keel_domain_limits){ 0 };
    CHECK(d > 0);
    CHECK_EQ(tbuild_wait((uint32_t)d, &i, 60000), 0);
    CHECK_EQ(i.exit_code, 0);
    CHECK_EQ(i.hv_frames, keel_domain_hv_frames(&big));
    CHECK_EQ(i.hv_frames_max, keel_domain_hv_frames(&big));
    CHECK_EQ(destroy((uint32_t)d), 0);
}

/* dom0's own first map (its handle chunk, its window's tables) and the
 * first record of its table: frames it keeps, taken before anything is
 * counted. */
static void warm_up_grants(void)
{
    struct keel_grant_map m;

    grant_page(0, 0);
    CHECK_EQ(map(KEEL_DOMID_SELF, 0, &m), 0);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, m.handle, 0), 0);
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    (void)entry_rsp;
    ktap_begin("hv-limits");
    img = (const struct keel_module *)si->modules_va + 1;
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, (uint64_t)table, 512), 0);
    CHECK_EQ(tbuild_warm_up(), 0);
    warm_up_grants();
    limits();
    granter();
    full_machine();
    max_hog();
    ktap_end_poweroff();
}
