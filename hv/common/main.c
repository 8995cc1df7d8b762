/*
 * The common layer's entry points: the boot CPU builds dom0 and starts
 * scheduling; the other CPUs just start scheduling (they idle until there
 * is work and they are kicked).
 */
#include <hv/domain.h>
#include <hv/lib.h>

__noreturn void hv_main(void)
{
    sched_init();
    domain_init();
    dom0_build();
    schedule_and_return();
}

__noreturn void hv_ap_main(void)
{
    schedule_and_return();
}
