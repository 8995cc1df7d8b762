/*
 * Console input (keel/console.h): the launcher's stdin, framed as records
 * on the serial line, handed to the privileged domain by
 * KEEL_HC_CONSOLE_READ.
 *
 * Each read pulls what the UART holds through the record parser into
 * `buf`.  The UART is read only while `buf` has room for a whole FIFO's
 * worth, so QEMU keeps the rest (and in turn the launcher's pipe):
 * back-pressure, never loss.  One lock serialises readers; output uses
 * other UART registers.
 *
 * Wake-ups: a read that finds nothing anywhere (buffer, UART, ring) arms
 * the console interrupt (console_irq.c), which raises VIRQ_CONSOLE to
 * domain 0 once and disarms itself.  So domain 0 binds the VIRQ, reads
 * until a read returns 0, and sleeps until the VIRQ: input that arrives
 * after the last 0 interrupts, input that arrives before it is returned
 * by a read, and while domain 0 holds back (its guest's stream is full)
 * nothing interrupts it.  Without the interrupt BIND_VIRQ is refused and
 * domain 0 polls.
 *
 * When the launcher gave us shared memory (keel/hostio.h), the same records
 * come from its input stream instead, many bytes per call, with the same
 * rule: take only what `buf` has room for, the rest waits in the ring.
 */
#include <hv/hypercall.h>
#include <hv/guest_access.h>
#include <hv/domain.h>
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/console_rx.h>
#include <hv/evtchn.h>
#include <hv/sched.h>
#include <keel/console.h>

#define IN_BUF   4096u        /* power of two */
#define UART_FIFO 16u

static spinlock_t in_lock = SPINLOCK_INIT;
static uint8_t buf[IN_BUF];
static uint32_t prod, cons;   /* free-running */

static struct console_rx rx;

/* Once bytes flow, QEMU refills the FIFO from its own thread shortly after
 * we empty it: waiting a little for the refill moves far more per call
 * than returning at each empty FIFO.  An idle line costs one status read. */
#define REFILL_WAIT_NS 200000ull

static void pull_uart(void)
{
    uint64_t until = 0;
    int c;

    while (!rx.eof && IN_BUF - (prod - cons) >= UART_FIFO) {
        if ((c = serial_getc()) < 0) {
            if (!until || hv_now_ns() >= until)
                return;
            cpu_relax();
            continue;
        }
        until = hv_now_ns() + REFILL_WAIT_NS;
        if ((c = console_rx_byte(&rx, (uint8_t)c)) >= 0)
            buf[prod++ % IN_BUF] = (uint8_t)c;
    }
}

static void pull_hostio(void)
{
    uint8_t tmp[512];
    size_t n;
    int c;

    while (!rx.eof && IN_BUF - (prod - cons) >= sizeof(tmp) &&
           (n = hostio_read(tmp, sizeof(tmp))) > 0)
        for (size_t i = 0; i < n; i++)
            if ((c = console_rx_byte(&rx, tmp[i])) >= 0)
                buf[prod++ % IN_BUF] = (uint8_t)c;
}

static void pull(void)
{
    if (hostio_active())
        pull_hostio();
    else
        pull_uart();
}

/* Pull and copy out up to len bytes; *rc is a copy error, if any. */
static long deliver(struct domain *d, uint64_t gva, uint64_t len, int *rc)
{
    uint8_t tmp[256];
    long got = 0;

    pull();
    while ((uint64_t)got < len && prod != cons) {
        uint32_t n = 0;
        while (n < sizeof(tmp) && (uint64_t)got + n < len && prod != cons)
            tmp[n++] = buf[cons++ % IN_BUF];
        if ((*rc = copy_to_guest(d, gva + (uint64_t)got, tmp, n))) {
            cons -= n;        /* not delivered: keep them */
            break;
        }
        got += n;
        pull();
    }
    return got;
}

/* Everything is empty (the pull just looked): arm the interrupt.  In host
 * I/O mode the doorbell protocol of keel/hostio.h comes first: stale
 * doorbells are dropped *before* in_waiting is set, so none meant for this
 * wait can be; false if input came meanwhile (read again). */
static bool arm(void)
{
    if (!arch_console_irq())
        return true;
    if (hostio_active()) {
        arch_console_rx_discard();
        if (!hostio_in_wait())
            return false;
    }
    arch_console_rx_arm();
    return true;
}

long hc_console_read(struct vcpu *v, const struct hc_args *args)
{
    struct domain *d = v->domain;
    uint64_t gva = args->a[0], len = args->a[1];
    bool ended, again = false;
    long got;
    int rc;

    if (!d->privileged)
        return -KEEL_EPERM;
    if ((rc = guest_range_check(d, gva, len, KEEL_RIGHT_W)))
        return rc;
    spin_lock(&in_lock);
    got = deliver(d, gva, len, &rc);
    if (!got && !rc && !rx.eof && prod == cons && !arm()) {
        got = deliver(d, gva, len, &rc);
        /* input that was all framing: 0, unarmed, so make dom0 come back */
        again = !got && !rc && !rx.eof;
    }
    ended = rx.eof && prod == cons;
    spin_unlock(&in_lock);
    if (again)
        evtchn_send_virq(d, KEEL_VIRQ_CONSOLE);
    if (got == 0 && rc)
        return rc;
    return got ? got : ended ? -KEEL_EPIPE : 0;
}

__noreturn void hv_console_interrupt(void)
{
    struct domain *dom0 = domain_lookup(0);

    if (dom0)
        evtchn_send_virq(dom0, KEEL_VIRQ_CONSOLE);
    schedule_and_return();
}
