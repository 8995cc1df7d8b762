/*
 * Host tests of the pure parts of grant tables: every argument and entry
 * check (hv/common/grant_check.c), the grantee's handle table
 * (hv/common/grant_maptrack.c) and the granter's active records
 * (hv/common/grant_active.c).
 */
#include <stdint.h>
#include "ktest.h"
#include "../../hv/common/grant_check.c"
#include "../../hv/common/grant_maptrack.c"
#include "../../hv/common/grant_active.c"

static long live;                  /* frames handed out, not freed */

/* A charge as hv/mm/charge.c keeps it: `left` frames may still be had. */
void *charge_page(struct hv_charge *c)
{
    void *p;

    if (!c->left)
        return NULL;
    c->left--;
    c->used++;
    live++;
    p = aligned_alloc(4096, 4096);
    memset(p, 0, 4096);
    return p;
}

void charge_page_free(void *p)
{
    if (p)
        live--;
    free(p);
}

static struct hv_charge charge_of(uint64_t frames)
{
    return (struct hv_charge){ .left = frames, .max = frames };
}

#define PERMIT KEEL_GTF_PERMIT
#define RO     KEEL_GTF_READONLY

KTEST(entry_layout_matches_the_abi)
{
    struct keel_grant_entry e = { .flags = PERMIT | RO, .domid = 0x1234, .page = 0xdeadbeef };
    uint64_t raw;
    memcpy(&raw, &e, 8);
    EXPECT_EQ(raw, grant_entry_pack(PERMIT | RO, 0x1234, 0xdeadbeef));
    EXPECT_EQ(grant_entry_page(raw), 0xdeadbeef);
    EXPECT_EQ(grant_entry_flags(raw), PERMIT | RO);
}

KTEST(entry_checks)
{
    EXPECT_EQ(grant_check_entry(grant_entry_pack(PERMIT, 7, 1), 7, true), 0);
    EXPECT_EQ(grant_check_entry(grant_entry_pack(PERMIT, 7, 1), 7, false), 0);
    EXPECT_EQ(grant_check_entry(grant_entry_pack(PERMIT | RO, 7, 1), 7, false), 0);
    EXPECT_EQ(grant_check_entry(grant_entry_pack(PERMIT | RO, 7, 1), 7, true), -KEEL_EACCES);
    EXPECT_EQ(grant_check_entry(grant_entry_pack(PERMIT, 7, 1), 8, false), -KEEL_ENOENT);
    EXPECT_EQ(grant_check_entry(grant_entry_pack(RO, 7, 1), 7, false), -KEEL_ENOENT);
    EXPECT_EQ(grant_check_entry(grant_entry_pack(0, 7, 1), 7, false), -KEEL_ENOENT);
    /* in-use bits and unknown bits do not grant anything */
    EXPECT_EQ(grant_check_entry(grant_entry_pack(KEEL_GTF_READING | KEEL_GTF_WRITING | 0xfff0,
                                                 7, 1), 7, false), -KEEL_ENOENT);
    EXPECT_EQ(grant_check_entry(grant_entry_pack(0xffff, 7, 1), 7, true), -KEEL_EACCES);
}

/* A grant never gives more than the granter has on the page itself. */
KTEST(page_rights_bound_every_use)
{
    const unsigned R = KEEL_RIGHT_R, W = KEEL_RIGHT_W, X = KEEL_RIGHT_X;

    /* data, heap, stack: every use */
    EXPECT_EQ(grant_check_page(R | W, AS_OWNED, false), 0);
    EXPECT_EQ(grant_check_page(R | W, AS_OWNED, true), 0);
    /* rodata, start info, device page: read-only */
    EXPECT_EQ(grant_check_page(R, AS_OWNED, false), 0);
    EXPECT_EQ(grant_check_page(R, AS_OWNED, true), -KEEL_EACCES);
    /* text: read-only */
    EXPECT_EQ(grant_check_page(R | X, AS_OWNED, false), 0);
    EXPECT_EQ(grant_check_page(R | X, AS_OWNED, true), -KEEL_EACCES);
    /* a guard page keeps its frame but is nobody's to use */
    EXPECT_EQ(grant_check_page(0, AS_OWNED, false), -KEEL_EACCES);
    EXPECT_EQ(grant_check_page(0, AS_OWNED, true), -KEEL_EACCES);
    /* rights without R (never set by a builder) give nothing either */
    EXPECT_EQ(grant_check_page(W, AS_OWNED, false), -KEEL_EACCES);
    EXPECT_EQ(grant_check_page(X, AS_OWNED, false), -KEEL_EACCES);
    EXPECT_EQ(grant_check_page(W, AS_OWNED, true), -KEEL_EACCES);
    /* W+X never exists; if it did, no writable use */
    EXPECT_EQ(grant_check_page(R | W | X, AS_OWNED, true), -KEEL_EACCES);
    /* not the granter's own frame (a shared module page): not even read */
    EXPECT_EQ(grant_check_page(R, AS_FOREIGN | AS_READONLY, false), -KEEL_EINVAL);
    EXPECT_EQ(grant_check_page(R | W, AS_FOREIGN, true), -KEEL_EINVAL);
    EXPECT_EQ(grant_check_page(R | W, 0, false), -KEEL_EINVAL);
}

KTEST(setup_checks)
{
    const uint64_t B = KEEL_GUEST_BASE, P = KEEL_PAGE_SIZE;
    EXPECT_EQ(grant_check_setup(B, 1, 4), 0);
    EXPECT_EQ(grant_check_setup(B + 3 * P, 512, 4), 0);            /* last page */
    EXPECT_EQ(grant_check_setup(B + 3 * P, 513, 4), -KEEL_EINVAL);  /* 2 pages */
    EXPECT_EQ(grant_check_setup(B + 4 * P, 1, 4), -KEEL_EINVAL);
    EXPECT_EQ(grant_check_setup(B, 0, 4), -KEEL_EINVAL);
    EXPECT_EQ(grant_check_setup(B, KEEL_GRANT_MAX_ENTRIES, 16), 0);
    EXPECT_EQ(grant_check_setup(B, KEEL_GRANT_MAX_ENTRIES + 1, 1000), -KEEL_EINVAL);
    EXPECT_EQ(grant_check_setup(B, ~0ull, ~0ull), -KEEL_EINVAL);
    EXPECT_EQ(grant_check_setup(B + 8, 1, 4), -KEEL_EINVAL);
    EXPECT_EQ(grant_check_setup(0, 1, 4), -KEEL_EINVAL);
    EXPECT_EQ(grant_check_setup(B - P, 1, 4), -KEEL_EINVAL);
    EXPECT_EQ(grant_check_setup(~0ull & ~(P - 1), 1, 1ull << 24), -KEEL_EINVAL);
    EXPECT_EQ(grant_check_setup(0xffff800000000000ull, 1, 1ull << 24), -KEEL_EINVAL);
}

static struct keel_grant_copy seg(uint16_t flags, uint16_t len, uint64_t sgva, uint16_t soff,
                                  uint64_t dgva, uint16_t doff)
{
    struct keel_grant_copy c;
    memset(&c, 0, sizeof(c));
    c.flags = flags;
    c.len = len;
    c.src.gva = sgva;
    c.src.offset = soff;
    c.dst.gva = dgva;
    c.dst.offset = doff;
    return c;
}

KTEST(copy_checks)
{
    const uint16_t S = KEEL_GRANT_COPY_SRC_GREF, D = KEEL_GRANT_COPY_DST_GREF;
    struct keel_grant_copy c;
    c = seg(S, 4096, 0, 0, 0x401000, 0);
    EXPECT_EQ(grant_check_copy(&c), 0);
    c = seg(S, 1, 0, 4095, 0x401fff, 0);
    EXPECT_EQ(grant_check_copy(&c), 0);
    c = seg(S, 2, 0, 4095, 0x401000, 0);                 /* grant side crosses */
    EXPECT_EQ(grant_check_copy(&c), -KEEL_EINVAL);
    c = seg(S, 2, 0, 0, 0x401fff, 0);                    /* own side crosses */
    EXPECT_EQ(grant_check_copy(&c), -KEEL_EINVAL);
    c = seg(D, 2, 0x401fff, 0, 0, 0);
    EXPECT_EQ(grant_check_copy(&c), -KEEL_EINVAL);
    c = seg(S | D, 100, 0x401fff, 3996, 0x401fff, 3996); /* gvas ignored */
    EXPECT_EQ(grant_check_copy(&c), 0);
    c = seg(S | D, 100, 0, 4000, 0, 3997);
    EXPECT_EQ(grant_check_copy(&c), -KEEL_EINVAL);
    c = seg(S, 4097, 0, 0, 0x401000, 0);
    EXPECT_EQ(grant_check_copy(&c), -KEEL_EINVAL);
    c = seg(S, 0xffff, 0, 0, 0, 0);
    EXPECT_EQ(grant_check_copy(&c), -KEEL_EINVAL);
    c = seg(S, 1, 0, 0xffff, 0, 0);
    EXPECT_EQ(grant_check_copy(&c), -KEEL_EINVAL);
    c = seg(0, 1, 0x401000, 0, 0x402000, 0);             /* no grant side */
    EXPECT_EQ(grant_check_copy(&c), -KEEL_EINVAL);
    c = seg(S | 4, 1, 0, 0, 0x402000, 0);
    EXPECT_EQ(grant_check_copy(&c), -KEEL_EINVAL);
    c = seg(S, 0, 0, 4096, 0x402000, 0);                 /* empty at the end */
    EXPECT_EQ(grant_check_copy(&c), 0);
}

KTEST(domid_resolution)
{
    keel_domid_t d = 0;
    EXPECT_EQ(grant_resolve_domid(KEEL_DOMID_SELF, 9, &d), 0);
    EXPECT_EQ(d, 9);
    EXPECT_EQ(grant_resolve_domid(KEEL_DOMID_MAX, 9, &d), 0);
    EXPECT_EQ(d, KEEL_DOMID_MAX);
    EXPECT_EQ(grant_resolve_domid(KEEL_DOMID_SELF + 1, 9, &d), -KEEL_ESRCH);
    EXPECT_EQ(grant_resolve_domid(0xffff, 9, &d), -KEEL_ESRCH);
    EXPECT_EQ(grant_resolve_domid(0x10000, 9, &d), -KEEL_ESRCH);
}

static struct grant_table fake_gt;

static void use(struct maptrack *mt, long h)
{
    maptrack_get_slot(mt, (uint32_t)h)->pin.gt = &fake_gt;
}

KTEST(maptrack_handles)
{
    static struct maptrack mt;
    struct hv_charge c = charge_of(2);
    maptrack_init(&mt, &c, KEEL_GRANT_MAX_MAPS);
    EXPECT(maptrack_get(&mt, 0) == NULL);
    for (long i = 0; i < MAPTRACK_CHUNK + 10; i++) {
        long h = maptrack_alloc(&mt);
        EXPECT_EQ(h, i);                                 /* lowest first */
        EXPECT(maptrack_get(&mt, (uint64_t)h) == NULL);  /* not filled yet */
        use(&mt, h);
        EXPECT(maptrack_get(&mt, (uint64_t)h) != NULL);
    }
    EXPECT_EQ(mt.nr_chunks, 2);
    EXPECT_EQ(c.used, 2);                            /* a frame per chunk */
    maptrack_free(&mt, 7);
    EXPECT(maptrack_get(&mt, 7) == NULL);
    EXPECT_EQ(maptrack_alloc(&mt), 7);                   /* reused */
    use(&mt, 7);
    EXPECT(maptrack_get(&mt, 2 * MAPTRACK_CHUNK) == NULL);   /* beyond the chunks */
    EXPECT(maptrack_get(&mt, ~0ull) == NULL);
    EXPECT(maptrack_get(&mt, 1ull << 32) == NULL);
    EXPECT_EQ(mt.nr_used, MAPTRACK_CHUNK + 10);
    maptrack_destroy(&mt);
    EXPECT_EQ(live, 0);
}

/* Handles 0 .. max - 1 and no more, in exactly the frames keel/domctl.h's
 * reserve allows for max maps. */
static void fill_to_limit(int *ktest_failed, uint32_t max)
{
    static struct maptrack mt;
    struct hv_charge c = charge_of(keel_frames_for(max, KEEL_HV_MAPS_PER_FRAME) +
                                   (max > KEEL_HV_MAPTRACK_DIR_MIN));
    long bad = 0;

    maptrack_init(&mt, &c, max);
    for (long i = 0; i < max; i++) {
        long h = maptrack_alloc(&mt);
        bad += h != i;
        use(&mt, h);
    }
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(maptrack_alloc(&mt), -KEEL_ENOSPC);
    EXPECT_EQ(c.left, 0);                        /* the reserve was just enough */
    maptrack_free(&mt, max - 1);
    EXPECT_EQ(maptrack_alloc(&mt), max - 1);
    EXPECT_EQ(maptrack_alloc(&mt), -KEEL_ENOSPC);
    maptrack_destroy(&mt);
    EXPECT_EQ(live, 0);
}

KTEST(maptrack_limits)
{
    static struct maptrack mt;
    fill_to_limit(ktest_failed, KEEL_GRANT_MAX_MAPS);
    fill_to_limit(ktest_failed, 1);
    fill_to_limit(ktest_failed, 100);
    fill_to_limit(ktest_failed, MAPTRACK_CHUNK + 1);
    fill_to_limit(ktest_failed, KEEL_DEFAULT_GRANT_MAPS);
    fill_to_limit(ktest_failed, KEEL_HV_MAPTRACK_DIR_MIN);
    fill_to_limit(ktest_failed, KEEL_HV_MAPTRACK_DIR_MIN + 1);
    /* the window's size costs a domain that maps little nothing: its
     * maptrack holds two chunk pointers, not one per chunk of the window */
    EXPECT(sizeof(struct maptrack) <= 64);
    /* no frame left in the charge: an error, and the table still works
     * once there is */
    struct hv_charge c = charge_of(0);
    maptrack_init(&mt, &c, 10);
    EXPECT_EQ(maptrack_alloc(&mt), -KEEL_ENOMEM);
    c.left = 1;
    EXPECT_EQ(maptrack_alloc(&mt), 0);
    maptrack_destroy(&mt);
    EXPECT_EQ(live, 0);
}

/* Records exist only for chunks something was pinned in: a console's 11
 * references cost one chunk (one frame of the granter's charge), not a
 * record per reference of the table. */
KTEST(active_records_on_demand)
{
    static struct grant_table gt;
    struct hv_charge c = charge_of(2);
    struct grant_active *a, *b;
    const uint32_t C = GRANT_ACTIVE_CHUNK, LAST = KEEL_GRANT_MAX_ENTRIES - 1;

    gt.nr_entries = 512;
    gt.charge = &c;
    EXPECT(grant_active_find(&gt, 0) == NULL);
    EXPECT(grant_active_find(&gt, KEEL_GRANT_MAX_ENTRIES) == NULL);
    EXPECT(grant_active_get(&gt, KEEL_GRANT_MAX_ENTRIES) == NULL);
    uint32_t it = 0;
    EXPECT(grant_active_next(&gt, &it) == NULL);
    for (uint32_t ref = 0; ref < 11; ref++)
        EXPECT(grant_active_get(&gt, ref) != NULL);
    EXPECT_EQ(live, 1);                              /* one chunk */
    a = grant_active_get(&gt, 3);
    EXPECT(a == grant_active_find(&gt, 3) && a->pins_ro == 0 && a->pa == 0);
    a->pins_rw = 1;
    EXPECT(grant_active_find(&gt, C - 1) == a + C - 4);   /* same chunk, zeroed */
    EXPECT(grant_active_find(&gt, C - 1)->pins_rw == 0);
    EXPECT(grant_active_find(&gt, C) == NULL);
    b = grant_active_get(&gt, LAST);
    EXPECT(b != NULL && b != a);
    EXPECT_EQ(live, 2);
    /* the walk sees the two chunks' records, in order, and nothing else */
    uint32_t n = 0, last = 0;
    it = 0;
    while ((a = grant_active_next(&gt, &it))) {
        EXPECT(a == grant_active_find(&gt, it - 1));
        last = it - 1;
        n++;
    }
    EXPECT_EQ(n, C + LAST % C + 1);
    EXPECT_EQ(last, LAST);
    EXPECT(grant_active_get(&gt, C + 1) == NULL);    /* the charge is used up */
    EXPECT(grant_active_get(&gt, 10) != NULL);       /* no allocation needed */
    grant_active_free(&gt);
    EXPECT_EQ(live, 0);
    EXPECT(grant_active_find(&gt, 3) == NULL);
}

/* A granter whose table has `entries` references: a record for each, in
 * exactly the frames keel/domctl.h's reserve allows for them. */
KTEST(active_records_fit_the_reserve)
{
    static const uint32_t sizes[] = { 1, 169, 170, 171, 512, KEEL_GRANT_MAX_ENTRIES };
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        static struct grant_table gt;
        struct hv_charge c = charge_of(keel_frames_for(sizes[i], KEEL_HV_GRANT_RECORDS_PER_FRAME));
        long missing = 0;
        gt.charge = &c;
        for (uint32_t ref = sizes[i]; ref-- > 0;)
            missing += grant_active_get(&gt, ref) == NULL;
        EXPECT_EQ(missing, 0);
        EXPECT_EQ(c.left, 0);
        grant_active_free(&gt);
        EXPECT_EQ(live, 0);
    }
}

KTEST_MAIN(KTEST_CASE(active_records_on_demand), KTEST_CASE(active_records_fit_the_reserve),
           KTEST_CASE(entry_layout_matches_the_abi), KTEST_CASE(entry_checks),
           KTEST_CASE(page_rights_bound_every_use), KTEST_CASE(setup_checks), KTEST_CASE(copy_checks), KTEST_CASE(domid_resolution),
           KTEST_CASE(maptrack_handles), KTEST_CASE(maptrack_limits))
