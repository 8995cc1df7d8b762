/*
 * The hosts table's file in the run folder (boot module 2, keel/launch.h).
 *
 * Which guests get an entry: those whose image asks for a NIC, read from
 * its devices note with the same checker dom0 uses (lib/image), once per
 * distinct image.  An image the checker refuses gets no entry: dom0
 * refuses to run it too.  The name `host` is listed when the machine has
 * an uplink (user mode and tap: keel/launch.h's plan puts the host, or the
 * tap's router, at the gateway), not with --net none.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <image/elf_check.h>
#include <keel/hosts.h>

#include "keel.h"

/* Whether the image at path asks for a NIC (false for one that is not a
 * valid guest image). */
static bool image_has_nic(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    struct image_info info;
    char why[IMAGE_MSG_MAX];
    bool nic = false;

    if (fd < 0)
        return false;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            nic = image_check(m, (uint64_t)st.st_size, 0, KEEL_IMAGE_PRIVILEGED,
                              &info, why, sizeof(why)) == IMG_OK &&
                  (info.devices & KEEL_NOTE_DEV_NET);
            munmap(m, (size_t)st.st_size);
        }
    }
    close(fd);
    return nic;
}

/* nic[i] for every guest, each distinct image read once. */
static bool *guests_with_nic(const struct keel_opts *o, const int *image_of, int nimages)
{
    bool *nic = calloc((size_t)o->nimages + 1, sizeof(bool));
    signed char *seen = calloc((size_t)nimages + 1, 1);   /* 0 unknown, 1 no, 2 yes */

    for (int i = 0; nic && seen && i < o->nimages; i++) {
        int k = image_of[i];
        if (!seen[k])
            seen[k] = image_has_nic(o->images[i]) ? 2 : 1;
        nic[i] = seen[k] == 2;
    }
    if (!seen) {
        free(nic);
        nic = NULL;
    }
    free(seen);
    return nic;
}

int keel_stage_hosts(struct keel_stage *st, const struct keel_opts *o, char *const *names,
                     const int *image_of, int nimages, char *path, size_t pathsz)
{
    bool *nic = guests_with_nic(o, image_of, nimages);
    uint8_t *table = NULL;
    size_t len = 0;
    FILE *f;
    int rc = -1;

    if (!nic || keel_hosts_build(names, o->nimages, nic, o->net != KEEL_NET_NONE,
                                 &table, &len))
        fprintf(stderr, "keel: out of memory for the hosts table\n");
    else if ((f = keel_stage_create(st, "hosts", path, pathsz))) {
        rc = fwrite(table, 1, len, f) == len ? 0 : -1;
        if (fclose(f) || rc) {
            fprintf(stderr, "keel: cannot write %s\n", path);
            rc = -1;
        }
    }
    free(table);
    free(nic);
    return rc;
}
