/*
 * Self test of the TSS I/O bitmap switch (ioperm.c), with what it costs:
 * three fake domains (two with ports, one without) loaded in turn on this
 * CPU, the bitmap checked bit by bit, then each way of switching timed
 * beside the copy of a whole 8 KiB bitmap that it avoids
 * (docs/devices.md has the numbers).
 */
#include <hv/arch.h>
#include <hv/domain.h>
#include <hv/lib.h>
#include <hv/pci.h>
#include "x86.h"

#define CHECK(c) do { if (!(c)) { \
    printk("    # %s:%d: failed: %s", __FILE__, __LINE__, #c); return false; } } while (0)
#define ROUNDS 2000

static bool open_port(const struct percpu_arch *c, unsigned p)
{
    return !(c->io_bitmap[p / 8] >> (p % 8) & 1);
}

static unsigned open_ports(const struct percpu_arch *c)
{
    unsigned n = 0;

    for (unsigned p = 0; p < 0x10000; p++)
        n += open_port(c, p);
    return n;
}

/* Average cycles of one load of each domain in turn. */
static uint64_t cycles(struct percpu_arch *c, const struct domain *a, const struct domain *b)
{
    uint64_t t0 = rdtsc();

    for (unsigned i = 0; i < ROUNDS; i++) {
        io_load(c, a);
        io_load(c, b);
    }
    return (rdtsc() - t0) / (2 * ROUNDS);
}

static uint64_t copy_cycles(struct percpu_arch *c)
{
    static uint8_t whole[IO_BITMAP_BYTES];
    uint64_t t0 = rdtsc();

    memset(whole, 0xff, sizeof(whole));
    for (unsigned i = 0; i < ROUNDS; i++) {
        memcpy(c->io_bitmap, whole, sizeof(whole));
        __asm__ volatile("" ::: "memory");
    }
    return (rdtsc() - t0) / ROUNDS;
}

bool selftest_io_bitmap(void)
{
    struct percpu_arch *c = this_cpu_arch();
    /* stamps no real domain reaches (they count up from 1) */
    struct domain a = { .pci = { .io_stamp = ~0ull - 1, .nports = 2,
                                 .ports = { { 0xc000, 0x20 }, { 0xc100, 0x40 } } } };
    struct domain b = { .pci = { .io_stamp = ~0ull - 2, .nports = 1,
                                 .ports = { { 0xd010, 8 } } } };
    struct domain none = { 0 };
    uint64_t same, none_b, rebuilt, copy;

    io_load(c, &a);
    CHECK(c->tss.iomap_base == sizeof(struct tss));
    CHECK(open_ports(c) == 0x60 && open_port(c, 0xc000) && !open_port(c, 0xc020));
    io_load(c, &b);
    CHECK(open_ports(c) == 8 && open_port(c, 0xd017) && !open_port(c, 0xc000));
    io_load(c, &none);
    CHECK(c->tss.iomap_base == IOMAP_NONE && c->io_bitmap[IO_BITMAP_BYTES] == 0xff);
    same = cycles(c, &b, &b);
    none_b = cycles(c, &none, &b);
    rebuilt = cycles(c, &a, &b);
    copy = copy_cycles(c);
    iobitmap_close(c->io_bitmap, 0, IO_BITMAP_BYTES);
    c->io_stamp = 0;
    c->io_lo = c->io_hi = 0;
    c->tss.iomap_base = IOMAP_NONE;
    printk("    # I/O bitmap per switch: %lu cycles same domain, %lu with or without "
           "ports (stamp kept), %lu rebuilt (0x60 and 8 ports), %lu to copy 8 KiB",
           same, none_b, rebuilt, copy);
    return true;
}
