/*
 * A fault in ring 3 ends the faulting domain alone: its crash record is
 * kept for dom0 (GET_INFO), its vCPU is dead, dom0 is told, and this CPU
 * moves on to something else.  Faults in ring 0 are the arch layer's
 * (a hypervisor bug: panic).
 */
#include <hv/domain.h>
#include <hv/lib.h>

#define VECTOR_PF 14

__noreturn void hv_guest_exception(struct vcpu *v, unsigned vector,
                                   uint64_t error_code, uint64_t cr2)
{
    domain_crash(v->domain, vector, error_code, vector == VECTOR_PF ? cr2 : 0);
    schedule_and_return();
}
