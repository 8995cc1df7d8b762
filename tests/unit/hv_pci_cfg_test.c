/*
 * The pure rules of lending a PCI function (hv/common/pci_cfg.c): BARs as
 * QEMU's virtio devices and hostile devices answer sizing, the guarded
 * capabilities of a configuration space (loops, pointers into the header,
 * more guards than fit), the write filter: what a driver needs passes,
 * nothing that moves the function or enables MSI / MSI-X does; and where
 * an MSI-X table is, refused when it is not inside a lendable memory BAR.
 */
#include "ktest.h"
#include "../../hv/common/pci_cfg.c"

static struct keel_pci_bar bar;

/* register values as QEMU's devices answer them, and what they decode to */
static const struct {
    uint32_t lo, mask_lo, hi, mask_hi;
    unsigned used, type;
    uint64_t base, size;
} sane[] = {
    { 0xc041, 0xffffffe1, 0, 0, 1, KEEL_PCI_BAR_IO, 0xc040, 0x20 },
    /* a 16-bit decoder reads 0 back in the upper half */
    { 0xc041, 0x0000ffe1, 0, 0, 1, KEEL_PCI_BAR_IO, 0xc040, 0x20 },
    { 0xfebd1000, 0xfffff000, 0, 0, 1, KEEL_PCI_BAR_MEM32, 0xfebd1000, 0x1000 },
    /* QEMU's modern virtio BAR: 64-bit, prefetchable, 16 KiB */
    { 0xfe00000c, 0xffffc00c, 1, 0xffffffff, 2,
      KEEL_PCI_BAR_MEM64 | KEEL_PCI_BAR_PREFETCH, 0x1fe000000ull, 0x4000 },
    { 0x4, 0x4, 0x4, 0xfffffffe, 2, KEEL_PCI_BAR_MEM64, 16ull << 30, 8ull << 30 },
    /* not implemented: all zero (32-bit, I/O, 64-bit) */
    { 0, 0, 0, 0, 1, KEEL_PCI_BAR_NONE, 0, 0 },
    { 1, 1, 0, 0, 1, KEEL_PCI_BAR_NONE, 0, 0 },
    { 4, 4, 0, 0, 2, KEEL_PCI_BAR_NONE, 0, 0 },
};

KTEST(sane_bars)
{
    for (unsigned i = 0; i < sizeof(sane) / sizeof(sane[0]); i++) {
        EXPECT_EQ(pci_bar_decode(sane[i].lo, sane[i].mask_lo, sane[i].hi,
                                 sane[i].mask_hi, &bar), sane[i].used);
        EXPECT_EQ(bar.type, sane[i].type);
        EXPECT_EQ(bar.base, sane[i].base);
        EXPECT_EQ(bar.size, sane[i].size);
    }
}

KTEST(hostile_bars_are_broken)
{
    /* mask with a hole: not a power of two */
    pci_bar_decode(0xfe000000, 0xff0ff000, 0, 0, &bar);
    EXPECT(bar.type & PCI_BAR_BROKEN);
    /* base not aligned to the size */
    pci_bar_decode(0xfe001000, 0xffffc000, 0, 0, &bar);
    EXPECT(bar.type & PCI_BAR_BROKEN);
    /* reserved memory type */
    pci_bar_decode(0xfe000006, 0xfffff006, 0, 0, &bar);
    EXPECT(bar.type & PCI_BAR_BROKEN);
    /* I/O: a hole in the mask, a misaligned base */
    pci_bar_decode(0xc001, 0xfffffe61, 0, 0, &bar);
    EXPECT(bar.type & PCI_BAR_BROKEN);
    pci_bar_decode(0xc011, 0xffffffe1, 0, 0, &bar);
    EXPECT(bar.type & PCI_BAR_BROKEN);
    /* the good ones are not */
    pci_bar_decode(0xc041, 0xffffffe1, 0, 0, &bar);
    EXPECT(!(bar.type & PCI_BAR_BROKEN));
}

static uint8_t cfg[PCI_CFG_SIZE];
static struct pci_cfg_guard g;

static void cap(unsigned at, uint8_t id, uint8_t next)
{
    cfg[at] = id;
    cfg[at + 1] = next;
}

/* An empty configuration space whose capability list starts at first. */
static void caps_from(uint8_t first)
{
    memset(cfg, 0, sizeof(cfg));
    cfg[0x06] = STATUS_CAPS;
    cfg[0x34] = first;
}

/* QEMU's virtio-net-pci: MSI-X at 0x98, vendor capabilities 0x84..0x40 */
static void virtio_like(void)
{
    caps_from(0x98);
    cap(0x98, CAP_MSIX, 0x84);
    cap(0x84, 0x09, 0x70);
    cap(0x70, 0x09, 0x60);
    cap(0x60, 0x09, 0x50);
    cap(0x50, 0x09, 0x40);
    cap(0x40, 0x09, 0x00);
}

KTEST(guards_of_a_virtio_device)
{
    virtio_like();
    pci_cfg_guards(cfg, &g);
    EXPECT_EQ(g.n, 1);
    EXPECT_EQ(g.r[0].start, 0x98);
    EXPECT_EQ(g.r[0].len, 12);
}

KTEST(msi_length_follows_its_control)
{
    caps_from(0x50);
    cap(0x50, CAP_MSI, 0x70);
    cfg[0x52] = 0x80;                 /* 64-bit */
    cfg[0x53] = 0x01;                 /* per-vector masking */
    cap(0x70, CAP_PM, 0xf8);
    cap(0xf8, CAP_PCIE, 0);           /* runs off the end: clipped */
    pci_cfg_guards(cfg, &g);
    EXPECT_EQ(g.n, 3);
    EXPECT_EQ(g.r[0].len, 24);
    EXPECT_EQ(g.r[1].start, 0x70);
    EXPECT_EQ(g.r[1].len, 8);
    EXPECT_EQ(g.r[2].start, 0xf8);
    EXPECT_EQ(g.r[2].len, 8);
}

KTEST(hostile_capability_lists)
{
    /* a loop ends after a bounded walk */
    caps_from(0x40);
    cap(0x40, 0x09, 0x44);
    cap(0x44, 0x09, 0x40);
    pci_cfg_guards(cfg, &g);
    EXPECT_EQ(g.n, 0);
    /* a pointer into the header ends the walk */
    cfg[0x34] = 0x10;
    pci_cfg_guards(cfg, &g);
    EXPECT_EQ(g.n, 0);
    /* no capability list bit: nothing is read */
    cfg[0x06] = 0;
    cfg[0x34] = 0x40;
    cap(0x40, CAP_MSIX, 0);
    pci_cfg_guards(cfg, &g);
    EXPECT_EQ(g.n, 0);
    /* more guarded capabilities than fit: everything is guarded */
    cfg[0x06] = STATUS_CAPS;
    for (unsigned i = 0; i < 10; i++)
        cap(0x40 + 0x10 * i, CAP_PM, i < 9 ? 0x50 + 0x10 * i : 0);
    pci_cfg_guards(cfg, &g);
    EXPECT_EQ(g.n, 1);
    EXPECT_EQ(g.r[0].start, 0x40);
    EXPECT_EQ(g.r[0].len, 0xc0);
}

/* MSI-X control (table size - 1) and table offset/BIR at cap + 2, + 4 */
static void msix_table(unsigned at, uint16_t size_minus_1, uint32_t where)
{
    cfg[at + 2] = (uint8_t)size_minus_1;
    cfg[at + 3] = (uint8_t)(size_minus_1 >> 8);
    memcpy(&cfg[at + 4], &where, 4);
}

static struct keel_pci_bar bars[KEEL_PCI_BARS];
static struct pci_msix_loc loc;

/* QEMU's virtio: BAR 1, 4 KiB, the table at 0 and the PBA at 0x800 */
static void virtio_bars(void)
{
    memset(bars, 0, sizeof(bars));
    bars[0] = (struct keel_pci_bar){ 0xc040, 0x20, KEEL_PCI_BAR_IO, 0 };
    bars[1] = (struct keel_pci_bar){ 0xfebd1000, 0x1000, KEEL_PCI_BAR_MEM32, 0 };
    bars[4] = (struct keel_pci_bar){ 0xfe000000, 0x4000,
                                     KEEL_PCI_BAR_MEM64 | KEEL_PCI_BAR_PREFETCH, 0 };
}

KTEST(msix_table_of_a_virtio_device)
{
    virtio_like();
    virtio_bars();
    msix_table(0x98, 2, 1);                  /* 3 entries, BAR 1, offset 0 */
    pci_msix_locate(cfg, bars, &loc);
    EXPECT_EQ(loc.cap, 0x98);
    EXPECT_EQ(loc.bar, 1);
    EXPECT_EQ(loc.entries, 3);
    EXPECT_EQ(loc.offset, 0);
    EXPECT(pci_msix_table_page(&loc, 1, 0));
    EXPECT(!pci_msix_table_page(&loc, 1, 0x1000));
    EXPECT(!pci_msix_table_page(&loc, 4, 0));
    /* a table over a page boundary: both pages */
    bars[4].size = 0x10000;
    msix_table(0x98, 511, 0x1f84);           /* 512 entries from 0x1f80 */
    pci_msix_locate(cfg, bars, &loc);
    EXPECT_EQ(loc.bar, 4);
    EXPECT_EQ(loc.offset, 0x1f80);
    EXPECT(!pci_msix_table_page(&loc, 4, 0x0000));
    EXPECT(pci_msix_table_page(&loc, 4, 0x1000));
    EXPECT(pci_msix_table_page(&loc, 4, 0x3000));
    EXPECT(!pci_msix_table_page(&loc, 4, 0x4000));
}

/* Nothing the hypervisor could not lend safely: no MSI-X at all. */
KTEST(hostile_msix_tables)
{
    static const struct { uint16_t size_minus_1; uint32_t where; } bad[] = {
        { 0, 0 },                 /* BAR 0: I/O */
        { 0, 2 },                 /* BAR 2: not implemented */
        { 0, 6 }, { 0, 7 },       /* no such BAR */
        { 256, 1 },               /* 257 entries: past a 4 KiB BAR */
        { 0, 0xff8u | 1 },        /* the entry runs past the BAR */
        { 0, 0xfffffff9u },       /* an offset far beyond it */
    };

    virtio_like();
    virtio_bars();
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        msix_table(0x98, bad[i].size_minus_1, bad[i].where);
        pci_msix_locate(cfg, bars, &loc);
        EXPECT_EQ(loc.cap, 0);
        EXPECT(!pci_msix_table_page(&loc, 1, 0));
    }
    msix_table(0x98, 0, 1);
    bars[1].type |= PCI_BAR_BROKEN;
    pci_msix_locate(cfg, bars, &loc);
    EXPECT_EQ(loc.cap, 0);
    bars[1] = (struct keel_pci_bar){ 0xfe000000, 32ull << 20, KEEL_PCI_BAR_MEM32, 0 };
    pci_msix_locate(cfg, bars, &loc);         /* larger than MAP_BAR maps */
    EXPECT_EQ(loc.cap, 0);
    caps_from(0x40);                          /* no MSI-X capability */
    cap(0x40, CAP_PM, 0);
    pci_msix_locate(cfg, bars, &loc);
    EXPECT_EQ(loc.cap, 0);
}

KTEST(access_sizes_and_offsets)
{
    EXPECT(pci_cfg_access_ok(0, 4));
    EXPECT(pci_cfg_access_ok(0xff, 1));
    EXPECT(pci_cfg_access_ok(0xfe, 2));
    EXPECT(!pci_cfg_access_ok(0x100, 1));
    EXPECT(!pci_cfg_access_ok(0xffffffff, 1));
    EXPECT(!pci_cfg_access_ok(2, 4));
    EXPECT(!pci_cfg_access_ok(1, 2));
    EXPECT(!pci_cfg_access_ok(0, 3));
    EXPECT(!pci_cfg_access_ok(0, 8));
    EXPECT(!pci_cfg_access_ok(0, 0));
}

KTEST(write_filter)
{
    virtio_like();
    pci_cfg_guards(cfg, &g);
    /* command: decode, bus master, INTx disable; SERR kept as it is */
    EXPECT(pci_cfg_write_ok(&g, 0x04, 2, 0x0100, 0x0507));
    EXPECT(!pci_cfg_write_ok(&g, 0x04, 2, 0x0100, 0x0007));   /* SERR off */
    EXPECT(!pci_cfg_write_ok(&g, 0x04, 1, 0x00, 0x10));       /* MWI */
    /* the dword at 4: command and write-1-to-clear status together */
    EXPECT(pci_cfg_write_ok(&g, 0x04, 4, 0x02100000, 0xf9100007));
    /* BARs: sizing and moving refused, writing back what is there fine */
    EXPECT(!pci_cfg_write_ok(&g, 0x10, 4, 0xc041, 0xffffffff));
    EXPECT(!pci_cfg_write_ok(&g, 0x10, 4, 0xc041, 0xc081));
    EXPECT(pci_cfg_write_ok(&g, 0x10, 4, 0xc041, 0xc041));
    EXPECT(!pci_cfg_write_ok(&g, 0x30, 4, 0, 1));              /* ROM enable */
    EXPECT(!pci_cfg_write_ok(&g, 0x3c, 1, 11, 5));             /* interrupt line */
    EXPECT(!pci_cfg_write_ok(&g, 0x00, 2, 0x1af4, 0x8086));
    EXPECT(pci_cfg_write_ok(&g, 0x0c, 2, 0, 0x4010));          /* cache line, latency */
    /* MSI-X control (0x9a): enable refused; vendor capabilities writable */
    EXPECT(!pci_cfg_write_ok(&g, 0x9a, 2, 0x0002, 0x8002));
    EXPECT(!pci_cfg_write_ok(&g, 0xa0, 4, 0, 1));
    EXPECT(pci_cfg_write_ok(&g, 0xa4, 4, 0, 1));               /* past MSI-X */
    EXPECT(pci_cfg_write_ok(&g, 0x88, 4, 0, 0xdeadbeef));
}

/* Quiesced: decoding, bus mastering off, INTx disabled, the rest kept;
 * an owner may write back what it reads (the filter allows those bits). */
KTEST(quiesced_command)
{
    EXPECT_EQ(pci_cmd_quiesced(0x0107), 0x0500);              /* SERR kept */
    EXPECT_EQ(pci_cmd_quiesced(0x0000), 0x0400);
    EXPECT_EQ(pci_cmd_quiesced(0x0400), 0x0400);
    virtio_like();
    pci_cfg_guards(cfg, &g);
    EXPECT(pci_cfg_write_ok(&g, 0x04, 2, 0x0107, pci_cmd_quiesced(0x0107)));
}

KTEST_MAIN(KTEST_CASE(sane_bars), KTEST_CASE(hostile_bars_are_broken), KTEST_CASE(guards_of_a_virtio_device),
           KTEST_CASE(msi_length_follows_its_control), KTEST_CASE(hostile_capability_lists),
           KTEST_CASE(access_sizes_and_offsets), KTEST_CASE(write_filter),
           KTEST_CASE(quiesced_command), KTEST_CASE(msix_table_of_a_virtio_device),
           KTEST_CASE(hostile_msix_tables))
