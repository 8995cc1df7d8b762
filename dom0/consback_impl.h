/*
 * The console backend's per-guest state, shared by consback.c (guests,
 * connection, the thread) and consback_io.c (moving bytes).
 */
#ifndef DOM0_CONSBACK_IMPL_H
#define DOM0_CONSBACK_IMPL_H

#include <stdint.h>
#include <keel/console.h>

#define CB_PASS_BYTES (16u << 10)   /* per guest per turn */

struct cb_guest {
    uint32_t domid;
    int idx;                        /* for `msg` */
    const char *name;
    uint32_t port;                  /* dom0's end */
    uint32_t ref;                   /* first grant reference */
    volatile int kicked;            /* set by the event handler */
    int mapped, closed;
    int warned;                     /* told the user we cannot map */
    /* Only page 0 (counters, state, input) is mapped; output is fetched
     * with grant copies, so each guest costs one page of dom0's grant
     * window and thousands of consoles fit. */
    uint32_t handle;
    uint8_t *page0;
    struct keel_console_page *pg;   /* page0 */
    uint32_t out_cons, err_cons, in_prod;   /* ours, kept privately */
    int eof_sent;
};

/* consback_io.c.  Each returns bytes moved (> 0: call again soon), 0, or
 * -1 when the guest corrupted the ring or ended its grants (the caller
 * closes it).  budget <= CB_MAX_BUDGET. */
#define CB_MAX_BUDGET KEEL_CONSOLE_OUT_SIZE
long cb_pump_output(struct cb_guest *c, uint32_t budget);
long cb_push_input(struct cb_guest *c, const uint8_t *buf, uint32_t len);
void cb_send_eof(struct cb_guest *c);
void cb_notify(struct cb_guest *c);

#endif /* DOM0_CONSBACK_IMPL_H */
