/*
 * Runs sock_httpd.c, unchanged, in a guest: its main() becomes a libos
 * thread (there are no POSIX threads yet) that blocks in accept and read,
 * while this thread is its client on the loopback (getaddrinfo of the
 * guest's own name, connect retried until the server listens, blocking
 * send and recv): REQUESTS requests, each answer checked.  Blocking
 * sockets in two threads at once: each blocks only itself.  Last line
 * "sock_httpd_self: ok".
 */
#define main httpd_main
#include "sock_httpd.c"
#undef main

#include <stdint.h>
#include <libos/thread.h>

#define PORT     "8080"
#define REQUESTS 3
#define TEXT(x)  #x
#define STR(x)   TEXT(x)

static void *server(void *arg)
{
    static char *argv[] = { "httpd", PORT, STR(REQUESTS), NULL };

    (void)arg;
    return (void *)(intptr_t)httpd_main(3, argv);
}

static int connect_to(const char *host)
{
    struct addrinfo hints, *res;
    int fd = -1;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, PORT, &hints, &res) != 0)
        return -1;
    for (int tries = 0; tries < 100; tries++) {
        fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
        if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) == 0)
            break;
        if (errno != ECONNREFUSED)     /* not listening yet: try again */
            break;
        close(fd);
        fd = -1;
        usleep(10000);
    }
    freeaddrinfo(res);
    return fd;
}

static int get(const char *host, int i)
{
    char req[128], resp[1024], want[64];
    size_t have = 0;
    ssize_t n;
    int fd = connect_to(host);

    if (fd < 0)
        return 0;
    snprintf(req, sizeof(req), "GET /page%d HTTP/1.0\r\n\r\n", i);
    if (send(fd, req, strlen(req), 0) != (ssize_t)strlen(req))
        return 0;
    while (have < sizeof(resp) - 1 && (n = recv(fd, resp + have, sizeof(resp) - 1 - have, 0)) > 0)
        have += (size_t)n;
    resp[have] = '\0';
    close(fd);
    snprintf(want, sizeof(want), "you asked for /page%d\n", i);
    return strncmp(resp, "HTTP/1.0 200 OK\r\n", 17) == 0 && strstr(resp, want) != NULL;
}

int main(int argc, char **argv)
{
    libos_thread_t *t;
    void *status;

    (void)argc;
    if (libos_thread_create(&t, server, NULL, 0) != 0)
        return 1;
    for (int i = 0; i < REQUESTS; i++)
        if (!get(i == 0 ? "localhost" : argv[0], i)) {
            printf("sock_httpd_self: FAIL request %d (errno %d)\n", i, errno);
            return 1;
        }
    if (libos_thread_join(t, &status) != 0 || status != NULL) {
        printf("sock_httpd_self: FAIL the server's status\n");
        return 1;
    }
    printf("sock_httpd_self: ok\n");
    return 0;
}
