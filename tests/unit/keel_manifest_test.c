/* Manifest writer and guest names of the launcher (tools/keel). */
#include "ktest.h"
#include "../../tools/keel/manifest.c"
#include "../../tools/keel/names.c"
#include "../../tools/keel/connect.c"

/* Writes a manifest to memory; returns it (static buffer). */
static const char *write_manifest(const struct keel_manifest *m, size_t *len)
{
    static char *buf;
    static size_t size;
    free(buf);
    buf = NULL;
    FILE *f = open_memstream(&buf, &size);
    int rc = keel_write_manifest(f, m);
    fclose(f);
    *len = size;
    return rc == 0 ? buf : NULL;
}

/* n guests, guest i on image i */
static const char *manifest(char *const *names, int n, char *const *args, int nargs,
                            size_t *len)
{
    struct keel_manifest m = { names, n, NULL, n, args, nargs, NULL, 0, NULL, NULL, 0 };

    return write_manifest(&m, len);
}

KTEST(manifest_two_guests)
{
    char *names[] = { "a", "b" };
    char *args[] = { "x", "arg 2" };
    size_t len;
    const char *m = manifest(names, 2, args, 2, &len);
    const char *want = "KEELRUN 3\nimages 2\nguests 2\n"
                       "guest 0 3 3\n1:a\n1:x\n5:arg 2\n"
                       "guest 1 4 3\n1:b\n1:x\n5:arg 2\nend\n";
    EXPECT(m && len == strlen(want) && !strcmp(m, want));
}

KTEST(manifest_hostile_bytes)
{
    char *names[] = { "g" };
    char *args[] = { "", "a,b", "line1\nline2", "\x01K0000o0001:" };
    size_t len;
    const char *m = manifest(names, 1, args, 4, &len);
    const char *want = "KEELRUN 3\nimages 1\nguests 1\nguest 0 3 5\n1:g\n0:\n3:a,b\n"
                       "11:line1\nline2\n12:\x01K0000o0001:\nend\n";
    EXPECT(m && len == strlen(want) && !memcmp(m, want, len));
}

KTEST(manifest_no_args)
{
    char *names[] = { "only" };
    size_t len;
    const char *m = manifest(names, 1, NULL, 0, &len);
    EXPECT(m && !strcmp(m, "KEELRUN 3\nimages 1\nguests 1\nguest 0 3 1\n4:only\nend\n"));
}

static int name_is(const char *path, const char *want)
{
    char *s = keel_guest_basename(path);
    int ok = s && !strcmp(s, want);
    if (!ok)
        printf("    # %s -> %s, want %s\n", path, s ? s : "(null)", want);
    free(s);
    return ok;
}

KTEST(manifest_environment)
{
    char *names[] = { "a", "b" };
    char *args[] = { "x" };
    char *env[] = { "A=1", "B=x y\nz" };
    struct keel_manifest m = { names, 2, NULL, 2, args, 1, NULL, 0, NULL, env, 2 };
    size_t len;
    const char *out = write_manifest(&m, &len);
    const char *want = "KEELRUN 3\nimages 2\nguests 2\n"
                       "guest 0 3 2\n1:a\n1:x\nenv 2\n3:A=1\n7:B=x y\nz\n"
                       "guest 1 4 2\n1:b\n1:x\nenv 2\n3:A=1\n7:B=x y\nz\nend\n";
    EXPECT(out && len == strlen(want) && !strcmp(out, want));
}

KTEST(basename_strips_dir_and_extension)
{
    EXPECT(name_is("a.img", "a"));
    EXPECT(name_is("dir/sub/hello.img", "hello"));
    EXPECT(name_is("/bin/true", "true"));
    EXPECT(name_is("x.tar.img", "x.tar"));
    EXPECT(name_is(".hidden", ".hidden"));
    EXPECT(name_is("dir.d/plain", "plain"));
    EXPECT(name_is("dir/", "dir"));
    EXPECT(name_is("my guest,1.img", "my guest,1"));
}

KTEST(unique_names)
{
    const char *in[] = { "a", "b", "a", "a-2", "a", "b" };
    const char *want[] = { "a", "b", "a-3", "a-2", "a-4", "b-2" };
    char *names[6];
    for (int i = 0; i < 6; i++)
        names[i] = strdup(in[i]);
    EXPECT_EQ(keel_unique_names(names, 6), 0);
    for (int i = 0; i < 6; i++) {
        if (strcmp(names[i], want[i]))
            printf("    # names[%d] = %s, want %s\n", i, names[i], want[i]);
        EXPECT(!strcmp(names[i], want[i]));
        for (int j = 0; j < i; j++)
            EXPECT(strcmp(names[i], names[j]));
        free(names[i]);
    }
}

/* The most guests of one image a run takes: "a", "a-2" .. "a-4000", every
 * one unique, fast (the table skips suffixes already taken). */
KTEST(unique_names_of_many_copies)
{
    enum { N = KEEL_LAUNCH_MAX_GUESTS };
    static char *names[N];
    char want[32];
    int bad = 0;

    for (int i = 0; i < N; i++)
        names[i] = strdup(i == 7 ? "a-3" : "a");   /* a later "a-3" is skipped */
    EXPECT_EQ(keel_unique_names(names, N), 0);
    for (int i = 0; i < N; i++) {
        int k = i == 0 ? 1 : i < 2 ? i + 1 : i < 7 ? i + 2 : i == 7 ? 3 : i + 1;
        snprintf(want, sizeof(want), k == 1 ? "a" : "a-%d", k);
        bad += strcmp(names[i], want) != 0;
    }
    EXPECT_EQ(bad, 0);
    for (int i = 0; i < N; i++)
        free(names[i]);
}

KTEST(module_label_is_plain)
{
    char out[64];
    keel_module_label("my guest,1", out, sizeof(out));
    EXPECT(!strcmp(out, "my_guest_1"));
    keel_module_label("ok-name_1.x", out, sizeof(out));
    EXPECT(!strcmp(out, "ok-name_1.x"));
    char tiny[4];
    keel_module_label("abcdef", tiny, sizeof(tiny));
    EXPECT(!strcmp(tiny, "abc"));
}

/* --connect specs resolved against the guests' names, then written. */
static int resolve_one(const char *spec, struct keel_connect *out)
{
    static char *names[] = { "srv", "cli", "7" };
    char *specs[] = { (char *)spec };
    struct keel_connect *c;
    FILE *devnull = fopen("/dev/null", "w");
    int rc = keel_resolve_connects(specs, 1, names, 3, &c, devnull);

    fclose(devnull);
    if (rc == 0) {
        *out = c[0];
        free(c);
    }
    return rc;
}

KTEST(connect_specs)
{
    struct keel_connect c;

    EXPECT(resolve_one("srv:cli", &c) == 0 && c.a == 0 && c.b == 1 &&
           !strcmp(c.name, "chan"));
    EXPECT(resolve_one("1:0:data:x", &c) == 0 && c.a == 1 && c.b == 0 &&
           !strcmp(c.name, "data:x"));
    EXPECT(resolve_one("7:srv", &c) == 0 && c.a == 2);      /* name before index */
    EXPECT(resolve_one("2:srv", &c) == 0 && c.a == 2);
    EXPECT_EQ(resolve_one("srv", &c), -1);
    EXPECT_EQ(resolve_one("srv:srv", &c), -1);
    EXPECT_EQ(resolve_one("0:3", &c), -1);
    EXPECT_EQ(resolve_one("00:1", &c), -1);
    EXPECT_EQ(resolve_one("-1:1", &c), -1);
    EXPECT_EQ(resolve_one("x:1", &c), -1);
    EXPECT_EQ(resolve_one("0:1:", &c), -1);
    EXPECT_EQ(resolve_one("0:1:0123456789012345678901234567890123", &c), -1);
    EXPECT_EQ(resolve_one("0:1:0123456789012345678901234567890", &c), 0);
}

KTEST(connect_same_name_twice)
{
    char *names[] = { "a", "b", "c" };
    char *specs[] = { "a:b:x", "c:b:x" }, *ok[] = { "a:b:x", "c:b:y", "a:c" };
    struct keel_connect *c;
    FILE *devnull = fopen("/dev/null", "w");

    EXPECT_EQ(keel_resolve_connects(specs, 2, names, 3, &c, devnull), -1);
    EXPECT_EQ(keel_resolve_connects(ok, 3, names, 3, &c, devnull), 0);
    fclose(devnull);
    int image_of[] = { 0, 0, 0 };
    struct keel_manifest mf = { names, 3, image_of, 1, NULL, 0, c, 3, NULL, NULL, 0 };
    size_t len;
    const char *buf = write_manifest(&mf, &len);
    const char *want = "KEELRUN 3\nimages 1\nguests 3\nguest 0 3 1\n1:a\n"
                       "guest 1 3 1\n1:b\nguest 2 3 1\n1:c\nconnect 0 1 1:x\n"
                       "connect 2 1 1:y\nconnect 0 2 4:chan\nend\n";
    EXPECT(buf && !strcmp(buf, want));
    free(c);
}

/* Every --disk a line after the connections, in order, with its
 * device's slot. */
KTEST(manifest_disks)
{
    char *names[] = { "a", "b" };
    static struct keel_opts o;
    o.ndisks = 2;
    o.disks[0] = (struct keel_disk){ .guest_idx = 1, .dev = 0, .ro = true, .mount = "/data" };
    o.disks[1] = (struct keel_disk){ .guest_idx = 0, .dev = 1, .mount = "/",
                                     .first = 2048, .sectors = 4096 };
    o.dev_slot[0] = 5;
    o.dev_slot[1] = 4;
    struct keel_manifest mf = { names, 2, NULL, 2, NULL, 0, NULL, 0, &o, NULL, 0 };
    size_t len;
    const char *buf = write_manifest(&mf, &len);
    EXPECT(buf && strstr(buf, "1:b\ndisk 1 5 1 0 0 5:/data\ndisk 0 4 0 2048 4096 1:/\nend\n"));
}

/* Guests share image modules; the module numbers follow image_of. */
KTEST(manifest_shared_images)
{
    char *names[] = { "a", "b", "a-2", "c", "b-2" };
    char *args[] = { "x" };
    int image_of[] = { 0, 1, 0, 2, 1 };
    struct keel_manifest mf = { names, 5, image_of, 3, args, 1, NULL, 0, NULL, NULL, 0 };
    size_t len;
    const char *m = write_manifest(&mf, &len);
    const char *want = "KEELRUN 3\nimages 3\nguests 5\n"
                       "guest 0 3 2\n1:a\n1:x\nguest 1 4 2\n1:b\n1:x\n"
                       "guest 2 3 2\n3:a-2\n1:x\nguest 3 5 2\n1:c\n1:x\n"
                       "guest 4 4 2\n3:b-2\n1:x\nend\n";
    EXPECT(m && !strcmp(m, want));
    image_of[3] = 3;                      /* no such image: refused */
    EXPECT(write_manifest(&mf, &len) == NULL);
    image_of[3] = -1;
    EXPECT(write_manifest(&mf, &len) == NULL);
}

KTEST_MAIN(KTEST_CASE(manifest_disks), KTEST_CASE(manifest_shared_images), KTEST_CASE(connect_specs), KTEST_CASE(connect_same_name_twice),
           KTEST_CASE(manifest_two_guests), KTEST_CASE(manifest_hostile_bytes),
           KTEST_CASE(manifest_no_args), KTEST_CASE(manifest_environment), KTEST_CASE(basename_strips_dir_and_extension),
           KTEST_CASE(unique_names), KTEST_CASE(unique_names_of_many_copies),
           KTEST_CASE(module_label_is_plain))
