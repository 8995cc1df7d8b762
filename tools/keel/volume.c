/*
 * --volume [NAME=]DIR[:MOUNTPOINT]: a read-only ext2 disk made from a host
 * directory for this run (mke2fs -t ext2 -d DIR, e2fsprogs), staged beside
 * the run's other files and gone with them.  It is then a --disk like any
 * other (disk.c): same guest rules, same device and line limits.
 *
 * The image is sized from the directory: every file rounded up to 4 KiB,
 * 4 KiB more per entry (its inode and directory entry), a quarter more
 * for ext2's own metadata, and 2 MiB, so that mke2fs -d always fits.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "keel.h"

#define VOLUME_BLOCK  4096ull
#define VOLUME_SLACK  (2ull << 20)

static unsigned long long volume_bytes, volume_entries;

static int count(const char *path, const struct stat *st, int type, struct FTW *f)
{
    (void)path;
    (void)f;
    (void)type;
    volume_bytes += ((unsigned long long)st->st_size + VOLUME_BLOCK - 1) /
                    VOLUME_BLOCK * VOLUME_BLOCK + VOLUME_BLOCK;
    volume_entries++;
    return 0;
}

/* Runs argv with stdout and stderr into log; its exit status, or -1. */
static int run_quiet(char *const argv[], const char *log)
{
    pid_t pid = fork();
    int st;

    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

/* The last line mke2fs wrote, for the one line we print. */
static void last_line(const char *log, char *out, size_t size)
{
    FILE *f = fopen(log, "r");
    char line[512];

    snprintf(out, size, "mke2fs failed");
    while (f && fgets(line, sizeof(line), f))
        if (line[0] != '\n') {
            line[strcspn(line, "\n")] = 0;
            snprintf(out, size, "%s", line);
        }
    if (f)
        fclose(f);
}

static int build_one(struct keel_disk *d, int k, struct keel_stage *st, FILE *err)
{
    char img[4200], log[4200], name[32], size[32], inodes[32], why[512];
    struct stat sb;
    FILE *f;

    if (stat(d->volume, &sb)) {
        fprintf(err, "keel: --volume %s: %s\n", d->volume, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        fprintf(err, "keel: --volume %s: not a directory\n", d->volume);
        return -1;
    }
    volume_bytes = volume_entries = 0;
    if (nftw(d->volume, count, 16, FTW_PHYS)) {
        fprintf(err, "keel: --volume %s: %s\n", d->volume, strerror(errno));
        return -1;
    }
    snprintf(name, sizeof(name), "volume%d.log", k);
    if (!(f = keel_stage_create(st, name, log, sizeof(log))) || fclose(f))
        f = NULL;
    snprintf(name, sizeof(name), "volume%d.img", k);
    if (!f || !(f = keel_stage_create(st, name, img, sizeof(img))) || fclose(f)) {
        fprintf(err, "keel: --volume %s: cannot stage its image\n", d->volume);
        return -1;
    }
    unsigned long long bytes = (volume_bytes + volume_bytes / 4 + VOLUME_SLACK) /
                               (1 << 20) * (1 << 20) + (1 << 20);
    snprintf(size, sizeof(size), "%lluk", bytes / 1024);
    snprintf(inodes, sizeof(inodes), "%llu", volume_entries + 64);
    char *argv[] = { "mke2fs", "-q", "-F", "-t", "ext2", "-N", inodes, "-d",
                     d->volume, img, size, NULL };
    int rc = run_quiet(argv, log);
    if (rc == 127) {
        fprintf(err, "keel: --volume %s: mke2fs not found (install e2fsprogs: "
                "scripts/install-deps.sh)\n", d->volume);
        return -1;
    }
    if (rc) {
        last_line(log, why, sizeof(why));
        fprintf(err, "keel: --volume %s: %s\n", d->volume, why);
        return -1;
    }
    return (d->path = strdup(img)) ? 0 : -1;
}

/* Every --volume's image, in the staging directory.  0, or -1 with one
 * line on err. */
int keel_build_volumes(struct keel_opts *o, struct keel_stage *st, FILE *err)
{
    for (int i = 0, k = 0; i < o->ndisks; i++)
        if (o->disks[i].volume && build_one(&o->disks[i], k++, st, err))
            return -1;
    return 0;
}
