/*
 * Console input (consback_in.h).
 *
 * The hypervisor has no UART interrupt to offer yet, so input is polled:
 * right away again while bytes flow, then backing off to POLL_MAX_NS while
 * the line is quiet.  Polling stops for good at end of input, and pauses
 * whenever the guest's input stream is full (its next read notifies us):
 * the bytes then wait in the hypervisor, in QEMU and in the launcher, so
 * nothing is lost however slowly the guest reads.
 */
#include <libos/hypercall.h>
#include <libos/time.h>
#include <keel/hypercall.h>
#include "consback_impl.h"
#include "consback_in.h"

#define POLL_MIN_NS  1000000ull     /* 1 ms */
#define POLL_MAX_NS 20000000ull     /* 20 ms */

static struct cb_guest *target;
static uint8_t buf[KEEL_CONSOLE_IN_SIZE];
static uint32_t have, off;          /* buf[off, have) not yet in the ring */
static int ended;                   /* the hypervisor said end of input */
static uint64_t next_poll, backoff;

void cb_input_target(struct cb_guest *c)
{
    target = c;
}

void cb_input_forget(struct cb_guest *c)
{
    if (target == c)
        target = NULL;
}

static void quiet(void)
{
    backoff = backoff * 2 < POLL_MIN_NS ? POLL_MIN_NS : backoff * 2;
    if (backoff > POLL_MAX_NS)
        backoff = POLL_MAX_NS;
    next_poll = libos_monotonic_ns() + backoff;
}

/* Refill buf from the hypervisor; 1 if there is something to push. */
static int refill(void)
{
    if (ended || libos_monotonic_ns() < next_poll)
        return 0;
    long r = keel_hypercall2(KEEL_HC_CONSOLE_READ, (uint64_t)(uintptr_t)buf,
                             sizeof(buf));
    if (r == -KEEL_EPIPE) {
        ended = 1;
        return 0;
    }
    if (r <= 0) {
        quiet();
        return 0;
    }
    have = (uint32_t)r;
    off = 0;
    backoff = next_poll = 0;
    return 1;
}

int cb_input_is_target(const struct cb_guest *c)
{
    return c == target;
}

long cb_input_pump(struct cb_guest *c)
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
        if (!refill())
            return moved;
    }
}

uint64_t cb_input_deadline(void)
{
    if (!target || target->eof_sent || !target->mapped || off < have)
        return LIBOS_FOREVER;
    return next_poll;
}
