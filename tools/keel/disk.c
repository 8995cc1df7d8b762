/*
 * --disk FILE[:ro]: a raw disk image for the machine, a virtio-blk-pci
 * function that the hypervisor lends to dom0 (docs/blk.md).  Checked here,
 * before QEMU starts, so that a missing or unusable file is one clear line
 * and status 2 rather than QEMU's error after the machine was set up.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keel.h"

int keel_parse_disk(const char *s, struct keel_opts *o)
{
    size_t n = strlen(s);

    if (o->disk || !n)
        return -1;
    o->disk_ro = n >= 3 && !strcmp(s + n - 3, ":ro");
    if (o->disk_ro)
        n -= 3;
    if (!n || n >= sizeof(o->disk_path) || memchr(s, ',', n))
        return -1;                 /* QEMU's -drive would split at ',' */
    memcpy(o->disk_path, s, n);
    o->disk_path[n] = 0;
    o->disk = true;
    return 0;
}

/* The file exists, is a regular file (or a block device) of whole
 * sectors, and opens the way QEMU will open it. */
int keel_check_disk(const struct keel_opts *o, FILE *err)
{
    struct stat st;
    int fd;

    if (!o->disk)
        return 0;
    if ((fd = open(o->disk_path, o->disk_ro ? O_RDONLY : O_RDWR)) < 0 ||
        fstat(fd, &st)) {
        fprintf(err, "keel: --disk %s: %s\n", o->disk_path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        fprintf(err, "keel: --disk %s: not a regular file\n", o->disk_path);
        return -1;
    }
    if (S_ISREG(st.st_mode) && (st.st_size == 0 || st.st_size % 512)) {
        fprintf(err, "keel: --disk %s: %lld bytes, not a whole number of "
                "512-byte sectors\n", o->disk_path, (long long)st.st_size);
        return -1;
    }
    return 0;
}

/* Slot 5: INTA on PIRQA, IRQ 10 on QEMU's i440fx, which neither the NIC
 * (slot 3, IRQ 11) nor anything else we add raises; the hypervisor lends
 * no shared line (docs/devices.md). */
void keel_disk_args(const struct keel_opts *o, char *drive, size_t size)
{
    snprintf(drive, size, "file=%s,format=raw,if=none,id=disk0,cache=writeback%s",
             o->disk_path, o->disk_ro ? ",readonly=on" : "");
}
