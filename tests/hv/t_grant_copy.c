/*
 * hv-grant, COPY: both directions at odd offsets, grant to grant, each
 * segment's own status, and every malformed segment.  dom0 grants pages to
 * itself (refs 20..23); t_grant_xdom.c copies across domains.
 */
#include "t_grant.h"

static uint8_t own[2][PAGE] __attribute__((aligned(4096)));
static const uint8_t ro_own[64] = { 1 };

static void seg_gref(struct keel_grant_copy_ptr *p, uint32_t ref, uint16_t off)
{
    p->domid = 0;
    p->ref = ref;
    p->offset = off;
}

static struct keel_grant_copy seg(uint16_t flags, uint16_t len)
{
    struct keel_grant_copy c;
    memset(&c, 0, sizeof(c));
    c.flags = flags;
    c.len = len;
    c.status = 12345;
    return c;
}

static void directions(void)
{
    struct keel_grant_copy c[3];
    for (unsigned i = 0; i < PAGE; i++)
        own[0][i] = (uint8_t)(i * 7 + 1);
    memset(pages[0], 0, PAGE);
    memset(own[1], 0, PAGE);
    /* own -> grant at odd offsets, then grant -> own, then grant -> grant */
    c[0] = seg(KEEL_GRANT_COPY_DST_GREF, 1001);
    c[0].src.gva = (uint64_t)own[0] + 3;
    seg_gref(&c[0].dst, 20, 777);
    c[1] = seg(KEEL_GRANT_COPY_SRC_GREF, 1001);
    seg_gref(&c[1].src, 20, 777);
    c[1].dst.gva = (uint64_t)own[1] + 4095 - 1001;
    c[2] = seg(KEEL_GRANT_COPY_SRC_GREF | KEEL_GRANT_COPY_DST_GREF, 333);
    seg_gref(&c[2].src, 20, 777 + 5);
    seg_gref(&c[2].dst, 21, 4096 - 333);
    CHECK_EQ(gnt(KEEL_GNTOP_COPY, (uint64_t)c, 3), 0);
    CHECK_EQ(c[0].status, 0);
    CHECK_EQ(c[1].status, 0);
    CHECK_EQ(c[2].status, 0);
    unsigned bad = 0;
    for (unsigned i = 0; i < 1001; i++)
        bad += pages[0][777 + i] != own[0][3 + i] || own[1][4095 - 1001 + i] != own[0][3 + i];
    for (unsigned i = 0; i < 333; i++)
        bad += pages[1][4096 - 333 + i] != own[0][3 + 5 + i];
    CHECK_EQ(bad, 0);
    CHECK_EQ(pages[0][776], 0);
    CHECK_EQ(pages[0][777 + 1001], 0);
    CHECK_EQ(gtable[20].flags, KEEL_GTF_PERMIT);           /* not in use after */
    /* a whole page, and len 0 */
    c[0] = seg(KEEL_GRANT_COPY_SRC_GREF, 4096);
    seg_gref(&c[0].src, 21, 0);
    c[0].dst.gva = (uint64_t)own[1];
    c[1] = seg(KEEL_GRANT_COPY_SRC_GREF, 0);
    seg_gref(&c[1].src, 21, 4096);
    c[1].dst.gva = (uint64_t)own[1] + 4096;
    CHECK_EQ(gnt(KEEL_GNTOP_COPY, (uint64_t)c, 2), 0);
    CHECK_EQ(own[1][4095], pages[1][4095]);
}

/* Each bad segment fails alone, with its own status; the good one runs. */
static void hostile_segments(void)
{
    static struct keel_grant_copy c[20];
    unsigned n = 0;
    const uint16_t S = KEEL_GRANT_COPY_SRC_GREF, D = KEEL_GRANT_COPY_DST_GREF;
    c[n] = seg(S, 2); seg_gref(&c[n].src, 20, 4095); c[n++].dst.gva = (uint64_t)own[1];
    c[n] = seg(S, 8); seg_gref(&c[n].src, 20, 0); c[n++].dst.gva = (uint64_t)own[1] + 4092;
    c[n] = seg(D, 8); seg_gref(&c[n].dst, 20, 0); c[n++].src.gva = (uint64_t)own[0] + 4095;
    c[n] = seg(S, 4097); seg_gref(&c[n].src, 20, 0); c[n++].dst.gva = (uint64_t)own[1];
    c[n] = seg(S, 1); seg_gref(&c[n].src, 20, 0xffff); c[n++].dst.gva = (uint64_t)own[1];
    c[n] = seg(0, 8); c[n].src.gva = (uint64_t)own[0]; c[n++].dst.gva = (uint64_t)own[1];
    c[n] = seg(S | 4, 8); seg_gref(&c[n].src, 20, 0); c[n++].dst.gva = (uint64_t)own[1];
    unsigned einval = n;
    c[n] = seg(S, 8); seg_gref(&c[n].src, 20, 0); c[n++].dst.gva = 0;
    c[n] = seg(S, 8); seg_gref(&c[n].src, 20, 0); c[n++].dst.gva = (uint64_t)ro_own;
    c[n] = seg(S, 8); seg_gref(&c[n].src, 20, 0); c[n++].dst.gva = 0xffff800000100000ull;
    c[n] = seg(D, 8); seg_gref(&c[n].dst, 20, 0); c[n++].src.gva = 0x0000800000000000ull;
    c[n] = seg(D, 8); seg_gref(&c[n].dst, 20, 0); c[n++].src.gva = 0xfffffffffffff000ull;
    unsigned efault = n;
    c[n] = seg(D, 8); seg_gref(&c[n].dst, 22, 0); c[n++].src.gva = (uint64_t)own[0];
    c[n] = seg(S, 8); seg_gref(&c[n].src, 23, 0); c[n++].dst.gva = (uint64_t)own[1];
    c[n] = seg(S, 8); seg_gref(&c[n].src, NR_REFS, 0); c[n++].dst.gva = (uint64_t)own[1];
    c[n] = seg(S, 8); seg_gref(&c[n].src, 20, 0); c[n].src.domid = 0x7fff;
    c[n++].dst.gva = (uint64_t)own[1];
    c[n] = seg(S, 8); seg_gref(&c[n].src, 20, 0); c[n++].dst.gva = (uint64_t)own[1];   /* good */
    CHECK_EQ(gnt(KEEL_GNTOP_COPY, (uint64_t)c, n), n - 1);
    for (unsigned i = 0; i < einval; i++)
        CHECK_EQ(c[i].status, -KEEL_EINVAL);
    for (unsigned i = einval; i < efault; i++)
        CHECK_EQ(c[i].status, -KEEL_EFAULT);
    CHECK_EQ(c[efault].status, -KEEL_EACCES);              /* into a ro grant */
    CHECK_EQ(c[efault + 1].status, -KEEL_ENOENT);          /* ended */
    CHECK_EQ(c[efault + 2].status, -KEEL_EINVAL);          /* ref out of range */
    CHECK_EQ(c[efault + 3].status, -KEEL_ESRCH);
    CHECK_EQ(c[n - 1].status, 0);
    CHECK_EQ(gnt(KEEL_GNTOP_COPY, (uint64_t)c, KEEL_GRANT_COPY_MAX + 1), -KEEL_E2BIG);
    CHECK_EQ(gnt(KEEL_GNTOP_COPY, (uint64_t)c, ~0ull), -KEEL_E2BIG);
    CHECK_EQ(gnt(KEEL_GNTOP_COPY, 0, 1), -KEEL_EFAULT);
    CHECK_EQ(gnt(KEEL_GNTOP_COPY, (uint64_t)ro_own, 1), -KEEL_EFAULT);
    CHECK_EQ(gnt(KEEL_GNTOP_COPY, 0xffffffff80000000ull, 1), -KEEL_EFAULT);
    CHECK_EQ(gnt(KEEL_GNTOP_COPY, 0, 0), 0);
    for (unsigned i = 20; i < 23; i++)
        CHECK(!(gtable[i].flags & (KEEL_GTF_READING | KEEL_GTF_WRITING)));
}

void grant_copy_tests(void)
{
    grant(20, pages[0], 0, KEEL_GTF_PERMIT);
    grant(21, pages[1], 0, KEEL_GTF_PERMIT);
    grant(22, pages[2], 0, KEEL_GTF_PERMIT | KEEL_GTF_READONLY);
    grant(23, pages[2], 0, 0);
    directions();
    hostile_segments();
}
