/*
 * A minimal builder: trusts its own test image (lib/'s image
 * checks are tested elsewhere) and follows keel/start_info.h's layout:
 * segments, start info + args, heap, guard page, stack at the top.
 */
#include "tbuild.h"
#include <image/elf64.h>

#define PAGE 4096ull

static long dc(struct keel_domctl *op, uint32_t cmd, uint32_t domid)
{
    return domctl(op, cmd, domid);
}

static uint64_t load(const struct keel_module *img, uint8_t *mem, uint64_t *entry)
{
    const struct elf64_ehdr *eh = (const void *)img->va;
    const struct elf64_phdr *ph = (const void *)(img->va + eh->e_phoff);
    uint64_t end = KEEL_GUEST_BASE;

    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != ELF_PT_LOAD)
            continue;
        memcpy(mem + (ph[i].p_vaddr - KEEL_GUEST_BASE),
               (const uint8_t *)img->va + ph[i].p_offset, ph[i].p_filesz);
        if (ph[i].p_vaddr + ph[i].p_memsz > end)
            end = ph[i].p_vaddr + ph[i].p_memsz;
    }
    *entry = eh->e_entry;
    return (end + PAGE - 1) & ~(PAGE - 1);
}

uint32_t tbuild_create(uint64_t pages, uint32_t flags)
{
    struct keel_domctl op;

    memset(&op, 0, sizeof(op));
    op.u.create.mem_pages = pages;
    op.u.create.flags = flags;
    return dc(&op, KEEL_DOMCTL_CREATE, 0) ? 0 : op.domid;
}

long tbuild_destroy(uint32_t domid)
{
    struct keel_domctl op;

    memset(&op, 0, sizeof(op));
    return dc(&op, KEEL_DOMCTL_DESTROY, domid);
}

long tbuild_set_affinity(uint32_t domid, uint32_t cpu)
{
    struct keel_domctl op;

    memset(&op, 0, sizeof(op));
    op.u.affinity.cpu = cpu;
    return dc(&op, KEEL_DOMCTL_SET_AFFINITY, domid);
}

long tbuild_set_rights(uint32_t domid, uint64_t gva, uint64_t npages, uint32_t rights)
{
    struct keel_domctl op;

    memset(&op, 0, sizeof(op));
    op.u.set_rights.gva = gva;
    op.u.set_rights.npages = npages;
    op.u.set_rights.rights = rights;
    return dc(&op, KEEL_DOMCTL_SET_RIGHTS, domid);
}

/* Read-only segments, the start-info page (r--, the builder's word) and
 * the guard page (none); the rest stays rw-. */
static long set_rights(uint32_t domid, const struct keel_module *img, uint64_t info_va,
                       uint64_t guard)
{
    const struct elf64_ehdr *eh = (const void *)img->va;
    const struct elf64_phdr *ph = (const void *)(img->va + eh->e_phoff);
    long rc = 0;

    for (unsigned i = 0; i < eh->e_phnum && !rc; i++) {
        if (ph[i].p_type != ELF_PT_LOAD || (ph[i].p_flags & ELF_PF_W))
            continue;
        uint64_t gva = ph[i].p_vaddr & ~(PAGE - 1);
        rc = tbuild_set_rights(domid, gva, (ph[i].p_vaddr + ph[i].p_memsz - gva + PAGE - 1) / PAGE,
                               KEEL_RIGHT_R | ((ph[i].p_flags & ELF_PF_X) ? KEEL_RIGHT_X : 0));
    }
    if (!rc)
        rc = tbuild_set_rights(domid, info_va, 1, KEEL_RIGHT_R);
    return rc ? rc : tbuild_set_rights(domid, guard, 1, 0);
}

uint32_t tbuild_share_module;
uint64_t tbuild_shared;
struct keel_domain_limits tbuild_limits;
uint64_t tbuild_range_pages;

/* An on-demand guest's first TGUEST_PAGES, backed by dom0 as its builder. */
static long back_start(uint32_t domid)
{
    struct keel_memory_op op = { .gva = KEEL_GUEST_BASE, .npages = TGUEST_PAGES,
                                 .domid = (keel_domid_t)domid };

    return hc(KEEL_HC_MEMORY_OP, KEEL_MEMORY_INCREASE, (long)&op, 0);
}

static long share(uint32_t domid, const struct keel_module *img)
{
    const struct elf64_ehdr *eh = (const void *)img->va;
    const struct elf64_phdr *ph = (const void *)(img->va + eh->e_phoff);
    struct keel_domctl op;
    long rc = 0;

    for (unsigned i = 0; i < eh->e_phnum && !rc; i++) {
        uint64_t lo = (ph[i].p_vaddr + PAGE - 1) & ~(PAGE - 1);
        uint64_t hi = (ph[i].p_vaddr + ph[i].p_filesz) & ~(PAGE - 1);
        if (ph[i].p_type != ELF_PT_LOAD || (ph[i].p_flags & ELF_PF_W) || lo >= hi)
            continue;
        memset(&op, 0, sizeof(op));
        op.u.map_module.gva = lo;
        op.u.map_module.npages = (hi - lo) / PAGE;
        op.u.map_module.offset = (ph[i].p_offset + lo - ph[i].p_vaddr) / PAGE;
        op.u.map_module.module = tbuild_share_module;
        op.u.map_module.rights = KEEL_RIGHT_R | ((ph[i].p_flags & ELF_PF_X) ? KEEL_RIGHT_X : 0);
        if (!(rc = dc(&op, KEEL_DOMCTL_MAP_MODULE, domid)))
            tbuild_shared += op.u.map_module.npages;
    }
    return rc;
}

/* Start info and "guest\0mode\0" right after the image. */
static uint64_t write_info(uint8_t *mem, uint64_t info_va, uint32_t domid, const char *mode)
{
    struct keel_start_info *si = (void *)(mem + (info_va - KEEL_GUEST_BASE));
    char *args = (char *)(si + 1);
    uint64_t top = KEEL_GUEST_BASE + TGUEST_PAGES * PAGE;

    memcpy(si->magic, KEEL_START_MAGIC, 8);
    si->abi_version = KEEL_ABI_VERSION;
    si->domid = domid;
    si->mem_base = KEEL_GUEST_BASE;
    si->mem_bytes = TGUEST_PAGES * PAGE;
    si->stack_bytes = 16 << 10;
    si->stack_top = top;
    si->heap_end = top - si->stack_bytes - PAGE;
    si->heap_start = info_va + PAGE;
    si->shared_info_va = KEEL_SHARED_INFO_VA;
    si->args_va = info_va + sizeof(*si);
    si->argc = 2;
    memcpy(args, "guest", 6);
    memcpy(args + 6, mode, t_strlen(mode) + 1);
    si->args_bytes = 6 + t_strlen(mode) + 1;
    return si->heap_end;
}

long tbuild_prepare(const struct keel_module *img, const char *mode)
{
    struct keel_domctl op;
    uint64_t entry, info_va, guard;
    uint32_t domid;
    long rc;

    memset(&op, 0, sizeof(op));
    op.u.create.mem_pages = tbuild_range_pages ? tbuild_range_pages : TGUEST_PAGES;
    op.u.create.flags = tbuild_range_pages ? KEEL_CREATE_ON_DEMAND : 0;
    op.u.create.limits = tbuild_limits;
    if ((rc = dc(&op, KEEL_DOMCTL_CREATE, 0)))
        return rc;
    domid = op.domid;
    if (tbuild_range_pages && (rc = back_start(domid)))
        return rc;
    memset(&op, 0, sizeof(op));
    op.u.map_foreign.gva = KEEL_GUEST_BASE;
    op.u.map_foreign.npages = TGUEST_PAGES;
    if ((rc = dc(&op, KEEL_DOMCTL_MAP_FOREIGN, domid)))
        return rc;
    uint8_t *mem = (uint8_t *)op.u.map_foreign.va;
    info_va = load(img, mem, &entry);
    guard = write_info(mem, info_va, domid, mode);
    op.u.unmap_foreign.va = (uint64_t)mem;
    op.u.unmap_foreign.npages = TGUEST_PAGES;
    if ((rc = dc(&op, KEEL_DOMCTL_UNMAP_FOREIGN, 0)) ||
        (tbuild_share_module && (rc = share(domid, img))) ||
        (rc = set_rights(domid, img, info_va, guard)))
        return rc;
    memset(&op, 0, sizeof(op));
    op.u.vcpu.rip = entry;
    op.u.vcpu.rsp = KEEL_GUEST_BASE + TGUEST_PAGES * PAGE;
    op.u.vcpu.rdi = info_va;
    if ((rc = dc(&op, KEEL_DOMCTL_SET_VCPU, domid)))
        return rc;
    return domid;
}

long tbuild_start(const struct keel_module *img, const char *mode)
{
    struct keel_domctl op;
    long d = tbuild_prepare(img, mode), rc;

    if (d < 0)
        return d;
    memset(&op, 0, sizeof(op));
    if ((rc = dc(&op, KEEL_DOMCTL_UNPAUSE, (uint32_t)d)))
        return rc;
    return d;
}

int tbuild_wait(uint32_t domid, struct keel_domain_info *info, unsigned timeout_ms)
{
    uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000;
    struct keel_domctl op;
    int rc = -1;

    /* Clear, then look, then block; and leave neither bit nor timer behind:
     * a KEEL_PENDING_DOMAIN or KEEL_PENDING_TIMER left set makes every later
     * SCHED_BLOCK of dom0 return at once, and a wait that does not clear
     * them (bench_wait, ev_wait) spins (hv-bench's upcall round trip). */
    for (;;) {
        __atomic_fetch_and(&shinfo()->pending, ~(KEEL_PENDING_DOMAIN | KEEL_PENDING_TIMER),
                           __ATOMIC_SEQ_CST);
        memset(&op, 0, sizeof(op));
        if (dc(&op, KEEL_DOMCTL_GET_INFO, domid))
            break;
        *info = op.u.info;
        if (info->state == KEEL_DOMSTATE_SHUTDOWN || info->state == KEEL_DOMSTATE_CRASHED) {
            rc = 0;
            break;
        }
        if (now_ns() >= end)
            break;
        hc(KEEL_HC_SET_TIMER, (long)(now_ns() + 10000000), 0, 0);
        hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
    }
    hc(KEEL_HC_SET_TIMER, 0, 0, 0);
    __atomic_fetch_and(&shinfo()->pending, ~KEEL_PENDING_TIMER, __ATOMIC_SEQ_CST);
    return rc;
}

struct keel_physinfo tbuild_physinfo(void)
{
    struct keel_domctl op;
    memset(&op, 0, sizeof(op));
    dc(&op, KEEL_DOMCTL_PHYSINFO, 0);
    return op.u.physinfo;
}

uint64_t tbuild_free_frames(void)
{
    return tbuild_physinfo().free_frames;
}

struct keel_domain_info tbuild_info(uint32_t domid)
{
    struct keel_domctl op;
    memset(&op, 0, sizeof(op));
    dc(&op, KEEL_DOMCTL_GET_INFO, domid);
    return op.u.info;
}

long tbuild_warm_up(void)
{
    struct keel_domctl op;
    uint32_t d;
    long rc;

    memset(&op, 0, sizeof(op));
    op.u.create.mem_pages = 4;
    if ((rc = dc(&op, KEEL_DOMCTL_CREATE, 0)))
        return rc;
    d = op.domid;
    op.u.map_foreign.gva = KEEL_GUEST_BASE;
    op.u.map_foreign.npages = 1;
    if (!(rc = dc(&op, KEEL_DOMCTL_MAP_FOREIGN, d))) {
        op.u.unmap_foreign.va = op.u.map_foreign.va;
        op.u.unmap_foreign.npages = 1;
        rc = dc(&op, KEEL_DOMCTL_UNMAP_FOREIGN, 0);
    }
    return dc(&op, KEEL_DOMCTL_DESTROY, d) ?: rc;
}
