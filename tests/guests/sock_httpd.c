/*
 * A tiny HTTP/1.0 responder as one writes it for Linux: the usual
 * includes, getaddrinfo(AI_PASSIVE), SO_REUSEADDR, a blocking accept loop,
 * TCP_NODELAY, read until the blank line, one response, close.  It knows
 * nothing of Keel: test_sockets.py compiles this very file with the host's
 * gcc (glibc) and with bin/mkimage, unchanged, and sock_httpd_self.c runs
 * it in a guest against a client on the loopback.
 *
 *   sock_httpd [PORT [COUNT]]   serve COUNT requests (default: forever)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

static int listen_on(const char *port)
{
    struct addrinfo hints, *res;
    int fd, one = 1, rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    if ((rc = getaddrinfo(NULL, port, &hints, &res)) != 0) {
        fprintf(stderr, "httpd: getaddrinfo: %s\n", gai_strerror(rc));
        return -1;
    }
    fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0) {
        perror("httpd: listen");
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void serve(int fd, const struct sockaddr_in *peer)
{
    char req[2048], method[16], path[256], body[512], head[256];
    size_t have = 0;
    ssize_t n;
    int one = 1;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    while (have < sizeof(req) - 1 && (n = read(fd, req + have, sizeof(req) - 1 - have)) > 0) {
        have += (size_t)n;
        req[have] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    req[have] = '\0';
    if (sscanf(req, "%15s %255s", method, path) != 2) {
        write_all(fd, "HTTP/1.0 400 Bad Request\r\n\r\n", 28);
        return;
    }
    snprintf(body, sizeof(body), "hello %s:%u, you asked for %s\n",
             inet_ntoa(peer->sin_addr), ntohs(peer->sin_port), path);
    snprintf(head, sizeof(head),
             "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n",
             strlen(body));
    if (write_all(fd, head, strlen(head)) == 0)
        write_all(fd, body, strlen(body));
    printf("httpd: %s %s from %s\n", method, path, inet_ntoa(peer->sin_addr));
}

int main(int argc, char **argv)
{
    const char *port = argc > 1 ? argv[1] : "8080";
    long count = argc > 2 ? strtol(argv[2], NULL, 10) : -1;
    int lfd;

    signal(SIGPIPE, SIG_IGN);
    if ((lfd = listen_on(port)) < 0)
        return 1;
    printf("httpd: listening on port %s\n", port);
    fflush(stdout);
    for (long served = 0; count < 0 || served < count; served++) {
        struct sockaddr_in peer;
        socklen_t len = sizeof(peer);
        int fd = accept(lfd, (struct sockaddr *)&peer, &len);
        if (fd < 0) {
            perror("httpd: accept");
            return 1;
        }
        serve(fd, &peer);
        close(fd);
    }
    close(lfd);
    return 0;
}
