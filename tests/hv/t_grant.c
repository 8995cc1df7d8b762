/*
 * hv-grant: grant tables, as a raw dom0 (and tests/hv/t_grant_guest.c as
 * the other domain).  This file: dom0 granting to itself (map, unmap, END,
 * read-only maps, every hostile argument, leaks over 1000 cycles, a full
 * window); t_grant_copy.c: COPY; t_grant_xdom.c: two domains, and one of
 * them dying with grants in use; t_grant_rights.c: grants of pages the
 * granter may not write, or not touch at all; t_grant_device.c: grants
 * pinned for a device.
 */
#include "t_grant.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

struct keel_grant_entry gtable[NR_REFS] __attribute__((aligned(4096)));
uint8_t pages[4][PAGE] __attribute__((aligned(4096)));
const struct keel_module *guest_img;
static const uint64_t rodata_word = 42;

long gnt(uint32_t cmd, uint64_t a1, uint64_t a2)
{
    return hc(KEEL_HC_GRANT_TABLE_OP, cmd, (long)a1, (long)a2);
}

long dc(struct keel_domctl *op, uint32_t cmd, uint32_t domid)
{
    return domctl(op, cmd, domid);
}

uint32_t page_of(const void *p)
{
    return (uint32_t)(((uint64_t)p - KEEL_GUEST_BASE) / PAGE);
}

void grant(uint32_t ref, const void *p, keel_domid_t to, uint16_t flags)
{
    gtable[ref].domid = to;
    gtable[ref].page = page_of(p);
    __asm__ volatile("" ::: "memory");
    gtable[ref].flags = flags;
}

static void before_setup(void)
{
    uint64_t va;
    uint32_t h;
    CHECK_EQ(map(0, 0, 0, &va, &h), -KEEL_ENOENT);
    CHECK_EQ(gnt(KEEL_GNTOP_END, 0, 0), -KEEL_ENOENT);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, 0, 0), -KEEL_EINVAL);
    CHECK_EQ(gnt(77, 0, 0), -KEEL_ENOSYS);
}

static void setup_hostile(void)
{
    uint64_t t = (uint64_t)gtable;
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, t, 0), -KEEL_EINVAL);
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, t, KEEL_GRANT_MAX_ENTRIES + 1), -KEEL_EINVAL);
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, t, ~0ull), -KEEL_EINVAL);
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, t + 8, 16), -KEEL_EINVAL);
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, 0, 16), -KEEL_EINVAL);
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, KEEL_SHARED_INFO_VA, 16), -KEEL_EINVAL);
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, KEEL_GUEST_BASE + (1 << 20), 16), -KEEL_EINVAL);
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, KEEL_GUEST_BASE + (1 << 20) - PAGE, 1024), -KEEL_EINVAL);
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, 0xffff800000000000ull, 16), -KEEL_EINVAL);
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, 0x0000800000000000ull, 16), -KEEL_EINVAL);
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, KEEL_GUEST_BASE, 16), -KEEL_EFAULT);  /* text: r-x */
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, t, NR_REFS), 0);
}

static void map_hostile(void)
{
    struct keel_grant_map m;
    uint64_t va;
    uint32_t h;
    grant(3, pages[0], 5, KEEL_GTF_PERMIT);               /* someone else's */
    grant(4, pages[0], 0, 0);                             /* not permitted */
    grant(6, pages[0], 0, KEEL_GTF_PERMIT);
    gtable[6].page = 1u << 20;                            /* outside dom0 */
    grant(7, (const void *)KEEL_GUEST_BASE, 0, KEEL_GTF_PERMIT);   /* text */
    CHECK_EQ(map(0, 3, 0, &va, &h), -KEEL_ENOENT);
    CHECK_EQ(map(0, 4, 0, &va, &h), -KEEL_ENOENT);
    CHECK_EQ(map(0, NR_REFS, 0, &va, &h), -KEEL_EINVAL);
    CHECK_EQ(map(0, ~0u, 0, &va, &h), -KEEL_EINVAL);
    CHECK_EQ(map(0, 6, 0, &va, &h), -KEEL_EINVAL);
    CHECK_EQ(map(0, 7, 0, &va, &h), -KEEL_EACCES);        /* W on an X page */
    CHECK_EQ(map(0, 7, KEEL_GRANT_MAP_READONLY, &va, &h), 0);
    CHECK_EQ(*(volatile uint32_t *)va, *(const uint32_t *)KEEL_GUEST_BASE);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, h, 0), 0);
    CHECK_EQ(map(0x7fff, 0, 0, &va, &h), -KEEL_ESRCH);
    CHECK_EQ(map(0x7fef, 0, 0, &va, &h), -KEEL_ESRCH);
    CHECK_EQ(map(0, 6, 4, &va, &h), -KEEL_EINVAL);        /* unknown flag */
    memset(&m, 0, sizeof(m));
    m.pad = 1;
    CHECK_EQ(gnt(KEEL_GNTOP_MAP, (uint64_t)&m, 0), -KEEL_EINVAL);
    CHECK_EQ(gnt(KEEL_GNTOP_MAP, 0, 0), -KEEL_EFAULT);
    CHECK_EQ(gnt(KEEL_GNTOP_MAP, (uint64_t)&rodata_word, 0), -KEEL_EFAULT);
    CHECK_EQ(gnt(KEEL_GNTOP_MAP, 0xffffffff80000000ull, 0), -KEEL_EFAULT);
    CHECK_EQ(gnt(KEEL_GNTOP_MAP, 0x8000000000000000ull, 0), -KEEL_EFAULT);
    CHECK_EQ(gnt(KEEL_GNTOP_MAP, KEEL_USER_VA_END - 8, 0), -KEEL_EFAULT);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, KEEL_GRANT_MAX_MAPS, 0), -KEEL_EINVAL);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, ~0ull, 0), -KEEL_EINVAL);
    CHECK_EQ(gnt(KEEL_GNTOP_END, NR_REFS, 0), -KEEL_EINVAL);
    CHECK_EQ(gnt(KEEL_GNTOP_END, 4, 0), -KEEL_ENOENT);
}

static void map_unmap_end(void)
{
    uint64_t va, va2;
    uint32_t h, h2;
    grant(1, pages[1], 0, KEEL_GTF_PERMIT);
    grant(2, pages[2], 0, KEEL_GTF_PERMIT | KEEL_GTF_READONLY);
    ((volatile uint64_t *)pages[1])[0] = DOM0_MAGIC;
    CHECK_EQ(map(KEEL_DOMID_SELF, 1, 0, &va, &h), 0);
    CHECK_EQ(va, KEEL_GRANT_WINDOW_VA + (uint64_t)h * PAGE);
    CHECK_EQ(*(volatile uint64_t *)va, DOM0_MAGIC);
    *(volatile uint64_t *)(va + 8) = 99;                   /* same frame */
    CHECK_EQ(((volatile uint64_t *)pages[1])[1], 99);
    CHECK(gtable[1].flags & KEEL_GTF_WRITING);
    CHECK_EQ(map(0, 2, 0, &va2, &h2), -KEEL_EACCES);       /* rw of ro */
    CHECK_EQ(map(0, 2, KEEL_GRANT_MAP_READONLY, &va2, &h2), 0);
    CHECK(gtable[2].flags & KEEL_GTF_READING);
    CHECK(h2 != h);
    /* the granter cannot end a grant in use, neither by END nor by cmpxchg */
    CHECK_EQ(gnt(KEEL_GNTOP_END, 1, 0), -KEEL_EBUSY);
    uint16_t expect = KEEL_GTF_PERMIT;
    CHECK(!__atomic_compare_exchange_n(&gtable[1].flags, &expect, 0, 0,
                                       __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    CHECK_EQ(gnt(KEEL_GNTOP_SETUP, (uint64_t)gtable, NR_REFS), -KEEL_EBUSY);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, h, 0), 0);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, h, 0), -KEEL_EINVAL);   /* twice */
    CHECK_EQ(hc(KEEL_HC_CONSOLE_WRITE, 1, (long)va, 1), -KEEL_EFAULT);   /* gone */
    CHECK(!(gtable[1].flags & KEEL_GTF_WRITING));
    CHECK_EQ(gnt(KEEL_GNTOP_END, 1, 0), 0);
    CHECK_EQ(gtable[1].flags, 0);
    CHECK_EQ(gnt(KEEL_GNTOP_END, 1, 0), -KEEL_ENOENT);
    CHECK_EQ(map(0, 1, 0, &va, &h), -KEEL_ENOENT);         /* ended */
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, h2, 0), 0);
    CHECK_EQ(gtable[2].flags, KEEL_GTF_PERMIT | KEEL_GTF_READONLY);
    /* a grant not in use ends by cmpxchg too */
    expect = KEEL_GTF_PERMIT | KEEL_GTF_READONLY;
    CHECK(__atomic_compare_exchange_n(&gtable[2].flags, &expect, 0, 0,
                                      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    CHECK_EQ(map(0, 2, KEEL_GRANT_MAP_READONLY, &va, &h), -KEEL_ENOENT);
}

/* The first map gives the window its page tables (kept by dom0). */
static void cycles(void)
{
    uint64_t va, free0, t0;
    uint32_t h;
    unsigned bad = 0;
    grant(8, pages[3], 0, KEEL_GTF_PERMIT);
    CHECK_EQ(map(0, 8, 0, &va, &h), 0);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, h, 0), 0);
    free0 = tbuild_free_frames();
    t0 = now_ns();
    for (unsigned i = 0; i < 1000; i++) {
        if (map(0, 8, i & 1 ? KEEL_GRANT_MAP_READONLY : 0, &va, &h) ||
            *(volatile uint8_t *)va != pages[3][0] || gnt(KEEL_GNTOP_UNMAP, h, 0))
            bad++;
    }
    outf("# 1000 map/unmap cycles in %lu us\n", (unsigned long)((now_ns() - t0) / 1000));
    CHECK_EQ(bad, 0);
    CHECK_EQ(tbuild_free_frames(), free0);
    CHECK_EQ(gtable[8].flags, KEEL_GTF_PERMIT);
}

/* Every handle of the window, the last a device pin (dom0 owns a
 * function: t_grant_device.c), then one more of either kind. */
static void full_window(void)
{
    static uint32_t hs[KEEL_GRANT_MAX_MAPS];
    uint64_t va;
    unsigned n = 0, bad = 0;
    while (n < KEEL_GRANT_MAX_MAPS - 1 && map(0, 8, 0, &va, &hs[n]) == 0)
        n++;
    if (map(0, 8, KEEL_GRANT_MAP_DEVICE, &va, &hs[n]) == 0)
        n++;
    CHECK_EQ(n, KEEL_GRANT_MAX_MAPS);
    CHECK_EQ(map(0, 8, 0, &va, &hs[0]), -KEEL_ENOSPC);
    CHECK_EQ(map(0, 8, KEEL_GRANT_MAP_DEVICE, &va, &hs[0]), -KEEL_ENOSPC);
    CHECK_EQ(gnt(KEEL_GNTOP_END, 8, 0), -KEEL_EBUSY);
    for (unsigned i = 0; i < n; i++)
        bad += gnt(KEEL_GNTOP_UNMAP, hs[i], 0) != 0;
    CHECK_EQ(bad, 0);
    CHECK_EQ(gnt(KEEL_GNTOP_END, 8, 0), 0);
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    (void)entry_rsp;
    ktap_begin("hv-grant");
    CHECK_EQ(si->nr_modules, 2);
    guest_img = (const struct keel_module *)si->modules_va + 1;
    before_setup();
    setup_hostile();
    map_hostile();
    map_unmap_end();
    cycles();
    grant_copy_tests();
    grant_xdom_tests();
    grant_rights_tests(si);
    grant_device_tests();
    full_window();
    grant_device_release();
    ktap_end_poweroff();
}
