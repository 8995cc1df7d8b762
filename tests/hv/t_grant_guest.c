/*
 * The guest half of hv-grant (tests/hv/t_grant.c is dom0).  argv[1]:
 *
 *   granter   set up a grant table, grant dom0 page A read-write (ref 0)
 *             and page B read-only (ref 1) with known contents, exit(0):
 *             dom0 maps them, then destroys this domain
 *   ro_write  map dom0's ref 11 read-only, check it, then write to it:
 *             must crash with #PF (only this guest)
 *   hold      map dom0's ref 10 read-write, write a marker, exit(0) with
 *             the map still held: dom0 cannot END until it destroys us
 *   hold_device  the same as a device pin (keel/grant_table.h MAP), with
 *             the function dom0 lent it: exit(2) if refused -KEEL_EPERM
 *   hostile   grant calls with bad arguments: exit(number of surprises)
 *   stress    map, read, copy and unmap page A of the granter (the domain
 *             created just before this one: ref 2) in a loop while dom0
 *             destroys it, holding one map throughout: exit(0) if every
 *             call gave 0 or -KEEL_ESRCH and the held page never changed
 *   rights    grant its guard page, start info, text, rodata and page A
 *             to itself and to dom0 (t_grant_uses.h), use its own grants:
 *             exit(number of surprises); dom0 uses the others after
 */
#include "t_grant_uses.h"

TEST_NOTE(0, 256 << 10, 16 << 10);

#define PAGE 4096
#define GUEST_A_MAGIC 0x4141414141414141ull
#define GUEST_B_MAGIC 0x4242424242424242ull
#define DOM0_MAGIC    0x3030303030303030ull
#define STRESS_READY  0x5245414459ull

static struct keel_grant_entry table[512] __attribute__((aligned(PAGE)));
static uint64_t page_a[512] __attribute__((aligned(PAGE)));
static uint64_t page_b[512] __attribute__((aligned(PAGE)));
static const uint64_t ro_page[512] __attribute__((aligned(PAGE))) = { 0x524f44415441ull };

static long gnt(uint32_t cmd, uint64_t a1, uint64_t a2)
{
    return hc(KEEL_HC_GRANT_TABLE_OP, cmd, (long)a1, (long)a2);
}

static uint32_t page_of(const void *p)
{
    return (uint32_t)(((uint64_t)p - KEEL_GUEST_BASE) / PAGE);
}

static void grant(uint32_t ref, const void *p, keel_domid_t to, uint16_t flags)
{
    table[ref].domid = to;
    table[ref].page = page_of(p);
    __asm__ volatile("" ::: "memory");     /* x86 TSO: stores stay in order */
    table[ref].flags = flags;
}

static uint32_t my_id;

static int granter(void)
{
    for (int i = 0; i < 512; i++) {
        page_a[i] = GUEST_A_MAGIC + i;
        page_b[i] = GUEST_B_MAGIC + i;
    }
    if (gnt(KEEL_GNTOP_SETUP, (uint64_t)table, 512))
        return 1;
    grant(0, page_a, 0, KEEL_GTF_PERMIT);
    grant(1, page_b, 0, KEEL_GTF_PERMIT | KEEL_GTF_READONLY);
    grant(2, page_a, (keel_domid_t)(my_id + 1), KEEL_GTF_PERMIT);   /* "stress" */
    return 0;
}

static int ro_write(void)
{
    struct keel_grant_map m;
    if (map_dom0(11, KEEL_GRANT_MAP_READONLY, &m))
        return 1;
    if (*(volatile uint64_t *)m.va != DOM0_MAGIC)
        return 2;
    *(volatile uint64_t *)m.va = 1;                /* #PF */
    return 3;
}

static int hold(void)
{
    struct keel_grant_map m;
    if (map_dom0(10, 0, &m))
        return 1;
    ((volatile uint64_t *)m.va)[1] = GUEST_A_MAGIC;
    return 0;                                      /* exits with the map held */
}

/* With the function dom0 lent it (none: 2, -KEEL_EPERM): pin dom0's ref 10
 * for a device, see nothing mapped, exit with the pin held. */
static int hold_device(void)
{
    struct keel_grant_map m;
    long rc = map_dom0(10, KEEL_GRANT_MAP_DEVICE, &m);

    if (rc)
        return rc == -KEEL_EPERM ? 2 : 1;
    if (m.maddr == 0 || m.maddr % PAGE)
        return 3;
    return expect(hc(KEEL_HC_CONSOLE_WRITE, 1, (long)(KEEL_GRANT_WINDOW_VA +
                                                     (uint64_t)m.handle * PAGE), 1),
                  -KEEL_EFAULT);
}

static int hostile(void)
{
    struct keel_grant_map m;
    int bad = 0;

    /* dom0's ref 12 is granted to someone else, ref 11 read-only */
    bad += expect(map_dom0(11, 0, &m), -KEEL_EACCES);
    memset(&m, 0, sizeof(m));
    m.ref = 12;
    bad += expect(gnt(KEEL_GNTOP_MAP, (uint64_t)&m, 0), -KEEL_ENOENT);
    /* dom0's window and the hypervisor are not ours */
    bad += expect(gnt(KEEL_GNTOP_MAP, KEEL_DOM0_FOREIGN_VA, 0), -KEEL_EFAULT);
    bad += expect(gnt(KEEL_GNTOP_MAP, 0xffff800000001000ull, 0), -KEEL_EFAULT);
    bad += expect(gnt(KEEL_GNTOP_UNMAP, 0, 0), -KEEL_EINVAL);
    bad += expect(gnt(KEEL_GNTOP_END, 0, 0), -KEEL_ENOENT);   /* no table */
    bad += expect(gnt(KEEL_GNTOP_SETUP, KEEL_SHARED_INFO_VA, 1), -KEEL_EINVAL);
    bad += expect(gnt(99, 0, 0), -KEEL_ENOSYS);
    return bad;
}

static int one_round(keel_domid_t g, struct keel_grant_copy *c)
{
    struct keel_grant_map m;
    long rc;

    memset(&m, 0, sizeof(m));
    m.domid = g;
    m.ref = 2;
    rc = gnt(KEEL_GNTOP_MAP, (uint64_t)&m, 0);
    if (rc == 0) {
        if (*(volatile uint64_t *)m.va != GUEST_A_MAGIC)
            return 1;
        if (gnt(KEEL_GNTOP_UNMAP, m.handle, 0))
            return 1;
    } else if (rc != -KEEL_ESRCH) {
        return 1;
    }
    c->status = 1;
    rc = gnt(KEEL_GNTOP_COPY, (uint64_t)c, 1);
    return !((rc == 0 && c->status == 0) || (rc == 1 && c->status == -KEEL_ESRCH));
}

static int stress(void)
{
    keel_domid_t g = (keel_domid_t)(my_id - 1);
    struct keel_grant_copy c;
    struct keel_grant_map held;
    int bad = 0, gone = 0;

    memset(&held, 0, sizeof(held));
    held.domid = g;
    held.ref = 2;
    if (gnt(KEEL_GNTOP_MAP, (uint64_t)&held, 0))
        return 100;
    ((volatile uint64_t *)held.va)[6] = STRESS_READY;    /* dom0 waits for it */
    memset(&c, 0, sizeof(c));
    c.flags = KEEL_GRANT_COPY_SRC_GREF;
    c.src.domid = g;
    c.src.ref = 2;
    c.src.offset = 8;
    c.dst.gva = (uint64_t)page_b;
    c.len = 64;
    for (uint64_t end = now_ns() + 3000000000ull; now_ns() < end && gone < 200; ) {
        bad += one_round(g, &c);
        gone += c.status == -KEEL_ESRCH;
        bad += ((volatile uint64_t *)held.va)[5] != GUEST_A_MAGIC + 5;
    }
    if (!gone)
        bad += 1000;                       /* the granter never died */
    if (gnt(KEEL_GNTOP_UNMAP, held.handle, 0))
        bad++;
    return bad;
}

/* The grant entries ask for read-write; the hypervisor gives no more than
 * this domain has. */
static int rights(const struct keel_start_info *si)
{
    const void *page[RIGHTS_NR] = {
        (const void *)si->heap_end, si, (const void *)KEEL_GUEST_BASE, ro_page, page_a,
    };
    int bad = 0;

    if (gnt(KEEL_GNTOP_SETUP, (uint64_t)table, 512))
        return 100;
    for (unsigned i = 0; i < RIGHTS_NR; i++) {
        grant(i, page[i], (keel_domid_t)my_id, KEEL_GTF_PERMIT);
        grant(RIGHTS_TO_DOM0 + i, page[i], 0, KEEL_GTF_PERMIT);
    }
    for (unsigned i = 0; i < RIGHTS_NR; i++)
        bad += grant_uses_bad(KEEL_DOMID_SELF, i, rights_access[i]);
    return bad;
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    const char *mode = (const char *)si->args_va;

    (void)entry_rsp;
    if (si->argc < 2)
        t_exit(100);
    mode += t_strlen(mode) + 1;
    my_id = si->domid;
    if (!t_strcmp(mode, "granter"))
        t_exit(granter());
    if (!t_strcmp(mode, "ro_write"))
        t_exit(ro_write());
    if (!t_strcmp(mode, "hold"))
        t_exit(hold());
    if (!t_strcmp(mode, "hold_device"))
        t_exit(hold_device());
    if (!t_strcmp(mode, "hostile"))
        t_exit(hostile());
    if (!t_strcmp(mode, "stress"))
        t_exit(stress());
    if (!t_strcmp(mode, "rights"))
        t_exit(rights(si));
    t_exit(101);
}
