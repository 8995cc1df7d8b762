/*
 * The file system as POSIX programs expect it (sdk/fs, docs/fs.md), for
 * tests/integration/test_fs_posix.py.  One mode per run:
 *   mountdir    disks at / (with its own /data directory) and /data:
 *               readdir("/") lists "data" once, stat of it is the mount
 *   mountonly   one disk at /data/x only: "/" and "/data" list what
 *               leads to it, stat says directory, /nothing stays ENOENT
 *   rendir      directories renamed across parents: "..", link counts,
 *               EINVAL into its own subtree, an empty target replaced,
 *               ENOTEMPTY, ENOTDIR
 *   exdev       disks at / and /data: a directory across them is EXDEV
 *   orphan      files unlinked (and renamed over) while open keep their
 *               data until closed, although new files need the space;
 *               one stays open at exit
 *   orphankill  a file unlinked while open, then "orphaned" and it waits
 *               to be killed
 *   threads     4 threads write, fsync and read back files of their own
 *               while a fifth makes, renames and removes directories and
 *               files beside them: every byte checked (the calls wait for
 *               the disk, so the threads' calls interleave)
 * Prints "fs_posix: MODE ok" or "fs_posix: FAIL ..." (exit 1).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ORPHAN_BYTES (300 * 1024)

static _Noreturn void fail(const char *what)
{
    printf("fs_posix: FAIL %s (errno %d)\n", what, errno);
    exit(1);
}

/* How often name is in path's listing; -1: opendir failed. */
static int listed(const char *path, const char *name)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        n += !strcmp(e->d_name, name);
    closedir(d);
    return n;
}

static void is_dir(const char *path, ino_t ino)
{
    struct stat st;

    if (stat(path, &st) || !S_ISDIR(st.st_mode) || (ino && st.st_ino != ino))
        fail(path);
}

static void mount_dir(void)
{
    if (listed("/", "data") != 1 || listed("/", "hello.txt") != 1 ||
        listed("//", "data") != 1 || listed("/", ".") != 1)
        fail("/ lists its files and the mount point /data once");
    if (listed("/data", "data.txt") != 1)
        fail("/data lists the mounted disk");
    is_dir("/data", 2);              /* the root of the disk at /data */
}

static void mount_only(void)
{
    struct stat st;

    if (listed("/", "data") != 1 || listed("/", "..") != 1 || listed("/data", "x") != 1 ||
        listed("/data/", "x") != 1 || listed("/data/x", "data.txt") != 1)
        fail("the way to the mount at /data/x is listed");
    is_dir("/", 0);
    is_dir("/data", 0);
    is_dir("/data/x", 2);
    if (stat("/nothing", &st) == 0 || errno != ENOENT || opendir("/nothing") ||
        errno != ENOENT || opendir("/dat"))
        fail("a path that leads to no mount");
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (!f || fputs(text, f) < 0 || fclose(f))
        fail(path);
}

static nlink_t links(const char *path)
{
    struct stat st;

    if (stat(path, &st))
        fail(path);
    return st.st_nlink;
}

static ino_t ino_of(const char *path)
{
    struct stat st;

    if (stat(path, &st))
        fail(path);
    return st.st_ino;
}

static void rename_dirs(void)
{
    nlink_t root = links("/");

    if (mkdir("/a", 0755) || mkdir("/a/sub", 0755) || mkdir("/a/sub/deep", 0755) ||
        mkdir("/b", 0755))
        fail("mkdir");
    put("/a/sub/f", "in sub\n");
    if (rename("/a/sub", "/b/sub"))
        fail("rename /a/sub /b/sub");
    if (listed("/b/sub", "f") != 1 || listed("/a", "sub") != 0 ||
        ino_of("/b/sub/..") != ino_of("/b") || ino_of("/b/sub/deep/../..") != ino_of("/b"))
        fail("the moved directory's .. is its new parent");
    if (links("/a") != 2 || links("/b") != 3 || links("/b/sub") != 3)
        fail("link counts after the move");
    if (rename("/b", "/b/sub/deep/b") == 0 || errno != EINVAL ||
        rename("/b", "/b/sub") == 0 || errno != EINVAL)
        fail("a directory into its own subtree is EINVAL");
    if (mkdir("/a/empty", 0755) || rename("/b/sub", "/a/empty") ||
        listed("/a/empty", "f") != 1 || ino_of("/a/empty/..") != ino_of("/a") ||
        links("/a") != 3 || links("/b") != 2 || listed("/b", "sub") != 0)
        fail("an empty directory replaced");
    put("/b/file", "x\n");
    if (mkdir("/c", 0755) || rename("/c", "/a/empty") == 0 || errno != ENOTEMPTY ||
        rename("/c", "/b/file") == 0 || errno != ENOTDIR ||
        rename("/b/file", "/c") == 0 || errno != EISDIR)
        fail("ENOTEMPTY, ENOTDIR, EISDIR");
    if (rename("/a/empty", "/a/empty") || rename("/a/empty", "/c/moved") ||
        rename("/c", "/a/c") || ino_of("/a/c/moved/deep/../../..") != ino_of("/a") ||
        links("/a") != 3 || links("/") != root + 2)
        fail("moves down and back");
}

static void across_mounts(void)
{
    if (mkdir("/data/dd", 0755) || rename("/data/dd", "/dd") == 0 || errno != EXDEV ||
        rename("/data/dd", "/data/ee"))
        fail("a directory across mounts is EXDEV");
}

static void pattern(char *p, size_t n, int seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (char)('a' + (seed * 7 + i * 13) % 26);
}

static int write_file(const char *path, int seed)
{
    static char buf[ORPHAN_BYTES];
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

    pattern(buf, sizeof(buf), seed);
    if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || fsync(fd))
        fail(path);
    return fd;
}

static void still_holds(int fd, int seed)
{
    static char want[ORPHAN_BYTES], got[ORPHAN_BYTES];
    struct stat st;

    pattern(want, sizeof(want), seed);
    if (lseek(fd, 0, SEEK_SET) || read(fd, got, sizeof(got)) != (ssize_t)sizeof(got) ||
        memcmp(got, want, sizeof(got)))
        fail("an unlinked file lost its data while open");
    if (fstat(fd, &st) || st.st_nlink != 0)
        fail("fstat of an unlinked file: no links");
}

/* The disk (1 MiB) has room for about two such files: an orphan's blocks
 * freed too early would be taken by the ones written after it. */
static void orphans(void)
{
    int a = write_file("/a", 1), b, c;

    if (unlink("/a") || open("/a", O_RDONLY) >= 0 || errno != ENOENT)
        fail("unlink /a while open");
    close(write_file("/filler", 2));
    still_holds(a, 1);
    if (close(a) || unlink("/filler"))
        fail("close /a");
    b = write_file("/b", 3);
    close(write_file("/new", 4));
    if (rename("/new", "/b"))
        fail("rename over /b while open");
    close(write_file("/filler", 5));
    still_holds(b, 3);
    if (close(b) || unlink("/filler"))
        fail("close /b");
    c = write_file("/c", 6);
    if (unlink("/c"))
        fail("unlink /c");
    still_holds(c, 6);               /* open at exit: the unmount frees it */
}

static void orphan_then_wait(void)
{
    int fd = write_file("/k", 7);

    if (unlink("/k"))
        fail("unlink /k");
    printf("fs_posix: orphaned\n");
    fflush(stdout);
    for (;;)
        sleep(1);
    (void)fd;
}

#define WRITERS      4
#define WRITE_BYTES  (96 * 1024)
#define WRITE_ROUNDS 3

/* Piece sizes that cross blocks unevenly: 1 KiB .. 13 KiB. */
static size_t piece(size_t at, unsigned k)
{
    size_t n = (at / 1024 * 7 + k * 3) % 13 * 1024 + 1024;
    return n < WRITE_BYTES - at ? n : WRITE_BYTES - at;
}

static uint8_t wpattern(unsigned who, unsigned round, size_t i)
{
    return (uint8_t)(who * 53 + round * 17 + i * 7 + (i >> 11));
}

/* Its own file, in uneven pieces, fsync'd, then read back in others. */
static void *writer(void *arg)
{
    unsigned who = (unsigned)(uintptr_t)arg;
    static uint8_t bufs[WRITERS][WRITE_BYTES];
    uint8_t *b = bufs[who];
    char path[32];

    snprintf(path, sizeof(path), "/w%u", who);
    for (unsigned round = 0; round < WRITE_ROUNDS; round++) {
        int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
        if (fd < 0)
            fail("a writer's open");
        for (size_t i = 0; i < WRITE_BYTES; i++)
            b[i] = wpattern(who, round, i);
        for (size_t at = 0, n; at < WRITE_BYTES; at += n) {
            n = piece(at, who);
            if (write(fd, b + at, n) != (ssize_t)n)
                fail("a writer's write");
        }
        if (fsync(fd) || lseek(fd, 0, SEEK_SET) != 0)
            fail("a writer's fsync");
        memset(b, 0, WRITE_BYTES);
        for (size_t at = 0, n; at < WRITE_BYTES; at += n) {
            n = piece(at, who + 1);
            if (read(fd, b + at, n) != (ssize_t)n)
                fail("a writer's read");
        }
        for (size_t i = 0; i < WRITE_BYTES; i++)
            if (b[i] != wpattern(who, round, i))
                fail("a writer read back other bytes");
        close(fd);
    }
    return NULL;
}

/* Directories and files come and go beside the writers. */
static void *churner(void *arg)
{
    char a[32], b[32], f[48];

    (void)arg;
    for (unsigned i = 0; i < 12; i++) {
        snprintf(a, sizeof(a), "/c%u", i);
        snprintf(b, sizeof(b), "/d%u", i);
        snprintf(f, sizeof(f), "%s/f", b);
        if (mkdir(a, 0755) || rename(a, b))
            fail("the churner's mkdir or rename");
        int fd = open(f, O_CREAT | O_WRONLY, 0644);
        if (fd < 0 || write(fd, "churn\n", 6) != 6 || fsync(fd) || close(fd))
            fail("the churner's file");
        if (unlink(f) || rmdir(b))
            fail("the churner's removal");
    }
    return NULL;
}

static void threads(void)
{
    pthread_t t[WRITERS + 1];
    struct stat st;

    for (unsigned i = 0; i < WRITERS; i++)
        if (pthread_create(&t[i], NULL, writer, (void *)(uintptr_t)i))
            fail("pthread_create");
    if (pthread_create(&t[WRITERS], NULL, churner, NULL))
        fail("pthread_create");
    for (unsigned i = 0; i <= WRITERS; i++)
        pthread_join(t[i], NULL);
    for (unsigned i = 0; i < WRITERS; i++) {
        char path[32];
        snprintf(path, sizeof(path), "/w%u", i);
        if (stat(path, &st) || st.st_size != WRITE_BYTES)
            fail("a writer's file size");
    }
    if (stat("/d11", &st) == 0 || errno != ENOENT)
        fail("the churner's last directory is still there");
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    if (!strcmp(mode, "mountdir"))
        mount_dir();
    else if (!strcmp(mode, "mountonly"))
        mount_only();
    else if (!strcmp(mode, "rendir"))
        rename_dirs();
    else if (!strcmp(mode, "exdev"))
        across_mounts();
    else if (!strcmp(mode, "orphan"))
        orphans();
    else if (!strcmp(mode, "orphankill"))
        orphan_then_wait();
    else if (!strcmp(mode, "threads"))
        threads();
    else
        fail(mode);
    printf("fs_posix: %s ok\n", mode);
    return 0;
}
