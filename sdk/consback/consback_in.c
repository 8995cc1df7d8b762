/*
 * The console input (consback_impl.h), for the console whose descriptor
 * asks for it.
 *
 * Event-driven (keel/event_channel.h, VIRQ_CONSOLE): the VIRQ says "input
 * may be there"; we then read until the hypervisor returns 0 (nothing left
 * anywhere) or -KEEL_EPIPE (end of input).  Only a read that returns 0
 * re-arms the hypervisor's interrupt, so between an event and that 0 no
 * event comes and reading is up to us: we stop early only when the
 * guest's input stream is full, and resume when the guest's read notifies
 * us.  The bytes meanwhile wait in the hypervisor, in QEMU and in the
 * launcher, so nothing is lost however slowly the guest reads, and the
 * backend never waits on a guest.
 *
 * A VIRQ is noted (`fired`) by its handler and taken by the backend thread
 * at the start of a pass, before it reads, so one that comes during a read
 * makes the next pass read again.  Without the interrupt (BIND_VIRQ
 * refused) we poll every POLL_NS instead.
 */
#include <stdio.h>
#include <libos/event.h>
#include <libos/hypercall.h>
#include <libos/time.h>
#include "consback_impl.h"

#define POLL_NS 10000000ull         /* 10 ms, only without the VIRQ */

static struct cb_console *target;
static uint8_t buf[KEEL_CONSOLE_IN_SIZE];
static uint32_t have, off;          /* buf[off, have) not yet in the ring */
static int ended;                   /* the hypervisor said end of input */
static int drained;                 /* the last read returned 0 */
static long virq_port;              /* > 0: bound; else we poll */
static volatile int fired;          /* VIRQ_CONSOLE not yet taken */
static uint64_t next_poll;          /* polling only */

static void on_virq(keel_evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    fired = 1;
}

void cb_input_start(void)
{
    virq_port = libos_evtchn_bind_virq(KEEL_VIRQ_CONSOLE);
    if (virq_port > 0)
        libos_evtchn_set_handler((keel_evtchn_port_t)virq_port, on_virq, NULL);
    else
        printf("consback: console input: no VIRQ_CONSOLE (%ld): polling\n",
               virq_port);
}

int cb_input_fired(void)
{
    return fired;
}

void cb_input_take_event(void)
{
    if (fired) {
        fired = 0;
        drained = 0;
    } else if (virq_port <= 0 && libos_monotonic_ns() >= next_poll) {
        drained = 0;
    }
}

void cb_input_target(struct cb_console *c)
{
    target = c;
}

void cb_input_forget(struct cb_console *c)
{
    if (target == c)
        target = NULL;
}

/* Refill buf from the hypervisor; 1 if there is something to push. */
static int refill(void)
{
    if (ended || drained)
        return 0;
    long r = keel_hc_console_read(buf, sizeof(buf));
    if (r == -KEEL_EPIPE) {
        ended = 1;
        return 0;
    }
    if (r <= 0) {
        drained = 1;                /* armed: the VIRQ tells us of more */
        next_poll = libos_monotonic_ns() + POLL_NS;
        return 0;
    }
    have = (uint32_t)r;
    off = 0;
    return 1;
}

long cb_input_pump(struct cb_console *c)
{
    long moved = 0;

    if (c != target || c->eof_sent)
        return 0;
    for (;;) {
        if (off < have) {
            long n = cb_push_input(c, buf + off, have - off);
            if (n < 0)
                return -1;
            off += (uint32_t)n;
            moved += n;
            if (off < have)
                return moved;       /* full: the guest's read wakes us */
        }
        if (ended) {
            cb_send_eof(c);
            return moved;
        }
        if (!refill() && !ended)
            return moved;           /* else send the EOF at once */
    }
}

uint64_t cb_input_deadline(void)
{
    if (virq_port > 0 || !target || target->eof_sent || !target->pg ||
        off < have)
        return LIBOS_FOREVER;
    return next_poll;
}
