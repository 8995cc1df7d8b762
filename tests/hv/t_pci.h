/*
 * Lent PCI functions (keel/pci.h) for the hv-devices dom0 test
 * (t_pci*.c) and its guest (guest_pci.c): the hypercall, configuration
 * accessors, port I/O, and the legacy virtio registers the test drives.
 */
#ifndef T_PCI_H
#define T_PCI_H
#include "tlib.h"

/* legacy virtio-pci, I/O BAR 0 (no MSI-X: device config at 20; with
 * MSI-X the two vector registers come first, the config at 24) */
#define VIRTIO_HOST_FEATURES  0
#define VIRTIO_GUEST_FEATURES 4
#define VIRTIO_QUEUE_PFN      8
#define VIRTIO_QUEUE_NUM      12
#define VIRTIO_QUEUE_SEL      14
#define VIRTIO_QUEUE_NOTIFY   16
#define VIRTIO_STATUS         18
#define VIRTIO_ISR            19
#define VIRTIO_NET_MAC        20
#define VIRTIO_MSI_CONFIG_VEC 20
#define VIRTIO_MSI_QUEUE_VEC  22
#define PCI_CAP_MSIX          0x11
#define VIRTIO_NET_F_MAC      (1u << 5)

static inline long pciop(uint32_t cmd, struct keel_pci_op *op)
{
    return hc(KEEL_HC_PCI_OP, cmd, (long)op, 0);
}

/* A command whose only input is bdf. */
static inline long pci_bdf_op(uint32_t cmd, uint32_t bdf)
{
    struct keel_pci_op op = { .bdf = bdf };

    return pciop(cmd, &op);
}

static inline long pci_cfg_rd(uint32_t bdf, uint32_t off, uint32_t size, uint32_t *val)
{
    struct keel_pci_op op = { .bdf = bdf, .offset = off, .size = size };
    long rc = pciop(KEEL_PCIOP_CFG_READ, &op);

    *val = op.value;
    return rc;
}

static inline long pci_cfg_wr(uint32_t bdf, uint32_t off, uint32_t size, uint32_t val)
{
    struct keel_pci_op op = { .bdf = bdf, .offset = off, .size = size, .value = val };

    return pciop(KEEL_PCIOP_CFG_WRITE, &op);
}

/* io_inb .. io_outl: port I/O from ring 3, which the TSS bitmap allows
 * only on the caller's lent ports */
#define IO_ACCESSORS(sfx, type)                                                 \
    static inline type io_in##sfx(uint16_t port)                                \
    {                                                                           \
        type v;                                                                 \
        __asm__ volatile("in" #sfx " %1, %0" : "=a"(v) : "Nd"(port));           \
        return v;                                                               \
    }                                                                           \
    static inline void io_out##sfx(uint16_t port, type v)                       \
    {                                                                           \
        __asm__ volatile("out" #sfx " %0, %1" :: "a"(v), "Nd"(port));           \
    }
IO_ACCESSORS(b, uint8_t)
IO_ACCESSORS(w, uint16_t)
IO_ACCESSORS(l, uint32_t)

/* Turn on I/O and memory decoding and bus mastering, INTx on. */
static inline long pci_enable(uint32_t bdf)
{
    uint32_t cmd;
    long rc = pci_cfg_rd(bdf, 4, 2, &cmd);

    return rc ? rc : pci_cfg_wr(bdf, 4, 2, (cmd & ~0x400u) | 7u);
}

/* 4 lowercase hex digits at p (no terminator) */
static inline void put_hex4(char *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 4)
        p[i] = "0123456789abcdef"[v & 15];
}

/* The first capability of bdf with this id after the one at `after` (0:
 * from the start), or 0. */
static inline uint32_t t_find_cap(uint32_t bdf, uint32_t id, uint32_t after)
{
    uint32_t at = 0, v = 0;

    pci_cfg_rd(bdf, after ? after + 1 : 0x34, 1, &at);
    for (unsigned hops = 0; at >= 0x40 && hops < 48; hops++) {
        pci_cfg_rd(bdf, at, 1, &v);
        if (v == id)
            return at;
        pci_cfg_rd(bdf, at + 1, 1, &at);
    }
    return 0;
}

/* dom0's side (t_pci.c, t_pci_virtio.c) */
extern struct keel_pci_info t_net, t_rng;
extern uint32_t t_net_index;    /* its LIST index */
void t_pci_virtio(void);        /* port I/O, BAR, DMA, interrupt */
extern long t_net_intx_port;    /* t_pci_virtio leaves it bound */
/* the net's legacy TX queue (t_pci_virtio.c) */
void t_pci_tx_setup(void);
void t_pci_tx_send(uint16_t n);
uint16_t t_pci_tx_used(void);
/* MSI-X: hostile owners and non-owners, exhaustion, a guest dying with
 * bound vectors, dom0's net beside them (t_pci_msix.c) */
void t_pci_msix(const struct keel_module *img);
/* the end of a guest: state, and exit code or crash vector; destroyed */
void t_pci_expect_end(long d, uint32_t state, int code_or_vector);
void t_pci_release_net(void);
/* lending's limits and charges, with guests built from img (t_pci_limits.c) */
void t_pci_limits(const struct keel_module *img);

#endif
