/*
 * Event-channel helpers shared by the hv-evtchn dom0 test and its guest:
 * one function per EVTCHN_OP command, the shared-info bits, and a raw
 * upcall entry (the libos has the real one) that counts upcalls and the
 * ports it found pending.
 */
#ifndef T_EVTCHN_LIB_H
#define T_EVTCHN_LIB_H
#include "tlib.h"

long ev_op(uint32_t cmd, struct keel_evtchn_op *op);
long ev_alloc(uint32_t remote);
long ev_bind(uint32_t remote, uint32_t rport);
long ev_virq(uint32_t virq);
long ev_send(uint32_t port);
long ev_close(uint32_t port);
long ev_unmask(uint32_t port);
long ev_status(uint32_t port, struct keel_evtchn_op *out);

int ev_pending(uint32_t port);
int ev_take(uint32_t port);              /* clear the pending bit, was it set */
void ev_mask(uint32_t port, int on);
/* Block until port is pending (and take it) or timeout; 0 / -1. */
int ev_wait(uint32_t port, unsigned timeout_ms);

/* Upcalls: install the raw entry; the handler takes every pending unmasked
 * port, counts it in ev_seen[port] (saturating at 255) and counts upcalls. */
long ev_upcalls_on(void);
extern volatile unsigned ev_upcall_count;
extern volatile uint8_t ev_seen[KEEL_EVTCHN_PORTS];
void ev_upcall_entry(void);

#endif
