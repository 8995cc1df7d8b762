/*
 * The local APIC (xAPIC, MMIO mapped uncached): EOI, IPIs and the per-CPU
 * one-shot timer behind arch_timer_program.
 *
 * The timer counts at a fixed rate measured once against the TSC.  Its
 * 32-bit counter cannot reach far deadlines, so a far one is programmed
 * as the longest count and re-armed when it fires early (the interrupt is
 * then swallowed in trap.c and never reaches hv/common).
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include "x86.h"

#define LAPIC_ID       0x020
#define LAPIC_EOI      0x0b0
#define LAPIC_SVR      0x0f0
#define LAPIC_ICR_LO   0x300
#define LAPIC_ICR_HI   0x310
#define LAPIC_LVT_TMR  0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERR  0x370
#define LAPIC_TMR_INIT 0x380
#define LAPIC_TMR_CUR  0x390
#define LAPIC_TMR_DIV  0x3e0
#define LVT_MASKED     (1u << 16)
#define ICR_PENDING    (1u << 12)

static volatile uint32_t *lapic;
static uint64_t lapic_khz;        /* timer ticks per ms, divider 16 */

static uint32_t rd(uint32_t reg) { return lapic[reg / 4]; }
static void wr(uint32_t reg, uint32_t v) { lapic[reg / 4] = v; }

uint32_t lapic_id(void) { return lapic ? rd(LAPIC_ID) >> 24 : 0; }
void lapic_eoi(void) { wr(LAPIC_EOI, 0); }

static void pic_disable(void)
{
    /* remap the 8259s to 0x20..0x2f and mask every line */
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, VEC_LEGACY_FIRST); outb(0xa1, VEC_LEGACY_FIRST + 8);
    outb(0x21, 4); outb(0xa1, 2);
    outb(0x21, 1); outb(0xa1, 1);
    outb(0x21, 0xff); outb(0xa1, 0xff);
}

/* Per CPU: enable, spurious vector, LINT/error masked, timer one-shot. */
void lapic_init_cpu(void)
{
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));
    wr(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
    wr(LAPIC_LVT_LINT0, LVT_MASKED);
    wr(LAPIC_LVT_LINT1, LVT_MASKED);
    wr(LAPIC_LVT_ERR, LVT_MASKED);
    wr(LAPIC_TMR_DIV, 0x3);               /* divide by 16 */
    wr(LAPIC_LVT_TMR, VEC_TIMER);         /* one-shot */
    wr(LAPIC_TMR_INIT, 0);
    lapic_eoi();
}

/* Timer ticks per ms against the TSC.  Each end reads the counter between
 * two TSC reads, so a pause of the (virtual) CPU between the two clocks'
 * reads cannot skew the result; the median of three runs is kept. */
static uint64_t measure_once(void)
{
    uint64_t t0, t1, ticks, ns_pair;
    uint32_t c0, c1;

    wr(LAPIC_TMR_INIT, 0xffffffffu);
    t0 = rdtsc();
    c0 = rd(LAPIC_TMR_CUR);
    t0 = (t0 + rdtsc()) / 2;
    do {
        cpu_relax();
        t1 = rdtsc();
    } while (t1 - t0 < arch_tsc_khz() * 10);          /* 10 ms */
    c1 = rd(LAPIC_TMR_CUR);
    t1 = (t1 + rdtsc()) / 2;
    wr(LAPIC_TMR_INIT, 0);
    ticks = c0 - c1;
    ns_pair = (t1 - t0) * 1000000 / arch_tsc_khz();   /* elapsed, in ns */
    return ns_pair ? ticks * 1000000 / ns_pair : 0;
}

static void calibrate(void)
{
    uint64_t r[3];

    for (int i = 0; i < 3; i++)
        r[i] = measure_once();
    /* median of three */
    lapic_khz = MAX(MIN(r[0], r[1]), MIN(MAX(r[0], r[1]), r[2]));
    if (lapic_khz == 0)
        panic("LAPIC timer does not count");
    printk("lapic: timer %lu kHz (divider 16)", lapic_khz);
}

void lapic_init_bsp(uint64_t phys)
{
    pic_disable();
    lapic = kmap_mmio(phys, 4096);
    lapic_init_cpu();
    calibrate();
}

void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
    for (unsigned i = 0; i < 1000000 && (rd(LAPIC_ICR_LO) & ICR_PENDING); i++)
        cpu_relax();
    wr(LAPIC_ICR_HI, apic_id << 24);
    wr(LAPIC_ICR_LO, icr_low);
}

void arch_kick_cpu(unsigned cpu)
{
    if (cpu < hv_nr_cpus && hv_cpus[cpu])
        lapic_send_ipi(hv_cpus[cpu]->apic_id, VEC_KICK);
}

static void program_ticks(uint64_t ticks)
{
    wr(LAPIC_TMR_INIT, (uint32_t)MIN(MAX(ticks, 1), 0xffffffffull));
}

void arch_timer_program(uint64_t deadline_ns)
{
    struct percpu_arch *c = this_cpu_arch();
    uint64_t now = hv_now_ns();

    c->timer_deadline_ns = deadline_ns;
    if (!deadline_ns) {
        wr(LAPIC_TMR_INIT, 0);
        return;
    }
    uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;
    /* far deadlines are re-armed on arrival anyway (lapic_timer_early) */
    delta = MIN(delta, 1000000000000ull);
    /* round up: the interrupt must not come before the deadline */
    program_ticks((delta * lapic_khz + 999999) / 1000000);
}

/* Called on a timer interrupt: true if it came before the deadline (the
 * counter could not reach it) and was re-armed. */
bool lapic_timer_early(void)
{
    struct percpu_arch *c = this_cpu_arch();

    if (c->timer_deadline_ns && hv_now_ns() < c->timer_deadline_ns) {
        lapic_eoi();
        arch_timer_program(c->timer_deadline_ns);
        return true;
    }
    return false;
}
