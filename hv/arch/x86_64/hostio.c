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
#include "x86.h"

struct hostio_stream {
    struct keel_stream *s;    /* counters in shared memory */
    uint8_t *data;
    uint32_t size;            /* power of two, fixed at boot */
    uint32_t mine;            /* our counter (out: prod, in: cons), published */
    bool live;
};

static struct keel_hostio_header *hdr;
static struct hostio_stream out, in;

static void stream_setup(struct hostio_stream *st, struct keel_stream *s,
                         uint8_t *base, uint32_t off, uint32_t size, uint32_t mine)
{
    st->s = s;
    st->data = base + off;
    st->size = size;
    st->mine = mine;
    st->live = true;
}

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
    stream_setup(&out, &h->out, base, oo, os, h->out.prod);
    stream_setup(&in, &h->in, base, io, is, h->in.cons);
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
static uint32_t out_room(uint32_t prod)
{
    bool kicked = false;

    for (;;) {
        uint32_t used = prod - __atomic_load_n(&out.s->cons, __ATOMIC_ACQUIRE);
        if (used > out.size) {
            out.live = false;           /* corrupt: never follow it */
            return 0;
        }
        if (used < out.size)
            return out.size - used;
        if (!kicked) {
            hostio_out_kick();          /* a sleeping launcher must drain */
            kicked = true;
        }
        cpu_relax();
    }
}

/*
 * Everything up to out.mine is published: wake the launcher if it sleeps.
 * It set out_waiting before its last look at the ring, so either that look
 * saw our bytes or this exchange sees its flag (keel/hostio.h).  Under the
 * console lock (the caller's), so the byte never lands inside a record
 * that another CPU writes to the UART.
 */
void hostio_out_kick(void)
{
    if (hdr && out.live && hostio_out_take_waiting(hdr))
        serial_doorbell();
}

/* Appends n bytes to `out` (caller holds the console lock). */
bool hostio_write(const void *buf, size_t n)
{
    const uint8_t *p = buf;
    uint32_t prod;

    if (!out.live)
        return false;
    prod = out.mine;                    /* never re-read from the host */
    while (n) {
        uint32_t room = out_room(prod);
        if (!room)
            return false;
        uint32_t at = prod & (out.size - 1);
        uint32_t k = (uint32_t)MIN((size_t)MIN(room, out.size - at), n);
        memcpy(out.data + at, p, k);
        prod += k;
        p += k;
        n -= k;
        out.mine = prod;
        __atomic_store_n(&out.s->prod, prod, __ATOMIC_RELEASE);
    }
    return true;
}

size_t hostio_read(void *buf, size_t n)
{
    uint8_t *p = buf;
    uint32_t cons, used;

    if (!in.live)
        return 0;
    cons = in.mine;                     /* never re-read from the host */
    used = __atomic_load_n(&in.s->prod, __ATOMIC_ACQUIRE) - cons;
    if (used > in.size) {
        in.live = false;
        return 0;
    }
    n = MIN(n, (size_t)used);
    for (size_t done = 0; done < n;) {
        uint32_t at = cons & (in.size - 1);
        uint32_t k = (uint32_t)MIN((size_t)(in.size - at), n - done);
        memcpy(p + done, in.data + at, k);
        cons += k;
        done += k;
    }
    in.mine = cons;
    __atomic_store_n(&in.s->cons, cons, __ATOMIC_RELEASE);
    return n;
}

bool hostio_in_wait(void)
{
    if (!in.live)
        return true;                    /* nothing more will come */
    __atomic_store_n(&hdr->in_waiting, 1, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return __atomic_load_n(&in.s->prod, __ATOMIC_SEQ_CST) == in.mine;
}
