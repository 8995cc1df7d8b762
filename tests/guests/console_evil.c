/*
 * A hostile console frontend: after one honest line it sets its stdout
 * producer counter far beyond what the ring holds and notifies.  The
 * backend must close this console with a `msg`, not follow the counter;
 * dom0 and other guests carry on.  The guest then exits 7 so the test sees
 * that its exit is still reported.
 */
#include <stdio.h>
#include <libos/console.h>
#include <libos/event.h>
#include <unistd.h>

int main(void)
{
    struct keel_console_page *pg = libos_console_page();

    printf("evil: honest line\n");
    fflush(stdout);
    if (!pg)
        return 3;
    /* let the backend take the honest line first (bounded: 2 s) */
    for (int i = 0; i < 200 && pg->out.cons != pg->out.prod; i++)
        usleep(10000);
    pg->out.prod += 0x10000000u;   /* garbage: far more than the ring holds */
    libos_evtchn_send(libos_console_port());
    usleep(300000);                /* let the backend look */
    /* our writes now fail: the backend is gone */
    return write(1, "after\n", 6) < 0 ? 7 : 8;
}
