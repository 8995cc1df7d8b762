/* keel: command dispatch.  See keel.h for the map. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "keel.h"

volatile sig_atomic_t keel_got_signal;

static void on_signal(int sig)
{
    keel_got_signal = sig;
}

/* SIGINT/SIGTERM are blocked except inside the run loop's ppoll, so that
 * the loop sees each one and stops QEMU and cleans up before exiting. */
static void setup_signals(void)
{
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
}

static int cmd_run(int argc, char **argv)
{
    struct keel_opts o;
    int rc = keel_parse_run(argc, argv, &o, stderr);
    if (rc == 0 && o.help) {
        keel_run_usage(stdout);
    } else if (rc == 0) {
        setup_signals();
        rc = keel_run(&o);
    } else {
        rc = KEEL_EXIT_USAGE;
    }
    free(o.images);
    free(o.connects);
    free(o.ports);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        keel_usage(stderr);
        return KEEL_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        keel_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "run"))
        return cmd_run(argc - 1, argv + 1);
    fprintf(stderr, "keel: unknown command '%s'\n", argv[1]);
    keel_usage(stderr);
    return KEEL_EXIT_USAGE;
}
