/*
 * dom0/manifest.c: the run manifest of keel/launch.h, exactly; everything
 * else (truncations, overflowing or lying counts, stray bytes) is refused
 * without leaking or reading past the buffer.
 */
#include "ktest.h"
#include "../../dom0/manifest.c"

static struct manifest m;
static char msg[MANIFEST_MSG_MAX];

static int parse(const char *s)
{
    return manifest_parse(s, strlen(s), &m, msg, sizeof(msg));
}

static const char good[] =
    "KEELRUN 3\nimages 2\nguests 2\n"
    "guest 0 4 3\n5:hello\n11:a b,c\nd e f\n0:\n"
    "guest 1 3 1\n4:echo\n"
    "end\n";

KTEST(two_guests)
{
    EXPECT_EQ(parse(good), 0);
    EXPECT_EQ(m.nimages, 2);
    EXPECT_EQ(m.nguests, 2);
    EXPECT_EQ(m.guests[0].module, 4);
    EXPECT_EQ(m.guests[1].module, 3);
    EXPECT_EQ(m.guests[0].argc, 3);
    EXPECT(strcmp(m.guests[0].name, "hello") == 0);
    EXPECT_EQ(m.guests[0].args_bytes, 6 + 12 + 1);
    EXPECT(memcmp(m.guests[0].args, "hello\0a b,c\nd e f\0\0", 19) == 0);
    EXPECT_EQ(m.guests[1].argc, 1);
    EXPECT(strcmp(m.guests[1].name, "echo") == 0);
    EXPECT_EQ(m.guests[1].args_bytes, 5);
    manifest_free(&m);
}

/* keel run -e: "env <n>" and n strings after a guest's arguments, laid
 * out after argv's strings in the same block */
static const char with_env[] =
    "KEELRUN 3\nimages 1\nguests 2\n"
    "guest 0 3 2\n2:ab\n1:x\nenv 2\n5:A=1 2\n3:B==\n"
    "guest 1 3 1\n2:cd\n"
    "end\n";

KTEST(environment_after_arguments)
{
    EXPECT_EQ(parse(with_env), 0);
    EXPECT_EQ(m.guests[0].argc, 2);
    EXPECT_EQ(m.guests[0].envc, 2);
    EXPECT_EQ(m.guests[0].args_bytes, 3 + 2 + 6 + 4);
    EXPECT(memcmp(m.guests[0].args, "ab\0x\0A=1 2\0B==\0", 15) == 0);
    EXPECT_EQ(m.guests[1].envc, 0);
    EXPECT_EQ(m.guests[1].args_bytes, 3);
    manifest_free(&m);
}

KTEST(environment_lies_are_refused)
{
    size_t n = strlen(with_env);

    for (size_t len = 0; len < n; len++) {
        char *copy = malloc(len ? len : 1);
        memcpy(copy, with_env, len);
        EXPECT_EQ(manifest_parse(copy, len, &m, msg, sizeof(msg)), -1);
        free(copy);
    }
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 1\n1:a\nenv 9\n1:b\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 1\n1:a\nenv 4000000000\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 1\n1:a\nenv -1\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 1\n1:a\nenv 1\n3:a\0b\nend\n"), -1);
    EXPECT(m.guests == NULL && m.nguests == 0);
}

KTEST(zero_guests_and_padding)
{
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 0\nend\n"), 0);
    EXPECT_EQ(m.nguests, 0);
    manifest_free(&m);
    static const char padded[] = "KEELRUN 3\nimages 1\nguests 0\nend\n\0\0\0";
    EXPECT_EQ(manifest_parse(padded, sizeof(padded), &m, msg, sizeof(msg)), 0);
    manifest_free(&m);
}

KTEST(every_truncation_fails)
{
    size_t n = strlen(good);

    for (size_t len = 0; len < n; len++) {
        char *copy = malloc(len ? len : 1);    /* exact size: ASan sees overreads */
        memcpy(copy, good, len);
        EXPECT_EQ(manifest_parse(copy, len, &m, msg, sizeof(msg)), -1);
        EXPECT(m.guests == NULL && m.nguests == 0);
        free(copy);
    }
}

KTEST(bad_numbers)
{
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests -1\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests +0\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 00\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 0 \nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 18446744073709551617\nend\n"), -1);
    EXPECT(strstr(msg, "too large") != NULL);
    /* more guests than the bytes left could describe: refused before any
     * allocation is sized by it */
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 4000000000\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 99999999999\n1:a\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 1\n99999999999999999999:a\n"
                    "end\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 1\n18446744073709551615:a\n"
                    "end\n"), -1);
}

KTEST(bad_structure)
{
    EXPECT_EQ(parse("KEELRUN 1\nguests 0\nend\n"), -1);   /* the old grammar */
    EXPECT(strstr(msg, "not a Keel run manifest") != NULL);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 0\n"), -1);
    EXPECT(strstr(msg, "line 4") != NULL);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 0\nend\nx"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 0\nend\n\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\r\nimages 1\nguests 0\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 1 3 1\n1:a\nend\n"), -1);
    EXPECT(strstr(msg, "out of order") != NULL);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 0\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 1\n0:\nend\n"), -1);
    EXPECT(strstr(msg, "empty") != NULL);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 1\n3:ab\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 1\n1:ab\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 2\nguest 0 3 1\n1:a\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 2\n1:a\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 1\n1:a\nguest 1 3 1\n1:b\n"
                    "end\n"), -1);
}

KTEST(many_empty_arguments)
{
    static char s[4096];
    int n = snprintf(s, sizeof(s), "KEELRUN 3\nimages 1\nguests 1\nguest 0 3 200\n1:x\n");

    for (int i = 1; i < 200; i++)
        n += snprintf(s + n, sizeof(s) - n, "0:\n");
    snprintf(s + n, sizeof(s) - n, "end\n");
    EXPECT_EQ(parse(s), 0);
    EXPECT_EQ(m.guests[0].argc, 200);
    EXPECT_EQ(m.guests[0].args_bytes, 2 + 199);
    manifest_free(&m);
}

KTEST(nul_inside_argument)
{
    static const char s[] = "KEELRUN 3\nimages 1\nguests 1\nguest 0 3 2\n1:a\n3:b\0c\nend\n";

    EXPECT_EQ(manifest_parse(s, sizeof(s) - 1, &m, msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "NUL") != NULL);
}

KTEST(failure_frees_earlier_guests)
{
    /* guest 0 parses (and allocates), guest 1 fails: ASan's leak check
     * would catch what manifest_parse forgot to free */
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 2\nguest 0 3 1\n1:a\nguest 1 3 1\n"), -1);
    EXPECT(m.guests == NULL);
}

KTEST(random_bytes)
{
    char buf[64];

    srand(99);
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)(rand() % (int)sizeof(buf));
        memcpy(buf, good, sizeof(buf));
        for (int k = rand() % 4; k >= 0; k--)
            buf[rand() % (int)sizeof(buf)] = (char)(rand() % 3 ? '0' + rand() % 10
                                                          : rand());
        if (manifest_parse(buf, len, &m, msg, sizeof(msg)) == 0)
            manifest_free(&m);
    }
    EXPECT(1);
}

static const char conn[] =
    "KEELRUN 3\nimages 1\nguests 3\nguest 0 3 1\n1:a\nguest 1 3 1\n1:b\nguest 2 3 1\n1:c\n"
    "connect 0 1 4:chan\nconnect 2 1 5:a:b c\nend\n";

KTEST(connects)
{
    EXPECT_EQ(parse(conn), 0);
    EXPECT_EQ(m.nconnects, 2);
    if (m.nconnects != 2)
        return;
    EXPECT(m.connects[0].a == 0 && m.connects[0].b == 1 &&
           !strcmp(m.connects[0].name, "chan"));
    EXPECT(m.connects[1].a == 2 && m.connects[1].b == 1 &&
           !strcmp(m.connects[1].name, "a:b c"));
    manifest_free(&m);
    for (size_t len = 0; len < strlen(conn); len++) {
        char *copy = malloc(len ? len : 1);
        memcpy(copy, conn, len);
        EXPECT_EQ(manifest_parse(copy, len, &m, msg, sizeof(msg)), -1);
        EXPECT(m.connects == NULL && m.nconnects == 0);
        free(copy);
    }
}

KTEST(bad_connects)
{
    static const char *bad[] = {
        "connect 0 0 1:x\n",                     /* itself */
        "connect 0 2 1:x\n",                     /* no guest 2 */
        "connect 0 1 0:\n",                      /* empty name */
        "connect 0 1 32:01234567890123456789012345678901\n",   /* too long */
        "connect 0 1 2:x\n",                     /* short */
        "connect 0 1 1:xy\n",                    /* long */
        "connect 01 1 1:x\n",
        "connect 0 1 1:x\nconnect 1 0 1:x\n",    /* same name twice on a guest */
        "connect 0 1 1:x\nguest 2 3 1\n1:c\n",    /* guests after connects */
        "connect 0 1 -1:x\n",
    };
    char buf[256];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(buf, sizeof(buf), "KEELRUN 3\nimages 1\nguests 2\nguest 0 3 1\n1:a\n"
                 "guest 1 3 1\n1:b\n%send\n", bad[i]);
        EXPECT_EQ(parse(buf), -1);
        EXPECT(m.connects == NULL);
    }
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 2\nguest 0 3 1\n1:a\nguest 1 3 1\n1:b\n"
                    "connect 0 1 31:0123456789012345678901234567890\n"
                    "connect 0 1 1:\0\nend\n"), -1);
}

/* Many guests on one image, and every module number a guest may not boot. */
KTEST(modules)
{
    static char s[8192];
    int n = snprintf(s, sizeof(s), "KEELRUN 3\nimages 3\nguests 300\n");

    for (int i = 0; i < 300; i++)
        n += snprintf(s + n, sizeof(s) - n, "guest %d %d 1\n1:g\n", i,
                      3 + (i % 7 == 3 ? 2 : i % 2));
    snprintf(s + n, sizeof(s) - n, "end\n");
    EXPECT_EQ(parse(s), 0);
    EXPECT_EQ(m.nguests, 300);
    EXPECT_EQ(m.guests[0].module, 3);
    EXPECT_EQ(m.guests[3].module, 5);
    EXPECT_EQ(m.guests[299].module, 4);
    manifest_free(&m);

    static const struct { const char *text, *why; } bad[] = {
        { "KEELRUN 3\nimages 2\nguests 1\nguest 0 0 1\n1:a\nend\n", "dom0's image" },
        { "KEELRUN 3\nimages 2\nguests 1\nguest 0 1 1\n1:a\nend\n", "the manifest" },
        { "KEELRUN 3\nimages 2\nguests 1\nguest 0 2 1\n1:a\nend\n", "the hosts table" },
        { "KEELRUN 3\nimages 2\nguests 1\nguest 0 5 1\n1:a\nend\n", "modules 3 to 4" },
        { "KEELRUN 3\nimages 2\nguests 1\nguest 0 4294967295 1\n1:a\nend\n",
          "modules 3 to 4" },
        { "KEELRUN 3\nimages 2\nguests 1\nguest 0 4294967298 1\n1:a\nend\n",
          "too large" },
        { "KEELRUN 3\nimages 0\nguests 1\nguest 0 3 1\n1:a\nend\n", "no guest images" },
        { "KEELRUN 3\nimages 1\nguests 1\nguest 0 02 1\n1:a\nend\n", "plain decimal" },
        { "KEELRUN 3\nimages 1\nguests 1\nguest 0 -2 1\n1:a\nend\n", "plain decimal" },
        { "KEELRUN 3\nimages 1\nguests 1\nguest 0 1\n1:a\nend\n", "" },  /* no module */
        { "KEELRUN 3\nimages 1022\nguests 0\nend\n", "too large" },
        { "KEELRUN 3\nguests 1\nguest 0 3 1\n1:a\nend\n", "images" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        EXPECT_EQ(parse(bad[i].text), -1);
        if (!strstr(msg, bad[i].why))
            printf("    # case %zu: \"%s\", want \"%s\"\n", i, msg, bad[i].why);
        EXPECT(strstr(msg, bad[i].why) != NULL);
        EXPECT(m.guests == NULL);
    }
    EXPECT_EQ(parse("KEELRUN 3\nimages 1021\nguests 1\nguest 0 1023 1\n1:a\nend\n"), 0);
    manifest_free(&m);
}

/* n guests of one image, each "guest <i> 3 1\n1:g\n" */
static char *many(unsigned n)
{
    size_t cap = 64 + (size_t)n * 32, len;
    char *s = malloc(cap);
    len = (size_t)snprintf(s, cap, "KEELRUN 3\nimages 1\nguests %u\n", n);
    for (unsigned i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "guest %u 3 1\n1:g\n", i);
    snprintf(s + len, cap - len, "end\n");
    return s;
}

/* launch.h's limit, the same one the launcher applies: exactly that many
 * guests parse, one more is refused by the count alone. */
KTEST(guest_limit)
{
    char *s = many(KEEL_LAUNCH_MAX_GUESTS);
    EXPECT_EQ(parse(s), 0);
    EXPECT_EQ(m.nguests, KEEL_LAUNCH_MAX_GUESTS);
    EXPECT_EQ(m.guests[KEEL_LAUNCH_MAX_GUESTS - 1].module, 3);
    manifest_free(&m);
    free(s);
    s = many(KEEL_LAUNCH_MAX_GUESTS + 1);
    EXPECT_EQ(parse(s), -1);
    EXPECT(strstr(msg, "the guest count is too large (at most 12000)") != NULL);
    EXPECT(m.guests == NULL);
    free(s);
}

/* "disk" lines after the connections: guest, slot, ro, slice, mount point. */
KTEST(disks)
{
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 2\nguest 0 3 1\n1:a\n"
                    "guest 1 3 1\n1:b\nconnect 0 1 1:c\n"
                    "disk 0 5 1 0 0 1:/\ndisk 1 5 1 0 0 5:/data\ndisk 1 4 0 2048 4096 2:/w\nend\n"), 0);
    EXPECT_EQ(m.ndisks, 3);
    EXPECT(m.disks[0].guest == 0 && m.disks[0].slot == 5 && m.disks[0].ro &&
           !strcmp(m.disks[0].mount, "/"));
    EXPECT(m.disks[1].guest == 1 && !strcmp(m.disks[1].mount, "/data"));
    EXPECT(m.disks[2].slot == 4 && !m.disks[2].ro && !strcmp(m.disks[2].mount, "/w"));
    EXPECT(m.disks[0].first == 0 && m.disks[0].sectors == 0);
    EXPECT(m.disks[2].first == 2048 && m.disks[2].sectors == 4096);
    manifest_free(&m);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 1\n1:a\n"
                    "disk 0 5 0 0 0 1:/\ndiskbench\nend\n"), 0);
    EXPECT(m.disk_bench && m.ndisks == 1);
    EXPECT_EQ(m.guest_mem, 0);
    manifest_free(&m);
    /* keel run --guest-mem: whole pages up to KEEL_GUEST_MAX_BYTES */
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 1\nguest 0 3 1\n1:a\n"
                    "disk 0 5 0 0 0 1:/\nguestmem 16777216\ndiskbench\nend\n"), 0);
    EXPECT(m.guest_mem == 16u << 20 && m.disk_bench);
    manifest_free(&m);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 0\nguestmem 4097\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 0\nguestmem 0\nend\n"), -1);
    EXPECT_EQ(parse("KEELRUN 3\nimages 1\nguests 0\nguestmem 68719480832\nend\n"), -1);
    static const char *const bad[] = {
        "disk 2 5 0 0 0 1:/\n",                     /* no such guest */
        "disk 0 32 0 0 0 1:/\n",                    /* no such slot */
        "disk 0 5 2 0 0 1:/\n",                     /* ro is 0 or 1 */
        "disk 0 5 0 0 0 1:x\n",                     /* not absolute */
        "disk 0 5 0 0 0 0:\n",                      /* empty */
        "disk 0 5 0 0 0 32:/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",   /* too long */
        "disk 0 5 0 0 0 3:/a\n",                    /* shorter than said */
        "disk 0 5 0 36028797018963968 0 1:/\n",    /* first sector past 2^64 bytes */
        "disk 0 5 0 36028797018963967 1 1:/\n",    /* slice past 2^64 bytes */
        "disk 0 5 0 0 1:/\n",                      /* no sector count */
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char buf[256];
        snprintf(buf, sizeof(buf), "KEELRUN 3\nimages 1\nguests 2\nguest 0 3 1\n"
                 "1:a\nguest 1 3 1\n1:b\n%send\n", bad[i]);
        EXPECT_EQ(parse(buf), -1);
        EXPECT(m.disks == NULL);
    }
}

KTEST_MAIN(KTEST_CASE(disks), KTEST_CASE(modules), KTEST_CASE(guest_limit), KTEST_CASE(connects), KTEST_CASE(bad_connects), KTEST_CASE(two_guests), KTEST_CASE(environment_after_arguments), KTEST_CASE(environment_lies_are_refused),
           KTEST_CASE(zero_guests_and_padding),
           KTEST_CASE(every_truncation_fails), KTEST_CASE(bad_numbers),
           KTEST_CASE(bad_structure), KTEST_CASE(many_empty_arguments),
           KTEST_CASE(nul_inside_argument),
           KTEST_CASE(failure_frees_earlier_guests), KTEST_CASE(random_bytes))
