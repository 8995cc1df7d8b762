/*
 * Building domain zero: the only image the hypervisor itself parses (every
 * other domain is built by dom0's toolstack).  Boot module 0 is validated
 * by the checker dom0 uses for guests (lib/image/elf_check.c, with
 * KEEL_IMAGE_PRIVILEGED required), laid out as keel/start_info.h says
 * (layout.c), loaded through the checked guest accessors, given its page
 * rights, the other boot modules mapped read-only one after another at
 * KEEL_DOM0_MODULE_VA, and started.  Anything wrong ends the boot with a
 * clear reason, in the words a guest's refusal gets.
 */
#include <keel/net.h>
#include <hv/domain.h>
#include <hv/guest_access.h>
#include <hv/layout.h>
#include <hv/lib.h>
#include <image/elf_check.h>
#include <image/layout.h>

static const char dom0_args[] = "dom0";   /* argv[0]; sizeof counts the NUL */

/* dom0 serves every guest's console and NIC: one port of its own per
 * guest (shared by both, keel/device.h), one grant map per console and
 * KEEL_NET_RING_PAGES per NIC, for up to KEEL_LAUNCH_MAX_GUESTS guests
 * (keel/launch.h), so it may have every port, map and grant reference the
 * ABI allows.  Its foreign window
 * only ever holds what the toolstack maps at once (a batch of a load, a
 * page a backtrace reads): 64 MiB of it.  It drives the lent devices
 * (docs/devices.md): 8 MiB of DMA pages, about four times what a NIC with
 * two queues of 256 descriptors and 2 KiB buffers (1 MiB and its rings)
 * and a disk need, and a BAR window for 16 BARs of up to 2 MiB (a virtio
 * function maps two).  Its reserve is 2853 frames, 2079 of them for the
 * devices (docs/memory.md). */
#define DOM0_FOREIGN_PAGES 16384u
#define DOM0_DMA_PAGES     2048u
#define DOM0_MMIO_PAGES    (16 * KEEL_PCI_MMIO_STEP)
static const struct keel_domain_limits dom0_limits = {
    .grant_entries = KEEL_GRANT_MAX_ENTRIES,
    .grant_maps = KEEL_GRANT_MAX_MAPS,
    .evtchn_ports = KEEL_EVTCHN_PORTS - 1,
    .foreign_pages = DOM0_FOREIGN_PAGES,
    .dma_pages = DOM0_DMA_PAGES,
    .mmio_pages = DOM0_MMIO_PAGES,
};
_Static_assert(KEEL_LAUNCH_MAX_GUESTS + 3 <= KEEL_EVTCHN_PORTS - 1 &&
               KEEL_LAUNCH_MAX_GUESTS * (1 + KEEL_NET_RING_PAGES) <= KEEL_GRANT_MAX_MAPS,
               "dom0's limits hold a console and a NIC for every guest of a run");

static __noreturn void fail(const char *what, const char *why)
{
    printk("dom0: %s: %s", what, why);
    arch_poweroff(KEEL_STATUS_MACHINE);
}

static void load_segments(struct domain *d, const uint8_t *img, const struct image_info *ei)
{
    for (unsigned i = 0; i < ei->nsegs; i++) {
        const struct image_seg *s = &ei->seg[i];
        if (copy_to_guest(d, s->vaddr, img + s->offset, s->filesz))
            fail("loading", "segment copy failed");
    }
}

/* Segment pages get their union of rights, gaps between them none; the
 * start info, module list and arguments r-- (the builder's word, which no
 * grant may make writable); the guard page below the stack none;
 * everything else stays rw (NX). */
static void set_rights(struct domain *d, const struct image_info *ei,
                       const struct guest_layout *l)
{
    for (uint64_t va = KEEL_GUEST_BASE; va < l->info_va; va += PAGE_SIZE)
        if (as_set_rights(&d->as, va, image_page_rights(ei, va)))
            fail("rights", "page not mapped");
    for (uint64_t va = l->info_va; va < l->heap_start; va += PAGE_SIZE)
        if (as_set_rights(&d->as, va, KEEL_RIGHT_R))
            fail("rights", "start info not mapped");
    if (as_set_rights(&d->as, l->heap_end, 0))
        fail("rights", "guard page not mapped");
}

/* A module's name is its label: what follows the file name in its module
 * string ("<path> keel-run", "<path> hello", as `keel run` passes them);
 * a module without a label is named after its file (boot_module.name). */
static void module_label(const struct boot_module *bm, char *out)
{
    const char *s = bm->cmdline, *end = bm->cmdline + sizeof(bm->cmdline);

    while (s < end && *s && *s != ' ')
        s++;
    while (s < end && *s == ' ')
        s++;
    if (s == end || !*s)
        s = bm->name, end = bm->name + sizeof(bm->name);
    for (size_t n = 0; n < KEEL_MODULE_NAME_MAX - 1 && s + n < end && s[n]; n++)
        out[n] = s[n];
}

/* Every boot module, dom0's own image included, goes read-only at
 * KEEL_DOM0_MODULE_VA, page after page, so that modules[i] is boot module i
 * (keel/launch.h numbers them: 1 the manifest, 2 + i guest i). */
static void map_modules(struct domain *d, struct keel_module *mods, unsigned n)
{
    uint64_t va = KEEL_DOM0_MODULE_VA;

    for (unsigned i = 0; i < n; i++) {
        const struct boot_module *bm = &hv_boot_modules[i];
        uint64_t pages = ALIGN_UP(bm->bytes, PAGE_SIZE) / PAGE_SIZE;
        for (uint64_t p = 0; p < pages; p++)
            if (as_map(&d->as, va + p * PAGE_SIZE, bm->phys + p * PAGE_SIZE,
                       KEEL_RIGHT_R, AS_FOREIGN))
                fail("modules", "cannot map a boot module");
        mods[i].va = va;
        mods[i].bytes = bm->bytes;
        module_label(bm, mods[i].name);
        va += pages * PAGE_SIZE;
    }
}

/* Start info, the module array and the arguments, in one buffer copied in. */
static void write_start_info(struct domain *d, const struct guest_layout *l, unsigned nmods)
{
    uint64_t bytes = l->args_va + l->args_bytes - l->info_va;
    uint8_t *buf = kzalloc(bytes);
    struct keel_start_info *si = (struct keel_start_info *)buf;

    if (!buf)
        fail("start info", "out of memory");
    memcpy(si->magic, KEEL_START_MAGIC, sizeof(si->magic));
    si->abi_version = KEEL_ABI_VERSION;
    si->flags = KEEL_SIF_PRIVILEGED;
    si->domid = d->id;
    si->nr_cpus = hv_nr_cpus;
    si->mem_base = l->mem_base;
    si->mem_bytes = l->mem_bytes;
    si->heap_start = l->heap_start;
    si->heap_end = l->heap_end;
    si->stack_top = l->stack_top;
    si->stack_bytes = l->stack_bytes;
    si->shared_info_va = KEEL_SHARED_INFO_VA;
    si->args_va = l->args_va;
    si->args_bytes = l->args_bytes;
    si->argc = 1;
    si->nr_modules = nmods;
    si->modules_va = l->modules_va;
    map_modules(d, (struct keel_module *)(buf + (l->modules_va - l->info_va)), nmods);
    memcpy(buf + (l->args_va - l->info_va), dom0_args, sizeof(dom0_args));
    if (copy_to_guest(d, l->info_va, buf, bytes))
        fail("start info", "copy failed");
    kfree(buf);
}

static void start(struct domain *d, uint64_t entry, const struct guest_layout *l)
{
    struct keel_vcpu_context ctx = { .rip = entry, .rsp = l->stack_top, .rdi = l->info_va };

    if (arch_vcpu_init(&d->vcpu->arch, &ctx))
        fail("vcpu", "out of memory");
    d->vcpu->has_context = true;
    if (domain_unpause(d))
        fail("vcpu", "cannot unpause");
}

void dom0_build(void)
{
    const struct boot_module *m = &hv_boot_modules[0];
    unsigned nmods = hv_nr_boot_modules;
    struct image_info *ei = kzalloc(sizeof(*ei));
    struct guest_layout l;
    struct domain *d;
    const char *why = "";
    char reason[IMAGE_MSG_MAX];
    int rc;

    if (hv_nr_boot_modules == 0)
        fail("no image", "no boot module: dom0 must be the first module");
    if (!ei)
        fail("validation", "out of memory");
    if (image_check(phys_to_virt(m->phys), m->bytes, KEEL_IMAGE_PRIVILEGED, 0, ei,
                    reason, sizeof(reason)))
        fail(m->name, reason);
    if (guest_layout_compute(ei->seg_end, ei->note.mem_bytes, ei->note.stack_bytes, nmods,
                             sizeof(dom0_args), &l, &why))
        fail(m->name, why);
    if ((rc = domain_create(ei->note.mem_bytes / PAGE_SIZE, &dom0_limits, true, false, &d)))
        fail(m->name, rc == -KEEL_ENOMEM ? "not enough memory for dom0"
                                         : "cannot create the domain");
    load_segments(d, phys_to_virt(m->phys), ei);
    write_start_info(d, &l, nmods);
    set_rights(d, ei, &l);
    start(d, ei->entry, &l);
    printk("dom0: %s, %lu KiB, %u modules, entry %#lx", m->name,
           (unsigned long)(ei->note.mem_bytes >> 10), nmods, (unsigned long)ei->entry);
    kfree(ei);
}
