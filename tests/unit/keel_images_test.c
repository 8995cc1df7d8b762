/* The launcher's one module per distinct image, and which images get a
 * NIC (tools/keel/images.c). */
#include "ktest.h"
#include "timage.h"
#include <unistd.h>
#include "../../lib/image/why.c"
#include "../../lib/image/elf_note.c"
#include "../../lib/image/elf_check.c"
#include "../../lib/image/layout.c"
#include "../../tools/keel/images.c"

static char dir[64];

static void cleanup(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
}

/* A file in a private folder (made on first use, removed at exit); NULL
 * data: only the path. */
static char *file(const char *name, const void *data, size_t len)
{
    static char paths[16][128];
    static int next;
    char *p = paths[next++ % 16];
    if (!dir[0]) {
        snprintf(dir, sizeof(dir), "/tmp/keel_images_test.XXXXXX");
        if (!mkdtemp(dir))
            abort();
        atexit(cleanup);
    }
    snprintf(p, 128, "%s/%s", dir, name);
    if (data) {
        FILE *f = fopen(p, "w");
        fwrite(data, 1, len, f);
        fclose(f);
    }
    return p;
}

static int distinct(char **paths, int n, int *image_of)
{
    FILE *devnull = fopen("/dev/null", "w");
    int k = keel_distinct_images(paths, n, image_of, devnull);
    fclose(devnull);
    return k;
}

KTEST(same_file_same_bytes_one_image)
{
    static uint8_t big[200000], big2[200000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = big2[i] = (uint8_t)(i * 7 + i / 251);
    big2[sizeof(big2) - 1] ^= 1;        /* differs in its last chunk only */

    char *a = file("a.img", "ELF one", 7);
    char *copy = file("copy.img", "ELF one", 7);
    char *other = file("other.img", "ELF two", 7);   /* same size */
    char *longer = file("longer.img", "ELF one!", 8);
    char *bg = file("big.img", big, sizeof(big));
    char *bg2 = file("big2.img", big2, sizeof(big2));
    char *bgcopy = file("bigcopy.img", big, sizeof(big));
    char *link = file("link.img", NULL, 0);
    EXPECT_EQ(symlink(a, link), 0);
    char *paths[] = { a, other, a, copy, longer, link, bg, bg2, bgcopy, other };
    int want[] =    { 0, 1,     0, 0,    2,      0,    3,  4,   3,      1 };
    int image_of[10];

    EXPECT_EQ(distinct(paths, 10, image_of), 5);
    for (int i = 0; i < 10; i++) {
        if (image_of[i] != want[i])
            printf("    # image_of[%d] = %d, want %d\n", i, image_of[i], want[i]);
        EXPECT_EQ(image_of[i], want[i]);
    }
}

KTEST(many_guests_of_one_image)
{
    enum { N = KEEL_LAUNCH_MAX_GUESTS };
    static char *paths[N];
    static int image_of[N];
    char *a = file("many.img", "x", 1);
    for (int i = 0; i < N; i++)
        paths[i] = a;
    EXPECT_EQ(distinct(paths, N, image_of), 1);
    int bad = 0;
    for (int i = 0; i < N; i++)
        bad += image_of[i] != 0;
    EXPECT_EQ(bad, 0);
}

/* One module each: more distinct images than the hypervisor takes modules
 * is an error that says so (guests of one image are not bounded by it). */
KTEST(too_many_distinct_images)
{
    enum { N = KEEL_LAUNCH_MAX_IMAGES + 1 };
    static char *paths[N];
    static int image_of[N];
    char *msg = NULL;
    size_t len;

    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof(name), "d%d.img", i);
        paths[i] = strdup(file(name, name, strlen(name)));
    }
    EXPECT_EQ(distinct(paths, N - 1, image_of), KEEL_LAUNCH_MAX_IMAGES);
    FILE *f = open_memstream(&msg, &len);
    EXPECT_EQ(keel_distinct_images(paths, N, image_of, f), -1);
    fclose(f);
    EXPECT(msg && strstr(msg, "more than 1021 distinct images"));
    free(msg);
    for (int i = 0; i < N; i++)
        free(paths[i]);
}

KTEST(empty_images_are_one_image)
{
    char *paths[] = { file("e1.img", "", 0), file("e2.img", "", 0) };
    int image_of[2];
    EXPECT_EQ(distinct(paths, 2, image_of), 1);
    EXPECT(image_of[0] == 0 && image_of[1] == 0);
}

KTEST(unreadable_image_is_an_error)
{
    char *paths[] = { file("ok.img", "y", 1), file("missing.img", NULL, 0) };
    int image_of[2];
    char *msg = NULL;
    size_t len;
    FILE *f = open_memstream(&msg, &len);
    EXPECT_EQ(keel_distinct_images(paths, 2, image_of, f), -1);
    fclose(f);
    EXPECT(msg && strstr(msg, "missing.img") && strstr(msg, "No such file"));
    free(msg);
}

/* dom0 gives a NIC to an image whose devices note asks for one; what
 * cannot be checked counts as the caller says (-p: may have one, dom0
 * will say what is wrong; the hosts table: none). */
static bool may_use_net(const char *path)
{
    uint32_t dev = 0;
    return keel_image_devices(path, &dev) != 0 || (dev & KEEL_NOTE_DEV_NET);
}

KTEST(nic_from_the_devices_note)
{
    static struct timage t;
    timage_init(&t);
    timage_emit(&t);
    EXPECT(!may_use_net(file("plain.img", t.file, t.size)));
    t.dev.devices = KEEL_NOTE_DEV_NET;
    t.ndev = 1;
    timage_emit(&t);
    EXPECT(may_use_net(file("net.img", t.file, t.size)));
    EXPECT(may_use_net(file("junk.img", "\x7f" "ELF", 4)));
    EXPECT(may_use_net(file("empty.img", "", 0)));
    EXPECT(may_use_net(file("absent.img", NULL, 0)));
    t.note.flags = KEEL_IMAGE_PRIVILEGED;     /* dom0's: refused as a guest */
    timage_emit(&t);
    EXPECT(may_use_net(file("dom0.img", t.file, t.size)));
}

/* Per guest, each distinct image once; unchecked images as asked. */
KTEST(guest_nics_per_image)
{
    static struct timage t;
    timage_init(&t);
    t.dev.devices = KEEL_NOTE_DEV_NET;
    t.ndev = 1;
    timage_emit(&t);
    char *imgs[] = { file("n.img", t.file, t.size), file("j.img", "junk", 4),
                     file("n.img", t.file, t.size) };
    struct keel_opts o = { .images = imgs, .nimages = 3 };
    int image_of[] = { 0, 1, 0 };
    for (int unchecked = 0; unchecked < 2; unchecked++) {
        bool *nic = keel_guest_nics(&o, image_of, 2, unchecked);
        EXPECT(nic && nic[0] && nic[2] && nic[1] == unchecked);
        free(nic);
    }
}

KTEST_MAIN(KTEST_CASE(same_file_same_bytes_one_image), KTEST_CASE(nic_from_the_devices_note), KTEST_CASE(guest_nics_per_image),
           KTEST_CASE(many_guests_of_one_image), KTEST_CASE(too_many_distinct_images),
           KTEST_CASE(empty_images_are_one_image),
           KTEST_CASE(unreadable_image_is_an_error))
