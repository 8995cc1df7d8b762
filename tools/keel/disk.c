/*
 * --disk [NAME=]FILE[:START+SIZE][:ro][:MOUNTPOINT]: raw disk images for
 * the machine, each file a virtio-blk-pci function that the hypervisor
 * lends to dom0 (docs/blk.md), each --disk a virtual disk of one guest:
 * the whole file, or SIZE bytes of it from START (a slice; both whole
 * sectors, K/M/G suffixes).  One file serves several guests read-only, or
 * read-write in slices that do not overlap.  Checked here, before QEMU
 * starts, so that a missing or unusable file is one clear line and status
 * 2 rather than QEMU's error after the machine was set up.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keel.h"

/* Strips ":SUFFIX" off s[0..*n) when SUFFIX passes want(). */
static const char *suffix(const char *s, size_t *n, int (*want)(const char *, size_t))
{
    const char *c = memrchr(s, ':', *n);

    if (!c || !want(c + 1, (size_t)(s + *n - c - 1)))
        return NULL;
    *n = (size_t)(c - s);
    return c + 1;
}

/* "--disk FILE" or "--volume DIR", for messages */
#define OPT(d) ((d)->volume ? "--volume" : "--disk"), ((d)->volume ? (d)->volume : (d)->path)

static int is_mount(const char *s, size_t n) { return n && s[0] == '/'; }
static int is_ro(const char *s, size_t n) { return n == 2 && !memcmp(s, "ro", 2); }
static int is_slice(const char *s, size_t n)
{
    const char *plus = memchr(s, '+', n);
    return plus && plus > s && s[0] >= '0' && s[0] <= '9' && plus[1] >= '0' &&
           plus[1] <= '9';
}

/* "123", "64K", "1M", "2G" up to stop: bytes, a whole number of sectors. */
static int byte_count(const char *s, const char *stop, uint64_t *out)
{
    char *end;
    unsigned long long v;
    unsigned shift = 0;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *s < '0' || *s > '9')
        return -1;
    if (end < stop && (*end == 'K' || *end == 'M' || *end == 'G'))
        shift = *end == 'K' ? 10 : *end == 'M' ? 20 : 30;
    if (end + (shift != 0) != stop || v > (UINT64_MAX >> shift) ||
        (v << shift) % 512)
        return -1;
    *out = (v << shift) / 512;
    return 0;
}

static int parse_slice(const char *s, size_t n, struct keel_disk *d)
{
    const char *plus = memchr(s, '+', n);

    if (byte_count(s, plus, &d->first) || byte_count(plus + 1, s + n, &d->sectors) ||
        !d->sectors || d->sectors > UINT64_MAX / 512 - d->first)
        return -1;
    return 0;
}

int keel_parse_disk(const char *s, struct keel_opts *o)
{
    struct keel_disk *d = &o->disks[o->ndisks];
    const char *eq = strchr(s, '='), *m;
    size_t n;

    if (o->ndisks == KEEL_DISKS_MAX)
        return -1;
    *d = (struct keel_disk){ .guest = NULL, .guest_idx = -1, .mount = "/" };
    if (eq && !memchr(s, '/', (size_t)(eq - s)) && !memchr(s, ':', (size_t)(eq - s))) {
        if (eq == s || !(d->guest = strndup(s, (size_t)(eq - s))))
            return -1;
        s = eq + 1;
    }
    n = strlen(s);
    if ((m = suffix(s, &n, is_mount))) {
        size_t len = strlen(m);
        if (len > KEEL_BLK_MOUNT_MAX)
            return -1;
        memcpy(d->mount, m, len + 1);
    }
    d->ro = suffix(s, &n, is_ro) != NULL;
    size_t end = n;
    if ((m = suffix(s, &n, is_slice)) && parse_slice(m, end - (size_t)(m - s), d))
        return -1;
    if (!n || memchr(s, ',', n) || !(d->path = strndup(s, n)))
        return -1;                 /* QEMU's -drive would split at ',' */
    o->ndisks++;
    return 0;
}

/* Another process's lock that QEMU's image locking (bytes 100-299, one
 * per permission) would trip on: then QEMU would stop with "Failed to
 * lock byte 100" after the machine was set up.  A write lock of ours
 * meets any lock there, as QEMU does for a read-write image; a read lock
 * only an exclusive one (QEMU itself takes shared ones). */
static bool locked_by_another(int fd, bool ro)
{
    struct flock l = { .l_type = ro ? F_RDLCK : F_WRLCK, .l_whence = SEEK_SET,
                       .l_start = 100, .l_len = 200 };

    return fcntl(fd, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK;
}

/* The file exists, is a regular file (or a block device) of whole
 * sectors, opens the way QEMU will open it and is not locked. */
static int check_file(const struct keel_disk *d, struct stat *st, FILE *err)
{
    int fd;

    if ((fd = open(d->path, d->ro ? O_RDONLY : O_RDWR)) < 0 || fstat(fd, st)) {
        fprintf(err, "keel: --disk %s: %s%s\n", d->path, strerror(errno),
                errno == EACCES || errno == EROFS ? (d->ro ? "" :
                " (add :ro to lend it read-only)") : "");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (locked_by_another(fd, d->ro)) {
        fprintf(err, "keel: --disk %s: in use by another process (it holds a "
                "lock on the image, as a running QEMU does)\n", d->path);
        close(fd);
        return -1;
    }
    close(fd);
    if (!S_ISREG(st->st_mode) && !S_ISBLK(st->st_mode)) {
        fprintf(err, "keel: --disk %s: not a regular file\n", d->path);
        return -1;
    }
    if (S_ISREG(st->st_mode) && (st->st_size == 0 || st->st_size % 512)) {
        fprintf(err, "keel: --disk %s: %lld bytes, not a whole number of "
                "512-byte sectors\n", d->path, (long long)st->st_size);
        return -1;
    }
    uint64_t sectors = (uint64_t)st->st_size / 512;
    if (d->sectors && S_ISREG(st->st_mode) &&
        (d->first >= sectors || d->sectors > sectors - d->first)) {
        fprintf(err, "keel: --disk %s: the slice of %llu bytes at %llu is not inside its "
                "%lld bytes\n", d->path, (unsigned long long)d->sectors * 512,
                (unsigned long long)d->first * 512, (long long)st->st_size);
        return -1;
    }
    return 0;
}

/* The end of the sectors of its file that d is (a whole file: all). */
static uint64_t end_of(const struct keel_disk *d)
{
    return d->sectors ? d->first + d->sectors : UINT64_MAX;
}

/* Two disks of one file may share its device: both read-only, or slices
 * that do not overlap. */
static bool may_share(const struct keel_disk *a, const struct keel_disk *b)
{
    return (a->ro && b->ro) || end_of(a) <= b->first || end_of(b) <= a->first;
}

/* Each virtio-blk function interrupts through MSI-X (docs/devices.md),
 * so it needs no PCI line of its own, and four is what dom0 drives
 * (dom0/disk_impl.h DISK_DEVS_MAX; its 8 MiB of DMA pages hold four
 * disks' buffers beside the NIC's: docs/blk.md).  The first two keep the
 * slots they had when each needed a line (5: IRQ 10; 4: IRQ 11, the NIC's
 * at slot 3), so with --net none they still have INTx to fall back on. */
static const int disk_slots[KEEL_BLKDEVS_MAX] = { 5, 4, 6, 7 };

/* The device that serves d: one already holding the same file (which
 * must then be read-only on both sides), or a new one. */
static int pick_device(struct keel_opts *o, int i, const struct stat *ids, FILE *err)
{
    struct keel_disk *d = &o->disks[i];

    for (int j = 0; j < i; j++) {
        if (ids[j].st_dev != ids[i].st_dev || ids[j].st_ino != ids[i].st_ino)
            continue;
        if (!may_share(d, &o->disks[j])) {
            fprintf(err, "keel: %s %s: given twice; a file is shared read-only "
                    "(:ro on every --disk of it) or in slices that do not overlap "
                    "(:START+SIZE)\n", OPT(d));
            return -1;
        }
        d->dev = o->disks[j].dev;
        return 0;
    }
    if (o->ndevs == KEEL_BLKDEVS_MAX) {
        fprintf(err, "keel: %s %s: at most %d disk files a run (dom0 drives %d "
                "virtio-blk devices: docs/blk.md)\n", OPT(d), KEEL_BLKDEVS_MAX,
                KEEL_BLKDEVS_MAX);
        return -1;
    }
    d->dev = o->ndevs;
    o->dev_slot[o->ndevs] = disk_slots[o->ndevs];
    o->dev_of[o->ndevs++] = i;
    return 0;
}

/* Resolves each disk's guest (a name, an index, or guest 0), checks its
 * file and gives it a device.  0, or -1 with one line on err. */
int keel_plan_disks(struct keel_opts *o, char *const *names, int n, FILE *err)
{
    struct stat ids[KEEL_DISKS_MAX];

    o->ndevs = 0;
    for (int i = 0; i < o->ndisks; i++) {
        struct keel_disk *d = &o->disks[i];

        d->guest_idx = d->guest ? keel_guest_index(d->guest, strlen(d->guest),
                                                   names, n) : 0;
        if (d->guest_idx < 0) {
            fprintf(err, "keel: %s %s=%s: no such guest (names or indices "
                    "0..%d)\n", d->volume ? "--volume" : "--disk", d->guest,
                    d->volume ? d->volume : d->path, n - 1);
            return -1;
        }
        if (check_file(d, &ids[i], err) || pick_device(o, i, ids, err))
            return -1;
    }
    return 0;
}

/* QEMU's -drive for device k: read-only when every disk of it is;
 * else discard=unmap, so a guest's DISCARD reaches the host file as a
 * hole (QEMU's default, discard=ignore, drops it). */
void keel_disk_args(const struct keel_opts *o, int k, char *drive, size_t size)
{
    const struct keel_disk *d = &o->disks[o->dev_of[k]];
    bool ro = true;

    for (int i = 0; i < o->ndisks; i++)
        ro &= o->disks[i].dev != k || o->disks[i].ro;
    snprintf(drive, size, "file=%s,format=raw,if=none,id=disk%d,cache=writeback%s",
             d->path, k, ro ? ",readonly=on" : ",discard=unmap");
}

/* --volume [NAME=]DIR[:MOUNTPOINT] (volume.c builds it): a read-only
 * disk whose file is made later. */
int keel_parse_volume(const char *s, struct keel_opts *o)
{
    if (keel_parse_disk(s, o))
        return -1;
    struct keel_disk *d = &o->disks[o->ndisks - 1];
    d->volume = d->path;           /* the directory, for now */
    d->path = NULL;
    d->ro = true;
    return 0;
}
