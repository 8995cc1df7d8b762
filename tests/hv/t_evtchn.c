/*
 * hv-evtchn: event channels as a raw dom0, with t_evtchn_guest (boot
 * module 1).  Hostile arguments get ABI errors; loopback channels show the
 * bit protocol (coalescing, masking, close/latch/rebind) and upcalls
 * (result register kept, a burst costs one upcall); guests ping-pong with
 * dom0 and with each other; VIRQ_TIMER and VIRQ_DOM_EXC fire; a guest whose
 * upcall frame cannot be written crashes alone; closes race with sends
 * without losing an event; destroying domains with open ports returns
 * every frame.
 */
#include "tbuild.h"
#include "t_evtchn_lib.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

static const struct keel_module *img;
static long dom_exc;                    /* dom0's VIRQ_DOM_EXC port */

static long dc(struct keel_domctl *op, uint32_t cmd, uint32_t domid)
{
    memset(op, 0, sizeof(*op));
    return domctl(op, cmd, domid);
}

static void hostile_args(void)
{
    static const struct keel_evtchn_op ro = { .port = 1 };
    struct keel_evtchn_op op = { 0 };
    long p = ev_alloc(KEEL_DOMID_SELF);

    CHECK_EQ(p, 1);
    CHECK_EQ(ev_op(0, &op), -KEEL_ENOSYS);
    CHECK_EQ(ev_op(99, &op), -KEEL_ENOSYS);
    CHECK_EQ(ev_op(~0u, &op), -KEEL_ENOSYS);
    CHECK_EQ(ev_op(KEEL_EVTCHNOP_SEND, 0), -KEEL_EFAULT);
    CHECK_EQ(ev_op(KEEL_EVTCHNOP_SEND, (void *)(KEEL_USER_VA_END - 8)), -KEEL_EFAULT);
    CHECK_EQ(ev_op(KEEL_EVTCHNOP_STATUS, (void *)&ro), -KEEL_EFAULT);   /* read-only */
    CHECK_EQ(ev_send(0), -KEEL_EINVAL);
    CHECK_EQ(ev_send(KEEL_EVTCHN_PORTS), -KEEL_EINVAL);
    CHECK_EQ(ev_send(0xffffffffu), -KEEL_EINVAL);
    CHECK_EQ(ev_send(2), -KEEL_ENOENT);
    CHECK_EQ(ev_close(4095), -KEEL_ENOENT);
    CHECK_EQ(ev_unmask(KEEL_EVTCHN_PORTS), -KEEL_EINVAL);
    op.port = 1;
    op.dom = 1;
    CHECK_EQ(ev_op(KEEL_EVTCHNOP_SEND, &op), -KEEL_EINVAL);           /* dom: ALLOC only */
    op.dom = 0;
    op.virq = 1;
    CHECK_EQ(ev_op(KEEL_EVTCHNOP_SEND, &op), -KEEL_EINVAL);           /* unused field */
    CHECK_EQ(ev_virq(KEEL_NR_VIRQS), -KEEL_EINVAL);
    CHECK_EQ(ev_virq(~0u), -KEEL_EINVAL);
    CHECK_EQ(ev_bind(KEEL_DOMID_SELF, 0), -KEEL_EINVAL);
    CHECK_EQ(ev_bind(KEEL_DOMID_SELF, 2), -KEEL_ENOENT);
    CHECK_EQ(ev_bind(0x7fef, 1), -KEEL_ESRCH);
    CHECK_EQ(ev_bind(0xffffffffu, 1), -KEEL_ESRCH);
    CHECK_EQ(ev_alloc(0x12345), -KEEL_ESRCH);
    CHECK_EQ(hc(KEEL_HC_SET_CALLBACK, (long)&op, 0, 0), -KEEL_EFAULT);  /* stack: NX */
    CHECK_EQ(hc(KEEL_HC_SET_CALLBACK, -1, 0, 0), -KEEL_EFAULT);
    CHECK_EQ(ev_close((uint32_t)p), 0);
    CHECK_EQ(ev_close((uint32_t)p), -KEEL_ENOENT);
}

static void loopback(void)
{
    struct keel_evtchn_op st;
    long p = ev_alloc(KEEL_DOMID_SELF), q = ev_bind(KEEL_DOMID_SELF, (uint32_t)p);

    CHECK(p > 0 && q > 0 && p != q);
    CHECK_EQ(ev_bind(KEEL_DOMID_SELF, (uint32_t)p), -KEEL_EBUSY);
    CHECK_EQ(ev_status((uint32_t)q, &st), 0);
    CHECK(st.state == KEEL_EVTCHNSTAT_INTERDOMAIN && st.remote_dom == 0 &&
          st.remote_port == (uint32_t)p);
    for (int i = 0; i < 100; i++)
        ev_send((uint32_t)q);
    CHECK(ev_pending((uint32_t)p) && !ev_pending((uint32_t)q));
    CHECK_EQ(shinfo()->vcpu_info[0].upcall_pending, 1);
    CHECK(shinfo()->vcpu_info[0].pending_sel[0] & 1);
    CHECK_EQ(ev_take((uint32_t)p), 1);
    shinfo()->vcpu_info[0].upcall_pending = 0;
    /* masked: pending but no upcall; UNMASK delivers */
    ev_mask((uint32_t)p, 1);
    CHECK_EQ(ev_send((uint32_t)q), 0);
    CHECK(ev_pending((uint32_t)p));
    CHECK_EQ(shinfo()->vcpu_info[0].upcall_pending, 0);
    CHECK_EQ(ev_unmask((uint32_t)p), 0);
    CHECK_EQ(shinfo()->vcpu_info[0].upcall_pending, 1);
    ev_take((uint32_t)p);
    shinfo()->vcpu_info[0].upcall_pending = 0;
    /* close one end: the other is UNBOUND (offered back) and told */
    CHECK_EQ(ev_close((uint32_t)p), 0);
    CHECK_EQ(ev_status((uint32_t)q, &st), 0);
    CHECK_EQ(st.state, KEEL_EVTCHNSTAT_UNBOUND);
    CHECK_EQ(ev_take((uint32_t)q), 1);
    /* a send while unbound is latched and reaches the next binder */
    CHECK_EQ(ev_send((uint32_t)q), 0);
    long p2 = ev_bind(KEEL_DOMID_SELF, (uint32_t)q);
    CHECK(p2 > 0);
    CHECK_EQ(ev_take((uint32_t)p2), 1);
    /* an event not consumed before close waits for the re-bind */
    ev_send((uint32_t)q);
    CHECK_EQ(ev_close((uint32_t)p2), 0);
    ev_take((uint32_t)q);
    p2 = ev_bind(KEEL_DOMID_SELF, (uint32_t)q);
    CHECK_EQ(ev_take((uint32_t)p2), 1);
    CHECK_EQ(ev_close((uint32_t)q), 0);
    CHECK_EQ(ev_status((uint32_t)p2, &st), 0);
    CHECK_EQ(st.state, KEEL_EVTCHNSTAT_UNBOUND);
    CHECK_EQ(ev_close((uint32_t)p2), 0);
    shinfo()->vcpu_info[0].upcall_pending = 0;
}

static uint32_t hook_port;

static void send_hook(void)
{
    ev_send(hook_port);
}

/* An event that comes between ev_wait's look and its block must end the
 * block at once.  ev_wait masks upcalls there: unmasked, the upcall on the
 * way out of the send took the event and cleared upcall_pending, and the
 * block slept to its 5 ms timer (hv-bench's upcall round trip lost 2-27
 * of every 520 round trips that way). */
static void wait_window(uint32_t waited, uint32_t sender)
{
    unsigned n0 = ev_upcall_count;

    hook_port = sender;
    ev_wait_stats = (struct ev_wait_stats){ 0, 0 };
    ev_wait_hook = send_hook;
    CHECK_EQ(ev_wait(waited, 1000), 0);
    CHECK_EQ(ev_wait_stats.blocks, 1);
    CHECK_EQ(ev_wait_stats.timer_wakes, 0);
    CHECK_EQ(ev_upcall_count, n0);            /* taken by the wait, masked */
    CHECK_EQ(shinfo()->vcpu_info[0].upcall_mask, 0);
}

static void upcalls(void)
{
    volatile struct keel_vcpu_info *vi = &shinfo()->vcpu_info[0];
    long p[4], q[4];

    for (int i = 0; i < 4; i++) {
        p[i] = ev_alloc(KEEL_DOMID_SELF);
        q[i] = ev_bind(KEEL_DOMID_SELF, (uint32_t)p[i]);
    }
    CHECK_EQ(ev_upcalls_on(), 0);
    unsigned n0 = ev_upcall_count;
    /* the upcall comes on the way out of SEND; its result survives */
    CHECK_EQ(ev_send((uint32_t)q[0]), 0);
    CHECK_EQ(ev_upcall_count, n0 + 1);
    CHECK_EQ(ev_seen[p[0]], 1);
    ev_seen[p[0]] = 0;
    /* a burst on four ports while masked costs one upcall */
    vi->upcall_mask = 1;
    for (int k = 0; k < 50; k++)
        for (int i = 0; i < 4; i++)
            ev_send((uint32_t)q[i]);
    CHECK_EQ(ev_upcall_count, n0 + 1);
    vi->upcall_mask = 0;
    CHECK_EQ(hc(KEEL_HC_ABI_VERSION, 0, 0, 0), KEEL_ABI_VERSION);
    CHECK_EQ(ev_upcall_count, n0 + 2);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(ev_seen[p[i]], 1);
        ev_seen[p[i]] = 0;
    }
    /* VIRQ_TIMER */
    long t = ev_virq(KEEL_VIRQ_TIMER);
    CHECK(t > 0);
    CHECK_EQ(ev_virq(KEEL_VIRQ_TIMER), -KEEL_EEXIST);
    hc(KEEL_HC_SET_TIMER, (long)(now_ns() + 2000000), 0, 0);
    CHECK_EQ(ev_wait((uint32_t)t, 1000), 0);
    CHECK_EQ(ev_close((uint32_t)t), 0);
    wait_window((uint32_t)p[1], (uint32_t)q[1]);
    ev_upcalls_off();
    for (int i = 0; i < 4; i++)
        CHECK(ev_close((uint32_t)p[i]) == 0 && ev_close((uint32_t)q[i]) == 0);
    ev_seen[p[0]] = ev_seen[q[0]] = 0;
}

static void destroy(long d)
{
    struct keel_domctl op;
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d), 0);
}

/* Run to the end; check exit code and that dom0 heard of it by VIRQ (one
 * pending bit: two ends before dom0 looks are one event). */
static void finish2(long d, long code, int virq)
{
    struct keel_domain_info info;

    CHECK_EQ(tbuild_wait((uint32_t)d, &info, 20000), 0);
    CHECK_EQ(info.state, KEEL_DOMSTATE_SHUTDOWN);
    CHECK_EQ(info.exit_code, code);
    if (virq)
        CHECK_EQ(ev_wait((uint32_t)dom_exc, 1000), 0);
    destroy(d);
}

static void finish(long d, long code)
{
    finish2(d, code, 1);
}

static long bind_retry(uint32_t d, uint32_t port)
{
    long q;
    uint64_t end = now_ns() + 5000000000ull;
    while ((q = ev_bind(d, port)) == -KEEL_ENOENT && now_ns() < end)
        hc(KEEL_HC_SCHED_YIELD, 0, 0, 0);
    return q;
}

#define ROUNDS 1000
static void ping_pong_dom0(void)
{
    long d = tbuild_start(img, "pong:1000"), q;
    unsigned ok = 0;
    uint64_t t0;

    CHECK(d > 0);
    q = bind_retry((uint32_t)d, 1);
    CHECK(q > 0);
    t0 = now_ns();
    for (unsigned i = 0; i < ROUNDS; i++)
        ok += ev_send((uint32_t)q) == 0 && ev_wait((uint32_t)q, 5000) == 0;
    CHECK_EQ(ok, ROUNDS);
    outf("# dom0<->guest: %u round trips, %lu ns each\n", ROUNDS,
         (unsigned long)((now_ns() - t0) / ROUNDS));
    finish(d, 0);
    CHECK_EQ(ev_close((uint32_t)q), 0);
}

static void ping_pong_guests(void)
{
    long a = tbuild_start(img, "gga:1000"), b = tbuild_start(img, "ggb:1000");

    CHECK(a > 0 && b == a + 1);
    finish2(a, 0, 0);
    finish2(b, 0, 1);
}

static void guest_hostile_and_badstack(void)
{
    struct keel_domain_info info;
    long fo = ev_alloc(KEEL_DOMID_SELF);         /* offered to dom0 only */
    long d = tbuild_start(img, "hostile");

    CHECK(fo > 0);
    finish(d, 0);
    CHECK_EQ(ev_close((uint32_t)fo), 0);
    d = tbuild_start(img, "badstack");
    CHECK_EQ(tbuild_wait((uint32_t)d, &info, 5000), 0);
    CHECK_EQ(info.state, KEEL_DOMSTATE_CRASHED);
    CHECK_EQ(info.crash.vector, KEEL_CRASH_UPCALL);
    CHECK_EQ(info.crash.fault_addr, 0x1000 - KEEL_UPCALL_FRAME_OFFSET);
    CHECK_EQ(ev_wait((uint32_t)dom_exc, 1000), 0);
    destroy(d);
}

/* Destroy a running guest with ports open: dom0's end becomes UNBOUND
 * and gets one event. */
static void destroy_open(void)
{
    struct keel_evtchn_op st;
    long d = tbuild_start(img, "ports:100"), q;

    q = bind_retry((uint32_t)d, 100);
    CHECK(q > 0);
    destroy(d);
    CHECK_EQ(ev_take((uint32_t)q), 1);
    CHECK_EQ(ev_status((uint32_t)q, &st), 0);
    CHECK_EQ(st.state, KEEL_EVTCHNSTAT_UNBOUND);
    CHECK_EQ(ev_bind((uint32_t)d, 1), -KEEL_ESRCH);
    CHECK_EQ(ev_close((uint32_t)q), 0);
}

static long alloc_in(uint32_t dom, uint32_t remote)
{
    struct keel_evtchn_op op = { .remote_dom = remote, .dom = dom };
    return ev_op(KEEL_EVTCHNOP_ALLOC_UNBOUND, &op);
}

/* The toolstack's privileged ALLOC_UNBOUND in another domain's space: the
 * port is the guest's, offered to whoever dom0 names; dom 0 and SELF mean
 * dom0 itself; a missing owner or offeree is -ESRCH. */
static void alloc_foreign(void)
{
    struct keel_evtchn_op st;
    long d = tbuild_start(img, "ports:1"), p, q, own, up;

    CHECK(d > 0);
    up = bind_retry((uint32_t)d, 1);          /* the guest is up */
    CHECK(up > 0);
    CHECK_EQ(alloc_in(0x7fee, 0), -KEEL_ESRCH);
    CHECK_EQ(alloc_in((uint32_t)d, 0x7fee), -KEEL_ESRCH);
    p = alloc_in((uint32_t)d, 0);            /* guest's port, offered to dom0 */
    CHECK(p > 1);
    q = ev_bind((uint32_t)d, (uint32_t)p);
    CHECK(q > 0);
    CHECK_EQ(ev_status((uint32_t)q, &st), 0);
    CHECK(st.state == KEEL_EVTCHNSTAT_INTERDOMAIN && st.remote_dom == (uint32_t)d &&
          st.remote_port == (uint32_t)p);
    own = alloc_in(KEEL_DOMID_SELF, KEEL_DOMID_SELF);
    CHECK(own > 0);
    CHECK_EQ(ev_status((uint32_t)own, &st), 0);
    CHECK(st.state == KEEL_EVTCHNSTAT_UNBOUND && st.remote_dom == 0);
    p = alloc_in((uint32_t)d, KEEL_DOMID_SELF);   /* SELF: the owner, loopback */
    CHECK(p > 1);
    destroy(d);
    CHECK_EQ(alloc_in((uint32_t)d, 0), -KEEL_ESRCH);
    CHECK_EQ(ev_take((uint32_t)q), 1);       /* peer died: UNBOUND, told */
    CHECK(ev_close((uint32_t)q) == 0 && ev_close((uint32_t)own) == 0);
    CHECK_EQ(ev_close((uint32_t)up), 0);
}

#define MAILBOX (KEEL_GUEST_BASE + (TGUEST_PAGES - 6) * 4096ull)
#define SPAM 3000
/* The guest sends SPAM events while dom0 closes and re-binds its end after
 * every event it takes.  Each event is taken before the mailbox is read,
 * so dom0 must end up reading SPAM: a lost event would leave it waiting. */
static void close_rebind_race(void)
{
    struct keel_domctl op;
    long d = tbuild_start(img, "spam:3000"), q = bind_retry((uint32_t)d, 1);
    uint64_t seen = 0, rebinds = 0;

    CHECK(q > 0);
    memset(&op, 0, sizeof(op));
    op.cmd = KEEL_DOMCTL_MAP_FOREIGN;
    op.abi_version = KEEL_ABI_VERSION;
    op.domid = (uint32_t)d;
    op.u.map_foreign.gva = MAILBOX;
    op.u.map_foreign.npages = 1;
    CHECK_EQ(hc(KEEL_HC_DOMCTL, (long)&op, 0, 0), 0);
    volatile uint64_t *mail = (volatile uint64_t *)op.u.map_foreign.va;
    while (seen < SPAM && q > 0 && ev_wait((uint32_t)q, 3000) == 0) {
        seen = *mail;
        if (ev_close((uint32_t)q))
            break;
        q = ev_bind((uint32_t)d, 1);
        rebinds++;
    }
    CHECK_EQ(seen, SPAM);
    outf("# %lu close/re-bind cycles under fire\n", (unsigned long)rebinds);
    uint64_t va = op.u.map_foreign.va;
    memset(&op, 0, sizeof(op));
    op.cmd = KEEL_DOMCTL_UNMAP_FOREIGN;
    op.abi_version = KEEL_ABI_VERSION;
    op.u.unmap_foreign.va = va;
    op.u.unmap_foreign.npages = 1;
    CHECK_EQ(hc(KEEL_HC_DOMCTL, (long)&op, 0, 0), 0);
    finish(d, 0);
    if (q > 0)
        ev_close((uint32_t)q);
}

/* The libos guest (module 2): upcalls, handlers, threads, sleeps. */
static void libos_guest(const struct keel_module *lib)
{
    long d = tbuild_start(lib, "libos");

    CHECK(d > 0);
    if (d > 0)
        finish(d, 0);
}

#define CYCLES 1000
static void many_cycles(void)
{
    uint64_t free0 = tbuild_free_frames(), t0 = now_ns();
    unsigned bad = 0;

    for (unsigned i = 0; i < CYCLES; i++) {
        long d = tbuild_start(img, "ports:70");
        long q = d > 0 ? bind_retry((uint32_t)d, 70) : -1;
        struct keel_domctl op;
        bad += q <= 0;
        bad += dc(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d) != 0;
        bad += q > 0 && ev_close((uint32_t)q) != 0;
    }
    CHECK_EQ(bad, 0);
    outf("# %u create/bind/destroy cycles in %lu ms\n", CYCLES,
         (unsigned long)((now_ns() - t0) / 1000000));
    CHECK_EQ(tbuild_free_frames(), free0);
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    (void)entry_rsp;
    ktap_begin("hv-evtchn");
    img = (const struct keel_module *)si->modules_va + 1;
    hostile_args();
    loopback();
    upcalls();
    dom_exc = ev_virq(KEEL_VIRQ_DOM_EXC);
    CHECK(dom_exc > 0);
    guest_hostile_and_badstack();
    ping_pong_dom0();
    ping_pong_guests();
    destroy_open();
    alloc_foreign();
    close_rebind_race();
    many_cycles();
    CHECK_EQ(si->nr_modules, 3);
    if (si->nr_modules >= 3)
        libos_guest((const struct keel_module *)si->modules_va + 2);
    ktap_end_poweroff();
}
