/*
 * The shared-memory host I/O path (keel/hostio.h): QEMU's ivshmem-plain
 * device, whose BAR 2 is a file the launcher maps too.  Found once at boot;
 * from then on console_record() appends records to the `out` stream and
 * console input comes from the `in` stream, instead of one byte per UART
 * access (which costs QEMU a write(2) per byte).
 *
 * The layout is read and checked once, into the variables below; the
 * hypervisor never re-reads it, and checks every counter it reads from the
 * shared page against the stream size.  A stream whose counters are corrupt
 * is abandoned (output falls back to the UART, input reads end there).
 *
 * Output runs under the console lock (serial.c), so there is one producer.
 * When `out` is full we spin until the launcher drains it, which it always
 * does while the machine runs (see out_room).  The launcher sleeps between
 * drains; after publishing (at the end of each console write, and before
 * spinning on a full ring) hostio_out_kick rings it through the UART if it
 * said so in out_waiting (keel/hostio.h).
 * Input has one consumer, under console_in.c's lock; before it waits for
 * more it sets in_waiting (hostio_in_wait), and the launcher rings the
 * serial line as a doorbell (keel/hostio.h, console_irq.c).
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/pci.h>
#include <keel/hostio.h>
#include <stream/stream.h>
#include "x86.h"

static struct keel_hostio_header *hdr;
static struct stream out, in;       /* we produce out, consume in */
static bool out_live, in_live;      /* false once a counter was corrupt */

/* After pci_init, which found (and keeps) the device and sized its BARs. */
void hostio_init(void)
{
    const struct pci_func *f = pci_func_by_id(KEEL_HOSTIO_PCI_VENDOR,
                                              KEEL_HOSTIO_PCI_DEVICE);
    const struct keel_pci_bar *b;
    uint64_t pa, size;

    if (!f)
        return;
    b = &f->info.bar[KEEL_HOSTIO_BAR];
    pa = b->base;
    size = b->size;
    if ((b->type & ~KEEL_PCI_BAR_PREFETCH) != KEEL_PCI_BAR_MEM64 || !pa ||
        size < KEEL_HOSTIO_HDR_SIZE || size > (1ull << 32)) {
        printk("hostio: ivshmem at %02x:%02x.%u has no usable BAR %d",
               KEEL_PCI_BUS(f->info.bdf), KEEL_PCI_DEV(f->info.bdf),
               KEEL_PCI_FN(f->info.bdf), KEEL_HOSTIO_BAR);
        return;
    }
    pci_memory_decode_on(f);
    uint8_t *base = kmap_firmware(pa, size);   /* RAM-backed: write-back */
    struct keel_hostio_header *h = (void *)base;
    const char *err = hostio_layout_error(h, size);
    if (err) {
        printk("hostio: ivshmem at %#lx (%lu KiB): %s; using the serial port",
               pa, size >> 10, err);
        return;
    }
    uint32_t oo = h->out_offset, os = h->out_size, io = h->in_offset, is = h->in_size;
    if (keel_stream_used(&h->out) || keel_stream_used(&h->in) > is) {
        printk("hostio: counters not reset; using the serial port");
        return;
    }
    printk("hostio: console on ivshmem at %#lx (%lu KiB), out %u KiB, in %u KiB",
           pa, size >> 10, os >> 10, is >> 10);
    stream_init(&out, &h->out, base + oo, os, h->out.prod);
    stream_init(&in, &h->in, base + io, is, h->in.cons);
    out_live = in_live = true;
    hdr = h;
    __atomic_store_n(&hdr->hv_state, KEEL_HOSTIO_HV_ACTIVE, __ATOMIC_RELEASE);
}

/* Chosen once at boot; a stream abandoned later stays chosen (silent). */
bool hostio_active(void)
{
    return hdr != NULL;
}

/*
 * Free space in `out`, waiting for some; 0 when the stream is corrupt.
 * No time limit: a launcher that stops draining (its stdout blocked by a
 * slow reader, say) stalls us exactly as a blocked serial line did, and a
 * launcher that dies takes QEMU with it.  Falling back to the UART instead
 * would reorder output behind what still waits in the ring.
 */
static uint32_t out_room(void)
{
    bool kicked = false;

    for (;;) {
        long room = stream_writable(&out);
        if (room < 0) {
            out_live = false;           /* corrupt: never follow it */
            return 0;
        }
        if (room > 0)
            return (uint32_t)room;
        if (!kicked) {
            hostio_out_kick();          /* a sleeping launcher must drain */
            kicked = true;
        }
        cpu_relax();
    }
}

/*
 * Everything we produced is published: wake the launcher if it sleeps.
 * It set out_waiting before its last look at the ring, so either that look
 * saw our bytes or this exchange sees its flag (keel/hostio.h).  Under the
 * console lock (the caller's), so the byte never lands inside a record
 * that another CPU writes to the UART.
 */
void hostio_out_kick(void)
{
    if (hdr && out_live && hostio_out_take_waiting(hdr))
        serial_doorbell();
}

/* Appends n bytes to `out` (caller holds the console lock).  The event
 * indices are unused on this path (keel/hostio.h): the doorbell is
 * hostio_out_kick's. */
bool hostio_write(const void *buf, size_t n)
{
    const uint8_t *p = buf;

    while (out_live && n) {
        uint32_t k = (uint32_t)MIN((size_t)out_room(), n);
        if (!k)
            return false;
        stream_put(&out, p, k);
        p += k;
        n -= k;
    }
    return out_live;
}

size_t hostio_read(void *buf, size_t n)
{
    long avail;

    if (!in_live)
        return 0;
    if ((avail = stream_readable(&in)) < 0) {
        in_live = false;
        return 0;
    }
    n = MIN(n, (size_t)avail);
    stream_take(&in, buf, (uint32_t)n);
    return n;
}

bool hostio_in_wait(void)
{
    if (!in_live)
        return true;                    /* nothing more will come */
    __atomic_store_n(&hdr->in_waiting, 1, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return stream_readable(&in) == 0;
}
