/*
 * The guest side of hv-evtchn.  argv[1] is "mode" or "mode:N":
 *
 *   pong:N     offer port 1 to dom0, answer N of its events (upcalls)
 *   gga:N      offer port 1 to domain id+1, answer N events (polling)
 *   ggb:N      bind to domain id-1's port 1, send N pings, wait each answer
 *   hostile    bad event-channel arguments: exit(number of wrong answers)
 *   badstack   take an upcall with rsp pointing at nothing: must crash with
 *              KEEL_CRASH_UPCALL, not harm the hypervisor
 *   ports:N    offer N ports to dom0, bind VIRQ_TIMER, block forever
 *   spam:N     offer port 1 to dom0; N times: store i in the mailbox (last
 *              heap page), send; dom0 closes and re-binds meanwhile
 */
#include "t_evtchn_lib.h"

TEST_NOTE(0, 256 << 10, 16 << 10);

static unsigned num(const char *s)
{
    unsigned n = 0;
    while (*s >= '0' && *s <= '9')
        n = n * 10 + (unsigned)(*s++ - '0');
    return n;
}

static int is(const char *mode, const char *name, unsigned *n)
{
    size_t l = t_strlen(name);
    for (size_t i = 0; i < l; i++)
        if (mode[i] != name[i])
            return 0;
    if (mode[l] != 0 && mode[l] != ':')
        return 0;
    *n = mode[l] == ':' ? num(mode + l + 1) : 0;
    return 1;
}

/* Retry while the other side is not there yet. */
static long alloc_retry(uint32_t remote)
{
    long p;
    while ((p = ev_alloc(remote)) == -KEEL_ESRCH)
        hc(KEEL_HC_SCHED_YIELD, 0, 0, 0);
    return p;
}

static int answer(uint32_t port, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (ev_wait(port, 5000))
            return 10;
        if (ev_send(port))
            return 11;
    }
    return 0;
}

static int ggb(uint32_t a, unsigned n)
{
    long q;
    while ((q = ev_bind(a, 1)) == -KEEL_ENOENT || q == -KEEL_EACCES || q == -KEEL_ESRCH)
        hc(KEEL_HC_SCHED_YIELD, 0, 0, 0);
    if (q <= 0)
        return 20;
    for (unsigned i = 0; i < n; i++) {
        if (ev_send((uint32_t)q))
            return 21;
        if (ev_wait((uint32_t)q, 5000))
            return 22;
    }
    return 0;
}

static int hostile(void)
{
    struct keel_evtchn_op op;
    int bad = 0;

    bad += expect(ev_virq(KEEL_VIRQ_DOM_EXC), -KEEL_EPERM);
    bad += expect(ev_virq(KEEL_VIRQ_CONSOLE), -KEEL_EPERM);
    for (uint32_t p = 1; p < 8; p++) {       /* dom0's ports are not ours */
        bad += expect(ev_send(p), -KEEL_ENOENT);
        long r = ev_bind(0, p);
        bad += expect(r == -KEEL_ENOENT || r == -KEEL_EACCES || r == -KEEL_EBUSY, 1);
    }
    bad += expect(ev_bind(0x7fee, 1), -KEEL_ESRCH);
    bad += expect(ev_bind(KEEL_DOMID_HV, 1), -KEEL_ESRCH);
    bad += expect(ev_alloc(0x7fee), -KEEL_ESRCH);
    bad += expect(ev_bind(0, 0), -KEEL_EINVAL);
    bad += expect(ev_bind(0, KEEL_EVTCHN_PORTS), -KEEL_EINVAL);
    bad += expect(ev_op(KEEL_EVTCHNOP_SEND, (void *)0xffff800000000000ull), -KEEL_EFAULT);
    bad += expect(ev_op(KEEL_EVTCHNOP_SEND, (void *)KEEL_DOM0_MODULE_VA), -KEEL_EFAULT);
    bad += expect(hc(KEEL_HC_SET_CALLBACK, (long)&op, 0, 0), -KEEL_EFAULT);
    bad += expect(hc(KEEL_HC_SET_CALLBACK, (long)KEEL_USER_VA_END, 0, 0), -KEEL_EFAULT);
    /* allocating in another domain's port space is the toolstack's alone */
    for (uint32_t dom = 1; dom < 4; dom++) {
        op = (struct keel_evtchn_op){ .remote_dom = KEEL_DOMID_SELF, .dom = dom };
        long r = ev_op(KEEL_EVTCHNOP_ALLOC_UNBOUND, &op);
        bad += expect(r == -KEEL_EPERM || r > 0, 1);   /* > 0: dom is us */
        if (r > 0)
            bad += expect(ev_close((uint32_t)r), 0);
    }
    op = (struct keel_evtchn_op){ .remote_dom = 0, .dom = 0x7fee };
    bad += expect(ev_op(KEEL_EVTCHNOP_ALLOC_UNBOUND, &op), -KEEL_EPERM);
    return bad;
}

/* Loopback pair, then a send with rsp at an unmapped page: the upcall
 * on the way back from that send has nowhere to write its frame. */
static void badstack(void)
{
    long p = ev_alloc(KEEL_DOMID_SELF), q = ev_bind(KEEL_DOMID_SELF, (uint32_t)p);
    struct keel_evtchn_op op = { .port = (uint32_t)q };

    ev_upcalls_on();
    __asm__ volatile("mov $0x1000, %%rsp\n syscall\n ud2"
                     :: "a"(KEEL_HC_EVTCHN_OP), "D"(KEEL_EVTCHNOP_SEND), "S"(&op)
                     : "memory");
}

static void ports(unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (ev_alloc(0) <= 0)
            t_exit(30);
    ev_virq(KEEL_VIRQ_TIMER);
    ev_upcalls_on();
    for (;;)
        hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
}

static int spam(struct keel_start_info *si, unsigned n)
{
    volatile uint64_t *mail = (volatile uint64_t *)(si->heap_end - 4096);
    long p = alloc_retry(0);

    if (p != 1)
        return 40;
    for (unsigned i = 1; i <= n; i++) {
        __atomic_store_n(mail, i, __ATOMIC_SEQ_CST);
        if (ev_send(1))
            return 41;
        for (volatile int k = 0; k < 2000; k++)
            ;
    }
    return 0;
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    const char *mode = (const char *)si->args_va;
    unsigned n;

    (void)entry_rsp;
    mode += t_strlen(mode) + 1;
    if (is(mode, "pong", &n)) {
        ev_upcalls_on();
        t_exit(alloc_retry(0) == 1 ? answer(1, n) : 12);
    }
    if (is(mode, "gga", &n))
        t_exit(alloc_retry(si->domid + 1) == 1 ? answer(1, n) : 13);
    if (is(mode, "ggb", &n))
        t_exit(ggb(si->domid - 1, n));
    if (is(mode, "hostile", &n))
        t_exit(hostile());
    if (is(mode, "badstack", &n))
        badstack();
    if (is(mode, "ports", &n))
        ports(n);
    if (is(mode, "spam", &n))
        t_exit(spam(si, n));
    t_exit(101);
}
