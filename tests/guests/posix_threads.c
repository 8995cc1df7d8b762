/*
 * POSIX threads as a program written for Linux uses them, unchanged
 * (docs/threads.md): producer/consumer, a mutex-heavy counter, timed
 * waits, mutex types and their errors, keys with destructors, detach,
 * once, rwlocks, semaphores, stack size, and bad arguments.  KTAP lines;
 * the exit status is the number of failures.  "mainexit": main ends with
 * pthread_exit and the program waits for its last thread.  "stdio": four
 * threads printf STDIO_LINES lines each to stdout at once, far more than
 * the console ring holds, so writes block mid-flush (the host checks
 * every line arrives once and whole).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ktap_check.h"


static uint64_t now_ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct timespec in_ms(clockid_t c, long ms)
{
    uint64_t t = now_ns(c) + (uint64_t)ms * 1000000ull;
    struct timespec ts = { (time_t)(t / 1000000000ull), (long)(t % 1000000000ull) };
    return ts;
}

/* producer/consumer on a bounded buffer */
#define SLOTS 4
#define ITEMS 2000
static int buf[SLOTS], head, count;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;

static void *producer(void *arg)
{
    int base = (int)(intptr_t)arg;
    for (int i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&qlock);
        while (count == SLOTS)
            pthread_cond_wait(&not_full, &qlock);
        buf[(head + count++) % SLOTS] = base + i;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&qlock);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    long long sum = 0;
    (void)arg;
    for (int i = 0; i < ITEMS; i++) {
        pthread_mutex_lock(&qlock);
        while (count == 0)
            pthread_cond_wait(&not_empty, &qlock);
        sum += buf[head];
        head = (head + 1) % SLOTS;
        count--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&qlock);
    }
    return (void *)(intptr_t)sum;
}

static void test_producer_consumer(void)
{
    pthread_t p[2], c[2];
    long long total = 0;
    void *r;

    pthread_create(&p[0], NULL, producer, (void *)0);
    pthread_create(&p[1], NULL, producer, (void *)100000);
    pthread_create(&c[0], NULL, consumer, NULL);
    pthread_create(&c[1], NULL, consumer, NULL);
    for (int i = 0; i < 2; i++) {
        pthread_join(p[i], NULL);
        pthread_join(c[i], &r);
        total += (intptr_t)r;
    }
    /* 2 * (1 + ... + ITEMS) + 100000 * ITEMS */
    long long want = 2LL * ITEMS * (ITEMS + 1) / 2 + 100000LL * ITEMS;
    printf("# producer/consumer total %lld want %lld\n", total, want);
    check(total == want, "producer_consumer");
}

/* 8 threads, a shared counter, a yield inside the critical section so
 * that the others really contend for the mutex */
static pthread_mutex_t clock_m = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static int contended;

static void *count_up(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5000; i++) {
        if (pthread_mutex_trylock(&clock_m) == EBUSY) {
            contended++;
            pthread_mutex_lock(&clock_m);
        }
        long v = counter;
        if (i % 7 == 0)
            sched_yield();
        counter = v + 1;
        pthread_mutex_unlock(&clock_m);
    }
    return NULL;
}

static void test_counter(void)
{
    pthread_t t[8];
    int made = 0;
    for (int i = 0; i < 8; i++)
        made += pthread_create(&t[i], NULL, count_up, NULL) == 0;
    for (int i = 0; i < made; i++)
        pthread_join(t[i], NULL);
    printf("# counter %ld contended %d\n", counter, contended);
    check(made == 8 && counter == 8 * 5000 && contended > 0, "mutex_counter_8_threads");
}

/* timed waits */
static pthread_mutex_t tm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tc = PTHREAD_COND_INITIALIZER;
static int flag;

static void *signal_later(void *arg)
{
    (void)arg;
    usleep(20000);
    pthread_mutex_lock(&tm);
    flag = 1;
    pthread_cond_signal(&tc);
    pthread_mutex_unlock(&tm);
    return NULL;
}

static void test_timed_waits(void)
{
    pthread_condattr_t ca;
    pthread_cond_t mc;
    pthread_t t;
    struct timespec ts;
    uint64_t t0;
    int rc;

    pthread_mutex_lock(&tm);
    t0 = now_ns(CLOCK_MONOTONIC);
    ts = in_ms(CLOCK_REALTIME, 50);
    rc = pthread_cond_timedwait(&tc, &tm, &ts);
    check(rc == ETIMEDOUT && now_ns(CLOCK_MONOTONIC) - t0 >= 50000000ull,
          "cond_timedwait_realtime_times_out");

    pthread_condattr_init(&ca);
    check(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0, "condattr_setclock");
    pthread_cond_init(&mc, &ca);
    t0 = now_ns(CLOCK_MONOTONIC);
    ts = in_ms(CLOCK_MONOTONIC, 30);
    rc = pthread_cond_timedwait(&mc, &tm, &ts);
    check(rc == ETIMEDOUT && now_ns(CLOCK_MONOTONIC) - t0 >= 30000000ull,
          "cond_timedwait_monotonic_times_out");
    pthread_cond_destroy(&mc);

    pthread_create(&t, NULL, signal_later, NULL);
    t0 = now_ns(CLOCK_MONOTONIC);
    ts = in_ms(CLOCK_REALTIME, 5000);
    rc = 0;
    while (!flag && rc == 0)
        rc = pthread_cond_timedwait(&tc, &tm, &ts);
    check(rc == 0 && flag && now_ns(CLOCK_MONOTONIC) - t0 < 4000000000ull,
          "cond_timedwait_signalled");
    pthread_mutex_unlock(&tm);
    pthread_join(t, NULL);

    ts.tv_nsec = 2000000000;
    pthread_mutex_lock(&tm);
    check(pthread_cond_timedwait(&tc, &tm, &ts) == EINVAL, "cond_timedwait_bad_nsec_einval");
    pthread_mutex_unlock(&tm);
}

/* mutex types */
static pthread_mutex_t shared_m;
static int other_rc[2];

static void *other_unlocks(void *arg)
{
    (void)arg;
    other_rc[0] = pthread_mutex_unlock(&shared_m);
    other_rc[1] = pthread_mutex_trylock(&shared_m);
    return NULL;
}

static void *timedlock_other(void *arg)
{
    struct timespec ts = in_ms(CLOCK_REALTIME, 20);
    (void)arg;
    return (void *)(intptr_t)pthread_mutex_timedlock(&shared_m, &ts);
}

static void test_mutex_types(void)
{
    pthread_mutexattr_t a;
    pthread_mutex_t r, e;
    pthread_t t;

    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&r, &a);
    check(pthread_mutex_lock(&r) == 0 && pthread_mutex_lock(&r) == 0 &&
          pthread_mutex_trylock(&r) == 0, "recursive_relock");
    check(pthread_mutex_unlock(&r) == 0 && pthread_mutex_unlock(&r) == 0 &&
          pthread_mutex_unlock(&r) == 0, "recursive_unlock_thrice");
    check(pthread_mutex_unlock(&r) == EPERM, "recursive_unlock_unheld_eperm");
    check(pthread_mutex_destroy(&r) == 0, "recursive_destroy");

    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&e, &a);
    pthread_mutex_lock(&e);
    check(pthread_mutex_lock(&e) == EDEADLK, "errorcheck_relock_edeadlk");
    check(pthread_mutex_destroy(&e) == EBUSY, "errorcheck_destroy_locked_ebusy");
    pthread_mutex_unlock(&e);
    check(pthread_mutex_unlock(&e) == EPERM, "errorcheck_unlock_unheld_eperm");

    shared_m = e;
    pthread_mutex_lock(&shared_m);
    pthread_create(&t, NULL, other_unlocks, NULL);
    pthread_join(t, NULL);
    check(other_rc[0] == EPERM && other_rc[1] == EBUSY, "errorcheck_other_thread_eperm_ebusy");
    pthread_mutex_unlock(&shared_m);
    check(pthread_mutexattr_settype(&a, 42) == EINVAL, "mutexattr_bad_type_einval");
    pthread_mutexattr_destroy(&a);

    /* a zeroed mutex, as Linux programs have, works */
    static pthread_mutex_t zero;
    check(pthread_mutex_lock(&zero) == 0 && pthread_mutex_unlock(&zero) == 0,
          "zeroed_mutex_works");

    void *res;
    pthread_mutex_lock(&shared_m);
    pthread_create(&t, NULL, timedlock_other, NULL);
    pthread_join(t, &res);
    check(res == (void *)ETIMEDOUT, "mutex_timedlock_etimedout");
    pthread_mutex_unlock(&shared_m);
}

/* keys */
static pthread_key_t key;
static int destroyed;

static void destructor(void *p)
{
    destroyed++;
    free(p);
}

static void *use_key(void *arg)
{
    int *v = malloc(sizeof(int));
    *v = (int)(intptr_t)arg;
    pthread_setspecific(key, v);
    sched_yield();
    return (void *)(intptr_t)(*(int *)pthread_getspecific(key) == (int)(intptr_t)arg);
}

static void *key_exit(void *arg)
{
    pthread_setspecific(key, calloc(1, 4));
    pthread_exit(arg);
}

static void test_keys(void)
{
    pthread_t t[3];
    void *r;
    int ok = 1;
    static int mine = 7;

    check(pthread_key_create(&key, destructor) == 0, "key_create");
    pthread_setspecific(key, &mine);
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, use_key, (void *)(intptr_t)(i + 1));
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], &r);
        ok &= r != NULL;
    }
    check(ok, "key_values_per_thread");
    pthread_create(&t[0], NULL, key_exit, (void *)5);
    pthread_join(t[0], &r);
    check(destroyed == 4 && r == (void *)5, "key_destructors_at_exit");
    check(pthread_getspecific(key) == &mine, "key_main_value_kept");
    check(pthread_key_delete(key) == 0 && pthread_getspecific(key) == NULL,
          "key_delete");
}

/* detach, once, self/equal */
static int detached_ran, once_count;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void once_routine(void)
{
    once_count++;
    sched_yield();        /* another caller arrives meanwhile and waits */
}

static void *run_once(void *arg)
{
    (void)arg;
    pthread_once(&once, once_routine);
    return (void *)(intptr_t)once_count;
}

static void *detached(void *arg)
{
    (void)arg;
    detached_ran++;
    return NULL;
}

static void *self_id(void *arg)
{
    *(pthread_t *)arg = pthread_self();
    return NULL;
}

static void test_detach_once_self(void)
{
    pthread_attr_t a;
    pthread_t t, t2, seen;

    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < 500; i++) {
        if (pthread_create(&t, &a, detached, NULL) != 0)
            break;
        if (i % 50 == 49)
            usleep(1000);
    }
    usleep(5000);
    check(detached_ran == 500, "detached_threads_run_and_free");
    check(pthread_join(t, NULL) != 0, "join_detached_fails");
    pthread_create(&t, NULL, detached, NULL);
    check(pthread_detach(t) == 0 && pthread_detach(t) != 0, "detach_then_detach_again");

    void *r1, *r2;
    pthread_create(&t, NULL, run_once, NULL);
    pthread_create(&t2, NULL, run_once, NULL);
    pthread_join(t, &r1);
    pthread_join(t2, &r2);
    check(once_count == 1 && r1 == (void *)1 && r2 == (void *)1, "once_runs_once");

    pthread_create(&t, NULL, self_id, &seen);
    pthread_join(t, NULL);
    check(pthread_equal(seen, t) && !pthread_equal(t, pthread_self()), "self_equal");
}

/* rwlocks */
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static int readers_in, max_readers, writer_saw_readers = -1;

static void *reader(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&rw);
    if (++readers_in > max_readers)
        max_readers = readers_in;
    usleep(10000);
    readers_in--;
    pthread_rwlock_unlock(&rw);
    return NULL;
}

static void *writer(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&rw);
    writer_saw_readers = readers_in;
    pthread_rwlock_unlock(&rw);
    return NULL;
}

static void test_rwlock(void)
{
    pthread_t r1, r2, w;

    pthread_create(&r1, NULL, reader, NULL);
    pthread_create(&r2, NULL, reader, NULL);
    sched_yield();
    pthread_create(&w, NULL, writer, NULL);
    pthread_join(r1, NULL);
    pthread_join(r2, NULL);
    pthread_join(w, NULL);
    check(max_readers == 2 && writer_saw_readers == 0, "rwlock_readers_share_writer_excludes");
    pthread_rwlock_rdlock(&rw);
    check(pthread_rwlock_trywrlock(&rw) == EBUSY && pthread_rwlock_tryrdlock(&rw) == 0,
          "rwlock_try");
    pthread_rwlock_unlock(&rw);
    pthread_rwlock_unlock(&rw);
#ifdef __keel__   /* undefined in POSIX: glibc says nothing */
    check(pthread_rwlock_unlock(&rw) == EPERM, "rwlock_unlock_unheld_eperm");
#endif
}

/* semaphores */
static sem_t sem;

static void *poster(void *arg)
{
    (void)arg;
    usleep(5000);
    sem_post(&sem);
    return NULL;
}

static void test_semaphore(void)
{
    pthread_t t;
    struct timespec ts;
    int v;

    check(sem_init(&sem, 0, 0) == 0, "sem_init");
    pthread_create(&t, NULL, poster, NULL);
    check(sem_wait(&sem) == 0, "sem_wait_posted");
    pthread_join(t, NULL);
    check(sem_trywait(&sem) == -1 && errno == EAGAIN, "sem_trywait_eagain");
    ts = in_ms(CLOCK_REALTIME, 20);
    check(sem_timedwait(&sem, &ts) == -1 && errno == ETIMEDOUT, "sem_timedwait_etimedout");
    sem_post(&sem);
    check(sem_getvalue(&sem, &v) == 0 && v == 1, "sem_getvalue");
    sem_destroy(&sem);
#ifdef __keel__   /* undefined in POSIX: glibc says nothing */
    check(sem_post(&sem) == -1 && errno == EINVAL, "sem_destroyed_einval");
#endif
}

/* stack size */
static void *deep(void *arg)
{
    volatile char big[200 << 10];
    memset((char *)big, 1, sizeof(big));
    return (void *)(intptr_t)(big[(intptr_t)arg] + big[sizeof(big) - 1]);
}

static void test_stack_size(void)
{
    pthread_attr_t a;
    pthread_t t;
    size_t s = 0;
    void *r;

    pthread_attr_init(&a);
    check(pthread_attr_setstacksize(&a, 1) == EINVAL, "stacksize_too_small_einval");
    check(pthread_attr_setstacksize(&a, 256 << 10) == 0 &&
          pthread_attr_getstacksize(&a, &s) == 0 && s == 256 << 10, "stacksize_set");
    check(pthread_create(&t, &a, deep, (void *)5) == 0 && pthread_join(t, &r) == 0 &&
          r == (void *)2, "thread_uses_big_stack");
    pthread_attr_destroy(&a);
}

static void *nothing(void *arg)
{
    return arg;
}

/* Keel's answers to what POSIX leaves undefined: an error, never a crash
 * (glibc crashes on some of these, so the host build skips them). */
static void test_bad_arguments(void)
{
#ifdef __keel__
    pthread_t t;
    pthread_mutex_t bogus;
    pthread_cond_t cbogus;

    memset(&bogus, 0x5a, sizeof(bogus));
    memset(&cbogus, 0x5b, sizeof(cbogus));
    check(pthread_create(NULL, NULL, nothing, NULL) == EINVAL, "create_null_einval");
    check(pthread_create(&t, NULL, NULL, NULL) == EINVAL, "create_null_fn_einval");
    check(pthread_mutex_lock(NULL) == EINVAL, "mutex_lock_null_einval");
    check(pthread_mutex_lock(&bogus) == EINVAL, "mutex_lock_bogus_einval");
    check(pthread_cond_signal(&cbogus) == EINVAL, "cond_signal_bogus_einval");
    check(pthread_attr_setdetachstate(NULL, 0) == EINVAL, "attr_null_einval");
    check(sem_init(NULL, 0, 1) == -1 && errno == EINVAL, "sem_init_null_einval");
    check(pthread_join(12345, NULL) == ESRCH, "join_unknown_esrch");
#else
    (void)nothing;
#endif
    check(pthread_join(pthread_self(), NULL) == EDEADLK, "join_self_edeadlk");
    check(pthread_key_delete(100000) == EINVAL, "key_delete_bogus_einval");
}

static void *late(void *arg)
{
    (void)arg;
    usleep(30000);
    printf("late thread done\n");
    return NULL;
}

#define STDIO_THREADS 4
#define STDIO_LINES   1500

static void *printer(void *arg)
{
    int who = (int)(intptr_t)arg;

    for (int k = 0; k < STDIO_LINES; k++)
        printf("t%d line %04d %s\n", who, k,
               "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    return NULL;
}

static int stdio_threads(void)
{
    pthread_t t[STDIO_THREADS];

    for (int i = 0; i < STDIO_THREADS; i++)
        pthread_create(&t[i], NULL, printer, (void *)(intptr_t)i);
    for (int i = 0; i < STDIO_THREADS; i++)
        pthread_join(t[i], NULL);
    printf("stdio done\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "stdio"))
        return stdio_threads();
    if (argc > 1 && !strcmp(argv[1], "mainexit")) {
        pthread_t t;
        pthread_create(&t, NULL, late, NULL);
        printf("main leaves\n");
        pthread_exit(NULL);
    }
    printf("KTAP version 1\n");
    test_producer_consumer();
    test_counter();
    test_timed_waits();
    test_mutex_types();
    test_keys();
    test_detach_once_self();
    test_rwlock();
    test_semaphore();
    test_stack_size();
    test_bad_arguments();
    printf("1..%d\n# posix_threads: %d failed\n", tests, failures);
    return failures;
}
