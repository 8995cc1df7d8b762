/*
 * Control lines (see ctl.h).  Every line is also logged on dom0's stdout so
 * that `keel run -v` shows the whole conversation in order.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <keel/abi.h>
#include <keel/console.h>
#include "ctl.h"
#include "hc.h"

static void send(char *line, size_t len)
{
    if (len > CTL_LINE_MAX - 2)
        len = CTL_LINE_MAX - 2;
    line[len] = '\0';
    hc_log("ctl %s", line);
    line[len++] = '\n';
    hc_console_write(KEEL_CONSOLE_CONTROL, line, len);
}

static void sendf(const char *fmt, ...)
{
    char line[CTL_LINE_MAX];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n >= 0)
        send(line, strlen(line));
}

void ctl_exit(int idx, int status) { sendf("exit %d %d", idx, status); }
void ctl_done(int status) { sendf("done %d", status); }

/* Appends one formatted line (and its newline) at buf + *at, if it fits
 * whole in CTL_LINE_MAX; a line that would not is cut, as send() cuts. */
static void put_line(char *buf, size_t size, size_t *at, const char *fmt, ...)
{
    size_t room = size - *at < CTL_LINE_MAX ? size - *at : CTL_LINE_MAX;
    va_list ap;

    if (room < 2)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *at, room - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    *at += (size_t)n < room - 2 ? (size_t)n : room - 2;
    buf[(*at)++] = '\n';
    buf[*at] = '\0';
}

#define TIMING_FMT "timing %d create_ns=%" PRIu64 " main_ready_ns=%" PRIu64 \
    " copy_ns=%" PRIu64 " image_bytes=%" PRIu64 " mem_bytes=%" PRIu64 \
    " free_frames=%" PRIu64 " created_ns=%" PRIu64 " unpause_ns=%" PRIu64
#define TIMING_ARGS(idx, t) idx, (t)->create_ns, (t)->main_ready_ns, \
    (t)->copy_ns, (t)->image_bytes, (t)->mem_bytes, (t)->free_frames, \
    (t)->created_ns, (t)->unpause_ns

void ctl_started(int idx, uint32_t domid, const struct ctl_timing *t,
                 const char *note)
{
    char ctl[2 * CTL_LINE_MAX], log[3 * CTL_LINE_MAX];
    size_t nc = 0, nl = 0;

    put_line(ctl, sizeof(ctl), &nc, "start %d %u", idx, domid);
    put_line(ctl, sizeof(ctl), &nc, TIMING_FMT, TIMING_ARGS(idx, t));
    put_line(log, sizeof(log), &nl, "ctl start %d %u", idx, domid);
    put_line(log, sizeof(log), &nl, "ctl " TIMING_FMT, TIMING_ARGS(idx, t));
    if (note)
        put_line(log, sizeof(log), &nl, "%s", note);
    hc_log_lines(log, nl);
    hc_console_write(KEEL_CONSOLE_CONTROL, ctl, nc);
}

void ctl_run_timing(const char *key, uint64_t v)
{
    sendf("timing -1 %s=%" PRIu64, key, v);
}

uint64_t ctl_free_frames(void)
{
    struct keel_domctl op = { .cmd = KEEL_DOMCTL_PHYSINFO };

    return hc_domctl(&op) < 0 ? 0 : op.u.physinfo.free_frames;
}

void ctl_run_cost(uint32_t domid)
{
    struct keel_domctl op = { .cmd = KEEL_DOMCTL_PHYSINFO };

    if (hc_domctl(&op) >= 0) {
        ctl_run_timing("first_end_free_frames", op.u.physinfo.free_frames);
        ctl_run_timing("first_end_reserved_frames", op.u.physinfo.reserved_frames);
    }
    op = (struct keel_domctl){ .cmd = KEEL_DOMCTL_GET_INFO, .domid = domid };
    if (hc_domctl(&op) >= 0) {
        ctl_run_timing("first_end_one_mem_frames", op.u.info.mem_frames);
        ctl_run_timing("first_end_one_hv_frames", op.u.info.hv_frames);
    }
    /* dom0's heap is its break's distance from where its heap starts */
    ctl_run_timing("first_end_dom0_heap_bytes",
                   (uint64_t)(uintptr_t)sbrk(0) - hc_start_info()->heap_start);
}

void ctl_msg(int idx, const char *fmt, ...)
{
    char line[CTL_LINE_MAX];
    int head = snprintf(line, sizeof(line), "msg %d ", idx);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line + head, sizeof(line) - head, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    for (size_t i = head; i < len; i++)
        if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
            line[i] = '?';
    send(line, len);
}

const char *ctl_strerror(long err)
{
    switch (-err) {
    case KEEL_EPERM:  return "not permitted";
    case KEEL_ESRCH:  return "no such domain";
    case KEEL_E2BIG:  return "too large";
    case KEEL_ENOMEM: return "out of memory";
    case KEEL_EACCES: return "access denied";
    case KEEL_EFAULT: return "bad address";
    case KEEL_EBUSY:  return "busy";
    case KEEL_EINVAL: return "invalid argument";
    case KEEL_ENOSPC: return "no space left";
    case KEEL_ENOSYS: return "not implemented";
    default:          return "error";
    }
}
