/*
 * Domains (hv/common/domain.c).  Arch code relies only on `as`.
 */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H

#include <keel/keel.h>
#include "mm.h"
#include "sched.h"

struct domain {
    struct addr_space as;
    keel_domid_t id;
    bool privileged;
    struct vcpu *vcpu;               /* one vCPU per domain for now */
    uint64_t shared_info_pa;         /* hypervisor-owned frame */
    uint64_t mem_pages;
    uint32_t state;                  /* KEEL_DOMSTATE_* */
    int32_t exit_code;
    struct keel_crash_info crash;
};

#endif /* HV_DOMAIN_H */
