/*
 * A fault in ring 3 ends the faulting domain alone: its crash record is
 * kept for dom0 (GET_INFO), its vCPU is dead, dom0 is told, and this CPU
 * moves on to something else.  Faults in ring 0 are the arch layer's
 * (a hypervisor bug: panic).  The one fault that is not an error is a
 * guest's first touch of a page of its stack (stack.c): the page is
 * backed and the guest, rescheduled like after any trap, retries.
 */
#include <hv/domain.h>
#include <hv/lib.h>

#define VECTOR_PF 14

__noreturn void hv_guest_exception(struct vcpu *v, unsigned vector,
                                   uint64_t error_code, uint64_t cr2)
{
    if (vector == VECTOR_PF && stack_fault(v->domain, cr2, error_code))
        schedule_and_return();
    domain_crash(v->domain, vector, error_code, vector == VECTOR_PF ? cr2 : 0);
    schedule_and_return();
}
