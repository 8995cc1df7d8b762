/*
 * Speculative-execution hazards between guests, and between a guest and
 * the hypervisor: which the CPU has, which we mitigate and how.
 * docs/isolation.md gives the reasoning; in short:
 *
 *   Spectre v1   guest-chosen indices go through index_nospec() (lib.h)
 *   Spectre v2   the hypervisor is built with retpolines (hv.mk), and the
 *                branch predictors are flushed (IBPB) whenever a CPU moves
 *                from one domain to another, where the CPU offers IBPB
 *   MDS          CPU buffers cleared (VERW) on every return to ring 3,
 *                where the microcode offers it (MD_CLEAR) and the CPU
 *                needs it (not MDS_NO)
 *   Meltdown     NOT mitigated: the hypervisor's half of every address
 *                space maps all RAM (supervisor-only).  A CPU that can
 *                read supervisor data speculatively from ring 3 (Intel
 *                before RDCL_NO) lets a guest read every other guest.  We
 *                say so loudly at boot; page-table isolation is future work.
 */
#include <hv/arch.h>
#include <hv/lib.h>
#include "x86.h"

#define MSR_PRED_CMD          0x49u
#define MSR_ARCH_CAPABILITIES 0x10au
#define ARCH_CAP_RDCL_NO      (1ull << 0)
#define ARCH_CAP_MDS_NO       (1ull << 5)

static bool ibpb_on_switch;
uint8_t hv_verw_on_exit;          /* entry.S */
const uint16_t hv_verw_selector = GDT_KDATA;

static bool vendor_is(const char *id)
{
    uint32_t r[4];
    char v[13];

    cpuid(0, 0, r);
    memcpy(v, &r[1], 4);
    memcpy(v + 4, &r[3], 4);
    memcpy(v + 8, &r[2], 4);
    v[12] = 0;
    return !strcmp(v, id);
}

static bool has_ibpb(uint32_t leaf7_edx)
{
    uint32_t r[4];

    if (leaf7_edx & (1u << 26))              /* IBRS_IBPB (Intel) */
        return true;
    cpuid(0x80000000u, 0, r);
    if (r[0] < 0x80000008u)
        return false;
    cpuid(0x80000008u, 0, r);
    return r[1] & (1u << 12);               /* IBPB (AMD) */
}

/* Boot CPU, once; every CPU is assumed to be the same model. */
void spec_ctrl_init(void)
{
    uint32_t r[4];
    uint64_t caps = 0;
    bool intel = vendor_is("GenuineIntel"), meltdown;

    cpuid(0, 0, r);
    if (r[0] >= 7)
        cpuid(7, 0, r);
    else
        r[3] = 0;
    if (r[3] & (1u << 29))
        caps = rdmsr(MSR_ARCH_CAPABILITIES);
    ibpb_on_switch = has_ibpb(r[3]);
    hv_verw_on_exit = (r[3] & (1u << 10)) && !(caps & ARCH_CAP_MDS_NO);
    meltdown = intel && !(caps & ARCH_CAP_RDCL_NO);
    printk("spec: retpolines; IBPB on domain switch %s; VERW on exit %s",
           ibpb_on_switch ? "on" : "not offered", hv_verw_on_exit ? "on" : "off");
    if (meltdown)
        printk("spec: WARNING: this CPU may read supervisor memory speculatively "
               "from ring 3 (Meltdown, no RDCL_NO): guests are not isolated from "
               "each other here; see docs/isolation.md");
}

/* The CPU is about to run another domain than before: nothing the last one
 * taught the branch predictors may steer the next one's speculation. */
void spec_ctrl_domain_switch(void)
{
    if (ibpb_on_switch)
        wrmsr(MSR_PRED_CMD, 1);
}
