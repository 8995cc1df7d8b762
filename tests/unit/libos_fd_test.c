/*
 * sdk/libos/fd.c, poll.c and select.c: the descriptor table (lowest free
 * number, EMFILE, close once), and poll's and select's rounds over fake
 * descriptor kinds whose readiness the test moves: skipped and closed
 * entries, the bits always reported, a sleep that ends when the
 * scheduler's predicate turns true (never before a round found nothing,
 * never spinning on a predicate that stays false), the deadline, and
 * select's sets, EBADF and EINVAL.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/select.h>
#include "ktest.h"
#include "../../sdk/libos/fd.c"
#include "../../sdk/libos/poll.c"
#include "../../sdk/libos/select.c"
#include "../../sdk/libos/timecalc.c"

/* The scheduler, faked: time stands still unless a wait moves it. */
static uint64_t now_ns;
static int waits, yields, predicate_true_on_entry;
static void (*on_wait)(void);

uint64_t libos_monotonic_ns(void) { return now_ns; }
void libos_thread_yield(void) { yields++; }

void libos_thread_wait(int (*ready)(void *), void *arg, uint64_t deadline_ns)
{
    waits++;
    predicate_true_on_entry += ready(arg);
    if (on_wait)
        on_wait();
    if (!ready(arg))
        now_ns = deadline_ns;     /* nothing came: the deadline did */
}

/* A fake kind: readiness bits the test sets; counts its calls. */
struct fake {
    int bits, polls, closes;
};

static int fake_poll(void *obj, int events)
{
    struct fake *f = obj;

    f->polls++;
    return f->bits & (events | POLLERR | POLLHUP);
}

static int fake_wake(void *obj, int events)
{
    return (((struct fake *)obj)->bits & (events | POLLERR | POLLHUP)) != 0;
}

static int fake_close(void *obj)
{
    ((struct fake *)obj)->closes++;
    return -EIO;
}

static const struct libos_fd_ops fake_ops = {
    .close = fake_close, .poll = fake_poll, .wake = fake_wake,
};

static struct fake fakes[LIBOS_FD_MAX];

static void reset(void)
{
    for (int fd = 0; fd < LIBOS_FD_MAX; fd++)
        if (libos_fd_get(fd))
            libos_fd_close(fd);
    memset(fakes, 0, sizeof(fakes));
    now_ns = 1000;
    waits = yields = predicate_true_on_entry = 0;
    on_wait = NULL;
}

static int open_fake(int i)
{
    return libos_fd_install(&fake_ops, &fakes[i], O_RDWR);
}

KTEST(lowest_free_first_and_emfile)
{
    reset();
    for (int i = 0; i < LIBOS_FD_MAX; i++)
        EXPECT_EQ(open_fake(i), i);
    EXPECT_EQ(open_fake(0), -EMFILE);
    EXPECT_EQ(libos_fd_close(5), -EIO);        /* the kind's result */
    EXPECT_EQ(fakes[5].closes, 1);
    EXPECT(libos_fd_get(5) == NULL);
    EXPECT_EQ(libos_fd_close(5), -EBADF);      /* closed once only */
    EXPECT_EQ(fakes[5].closes, 1);
    EXPECT_EQ(open_fake(7), 5);
    EXPECT(libos_fd_get(5)->obj == &fakes[7]);
    EXPECT(libos_fd_get(-1) == NULL && libos_fd_get(LIBOS_FD_MAX) == NULL);
}

/* The table grows in blocks as descriptors are taken: a thousand sockets
 * fit (LIBOS_FD_MAX, FD_SETSIZE), and an open descriptor's record never
 * moves while the table grows past it (a thread blocked in a call holds
 * it). */
KTEST(a_thousand_descriptors_records_stay_put)
{
    reset();
    EXPECT(LIBOS_FD_MAX >= 1024 && LIBOS_FD_MAX <= FD_SETSIZE);
    EXPECT_EQ(open_fake(0), 0);
    struct libos_fd *first = libos_fd_get(0);
    for (int i = 1; i < LIBOS_FD_MAX; i++)
        EXPECT_EQ(open_fake(i), i);
    EXPECT(libos_fd_get(0) == first && first->obj == &fakes[0]);
    EXPECT(libos_fd_get(LIBOS_FD_MAX - 1)->obj == &fakes[LIBOS_FD_MAX - 1]);
    EXPECT_EQ(open_fake(0), -EMFILE);
    EXPECT_EQ(libos_fd_close(700), -EIO);
    EXPECT_EQ(open_fake(3), 700);              /* lowest free, in a later block */
}

KTEST(poll_reports_at_once_without_sleeping)
{
    struct pollfd p[4];

    reset();
    open_fake(0);
    open_fake(1);
    fakes[0].bits = POLLIN | POLLOUT;
    fakes[1].bits = POLLHUP;
    p[0] = (struct pollfd){ 0, POLLIN, 0x7 };
    p[1] = (struct pollfd){ 1, 0, 0 };              /* HUP is always reported */
    p[2] = (struct pollfd){ -1, POLLIN, 0x7 };      /* skipped */
    p[3] = (struct pollfd){ 9, POLLIN, 0 };         /* not open */
    EXPECT_EQ(poll(p, 4, -1), 3);
    EXPECT_EQ(p[0].revents, POLLIN);
    EXPECT_EQ(p[1].revents, POLLHUP);
    EXPECT_EQ(p[2].revents, 0);
    EXPECT_EQ(p[3].revents, POLLNVAL);
    EXPECT_EQ(waits, 0);
    EXPECT_EQ(yields, 1);            /* the other threads had their turn */
}

static void data_arrives(void)
{
    fakes[1].bits = POLLIN;
}

KTEST(poll_sleeps_until_the_predicate_holds)
{
    struct pollfd p[2] = { { 0, POLLIN, 0 }, { 1, POLLIN, 0 } };

    reset();
    open_fake(0);
    open_fake(1);
    fakes[0].bits = POLLOUT;         /* ready, but not for what is asked */
    on_wait = data_arrives;
    EXPECT_EQ(poll(p, 2, 5000), 1);
    EXPECT_EQ(waits, 1);
    EXPECT_EQ(predicate_true_on_entry, 0);
    EXPECT_EQ(p[0].revents, 0);
    EXPECT_EQ(p[1].revents, POLLIN);
    EXPECT_EQ(fakes[1].polls, 2);    /* one round before, one after */
}

/* glibc's declaration lets the compiler refuse the hostile calls */
static int (*volatile poll_unchecked)(struct pollfd *, nfds_t, int) = poll;

KTEST(poll_times_out)
{
    struct pollfd p = { 0, POLLIN, 0 };

    reset();
    open_fake(0);
    EXPECT_EQ(poll(&p, 1, 0), 0);
    EXPECT_EQ(waits, 0);
    EXPECT_EQ(poll(&p, 1, 250), 0);
    EXPECT_EQ(waits, 1);
    EXPECT_EQ(now_ns, 1000 + 250000000ull);
    EXPECT_EQ(poll_unchecked(NULL, 1, 0), -1);
    EXPECT_EQ(errno, EFAULT);
    EXPECT_EQ(poll_unchecked(&p, 5000, 0), -1);
    EXPECT_EQ(errno, EINVAL);
}

KTEST(select_sets_in_and_out)
{
    fd_set r, w, e;
    struct timeval tv = { 1, 500000 };

    reset();
    for (int i = 0; i < 4; i++)
        open_fake(i);
    fakes[1].bits = POLLIN;
    fakes[2].bits = POLLOUT;
    fakes[3].bits = POLLERR;         /* readable and writable, as on Linux */
    FD_ZERO(&r); FD_ZERO(&w); FD_ZERO(&e);
    FD_SET(0, &r); FD_SET(1, &r); FD_SET(3, &r);
    FD_SET(1, &w); FD_SET(2, &w); FD_SET(3, &w);
    FD_SET(0, &e);
    EXPECT_EQ(select(4, &r, &w, &e, &tv), 4);
    EXPECT(!FD_ISSET(0, &r) && FD_ISSET(1, &r) && FD_ISSET(3, &r));
    EXPECT(!FD_ISSET(1, &w) && FD_ISSET(2, &w) && FD_ISSET(3, &w));
    EXPECT(!FD_ISSET(0, &e));
    EXPECT_EQ(tv.tv_sec, 1);         /* no time passed: all of it left */
    EXPECT_EQ(tv.tv_usec, 500000);
}

KTEST(select_errors_and_timeout)
{
    fd_set r;
    struct timeval tv = { 0, 100000 }, bad = { 0, 1000000 };

    reset();
    open_fake(0);
    FD_ZERO(&r);
    FD_SET(0, &r);
    FD_SET(2, &r);                   /* not open */
    EXPECT_EQ(select(3, &r, NULL, NULL, &tv), -1);
    EXPECT_EQ(errno, EBADF);
    FD_ZERO(&r);
    FD_SET(0, &r);
    EXPECT_EQ(select(1, &r, NULL, NULL, &bad), -1);
    EXPECT_EQ(errno, EINVAL);
    EXPECT_EQ(select(-1, NULL, NULL, NULL, NULL), -1);
    EXPECT_EQ(select(FD_SETSIZE + 1, NULL, NULL, NULL, NULL), -1);
    EXPECT_EQ(select(1, &r, NULL, NULL, &tv), 0);
    EXPECT(!FD_ISSET(0, &r));
    EXPECT_EQ(tv.tv_sec, 0);
    EXPECT_EQ(tv.tv_usec, 0);        /* the whole timeout went by */
}

KTEST_MAIN(KTEST_CASE(lowest_free_first_and_emfile), KTEST_CASE(a_thousand_descriptors_records_stay_put),
           KTEST_CASE(poll_reports_at_once_without_sleeping),
           KTEST_CASE(poll_sleeps_until_the_predicate_holds),
           KTEST_CASE(poll_times_out),
           KTEST_CASE(select_sets_in_and_out),
           KTEST_CASE(select_errors_and_timeout))
