/*
 * Multiboot v1 information: memory map, boot modules, command line.
 *
 * Parsed first thing, while only the boot mapping exists (physical
 * [0, 1 GiB) at HV_IMAGE_BASE), and copied into static storage so that
 * nothing of the loader's structures is needed afterwards.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/pci.h>
#include "x86.h"

#define MB_BOOT_MAGIC 0x2badb002u
#define MBI_CMDLINE  (1u << 2)
#define MBI_MODS     (1u << 3)
#define MBI_MMAP     (1u << 6)
#define BOOT_MAP_END (1ull << 30)
#define MAX_MMAP 64
#define MAX_RSV  (HV_MAX_MODULES + 8)

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_module { uint32_t start, end, string, reserved; } __attribute__((packed));
struct mb_mmap { uint32_t size; uint64_t addr, len; uint32_t type; } __attribute__((packed));

struct boot_module hv_boot_modules[HV_MAX_MODULES];
unsigned hv_nr_boot_modules;
char hv_boot_cmdline[256];

static struct phys_range ram[MAX_MMAP], rsv[MAX_RSV];
static unsigned nram, nrsv;
/* every range the memory map describes, of any type (RAM, ACPI, reserved) */
static struct phys_range described[MAX_MMAP];
static unsigned ndescribed;
static bool map_truncated;         /* more entries than described[] holds */

extern char _bss_end_phys[];

/* A loader-provided physical range, reachable through the boot mapping? */
static const void *boot_ptr(uint64_t pa, uint64_t len)
{
    if (pa + len < pa || pa + len > BOOT_MAP_END)
        panic("multiboot: structure at %#lx is beyond the first GiB", pa);
    return (const void *)(pa + HV_IMAGE_BASE);
}

static void copy_string(char *dst, size_t size, uint64_t pa)
{
    const char *s = boot_ptr(pa, 1);
    size_t n = strnlen(s, MIN(size - 1, BOOT_MAP_END - pa - 1));

    memcpy(dst, s, n);
    dst[n] = 0;
}

static void add_rsv(uint64_t start, uint64_t end)
{
    if (nrsv == MAX_RSV)
        panic("multiboot: too many reserved ranges");
    rsv[nrsv++] = (struct phys_range){ start, end };
}

/* name = basename of the first word of the module string */
static void module_name(struct boot_module *m)
{
    const char *s = m->cmdline, *base = s;
    size_t n = 0;

    for (const char *p = s; *p && *p != ' '; p++)
        if (*p == '/')
            base = p + 1;
    while (base[n] && base[n] != ' ' && n < sizeof(m->name) - 1)
        n++;
    memcpy(m->name, base, n);
    m->name[n] = 0;
}

static void parse_modules(const struct mb_info *mbi)
{
    const struct mb_module *mods;

    if (!(mbi->flags & MBI_MODS))
        return;
    if (mbi->mods_count > HV_MAX_MODULES)
        panic("multiboot: %u modules, at most %u supported",
              mbi->mods_count, HV_MAX_MODULES);
    mods = boot_ptr(mbi->mods_addr, mbi->mods_count * sizeof(*mods));
    add_rsv(mbi->mods_addr, mbi->mods_addr + mbi->mods_count * sizeof(*mods));
    for (unsigned i = 0; i < mbi->mods_count; i++) {
        struct boot_module *m = &hv_boot_modules[i];
        if (mods[i].end < mods[i].start)
            panic("multiboot: module %u ends before it starts", i);
        m->phys = mods[i].start;
        m->bytes = mods[i].end - mods[i].start;
        if (mods[i].string)
            copy_string(m->cmdline, sizeof(m->cmdline), mods[i].string);
        module_name(m);
        add_rsv(mods[i].start, mods[i].end);
    }
    hv_nr_boot_modules = mbi->mods_count;
}

static void parse_mmap(const struct mb_info *mbi)
{
    uint64_t off = 0;

    if (!(mbi->flags & MBI_MMAP))
        panic("multiboot: the loader gave no memory map");
    const uint8_t *base = boot_ptr(mbi->mmap_addr, mbi->mmap_length);
    while (off + sizeof(struct mb_mmap) <= mbi->mmap_length) {
        const struct mb_mmap *e = (const void *)(base + off);
        if (e->type == 1 && e->len && nram < MAX_MMAP &&
            e->addr + e->len > e->addr)
            ram[nram++] = (struct phys_range){ e->addr, e->addr + e->len };
        if (ndescribed == MAX_MMAP || e->addr + e->len < e->addr)
            map_truncated = true;
        else if (e->len)
            described[ndescribed++] = (struct phys_range){ e->addr, e->addr + e->len };
        off += e->size + 4;
    }
}

void multiboot_parse(uint32_t magic, uint64_t mbi_pa)
{
    if (magic != MB_BOOT_MAGIC)
        panic("not started by a multiboot loader (magic %#x)", magic);
    const struct mb_info *mbi = boot_ptr(mbi_pa, sizeof(*mbi));
    add_rsv(mbi_pa, mbi_pa + sizeof(*mbi));
    add_rsv(0x100000, (uint64_t)_bss_end_phys);     /* the image */
    if (mbi->flags & MBI_CMDLINE)
        copy_string(hv_boot_cmdline, sizeof(hv_boot_cmdline), mbi->cmdline);
    parse_mmap(mbi);
    parse_modules(mbi);
}

unsigned multiboot_ram(struct phys_range *out, unsigned max)
{
    unsigned n = MIN(nram, max);

    memcpy(out, ram, n * sizeof(*out));
    return n;
}

unsigned multiboot_reserved(struct phys_range *out, unsigned max)
{
    unsigned n = MIN(nrsv, max);

    memcpy(out, rsv, n * sizeof(*out));
    return n;
}

/* Device memory that may be lent (hv/pci.h): nothing the memory map
 * describes (RAM, ACPI tables, firmware), not the low megabyte, not
 * FEC00000-FFFFFFFF (IOAPICs, HPET, LAPIC, boot flash).  A memory map too
 * long to keep lends nothing. */
bool arch_mmio_lendable(uint64_t base, uint64_t size)
{
    uint64_t end = base + size;

    if (!size || end < base || map_truncated || base < (1ull << 20))
        return false;
    if (base < (1ull << 32) && end > 0xfec00000ull)
        return false;
    for (unsigned i = 0; i < ndescribed; i++)
        if (base < described[i].end && described[i].start < end)
            return false;
    return true;
}

/* Modules must start on a page (arch.h): copy any that does not. */
void multiboot_fix_modules(void)
{
    for (unsigned i = 0; i < hv_nr_boot_modules; i++) {
        struct boot_module *m = &hv_boot_modules[i];
        if (!(m->phys & ~PAGE_MASK))
            continue;
        uint64_t pages = ALIGN_UP(m->bytes, PAGE_SIZE) / PAGE_SIZE;
        uint64_t pa = frames_alloc_range(pages ? pages : 1);
        if (!pa)
            panic("no memory to align module %s", m->name);
        memcpy(phys_to_virt(pa), phys_to_virt(m->phys), m->bytes);
        m->phys = pa;
    }
}
