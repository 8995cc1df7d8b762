/* Output routing and the control protocol of the launcher (tools/keel). */
#include <stdbool.h>
#include <unistd.h>

#include "ktest.h"
#include "../../tools/keel/lineout.c"
#include "../../tools/keel/route.c"
#include "../../tools/keel/control.c"
#include "../../tools/keel/progress.c"

static FILE *out_f, *err_f;
static struct keel_router *rt;
static char out_text[8192], err_text[8192];

static void start(int n, bool verbose, bool timings)
{
    static char *names[] = { "a", "b", "c" };
    out_f = tmpfile();
    err_f = tmpfile();
    rt = keel_router_new(names, n, fileno(out_f), fileno(err_f), verbose, timings);
}

static void rec(unsigned domid, char stream, const char *s)
{
    struct keel_record r = { domid, stream, strlen(s), (const uint8_t *)s };
    keel_router_sink(rt).record(rt, &r);
}

static void slurp(FILE *f, char *buf)
{
    long n = lseek(fileno(f), 0, SEEK_CUR);
    lseek(fileno(f), 0, SEEK_SET);
    ssize_t got = read(fileno(f), buf, (size_t)n);
    buf[got > 0 ? got : 0] = '\0';
    lseek(fileno(f), n, SEEK_SET);
}

static void collect(void)
{
    slurp(out_f, out_text);
    slurp(err_f, err_text);
}

static void stop(void)
{
    keel_router_free(rt);
    fclose(out_f);
    fclose(err_f);
}

KTEST(one_guest_is_verbatim_and_prompt)
{
    start(1, false, false);
    rec(0, 'c', "start 0 5\n");
    rec(5, 'o', "partial");
    collect();
    EXPECT(!strcmp(out_text, "partial"));     /* not held back for its newline */
    rec(5, 'o', " line\n");
    rec(5, 'e', "oops\n");
    rec(0, 'o', "dom0 says\n");
    rec(0xffff, 'l', "hv says\n");
    rec(0, 'c', "msg 0 guest 0 said something\ndone 3\n");
    collect();
    EXPECT(!strcmp(out_text, "partial line\n"));
    EXPECT(!strcmp(err_text, "oops\nguest 0 said something\n"));
    int st = -1;
    EXPECT(keel_router_done(rt, &st) && st == 3);
    EXPECT(!keel_router_poweroff(rt));
    rec(0xffff, 'x', "3");
    EXPECT(keel_router_poweroff(rt));
    stop();
}

KTEST(several_guests_get_prefixes)
{
    start(2, false, false);
    rec(0, 'c', "start 0 1\nstart 1 2\n");
    rec(1, 'o', "one\ntw");
    rec(2, 'o', "B1\n");
    rec(1, 'o', "o\nthree");
    rec(2, 'e', "B err");
    rec(0, 'c', "msg 1 bad things\n");
    rec(0, 'c', "exit 0 0\n");
    collect();
    EXPECT(!strcmp(out_text, "a| one\nb| B1\na| two\na| three\n"));
    EXPECT(!strcmp(err_text, "b| B err\nb| bad things\n"));
    keel_router_finish(rt);
    stop();
}

KTEST(output_before_start_is_held)
{
    start(2, false, false);
    rec(7, 'o', "early\n");
    rec(0, 'c', "start 1 7\n");
    rec(7, 'o', "late\n");
    collect();
    EXPECT(!strcmp(out_text, "b| early\nb| late\n"));
    stop();
}

KTEST(control_lines_split_across_records)
{
    start(1, false, true);
    rec(0, 'c', "tim");
    rec(0, 'c', "ing 0 create_ns=5 copy_ns=2\nex");
    rec(0, 'c', "it 0 4\ndo");
    EXPECT(!keel_router_done(rt, NULL));
    rec(0, 'c', "ne 4\n");
    collect();
    EXPECT(!strcmp(err_text, "timing 0 create_ns=5 copy_ns=2\n"));
    EXPECT(rt->g[0].status == 4);
    EXPECT(keel_router_done(rt, NULL));
    stop();
}

KTEST(timings_hidden_unless_asked)
{
    start(1, false, false);
    rec(0, 'c', "timing 0 create_ns=1\nmsg -1 run-wide note\n");
    collect();
    EXPECT(!strcmp(err_text, "run-wide note\n"));
    stop();
}

KTEST(logs_only_with_verbose)
{
    start(1, true, false);
    rec(0xffff, 'l', "hv line\n");
    rec(0, 'e', "dom0 line\n");
    keel_router_sink(rt).log(rt, (const uint8_t *)"raw\n", 4);
    rec(0, 'c', "bogus 1 2\nstart 9 1\n");
    collect();
    EXPECT(strstr(err_text, "hv| hv line\n"));
    EXPECT(strstr(err_text, "dom0| dom0 line\n"));
    EXPECT(strstr(err_text, "hv| raw\n"));
    EXPECT(strstr(err_text, "ignoring control line 'bogus 1 2'"));
    EXPECT(strstr(err_text, "ignoring control line 'start 9 1'"));  /* idx out of range */
    EXPECT(!strcmp(out_text, ""));
    stop();
}

KTEST(bad_done_is_ignored)
{
    start(1, false, false);
    rec(0, 'c', "done x\ndone 300\ndone\n");
    EXPECT(!keel_router_done(rt, NULL));
    stop();
}

KTEST(log_tail_keeps_the_end)
{
    start(1, false, false);
    for (int i = 0; i < 1000; i++) {
        char line[32];
        snprintf(line, sizeof(line), "log line %d\n", i);
        rec(0xffff, 'l', line);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    keel_router_log_tail(rt, f);
    fclose(f);
    EXPECT(len == KEEL_TAIL_BYTES);
    EXPECT(len >= 13 && !memcmp(buf + len - 13, "log line 999\n", 13));
    free(buf);
    stop();
}

/* 150 guests whose `start` lines come at once: stderr (a file, not a
 * terminal) gets progress only when forced, and then the closing line. */
static void start_many(int n, bool forced)
{
    static char *names[150];
    for (int i = 0; i < n; i++)
        names[i] = "g";
    out_f = tmpfile();
    err_f = tmpfile();
    rt = keel_router_new(names, n, fileno(out_f), fileno(err_f), false, false);
    keel_progress_init(rt, forced);
    for (int i = 0; i < n; i++) {
        char line[32];
        snprintf(line, sizeof(line), "start %d %d\n", i, i + 1);
        rec(0, 'c', line);
    }
    collect();
}

KTEST(progress_only_when_asked_or_on_a_terminal)
{
    start_many(150, false);
    EXPECT(!strcmp(err_text, ""));
    stop();
    start_many(99, true);                        /* too few to bother */
    EXPECT(!strcmp(err_text, ""));
    stop();
    start_many(150, true);
    EXPECT(strstr(err_text, "keel: 150 of 150 guests started ("));
    EXPECT(!strstr(err_text, "keel: 2 of"));     /* at most one a second */
    EXPECT(!strcmp(out_text, ""));
    stop();
}

KTEST_MAIN(KTEST_CASE(one_guest_is_verbatim_and_prompt), KTEST_CASE(several_guests_get_prefixes),
           KTEST_CASE(output_before_start_is_held), KTEST_CASE(control_lines_split_across_records),
           KTEST_CASE(timings_hidden_unless_asked), KTEST_CASE(logs_only_with_verbose),
           KTEST_CASE(bad_done_is_ignored), KTEST_CASE(log_tail_keeps_the_end),
           KTEST_CASE(progress_only_when_asked_or_on_a_terminal))
