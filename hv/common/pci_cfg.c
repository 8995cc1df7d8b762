/*
 * The pure rules of lending a PCI function (keel/pci.h): what a BAR is,
 * which capabilities are guarded, which configuration writes an owner
 * may make, what a quiesced function's command register says.  No state and no hardware: tests/unit/hv_pci_cfg_test.c feeds
 * them hostile values.
 *
 * Everything here treats the device as an adversary that answers whatever
 * it likes: a BAR mask that is not a power of two, a misaligned base, a
 * capability list that loops or points into the header decodes to "broken"
 * or to a guard that over-protects, never to something that opens more.
 */
#include <hv/pci.h>

#define BAR_IO       0x1u
#define BAR_TYPE     0x6u
#define BAR_TYPE_64  0x4u
#define BAR_TYPE_RSV 0x6u
#define BAR_PREFETCH 0x8u

#define CFG_STATUS     0x06
#define STATUS_CAPS    0x10u
#define CFG_CAP_PTR    0x34
#define CFG_HEADER_END 0x40u
#define CAP_HOPS_MAX   48u

#define CMD_QUIESCED_OFF 0x0007u     /* I/O, memory, bus master */
#define CMD_INTX_OFF     0x0400u

#define CAP_PM    0x01
#define CAP_MSI   0x05
#define CAP_PCIE  0x10
#define CAP_MSIX  0x11

static bool pow2(uint64_t x)
{
    return x && !(x & (x - 1));
}

/* 16-bit decoders may read back 0 in the upper half of an I/O BAR. */
static void decode_io(uint32_t lo, uint32_t mask, struct keel_pci_bar *b)
{
    uint32_t m = mask & ~3u;

    if (!(m & 0xffffu))
        return;                               /* not implemented */
    if (!(m >> 16))
        m |= 0xffff0000u;
    b->base = lo & ~3u;
    b->size = (uint32_t)(~m + 1);
    b->type = KEEL_PCI_BAR_IO;
    if (!pow2(b->size) || (b->base & (b->size - 1)))
        b->type |= PCI_BAR_BROKEN;
}

unsigned pci_bar_decode(uint32_t lo, uint32_t mask_lo, uint32_t hi, uint32_t mask_hi,
                        struct keel_pci_bar *b)
{
    bool wide = (lo & (BAR_IO | BAR_TYPE)) == BAR_TYPE_64;
    uint64_t base = lo & ~0xfull, mask = mask_lo & ~0xfull;

    *b = (struct keel_pci_bar){ 0 };
    if (lo & BAR_IO) {
        decode_io(lo, mask_lo, b);
        return 1;
    }
    if (wide) {
        base |= (uint64_t)hi << 32;
        mask |= (uint64_t)mask_hi << 32;
    } else if (mask) {
        mask |= 0xffffffff00000000ull;        /* sizes below 4 GiB */
    }
    if (!mask)
        return wide ? 2 : 1;                  /* not implemented */
    b->base = base;
    b->size = ~mask + 1;
    b->type = (wide ? KEEL_PCI_BAR_MEM64 : KEEL_PCI_BAR_MEM32) |
              (lo & BAR_PREFETCH ? KEEL_PCI_BAR_PREFETCH : 0);
    if ((lo & BAR_TYPE) == BAR_TYPE_RSV || !pow2(b->size) || (base & (b->size - 1)))
        b->type |= PCI_BAR_BROKEN;
    return wide ? 2 : 1;
}

/* MSI: 10 bytes, +4 with 64-bit addresses, +10 with per-vector masking. */
static unsigned cap_len(const uint8_t *cfg, unsigned at)
{
    switch (cfg[at]) {
    case CAP_PM:
        return 8;
    case CAP_MSI:
        return 10 + (cfg[at + 2] & 0x80 ? 4 : 0) + (cfg[at + 3] & 0x01 ? 10 : 0);
    case CAP_PCIE:
        return 0x3c;
    case CAP_MSIX:
        return 12;
    default:
        return 0;
    }
}

/* Too many guarded capabilities to list: guard all of 0x40..0xff. */
static void guard_all(struct pci_cfg_guard *g)
{
    g->n = 1;
    g->r[0].start = CFG_HEADER_END;
    g->r[0].len = PCI_CFG_SIZE - CFG_HEADER_END;
}

void pci_cfg_guards(const uint8_t cfg[PCI_CFG_SIZE], struct pci_cfg_guard *g)
{
    unsigned at = cfg[CFG_CAP_PTR] & 0xfcu;

    g->n = 0;
    if (!(cfg[CFG_STATUS] & STATUS_CAPS))
        return;
    for (unsigned hops = 0; at >= CFG_HEADER_END && hops < CAP_HOPS_MAX; hops++) {
        unsigned len = cap_len(cfg, at);
        if (len && g->n == PCI_GUARDS_MAX) {
            guard_all(g);
            return;
        }
        if (len) {
            g->r[g->n].start = (uint8_t)at;
            g->r[g->n].len = (uint8_t)(len < PCI_CFG_SIZE - at ? len : PCI_CFG_SIZE - at);
            g->n++;
        }
        at = cfg[at + 1] & 0xfcu;
    }
}

/* The first capability with this id, or 0. */
static unsigned find_cap(const uint8_t cfg[PCI_CFG_SIZE], uint8_t id)
{
    unsigned at = cfg[CFG_CAP_PTR] & 0xfcu;

    if (!(cfg[CFG_STATUS] & STATUS_CAPS))
        return 0;
    for (unsigned hops = 0; at >= CFG_HEADER_END && hops < CAP_HOPS_MAX; hops++) {
        if (cfg[at] == id)
            return at;
        at = cfg[at + 1] & 0xfcu;
    }
    return 0;
}

static uint32_t cfg32(const uint8_t cfg[PCI_CFG_SIZE], unsigned at)
{
    return (uint32_t)cfg[at] | (uint32_t)cfg[at + 1] << 8 | (uint32_t)cfg[at + 2] << 16 |
           (uint32_t)cfg[at + 3] << 24;
}

/* The table must lie inside a memory BAR MAP_BAR could map, which is
 * whole pages: then so are the table's pages. */
void pci_msix_locate(const uint8_t cfg[PCI_CFG_SIZE], const struct keel_pci_bar bar[KEEL_PCI_BARS],
                     struct pci_msix_loc *m)
{
    unsigned at = find_cap(cfg, CAP_MSIX);
    uint32_t table, kind;
    const struct keel_pci_bar *b;

    *m = (struct pci_msix_loc){ 0 };
    if (!at || at + 12 > PCI_CFG_SIZE)
        return;
    table = cfg32(cfg, at + 4);
    if ((table & 7u) >= KEEL_PCI_BARS)
        return;
    b = &bar[table & 7u];
    kind = b->type & (0xfu | PCI_BAR_BROKEN);
    m->entries = (uint16_t)((cfg32(cfg, at) >> 16 & 0x7ffu) + 1);
    m->offset = table & ~7u;
    if ((kind != KEEL_PCI_BAR_MEM32 && kind != KEEL_PCI_BAR_MEM64) ||
        b->size > KEEL_PCI_BAR_MAP_MAX || m->offset > b->size ||
        b->size - m->offset < (uint64_t)m->entries * PCI_MSIX_ENTRY_SIZE) {
        *m = (struct pci_msix_loc){ 0 };
        return;
    }
    m->cap = (uint8_t)at;
    m->bar = (uint8_t)(table & 7u);
}

bool pci_msix_table_page(const struct pci_msix_loc *m, unsigned bar, uint64_t off)
{
    uint64_t first = m->offset & ~0xfffull;
    uint64_t end = (uint64_t)m->offset + (uint64_t)m->entries * PCI_MSIX_ENTRY_SIZE;

    return m->cap && bar == m->bar && off >= first && off < end;
}

bool pci_cfg_access_ok(uint32_t offset, uint32_t size)
{
    return (size == 1 || size == 2 || size == 4) && offset < PCI_CFG_SIZE &&
           offset % size == 0;
}

static bool guarded(const struct pci_cfg_guard *g, unsigned off)
{
    for (unsigned i = 0; i < g->n && i < PCI_GUARDS_MAX; i++)
        if (off >= g->r[i].start && off - g->r[i].start < g->r[i].len)
            return true;
    return false;
}

/* The bits of configuration byte `off` an owner may change. */
static uint8_t writable(const struct pci_cfg_guard *g, unsigned off)
{
    if (off >= CFG_HEADER_END)
        return guarded(g, off) ? 0 : 0xff;
    switch (off) {
    case 0x04:
        return 0x07;            /* I/O space, memory space, bus master */
    case 0x05:
        return 0x04;            /* INTx disable */
    case 0x06:
    case 0x07:                  /* status: write 1 to clear */
    case 0x0c:                  /* cache line size */
    case 0x0d:                  /* latency timer */
        return 0xff;
    default:
        return 0;               /* ids, BARs, ROM, interrupt line, ... */
    }
}

bool pci_cfg_write_ok(const struct pci_cfg_guard *g, unsigned offset,
                      unsigned size, uint32_t cur, uint32_t val)
{
    for (unsigned i = 0; i < size; i++) {
        uint8_t c = (uint8_t)(cur >> (8 * i)), v = (uint8_t)(val >> (8 * i));
        if ((c ^ v) & ~writable(g, offset + i))
            return false;
    }
    return true;
}

uint32_t pci_cmd_quiesced(uint32_t cmd)
{
    return (cmd & ~CMD_QUIESCED_OFF) | CMD_INTX_OFF;
}
