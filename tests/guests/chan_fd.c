/*
 * A channel as a file descriptor: the granter opens "/dev/chan/chan" and
 * prints argv[1] (default 20000) numbered lines through stdio; the mapper
 * reads the descriptor with read() until end of file and checks every
 * line.  Both also check the errors of descriptors that are not channels.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int errors_ok(void)
{
    char b[4];

    return open("/dev/chan/nope", O_RDWR) == -1 && errno == ENOENT &&
           open("/etc/passwd", O_RDONLY) == -1 && errno == ENOENT &&
           read(17, b, 4) == -1 && errno == EBADF &&
           write(40, b, 4) == -1 && errno == EBADF &&
           close(5) == -1 && errno == EBADF;
}

static int writer(int fd, unsigned n)
{
    FILE *f = fdopen(fd, "w");

    if (!f)
        return 1;
    for (unsigned i = 0; i < n; i++)
        if (fprintf(f, "line %u of %u\n", i, n) < 0)
            return 1;
    return fclose(f) != 0;
}

/* Lines may arrive split anywhere: reassemble, compare each. */
static int reader(int fd, unsigned n)
{
    char buf[1000], line[64], want[64];
    size_t have = 0;
    unsigned seen = 0;
    ssize_t r;

    while ((r = read(fd, buf, sizeof(buf))) > 0)
        for (ssize_t i = 0; i < r; i++) {
            if (have == sizeof(line) - 1)
                return 1;
            line[have++] = buf[i];
            if (buf[i] != '\n')
                continue;
            line[have] = 0;
            snprintf(want, sizeof(want), "line %u of %u\n", seen++, n);
            if (strcmp(line, want))
                return 1;
            have = 0;
        }
    return r != 0 || seen != n || close(fd) != 0;
}

/* Run twice as chan_fd and chan_fd-2: the first one writes. */
int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 20000;
    int fd = open("/dev/chan/chan", O_RDWR), rc;

    if (fd < 3 || !errors_ok()) {
        printf("chan_fd: open gave %d (errno %d)\n", fd, errno);
        return 1;
    }
    if (isatty(fd) || errno != ENOTTY)
        return 1;
    int w = strcmp(argv[0], "chan_fd") == 0;
    rc = w ? writer(fd, n) : reader(fd, n);
    printf("chan_fd: %s %u lines: %s\n", w ? "wrote" : "read", n, rc ? "FAILED" : "ok");
    return rc;
}
