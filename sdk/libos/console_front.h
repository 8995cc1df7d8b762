/*
 * The console frontend's private state, shared by console_front.c (set-up)
 * and console_ring.c (data path).
 */
#ifndef LIBOS_CONSOLE_FRONT_H
#define LIBOS_CONSOLE_FRONT_H

#include <keel/console.h>

/* One direction; the counter this side owns is kept privately, so a peer
 * scribbling on the shared copy cannot steer where we write or read. */
struct cf_stream {
    struct keel_stream *s;
    uint8_t *data;
    uint32_t size;
    uint32_t mine;            /* out/err: prod; in: cons */
};

struct console_front {
    struct keel_console_page *pg;
    struct cf_stream out, err, in;
    keel_evtchn_port_t port;
    int up;                   /* the ring is in use */
    int broken;               /* corrupt counters or backend closed */
};

extern struct console_front libos_cf;

void libos_console_init(void);                 /* console_front.c */
long libos_cf_write(struct cf_stream *st, const char *p, size_t len);
long libos_cf_read(void *buf, size_t len);     /* console_ring.c */
/* Whether a read of stdin would return at once (bytes, end of input, a
 * broken or closed backend).  arm: if not, ask the backend for an event
 * when bytes come (thread context); 0: only look (any context). */
int libos_cf_input_ready(int arm);

#endif /* LIBOS_CONSOLE_FRONT_H */
