/*
 * select() and poll() over a listening socket, a connected socket and
 * stdin together, written as a Linux program (no Keel header; built
 * unchanged with bin/mkimage), driven by test_sockets.py through stdin:
 *
 *   1. nothing ready: poll and select time out (100 ms);
 *   2. a client connects (blocking connect): select reports the listener
 *      only; accept;
 *   3. the client writes: poll, asked about all three, reports the
 *      accepted socket only (the bytes come through lwIP's thread, which
 *      wakes the sleeping poll);
 *   4. "waiting for a line (select)": select with no timeout sleeps until
 *      the test types a line; it reports stdin only; the line goes through
 *      the connection and comes back out: "got: LINE";
 *   5. the same with poll ("waiting for a line (poll)");
 *   6. the test closes stdin: poll reports it readable, read gives 0.
 * Last line "sock_select: ok".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

static void fail(const char *what)
{
    printf("sock_select: FAIL %s (errno %d: %s)\n", what, errno, strerror(errno));
    exit(1);
}

#define CHECK(cond, what) do { if (!(cond)) fail(what); } while (0)

static int lfd, cfd, sfd = -1;

/* Which of listener, server end, stdin select finds readable, as a
 * string "lsi" with '-' for no; timeout_ms < 0: none. */
static const char *select_three(int timeout_ms)
{
    static char got[4];
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    fd_set r;
    int n, max = lfd > sfd ? lfd : sfd;

    FD_ZERO(&r);
    FD_SET(lfd, &r);
    FD_SET(0, &r);
    if (sfd >= 0)
        FD_SET(sfd, &r);
    n = select(max + 1, &r, NULL, NULL, timeout_ms < 0 ? NULL : &tv);
    CHECK(n >= 0, "select");
    snprintf(got, sizeof(got), "%c%c%c", FD_ISSET(lfd, &r) ? 'l' : '-',
             sfd >= 0 && FD_ISSET(sfd, &r) ? 's' : '-', FD_ISSET(0, &r) ? 'i' : '-');
    return got;
}

static const char *poll_three(int timeout_ms)
{
    static char got[4];
    struct pollfd p[3] = { { lfd, POLLIN, 0 }, { sfd, POLLIN, 0 }, { 0, POLLIN, 0 } };

    CHECK(poll(p, 3, timeout_ms) >= 0, "poll");
    snprintf(got, sizeof(got), "%c%c%c", p[0].revents & POLLIN ? 'l' : '-',
             p[1].revents & POLLIN ? 's' : '-', p[2].revents & POLLIN ? 'i' : '-');
    return got;
}

static void setup(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK((lfd = socket(AF_INET, SOCK_STREAM, 0)) >= 0, "socket");
    CHECK(bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(lfd, 2) == 0, "listen");
    CHECK(strcmp(poll_three(100), "---") == 0, "poll: nothing ready");
    CHECK(strcmp(select_three(100), "---") == 0, "select: nothing ready");
    printf("nothing ready: poll and select time out ok\n");
    CHECK(getsockname(lfd, (struct sockaddr *)&a, &len) == 0, "getsockname");
    CHECK((cfd = socket(AF_INET, SOCK_STREAM, 0)) >= 0, "client socket");
    CHECK(connect(cfd, (struct sockaddr *)&a, sizeof(a)) == 0, "blocking connect");
    CHECK(strcmp(select_three(5000), "l--") == 0, "select: the listener only");
    CHECK((sfd = accept(lfd, NULL, NULL)) >= 0, "accept");
    CHECK(write(cfd, "ping", 4) == 4, "client write");
    CHECK(strcmp(poll_three(5000), "-s-") == 0, "poll: the connection only");
    char b[4];
    CHECK(read(sfd, b, 4) == 4 && memcmp(b, "ping", 4) == 0, "server read");
    printf("listener, then connection readable ok\n");
}

/* A line from stdin through the connection and back out. */
static void line_round(const char *how, const char *(*wait_three)(int))
{
    char line[256], back[256];
    ssize_t n, m = 0;

    printf("waiting for a line (%s)\n", how);
    fflush(stdout);
    CHECK(strcmp(wait_three(-1), "--i") == 0, "stdin only");
    CHECK((n = read(0, line, sizeof(line) - 1)) > 0, "read stdin");
    CHECK(write(sfd, line, (size_t)n) == n, "server write");
    while (m < n) {
        ssize_t r = recv(cfd, back + m, sizeof(back) - 1 - (size_t)m, 0);
        CHECK(r > 0, "client recv");
        m += r;
    }
    back[m] = '\0';
    printf("got: %s", back);
}

int main(void)
{
    char b;

    setup();
    line_round("select", select_three);
    line_round("poll", poll_three);
    printf("waiting for end of input\n");
    fflush(stdout);
    CHECK(strcmp(poll_three(-1), "--i") == 0 && read(0, &b, 1) == 0, "end of input");
    printf("sock_select: ok\n");
    return 0;
}
