/*
 * The peer of chan_evil (the channel's MAPPER).  Reads the 100 good bytes,
 * then must see, for argv[1]
 *   corrupt  -EIO from read and from write (the stream is dead), and
 *   crash    end of file (the granter's domain died),
 * and exits 0, having touched nothing outside its mapped pages.
 */
#include <string.h>
#include "chan_common.h"

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "corrupt";
    libos_chan_t *c = chan_open_or_die("chan_victim");
    uint8_t buf[100], want[100];
    long n, w;

    memset(want, 'e', sizeof(want));
    if (read_full(c, buf, sizeof(buf)) || memcmp(buf, want, sizeof(buf))) {
        printf("chan_victim: the good bytes did not arrive\n");
        return 1;
    }
    n = libos_chan_read(c, buf, sizeof(buf));
    w = libos_chan_write(c, buf, 1);
    int crash = !strcmp(mode, "crash");
    printf("chan_victim: after the peer's %s: read %ld, write %ld\n",
           crash ? "crash" : "corruption", n, w);
    int ok = crash ? n == 0 && w == -32 : n == -KEEL_EIO && w == -KEEL_EIO;
    int rc = libos_chan_close(c, libos_monotonic_ns() + 1000000000ull);
    printf("chan_victim: close %d; %s\n", rc, ok ? "handled" : "WRONG");
    return !ok;
}
