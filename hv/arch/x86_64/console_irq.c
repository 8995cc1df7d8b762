/*
 * The console input interrupt: COM1's receive interrupt (ISA IRQ 4),
 * through the IOAPIC (MADT route) to VEC_CONSOLE on the boot CPU.
 *
 * The UART's interrupt line is a level: high while its receive interrupt
 * is enabled (IER) and it holds data.  console_in.c leaves data in the UART
 * on purpose (back-pressure), and the IOAPIC entry of an ISA IRQ is
 * edge-triggered, so a line left high would never give another edge.  The
 * enable bit therefore works as a one-shot:
 *
 *   - the interrupt handler clears IER first (the line drops), then EOIs
 *     and raises VIRQ_CONSOLE;
 *   - console_in.c sets IER again (arch_console_rx_arm) only in a read that
 *     found nothing anywhere, i.e. after dom0 has emptied everything.
 *
 * Setting IER while the UART holds data raises the line at once (the
 * 16550's line is a function of IER and its state, not of past events), so
 * a byte that arrives between "found nothing" and the arm still gives an
 * edge; while IER is clear the line is low, so every arm with data behind
 * it is a rising edge.  Hence no edge is lost, and none comes while dom0
 * has not yet emptied the input.  Extra interrupts (QEMU raises its IRQ on
 * every UART register update) cost one spurious VIRQ at most.  The two
 * writers of IER need no lock: a clear followed by a set leaves it armed
 * after a VIRQ (dom0 reads once more), a set followed by a clear leaves it
 * disarmed after a VIRQ (dom0 reads until empty, which arms it).
 *
 * With the host I/O path (hostio.c) the UART carries only the launcher's
 * doorbell bytes (keel/hostio.h, in_waiting); they are thrown away by
 * arch_console_rx_discard and their receive trigger level is one byte.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include "madt.h"
#include "x86.h"

#define UART_IER    1
#define UART_FCR    2
#define UART_MCR    4
#define UART_LSR    5
#define UART_SCR    7
#define IER_RX      0x01
#define FCR_FIFO_ON 0x01          /* receive trigger level 1 byte */
#define MCR_DTR_RTS_OUT2 0x0b     /* OUT2 gates the IRQ line on PCs */
#define LSR_DR      0x01
#define DISCARD_MAX 64

static bool live;

static bool uart_present(void)
{
    outb(COM1 + UART_SCR, 0x5a);
    return inb(COM1 + UART_SCR) == 0x5a && inb(COM1 + UART_LSR) != 0xff;
}

/* Boot CPU, after the LAPIC and the MADT walk.  Failing is fine: dom0's
 * BIND_VIRQ(VIRQ_CONSOLE) is then refused and it polls.  `wanted` false
 * (boot option noconsoleirq) takes that path on purpose, for its test. */
void console_irq_init(bool wanted)
{
    struct isa_route r;
    const char *why;

    if (!wanted)
        why = "noconsoleirq";
    else if (!uart_present())
        why = "no UART";
    else if (!(why = acpi_isa_route(COM1_IRQ, &r)) &&
             (ioapic_prepare(r.ioapic_pa) ||
              ioapic_route(&r, VEC_CONSOLE, hv_cpus[0]->apic_id, false)))
        why = "IOAPIC refused";
    if (why) {
        printk("console: no input interrupt (%s): input is polled", why);
        return;
    }
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
    if (hostio_active())
        outb(COM1 + UART_FCR, FCR_FIFO_ON);
    live = true;
    printk("console: input interrupt IRQ %u -> IOAPIC %#lx pin %u (%s, %s)",
           COM1_IRQ, r.ioapic_pa, r.gsi - r.gsi_base,
           r.level ? "level" : "edge", r.active_low ? "low" : "high");
}

bool arch_console_irq(void)
{
    return live;
}

void arch_console_rx_arm(void)
{
    if (live)
        outb(COM1 + UART_IER, IER_RX);
}

void arch_console_rx_discard(void)
{
    for (unsigned i = 0; i < DISCARD_MAX && (inb(COM1 + UART_LSR) & LSR_DR); i++)
        inb(COM1);
}

/* The handler (trap.c): disarm before the EOI, so that a level-triggered
 * route does not fire again, then hand over to hv/common. */
__noreturn void console_irq_interrupt(void)
{
    outb(COM1 + UART_IER, 0);
    lapic_eoi();
    hv_console_interrupt();
}
