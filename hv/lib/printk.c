/*
 * printk and panic.  A log line becomes one serial record from
 * KEEL_DOMID_HV on stream 'l' whose payload ends in '\n'.  Neither uses
 * per-CPU data, so both work from NMI/#DF/#MC context and before %gs is
 * set up.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include <keel/console.h>

#define LINE_MAX 512

static void log_line(const char *fmt, va_list ap)
{
    char line[LINE_MAX];
    int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);

    if (n > (int)sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    if (n == 0 || line[n - 1] != '\n')
        line[n++] = '\n';
    console_record(KEEL_DOMID_HV, KEEL_REC_HVLOG, line, (size_t)n);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_line(fmt, ap);
    va_end(ap);
}

volatile uint32_t hv_panicking;

__attribute__((noreturn)) void panic(const char *fmt, ...)
{
    char msg[LINE_MAX - 16];
    va_list ap;

    __asm__ volatile("cli");
    /* A second panic (another CPU, or a fault while dumping) gives the
     * first a moment to finish its dump, then stops the machine. */
    if (__atomic_exchange_n(&hv_panicking, 1, __ATOMIC_SEQ_CST)) {
        for (volatile uint32_t i = 0; i < 20000000u; i++)
            cpu_relax();
        arch_poweroff(125);
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    printk("PANIC: %s", msg);
    arch_poweroff(125);
}
