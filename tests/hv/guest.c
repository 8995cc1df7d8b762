/*
 * The unprivileged test guest.  argv[1] chooses what it does; the dom0 tests
 * check the outcome through GET_INFO (exit code, crash vector).
 *
 *   exit7    print a line, exit(7)
 *   hostile  privileged calls and foreign pointers: exit(number of checks
 *            that did not get the expected error)
 *   nullw    write to address 0             -> crash, #PF
 *   textw    write to its own text          -> crash, #PF (protection)
 *   nx       jump into its data             -> crash, #PF (instruction fetch)
 *   ud       ud2                            -> crash, #UD
 *   abort    shutdown(KEEL_SHUTDOWN_CRASH)  -> crash, KEEL_CRASH_ABORT
 *   spin     loop forever, never yield
 *   busy     loop forever, with a null hypercall every 1000 rounds (a
 *            guest that computes and now and then enters the hypervisor)
 *   timer    sleep 20 ms with its timer: exit(0) if it woke at the right time
 *   fpu      keep patterns in SSE/AVX registers across preemption
 *            (guest_fpu.c): exit(0) if none was disturbed
 *   shared   (built with its read-only pages shared from the boot module,
 *            t_share.c) a hypercall output buffer in its rodata gets
 *            -EFAULT and leaves it as it was; grants its rodata page
 *            (refs 0, 1) and a data page (ref 2) to dom0: exit(number of
 *            checks that failed)
 *   rodataw  write to its rodata                -> crash, #PF (protection)
 *   tstorm   hostile: a timer 1 us ahead, again and again, blocking until
 *            each fires (hv-timers counts the interrupts it causes)
 *   tspin    the same without blocking: spins until each fires
 *   tmove    arm a timer 100 ms ahead and spin until it fires while dom0
 *            moves it between CPUs: exit(0) if it fired, and not early
 *   grow:T   (created with a range past its 256 KiB, tbuild_range_pages)
 *            wait until now_ns() reaches T (16 hex digits), so that the
 *            growers on other CPUs start at the same moment, then
 *            INCREASE its own memory after the 256 KiB, 1024 pages a
 *            call, until refused; write every page it got: exit(0) if
 *            the refusal was -KEEL_ENOMEM and every page kept what was
 *            written, else 1
 *   stack    (its stack backed on first touch, t_stack.c) a hypercall
 *            whose argument lies on a stack page it never touched, then
 *            recursion through the rest of its 16 KiB stack, each frame
 *            checking the bytes it wrote: exit(number of checks that failed)
 *   overflow recursion without end             -> crash, #PF on the guard page
 *   segs1 segs2 movss_syscall movss_int3 icebp acflag: guest_isolation.c
 *   pci_hostile pci_port pci_cli pci_own: guest_pci.c
 */
#include "tlib.h"

TEST_NOTE(0, 256 << 10, 16 << 10);

int fpu_torture(uint32_t domid, unsigned ms);
int isolation_mode(const char *mode);
int pci_mode(const char *mode);

static uint8_t data_page[64] = { 0xc3 };     /* a `ret`, never executable */

/* Two pages of rodata, page aligned: the first is entirely inside the
 * segment's file bytes, so a sharing builder maps it from the module. */
static const struct {
    struct keel_evtchn_op op;
    uint8_t rest[2 * 4096 - sizeof(struct keel_evtchn_op)];
} ro __attribute__((aligned(4096))) = { .op = { .port = 1 }, .rest = { 1 } };

static struct keel_grant_entry gtable[512] __attribute__((aligned(4096)));
static uint64_t gpage[512] __attribute__((aligned(4096))) = { 0x5348 };

static void grant_dom0(uint32_t ref, const void *p, uint16_t flags)
{
    gtable[ref].domid = 0;
    gtable[ref].page = (uint32_t)(((uint64_t)p - KEEL_GUEST_BASE) / 4096);
    __asm__ volatile("" ::: "memory");
    gtable[ref].flags = flags;
}

static int shared(void)
{
    struct keel_evtchn_op op;
    int bad = 0;

    memset(&op, 0, sizeof(op));
    op.remote_dom = 0;
    bad += expect(hc(KEEL_HC_EVTCHN_OP, KEEL_EVTCHNOP_ALLOC_UNBOUND, (long)&op, 0), 1);
    /* STATUS of port 1 writes its result back: into rodata it cannot */
    bad += expect(hc(KEEL_HC_EVTCHN_OP, KEEL_EVTCHNOP_STATUS, (long)&ro.op, 0),
                  -KEEL_EFAULT);
    bad += expect(ro.op.port == 1 && ro.op.state == 0 && ro.rest[0] == 1, 1);
    bad += expect(hc(KEEL_HC_GRANT_TABLE_OP, KEEL_GNTOP_SETUP, (long)gtable, 512), 0);
    grant_dom0(0, &ro, KEEL_GTF_PERMIT | KEEL_GTF_READONLY);
    grant_dom0(1, &ro, KEEL_GTF_PERMIT);
    grant_dom0(2, gpage, KEEL_GTF_PERMIT | KEEL_GTF_READONLY);
    return bad;
}

static int hostile(void)
{
    struct keel_domctl op;
    int bad = 0;

    memset(&op, 0, sizeof(op));
    bad += expect(domctl(&op, KEEL_DOMCTL_PHYSINFO, 0), -KEEL_EPERM);
    bad += expect(domctl(&op, KEEL_DOMCTL_POWEROFF, 0), -KEEL_EPERM);
    bad += expect(hc(KEEL_HC_DOMCTL, 0, 0, 0), -KEEL_EPERM);
    bad += expect(hc(KEEL_HC_CONSOLE_WRITE, KEEL_CONSOLE_CONTROL, (long)"x", 1), -KEEL_EPERM);
    bad += expect(hc(KEEL_HC_CONSOLE_WRITE, KEEL_CONSOLE_STDOUT | KEEL_CONSOLE_FOR,
                     (long)"x", 1), -KEEL_EPERM);
    bad += expect(hc(KEEL_HC_CONSOLE_READ, (long)"xxxxxxxx", 8, 0), -KEEL_EPERM);
    /* dom0's module and foreign windows are not mapped here */
    bad += expect(hc(KEEL_HC_CONSOLE_WRITE, 1, (long)KEEL_DOM0_MODULE_VA, 8), -KEEL_EFAULT);
    bad += expect(hc(KEEL_HC_CONSOLE_WRITE, 1, (long)KEEL_DOM0_FOREIGN_VA, 8), -KEEL_EFAULT);
    bad += expect(hc(KEEL_HC_CONSOLE_WRITE, 1, (long)0xffff800000000000ull, 8), -KEEL_EFAULT);
    bad += expect(hc(KEEL_HC_ABI_VERSION, 0, 0, 0), KEEL_ABI_VERSION);
    op.u.map_module.gva = KEEL_GUEST_BASE;
    op.u.map_module.npages = 1;
    op.u.map_module.rights = KEEL_RIGHT_R;
    bad += expect(domctl(&op, KEEL_DOMCTL_MAP_MODULE, KEEL_DOMID_SELF), -KEEL_EPERM);
    return bad;
}

/* Frames of 512 bytes down to depth 0; each checks what it wrote after the
 * frames below it have come and gone.  Returns how many checks failed. */
static int __attribute__((noinline)) descend(unsigned depth)
{
    volatile uint8_t frame[512];
    int bad;

    for (unsigned i = 0; i < sizeof(frame); i++)
        frame[i] = (uint8_t)(depth + i);
    bad = depth ? descend(depth - 1) : 0;
    for (unsigned i = 0; i < sizeof(frame); i++)
        bad += frame[i] != (uint8_t)(depth + i);
    return bad;
}

/* Only the top page of the stack is backed at start.  `op` starts the
 * second page, which lies inside `big`, above this frame's stack pointer
 * (so no push touches it): the hypercall's read of it is the page's first
 * touch, and a new page reads as zeros (ALLOC_UNBOUND, dom0 the remote). */
static int __attribute__((noinline)) stack_hypercall(void)
{
    volatile uint8_t big[10240];
    uintptr_t second = ((uintptr_t)&big[sizeof(big) - 1] & ~4095ul) - 4096;
    struct keel_evtchn_op *op = (struct keel_evtchn_op *)second;
    long port = hc(KEEL_HC_EVTCHN_OP, KEEL_EVTCHNOP_ALLOC_UNBOUND, (long)op, 0);

    return (port > 0 ? 0 : 1) + (op->port == 0 && op->remote_dom == 0 ? 0 : 1) +
           (second > (uintptr_t)&big[0] ? 0 : 1);
}

/* 25 frames of 512 bytes and more: about 14 KiB of the 16 KiB stack */
static int stack_on_demand(void)
{
    return stack_hypercall() + descend(24);
}

static unsigned __attribute__((noinline)) overflow(unsigned n)
{
    volatile uint8_t frame[256];

    frame[0] = (uint8_t)n;
    return n == ~0u ? 0 : overflow(n + 1) + frame[0];
}

static int sleep_20ms(void)
{
    uint64_t t0 = now_ns(), deadline = t0 + 20000000;

    hc(KEEL_HC_SET_TIMER, (long)deadline, 0, 0);
    while (!(shinfo()->pending & KEEL_PENDING_TIMER))
        hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
    return now_ns() >= deadline ? 0 : 1;
}

static void timer_storm(int block)
{
    for (;;) {
        __atomic_fetch_and(&shinfo()->pending, ~KEEL_PENDING_TIMER, __ATOMIC_SEQ_CST);
        hc(KEEL_HC_SET_TIMER, (long)(now_ns() + 1000), 0, 0);
        while (!(shinfo()->pending & KEEL_PENDING_TIMER))
            if (block)
                hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
    }
}

static int spin_until_timer(void)
{
    uint64_t deadline = now_ns() + 100000000;

    hc(KEEL_HC_SET_TIMER, (long)deadline, 0, 0);
    while (!(shinfo()->pending & KEEL_PENDING_TIMER))
        __asm__ volatile("" ::: "memory");
    return now_ns() >= deadline ? 0 : 1;
}

static int starts_with(const char *s, const char *prefix)
{
    while (*prefix && *s == *prefix)
        s++, prefix++;
    return !*prefix;
}

static long increase_self(uint64_t va, uint64_t n)
{
    struct keel_memory_op op = { .gva = va, .npages = n, .domid = KEEL_DOMID_SELF };

    return hc(KEEL_HC_MEMORY_OP, KEEL_MEMORY_INCREASE, (long)&op, 0);
}

static int grow(const struct keel_start_info *si, const char *hex)
{
    uint64_t first = si->mem_base + si->mem_bytes, va = first, start = 0;
    unsigned bad = 0;
    long rc;

    for (int i = 0; i < 16; i++)
        start = start << 4 | (uint64_t)(hex[i] <= '9' ? hex[i] - '0' : hex[i] - 'a' + 10);
    while (now_ns() < start)
        __asm__ volatile("pause");
    while (!(rc = increase_self(va, KEEL_MEMORY_OP_MAX_PAGES)))
        va += KEEL_MEMORY_OP_MAX_PAGES * 4096;
    for (uint64_t p = first; p < va; p += 4096)
        *(volatile uint64_t *)p = p;
    for (uint64_t p = first; p < va; p += 4096)
        bad += *(volatile uint64_t *)p != p;
    return rc != -KEEL_ENOMEM || bad;
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    const char *mode = (const char *)si->args_va;

    (void)entry_rsp;
    if (si->argc < 2)
        t_exit(100);
    mode += t_strlen(mode) + 1;
    if (!t_strcmp(mode, "exit7")) {
        out("guest: hello\n");
        t_exit(7);
    }
    if (!t_strcmp(mode, "hostile"))
        t_exit(hostile());
    if (!t_strcmp(mode, "nullw"))
        *(volatile int *)0 = 1;
    if (!t_strcmp(mode, "textw"))
        *(volatile uint8_t *)(uintptr_t)test_main = 0;
    if (!t_strcmp(mode, "nx"))
        ((void (*)(void))(uintptr_t)data_page)();
    if (!t_strcmp(mode, "ud"))
        __asm__ volatile("ud2");
    if (!t_strcmp(mode, "abort"))
        hc(KEEL_HC_SHUTDOWN, KEEL_SHUTDOWN_CRASH, 0, 0);
    if (!t_strcmp(mode, "spin"))
        for (;;)
            __asm__ volatile("" ::: "memory");
    if (!t_strcmp(mode, "busy"))
        for (unsigned i = 0;; i++)
            if (i % 1000 == 0)
                hc(KEEL_HC_NULL, 0, 0, 0);
    if (!t_strcmp(mode, "fpu"))
        t_exit(fpu_torture(si->domid, 300));
    if (!t_strcmp(mode, "timer"))
        t_exit(sleep_20ms());
    if (!t_strcmp(mode, "shared"))
        t_exit(shared());
    if (!t_strcmp(mode, "rodataw"))
        *(volatile uint8_t *)&ro.rest[0] = 0;
    if (!t_strcmp(mode, "tstorm") || !t_strcmp(mode, "tspin"))
        timer_storm(!t_strcmp(mode, "tstorm"));
    if (!t_strcmp(mode, "tmove"))
        t_exit(spin_until_timer());
    if (t_strlen(mode) == 21 && starts_with(mode, "grow:"))
        t_exit(grow(si, mode + 5));
    if (!t_strcmp(mode, "stack"))
        t_exit(stack_on_demand());
    if (!t_strcmp(mode, "overflow"))
        t_exit((int)overflow(0));
    int rc = isolation_mode(mode);
    if (rc < 0)
        rc = pci_mode(mode);
    t_exit(rc >= 0 ? rc : 101);
}
