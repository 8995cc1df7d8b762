/*
 * poll() across a channel and sockets at once, run twice with
 * `--connect 0:1` (test_sockets.py).  sock_chan-2 sends LINES numbered
 * lines down the channel, each after the previous one came back.
 * sock_chan relays: in one poll over the channel and a loopback TCP
 * connection, a line from the channel goes into the connection's server
 * end, and what the client end receives goes back up the channel.  Its
 * poll sleeps until either another domain's event (the channel) or lwIP's
 * thread (the socket) wakes it.  The sender reads its end without
 * blocking: EAGAIN before the first line, then poll waits for each.  Last lines "sock_chan: relayed N lines: ok" and
 * "sock_chan: sent N lines: ok".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LINES 50

static void fail(const char *who, const char *what)
{
    printf("sock_chan: FAIL %s: %s (errno %d: %s)\n", who, what, errno, strerror(errno));
    exit(1);
}

static void connected_pair(int *server, int *client)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int l = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
        getsockname(l, (struct sockaddr *)&a, &len))
        fail("relay", "listen");
    if ((*client = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
        connect(*client, (struct sockaddr *)&a, sizeof(a)) || (*server = accept(l, NULL, NULL)) < 0)
        fail("relay", "connect");
    /* lines go one at a time, each only after the last came back: without
     * TCP_NODELAY each would wait for the delayed ACK of the one before */
    if (setsockopt(*server, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int)))
        fail("relay", "TCP_NODELAY");
    close(l);
}

static int relay(int ch)
{
    int s, c, lines = 0;
    char buf[256];
    ssize_t n;

    connected_pair(&s, &c);
    for (;;) {
        struct pollfd p[2] = { { ch, POLLIN, 0 }, { c, POLLIN, 0 } };
        if (poll(p, 2, 20000) <= 0)
            fail("relay", "poll");
        if (p[0].revents & (POLLIN | POLLHUP)) {
            if ((n = read(ch, buf, sizeof(buf))) == 0)
                break;                      /* the sender closed */
            if (n < 0 || write(s, buf, (size_t)n) != n)
                fail("relay", "socket write");
        }
        if (p[1].revents & POLLIN) {
            if ((n = recv(c, buf, sizeof(buf), 0)) <= 0)
                fail("relay", "socket recv");
            lines += memchr(buf, '\n', (size_t)n) != NULL;
            if (write(ch, buf, (size_t)n) != n)   /* small: fits the channel */
                fail("relay", "channel write");
        }
    }
    printf("sock_chan: relayed %d lines: %s\n", lines, lines == LINES ? "ok" : "FAILED");
    return lines != LINES;
}

/* Non-blocking: nothing comes back before the first line went out. */
static int sender(int ch)
{
    char line[64], back[64];
    int fl = fcntl(ch, F_GETFL, 0);

    if (fcntl(ch, F_SETFL, fl | O_NONBLOCK) || read(ch, back, 1) != -1 || errno != EAGAIN)
        fail("sender", "non-blocking read of an empty channel is EAGAIN");
    for (int i = 0; i < LINES; i++) {
        size_t len = (size_t)snprintf(line, sizeof(line), "line %d of %d\n", i, LINES), have = 0;
        if (write(ch, line, len) != (ssize_t)len)
            fail("sender", "write");
        while (have < len) {
            struct pollfd p = { ch, POLLIN, 0 };
            ssize_t n;
            if (poll(&p, 1, 20000) != 1 || (n = read(ch, back + have, len - have)) <= 0)
                fail("sender", "the line back");
            have += (size_t)n;
        }
        if (memcmp(line, back, len) != 0)
            fail("sender", "a different line came back");
    }
    printf("sock_chan: sent %d lines: ok\n", LINES);
    return close(ch) != 0;
}

int main(int argc, char **argv)
{
    int ch = open("/dev/chan/chan", O_RDWR);

    (void)argc;
    if (ch < 0)
        fail(argv[0], "open the channel");
    return strcmp(argv[0], "sock_chan") == 0 ? relay(ch) : sender(ch);
}
