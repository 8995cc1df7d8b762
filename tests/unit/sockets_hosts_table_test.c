/*
 * The run's hosts table (keel/hosts.h) from both ends: the launcher's
 * writer (tools/keel/hosts.c) and the guest's checker and lookups
 * (sdk/sockets/hosts_table.c).  What is listed (guests with a NIC at the
 * plan's address, `host` at the gateway unless a guest took the name or
 * there is no uplink, folded duplicates kept once, names too long left
 * out), lookups by name (case, binary search over 12001 names) and by
 * address, and every corrupt table refused as a whole: count too big,
 * unsorted, a name not terminated or holding a NUL, offsets outside it.
 */
#include <arpa/inet.h>
#include "ktest.h"
#include "../../tools/keel/hosts.c"
#include "../../sdk/sockets/hosts_table.c"

static uint8_t *buf;
static size_t len;
static struct sk_table t;

static int build(char *const *names, int n, const bool *nic, bool with_host)
{
    free(buf);
    return keel_hosts_build(names, n, nic, with_host, &buf, &len);
}

static uint32_t look(const char *name)
{
    uint32_t a = 0;

    return sk_table_lookup(&t, name, strlen(name), &a) ? 0 : ntohl(a);
}

static struct keel_hosts_header *hdr(void) { return (struct keel_hosts_header *)buf; }
static struct keel_hosts_entry *ent(unsigned i)
{
    return (struct keel_hosts_entry *)(buf + hdr()->entries_off) + i;
}

KTEST(what_is_listed)
{
    char *names[] = { "web", "Cache", "hello", "web-2", "HOST", "zeta" };
    bool nic[] = { true, true, false, true, false, true };

    EXPECT_EQ(build(names, 6, nic, true), 0);
    EXPECT_EQ(len % 4096, 0);
    EXPECT_EQ(sk_table_check(buf, len, &t), 0);
    EXPECT_EQ(t.count, 5);                          /* hello has no NIC */
    EXPECT_EQ(look("web"), 0x0a000101);
    EXPECT_EQ(look("cache"), 0x0a000102);
    EXPECT_EQ(look("WEB-2"), 0x0a000104);
    EXPECT_EQ(look("zeta"), 0x0a000106);
    EXPECT_EQ(look("hello"), 0);
    EXPECT_EQ(look("host"), 0x0a000002);            /* HOST has no NIC: the machine's */
    EXPECT_EQ(look("web-"), 0);
    EXPECT_EQ(look("we"), 0);
    EXPECT(strcmp(sk_table_name(&t, htonl(0x0a000102)), "Cache") == 0);
    EXPECT(strcmp(sk_table_name(&t, htonl(0x0a000002)), "host") == 0);
    EXPECT(sk_table_name(&t, htonl(0x0a000103)) == NULL);
    EXPECT(strcmp(t.names + ent(0)->name_off, "Cache") == 0);   /* folded order */
    nic[4] = true;                                  /* now the guest HOST takes it */
    EXPECT_EQ(build(names, 6, nic, true), 0);
    EXPECT_EQ(sk_table_check(buf, len, &t), 0);
    EXPECT_EQ(look("host"), 0x0a000105);
    EXPECT_EQ(t.count, 5);
    EXPECT_EQ(build(names, 6, nic, false), 0);      /* --net none */
    EXPECT_EQ(sk_table_check(buf, len, &t), 0);
    EXPECT_EQ(t.count, 5);
    nic[4] = false;
    EXPECT_EQ(build(names, 6, nic, false), 0);
    EXPECT_EQ(sk_table_check(buf, len, &t), 0);
    EXPECT_EQ(look("host"), 0);
}

KTEST(folded_duplicates_and_long_names)
{
    static char longest[KEEL_HOSTS_NAME_MAX + 1], too_long[KEEL_HOSTS_NAME_MAX + 2];
    char *names[] = { "b", "Web", "web", "a", longest, too_long };
    bool nic[] = { true, true, true, true, true, true };

    memset(longest, 'l', KEEL_HOSTS_NAME_MAX);
    memset(too_long, 'm', KEEL_HOSTS_NAME_MAX + 1);
    EXPECT_EQ(build(names, 6, nic, false), 0);
    EXPECT_EQ(sk_table_check(buf, len, &t), 0);
    EXPECT_EQ(t.count, 4);
    EXPECT_EQ(look("WEB"), 0x0a000102);             /* the first on the command line */
    EXPECT_EQ(look(longest), 0x0a000105);
    EXPECT_EQ(look(too_long), 0);
    EXPECT_EQ(build(names, -1, nic, false), -1);
    EXPECT_EQ(build(names, KEEL_LAUNCH_MAX_GUESTS + 1, nic, false), -1);
}

/* The most a run holds: every name found by binary search in the table's
 * pages, and the size of the table per guest. */
KTEST(four_thousand_and_one)
{
    int n = KEEL_LAUNCH_MAX_GUESTS;
    char **names = malloc(sizeof(char *) * (size_t)n);
    bool *nic = malloc((size_t)n);
    int bad = 0;

    for (int i = 0; i < n; i++) {
        names[i] = malloc(16);
        snprintf(names[i], 16, i ? "udp_send-%d" : "udp_collect", i + 1);
        nic[i] = true;
    }
    EXPECT_EQ(build(names, n, nic, true), 0);
    EXPECT_EQ(sk_table_check(buf, len, &t), 0);
    EXPECT_EQ(t.count, n + 1);
    printf("    # %d names: %zu bytes, %zu pages\n", n + 1, len, len / 4096);
    EXPECT(len <= 80 * 4096);
    for (int i = 0; i < n; i++)
        bad += look(names[i]) != keel_net_plan_guest_ipv4((uint32_t)i);
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(look("udp_send-12001"), 0);
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(nic);
}

/* A good table of three names, then one corruption at a time. */
static void good(void)
{
    char *names[] = { "alpha", "beta", "gamma" };
    bool nic[] = { true, true, true };

    build(names, 3, nic, false);
}

static int corrupt_fails(void (*corrupt)(void))
{
    good();
    corrupt();
    return sk_table_check(buf, len, &t) == -1 && t.count == 0;
}

static void count_too_big(void) { hdr()->count = 4; }
static void count_huge(void) { hdr()->count = UINT32_MAX; }
static void unsorted(void) { struct keel_hosts_entry e = *ent(0); *ent(0) = *ent(1); *ent(1) = e; }
static void duplicate(void) { *ent(1) = *ent(0); }
static void not_terminated(void) { ent(2)->name_len = 4; }
static void nul_inside(void) { buf[hdr()->names_off + ent(1)->name_off + 1] = 0; }
static void name_outside(void) { ent(2)->name_off = hdr()->names_bytes; }
static void name_at_end(void) { ent(2)->name_off = hdr()->names_bytes - 1; ent(2)->name_len = 1; }
static void name_too_long(void) { ent(2)->name_len = KEEL_HOSTS_NAME_MAX + 1; }
static void empty_name(void) { ent(0)->name_len = 0; }
static void names_outside(void) { hdr()->names_bytes = hdr()->total_bytes; }
static void names_off_huge(void) { hdr()->names_off = UINT32_MAX; }
static void total_past_pages(void) { hdr()->total_bytes = (uint32_t)len + 1; }
static void total_below_header(void) { hdr()->total_bytes = 8; }
static void entries_unaligned(void) { hdr()->entries_off += 2; }
static void entries_off_huge(void) { hdr()->entries_off = UINT32_MAX - 3; }
static void bad_magic(void) { buf[0] = 'k'; }
static void bad_version(void) { hdr()->version = 2; }
static void bad_entry_size(void) { hdr()->entry_bytes = 16; }

KTEST(corrupt_tables_are_refused)
{
    void (*cases[])(void) = {
        count_too_big, count_huge, unsorted, duplicate, not_terminated, nul_inside,
        name_outside, name_at_end, name_too_long, empty_name, names_outside,
        names_off_huge, total_past_pages, total_below_header, entries_unaligned,
        entries_off_huge, bad_magic, bad_version, bad_entry_size,
    };

    good();
    EXPECT_EQ(sk_table_check(buf, len, &t), 0);
    EXPECT_EQ(look("beta"), 0x0a000102);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int ok = corrupt_fails(cases[i]);
        if (!ok)
            printf("    # corruption %zu accepted\n", i);
        EXPECT(ok);
        EXPECT_EQ(look("beta"), 0);                 /* nothing of it is used */
    }
    good();
    EXPECT_EQ(sk_table_check(buf, hdr()->total_bytes - 1, &t), -1);   /* cut short */
    EXPECT_EQ(sk_table_check(buf, sizeof(struct keel_hosts_header) - 1, &t), -1);
    EXPECT_EQ(sk_table_check(NULL, len, &t), -1);
    EXPECT_EQ(sk_table_check(buf + 1, len - 1, &t), -1);
    EXPECT_EQ(sk_table_check(buf, hdr()->total_bytes, &t), 0);
}

KTEST_MAIN(KTEST_CASE(what_is_listed), KTEST_CASE(folded_duplicates_and_long_names),
           KTEST_CASE(four_thousand_and_one), KTEST_CASE(corrupt_tables_are_refused))
