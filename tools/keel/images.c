/*
 * One boot module per distinct image (keel/launch.h): a thousand guests of
 * one image load, reserve and stage it once.
 *
 * Two command-line images are the same image when they are the same file
 * (device and inode: the same path, a hard link, a symlink to it) or when
 * their bytes are equal.  Bytes are compared, not trusted to a hash: the
 * hash only skips comparisons that cannot match.  Each distinct file is
 * read once to hash it, and again only when its size and hash match an
 * earlier image's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <image/elf_check.h>

#include "keel.h"

struct image {
    dev_t dev;
    ino_t ino;
    off_t size;
    uint64_t hash;
    const char *path;          /* of its first guest */
};

/* FNV-1a over the file; 0 or -1 (errno set). */
static int hash_file(const char *path, uint64_t *out)
{
    uint8_t buf[65536];
    uint64_t h = 0xcbf29ce484222325ull;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -1;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        for (ssize_t i = 0; i < n; i++)
            h = (h ^ buf[i]) * 0x100000001b3ull;
    int saved = errno;
    close(fd);
    errno = saved;
    *out = h;
    return n < 0 ? -1 : 0;
}

/* Reads up to len bytes (fewer only at the end of the file). */
static ssize_t read_full(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* 1 when the two files hold the same bytes, 0 when not, -1 on error. */
static int same_bytes(const char *a, const char *b)
{
    static uint8_t ba[65536], bb[65536];
    int fa = open(a, O_RDONLY | O_CLOEXEC), fb = open(b, O_RDONLY | O_CLOEXEC);
    int rc = fa < 0 || fb < 0 ? -1 : 1;

    while (rc == 1) {
        ssize_t na = read_full(fa, ba, sizeof(ba)), nb = read_full(fb, bb, sizeof(bb));
        if (na < 0 || nb < 0)
            rc = -1;
        else if (na != nb || memcmp(ba, bb, (size_t)na))
            rc = 0;
        else if (na == 0)
            break;
    }
    if (fa >= 0)
        close(fa);
    if (fb >= 0)
        close(fb);
    return rc;
}

/* The index of path's image among the k known ones, or k for a new one
 * (filled in at known[k]); -1 on error, reported on err. */
static int find_image(const char *path, struct image *known, int k, FILE *err)
{
    struct stat st;
    struct image *me = &known[k];

    if (stat(path, &st))
        goto fail;
    for (int j = 0; j < k; j++)
        if (known[j].dev == st.st_dev && known[j].ino == st.st_ino)
            return j;
    *me = (struct image){ st.st_dev, st.st_ino, st.st_size, 0, path };
    if (hash_file(path, &me->hash))
        goto fail;
    for (int j = 0; j < k; j++) {
        if (known[j].size != me->size || known[j].hash != me->hash)
            continue;
        int same = same_bytes(known[j].path, path);
        if (same < 0)
            goto fail;
        if (same)
            return j;
    }
    return k;
fail:
    fprintf(err, "keel: %s: %s\n", path, strerror(errno));
    return -1;
}

int keel_distinct_images(char *const *paths, int n, int *image_of, FILE *err)
{
    struct image *known = calloc((size_t)n + 1, sizeof(*known));
    int k = 0;

    if (!known) {
        fprintf(err, "keel: out of memory\n");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        int j = find_image(paths[i], known, k, err);
        if (j < 0) {
            k = -1;
            break;
        }
        if (j == k && k == KEEL_LAUNCH_MAX_IMAGES) {
            fprintf(err, "keel: more than %d distinct images; one run loads "
                    "at most %d (guests of one image share it)\n",
                    KEEL_LAUNCH_MAX_IMAGES, KEEL_LAUNCH_MAX_IMAGES);
            k = -1;
            break;
        }
        image_of[i] = j;
        if (j == k)
            k++;
    }
    free(known);
    return k;
}

/* The image's devices note (KEEL_NOTE_DEV_*), read with the checker dom0
 * uses (lib/image): dom0 gives a device exactly to the images whose note
 * asks for it.  -1 for an image that cannot be read or checked (dom0 will
 * say what is wrong with it). */
int keel_image_devices(const char *path, uint32_t *devices)
{
    static struct image_info info;
    struct stat st;
    char msg[IMAGE_MSG_MAX];
    int rc = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -1;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        void *file = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (file != MAP_FAILED) {
            if (image_check(file, (uint64_t)st.st_size, 0, KEEL_IMAGE_PRIVILEGED,
                            &info, msg, sizeof(msg)) == IMG_OK) {
                *devices = info.devices;
                rc = 0;
            }
            munmap(file, (size_t)st.st_size);
        }
    }
    close(fd);
    return rc;
}

bool *keel_guest_nics(const struct keel_opts *o, const int *image_of, int nimages,
                      bool unchecked)
{
    signed char *img = calloc((size_t)nimages + 1, 1);   /* 0 unread, 1 no, 2 yes */
    bool *nic = calloc((size_t)o->nimages + 1, sizeof(bool));
    uint32_t dev;

    if (!img || !nic) {
        free(img);
        free(nic);
        return NULL;
    }
    for (int i = 0; i < o->nimages; i++) {
        int k = image_of[i];
        if (!img[k])
            img[k] = (keel_image_devices(o->images[i], &dev) == 0 ?
                      (dev & KEEL_NOTE_DEV_NET) != 0 : unchecked) ? 2 : 1;
        nic[i] = img[k] == 2;
    }
    free(img);
    return nic;
}
