/* The router's state, shared by route.c (records) and control.c (protocol). */
#ifndef KEEL_ROUTER_H
#define KEEL_ROUTER_H

#include <keel/abi.h>

#include "keel.h"

#define KEEL_TAIL_BYTES 4096
#define KEEL_PENDING_MAX (1u << 20)

/* output of a domain that no `start` line has named yet */
struct keel_pending {
    struct keel_pending *next;
    unsigned domid;
    char stream;
    size_t len;
    uint8_t data[];
};

struct keel_router {
    int n;
    struct keel_guest *g;
    int *dom2guest;              /* domid -> guest index, -1 unknown */
    bool verbose, timings, multi;
    int err_fd;
    struct keel_lineout hvlog, dom0out, dom0err, msg;
    char *ctl;                   /* partial control line */
    size_t ctl_len;
    bool done, poweroff, started;
    int done_status;
    struct keel_pending *pending, **pending_tail;
    size_t pending_bytes;
    char tail[KEEL_TAIL_BYTES];  /* last log bytes, for post-mortems */
    size_t tail_pos;
    bool tail_wrapped;
    bool progress;               /* progress.c: show boot progress */
    int nstarted;
    uint64_t progress_t0_ns, progress_last_ns;
};

void keel_route_guest(struct keel_router *r, int idx, char stream,
                      const uint8_t *data, size_t n);
void keel_route_claim(struct keel_router *r, unsigned domid, int idx);
void keel_control_feed(struct keel_router *r, const uint8_t *data, size_t n);
void keel_control_line(struct keel_router *r, char *line);
void keel_progress_started(struct keel_router *r);

#endif
