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
/* Block until port is pending (and take it) or timeout; 0 / -1.  Upcalls
 * are masked while it looks and blocks (restored on return), so an event
 * cannot slip between the look and the block. */
int ev_wait(uint32_t port, unsigned timeout_ms);
/* What ev_wait's blocks did: SCHED_BLOCK calls, and how many of them came
 * back with KEEL_PENDING_TIMER set (a wait that slept to its 5 ms timer). */
struct ev_wait_stats { unsigned long blocks, timer_wakes; };
extern struct ev_wait_stats ev_wait_stats;
/* Called once by the next ev_wait, between its first look and its block:
 * where a test puts the event that must not be slept through. */
extern void (*ev_wait_hook)(void);

/* Upcalls: install the raw entry; the handler takes every pending unmasked
 * port, counts it in ev_seen[port] (saturating at 255) and counts upcalls. */
long ev_upcalls_on(void);
long ev_upcalls_off(void);               /* no callback */
extern volatile unsigned ev_upcall_count;
extern volatile uint8_t ev_seen[KEEL_EVTCHN_PORTS];
void ev_upcall_entry(void);

#endif
