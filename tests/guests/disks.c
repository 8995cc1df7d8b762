/*
 * Several disks, each mounted at its own point (keel run --disk
 * FILE:/MOUNT: a virtio-blk function each), for
 * tests/integration/test_disks.py.  For every mount point given after
 * --: reads MOUNT/name.txt (put there by mke2fs -d, it names its mount
 * point: each path reaches its own disk), writes MOUNT/guest.txt and
 * reads it back.  Prints "disks: N ok" or "disks: FAIL ..." (exit 1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Noreturn void fail(const char *what, const char *mount)
{
    printf("disks: FAIL %s on %s (errno %d)\n", what, mount, errno);
    exit(1);
}

static void path(char *out, size_t size, const char *mount, const char *file)
{
    snprintf(out, size, "%s/%s", mount, file);
}

static void expect(const char *mount, const char *file, const char *text)
{
    char p[64], line[128] = "";
    FILE *f;

    path(p, sizeof(p), mount, file);
    if (!(f = fopen(p, "r")) || !fgets(line, sizeof(line), f) || strcmp(line, text))
        fail(file, mount);
    fclose(f);
}

static void one_disk(const char *mount)
{
    char p[64], text[96];
    FILE *f;

    snprintf(text, sizeof(text), "disk %s\n", mount);
    expect(mount, "name.txt", text);
    snprintf(text, sizeof(text), "written by the guest on %s\n", mount);
    path(p, sizeof(p), mount, "guest.txt");
    if (!(f = fopen(p, "w")) || fputs(text, f) < 0 || fclose(f))
        fail("write", mount);
    expect(mount, "guest.txt", text);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        one_disk(argv[i]);
    printf("disks: %d ok\n", argc - 1);
    return 0;
}
