/*
 * The test guest's isolation modes (issue: hostile guests and the register
 * state they leave behind).  Each returns the guest's exit code; t_isolation.c
 * runs them beside each other and judges.
 *
 *   segs1, segs2  (pinned to one CPU by dom0) hold a pattern of data selectors (a
 *                 different one each) across hundreds of yields and
 *                 preemptions: exit(number of times the pattern was not
 *                 what this guest had loaded, at most 100)
 *   movss_syscall set TF, then `mov ss` + syscall: the single step is
 *                 held over into the syscall entry (CVE-2018-8897).  The
 *                 hypervisor must survive; the guest then traps in ring 3
 *                 on its own TF -> crash, #DB
 *   movss_int3    the same with int3 -> crash, #BP (or #DB where the CPU
 *                 takes the step before the int3, as QEMU's TCG does)
 *   icebp         the one-byte int1 -> crash, #DB (#UD under TCG)
 *   acflag        set RFLAGS.AC, then take interrupts and make hypercalls
 *                 for a while: exit(0) (the hypervisor must clear AC on
 *                 every entry; it says so in its log if it ever finds AC)
 */
#include "tlib.h"

#define READ_SEL(seg) ({ uint16_t s_; __asm__ volatile("mov %%" #seg ", %0" : "=r"(s_)); s_; })

struct sels { uint16_t ds, es, fs, gs; };

/* Values a ring-3 guest can load and keep: null, user data (0x23) and
 * user code (0x2b, readable), different in every register.  (A null
 * selector with a non-zero RPL is no use here: iretq, the hypervisor's way
 * back to ring 3, turns one in DS or ES into 0.) */
static const struct sels patterns[2] = {
    { 0x23, 0x2b, 0x2b, 0x00 },
    { 0x2b, 0x00, 0x23, 0x23 },
};

static void load_sels(const struct sels *p)
{
    __asm__ volatile("mov %0, %%ds\n\tmov %1, %%es\n\tmov %2, %%fs\n\tmov %3, %%gs"
                     :: "r"(p->ds), "r"(p->es), "r"(p->fs), "r"(p->gs) : "memory");
}

static int sels_differ(const struct sels *p)
{
    return READ_SEL(ds) != p->ds || READ_SEL(es) != p->es ||
           READ_SEL(fs) != p->fs || READ_SEL(gs) != p->gs;
}

static void spin_us(unsigned us)
{
    uint64_t end = now_ns() + us * 1000ull;

    while (now_ns() < end)
        __asm__ volatile("" ::: "memory");
}

/* Yields give the other guest the CPU at a known point; the spins let the
 * timer preempt us anywhere (a 10 ms slice, so ~20 times over the run). */
static int hold_selectors(unsigned which)
{
    const struct sels *mine = &patterns[which];
    int foreign = 0;

    load_sels(mine);
    for (unsigned i = 0; i < 400; i++) {
        if (i % 2)
            hc(KEEL_HC_SCHED_YIELD, 0, 0, 0);
        else
            spin_us(500);
        if (sels_differ(mine)) {
            foreign++;
            load_sels(mine);
        }
    }
    outf("guest segs%u: %d foreign selector observations\n", which + 1, foreign);
    return foreign > 100 ? 100 : foreign;
}

static void set_tf(void)
{
    __asm__ volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq" ::: "memory", "cc");
}

static void movss_syscall(void)
{
    long ret;

    set_tf();
    __asm__ volatile("mov %%ss, %%bx\n\tmov %%bx, %%ss\n\tsyscall"
                     : "=a"(ret) : "a"(KEEL_HC_ABI_VERSION) : "rbx", "rcx", "r11", "memory");
}

static void movss_int3(void)
{
    set_tf();
    __asm__ volatile("mov %%ss, %%bx\n\tmov %%bx, %%ss\n\tint3" ::: "rbx", "memory");
}

static int ac_flag(void)
{
    uint64_t end = now_ns() + 200000000ull;

    __asm__ volatile("pushfq\n\torq $0x40000, (%%rsp)\n\tpopfq" ::: "memory", "cc");
    while (now_ns() < end) {
        hc(KEEL_HC_ABI_VERSION, 0, 0, 0);
        spin_us(200);
    }
    return 0;
}

/* -1: not one of these modes */
int isolation_mode(const char *mode)
{
    if (!t_strcmp(mode, "segs1"))
        return hold_selectors(0);
    if (!t_strcmp(mode, "segs2"))
        return hold_selectors(1);
    if (!t_strcmp(mode, "movss_syscall"))
        movss_syscall();
    else if (!t_strcmp(mode, "movss_int3"))
        movss_int3();
    else if (!t_strcmp(mode, "icebp"))
        __asm__ volatile(".byte 0xf1");
    else if (!t_strcmp(mode, "acflag"))
        return ac_flag();
    else
        return -1;
    return 102;          /* should have trapped */
}
