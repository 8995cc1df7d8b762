/*
 * Inside the console backend (API: consback/consback.h):
 *
 *   consback.c     the consoles, connecting (libos/conn.h), the thread
 *   consback_io.c  moving bytes: output by grant copy, input into the ring
 *                  (the byte-stream ring of stream/stream.h)
 *   consback_in.c  the console input, from the hypervisor
 */
#ifndef CONSBACK_IMPL_H
#define CONSBACK_IMPL_H

#include <stdint.h>
#include <consback/consback.h>
#include <keel/console.h>
#include <libos/conn.h>
#include <stream/stream.h>

#define CB_PASS_BYTES (16u << 10)   /* per console per turn */

struct cb_console {
    struct libos_conn conn;         /* mapper end: page 0 only */
    uint8_t *page[1];
    keel_grant_handle_t handle[1];
    struct keel_console_page *pg;   /* page[0] while connected */
    /* We consume out and err (fetched by grant copy: offsets only) and
     * produce in; our counters are kept privately (stream/stream.h). */
    struct stream out, err, in;
    keel_domid_t domid;
    bool input;                     /* it reads the console input */
    void *ctx;
    volatile int kicked;            /* set by the event handler */
    int queued;                     /* on the ready list (consback.c) */
    struct cb_console *next_ready;
    int closed;
    int warned;                     /* told the caller we cannot map */
    int eof_sent;
};

extern const struct consback_ops *cb_ops;   /* consback.c */

/* consback_io.c.  Each returns bytes moved (> 0: call again soon), 0, or
 * -1 when the guest corrupted the ring or ended its grants (the caller
 * closes it).  budget <= CB_MAX_BUDGET. */
#define CB_MAX_BUDGET KEEL_CONSOLE_OUT_SIZE
long cb_pump_output(struct cb_console *c, uint32_t budget);
long cb_push_input(struct cb_console *c, const uint8_t *buf, uint32_t len);
void cb_send_eof(struct cb_console *c);

/* consback_in.c: the console input, read from the hypervisor
 * (KEEL_HC_CONSOLE_READ, on VIRQ_CONSOLE), into one console's stream. */
void cb_input_start(void);                    /* bind VIRQ_CONSOLE */
/* A VIRQ_CONSOLE came that the thread has not taken yet (its wait
 * predicate reads this). */
int cb_input_fired(void);
/* At the start of each pass: take it (the next pump reads again). */
void cb_input_take_event(void);
void cb_input_target(struct cb_console *c);   /* the console that gets it */
void cb_input_forget(struct cb_console *c);   /* it is going away */
/* Move input into c if it is the target: bytes moved, or -1 (corrupt). */
long cb_input_pump(struct cb_console *c);
/* When the backend should look for input next (LIBOS_FOREVER: only on an
 * event; a deadline only when polling without the VIRQ). */
uint64_t cb_input_deadline(void);

#endif /* CONSBACK_IMPL_H */
