/* keel run --disk FILE[:ro] (tools/keel/disk.c): parsing, and the checks
 * that turn an unusable file into one clear line before QEMU starts. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "ktest.h"
#include "keel_cmdline.h"

static struct keel_opts o;

static int run_parse(const char *a, const char *b)
{
    char *argv[] = { "run", (char *)a, (char *)b, "x.img", NULL };
    static FILE *sink;

    if (!sink)
        sink = fopen("/dev/null", "w");
    free(o.images);
    free(o.connects);
    return keel_parse_run(b ? 4 : 3, b ? argv : (char *[]){ "run", (char *)a, "x.img", NULL }, &o, sink);
}

KTEST(parses_file_and_ro)
{
    EXPECT_EQ(run_parse("--disk", "a:b.img"), 0);
    EXPECT(o.disk && !o.disk_ro && !strcmp(o.disk_path, "a:b.img"));
    EXPECT_EQ(run_parse("--disk=d.img:ro", NULL), 0);
    EXPECT(o.disk && o.disk_ro && !strcmp(o.disk_path, "d.img"));
    EXPECT_EQ(run_parse("--disk", ":ro"), -1);
    EXPECT_EQ(run_parse("--disk", "a,b.img"), -1);
    struct keel_opts two = { .disk = true };
    EXPECT_EQ(keel_parse_disk("b.img", &two), -1);   /* one disk a run */
}

/* keel_check_disk's verdict on path, and the message it wrote */
static int check(const char *path, bool ro, char *msg, size_t size)
{
    struct keel_opts c = { .disk = true, .disk_ro = ro };
    FILE *f = fmemopen(msg, size, "w");

    snprintf(c.disk_path, sizeof(c.disk_path), "%s", path);
    int rc = keel_check_disk(&c, f);
    fclose(f);
    return rc;
}

KTEST(unusable_files_are_one_line)
{
    char msg[256] = "", path[] = "/tmp/keel_disk_testXXXXXX";
    int fd = mkstemp(path);

    EXPECT_EQ(check("/nonexistent/disk.img", false, msg, sizeof(msg)), -1);
    EXPECT(!strcmp(msg, "keel: --disk /nonexistent/disk.img: No such file or directory\n"));
    EXPECT_EQ(check(path, false, msg, sizeof(msg)), -1);           /* empty */
    EXPECT(strstr(msg, "not a whole number of 512-byte sectors") != NULL);
    EXPECT_EQ(write(fd, msg, 100), 100);
    EXPECT_EQ(check(path, true, msg, sizeof(msg)), -1);            /* 100 bytes */
    EXPECT_EQ(ftruncate(fd, 1 << 20), 0);
    EXPECT_EQ(check(path, false, msg, sizeof(msg)), 0);
    EXPECT_EQ(check("/tmp", true, msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "not a regular file") != NULL);
    struct keel_opts none = { 0 };
    EXPECT_EQ(keel_check_disk(&none, stderr), 0);
    close(fd);
    unlink(path);
}

KTEST(qemu_gets_the_drive)
{
    char drive[256];
    struct keel_opts c = { .disk = true, .disk_ro = true };

    strcpy(c.disk_path, "/d/x.img");
    keel_disk_args(&c, drive, sizeof(drive));
    EXPECT(!strcmp(drive, "file=/d/x.img,format=raw,if=none,id=disk0,"
                          "cache=writeback,readonly=on"));
}

KTEST_MAIN(KTEST_CASE(parses_file_and_ro), KTEST_CASE(unusable_files_are_one_line),
           KTEST_CASE(qemu_gets_the_drive))
