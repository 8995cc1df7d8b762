/*
 * Clients over the connection cap: a 503 they can read, not a reset.
 *
 * A refused socket costs no struct conn, only a slot in server.refused:
 * it gets the whole answer in one send (a fresh socket's buffer takes it),
 * its output is shut down, and its input is drained until the client
 * closes or HTTPD_REFUSE_MS pass.  Closing at once instead would make the
 * kernel answer the request the client already sent with a reset, which
 * may destroy the 503 before the client reads it.  When even these slots
 * are taken the socket is closed at once: the reset is the last resort.
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "httpd.h"

void refuse_connection(struct server *s, int fd, const char *peer)
{
    static const char answer[] =
        "HTTP/1.1 503 Service Unavailable\r\nServer: keel-httpd\r\n"
        "Content-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";

    log_access(s, peer, (struct http_span){ 0 }, 503, 0);
    if (s->nrefused == HTTPD_REFUSED_MAX ||
        send(fd, answer, sizeof answer - 1, MSG_NOSIGNAL) != sizeof answer - 1) {
        close(fd);
        return;
    }
    shutdown(fd, SHUT_WR);
    s->refused[s->nrefused].fd = fd;
    s->refused[s->nrefused].deadline_ms = s->now_ms + HTTPD_REFUSE_MS;
    s->nrefused++;
}

int refuse_pollfds(const struct server *s, struct pollfd *pfds)
{
    for (int i = 0; i < s->nrefused; i++)
        pfds[i] = (struct pollfd){ .fd = s->refused[i].fd, .events = POLLIN };
    return s->nrefused;
}

static void drop(struct server *s, int i)
{
    close(s->refused[i].fd);
    s->refused[i] = s->refused[--s->nrefused];
}

/* pfds[0..polled) are refuse_pollfds' entries of this round, in order;
 * walking backwards keeps the unvisited ones in place as slots are
 * dropped. */
void refuse_events(struct server *s, const struct pollfd *pfds, int polled)
{
    char sink[512];

    for (int i = polled - 1; i >= 0; i--) {
        if (pfds[i].revents & (POLLERR | POLLNVAL)) {
            drop(s, i);
        } else if (pfds[i].revents & (POLLIN | POLLHUP)) {
            ssize_t n = recv(s->refused[i].fd, sink, sizeof sink, 0);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
                drop(s, i);
        } else if (s->refused[i].deadline_ms <= s->now_ms) {
            drop(s, i);
        }
    }
}

uint64_t refuse_next_deadline(const struct server *s)
{
    uint64_t next = UINT64_MAX;
    for (int i = 0; i < s->nrefused; i++)
        if (s->refused[i].deadline_ms < next)
            next = s->refused[i].deadline_ms;
    return next;
}
