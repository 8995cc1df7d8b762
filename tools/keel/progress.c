/*
 * Boot progress on stderr for runs of many guests: a density run is
 * otherwise silent for the seconds dom0 takes to build them all.
 *
 * Shown only when stderr is a terminal (or --progress asks for it), so
 * that output captured by tests and scripts stays exactly the guests'
 * own; and only for runs of at least KEEL_PROGRESS_MIN guests.  One line
 * a second at most, and one when the last guest has started.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "router.h"

#define KEEL_PROGRESS_MIN 100

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void keel_progress_init(struct keel_router *r, bool forced)
{
    r->progress = r->n >= KEEL_PROGRESS_MIN && (forced || isatty(r->err_fd));
    r->progress_t0_ns = r->progress_last_ns = now_ns();
}

/* A `start` line: one more guest runs. */
void keel_progress_started(struct keel_router *r)
{
    uint64_t t;
    char line[128];

    r->nstarted++;
    if (!r->progress)
        return;
    t = now_ns();
    if (r->nstarted < r->n && t - r->progress_last_ns < 1000000000u)
        return;
    r->progress_last_ns = t;
    snprintf(line, sizeof(line), "keel: %d of %d guests started (%.1f s)\n",
             r->nstarted, r->n, (double)(t - r->progress_t0_ns) / 1e9);
    keel_lo_flush(&r->msg);
    keel_write_all(r->err_fd, line, strlen(line));
}
