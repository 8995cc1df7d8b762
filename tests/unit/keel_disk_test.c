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
    EXPECT(o.ndisks == 1 && !o.disks[0].ro && !strcmp(o.disks[0].path, "a:b.img"));
    EXPECT(!o.disks[0].guest && !strcmp(o.disks[0].mount, "/"));
    EXPECT_EQ(run_parse("--disk=d.img:ro", NULL), 0);
    EXPECT(o.disks[0].ro && !strcmp(o.disks[0].path, "d.img"));
    EXPECT_EQ(run_parse("--disk", "web=/x/d.img:ro:/data"), 0);
    EXPECT(o.disks[0].ro && !strcmp(o.disks[0].path, "/x/d.img") &&
           !strcmp(o.disks[0].guest, "web") && !strcmp(o.disks[0].mount, "/data"));
    EXPECT_EQ(run_parse("--disk", "1=d.img:/m"), 0);
    EXPECT(!o.disks[0].ro && !strcmp(o.disks[0].guest, "1") &&
           !strcmp(o.disks[0].mount, "/m") && !strcmp(o.disks[0].path, "d.img"));
    EXPECT_EQ(run_parse("--disk", "./a=b.img"), 0);     /* '/' before '=': a path */
    EXPECT(!o.disks[0].guest && !strcmp(o.disks[0].path, "./a=b.img"));
    EXPECT_EQ(run_parse("--disk", "a=d.img:1M+64K:ro:/s"), 0);     /* a slice */
    EXPECT(o.disks[0].ro && o.disks[0].first == 2048 && o.disks[0].sectors == 128 &&
           !strcmp(o.disks[0].path, "d.img") && !strcmp(o.disks[0].mount, "/s"));
    EXPECT_EQ(run_parse("--disk", "d.img:512+1024"), 0);
    EXPECT(o.disks[0].first == 1 && o.disks[0].sectors == 2 && !o.disks[0].ro);
    EXPECT_EQ(run_parse("--disk", "d.img"), 0);
    EXPECT(o.disks[0].first == 0 && o.disks[0].sectors == 0);
    EXPECT_EQ(run_parse("--disk", "d.img:100+1024"), -1);    /* not whole sectors */
    EXPECT_EQ(run_parse("--disk", "d.img:0+0"), -1);         /* empty */
    EXPECT_EQ(run_parse("--disk", "d.img:0+1T"), -1);        /* no such suffix */
    EXPECT_EQ(run_parse("--disk", "d.img:0+99999999999G"), -1);   /* overflows */
    EXPECT_EQ(run_parse("--disk", "d.img:8589934592G+8589934592G"), -1);   /* past 2^64 */
    EXPECT_EQ(run_parse("--disk", ":ro"), -1);
    EXPECT_EQ(run_parse("--disk", "=d.img"), -1);
    EXPECT_EQ(run_parse("--disk", "a,b.img"), -1);
    EXPECT_EQ(run_parse("--disk", "d.img:/a_mount_point_of_32_bytes_xxxxx"), -1);
}

/* keel_plan_disks's verdict on specs (guests "a" and "b"), its message */
static int plan(const char *const *specs, int n, bool net, char *msg, size_t size)
{
    static struct keel_opts c;
    char *names[] = { "a", "b" };
    FILE *f = fmemopen(msg, size, "w");

    memset(&c, 0, sizeof(c));
    c.net = net ? KEEL_NET_USER : KEEL_NET_NONE;
    int rc = 0;
    for (int i = 0; i < n; i++)
        rc |= keel_parse_disk(specs[i], &c);
    rc = rc ? -2 : keel_plan_disks(&c, names, 2, f);
    fclose(f);
    o = c;
    return rc;
}

static int check(const char *path, bool ro, char *msg, size_t size)
{
    char spec[4200];

    snprintf(spec, sizeof(spec), "%s%s", path, ro ? ":ro" : "");
    return plan((const char *[]){ spec }, 1, true, msg, size);
}

/* Four files are four devices at slots 5, 4, 6, 7; a fifth is refused. */
KTEST(four_disk_files_a_run)
{
    char msg[512] = "", paths[5][32], specs[5][64];
    const char *argv[5];

    for (int i = 0; i < 5; i++) {
        snprintf(paths[i], sizeof(paths[i]), "/tmp/keel_disk_testXXXXXX");
        int fd = mkstemp(paths[i]);
        EXPECT(fd >= 0 && !ftruncate(fd, 4096));
        close(fd);
        snprintf(specs[i], sizeof(specs[i]), "%s:/d%d", paths[i], i);
        argv[i] = specs[i];
    }
    EXPECT_EQ(plan(argv, 4, true, msg, sizeof(msg)), 0);
    EXPECT_EQ(o.ndevs, 4);
    EXPECT(o.dev_slot[0] == 5 && o.dev_slot[1] == 4 && o.dev_slot[2] == 6 && o.dev_slot[3] == 7);
    EXPECT_EQ(plan(argv, 5, true, msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "at most 4 disk files a run") != NULL);
    EXPECT_EQ(plan(argv, 5, false, msg, sizeof(msg)), -1);
    for (int i = 0; i < 5; i++)
        unlink(paths[i]);
}

KTEST(unusable_files_are_one_line)
{
    char msg[512] = "", path[] = "/tmp/keel_disk_testXXXXXX";
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
    EXPECT_EQ(plan(NULL, 0, true, msg, sizeof(msg)), 0);
    EXPECT_EQ(o.ndevs, 0);
    close(fd);
    unlink(path);
}

KTEST(disks_go_to_guests_and_devices)
{
    char msg[512] = "", p1[] = "/tmp/keel_disk_testXXXXXX", p2[] = "/tmp/keel_disk_testXXXXXX";
    char s[6][128];
    int f1 = mkstemp(p1), f2 = mkstemp(p2);

    EXPECT(!ftruncate(f1, 4096) && !ftruncate(f2, 4096));
    snprintf(s[0], 128, "a=%s:ro:/x", p1);
    snprintf(s[1], 128, "b=%s:ro", p1);
    snprintf(s[2], 128, "b=%s", p1);
    snprintf(s[3], 128, "c=%s", p1);
    snprintf(s[4], 128, "1=%s:/rw", p2);
    /* one file to two guests read-only: one device */
    EXPECT_EQ(plan((const char *[]){ s[0], s[1] }, 2, true, msg, sizeof(msg)), 0);
    EXPECT(o.ndevs == 1 && o.disks[0].dev == 0 && o.disks[1].dev == 0);
    EXPECT(o.disks[0].guest_idx == 0 && o.disks[1].guest_idx == 1 && o.dev_slot[0] == 5);
    /* shared read-write: refused */
    EXPECT_EQ(plan((const char *[]){ s[0], s[2] }, 2, true, msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "shared read-only") != NULL);
    /* read-write in slices that do not overlap: one device, writable */
    snprintf(s[2], 128, "a=%s:0+2K", p1);
    snprintf(s[3], 128, "b=%s:2K+2K", p1);
    snprintf(s[5], 128, "b=%s:1K+2K:ro", p1);
    EXPECT_EQ(plan((const char *[]){ s[2], s[3] }, 2, true, msg, sizeof(msg)), 0);
    EXPECT(o.ndevs == 1 && o.disks[1].dev == 0 && o.disks[1].first == 4);
    char drive[256];
    keel_disk_args(&o, 0, drive, sizeof(drive));
    EXPECT(strstr(drive, "readonly") == NULL);
    EXPECT_EQ(plan((const char *[]){ s[2], s[5] }, 2, true, msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "slices that do not overlap") != NULL);
    snprintf(s[3], 128, "b=%s:2K+4K", p1);        /* past the 4 KiB file */
    EXPECT_EQ(plan((const char *[]){ s[3] }, 1, true, msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "is not inside its 4096 bytes") != NULL);
    snprintf(s[3], 128, "c=%s", p1);
    EXPECT_EQ(plan((const char *[]){ s[3] }, 1, true, msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "no such guest") != NULL);
    /* two files: two devices, beside the NIC or not (MSI-X: no lines) */
    EXPECT_EQ(plan((const char *[]){ s[0], s[4] }, 2, true, msg, sizeof(msg)), 0);
    EXPECT(o.ndevs == 2 && o.dev_slot[1] == 4 && o.disks[1].guest_idx == 1);
    EXPECT_EQ(plan((const char *[]){ s[0], s[4] }, 2, false, msg, sizeof(msg)), 0);
    EXPECT(o.ndevs == 2 && o.dev_slot[1] == 4 && o.disks[1].guest_idx == 1);
    keel_disk_args(&o, 0, drive, sizeof(drive));
    EXPECT(strstr(drive, ",id=disk0,cache=writeback,readonly=on") != NULL);
    keel_disk_args(&o, 1, drive, sizeof(drive));
    EXPECT(strstr(drive, ",id=disk1,cache=writeback,discard=unmap") &&
           !strstr(drive, "readonly"));
    close(f1);
    close(f2);
    unlink(p1);
    unlink(p2);
}

KTEST_MAIN(KTEST_CASE(parses_file_and_ro), KTEST_CASE(unusable_files_are_one_line),
           KTEST_CASE(disks_go_to_guests_and_devices), KTEST_CASE(four_disk_files_a_run))
