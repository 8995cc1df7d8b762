/*
 * The hypervisor's own mappings: the upper half (PML4 slots 256..511) that
 * every address space shares.
 *
 *   HV_DIRECT_MAP_BASE + pa   all RAM, 2 MiB pages, rw, NX, global
 *   HV_IMAGE_BASE + pa        the image, 4 KiB pages: text r-x, rodata r--,
 *                             data/bss rw- NX (W^X)
 *   HV_STACK_AREA_BASE        CPU stacks, 4 KiB pages, each one above an
 *                             unmapped guard page (kmap_stack)
 *
 * Built before the frame allocator exists, from a pool of pages in .bss
 * (reached through the boot mapping of the first GiB at HV_IMAGE_BASE);
 * later additions (firmware tables, the LAPIC page) use frame_alloc.
 * Upper-half PML4 slots are only ever filled during boot, before the first
 * as_create copies them.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include "pt.h"
#include "x86.h"

#define POOL_PAGES 80   /* direct map for ~64 GiB of RAM, plus the image */

extern char _text_start[], _text_end[], _rodata_start[], _rodata_end[];
extern char _data_start[], _data_end[];

static uint8_t pool[POOL_PAGES][PAGE_SIZE] __aligned(PAGE_SIZE);
static unsigned pool_used;
static bool direct_map_live;
uint64_t hv_kernel_pml4;

static void *table_virt(uint64_t pa)
{
    return direct_map_live ? phys_to_virt(pa) : (void *)(pa + HV_IMAGE_BASE);
}

static uint64_t table_alloc(void *ctx)
{
    (void)ctx;
    if (direct_map_live)
        return frame_alloc_zeroed();
    if (pool_used == POOL_PAGES)
        panic("kpaging: boot page-table pool exhausted (too much RAM?)");
    return (uint64_t)pool[pool_used++] - HV_IMAGE_BASE;
}

static const struct pt_ops kops = { table_alloc, table_virt, NULL };

static void map_2m(uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t *e = pt_walk(hv_kernel_pml4, va, 1, PT_TABLE_KERNEL, &kops);

    if (!e)
        panic("kpaging: cannot map %#lx", va);
    if (!(*e & PTE_P))
        *e = pa | flags | PTE_PS;
}

static void map_4k(uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t *e = pt_walk(hv_kernel_pml4, va, 0, PT_TABLE_KERNEL, &kops);

    if (!e)
        panic("kpaging: cannot map %#lx", va);
    *e = pa | flags;
}

static void map_image_range(const char *start, const char *end, uint64_t flags)
{
    for (uint64_t va = (uint64_t)start; va < (uint64_t)end; va += PAGE_SIZE)
        map_4k(va, va - HV_IMAGE_BASE, flags);
}

/* Build the final upper half and switch to it. */
void kpaging_init(void)
{
    struct phys_range ram[64];
    unsigned n = multiboot_ram(ram, ARRAY_SIZE(ram));
    uint64_t dm = PTE_P | PTE_W | PTE_G | PTE_NX;

    hv_kernel_pml4 = table_alloc(NULL);
    for (unsigned i = 0; i < n; i++) {
        uint64_t s = ram[i].start & ~0x1fffffull;
        for (uint64_t pa = s; pa < ram[i].end; pa += 0x200000)
            map_2m(HV_DIRECT_MAP_BASE + pa, pa, dm);
    }
    map_image_range(_text_start, _text_end, PTE_P | PTE_G);
    map_image_range(_rodata_start, _rodata_end, PTE_P | PTE_G | PTE_NX);
    map_image_range(_data_start, _data_end, PTE_P | PTE_W | PTE_G | PTE_NX);
    /* every upper-half slot an address space will ever need exists now */
    uint64_t *pml4 = table_virt(hv_kernel_pml4);
    if (!(pml4[256] & PTE_P))
        panic("kpaging: no RAM in the memory map");
    write_cr3(hv_kernel_pml4);
    direct_map_live = true;
}

/* Make [pa, pa + len) reachable through the direct map with `flags`,
 * one 4 KiB page at a time where nothing maps it yet. */
static void *kmap(uint64_t pa, uint64_t len, uint64_t flags, bool need_flags)
{
    uint64_t end = ALIGN_UP(pa + len, PAGE_SIZE);

    for (uint64_t p = pa & PAGE_MASK; p < end; p += PAGE_SIZE) {
        uint64_t va = HV_DIRECT_MAP_BASE + p;
        uint64_t *pd = pt_walk(hv_kernel_pml4, va, 1, PT_TABLE_KERNEL, &kops);
        if (pd && (*pd & PTE_PS)) {
            if (need_flags)
                panic("kmap: %#lx is inside a cached 2 MiB RAM page", p);
            continue;
        }
        uint64_t *e = pt_walk(hv_kernel_pml4, va, 0, PT_TABLE_KERNEL, &kops);
        if (!e)
            panic("kmap: cannot map %#lx", p);
        if (!(*e & PTE_P) || need_flags) {
            *e = p | flags;
            invlpg(va);
        }
    }
    return phys_to_virt(pa);
}

void *kmap_firmware(uint64_t pa, uint64_t len)
{
    return kmap(pa, len, PTE_P | PTE_W | PTE_G | PTE_NX, false);
}

void *kmap_mmio(uint64_t pa, uint64_t len)
{
    return kmap(pa, len, PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_G | PTE_NX, true);
}

/* A stack reached through the direct map would overflow silently into
 * whatever frame lies below it.  Here each stack gets its own virtual
 * range with an unmapped page beneath, so running off its bottom faults;
 * the #PF cannot be delivered on that stack and becomes a #DF, which runs
 * on an IST stack and reports it (trap.c).  Called at boot only, on the
 * boot CPU, before any address space copies the upper half. */
void *kmap_stack(uint64_t pa, uint64_t bytes)
{
    static uint64_t next = HV_STACK_AREA_BASE;
    uint64_t base = next + PAGE_SIZE;          /* the guard: left unmapped */

    bytes = ALIGN_UP(bytes, PAGE_SIZE);
    if (base + bytes > HV_STACK_AREA_END)
        panic("kpaging: stack area full");
    for (uint64_t off = 0; off < bytes; off += PAGE_SIZE)
        map_4k(base + off, pa + off, PTE_P | PTE_W | PTE_G | PTE_NX);
    next = base + bytes;
    return (void *)base;
}

bool kpaging_is_stack_guard(uint64_t va)
{
    static const struct pt_ops lookup_only = { NULL, table_virt, NULL };
    uint64_t *e;

    if (va < HV_STACK_AREA_BASE || va >= HV_STACK_AREA_END)
        return false;
    e = pt_walk(hv_kernel_pml4, va, 0, PT_TABLE_KERNEL, &lookup_only);
    return !e || !(*e & PTE_P);
}

/* The AP trampoline turns paging on while running at its physical address
 * below 1 MiB, so during bring-up the first 2 MiB are also identity mapped
 * (slot 0: no address space exists yet). */
void kpaging_identity_low(bool on)
{
    uint64_t *pml4 = phys_to_virt(hv_kernel_pml4);

    if (on) {
        uint64_t *pd = pt_walk(hv_kernel_pml4, 0, 1, PT_TABLE_KERNEL, &kops);
        if (!pd)
            panic("kpaging: no identity map for the trampoline");
        *pd = PTE_P | PTE_W | PTE_PS;
        return;
    }
    uint64_t pdpt = pml4[0] & PTE_ADDR;
    uint64_t pd = *(uint64_t *)phys_to_virt(pdpt) & PTE_ADDR;
    pml4[0] = 0;
    write_cr3(hv_kernel_pml4);
    frame_free(pd);
    frame_free(pdpt);
}
