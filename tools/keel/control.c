/*
 * The control protocol (keel/console.h): lines from dom0's toolstack.
 * Records may split or join lines, so bytes are gathered until '\n'.
 *
 *   start <idx> <domid>    exit <idx> <status>    msg <idx> <text>
 *   timing <idx> <k=v>...  done <status>
 *
 * An unknown verb or a malformed line is shown with -v and otherwise
 * ignored: a newer dom0 may say more than this launcher understands.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

#define CTL_LINE_MAX 65536

static int parse_int(const char *s, char **end, long lo, long hi, long *out)
{
    errno = 0;
    long v = strtol(s, end, 10);
    if (*end == s || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* "<idx>" at s: a guest index, or -1 if allowed.  Leaves *rest after it. */
static int parse_idx(struct keel_router *r, const char *s, bool run_ok,
                     char **rest, int *idx)
{
    long v;
    if (parse_int(s, rest, run_ok ? -1 : 0, r->n - 1, &v))
        return -1;
    if (**rest == ' ')
        (*rest)++;
    else if (**rest)
        return -1;
    *idx = (int)v;
    return 0;
}

/* A line for the user's stderr, prefixed with the guest's name when several
 * guests run. */
static void say(struct keel_router *r, int idx, const char *text)
{
    struct keel_lineout *err = idx >= 0 ? &r->g[idx].err : &r->msg;
    keel_lo_flush(err);
    if (idx >= 0 && r->multi) {
        keel_lo_write(err, text, strlen(text));
        keel_lo_write(err, "\n", 1);
    } else {
        keel_write_all(r->err_fd, text, strlen(text));
        keel_write_all(r->err_fd, "\n", 1);
    }
}

static int do_verb(struct keel_router *r, const char *verb, char *args)
{
    char *rest;
    int idx;
    long v;
    if (!strcmp(verb, "done")) {
        if (parse_int(args, &rest, 0, 255, &v) || *rest)
            return -1;
        r->done = true;
        r->done_status = (int)v;
        return 0;
    }
    bool run_ok = !strcmp(verb, "msg") || !strcmp(verb, "timing");
    if (parse_idx(r, args, run_ok, &rest, &idx))
        return -1;
    if (!strcmp(verb, "start")) {
        if (parse_int(rest, &rest, 0, KEEL_DOMID_MAX, &v) || *rest)
            return -1;
        keel_route_claim(r, (unsigned)v, idx);
        r->started = true;
        keel_progress_started(r);
    } else if (!strcmp(verb, "exit")) {
        if (parse_int(rest, &rest, 0, 255, &v) || *rest)
            return -1;
        r->g[idx].status = (int)v;
        keel_lo_flush(&r->g[idx].out);
        keel_lo_flush(&r->g[idx].err);
    } else if (!strcmp(verb, "msg")) {
        say(r, idx, rest);
    } else if (!strcmp(verb, "timing")) {
        if (r->timings) {
            char line[CTL_LINE_MAX + 32];
            snprintf(line, sizeof(line), "timing %d %s", idx, rest);
            say(r, idx, line);
        }
    } else {
        return -1;
    }
    return 0;
}

void keel_control_line(struct keel_router *r, char *line)
{
    size_t n = strlen(line);
    if (n && line[n - 1] == '\r')
        line[n - 1] = '\0';
    char *sp = strchr(line, ' ');
    char *args = sp ? sp + 1 : line + n;
    if (sp)
        *sp = '\0';
    if (do_verb(r, line, args) && r->verbose) {
        if (sp)
            *sp = ' ';
        char msg[CTL_LINE_MAX + 64];
        snprintf(msg, sizeof(msg), "keel: ignoring control line '%s'", line);
        say(r, -1, msg);
    }
}

void keel_control_feed(struct keel_router *r, const uint8_t *data, size_t n)
{
    if (!r->ctl && !(r->ctl = malloc(CTL_LINE_MAX + 1)))
        return;
    for (size_t i = 0; i < n; i++) {
        if (data[i] != '\n' && r->ctl_len < CTL_LINE_MAX) {
            r->ctl[r->ctl_len++] = (char)data[i];
            continue;
        }
        if (data[i] != '\n')
            continue;   /* an over-long line is cut */
        r->ctl[r->ctl_len] = '\0';
        r->ctl_len = 0;
        keel_control_line(r, r->ctl);
    }
}
