/*
 * hv-isolation: register state and entry paths a hostile guest controls,
 * each beside a benign observer in the same run.
 *
 * - Data selectors: two guests pinned on one CPU each hold their own
 *   pattern of DS/ES/FS/GS across hundreds of switches; neither may ever
 *   see the other's (they leaked between domains before segments.c).
 * - #DB held over by MOV SS into the syscall and int3 entries
 *   (CVE-2018-8897), and icebp: the guest crashes on its own trap, the
 *   hypervisor goes on, and an observer guest runs to its end meanwhile.
 * - RFLAGS.AC set by a guest: the hypervisor clears it on every entry (its
 *   log would say "RFLAGS.AC" otherwise; hvtest.mk forbids that line).
 */
#include "tbuild.h"

TEST_NOTE(KEEL_IMAGE_PRIVILEGED, 1 << 20, 64 << 10);

static const struct keel_module *img;

/* code_or_vector: the exit code, or the crash vector; alt: a second
 * crash vector that is as good (-1: none) */
static void expect_end_alt(long d, uint32_t state, int code_or_vector, int alt,
                           unsigned ms)
{
    struct keel_domain_info info;
    struct keel_domctl op;

    CHECK(d > 0);
    if (d <= 0)
        return;
    CHECK_EQ(tbuild_wait((uint32_t)d, &info, ms), 0);
    CHECK_EQ(info.state, state);
    if (state == KEEL_DOMSTATE_SHUTDOWN)
        CHECK_EQ(info.exit_code, code_or_vector);
    else if (alt >= 0 && info.crash.vector == (uint32_t)alt)
        CHECK_EQ(info.crash.vector, alt);
    else
        CHECK_EQ(info.crash.vector, code_or_vector);
    domctl(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d);
}

static void expect_end(long d, uint32_t state, int code_or_vector, unsigned ms)
{
    expect_end_alt(d, state, code_or_vector, -1, ms);
}

static void pin_to_cpu0(long d)
{
    struct keel_domctl op;

    memset(&op, 0, sizeof(op));
    op.u.affinity.cpu = 0;
    CHECK_EQ(domctl(&op, KEEL_DOMCTL_SET_AFFINITY, (uint32_t)d), 0);
}

static void selectors_stay_with_their_domain(void)
{
    long a = tbuild_start(img, "segs1"), b = tbuild_start(img, "segs2");

    pin_to_cpu0(a);
    pin_to_cpu0(b);
    expect_end(a, KEEL_DOMSTATE_SHUTDOWN, 0, 30000);
    expect_end(b, KEEL_DOMSTATE_SHUTDOWN, 0, 30000);
}

/* Each hostile mode runs while an observer computes; the observer must
 * finish with its own result, and the machine must still be up.  QEMU's
 * TCG takes a MOV SS single step at once rather than after the next
 * instruction, and treats icebp as #UD, hence the second vectors; the
 * hypervisor says at power-off when it met a held-over step in ring 0. */
static void held_over_single_steps(void)
{
    static const struct { const char *mode; int vector, alt; } cases[] = {
        { "movss_syscall", 1, -1 }, { "movss_int3", 3, 1 }, { "icebp", 1, 6 },
    };

    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long observer = tbuild_start(img, "fpu");
        long hostile = tbuild_start(img, cases[i].mode);

        outf("# %s\n", cases[i].mode);
        expect_end_alt(hostile, KEEL_DOMSTATE_CRASHED, cases[i].vector, cases[i].alt, 10000);
        expect_end(observer, KEEL_DOMSTATE_SHUTDOWN, 0, 20000);
    }
}

static void alignment_check_flag(void)
{
    long hostile = tbuild_start(img, "acflag"), observer = tbuild_start(img, "timer");

    expect_end(hostile, KEEL_DOMSTATE_SHUTDOWN, 0, 10000);
    expect_end(observer, KEEL_DOMSTATE_SHUTDOWN, 0, 10000);
}

void test_main(struct keel_start_info *si, uint64_t entry_rsp)
{
    (void)entry_rsp;
    ktap_begin("hv-isolation");
    img = (const struct keel_module *)si->modules_va + 1;
    CHECK_EQ(si->nr_modules, 2);
    selectors_stay_with_their_domain();
    held_over_single_steps();
    alignment_check_flag();
    ktap_end_poweroff();
}
