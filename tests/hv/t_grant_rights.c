/*
 * hv-grant, page rights: a grant never gives more than its granter has.
 * dom0 grants its own guard page, start-info page, text and rodata to
 * itself, and the guest's "rights" mode grants its own to itself and to
 * dom0, all without KEEL_GTF_READONLY: every use is checked
 * (t_grant_uses.c), beside a read-write grant of a data page that works.
 * Once a guest has run its rights are fixed (SET_RIGHTS is -KEEL_EBUSY),
 * so what a pin checked holds while it lasts.
 */
#include "t_grant.h"

#define REF0 30                      /* dom0's refs for its own pages */

static const uint64_t ro_page[512] __attribute__((aligned(4096))) = { 0x444f4d30524f };

static void dom0_own_pages(const struct keel_start_info *si)
{
    const void *page[RIGHTS_NR] = {
        (const void *)si->heap_end, si, (const void *)KEEL_GUEST_BASE, ro_page, pages[3],
    };

    for (uint32_t i = 0; i < RIGHTS_NR; i++) {
        grant(REF0 + i, page[i], 0, KEEL_GTF_PERMIT);
        CHECK_EQ(grant_uses_bad(0, REF0 + i, rights_access[i]), 0);
        CHECK_EQ(gnt(KEEL_GNTOP_END, REF0 + i, 0), 0);
    }
}

static void guest_pages(void)
{
    struct keel_domain_info info;
    struct keel_domctl op;
    uint64_t free0 = tbuild_free_frames();
    long d = tbuild_start(guest_img, "rights");

    CHECK(d > 0);
    if (d <= 0)
        return;
    CHECK_EQ(tbuild_wait((uint32_t)d, &info, 5000), 0);
    CHECK_EQ(info.state, KEEL_DOMSTATE_SHUTDOWN);
    CHECK_EQ(info.exit_code, 0);
    for (uint32_t i = 0; i < RIGHTS_NR; i++)
        CHECK_EQ(grant_uses_bad((keel_domid_t)d, RIGHTS_TO_DOM0 + i, rights_access[i]), 0);
    /* making the guard page (or any) writable now would widen its grants */
    CHECK_EQ(tbuild_set_rights((uint32_t)d, KEEL_GUEST_BASE, TGUEST_PAGES,
                               KEEL_RIGHT_R | KEEL_RIGHT_W), -KEEL_EBUSY);
    CHECK_EQ(tbuild_set_rights((uint32_t)d, KEEL_GUEST_BASE, 1, KEEL_RIGHT_R), -KEEL_EBUSY);
    CHECK_EQ(grant_uses_bad((keel_domid_t)d, RIGHTS_TO_DOM0, PAGE_NONE), 0);
    CHECK_EQ(dc(&op, KEEL_DOMCTL_DESTROY, (uint32_t)d), 0);
    CHECK_EQ(tbuild_free_frames(), free0);
}

void grant_rights_tests(const struct keel_start_info *si)
{
    dom0_own_pages(si);
    guest_pages();
}
