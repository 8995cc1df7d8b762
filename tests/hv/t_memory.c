/*
 * hv-memory: KEEL_HC_MEMORY_OP (keel/memory.h) from a raw dom0, on guests
 * created KEEL_CREATE_ON_DEMAND.  Every bad argument is refused and changes
 * nothing; frames come and go exactly (PHYSINFO's free frames and GET_INFO's
 * mem_frames); a domain that grows until the machine is full gets
 * -KEEL_ENOMEM and harms nobody (a benign guest still starts and runs);
 * a frame dom0 maps or a domain that has run cannot be taken; and every
 * frame is back after DESTROY, over many cycles.
 */
#include "tbuild.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

#define B     KEEL_GUEST_BASE
#define PAGE  4096ull
#define INC   KEEL_MEMORY_INCREASE
#define DEC   KEEL_MEMORY_DECREASE
#define PROT  KEEL_MEMORY_PROTECT
#define R     KEEL_RIGHT_R
#define RW    (KEEL_RIGHT_R | KEEL_RIGHT_W)

static long mop_rights(uint32_t cmd, uint32_t domid, uint64_t gva, uint64_t n, uint16_t rights)
{
    struct keel_memory_op op;

    memset(&op, 0, sizeof(op));
    op.gva = gva;
    op.npages = n;
    op.domid = (keel_domid_t)domid;
    op.rights = rights;
    return hc(KEEL_HC_MEMORY_OP, cmd, (long)&op, 0);
}

static long mop(uint32_t cmd, uint32_t domid, uint64_t gva, uint64_t n)
{
    return mop_rights(cmd, domid, gva, n, 0);
}

static long prot(uint32_t domid, uint64_t gva, uint64_t n, uint16_t rights)
{
    return mop_rights(PROT, domid, gva, n, rights);
}


static uint64_t frames_of(uint32_t d)
{
    return tbuild_info(d).mem_frames;
}

static void bad_arguments(void)
{
    uint64_t free0 = tbuild_free_frames();
    uint32_t d = tbuild_create(64, KEEL_CREATE_ON_DEMAND);
    struct keel_memory_op op;

    CHECK(d > 0);
    CHECK_EQ(frames_of(d), 0);
    uint64_t f1 = tbuild_free_frames();
    CHECK_EQ(tbuild_create(64, 2), 0);                                 /* unknown flag */
    CHECK_EQ(mop(0, d, B, 1), -KEEL_ENOSYS);
    CHECK_EQ(mop(4, d, B, 1), -KEEL_ENOSYS);
    CHECK_EQ(mop(INC, d, B + 1, 1), -KEEL_EINVAL);              /* unaligned */
    CHECK_EQ(mop(INC, d, B + 2048, 1), -KEEL_EINVAL);
    CHECK_EQ(mop(INC, d, B - PAGE, 1), -KEEL_EINVAL);           /* below its memory */
    CHECK_EQ(mop(INC, d, KEEL_SHARED_INFO_VA, 1), -KEEL_EINVAL);
    CHECK_EQ(mop(INC, d, B + 64 * PAGE, 1), -KEEL_EINVAL);      /* past its maximum */
    CHECK_EQ(mop(INC, d, B + 63 * PAGE, 2), -KEEL_EINVAL);
    CHECK_EQ(mop(INC, d, B, 65), -KEEL_EINVAL);
    CHECK_EQ(mop(INC, d, B, 0), -KEEL_EINVAL);
    CHECK_EQ(mop(INC, d, B, KEEL_MEMORY_OP_MAX_PAGES + 1), -KEEL_EINVAL);
    CHECK_EQ(mop(INC, d, B, ~0ull), -KEEL_EINVAL);              /* huge counts */
    CHECK_EQ(mop(INC, d, B, 1ull << 52), -KEEL_EINVAL);
    CHECK_EQ(mop(INC, d, ~0ull & ~(PAGE - 1), 1), -KEEL_EINVAL);  /* would wrap */
    CHECK_EQ(mop(INC, d, KEEL_GRANT_WINDOW_VA, 1), -KEEL_EINVAL);
    CHECK_EQ(mop(DEC, d, B, 1), -KEEL_EINVAL);                  /* nothing backed */
    CHECK_EQ(mop(INC, 0x7fff, B, 1), -KEEL_ESRCH);
    CHECK_EQ(mop(INC, KEEL_DOMID_SELF, B, 1), -KEEL_EEXIST);    /* dom0: all backed */
    memset(&op, 0, sizeof(op));
    op.gva = B; op.npages = 1; op.domid = (keel_domid_t)d; op.pad = 1;
    CHECK_EQ(hc(KEEL_HC_MEMORY_OP, INC, (long)&op, 0), -KEEL_EINVAL);
    op.pad = 0; op.rights = KEEL_RIGHT_R;                       /* rights: PROTECT only */
    CHECK_EQ(hc(KEEL_HC_MEMORY_OP, INC, (long)&op, 0), -KEEL_EINVAL);
    CHECK_EQ(hc(KEEL_HC_MEMORY_OP, INC, 0, 0), -KEEL_EFAULT);
    CHECK_EQ(hc(KEEL_HC_MEMORY_OP, INC, (long)KEEL_USER_VA_END - 8, 0), -KEEL_EFAULT);
    CHECK_EQ(frames_of(d), 0);
    CHECK_EQ(tbuild_free_frames(), f1);                         /* nothing changed */
    /* backing and giving back, exactly; twice the same page: -EEXIST */
    CHECK_EQ(mop(INC, d, B, 64), 0);
    CHECK_EQ(frames_of(d), 64);
    CHECK_EQ(mop(INC, d, B + 10 * PAGE, 1), -KEEL_EEXIST);
    CHECK_EQ(mop(DEC, d, B + 8 * PAGE, 8), 0);
    CHECK_EQ(frames_of(d), 56);
    CHECK_EQ(mop(DEC, d, B + 8 * PAGE, 1), -KEEL_EINVAL);       /* given back already */
    CHECK_EQ(mop(INC, d, B, 16), -KEEL_EEXIST);                 /* all or nothing */
    CHECK_EQ(frames_of(d), 56);
    CHECK_EQ(mop(INC, d, B + 8 * PAGE, 8), 0);
    CHECK_EQ(frames_of(d), 64);
    CHECK_EQ(tbuild_destroy(d), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

/* A frame dom0 maps cannot go; nor a page shared from a boot module
 * (not the guest's own). */
static void busy_pages(const struct keel_module *img)
{
    uint64_t free0 = tbuild_free_frames();
    uint32_t d = tbuild_create(64, KEEL_CREATE_ON_DEMAND);
    struct keel_domctl op;

    CHECK(d > 0);
    CHECK_EQ(mop(INC, d, B, 64), 0);
    memset(&op, 0, sizeof(op));
    op.u.map_foreign.gva = B + 4 * PAGE;
    op.u.map_foreign.npages = 2;
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_MAP_FOREIGN, d), 0);
    CHECK_EQ(mop(DEC, d, B + 5 * PAGE, 1), -KEEL_EBUSY);
    CHECK_EQ(mop(DEC, d, B + 40 * PAGE, 1), -KEEL_EBUSY);       /* any page, while mapped */
    op.u.unmap_foreign.va = op.u.map_foreign.va;
    op.u.unmap_foreign.npages = 2;
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_UNMAP_FOREIGN, 0), 0);
    CHECK_EQ(mop(DEC, d, B + 5 * PAGE, 1), 0);
    /* MAP_MODULE swaps in a module page: not the guest's frame to give */
    memset(&op, 0, sizeof(op));
    op.u.map_module.gva = B;
    op.u.map_module.npages = 1;
    op.u.map_module.module = 1;
    op.u.map_module.rights = KEEL_RIGHT_R;
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_MAP_MODULE, d), 0);
    CHECK_EQ(mop(DEC, d, B, 2), -KEEL_EINVAL);
    CHECK_EQ(frames_of(d), 62);
    CHECK_EQ(tbuild_destroy(d), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
    (void)img;
}

/* Once a guest has run, only it changes its memory. */
static void started_guest(const struct keel_module *img)
{
    long d = tbuild_start(img, "spin");

    CHECK(d > 0);
    CHECK_EQ(mop(INC, (uint32_t)d, B, 1), -KEEL_EBUSY);
    CHECK_EQ(mop(DEC, (uint32_t)d, B, 1), -KEEL_EBUSY);
    CHECK_EQ(prot((uint32_t)d, B, 1, R), -KEEL_EBUSY);
    CHECK_EQ(tbuild_destroy((uint32_t)d), 0);
}

/* One domain grows until the machine has nothing left for it: -ENOMEM,
 * a floor stays for the hypervisor, a benign guest still starts and
 * runs to its end, and DESTROY gives everything back. */
static void machine_full(const struct keel_module *img)
{
    uint64_t free0 = tbuild_free_frames(), range = 1ull << 20;   /* 4 GiB of range */
    uint32_t d = tbuild_create(range, KEEL_CREATE_ON_DEMAND);
    uint64_t got = 0;
    long rc = 0;

    CHECK(d > 0);
    while (got + KEEL_MEMORY_OP_MAX_PAGES <= range &&
           !(rc = mop(INC, d, B + got * PAGE, KEEL_MEMORY_OP_MAX_PAGES)))
        got += KEEL_MEMORY_OP_MAX_PAGES;
    CHECK_EQ(rc, -KEEL_ENOMEM);
    while (!(rc = mop(INC, d, B + got * PAGE, 1)))              /* to the last frame */
        got++;
    CHECK_EQ(rc, -KEEL_ENOMEM);
    CHECK_EQ(frames_of(d), got);
    struct keel_physinfo pi = tbuild_physinfo();
    CHECK(pi.free_frames - pi.reserved_frames >= 256);          /* the floor */
    outf("# grew to %lu frames; %lu free, %lu reserved\n", got, pi.free_frames,
         pi.reserved_frames);
    /* the benign guest: builds, runs, ends */
    struct keel_domain_info info;
    long g = tbuild_start(img, "exit7");
    CHECK(g > 0);
    CHECK_EQ(tbuild_wait((uint32_t)g, &info, 20000), 0);
    CHECK_EQ(info.exit_code, 7);
    CHECK_EQ(tbuild_destroy((uint32_t)g), 0);
    /* freeing some lets it grow again (less a page table's margin) */
    CHECK_EQ(mop(DEC, d, B, 1024), 0);
    CHECK_EQ(frames_of(d), got - 1024);
    CHECK_EQ(mop(INC, d, B, 512), 0);
    CHECK_EQ(tbuild_destroy(d), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

static long set_rights(uint32_t d, uint64_t gva, uint32_t rights)
{
    struct keel_domctl op;

    memset(&op, 0, sizeof(op));
    op.u.set_rights.gva = gva;
    op.u.set_rights.npages = 1;
    op.u.set_rights.rights = rights;
    return domctl(&op, KEEL_DOMCTL_SET_RIGHTS, d);
}

/* PROTECT only ever lowers (or gives back) the rights of read-write pages
 * the domain owns, all or nothing; lowered pages behave under DECREASE
 * and INCREASE. */
static void protect_checks(void)
{
    uint64_t free0 = tbuild_free_frames();
    uint32_t d = tbuild_create(64, KEEL_CREATE_ON_DEMAND);
    struct keel_domctl op;

    CHECK(d > 0);
    CHECK_EQ(mop(INC, d, B, 16), 0);
    CHECK_EQ(prot(d, B + 1, 1, R), -KEEL_EINVAL);               /* unaligned */
    CHECK_EQ(prot(d, B - PAGE, 1, R), -KEEL_EINVAL);            /* below its memory */
    CHECK_EQ(prot(d, B + 64 * PAGE, 1, R), -KEEL_EINVAL);       /* past its maximum */
    CHECK_EQ(prot(d, KEEL_SHARED_INFO_VA, 1, R), -KEEL_EINVAL);
    CHECK_EQ(prot(d, KEEL_GRANT_WINDOW_VA, 1, R), -KEEL_EINVAL);
    CHECK_EQ(prot(d, B, 0, R), -KEEL_EINVAL);
    CHECK_EQ(prot(d, B, KEEL_MEMORY_OP_MAX_PAGES + 1, R), -KEEL_EINVAL);
    CHECK_EQ(prot(d, B, ~0ull, R), -KEEL_EINVAL);               /* huge counts */
    CHECK_EQ(prot(d, B, 1, KEEL_RIGHT_W), -KEEL_EINVAL);        /* write-only */
    CHECK_EQ(prot(d, B, 1, R | KEEL_RIGHT_X), -KEEL_EINVAL);    /* never exec */
    CHECK_EQ(prot(d, B, 1, 8), -KEEL_EINVAL);
    CHECK_EQ(prot(d, B + 16 * PAGE, 1, R), -KEEL_EINVAL);       /* unbacked */
    CHECK_EQ(prot(d, B + 15 * PAGE, 2, R), -KEEL_EINVAL);       /* half unbacked */
    CHECK_EQ(mop_rights(INC, d, B + 20 * PAGE, 1, R), -KEEL_EINVAL);  /* rights: PROTECT only */
    CHECK_EQ(mop_rights(DEC, d, B, 1, R), -KEEL_EINVAL);
    /* lower, remove, give back: rw pages only */
    CHECK_EQ(prot(d, B, 4, R), 0);
    CHECK_EQ(prot(d, B, 4, R), 0);
    CHECK_EQ(prot(d, B + 2 * PAGE, 2, 0), 0);
    CHECK_EQ(prot(d, B, 4, RW), 0);
    /* text (r-x), read-only data (r--), a guard page (---): never changed */
    CHECK_EQ(set_rights(d, B + 5 * PAGE, R | KEEL_RIGHT_X), 0);
    CHECK_EQ(set_rights(d, B + 6 * PAGE, R), 0);
    CHECK_EQ(set_rights(d, B + 7 * PAGE, 0), 0);
    CHECK_EQ(prot(d, B + 5 * PAGE, 1, RW), -KEEL_EINVAL);       /* raising text */
    CHECK_EQ(prot(d, B + 5 * PAGE, 1, R), -KEEL_EINVAL);
    CHECK_EQ(prot(d, B + 6 * PAGE, 1, RW), -KEEL_EINVAL);       /* raising rodata */
    CHECK_EQ(prot(d, B + 7 * PAGE, 1, RW), -KEEL_EINVAL);
    CHECK_EQ(prot(d, B + 4 * PAGE, 2, R), -KEEL_EINVAL);        /* all or nothing */
    /* a lowered page SET_RIGHTS made text forgets it was read-write */
    CHECK_EQ(prot(d, B + 8 * PAGE, 1, R), 0);
    CHECK_EQ(set_rights(d, B + 8 * PAGE, R | KEEL_RIGHT_X), 0);
    CHECK_EQ(prot(d, B + 8 * PAGE, 1, RW), -KEEL_EINVAL);
    /* a module page shared read-only: not the guest's to change */
    memset(&op, 0, sizeof(op));
    op.u.map_module.gva = B + 12 * PAGE;
    op.u.map_module.npages = 1;
    op.u.map_module.module = 1;
    op.u.map_module.rights = KEEL_RIGHT_R;
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_MAP_MODULE, d), 0);
    CHECK_EQ(prot(d, B + 12 * PAGE, 1, R), -KEEL_EINVAL);
    CHECK_EQ(prot(d, B + 12 * PAGE, 1, RW), -KEEL_EINVAL);
    /* lowered pages: INCREASE -EEXIST, DECREASE gives them back */
    uint64_t f = frames_of(d);
    CHECK_EQ(prot(d, B + 9 * PAGE, 2, 0), 0);
    CHECK_EQ(mop(INC, d, B + 9 * PAGE, 1), -KEEL_EEXIST);
    CHECK_EQ(mop(DEC, d, B + 9 * PAGE, 2), 0);
    CHECK_EQ(frames_of(d), f - 2);
    CHECK_EQ(mop(INC, d, B + 9 * PAGE, 2), 0);
    CHECK_EQ(prot(d, B + 9 * PAGE, 2, R), 0);                   /* fresh rw pages */
    CHECK_EQ(tbuild_destroy(d), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

/* dom0's own pages: its text and start info are not read-write; its grant
 * table and a page a grant pins cannot change; a read-only page cannot
 * be granted writable. */
static struct keel_grant_entry gtable[512] __attribute__((aligned(4096)));
static uint8_t page[PAGE] __attribute__((aligned(4096)));

static long self_map(uint32_t ref, uint16_t flags, uint32_t *handle)
{
    struct keel_grant_map m;
    long rc;

    memset(&m, 0, sizeof(m));
    m.domid = KEEL_DOMID_SELF;
    m.ref = ref;
    m.flags = flags;
    rc = hc(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_MAP, (long)&m, 0);
    *handle = m.handle;
    return rc;
}

static void protect_self(const struct keel_start_info *si)
{
    uint64_t text = (uint64_t)test_main & ~(PAGE - 1), pg = (uint64_t)page;
    uint32_t h;

    CHECK_EQ(prot(KEEL_DOMID_SELF, text, 1, RW), -KEEL_EINVAL);
    CHECK_EQ(prot(KEEL_DOMID_SELF, text, 1, R), -KEEL_EINVAL);
    CHECK_EQ(prot(KEEL_DOMID_SELF, (uint64_t)si & ~(PAGE - 1), 1, RW), -KEEL_EINVAL);
    CHECK_EQ(hc(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_SETUP, (long)gtable, 512), 0);
    CHECK_EQ(prot(KEEL_DOMID_SELF, (uint64_t)gtable, 1, R), -KEEL_EBUSY);
    gtable[1].domid = 0;
    gtable[1].page = (uint32_t)((pg - B) / PAGE);
    __asm__ volatile("" ::: "memory");
    gtable[1].flags = KEEL_GTF_PERMIT;
    CHECK_EQ(self_map(1, 0, &h), 0);
    CHECK_EQ(prot(KEEL_DOMID_SELF, pg, 1, R), -KEEL_EBUSY);     /* pinned */
    CHECK_EQ(hc(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_UNMAP, h, 0), 0);
    CHECK_EQ(prot(KEEL_DOMID_SELF, pg, 1, R), 0);
    CHECK_EQ(self_map(1, 0, &h), -KEEL_EACCES);                 /* writable: no */
    CHECK_EQ(self_map(1, KEEL_GRANT_MAP_READONLY, &h), 0);
    CHECK_EQ(hc(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_UNMAP, h, 0), 0);
    CHECK_EQ(prot(KEEL_DOMID_SELF, pg, 1, RW), 0);
    page[0] = 1;                                                /* writable again */
    CHECK_EQ(hc(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_END, 1, 0), 0);
}

/* The page tables INCREASE makes are the guest's: GET_INFO's hv_frames
 * and hv_frames_max count them beside the reserve of its limits, as many
 * as its range can need (keel_memory_tables) once it is all backed, none
 * twice, none for a refused call, all back at DESTROY. */
static void tables_charged(void)
{
    uint64_t free0 = tbuild_free_frames(), range = 4096 + 100;    /* 9 PTs */
    uint32_t d = tbuild_create(range, KEEL_CREATE_ON_DEMAND);
    struct keel_domain_info i = tbuild_info(d);
    uint64_t reserve = i.hv_frames_max;

    CHECK(d > 0);
    CHECK(i.hv_frames == 0 && reserve == keel_domain_hv_frames(&i.limits));
    CHECK_EQ(keel_memory_tables(range), 9);
    CHECK_EQ(mop(INC, d, B + 600 * PAGE, 1), 0);                /* PT 1 */
    i = tbuild_info(d);
    CHECK(i.hv_frames == 1 && i.hv_frames_max == reserve + 1);
    CHECK_EQ(mop(INC, d, B + 600 * PAGE, 1), -KEEL_EEXIST);
    CHECK_EQ(mop(INC, d, B + 1000 * PAGE, 1024), 0);            /* PTs 2 .. 3 */
    CHECK_EQ(tbuild_info(d).hv_frames, 3);
    for (uint64_t at = 0; at < range; at += 1024) {
        uint64_t n = range - at < 1024 ? range - at : 1024;
        mop(INC, d, B + at * PAGE, n);                          /* around what is there */
        for (uint64_t p = at; p < at + n; p++)
            mop(INC, d, B + p * PAGE, 1);
    }
    i = tbuild_info(d);
    CHECK(i.mem_frames == range && i.hv_frames == 9 && i.hv_frames_max == reserve + 9);
    CHECK_EQ(mop(DEC, d, B, 1024), 0);
    CHECK_EQ(mop(INC, d, B, 1024), 0);                          /* its tables stayed */
    CHECK_EQ(tbuild_info(d).hv_frames, 9);
    CHECK_EQ(tbuild_destroy(d), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

/* Free frames no reserve holds. */
static uint64_t room(void)
{
    struct keel_physinfo pi = tbuild_physinfo();

    return pi.free_frames - pi.reserved_frames;
}

/* The filler f (holding pages [B, B + *got pages)) takes or gives back
 * frames until `left` are free and unreserved (a call may take up to two
 * page tables beyond its pages, which stay). */
static void fill_to(uint32_t f, uint64_t *got, uint64_t left)
{
    unsigned bad = 0;
    uint64_t r;

    while ((r = room()) < left && *got) {
        uint64_t n = left - r < *got ? left - r : *got;
        n = n < KEEL_MEMORY_OP_MAX_PAGES ? n : KEEL_MEMORY_OP_MAX_PAGES;
        *got -= n;
        bad += mop(DEC, f, B + *got * PAGE, n) != 0;
    }
    while ((r = room()) > left) {
        uint64_t n = r - left > 3 ? r - left - 2 : 1;
        n = n < KEEL_MEMORY_OP_MAX_PAGES ? n : KEEL_MEMORY_OP_MAX_PAGES;
        bad += mop(INC, f, B + *got * PAGE, n) != 0;
        *got += n;
    }
    CHECK_EQ(bad, 0);
}

/* Guests on both CPUs grow, 1024 pages a call, at once until refused,
 * starting at the same moment where two such calls fit, but only one
 * above the floor.  INCREASE checks and takes in one step, so one of the
 * two is refused there and together they stop above the floor, which
 * the hypervisor keeps for itself (before, both could pass the check
 * before either had taken anything: 1024 frames into the floor).  Each
 * gets a clean -ENOMEM and holds every page it was given, the tables it
 * made are charged to it, the hypervisor still builds and runs a guest,
 * and every frame comes back.  Whether two CPUs really meet depends on
 * the host's scheduling of QEMU's threads (on a busy 2-core host about
 * one round in sixteen): hence the rounds. */
#define GROWERS  4
#define ROUNDS   32
#define START_NS 120000000ull                   /* time to build them and fill */
#define HEADROOM (2 * KEEL_MEMORY_OP_MAX_PAGES + 100)   /* two calls fit, not the floor */
/* GROWERS guests, half on each CPU, to start growing at now + START_NS
 * from a machine with HEADROOM free and unreserved frames; whether they
 * are running before that moment (else they start one by one). */
static unsigned start_growers(const struct keel_module *img, uint32_t filler, uint64_t *filled,
                              long d[GROWERS])
{
    uint64_t start = now_ns() + START_NS;
    char mode[] = "grow:0000000000000000";

    for (uint64_t t = start, k = 0; k < 16; k++, t >>= 4)
        mode[20 - k] = "0123456789abcdef"[t & 15];
    tbuild_range_pages = 1ull << 20;                            /* 4 GiB each */
    for (unsigned i = 0; i < GROWERS; i++) {
        d[i] = tbuild_prepare(img, mode);
        CHECK(d[i] > 0);
        CHECK_EQ(tbuild_set_affinity((uint32_t)d[i], i % 2), 0);
    }
    tbuild_range_pages = 0;
    fill_to(filler, filled, HEADROOM);
    for (unsigned i = 0; i < GROWERS; i++) {
        struct keel_domctl op;
        CHECK_EQ(domctl(&op, KEEL_DOMCTL_UNPAUSE, (uint32_t)d[i]), 0);
    }
    return now_ns() + START_NS / 8 < start;
}

static unsigned race_once(const struct keel_module *img, uint32_t filler, uint64_t *filled)
{
    struct keel_domain_info info;
    uint64_t all = 0, left;
    long d[GROWERS];
    unsigned on_time = start_growers(img, filler, filled, d);

    for (unsigned i = 0; i < GROWERS; i++) {
        CHECK_EQ(tbuild_wait((uint32_t)d[i], &info, 60000), 0);
        CHECK(info.state == KEEL_DOMSTATE_SHUTDOWN && info.exit_code == 0);
        CHECK_EQ(info.hv_frames, keel_memory_tables(info.mem_frames));  /* one run from B */
        CHECK_EQ(info.hv_frames_max, keel_domain_hv_frames(&info.limits) + info.hv_frames);
        all += info.mem_frames - TGUEST_PAGES;
    }
    left = room();
    if (left < KEEL_MEMORY_FLOOR_FRAMES || !on_time)
        outf("# %u guests grew by %lu frames at once from %lu; %lu left no reserve holds\n",
             GROWERS, all, (uint64_t)HEADROOM, left);
    CHECK(left >= KEEL_MEMORY_FLOOR_FRAMES);
    CHECK(left < KEEL_MEMORY_FLOOR_FRAMES + KEEL_MEMORY_OP_MAX_PAGES + 3);   /* refused */
    long g = tbuild_start(img, "exit7");                        /* out of the floor */
    CHECK(g > 0);
    CHECK_EQ(tbuild_wait((uint32_t)g, &info, 20000), 0);
    CHECK_EQ(info.exit_code, 7);
    CHECK_EQ(tbuild_destroy((uint32_t)g), 0);
    for (unsigned i = 0; i < GROWERS; i++)
        CHECK_EQ(tbuild_destroy((uint32_t)d[i]), 0);
    return on_time;
}

static void racing_growers(const struct keel_module *img)
{
    uint64_t free0 = tbuild_free_frames(), filled = 0;
    uint32_t filler = tbuild_create(1ull << 20, KEEL_CREATE_ON_DEMAND);
    unsigned on_time = 0;

    CHECK(filler > 0);
    fill_to(filler, &filled, HEADROOM + 1024);         /* the growers' start, and more */
    for (unsigned r = 0; r < ROUNDS; r++)
        on_time += race_once(img, filler, &filled);
    outf("# %u of %u rounds started on time\n", on_time, ROUNDS);
    CHECK(on_time > 0);
    CHECK_EQ(tbuild_destroy(filler), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

#define CYCLES 200
static void cycles(void)
{
    uint64_t free0 = tbuild_free_frames();
    unsigned bad = 0;

    for (unsigned i = 0; i < CYCLES; i++) {
        uint32_t d = tbuild_create(4096, KEEL_CREATE_ON_DEMAND);
        uint64_t at = B + (i % 6) * 512 * PAGE;
        bad += !d;
        bad += mop(INC, d, at, 600) != 0;
        bad += mop(DEC, d, at + PAGE, 300) != 0;
        bad += mop(INC, d, B + 4095 * PAGE, 1) != 0;
        bad += tbuild_destroy(d) != 0;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    const struct keel_module *img = (const struct keel_module *)si->modules_va + 1;

    (void)entry_rsp;
    ktap_begin("hv-memory");
    CHECK_EQ(si->nr_modules, 2);
    CHECK_EQ(tbuild_warm_up(), 0);
    bad_arguments();
    busy_pages(img);
    started_guest(img);
    protect_checks();
    protect_self(si);
    machine_full(img);
    tables_charged();
    racing_growers(img);
    cycles();
    ktap_end_poweroff();
}
