/*
 * hv-devices, MSI-X (keel/pci.h "MSI-X"), t_pci.c has the plan.  The
 * machine's virtio-rng has a 40-entry table (vectors=40), more than the
 * machine's KEEL_PCI_MSIX_VECTORS; the virtio-blk (null-co) is QEMU's
 * virtio-blk-pci as keel run adds it.  In one run:
 *
 *   - dom0's net, its INTx still bound, is refused MSI-X (-KEEL_EBUSY);
 *     with the INTx port closed it binds entry 0: MSI-X enabled by the
 *     hypervisor, and a frame sent on the TX queue (vector 0) comes back as
 *     an event, with no IRQ_ACK; a bad entry, the same entry twice and
 *     INTx beside it are refused, as are config writes that would disable
 *     or mask MSI-X;
 *   - (t_pci.c's guest owning nothing is refused BIND_MSIX on dom0's net,
 *     guest_pci.c "pci_hostile"); dom0 on a function it does not own, and
 *     on the IDE controller (no MSI-X: -KEEL_ENODEV);
 *   - a guest lent the rng with the default limits has no share of the
 *     vectors: its first BIND_MSIX is -KEEL_ENOSPC;
 *   - a guest lent the rng with a share of GUEST_SHARE binds vectors
 *     until -KEEL_ENOSPC, exactly its share (before shares: the whole
 *     pool less dom0's), cannot enable, disable or mask MSI-X by config
 *     writes, reads the messages the hypervisor wrote through its
 *     read-only mapping and crashes (#PF) writing the table; while it
 *     still holds its share (crashed, not destroyed) dom0 binds the
 *     virtio-blk's vectors beside it;
 *   - destroying it frees its vectors: dom0, lent the rng, binds exactly
 *     the pool less its net's, one more only after closing one; RELEASE
 *     frees them all and disables MSI-X;
 *   - dom0's net still interrupts through MSI-X after all that, and the
 *     virtio-blk carries a usable MSI-X table too.
 */
#include "tbuild.h"
#include "t_pci.h"
#include "t_evtchn_lib.h"

#define RNG_ENTRIES   40u
#define GUEST_SHARE   8u      /* the rng's guest: limits.msix_vectors */
#define MSIX_ENABLE   0x8000u
#define MSIX_MASK     0x4000u

static const struct keel_module *img;
static uint32_t net_msix_cap;
static long net_port;

static long bind_msix(uint32_t bdf, uint32_t entry)
{
    struct keel_pci_op op = { .bdf = bdf, .index = entry };

    return pciop(KEEL_PCIOP_BIND_MSIX, &op);
}

static long assign_self(uint32_t bdf)
{
    struct keel_pci_op op = { .bdf = bdf, .domid = KEEL_DOMID_SELF };

    return pciop(KEEL_PCIOP_ASSIGN, &op);
}

static uint32_t msix_control(uint32_t bdf, uint32_t cap)
{
    uint32_t v = 0;

    pci_cfg_rd(bdf, cap + 2, 2, &v);
    return v;
}

/* An MSI-X event for frame n; no IRQ_ACK between them. */
static void net_frame(uint16_t n)
{
    t_pci_tx_send(n);
    CHECK_EQ(ev_wait((uint32_t)net_port, 5000), 0);
    CHECK_EQ(t_pci_tx_used(), n);
}

static void net_msix(void)
{
    uint16_t io = (uint16_t)t_net.bar[0].base;
    uint32_t cap = net_msix_cap = t_find_cap(t_net.bdf, PCI_CAP_MSIX, 0), ctl, entries;
    struct keel_pci_op op = { .bdf = t_net.bdf, .index = 0, .domid = 1 };

    CHECK(cap != 0);
    CHECK_EQ(bind_msix(t_net.bdf, 0), -KEEL_EBUSY);       /* its INTx is bound */
    CHECK_EQ(ev_close((uint32_t)t_net_intx_port), 0);
    CHECK_EQ(msix_control(t_net.bdf, cap) & MSIX_ENABLE, 0);
    CHECK_EQ(pciop(KEEL_PCIOP_BIND_MSIX, &op), -KEEL_EINVAL);   /* domid unused */
    entries = (msix_control(t_net.bdf, cap) & 0x7ffu) + 1;
    CHECK_EQ(bind_msix(t_net.bdf, entries), -KEEL_EINVAL);
    CHECK_EQ(bind_msix(t_net.bdf, ~0u), -KEEL_EINVAL);
    net_port = bind_msix(t_net.bdf, 0);
    CHECK(net_port > 0);
    CHECK_EQ(bind_msix(t_net.bdf, 0), -KEEL_EEXIST);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_BIND_IRQ, t_net.bdf), -KEEL_EBUSY);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_IRQ_ACK, t_net.bdf), -KEEL_ENOENT);
    ctl = msix_control(t_net.bdf, cap);
    CHECK_EQ(ctl & (MSIX_ENABLE | MSIX_MASK), MSIX_ENABLE);
    CHECK_EQ(pci_cfg_wr(t_net.bdf, cap + 2, 2, ctl & ~MSIX_ENABLE), -KEEL_EACCES);
    CHECK_EQ(pci_cfg_wr(t_net.bdf, cap + 2, 2, ctl | MSIX_MASK), -KEEL_EACCES);
    CHECK_EQ(pci_cfg_wr(t_net.bdf, cap + 4, 4, 0), -KEEL_EACCES);   /* the table's place */
    CHECK_EQ(pci_cfg_wr(t_net.bdf, cap + 2, 2, ctl), 0);             /* written back */
    t_pci_tx_setup();
    io_outw(io + VIRTIO_MSI_QUEUE_VEC, 0);                 /* TX, selected */
    CHECK_EQ(io_inw(io + VIRTIO_MSI_QUEUE_VEC), 0);
    net_frame(1);
    net_frame(2);
}

/* A guest lent the rng, with `share` vectors, running pci_msix. */
static long rng_guest(unsigned share)
{
    char mode[32] = "pci_msix:";
    struct keel_pci_op op = { .bdf = t_rng.bdf };
    struct keel_domctl ctl;
    long d;

    put_hex4(mode + 9, t_rng.bdf);
    mode[13] = ':';
    put_hex4(mode + 14, share);
    tbuild_limits = (struct keel_domain_limits){ .mmio_pages = keel_pci_mmio_pages(&t_rng),
                                                 .msix_vectors = share };
    d = tbuild_prepare(img, mode);
    tbuild_limits = (struct keel_domain_limits){ 0 };
    CHECK(d > 0);
    CHECK_EQ(tbuild_info((uint32_t)d).limits.msix_vectors, share);
    op.domid = (uint32_t)d;
    CHECK_EQ(pciop(KEEL_PCIOP_ASSIGN, &op), 0);
    CHECK_EQ(bind_msix(t_rng.bdf, 0), -KEEL_EACCES);      /* not dom0's now */
    CHECK_EQ(domctl(&ctl, KEEL_DOMCTL_UNPAUSE, (uint32_t)d), 0);
    return d;
}

/* dom0 binds every entry of the blk's table: the guest's share left it
 * room (before shares, the guest had taken every vector). */
static void others_bind(void)
{
    uint32_t blk = KEEL_PCI_BDF(0, 6, 0), entries;

    CHECK_EQ(assign_self(blk), 0);
    entries = (msix_control(blk, t_find_cap(blk, PCI_CAP_MSIX, 0)) & 0x7ffu) + 1;
    CHECK(entries >= 2 && entries <= KEEL_PCI_MSIX_VECTORS - 1 - GUEST_SHARE);
    for (uint32_t e = 0; e < entries; e++)
        CHECK(bind_msix(blk, e) > 0);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_RELEASE, blk), 0);
}

/* The guests that bind the rng's vectors: none without a share; exactly
 * their share, then one writes the table and crashes holding them. */
static void guests_with_vectors(void)
{
    struct keel_domain_info info;
    long d;

    t_pci_expect_end(rng_guest(0), KEEL_DOMSTATE_SHUTDOWN, 0);
    d = rng_guest(GUEST_SHARE);
    CHECK_EQ(tbuild_wait((uint32_t)d, &info, 20000), 0);  /* ended, not destroyed: */
    others_bind();                                        /* its vectors still bound */
    t_pci_expect_end(d, KEEL_DOMSTATE_CRASHED, KEEL_CRASH_PF);
}

/* After the guest died holding its share: dom0 binds the pool less its
 * net's vector (free_vectors) again. */
static void vectors_back(unsigned free_vectors)
{
    long ports[KEEL_PCI_MSIX_VECTORS] = { 0 };
    unsigned n = 0;
    uint32_t cap;

    CHECK_EQ(assign_self(t_rng.bdf), 0);
    cap = t_find_cap(t_rng.bdf, PCI_CAP_MSIX, 0);
    CHECK(cap != 0);
    CHECK_EQ(msix_control(t_rng.bdf, cap) & MSIX_ENABLE, 0);
    while (n < KEEL_PCI_MSIX_VECTORS && (ports[n] = bind_msix(t_rng.bdf, n)) > 0)
        n++;
    CHECK_EQ(n, free_vectors);
    CHECK_EQ(bind_msix(t_rng.bdf, n), -KEEL_ENOSPC);
    CHECK_EQ(ev_close((uint32_t)ports[n / 2]), 0);         /* one back */
    CHECK(bind_msix(t_rng.bdf, n) > 0);
    CHECK_EQ(bind_msix(t_rng.bdf, n + 1), -KEEL_ENOSPC);
    CHECK_EQ(msix_control(t_rng.bdf, cap) & (MSIX_ENABLE | MSIX_MASK), MSIX_ENABLE);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_RELEASE, t_rng.bdf), 0);
    CHECK_EQ(assign_self(t_rng.bdf), 0);
    CHECK_EQ(msix_control(t_rng.bdf, cap) & MSIX_ENABLE, 0);
    CHECK(bind_msix(t_rng.bdf, 0) > 0);                    /* RELEASE freed them */
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_RELEASE, t_rng.bdf), 0);
}

/* The IDE controller (00:01.1): lendable, no MSI-X; the blk: MSI-X. */
static void other_functions(void)
{
    uint32_t ide = KEEL_PCI_BDF(0, 1, 1), blk = KEEL_PCI_BDF(0, 6, 0), v = 0;

    CHECK_EQ(bind_msix(blk, 0), -KEEL_EACCES);             /* not dom0's */
    CHECK_EQ(assign_self(ide), 0);
    CHECK_EQ(bind_msix(ide, 0), -KEEL_ENODEV);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_RELEASE, ide), 0);
    CHECK_EQ(assign_self(blk), 0);
    CHECK_EQ(pci_cfg_rd(blk, 0, 4, &v), 0);
    CHECK_EQ(v, 0x10011af4);                               /* virtio-blk-pci */
    CHECK(t_find_cap(blk, PCI_CAP_MSIX, 0) != 0);
    CHECK(bind_msix(blk, 0) > 0);
    CHECK_EQ(pci_bdf_op(KEEL_PCIOP_RELEASE, blk), 0);
}

void t_pci_msix(const struct keel_module *module)
{
    unsigned free_vectors = KEEL_PCI_MSIX_VECTORS - 1;     /* the net holds one */

    img = module;
    net_msix();
    other_functions();
    guests_with_vectors();
    vectors_back(free_vectors);
    net_frame(3);
    CHECK_EQ(msix_control(t_net.bdf, net_msix_cap) & MSIX_ENABLE, MSIX_ENABLE);
}
