/*
 * Event channels: asynchronous notifications between domains, and from the
 * hypervisor to a domain (virtual IRQs).
 *
 * Ports.  Every domain has its own port space, ports 1 .. KEEL_EVTCHN_PORTS-1
 * (port 0 is never valid), of which it may use 1 .. its evtchn_ports limit
 * (keel/domctl.h; 255 unless the toolstack said otherwise): a new port
 * beyond it, whoever asks for it, is -KEEL_ENOSPC.  A port is in one of
 * the states below.  Each port has a pending bit and a mask bit in the
 * domain's shared-info page (keel/shared_info.h): evtchn_pending[port / 64]
 * bit port % 64, likewise evtchn_mask; word w is flagged in the vCPU's
 * pending_sel[w / 64] bit w % 64.
 *
 * Hypercall: long evtchn_op(uint32_t cmd, struct keel_evtchn_op *op).
 * Every command reads *op (must be readable: -KEEL_EFAULT); STATUS also
 * writes it back.  Ports outside 1 .. 12287 are -KEEL_EINVAL, a port in range
 * that is not in use is -KEEL_ENOENT.  Unused fields must be 0
 * (-KEEL_EINVAL), so that they can get a meaning later.
 *
 *   ALLOC_UNBOUND(remote_dom[, dom]) -> new port, UNBOUND, offered to
 *        remote_dom (KEEL_DOMID_SELF: the port's owner).  remote_dom must
 *        exist (-KEEL_ESRCH); the offer is for that domain only, not for a
 *        later domain that happens to get the same id.
 *        dom names the domain whose port space gets the port: 0 or
 *        KEEL_DOMID_SELF is the caller (so every caller that leaves the
 *        field 0, as "unused fields must be 0" made it, keeps working).
 *        Any other dom is privileged-only (-KEEL_EPERM) and must exist
 *        (-KEEL_ESRCH): the toolstack uses it to pre-allocate a guest's
 *        end of a connection before the guest runs (keel/device.h).  The
 *        port is returned to the caller; its owner learns it from its
 *        device page.  Because 0 means the caller, a privileged domain
 *        other than domain 0 cannot allocate in domain 0's space.
 *   BIND_INTERDOMAIN(remote_dom, remote_port) -> new local port, bound to
 *        remote_port, which must be UNBOUND and offered to the caller:
 *        -KEEL_ESRCH no such (or dying) domain, -KEEL_ENOENT port not in
 *        use, -KEEL_EBUSY port already bound, -KEEL_EACCES port offered to
 *        someone else.  Both ends are then INTERDOMAIN.
 *   BIND_VIRQ(virq)            -> new port bound to a virtual IRQ of the
 *        caller.  -KEEL_EINVAL unknown virq, -KEEL_EPERM privileged-only
 *        virq, -KEEL_EEXIST virq bound to a port already, -KEEL_ENODEV
 *        VIRQ_CONSOLE on a machine without a console input interrupt.
 *   SEND(port)                 -> 0.  INTERDOMAIN: the peer's port becomes
 *        pending.  UNBOUND: the event is kept and delivered to the port
 *        that binds to it next (no notification is lost while a peer
 *        re-binds).  VIRQ ports: -KEEL_EINVAL.
 *   CLOSE(port)                -> 0.  The port becomes FREE, its pending and
 *        mask bits are cleared.  The peer of an INTERDOMAIN port becomes
 *        UNBOUND, offered back to the closer (so that it can re-bind), and
 *        gets one event so that it notices; if the closed port was still
 *        pending, that event is kept for whoever binds to the peer next.
 *   STATUS(port)               -> 0, op->state, remote_dom, remote_port, virq
 *   UNMASK(port)               -> 0.  Clears the mask bit; if the port is
 *        pending, the vCPU is notified as by a new event.  (A guest may also
 *        clear a mask bit itself; it must then check the pending bit and
 *        handle the event or call UNMASK, since the hypervisor does not
 *        notify for events that arrived while masked.)
 *
 * Delivery.  When a port becomes pending (bit newly set) and is not masked,
 * the hypervisor sets bit (port / 64) of vcpu_info[0].pending_sel and
 * vcpu_info[0].upcall_pending.  If upcall_pending was not set already it
 * wakes the vCPU if it is blocked and makes it leave the guest if it runs
 * elsewhere.  Many events before the vCPU looks cost one notification.
 *
 * Upcalls.  long set_callback(uint64_t entry) registers the upcall entry
 * (0: none; else it must be an executable address of the caller,
 * -KEEL_EFAULT otherwise).  Whenever the vCPU returns to ring 3 (after a
 * hypercall, an interrupt, or being scheduled; never in the middle of a
 * hypercall's work) with upcall_pending set, upcall_mask clear and an entry
 * registered, the hypervisor
 *   1. sets upcall_mask to 1,
 *   2. writes struct keel_upcall_frame at S = rsp - KEEL_UPCALL_FRAME_OFFSET
 *      (below the 128-byte red zone of the interrupted code, which it never
 *      touches),
 *   3. resumes the vCPU at entry with rsp = S and every other register
 *      (rax included: a hypercall's result) as it was; rflags has TF, DF
 *      and AC clear.
 * If the frame cannot be written (no writable memory there) the domain
 * crashes with vector KEEL_CRASH_UPCALL and fault_addr = S.
 * The callback returns to the interrupted code without a hypercall:
 * restore every register, make rsp = S, clear upcall_mask (then re-check
 * upcall_pending), `popfq; ret $128`: that pops rflags and rip and leaves
 * rsp at its interrupted value.  An upcall may arrive between clearing the
 * mask and the final `ret`; the libos's upcall.S shows how to fold such a
 * nested frame into the outer one so that the stack never grows.
 *
 * Blocking.  KEEL_HC_SCHED_BLOCK returns at once while upcall_pending is
 * set, whatever upcall_mask says: a guest masks upcalls, checks for work,
 * then blocks, and cannot sleep through an event that came in between.
 *
 * Virtual IRQs are per domain: VIRQ_TIMER fires with the one-shot timer
 * (KEEL_PENDING_TIMER is set as well); VIRQ_DOM_EXC (privileged domain only)
 * fires whenever a domain shuts down or crashes (KEEL_PENDING_DOMAIN is set
 * as well); VIRQ_CONSOLE (privileged only) says console input may be
 * waiting for KEEL_HC_CONSOLE_READ.  It is one-shot: after it fires it
 * fires again only once a CONSOLE_READ has returned 0 (nothing anywhere)
 * and input arrives after that.  So the reader binds it, then reads until
 * a read returns 0 (or -KEEL_EPIPE, end of input), and after each event
 * reads until 0 again; it may pause (back-pressure) and resume later, but
 * no event comes until it has read to 0.  Events may be spurious (a read
 * then returns 0).  Binding it is refused (-KEEL_ENODEV) when the machine
 * has no console input interrupt: the reader must then poll.
 *
 * PIRQ ports carry an interrupt of a lent PCI function to its owner; only
 * KEEL_PCIOP_BIND_IRQ (INTx) and KEEL_PCIOP_BIND_MSIX (an MSI-X entry)
 * make one (keel/pci.h), and closing it unbinds the interrupt.  SEND on one is -KEEL_EINVAL; STATUS says PIRQ and nothing
 * more.
 *
 * Destroying a domain closes all its ports, with the effects of CLOSE on
 * their peers.
 */
#ifndef KEEL_PUBLIC_EVENT_CHANNEL_H
#define KEEL_PUBLIC_EVENT_CHANNEL_H

#include "abi.h"

typedef uint32_t keel_evtchn_port_t;

/* The port space is as large as one shared-info page holds (two bits a
 * port): dom0 needs one port per live guest, and one run boots up to
 * KEEL_LAUNCH_MAX_GUESTS (keel/launch.h). */
#define KEEL_EVTCHN_PORTS     12288u         /* ports 1 .. 12287 */
#define KEEL_EVTCHN_WORDS     (KEEL_EVTCHN_PORTS / 64)
#define KEEL_EVTCHN_SEL_WORDS ((KEEL_EVTCHN_WORDS + 63) / 64)

/* commands */
#define KEEL_EVTCHNOP_ALLOC_UNBOUND     1
#define KEEL_EVTCHNOP_BIND_INTERDOMAIN  2
#define KEEL_EVTCHNOP_BIND_VIRQ         3
#define KEEL_EVTCHNOP_SEND              4
#define KEEL_EVTCHNOP_CLOSE             5
#define KEEL_EVTCHNOP_STATUS            6
#define KEEL_EVTCHNOP_UNMASK            7

/* port states (STATUS) */
#define KEEL_EVTCHNSTAT_FREE         0
#define KEEL_EVTCHNSTAT_UNBOUND      1   /* remote_dom may bind to it */
#define KEEL_EVTCHNSTAT_INTERDOMAIN  2   /* bound to remote_dom:remote_port */
#define KEEL_EVTCHNSTAT_VIRQ         3   /* bound to virq */
#define KEEL_EVTCHNSTAT_PIRQ         4   /* a lent PCI function's interrupt */

/* virtual IRQs */
#define KEEL_VIRQ_TIMER    0   /* the vCPU's one-shot timer fired */
#define KEEL_VIRQ_CONSOLE  1   /* privileged: console input may be there */
#define KEEL_VIRQ_DOM_EXC  2   /* privileged: a domain shut down or crashed */
#define KEEL_NR_VIRQS      3

/* crash vector (keel/domctl.h) when an upcall frame cannot be written */
#define KEEL_CRASH_UPCALL  0x101

/* Field use per command: IN (i), OUT (o).  Unused fields must be 0. */
struct keel_evtchn_op {
    uint32_t port;          /* i: SEND CLOSE STATUS UNMASK */
    uint32_t remote_dom;    /* i: ALLOC_UNBOUND BIND_INTERDOMAIN; o: STATUS */
    uint32_t remote_port;   /* i: BIND_INTERDOMAIN; o: STATUS */
    uint32_t virq;          /* i: BIND_VIRQ; o: STATUS */
    uint32_t state;         /* o: STATUS (KEEL_EVTCHNSTAT_*) */
    uint32_t dom;           /* i: ALLOC_UNBOUND: owner of the new port
                             * (0 or KEEL_DOMID_SELF: the caller;
                             * any other: privileged only) */
};

/* What the hypervisor writes at the callback's rsp: popfq; ret $128 from
 * there resumes the interrupted code exactly. */
struct keel_upcall_frame {
    uint64_t rflags;
    uint64_t rip;
};
#define KEEL_UPCALL_RED_ZONE     128
#define KEEL_UPCALL_FRAME_OFFSET (KEEL_UPCALL_RED_ZONE + 16)

#endif /* KEEL_PUBLIC_EVENT_CHANNEL_H */
