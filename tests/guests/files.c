/*
 * Files on the guest's ext2 disk through the C library (sdk/fs), for
 * tests/integration/test_fs.py.  One mode per run (the argument after --):
 *   read        prints /hello.txt (put there by mke2fs -d)
 *   write       writes /new/a.txt with fopen, renames, lists /new
 *   check       reads what `write` wrote
 *   fill        writes /big until ENOSPC, exits cleanly (the disk stays full)
 *   ro          an open for writing fails EROFS, a read works
 *   sync N      checks seed N-1's /sync.txt first (N > 0: the run before
 *               was killed after its fsync), then writes /sync.txt with
 *               seed N, fsyncs, prints "fsync returned" and waits to be
 *               killed
 *   verify N    /sync.txt holds seed N's bytes
 *   mounts      two disks, at / and /data: each path on its own disk,
 *               rename across them EXDEV, rename over a file
 *   nomount     one disk at /data only: a path outside it is ENOENT
 * Prints "files: ... ok" or "files: FAIL ..." (exit 1).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYNC_BYTES 20000

static _Noreturn void fail(const char *what)
{
    printf("files: FAIL %s (errno %d)\n", what, errno);
    exit(1);
}

static void read_hello(void)
{
    char line[128];
    FILE *f = fopen("/hello.txt", "r");

    if (!f || !fgets(line, sizeof(line), f))
        fail("read /hello.txt");
    fclose(f);
    printf("files: hello says %s", line);
}

/* lseek, ftruncate, fstat, unlink, rmdir on scratch names under /new */
static void scratch(void)
{
    char two[2];
    struct stat st;
    int fd = open("/new/t", O_RDWR | O_CREAT | O_EXCL, 0644);

    if (fd < 0 || write(fd, "abcdef", 6) != 6 || lseek(fd, 2, SEEK_SET) != 2 ||
        read(fd, two, 2) != 2 || memcmp(two, "cd", 2))
        fail("write, lseek, read /new/t");
    if (ftruncate(fd, 3) || fstat(fd, &st) || st.st_size != 3 || !S_ISREG(st.st_mode) ||
        fsync(fd) || close(fd))
        fail("ftruncate, fstat, fsync /new/t");
    if (open("/new/t", O_WRONLY | O_CREAT | O_EXCL, 0644) >= 0 || errno != EEXIST)
        fail("O_EXCL on an existing file");
    if (unlink("/new/t") || open("/new/t", O_RDONLY) >= 0 || errno != ENOENT)
        fail("unlink /new/t");
    if (mkdir("/new/d", 0755) || rmdir("/new") == 0 || errno != ENOTEMPTY ||
        rmdir("/new/d") || stat("/new/d", &st) == 0)
        fail("mkdir, rmdir");
    if (open("/new", O_WRONLY) >= 0 || errno != EISDIR)
        fail("a directory opened for writing");
    fd = open("/new/a.txt", O_RDONLY);
    if (fd < 0 || write(fd, "x", 1) != -1 || errno != EBADF || close(fd))
        fail("a write on a read-only descriptor");
}

static void write_new(void)
{
    FILE *f;
    DIR *d;
    struct dirent *e;
    struct stat st;

    if (mkdir("/new", 0755) && errno != EEXIST)
        fail("mkdir /new");
    if (!(f = fopen("/new/tmp.txt", "w")) || fprintf(f, "written by the guest\n") < 0 ||
        fclose(f))
        fail("write /new/tmp.txt");
    if (rename("/new/tmp.txt", "/new/a.txt"))
        fail("rename");
    if (stat("/new/a.txt", &st) || st.st_size != 21)
        fail("stat /new/a.txt");
    if (!(d = opendir("/new")))
        fail("opendir");
    while ((e = readdir(d)))
        printf("files: /new has %s\n", e->d_name);
    closedir(d);
    scratch();
    printf("files: wrote ok\n");
}

static void check_new(void)
{
    char line[64];
    FILE *f = fopen("/new/a.txt", "r");
    struct stat st;

    if (!f || !fgets(line, sizeof(line), f) || strcmp(line, "written by the guest\n"))
        fail("read /new/a.txt");
    fclose(f);
    if (!stat("/new/tmp.txt", &st) || errno != ENOENT)
        fail("the old name is still there");
    printf("files: found ok\n");
}

static void fill_disk(void)
{
    static char block[4096];
    int fd = open("/big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    long total = 0, n;

    if (fd < 0)
        fail("open /big");
    memset(block, 'x', sizeof(block));
    while ((n = write(fd, block, sizeof(block))) > 0)
        total += n;
    if (errno != ENOSPC)
        fail("the full disk's error is not ENOSPC");
    printf("files: ENOSPC after %ld bytes\n", total);
    /* close may fail ENOSPC too: the block it still buffers has no room */
    if (close(fd) && errno != ENOSPC)
        fail("close /big");
    printf("files: full ok\n");
}

static void read_only(void)
{
    if (open("/hello.txt", O_WRONLY) >= 0 || errno != EROFS)
        fail("a write open on a read-only disk");
    if (open("/other", O_WRONLY | O_CREAT, 0644) >= 0 || errno != EROFS)
        fail("a create on a read-only disk");
    read_hello();
    printf("files: read-only ok\n");
}

static void pattern(char *p, int seed)
{
    for (int i = 0; i < SYNC_BYTES; i++)
        p[i] = (char)('a' + (seed * 7 + i * 13) % 26);
}

static void write_sync(int seed)
{
    static char buf[SYNC_BYTES];
    int fd = open("/sync.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);

    pattern(buf, seed);
    if (fd < 0 || write(fd, buf, SYNC_BYTES) != SYNC_BYTES)
        fail("write /sync.txt");
    if (fsync(fd))
        fail("fsync");
    printf("files: fsync returned\n");
    fflush(stdout);
    for (;;)
        sleep(1);
}

static void verify_sync(int seed)
{
    static char want[SYNC_BYTES], got[SYNC_BYTES + 1];
    int fd = open("/sync.txt", O_RDONLY);

    pattern(want, seed);
    if (fd < 0 || read(fd, got, sizeof(got)) != SYNC_BYTES || memcmp(got, want, SYNC_BYTES))
        fail("/sync.txt is not what was fsync'd");
    close(fd);
    printf("files: synced data ok\n");
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (!f || fputs(text, f) < 0 || fclose(f))
        fail(path);
}

static void expect(const char *path, const char *text)
{
    char line[128] = "";
    FILE *f = fopen(path, "r");

    if (!f || !fgets(line, sizeof(line), f) || strcmp(line, text))
        fail(path);
    fclose(f);
}

static void two_mounts(void)
{
    struct stat st;

    expect("/hello.txt", "hello from the host\n");
    expect("/data/data.txt", "the data disk\n");
    if (stat("/data/hello.txt", &st) == 0 || errno != ENOENT)
        fail("/data/hello.txt is on the second disk: absent");
    put("/database", "on the root disk\n");       /* not under /data */
    put("/data/a.txt", "first\n");
    put("/data/b.txt", "second\n");
    if (rename("/data/a.txt", "/a.txt") == 0 || errno != EXDEV)
        fail("rename across mounts");
    if (rename("/data/b.txt", "/data/a.txt") || stat("/data/b.txt", &st) == 0)
        fail("rename over a file");
    expect("/data/a.txt", "second\n");
    if (stat("/data", &st) || !S_ISDIR(st.st_mode))
        fail("stat of the mount point");
    printf("files: mounts ok\n");
}

static void no_root(void)
{
    struct stat st;

    expect("/data/data.txt", "the data disk\n");
    if (stat("/hello.txt", &st) == 0 || errno != ENOENT ||
        open("/x", O_WRONLY | O_CREAT, 0644) >= 0 || errno != ENOENT)
        fail("a path in no mount");
    printf("files: no root ok\n");
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "read";
    int seed = argc > 2 ? atoi(argv[2]) : 0;

    if (!strcmp(mode, "read"))
        read_hello();
    else if (!strcmp(mode, "write"))
        write_new();
    else if (!strcmp(mode, "check"))
        check_new();
    else if (!strcmp(mode, "fill"))
        fill_disk();
    else if (!strcmp(mode, "ro"))
        read_only();
    else if (!strcmp(mode, "sync")) {
        if (seed > 0)
            verify_sync(seed - 1);
        write_sync(seed);
    }
    else if (!strcmp(mode, "verify"))
        verify_sync(seed);
    else if (!strcmp(mode, "mounts"))
        two_mounts();
    else if (!strcmp(mode, "nomount"))
        no_root();
    else
        fail(mode);
    return 0;
}
