/*
 * hv-devices: lent PCI functions (keel/pci.h), as a raw dom0 with the test
 * guest (boot module 1) on a QEMU with a virtio-net-pci (00:03.0), a
 * virtio-rng-pci (00:04.0, on the same INTx line) and an ivshmem-plain
 * (00:05.0) device (tests/hv/hvtest.mk).  In one run:
 *
 *   - LIST shows every function, the bridges and the ivshmem kept;
 *   - dom0's own refused requests: kept functions, bad bdfs, a function
 *     it does not own, DMA before owning anything, unused fields;
 *   - dom0 takes the virtio-net: quiesced, then its configuration space
 *     with the write filter, port I/O to its legacy BAR, its modern BAR
 *     mapped, DMA pages and TRANSLATE, and its interrupt delivered as an
 *     event for a frame sent on a legacy TX queue (t_pci_virtio.c);
 *   - unprivileged guests: one that owns nothing gets every request
 *     refused, one doing port I/O on dom0's port or `cli` crashes (#GP),
 *     one given the virtio-rng before it ran uses it, is refused the
 *     shared interrupt line, and crashes on dom0's port; destroying it
 *     quiesces the rng; meanwhile dom0's own port I/O keeps working;
 *   - what lending costs: ASSIGN and DMA_ALLOC meet the owner's limits,
 *     whose reserve pays for every frame (t_pci_limits.c);
 *   - MSI-X: the hypervisor owns the table; bad and double binds, vectors
 *     exhausted, a guest dying with bound vectors, the owner refused
 *     config and table writes, dom0's net interrupting beside it all
 *     (t_pci_msix.c, with a virtio-blk-pci at 00:06.0).
 */
#include "tbuild.h"
#include "t_pci.h"
#include "t_evtchn_lib.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

struct keel_pci_info t_net, t_rng;
uint32_t t_net_index;
static uint32_t ivshmem_bdf = ~0u, ide_bdf = ~0u;
static const struct keel_module *img;

static long list(uint32_t index, struct keel_pci_info *out)
{
    struct keel_pci_op op = { .index = index };
    long rc = pciop(KEEL_PCIOP_LIST, &op);

    *out = op.info;
    return rc;
}

static long assign(uint32_t bdf, uint32_t domid)
{
    struct keel_pci_op op = { .bdf = bdf, .domid = domid };

    return pciop(KEEL_PCIOP_ASSIGN, &op);
}

static void note(const struct keel_pci_info *in)
{
    int kept = !!(in->flags & KEEL_PCI_F_KEPT);

    if (in->vendor == 0x1af4 && in->device == 0x1000)
        t_net = *in;
    if (in->vendor == 0x1af4 && in->device == 0x1005)
        t_rng = *in;
    if (in->vendor == 0x1af4 && in->device == 0x1110) {
        ivshmem_bdf = in->bdf;
        CHECK(kept);
    }
    if (in->class_code >> 8 == 0x0101)
        ide_bdf = in->bdf;
    if (in->class_code >> 16 == 0x06)
        CHECK(kept && in->bar[0].size == 0);
}

static void list_functions(void)
{
    struct keel_pci_info in;
    struct keel_pci_op op;
    uint32_t i;

    for (i = 0; list(i, &in) == 0; i++) {
        note(&in);
        if (in.bdf == t_net.bdf)
            t_net_index = i;
        if (!(in.flags & KEEL_PCI_F_KEPT))          /* quiesced from boot on */
            CHECK_EQ(in.command & 0x407, 0x400);
        if (in.bdf == ivshmem_bdf)                  /* kept: as the firmware left it */
            CHECK(in.command & 2);
    }
    CHECK_EQ(list(i, &in), -KEEL_ENOENT);
    CHECK(i >= 5);
    CHECK_EQ(t_net.bdf, KEEL_PCI_BDF(0, 3, 0));
    CHECK_EQ(t_rng.bdf, KEEL_PCI_BDF(0, 4, 0));
    CHECK_EQ(t_net.flags, 0);
    CHECK_EQ(t_net.bar[0].type, KEEL_PCI_BAR_IO);
    CHECK(t_net.irq_pin == 1 && t_net.irq_line == t_rng.irq_line);
    CHECK(ivshmem_bdf != ~0u && ide_bdf != ~0u);
    memset(&op, 0, sizeof(op));
    op.bdf = 1;                               /* unused by LIST */
    CHECK_EQ(pciop(KEEL_PCIOP_LIST, &op), -KEEL_EINVAL);
    CHECK_EQ(hc(KEEL_HC_PCI_OP, KEEL_PCIOP_LIST, KEEL_SHARED_INFO_VA - 4096, 0), -KEEL_EFAULT);
}

static void refused(void)
{
    uint32_t v;
    struct keel_pci_op op;

    CHECK_EQ(assign(KEEL_PCI_BDF(0, 0, 0), KEEL_DOMID_SELF), -KEEL_EACCES);  /* host bridge */
    CHECK_EQ(assign(KEEL_PCI_BDF(0, 1, 0), KEEL_DOMID_SELF), -KEEL_EACCES);  /* ISA bridge */
    CHECK_EQ(assign(ivshmem_bdf, KEEL_DOMID_SELF), -KEEL_EACCES);
    CHECK_EQ(assign(KEEL_PCI_BDF(0, 31, 7), KEEL_DOMID_SELF), -KEEL_ENODEV);
    CHECK_EQ(assign(0x10000, KEEL_DOMID_SELF), -KEEL_EINVAL);
    CHECK_EQ(assign(t_net.bdf, 0x7fee), -KEEL_ESRCH);
    CHECK_EQ(pci_cfg_rd(t_net.bdf, 0, 4, &v), -KEEL_EACCES);
    CHECK_EQ(pci_cfg_rd(KEEL_PCI_BDF(0, 0, 0), 0, 4, &v), -KEEL_EACCES);
    memset(&op, 0, sizeof(op));
    op.npages = 1;
    CHECK_EQ(pciop(KEEL_PCIOP_DMA_ALLOC, &op), -KEEL_EPERM);
    CHECK_EQ(pciop(KEEL_PCIOP_IRQ_MASK + 100, &op), -KEEL_ENOSYS);
}

static void assign_net(void)
{
    struct keel_pci_info in;
    uint32_t i;

    CHECK_EQ(assign(t_net.bdf, KEEL_DOMID_SELF), 0);
    CHECK_EQ(assign(t_net.bdf, KEEL_DOMID_SELF), -KEEL_EBUSY);
    for (i = 0; list(i, &in) == 0 && in.bdf != t_net.bdf; i++)
        ;
    CHECK_EQ(in.flags, KEEL_PCI_F_ASSIGNED);
    CHECK_EQ(in.owner, 0);
    CHECK_EQ(in.command & 0x407, 0x400);      /* quiesced */
}

static void config_space(void)
{
    uint32_t v = 0, bar0 = 0, msix = t_find_cap(t_net.bdf, 0x11, 0);

    CHECK_EQ(pci_cfg_rd(t_net.bdf, 0, 4, &v), 0);
    CHECK_EQ(v, 0x10001af4);
    CHECK_EQ(pci_cfg_rd(t_net.bdf, 0x2e, 2, &v), 0);
    CHECK_EQ(v, 1);                               /* virtio type: net */
    CHECK_EQ(pci_cfg_rd(t_net.bdf, 256, 1, &v), -KEEL_EINVAL);
    CHECK_EQ(pci_cfg_rd(t_net.bdf, 0, 3, &v), -KEEL_EINVAL);
    CHECK_EQ(pci_cfg_rd(t_net.bdf, 2, 4, &v), -KEEL_EINVAL);
    CHECK_EQ(pci_cfg_rd(t_net.bdf, 0x10, 4, &bar0), 0);
    CHECK_EQ(pci_cfg_wr(t_net.bdf, 0x10, 4, ~0u), -KEEL_EACCES);
    CHECK_EQ(pci_cfg_rd(t_net.bdf, 0x10, 4, &v), 0);
    CHECK_EQ(v, bar0);                            /* not moved, not sized */
    CHECK_EQ(pci_cfg_wr(t_net.bdf, 0x10, 4, bar0), 0);
    CHECK_EQ(pci_cfg_wr(t_net.bdf, 0x3c, 1, 5), -KEEL_EACCES);
    CHECK_EQ(pci_cfg_wr(t_net.bdf, 0x30, 4, 1), -KEEL_EACCES);
    CHECK_EQ(pci_cfg_wr(t_net.bdf, 4, 1, 0x100), -KEEL_EINVAL);
    CHECK(msix != 0);
    CHECK_EQ(pci_cfg_rd(t_net.bdf, msix + 2, 2, &v), 0);
    CHECK_EQ(pci_cfg_wr(t_net.bdf, msix + 2, 2, v | 0x8000), -KEEL_EACCES);
    CHECK_EQ(pci_enable(t_net.bdf), 0);
    CHECK_EQ(pci_cfg_rd(t_net.bdf, 4, 2, &v), 0);
    CHECK_EQ(v & 0x407, 7);
}

/* Prepared, pinned to CPU 0 (where dom0 runs: its bitmap is that CPU's
 * last), then unpaused. */
static long start_on_cpu0(const char *mode)
{
    struct keel_domctl op;
    long d = tbuild_prepare(img, mode);

    if (d > 0 && (tbuild_set_affinity((uint32_t)d, 0) ||
                  domctl(&op, KEEL_DOMCTL_UNPAUSE, (uint32_t)d)))
        return -1;
    return d;
}

void t_pci_expect_end(long d, uint32_t state, int code_or_vector)
{
    struct keel_domain_info info;
    struct keel_domctl op;

    CHECK(d > 0);
    if (d <= 0)
        return;
    CHECK_EQ(tbuild_wait((uint32_t)d, &info, 20000), 0);
    CHECK_EQ(info.state, state);
    CHECK_EQ(state == KEEL_DOMSTATE_SHUTDOWN ? info.exit_code : (long)info.crash.vector,
             code_or_vector);
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d), 0);
}

static int dom0_port_io_works(void)
{
    return !!(io_inl((uint16_t)(t_net.bar[0].base + VIRTIO_HOST_FEATURES)) & VIRTIO_NET_F_MAC);
}

static void hostile_guests(void)
{
    char mode[32] = "pci_hostile:", port[32] = "pci_port:";

    put_hex4(mode + 12, t_net.bdf);
    put_hex4(port + 9, (uint32_t)t_net.bar[0].base);
    t_pci_expect_end(tbuild_start(img, mode), KEEL_DOMSTATE_SHUTDOWN, 0);
    t_pci_expect_end(start_on_cpu0(port), KEEL_DOMSTATE_CRASHED, KEEL_CRASH_GP);
    CHECK(dom0_port_io_works());
    t_pci_expect_end(start_on_cpu0("pci_cli"), KEEL_DOMSTATE_CRASHED, KEEL_CRASH_GP);
}

/* A guest that runs "pci_own" with the rng, lent before it runs. */
static long lend_rng_to_guest(void)
{
    char mode[32] = "pci_own:";
    long d;

    put_hex4(mode + 8, t_rng.bdf);
    mode[12] = ':';
    put_hex4(mode + 13, (uint32_t)t_rng.bar[0].base);
    mode[17] = ':';
    put_hex4(mode + 18, (uint32_t)t_net.bar[0].base);
    tbuild_limits = (struct keel_domain_limits){ .dma_pages = 2,
                                                 .mmio_pages = keel_pci_mmio_pages(&t_rng) };
    d = tbuild_prepare(img, mode);
    tbuild_limits = (struct keel_domain_limits){ 0 };
    CHECK(d > 0);
    CHECK_EQ(tbuild_set_affinity((uint32_t)d, 0), 0);
    CHECK_EQ(assign(t_rng.bdf, (uint32_t)d), 0);
    CHECK_EQ(assign(t_rng.bdf, (uint32_t)d), -KEEL_EBUSY);
    CHECK_EQ(assign(ivshmem_bdf, (uint32_t)d), -KEEL_EACCES);
    return d;
}

/* Its ports and dom0's take turns on CPU 0 until it crashes on dom0's. */
static void run_beside(long d)
{
    struct keel_domain_info info;
    struct keel_domctl op;
    unsigned rounds = 0, bad = 0;

    CHECK_EQ(domctl(&op, KEEL_DOMCTL_UNPAUSE, (uint32_t)d), 0);
    for (uint64_t end = now_ns() + 100000000; now_ns() < end; rounds++) {
        bad += !dom0_port_io_works();
        hc(KEEL_HC_SCHED_YIELD, 0, 0, 0);
    }
    CHECK(rounds > 10);
    CHECK_EQ(bad, 0);
    CHECK_EQ(tbuild_wait((uint32_t)d, &info, 20000), 0);
    CHECK_EQ(info.state, KEEL_DOMSTATE_CRASHED);
    CHECK_EQ(info.crash.vector, KEEL_CRASH_GP);
    CHECK_EQ(assign(ide_bdf, (uint32_t)d), -KEEL_EBUSY);     /* it has run */
}

/* DESTROY takes the rng back quiesced (the guest had turned I/O on). */
static void guest_with_device(void)
{
    struct keel_domctl op;
    struct keel_pci_info in;
    long d = lend_rng_to_guest();
    uint32_t i;

    run_beside(d);
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d), 0);
    for (i = 0; list(i, &in) == 0 && in.bdf != t_rng.bdf; i++)
        ;
    CHECK_EQ(in.flags, 0);
    CHECK_EQ(in.command & 0x407, 0x400);
    CHECK_EQ(assign(t_rng.bdf, KEEL_DOMID_SELF), 0);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_RELEASE, t_rng.bdf), 0);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_RELEASE, t_rng.bdf), -KEEL_EACCES);
    CHECK(dom0_port_io_works());
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    (void)entry_rsp;
    ktap_begin("hv-devices");
    img = (const struct keel_module *)si->modules_va + 1;
    CHECK_EQ(si->nr_modules, 2);
    CHECK_EQ(tbuild_set_affinity(KEEL_DOMID_SELF, 0), 0);
    list_functions();
    refused();
    assign_net();
    config_space();
    t_pci_virtio();
    hostile_guests();
    guest_with_device();
    t_pci_limits(img);
    t_pci_msix(img);
    t_pci_release_net();
    ktap_end_poweroff();
}
