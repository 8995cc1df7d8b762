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
 *   timer    sleep 20 ms with its timer: exit(0) if it woke at the right time
 *   fpu      keep patterns in SSE/AVX registers across preemption
 *            (guest_fpu.c): exit(0) if none was disturbed
 */
#include "tlib.h"

TEST_NOTE(0, 256 << 10, 16 << 10);

int fpu_torture(uint32_t domid, unsigned ms);

static uint8_t data_page[64] = { 0xc3 };     /* a `ret`, never executable */

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
    return bad;
}

static int sleep_20ms(void)
{
    uint64_t t0 = now_ns(), deadline = t0 + 20000000;

    hc(KEEL_HC_SET_TIMER, (long)deadline, 0, 0);
    while (!(shinfo()->pending & KEEL_PENDING_TIMER))
        hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
    return now_ns() >= deadline ? 0 : 1;
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
    if (!t_strcmp(mode, "fpu"))
        t_exit(fpu_torture(si->domid, 300));
    if (!t_strcmp(mode, "timer"))
        t_exit(sleep_20ms());
    t_exit(101);
}
