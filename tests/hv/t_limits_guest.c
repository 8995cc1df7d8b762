/*
 * The guest half of hv-limits (tests/hv/t_limits.c is dom0).  argv[1]:
 *
 *   hog       created with the default limits: do the worst it can to the
 *             hypervisor's memory (the biggest grant table it takes, a
 *             record for every reference of it, maps and ports until the
 *             hypervisor says no) and check that each limit ends in its
 *             documented error, no sooner and no later; exit(number of
 *             surprises) with all of it still held
 *   hog_max   the same, created with the largest limits the ABI allows
 *   benign    what a guest needs to run: map a page dom0 granted it (ref
 *             0, read-write), set up a table and grant dom0 a page (ref
 *             5), offer dom0 a port, bind VIRQ_TIMER; exit(surprises)
 *   grant     set up a table, grant dom0 ref 1 and ref 400 of it, exit(0):
 *             dom0's maps of them make this domain's records grow
 */
#include "t_evtchn_lib.h"

TEST_NOTE(0, 256 << 10, 16 << 10);

#define PAGE 4096
#define BENIGN_MAGIC 0x42454e49474eull
#define DOM0_MAGIC   0x30304d41474943ull

static struct keel_grant_entry table[KEEL_GRANT_MAX_ENTRIES] __attribute__((aligned(PAGE)));
static uint64_t page[PAGE / 8] __attribute__((aligned(PAGE)));
static keel_domid_t my_id;

struct hog_limits {
    uint32_t entries, maps, ports;
};

static long gnt(uint32_t cmd, uint64_t a1, uint64_t a2)
{
    return hc(KEEL_HC_GRANT_TABLE_OP, cmd, (long)a1, (long)a2);
}

static void grant(uint32_t ref, keel_domid_t to)
{
    table[ref].domid = to;
    table[ref].page = (uint32_t)(((uint64_t)page - KEEL_GUEST_BASE) / PAGE);
    __asm__ volatile("" ::: "memory");     /* x86 TSO: stores stay in order */
    table[ref].flags = KEEL_GTF_PERMIT;
}

static long map(keel_domid_t granter, uint32_t ref, struct keel_grant_map *m)
{
    memset(m, 0, sizeof(*m));
    m->domid = granter;
    m->ref = ref;
    return gnt(KEEL_GNTOP_MAP, (uint64_t)m, 0);
}

/* The biggest table the hypervisor takes (its limit, not the ABI's
 * maximum, unless they agree), every reference granted to itself. */
static uint32_t hog_table(const struct hog_limits *l, int *bad)
{
    uint32_t n = KEEL_GRANT_MAX_ENTRIES;
    long rc = gnt(KEEL_GNTOP_SETUP, (uint64_t)table, n);

    *bad += expect(rc, l->entries < n ? -KEEL_ENOSPC : 0);
    if (rc && l->entries < n) {
        *bad += expect(gnt(KEEL_GNTOP_SETUP, (uint64_t)table, l->entries + 1), -KEEL_ENOSPC);
        *bad += expect(gnt(KEEL_GNTOP_SETUP, (uint64_t)table, n = l->entries), 0);
    }
    for (uint32_t ref = 0; ref < n; ref++)
        grant(ref, my_id);
    return n;
}

/* A record for every reference of the table, whatever the hypervisor's
 * chunks: a copy out of each pins it for a moment, and records stay. */
static int hog_records(uint32_t entries)
{
    static struct keel_grant_copy c[KEEL_GRANT_COPY_MAX];
    int bad = 0;

    for (uint32_t ref = 0; ref < entries; ) {
        uint32_t n = 0;
        for (; n < KEEL_GRANT_COPY_MAX && ref < entries; n++, ref++) {
            memset(&c[n], 0, sizeof(c[n]));
            c[n].flags = KEEL_GRANT_COPY_SRC_GREF;
            c[n].src.domid = KEEL_DOMID_SELF;
            c[n].src.ref = ref;
            c[n].dst.gva = (uint64_t)&page[1];
            c[n].len = 8;
        }
        bad += expect(gnt(KEEL_GNTOP_COPY, (uint64_t)c, n), 0);
    }
    return bad;
}

/* Maps until the hypervisor says no: exactly the limit, then -ENOSPC. */
static int hog_maps(const struct hog_limits *l)
{
    struct keel_grant_map m;
    uint32_t maps = 0;
    long rc = 0;
    int bad = 0;

    while (maps <= KEEL_GRANT_WINDOW_PAGES && (rc = map(KEEL_DOMID_SELF, 1, &m)) == 0)
        maps++;
    bad += expect(maps, l->maps) + expect(rc, -KEEL_ENOSPC);
    if (maps != l->maps)
        return bad;
    bad += expect(map(KEEL_DOMID_SELF, 2, &m), -KEEL_ENOSPC);
    /* one unmapped: one more map, in the same handle */
    bad += expect(gnt(KEEL_GNTOP_UNMAP, l->maps - 1, 0), 0);
    bad += expect(map(KEEL_DOMID_SELF, 2, &m), 0);
    bad += expect(m.handle, l->maps - 1);
    return bad;
}

/* Ports past its limit but inside the 12288-port space (dom0's size): a
 * domain's bitmap is only as long as its limit, so each is "not in use",
 * never a look past the bitmap; past the space, out of range. */
static int poke_past_limit(const struct hog_limits *l)
{
    const uint32_t ports[] = { l->ports + 1, 4095, 4096, 10000, KEEL_EVTCHN_PORTS - 1 };
    struct keel_evtchn_op st;
    int bad = 0;

    for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        if (ports[i] <= l->ports || ports[i] >= KEEL_EVTCHN_PORTS)
            continue;
        bad += expect(ev_send(ports[i]), -KEEL_ENOENT);
        bad += expect(ev_close(ports[i]), -KEEL_ENOENT);
        bad += expect(ev_unmask(ports[i]), -KEEL_ENOENT);
        bad += expect(ev_status(ports[i], &st), -KEEL_ENOENT);
    }
    bad += expect(ev_send(KEEL_EVTCHN_PORTS), -KEEL_EINVAL);
    bad += expect(ev_status(KEEL_EVTCHN_PORTS, &st), -KEEL_EINVAL);
    return bad;
}

/* Ports until the hypervisor says no: exactly the limit, then -ENOSPC for
 * every kind of port. */
static int hog_ports(const struct hog_limits *l)
{
    uint32_t ports = 0;
    long rc = 0;
    int bad = 0;

    while (ports < KEEL_EVTCHN_PORTS && (rc = ev_alloc(KEEL_DOMID_SELF)) > 0)
        ports++;
    bad += expect(ports, l->ports) + expect(rc, -KEEL_ENOSPC);
    if (ports != l->ports)
        return bad;
    bad += expect(ev_alloc(0), -KEEL_ENOSPC);
    bad += expect(ev_virq(KEEL_VIRQ_TIMER), -KEEL_ENOSPC);
    bad += expect(ev_close(l->ports), 0);
    bad += expect(ev_virq(KEEL_VIRQ_TIMER), l->ports);
    return bad + poke_past_limit(l);
}

/* Everything full: a copy between two of its grants still works. */
static int hog_copy(void)
{
    struct keel_grant_copy c;

    memset(&c, 0, sizeof(c));
    c.flags = KEEL_GRANT_COPY_SRC_GREF | KEEL_GRANT_COPY_DST_GREF;
    c.src.domid = c.dst.domid = KEEL_DOMID_SELF;
    c.src.ref = 3;
    c.dst.ref = 4;
    c.dst.offset = 16;
    c.len = 8;
    page[0] = BENIGN_MAGIC;
    return expect(gnt(KEEL_GNTOP_COPY, (uint64_t)&c, 1), 0) +
           expect(c.status, 0) + expect(page[2], BENIGN_MAGIC);
}

static int hog(const struct hog_limits *l)
{
    int bad = 0;
    uint32_t entries = hog_table(l, &bad);

    return bad + hog_records(entries) + hog_maps(l) + hog_ports(l) + hog_copy();
}

static int benign(void)
{
    struct keel_grant_map m;
    int bad = 0;

    if (expect(map_dom0(0, 0, &m), 0))
        return 100;
    bad += expect(*(volatile uint64_t *)m.va, DOM0_MAGIC);
    *(volatile uint64_t *)(m.va + 8) = BENIGN_MAGIC;
    bad += expect(gnt(KEEL_GNTOP_UNMAP, m.handle, 0), 0);
    bad += expect(gnt(KEEL_GNTOP_SETUP, (uint64_t)table, 512), 0);
    page[0] = BENIGN_MAGIC;
    grant(5, 0);
    bad += expect(ev_alloc(0), 1);
    bad += expect(ev_virq(KEEL_VIRQ_TIMER), 2);
    return bad;
}

static int grant_dom0(void)
{
    if (gnt(KEEL_GNTOP_SETUP, (uint64_t)table, 512))
        return 1;
    grant(1, 0);
    grant(400, 0);
    return 0;
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    static const struct hog_limits dflt = { KEEL_DEFAULT_GRANT_ENTRIES,
        KEEL_DEFAULT_GRANT_MAPS, KEEL_DEFAULT_EVTCHN_PORTS };
    static const struct hog_limits max = { KEEL_GRANT_MAX_ENTRIES,
        KEEL_GRANT_MAX_MAPS, KEEL_EVTCHN_PORTS - 1 };
    const char *mode = (const char *)si->args_va;

    (void)entry_rsp;
    if (si->argc < 2)
        t_exit(100);
    mode += t_strlen(mode) + 1;
    my_id = (keel_domid_t)si->domid;
    if (!t_strcmp(mode, "hog"))
        t_exit(hog(&dflt));
    if (!t_strcmp(mode, "hog_max"))
        t_exit(hog(&max));
    if (!t_strcmp(mode, "benign"))
        t_exit(benign());
    if (!t_strcmp(mode, "grant"))
        t_exit(grant_dom0());
    t_exit(101);
}
