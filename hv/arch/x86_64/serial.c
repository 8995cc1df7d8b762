/*
 * COM1 (16550 UART, 115200 8N1, polled) and the framed console records of
 * keel/console.h.  Once hostio.c has found the launcher's shared memory,
 * records go there instead (the UART stays the fallback, and carries the
 * doorbell that wakes the launcher).  One lock makes
 * each record atomic across CPUs; a writer waits as long as the launcher
 * takes to drain (no record is ever lost or interleaved).  Only once the
 * machine is panicking does a CPU stop waiting for the lock after a bounded
 * time and write anyway: a garbled last record beats a silent hang.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <keel/console.h>
#include <keel/hostio.h>
#include "x86.h"

#define LSR_THRE 0x20
#define LSR_DR   0x01
#define DEBUG_EXIT_PORT 0xf4

static spinlock_t console_lock = SPINLOCK_INIT;

void serial_init(void)
{
    outb(COM1 + 1, 0x00);    /* no interrupts */
    outb(COM1 + 3, 0x80);    /* DLAB */
    outb(COM1 + 0, 0x01);    /* divisor 1: 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);    /* 8N1 */
    outb(COM1 + 2, 0xc7);    /* FIFO on, cleared */
    outb(COM1 + 4, 0x03);    /* DTR, RTS */
}

static void serial_putc(char c)
{
    /* bounded: a missing UART must not hang the machine */
    for (unsigned i = 0; i < 1000000 && !(inb(COM1 + 5) & LSR_THRE); i++)
        cpu_relax();
    outb(COM1, (uint8_t)c);
}

int serial_getc(void)
{
    if (!(inb(COM1 + 5) & LSR_DR))
        return -1;
    return inb(COM1);
}

/*
 * The host I/O path's output doorbell (keel/hostio.h), written under the
 * console lock.  Never waits: a transmitter still busy holds bytes that
 * reach the launcher after this moment and wake it just the same.
 */
void serial_doorbell(void)
{
    if (inb(COM1 + 5) & LSR_THRE)
        outb(COM1, KEEL_HOSTIO_DOORBELL);
}

void serial_write_raw(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        serial_putc(s[i]);
}

static bool console_lock_take(void)
{
    if (!hv_panicking) {
        spin_lock(&console_lock);
        return true;
    }
    for (unsigned long i = 0; i < 1000000000ul; i++) {
        if (!__atomic_exchange_n(&console_lock.locked, 1, __ATOMIC_ACQUIRE))
            return true;
        cpu_relax();
    }
    return false;   /* the holder is stuck (it faulted?): go ahead */
}

static void put_hex4(char *p, unsigned v)
{
    static const char hex[] = "0123456789abcdef";

    for (int i = 3; i >= 0; i--, v >>= 4)
        p[i] = hex[v & 0xf];
}

static void record_one(uint16_t domid, char stream, const char *buf, size_t len)
{
    char hdr[KEEL_REC_HDR_LEN];

    hdr[0] = KEEL_REC_SOH;
    hdr[1] = KEEL_REC_MAGIC;
    put_hex4(hdr + 2, domid);
    hdr[6] = stream;
    put_hex4(hdr + 7, (unsigned)len);
    hdr[11] = ':';
    if (hostio_write(hdr, sizeof(hdr)) && hostio_write(buf, len))
        return;
    serial_write_raw(hdr, sizeof(hdr));
    serial_write_raw(buf, len);
}

void console_record(uint16_t domid, char stream, const void *buf, size_t len)
{
    const char *p = buf;
    bool locked = console_lock_take();

    do {
        size_t n = MIN(len, (size_t)0xffff);
        record_one(domid, stream, p, n);
        p += n;
        len -= n;
    } while (len);
    hostio_out_kick();
    if (locked)
        spin_unlock(&console_lock);
}

__noreturn void arch_poweroff(int status)
{
    char num[16];
    int n = snprintf(num, sizeof(num), "%d", status);

    __asm__ volatile("cli");
    trap_report();
    console_record(KEEL_DOMID_HV, KEEL_REC_POWEROFF, num, (size_t)n);
    /* isa-debug-exit: QEMU exits with (value << 1) | 1 */
    outb(DEBUG_EXIT_PORT, (uint8_t)status);
    for (;;)
        __asm__ volatile("cli; hlt");
}
