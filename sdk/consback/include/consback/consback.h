/*
 * The console backend, a library (libkeel-consback.a): the mapper end of
 * every console ring it is given (keel/console.h), guest output to where
 * the caller says, and the machine's console input to one of them.
 *
 * It takes a connection descriptor per console, never the toolstack's
 * structures, so dom0 links it today and a restartable driver domain can
 * link the same code: whoever wired the console (dom0's toolstack:
 * dom0/console.c) hands over the descriptor, and the callbacks say where
 * the bytes go and whom to tell when a console fails.
 *
 * One thread (consback_start) serves every console, round-robin, at most
 * 16 KiB of a console per turn, so a guest that prints without pause
 * neither starves another nor makes the backend wait on it: the backend
 * never blocks on a guest, only on its own event ports.  It maps only page
 * 0 of each ring (counters, state words, input) and fetches output by
 * grant copy, so a console costs one page of the grant window.  A console
 * whose counters are corrupt is closed (mapper_state CLOSED) and reported;
 * nothing else is affected.  Connecting is libos/conn.h's mapper end: on
 * the guest's first event (or whenever the backend looks and has not
 * mapped yet) it maps page 0, waits for INITIALISED, resumes from the
 * counters in the page, bumps mapper_epoch and says CONNECTED.
 *
 * Input: the hypervisor's console input (KEEL_HC_CONSOLE_READ, woken by
 * VIRQ_CONSOLE, polled every 10 ms without it: privileged) goes to the
 * console whose descriptor says so; the others read end of file at once.
 *
 * Contract:
 *  - Functions return 0 or -KEEL_Exxx; errno is not touched.
 *  - Callbacks run on the backend's thread (a libos thread, never upcall
 *    context); they may block, which holds every console up meanwhile.
 *  - consback_remove forwards everything the guest wrote before it
 *    returns, so a caller that reports the guest's end afterwards never
 *    loses a byte.
 */
#ifndef CONSBACK_CONSBACK_H
#define CONSBACK_CONSBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/device.h>

/* One console, as this backend's end sees it. */
struct consback_conn {
    /* role KEEL_DEV_MAPPER; peer_domid the guest; ring_ref and ring_pages
     * (KEEL_CONSOLE_RING_PAGES) its grants; port ours, allocated unbound
     * for the guest, which binds to it.  The backend owns the port from
     * consback_add on and closes it in consback_remove. */
    struct keel_device dev;
    bool input;            /* this console reads the console input */
    void *ctx;             /* the caller's, handed to every callback */
};

/* output is required; closed and stalled may be NULL (nobody to tell). */
struct consback_ops {
    /* len bytes the guest wrote to stream (KEEL_CONSOLE_STDOUT, _STDERR) */
    void (*output)(void *ctx, keel_domid_t domid, unsigned stream,
                   const void *buf, uint32_t len);
    /* The console is closed for good: why (corrupt counters, grants the
     * guest ended).  The guest's later writes fail with EPIPE. */
    void (*closed)(void *ctx, const char *why);
    /* The hypervisor refused to map the ring for want of memory (err:
     * -KEEL_ENOMEM or -KEEL_ENOSPC); said once, retried at each event. */
    void (*stalled)(void *ctx, long err);
};

/* Start the thread that serves every console; 0 or -KEEL_Exxx. */
int consback_start(const struct consback_ops *ops);

/* Serve one more console.  -KEEL_EINVAL for a descriptor that is not a
 * console's mapper end, -KEEL_ENOMEM. */
int consback_add(const struct consback_conn *c);

/* The guest has ended (or its build failed): forward what is left in its
 * rings, unmap them, close the port, forget it.  0, or -KEEL_ENOENT when
 * no console of domid was served. */
int consback_remove(keel_domid_t domid);

#endif /* CONSBACK_CONSBACK_H */
