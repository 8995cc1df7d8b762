/*
 * hv-grant, device pins (KEEL_GRANT_MAP_DEVICE): a grant pinned for a
 * device's DMA, its machine address returned, nothing mapped.  dom0 owns
 * no function first (-KEEL_EPERM), then takes the IDE controller (the one
 * function QEMU's default machine lends) and pins its own grants (the
 * address TRANSLATE gives, the granter's rights, END and DECREASE refused
 * while pinned, no PTE in the window) and the guest's (which dies: the
 * frames stay with the pins until UNMAP); a guest dies holding a pin of
 * dom0's page (undone at DESTROY, after its device is quiesced, then dom0
 * can END).  full_window (t_grant.c) checks that a device pin counts
 * against grant_maps.
 */
#include "t_grant.h"
#include "t_pci.h"

#define REF_RW 40
#define REF_RO 41

static uint8_t dev_page[PAGE] __attribute__((aligned(4096)));
static uint32_t ide_bdf = ~0u;

static long pin(keel_domid_t dom, uint32_t ref, uint16_t flags, uint64_t *maddr, uint32_t *h)
{
    return map(dom, ref, (uint16_t)(flags | KEEL_GRANT_MAP_DEVICE), maddr, h);
}

static long memop(uint32_t cmd, const void *p)
{
    struct keel_memory_op op = { .gva = (uint64_t)p, .npages = 1, .domid = KEEL_DOMID_SELF };

    return hc(KEEL_HC_MEMORY_OP, cmd, (long)&op, 0);
}

static uint64_t translate(const void *p)
{
    struct keel_pci_op op = { .va = (uint64_t)p };

    return pciop(KEEL_PCIOP_TRANSLATE, &op) ? 0 : op.maddr;
}

static long assign(uint32_t domid)
{
    struct keel_pci_op op = { .bdf = ide_bdf, .domid = domid };

    return pciop(KEEL_PCIOP_ASSIGN, &op);
}

/* The IDE controller, assigned to dom0. */
static void take_ide(void)
{
    struct keel_pci_op op;

    for (uint32_t i = 0; ide_bdf == ~0u; i++) {
        op = (struct keel_pci_op){ .index = i };
        if (pciop(KEEL_PCIOP_LIST, &op))
            break;
        if (op.info.class_code >> 8 == 0x0101)
            ide_bdf = op.info.bdf;
    }
    CHECK(ide_bdf != ~0u);
    CHECK_EQ(assign(KEEL_DOMID_SELF), 0);
}

static void refused(void)
{
    uint64_t maddr;
    uint32_t h;

    CHECK_EQ(pin(0, REF_RW, 0, &maddr, &h), -KEEL_EPERM);       /* owns nothing */
    CHECK_EQ(pin(0, REF_RW, KEEL_GRANT_MAP_READONLY, &maddr, &h), -KEEL_EPERM);
    take_ide();
    CHECK_EQ(map(0, REF_RW, 4, &maddr, &h), -KEEL_EINVAL);
    CHECK_EQ(pin(0, REF_RW, 4, &maddr, &h), -KEEL_EINVAL);
    CHECK_EQ(pin(0, REF_RW, 0x8000, &maddr, &h), -KEEL_EINVAL);
    CHECK_EQ(pin(0, NR_REFS, 0, &maddr, &h), -KEEL_EINVAL);
    CHECK_EQ(pin(0, REF_RO, 0, &maddr, &h), -KEEL_EACCES);      /* rw of ro */
}

/* The machine address TRANSLATE gives, no PTE, the in-use bit, END and
 * DECREASE refused until UNMAP; the page still the granter's after. */
static void pin_own_page(void)
{
    uint64_t maddr = 0, ro = 0, va;
    uint32_t h = 0, hro = 0;
    long gone;

    ((volatile uint64_t *)dev_page)[0] = DOM0_MAGIC;
    CHECK_EQ(pin(KEEL_DOMID_SELF, REF_RW, 0, &maddr, &h), 0);
    CHECK(maddr != 0 && maddr % PAGE == 0);
    CHECK_EQ(maddr, translate(dev_page));
    CHECK(gtable[REF_RW].flags & KEEL_GTF_WRITING);
    va = KEEL_GRANT_WINDOW_VA + (uint64_t)h * PAGE;
    CHECK_EQ(hc(KEEL_HC_CONSOLE_WRITE, 1, (long)va, 1), -KEEL_EFAULT);   /* no PTE */
    CHECK_EQ(pin(0, REF_RO, KEEL_GRANT_MAP_READONLY, &ro, &hro), 0);
    CHECK_EQ(ro, translate(pages[2]));
    CHECK(gtable[REF_RO].flags & KEEL_GTF_READING);
    CHECK(hro != h);
    CHECK_EQ(gnt(KEEL_GNTOP_END, REF_RW, 0), -KEEL_EBUSY);
    gone = memop(KEEL_MEMORY_DECREASE, dev_page);
    CHECK_EQ(gone, -KEEL_EBUSY);
    if (gone == 0)                  /* wrongly given back: survive, and see */
        memop(KEEL_MEMORY_INCREASE, dev_page);
    CHECK_EQ(((volatile uint64_t *)dev_page)[0], DOM0_MAGIC);
    CHECK_EQ(translate(dev_page), maddr);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, h, 0), 0);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, h, 0), -KEEL_EINVAL);         /* twice */
    CHECK(!(gtable[REF_RW].flags & KEEL_GTF_WRITING));
    CHECK_EQ(gnt(KEEL_GNTOP_END, REF_RW, 0), 0);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, hro, 0), 0);
    CHECK_EQ(gtable[REF_RO].flags, KEEL_GTF_PERMIT | KEEL_GTF_READONLY);
    CHECK_EQ(gnt(KEEL_GNTOP_END, REF_RO, 0), 0);
    /* unpinned, the page may go (and come back, zeroed) */
    CHECK_EQ(memop(KEEL_MEMORY_DECREASE, dev_page), 0);
    CHECK_EQ(memop(KEEL_MEMORY_INCREASE, dev_page), 0);
    CHECK_EQ(((volatile uint64_t *)dev_page)[0], 0);
}

/* The guest's "granter" mode grants dom0 page A (ref 0) and page B
 * read-only (ref 1), then exits; destroyed, its pinned frames stay out of
 * the free frames until each pin goes. */
static void granter_dies_pinned(void)
{
    struct keel_domain_info info;
    struct keel_domctl op;
    uint64_t free0 = tbuild_free_frames(), ma = 0, mb = 0, m, dead;
    uint32_t ha = 0, hb = 0, h;
    long d = tbuild_start(guest_img, "granter");

    CHECK(d > 0);
    if (d <= 0)
        return;
    CHECK_EQ(tbuild_wait((uint32_t)d, &info, 5000), 0);
    CHECK_EQ(info.exit_code, 0);
    CHECK_EQ(pin((keel_domid_t)d, 0, 0, &ma, &ha), 0);
    CHECK_EQ(pin((keel_domid_t)d, 1, 0, &m, &h), -KEEL_EACCES);
    CHECK_EQ(pin((keel_domid_t)d, 1, KEEL_GRANT_MAP_READONLY, &mb, &hb), 0);
    CHECK(ma != 0 && mb != 0 && ma != mb);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d), 0);
    dead = tbuild_free_frames();
    CHECK(dead <= free0 - 2);
    CHECK_EQ(pin((keel_domid_t)d, 0, 0, &m, &h), -KEEL_ESRCH);
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, ha, 0), 0);
    CHECK_EQ(tbuild_free_frames(), dead + 1);                   /* page A */
    CHECK_EQ(gnt(KEEL_GNTOP_UNMAP, hb, 0), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

/* A "hold_device" guest granted dom0's dev_page (ref 10), lent the IDE
 * controller if lend; ended, not destroyed: its id, or 0. */
static uint32_t hold_device(int lend, struct keel_domain_info *info)
{
    struct keel_domctl op;
    long d = tbuild_prepare(guest_img, "hold_device");

    CHECK(d > 0);
    if (d <= 0)
        return 0;
    grant(10, dev_page, (keel_domid_t)d, KEEL_GTF_PERMIT);
    if (lend)
        CHECK_EQ(assign((uint32_t)d), 0);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_UNPAUSE, (uint32_t)d), 0);
    CHECK_EQ(tbuild_wait((uint32_t)d, info, 5000), 0);
    CHECK_EQ(info->state, KEEL_DOMSTATE_SHUTDOWN);
    return (uint32_t)d;
}

/* A guest that owns nothing is refused; one lent the IDE controller dies
 * holding a device pin of dom0's page: DESTROY undoes it, then dom0 can
 * END (and the controller comes back to dom0). */
static void grantee_dies_pinned(void)
{
    struct keel_domain_info info;
    struct keel_domctl op;
    uint32_t d = hold_device(0, &info);

    CHECK_EQ(info.exit_code, 2);                                /* -KEEL_EPERM */
    CHECK(!(gtable[10].flags & KEEL_GTF_WRITING));
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, d), 0);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_RELEASE, ide_bdf), 0);
    d = hold_device(1, &info);
    CHECK_EQ(info.exit_code, 0);
    CHECK(gtable[10].flags & KEEL_GTF_WRITING);
    CHECK_EQ(gnt(KEEL_GNTOP_END, 10, 0), -KEEL_EBUSY);          /* still pinned */
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, d), 0);
    CHECK(!(gtable[10].flags & KEEL_GTF_WRITING));
    CHECK_EQ(gnt(KEEL_GNTOP_END, 10, 0), 0);
    CHECK_EQ(assign(KEEL_DOMID_SELF), 0);
}

void grant_device_tests(void)
{
    grant(REF_RW, dev_page, 0, KEEL_GTF_PERMIT);
    grant(REF_RO, pages[2], 0, KEEL_GTF_PERMIT | KEEL_GTF_READONLY);
    refused();
    pin_own_page();
    granter_dies_pinned();
    grantee_dies_pinned();
}

void grant_device_release(void)
{
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_RELEASE, ide_bdf), 0);
}
