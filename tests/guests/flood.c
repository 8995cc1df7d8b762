/*
 * Prints N bytes (default 10 MiB; argv[1] overrides) of a known pattern as
 * fast as it can, then one line "flood <bytes> <fnv1a-64 hex>" on stderr,
 * so the test can check that every byte arrived, in order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    unsigned long total = argc > 1 ? strtoul(argv[1], NULL, 0) : 10ul << 20;
    static char buf[8192];
    uint64_t h = 1469598103934665603ull;
    unsigned long done = 0, seq = 0;

    while (done < total) {
        size_t n = 0;
        while (n < sizeof(buf) && done + n < total) {
            /* lines of varying length, bytes 0x20..0x7e, '\n' */
            buf[n] = (seq % 61 == 60) ? '\n' : (char)(0x20 + seq % 95);
            n++;
            seq++;
        }
        for (size_t i = 0; i < n; i++)
            h = (h ^ (uint8_t)buf[i]) * 1099511628211ull;
        for (size_t off = 0; off < n;) {
            ssize_t w = write(1, buf + off, n - off);
            if (w <= 0)
                return 2;
            off += (size_t)w;
        }
        done += n;
    }
    fprintf(stderr, "flood %lu %016llx\n", done, (unsigned long long)h);
    return 0;
}
