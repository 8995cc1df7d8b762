/*
 * Sleeping and clocks: sleep(1), usleep and nanosleep measured with the
 * guest's own monotonic clock; the wall clock printed for comparison with
 * the host's.
 */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

int main(void)
{
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("wall_s=%lld\n", (long long)rt.tv_sec);
    printf("time_s=%lld\n", (long long)time(NULL));
    printf("tod_s=%lld\n", (long long)tv.tv_sec);

    long long t0 = mono_ns();
    unsigned left = sleep(1);
    long long t1 = mono_ns();
    usleep(200000);
    long long t2 = mono_ns();
    struct timespec req = { 0, 300000000 };
    int rc = nanosleep(&req, NULL);
    long long t3 = mono_ns();
    printf("sleep_left=%u nanosleep_rc=%d\n", left, rc);
    printf("sleep_ns=%lld\n", t1 - t0);
    printf("usleep_ns=%lld\n", t2 - t1);
    printf("nanosleep_ns=%lld\n", t3 - t2);
    return 0;
}
