/*
 * dom0/reap.c against a fake hypervisor: exits and crashes are reported
 * (with a symbolized backtrace read from the guest's stack through foreign
 * mappings), domains destroyed, and the run's status is the first non-zero
 * one in command-line order.
 */
#include "ktest.h"
#include "timage.h"
#include "dom0_fakehv.h"
#include "../../lib/image/why.c"
#include "../../lib/image/elf_note.c"
#include "../../lib/image/elf_check.c"
#include "../../lib/image/layout.c"
#include "../../dom0/layout.c"
#include "../../dom0/ctl.c"
#include "../../dom0/admit.c"
#include "../../dom0/foreign.c"
#include "../../dom0/share.c"
#include "../../dom0/builder.c"
#include "dom0_devices_stub.h"
#include "../../dom0/channel.c"
#include "../../dom0/symbols.c"
#include "../../dom0/backtrace.c"
#include "../../dom0/crash.c"
#include "../../dom0/leaf.c"
#include "../../dom0/reap.c"

/* The fake's VIRQ_DOM_EXC: an event is its KEEL_PENDING_DOMAIN bit, which
 * end_dom sets (reap.c takes the bit after each wait). */
long libos_evtchn_bind_virq(uint32_t virq)
{
    return virq == KEEL_VIRQ_DOM_EXC ? 3 : -KEEL_EINVAL;
}

int libos_evtchn_wait(keel_evtchn_port_t port, uint64_t deadline_ns)
{
    (void)port;
    (void)deadline_ns;
    hc_wait(KEEL_PENDING_DOMAIN);
    return 1;
}

static struct timage t;
static struct guest g[3];
static struct mf_guest mf[3] = { { 1, "a", 2, "a", 2, 0 }, { 1, "b", 2, "b", 2, 0 },
                                 { 1, "c", 2, "c", 2, 0 } };
static int step;

/* fake.ctl after the run's cost (ctl_run_cost): the free frames the fake
 * hypervisor reports first, then the other first_end_ lines (any values) */
static const char *run_cost_skipped(void)
{
    static const char free_line[] = "timing -1 first_end_free_frames=4242\n";
    const char *at = fake.ctl;

    if (strncmp(at, free_line, sizeof(free_line) - 1) != 0)
        return "(no run cost)";
    while (strncmp(at, "timing -1 first_end_", 20) == 0 && strchr(at, '\n'))
        at = strchr(at, '\n') + 1;
    return at;
}

static void start(unsigned n)
{
    fake_reset();
    fake_ended_head = fake_ended_tail = fake_ended_on = 0;
    reap_watch();
    timage_init(&t);
    t.sym[0] = (struct tsym){ "__libos_start", 0x400000, 0x10, ELF_STT_FUNC };
    t.sym[1] = (struct tsym){ "main", 0x400010, 0x20, ELF_STT_FUNC };
    t.nsyms = 2;
    timage_emit(&t);
    for (unsigned i = 0; i < n; i++) {
        g[i] = (struct guest){ .idx = (int)i, .mf = &mf[i], .image = t.file,
                               .image_size = t.size };
        builder_start(&g[i], 1);
    }
    fake.ctl_len = 0;
    fake.ctl[0] = '\0';
    step = 0;
}

static void end_dom(uint32_t domid, uint32_t state, int32_t code)
{
    fake.dom[domid - 1].info.state = state;
    fake.dom[domid - 1].info.exit_code = code;
    fake.pending |= KEEL_PENDING_DOMAIN;
    fake_note_ended(domid);
}

/* Guest 1 exits with 0x1203 first; then guest 0 reads address 0 in main,
 * called from __libos_start, with a two-frame rbp chain on its stack. */
static void exit_then_crash(void)
{
    if (step++ == 0) {
        end_dom(2, KEEL_DOMSTATE_SHUTDOWN, 0x1203);
        return;
    }
    struct fake_dom *d = &fake.dom[0];
    uint64_t top = 0x400000 + d->pages * 4096, rbp = top - 0x100;
    uint64_t frame[2] = { 0, 0x400008 };        /* outermost frame */
    memcpy(d->mem + (rbp - 0x400000), frame, sizeof(frame));
    d->info.crash = (struct keel_crash_info){ .vector = KEEL_CRASH_PF,
                                              .error_code = 4 };
    d->info.crash.regs.rip = 0x400014;
    d->info.crash.regs.rbp = rbp;
    end_dom(1, KEEL_DOMSTATE_CRASHED, 0);
}

KTEST(exit_and_crash)
{
    start(2);
    fake.on_wait = exit_then_crash;
    EXPECT_EQ(reap_all(g, 2), 139);
    EXPECT_EQ(g[0].status, 139);
    EXPECT_EQ(g[1].status, 3);
    EXPECT(strncmp(run_cost_skipped(), "exit 1 3\nmsg 0 a: crashed: page "
                   "fault at 0x0 (read, not present) rip=0x400014 in main+0x4\n",
                   78) == 0);
    EXPECT(strstr(fake.ctl, "\nmsg 0 #0 0x400014 main+0x4\n"
                  "msg 0 #1 0x400008 __libos_start+0x8\nexit 0 139\n"));
    EXPECT(!fake.dom[0].exists && !fake.dom[1].exists);
    EXPECT_EQ(fake.maps, 0);
}

static void all_exit_zero(void)
{
    end_dom(1 + (uint32_t)step++, KEEL_DOMSTATE_SHUTDOWN, 256);
}

KTEST(all_zero)
{
    start(3);
    fake.on_wait = all_exit_zero;
    EXPECT_EQ(reap_all(g, 3), 0);
    EXPECT_EQ(step, 3);
    /* the free frames once, when the first end is heard of, before any
     * DESTROY (bench/bench.py's memory per live guest) */
    EXPECT(strcmp(run_cost_skipped(), "exit 0 0\nexit 1 0\nexit 2 0\n") == 0);
}

KTEST(rejected_guest_is_not_waited_for)
{
    start(2);
    g[0].status = KEEL_STATUS_REJECTED;       /* as builder_start leaves it */
    fake.dom[0].exists = 0;
    fake.on_wait = all_exit_zero;
    step = 1;                                 /* only domain 2 ends */
    EXPECT_EQ(reap_all(g, 2), 126);
    EXPECT(strcmp(run_cost_skipped(), "exit 1 0\n") == 0);
}

static void vanish(void)
{
    fake.dom[0].exists = 0;
    fake.pending |= KEEL_PENDING_DOMAIN;
}

KTEST(vanished_domain)
{
    start(1);
    fake.on_wait = vanish;
    EXPECT_EQ(reap_all(g, 1), 125);
    EXPECT(strstr(fake.ctl, "vanished\nexit 0 125\n"));
}

KTEST(no_guests)
{
    start(0);
    EXPECT_EQ(reap_all(g, 0), 0);
    EXPECT_EQ(fake.ctl_len, 0);
}

KTEST(abort_status)
{
    start(1);
    fake.dom[0].info.crash.vector = KEEL_CRASH_ABORT;
    end_dom(1, KEEL_DOMSTATE_CRASHED, 0);
    EXPECT_EQ(reap_all(g, 1), 134);
    EXPECT(strstr(fake.ctl, "a: crashed: aborted"));
}

/* With KEEL_DOMCTL_NEXT_ENDED: one full look, then one GET_INFO per guest
 * the hypervisor names (not per live guest); stale names are ignored. */
KTEST(next_ended_names_guests)
{
    start(3);
    fake_ended_on = 1;
    fake_note_ended(77);                      /* a hint for no guest of ours */
    fake.on_wait = all_exit_zero;
    unsigned before = fake.calls[KEEL_DOMCTL_GET_INFO];
    EXPECT_EQ(reap_all(g, 3), 0);
    EXPECT(strcmp(run_cost_skipped(), "exit 0 0\nexit 1 0\nexit 2 0\n") == 0);
    /* and one for the run's cost, once (ctl_run_cost) */
    EXPECT_EQ(fake.calls[KEEL_DOMCTL_GET_INFO] - before, 3 + 3 + 1);
}

KTEST_MAIN(KTEST_CASE(exit_and_crash), KTEST_CASE(all_zero),
           KTEST_CASE(next_ended_names_guests),
           KTEST_CASE(rejected_guest_is_not_waited_for),
           KTEST_CASE(vanished_domain), KTEST_CASE(no_guests),
           KTEST_CASE(abort_status))
