/*
 * The console frontend's private state, shared by console_front.c (set-up)
 * and console_ring.c (data path).
 */
#ifndef LIBOS_CONSOLE_FRONT_H
#define LIBOS_CONSOLE_FRONT_H

#include <keel/console.h>
#include <libos/conn.h>
#include <stream/stream.h>

struct console_front {
    struct keel_console_page *pg;
    struct stream out, err, in;    /* we produce out and err, consume in */
    struct libos_conn conn;        /* we grant, the backend maps */
    uint8_t *page[KEEL_CONSOLE_RING_PAGES];
    int up;                   /* the ring is in use */
    int broken;               /* corrupt counters or backend closed */
};

extern struct console_front libos_cf;

void libos_console_init(void);                 /* console_front.c */
long libos_cf_write(struct stream *st, const char *p, size_t len);
long libos_cf_read(void *buf, size_t len);     /* console_ring.c */
/* Whether a read of stdin would return at once (bytes, end of input, a
 * broken or closed backend).  arm: if not, ask the backend for an event
 * when bytes come (thread context); 0: only look (any context). */
int libos_cf_input_ready(int arm);

#endif /* LIBOS_CONSOLE_FRONT_H */
