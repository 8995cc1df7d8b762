/*
 * The run loop: read QEMU's serial line (stdout) and stderr until dom0
 * reports `done` and the hypervisor powers off, QEMU goes away, the
 * timeout expires or we are told to stop (SIGINT/SIGTERM, blocked outside
 * ppoll so that none is lost).  Then QEMU is killed and reaped.
 *
 * With the shared-memory path (keel/hostio.h) the machine's records arrive
 * in memory, not on a descriptor: we drain it whenever we wake, and once
 * more after QEMU has exited (it exits right after the poweroff record).
 * Before sleeping we arm the output doorbell (out_waiting, then a last
 * look at the ring), so the hypervisor writes a byte to the serial line
 * when it publishes output, and we sleep on that line with no timer.  Only
 * input that `in` has no room for yet is retried every HOSTIO_POLL_S (no
 * doorbell says that the hypervisor made room).  The serial line still
 * carries the hypervisor's early log; it has its own parser, read first.
 * Input goes into memory too; QEMU's serial input then only carries the
 * doorbell that wakes a hypervisor waiting for input.  With -v we say at
 * exit how often we woke.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <keel/launch.h>

#include "keel.h"

#define DONE_GRACE_S 10.0   /* after `done`, how long to wait for poweroff */
#define TAIL_LINES   20
#define HOSTIO_POLL_S 0.002

extern volatile sig_atomic_t keel_got_signal;

struct loop {
    struct keel_input input;
    struct keel_rec_parser parser;
    struct keel_rec_parser shm_parser;
    struct keel_hostio *hostio;
    struct keel_stage *stage;       /* the run folder, until the machine speaks */
    pid_t qemu;
    bool spoke;                     /* the machine has printed something */
    struct keel_lineout qemulog;
    char errtail[2048];
    size_t errlen;
    unsigned long wakes, timer_wakes;   /* ppoll returns; of them, timeouts */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void keep_tail(struct loop *l, const char *d, size_t n)
{
    if (n >= sizeof(l->errtail)) {
        d += n - sizeof(l->errtail);
        n = sizeof(l->errtail);
    }
    if (l->errlen + n > sizeof(l->errtail)) {
        size_t drop = l->errlen + n - sizeof(l->errtail);
        memmove(l->errtail, l->errtail + drop, l->errlen - drop);
        l->errlen -= drop;
    }
    memcpy(l->errtail + l->errlen, d, n);
    l->errlen += n;
}

static bool readable_now(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return poll(&p, 1, 0) > 0;
}

/* QEMU reads the kernel, modules and manifest before the machine runs, so
 * once the hypervisor has printed anything the run folder is no longer
 * needed: removing it now means a launcher killed later (SIGKILL gives us
 * no chance to clean up) leaves nothing behind. */
static void forget_stage(struct loop *l)
{
    if (l->stage) {
        keel_stage_cleanup(l->stage);
        l->stage = NULL;
    }
}

/* The machine runs: QEMU has read its files and opened its sockets. */
static void machine_spoke(struct loop *l, const struct keel_opts *o)
{
    if (l->spoke)
        return;
    l->spoke = true;
    forget_stage(l);
    bool tcp = false;
    for (int i = 0; i < o->nports; i++)
        tcp |= !o->ports[i].udp;
    if (!tcp)
        return;
    int n = keel_widen_backlogs(o, l->qemu);
    if (o->verbose && n < 0)
        fprintf(stderr, "keel: -p: QEMU's listen backlog stays 1: %s\n", strerror(-n));
    else if (o->verbose)
        fprintf(stderr, "keel: -p: %d listening socket(s) of QEMU's given backlog %d\n",
                n, SOMAXCONN);
}

/* Reads one chunk; false at end of file. */
static bool pump(struct loop *l, const struct keel_opts *o, int fd, bool serial)
{
    static uint8_t buf[65536];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0)
        return false;
    if (serial) {
        machine_spoke(l, o);
        keel_rec_feed(&l->parser, buf, (size_t)n);
    } else {
        keep_tail(l, (char *)buf, (size_t)n);
        if (o->verbose)
            keel_lo_write(&l->qemulog, buf, (size_t)n);
    }
    return true;
}

static void print_last_lines(const char *what, const char *s, size_t n)
{
    size_t start = n, lines = 0;
    while (start > 0 && lines <= TAIL_LINES)
        if (s[--start] == '\n' && start + 1 < n)
            lines++;
    if (lines > TAIL_LINES)
        start++;
    while (start < n && s[start] == '\n')
        start++;
    if (start >= n)
        return;
    fprintf(stderr, "keel: %s:\n", what);
    fwrite(s + start, 1, n - start, stderr);
    if (s[n - 1] != '\n')
        fputc('\n', stderr);
}

static void post_mortem(struct loop *l, const struct keel_router *r, int wstatus,
                        bool verbose)
{
    fprintf(stderr, "keel: the machine stopped without reporting a result");
    if (WIFEXITED(wstatus))
        fprintf(stderr, " (QEMU exited with status %d)\n", WEXITSTATUS(wstatus));
    else if (WIFSIGNALED(wstatus))
        fprintf(stderr, " (QEMU was killed by signal %d)\n", WTERMSIG(wstatus));
    else
        fprintf(stderr, "\n");
    if (!verbose) {
        char *log = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&log, &len);
        if (f) {
            keel_router_log_tail(r, f);
            fclose(f);
            print_last_lines("last lines of the machine's log", log, len);
            free(log);
        }
        print_last_lines("QEMU's stderr", l->errtail, l->errlen);
    }
}

/* With shared memory: what to do before sleeping, and how long (at most
 * `left`) we may sleep. */
static double before_sleep(struct loop *l, bool shm_in, double left)
{
    if (shm_in && l->input.len && l->input.ready) {
        /* input read before the machine could take it (or before `in`
         * had room): push it now, not only after the next wake */
        keel_input_push(&l->input, l->hostio);
        /* what `in` has no room for: nothing rings when room is made */
        if (l->input.len && left > HOSTIO_POLL_S)
            left = HOSTIO_POLL_S;
    }
    /* the output doorbell: sleep only if `out` is empty after arming */
    if (l->hostio->hdr && !keel_hostio_out_arm(l->hostio))
        left = 0;
    return left;
}

/* Waits for the next event; false when the run is over. */
static bool step(struct loop *l, const struct keel_opts *o, struct keel_router *r,
                 struct pollfd *fds, double deadline, double *done_at)
{
    if (keel_router_done(r, NULL) && keel_router_poweroff(r))
        return false;
    double now = now_s(), until = deadline;
    if (keel_router_done(r, NULL)) {
        if (*done_at == 0)
            *done_at = now + DONE_GRACE_S;
        if (until == 0 || *done_at < until)
            until = *done_at;
    }
    if (until && now >= until)
        return false;
    double left = until ? until - now : 3600;
    bool shm_in = keel_hostio_live(l->hostio);
    if (keel_router_started(r))
        keel_input_ready(&l->input);
    left = before_sleep(l, shm_in, left);
    struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };
    sigset_t open;
    sigemptyset(&open);
    /* our stdin and QEMU's serial input, only while there is work */
    fds[2] = (struct pollfd){ .fd = keel_input_wants_read(&l->input) ? 0 : -1,
                              .events = POLLIN };
    bool to_qemu = shm_in ? l->input.bell : keel_input_wants_write(&l->input);
    fds[3] = (struct pollfd){ .fd = to_qemu ? l->input.to : -1, .events = POLLOUT };
    int ready = ppoll(fds, 4, &ts, &open);
    if (ready < 0 && errno != EINTR)
        return false;
    l->wakes++;
    l->timer_wakes += ready == 0 && left > 0;
    if (l->hostio->hdr)
        keel_hostio_out_awake(l->hostio);
    if (keel_got_signal)
        return false;
    for (int i = 0; i < 2; i++)
        if (fds[i].revents && !pump(l, o, fds[i].fd, i == 0))
            fds[i].fd = -fds[i].fd - 1;   /* poll ignores negative fds */
    if (l->hostio->hdr)
        keel_hostio_drain(l->hostio, &l->shm_parser);
    if (fds[2].fd >= 0 && fds[2].revents)
        keel_input_read(&l->input);
    if (fds[3].fd >= 0 && fds[3].revents) {
        if (shm_in)
            keel_input_ring(&l->input);
        else
            keel_input_write(&l->input);
    }
    if (shm_in && l->input.len && l->input.ready) {
        keel_input_push(&l->input, l->hostio);
        /* keep the ring fed, but only from bytes already there: an
         * interactive stdin has none, and a read would block the loop */
        if (keel_input_wants_read(&l->input) && fds[2].fd >= 0 && readable_now(0)) {
            keel_input_read(&l->input);
            keel_input_push(&l->input, l->hostio);
        }
    }
    return fds[0].fd >= 0;
}

static int verdict(struct loop *l, const struct keel_opts *o, struct keel_router *r,
                   int wstatus, bool timed_out)
{
    int status;
    if (keel_got_signal) {
        fprintf(stderr, "keel: stopped by signal %d\n", (int)keel_got_signal);
        return 128 + keel_got_signal;
    }
    if (keel_router_done(r, &status))
        return status;
    if (timed_out) {
        fprintf(stderr, "keel: timed out after %g s; the machine was stopped\n",
                o->timeout_s);
        return KEEL_STATUS_TIMEOUT;
    }
    /* a -p whose host socket QEMU could not open: QEMU stopped at once */
    if (!keel_router_started(r) && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) &&
        keel_explain_hostfwd(o, l->errtail, l->errlen, stderr))
        return KEEL_EXIT_USAGE;
    post_mortem(l, r, wstatus, o->verbose);
    return KEEL_STATUS_MACHINE;
}

/* Gives QEMU grace_s to exit by itself, then kills it; its wait status. */
static int reap(pid_t pid, double grace_s)
{
    int wstatus = 0;
    double until = now_s() + grace_s;
    while (waitpid(pid, &wstatus, WNOHANG) != pid) {
        if (now_s() >= until) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        usleep(10000);
    }
    return wstatus;
}

int keel_loop(const struct keel_opts *o, pid_t pid, int out_fd, int err_fd,
              int in_fd, struct keel_router *r, struct keel_hostio *h,
              struct keel_stage *st)
{
    struct loop *l = calloc(1, sizeof(*l));
    if (!l)
        return KEEL_STATUS_MACHINE;
    l->stage = st;
    l->qemu = pid;
    keel_rec_init(&l->parser, keel_router_sink(r));
    keel_rec_init(&l->shm_parser, keel_router_sink(r));
    l->hostio = h;
    keel_lo_init(&l->qemulog, 2, "qemu| ");
    keel_input_init(&l->input, 0, in_fd);
    struct pollfd fds[4] = { { .fd = out_fd, .events = POLLIN },
                             { .fd = err_fd, .events = POLLIN } };
    double started = now_s();
    double deadline = o->timeout_s > 0 ? started + o->timeout_s : 0, done_at = 0;
    while (step(l, o, r, fds, deadline, &done_at))
        ;
    bool timed_out = deadline && now_s() >= deadline && !keel_router_done(r, NULL);
    int wstatus = reap(pid, fds[0].fd < 0 && !keel_got_signal ? 2.0 : 0);
    while (fds[1].fd >= 0 && pump(l, o, err_fd, false))
        ;
    if (h->hdr)
        keel_hostio_drain(h, &l->shm_parser);
    keel_rec_finish(&l->parser);
    keel_rec_finish(&l->shm_parser);
    keel_router_finish(r);
    int status = verdict(l, o, r, wstatus, timed_out);
    if (o->verbose)
        fprintf(stderr, "keel: run loop: %lu wake-ups in %.2f s, %lu on a timer%s\n",
                l->wakes, now_s() - started, l->timer_wakes,
                h->hdr ? " (shared memory, output doorbell)" : "");
    keel_lo_free(&l->qemulog);
    close(out_fd);
    close(err_fd);
    close(in_fd);
    free(l);
    return status;
}
