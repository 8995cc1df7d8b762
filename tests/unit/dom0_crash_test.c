/*
 * dom0/crash.c: exit statuses per keel/launch.h and the report's lines.
 */
#include "ktest.h"
#include "timage.h"
#include "../../dom0/symbols.c"
#include "../../dom0/crash.c"

static char out[16][CRASH_LINE_MAX];
static int nout;

static void emit(void *ctx, const char *line)
{
    (void)ctx;
    if (nout < 16)
        snprintf(out[nout++], CRASH_LINE_MAX, "%s", line);
}

static struct keel_crash_info crash(uint32_t vector, uint64_t err,
                                    uint64_t addr)
{
    struct keel_crash_info c = { .vector = vector, .error_code = err,
                                 .fault_addr = addr };
    c.regs.rip = 0x400014;
    return c;
}

KTEST(statuses)
{
    struct keel_crash_info c;
    uint32_t v[] = { 14, 13, 6, 0, 16, 19, 3, 1, 17, KEEL_CRASH_ABORT, 8, 12 };
    int want[] = { 139, 139, 132, 136, 136, 136, 133, 133, 135, 134, 139, 139 };

    for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        c = crash(v[i], 0, 0);
        EXPECT_EQ(crash_status(&c), want[i]);
    }
}

KTEST(descriptions)
{
    char buf[96];
    struct keel_crash_info c = crash(KEEL_CRASH_PF, 0, 0);

    crash_describe(&c, buf, sizeof(buf));
    EXPECT(strcmp(buf, "page fault at 0x0 (read, not present)") == 0);
    c = crash(KEEL_CRASH_PF, 7, 0x401000);
    crash_describe(&c, buf, sizeof(buf));
    EXPECT(strcmp(buf, "page fault at 0x401000 (write, not permitted)") == 0);
    c = crash(KEEL_CRASH_PF, 0x15, 0x402000);
    crash_describe(&c, buf, sizeof(buf));
    EXPECT(strcmp(buf, "page fault at 0x402000 (instruction fetch, not "
                  "permitted)") == 0);
    c = crash(KEEL_CRASH_UD, 0, 0);
    crash_describe(&c, buf, sizeof(buf));
    EXPECT(strcmp(buf, "invalid opcode") == 0);
    c = crash(KEEL_CRASH_GP, 0x18, 0);
    crash_describe(&c, buf, sizeof(buf));
    EXPECT(strcmp(buf, "general protection fault (error code 0x18)") == 0);
    c = crash(KEEL_CRASH_ABORT, 0, 0);
    crash_describe(&c, buf, sizeof(buf));
    EXPECT(strstr(buf, "abort") != NULL);
    c = crash(77, 0, 0);
    crash_describe(&c, buf, sizeof(buf));
    EXPECT(strcmp(buf, "exception 77") == 0);
}

/* Only a not-present fault on the page below the stack is an overflow. */
KTEST(stack_overflow)
{
    char buf[CRASH_LINE_MAX];
    uint64_t lo = 0x10000000;
    struct keel_crash_info c = crash(KEEL_CRASH_PF, 6, lo - 8);

    EXPECT(crash_is_stack_overflow(&c, lo));
    c.fault_addr = lo - 4096;
    EXPECT(crash_is_stack_overflow(&c, lo));
    c.fault_addr = lo - 4097;                  /* below the guard: the heap's */
    EXPECT(!crash_is_stack_overflow(&c, lo));
    c.fault_addr = lo;                         /* the stack itself */
    EXPECT(!crash_is_stack_overflow(&c, lo));
    c = crash(KEEL_CRASH_PF, 7, lo - 8);       /* present: not the guard */
    EXPECT(!crash_is_stack_overflow(&c, lo));
    c = crash(KEEL_CRASH_GP, 0, 0);
    EXPECT(!crash_is_stack_overflow(&c, lo));
    crash_stack_note("deep", 256 << 10, buf, sizeof(buf));
    EXPECT(strcmp(buf, "deep: stack overflow: it used all of its 256 KiB stack "
                  "(mkimage --stack SIZE gives it more)") == 0);
}

KTEST(report_lines)
{
    struct timage t;
    struct symtab st;
    struct keel_crash_info c = crash(KEEL_CRASH_PF, 4, 0);
    uint64_t pcs[] = { 0x400014, 0x400048, 0x400008, 0x7777 };

    timage_init(&t);
    t.sym[0] = (struct tsym){ "__libos_start", 0x400000, 0x10, ELF_STT_FUNC };
    t.sym[1] = (struct tsym){ "main", 0x400010, 0x20, ELF_STT_FUNC };
    t.sym[2] = (struct tsym){ "helper", 0x400040, 0x8, ELF_STT_FUNC };
    t.nsyms = 3;
    timage_emit(&t);
    symbols_load(&st, t.file, t.size);
    nout = 0;
    crash_report("hello", &c, &st, pcs, 4, emit, NULL);
    EXPECT_EQ(nout, 1 + 3 + 4);
    EXPECT(strcmp(out[0], "hello: crashed: page fault at 0x0 (read, not "
                  "present) rip=0x400014 in main+0x4") == 0);
    EXPECT(strncmp(out[1], "rax=0000000000000000 rbx=", 25) == 0);
    EXPECT(strstr(out[3], "rip=0000000000400014") != NULL);
    EXPECT(strcmp(out[4], "#0 0x400014 main+0x4") == 0);
    /* a return address just past helper's end belongs to helper's call */
    EXPECT(strcmp(out[5], "#1 0x400048 helper+0x8") == 0);
    EXPECT(strcmp(out[6], "#2 0x400008 __libos_start+0x8") == 0);
    EXPECT(strcmp(out[7], "#3 0x7777") == 0);
}

KTEST(report_without_symbols)
{
    struct symtab st;
    struct keel_crash_info c = crash(KEEL_CRASH_UD, 0, 0);
    uint64_t pcs[] = { 0x400014 };

    symbols_load(&st, "", 0);
    nout = 0;
    crash_report("x", &c, &st, pcs, 1, emit, NULL);
    EXPECT(strcmp(out[0], "x: crashed: invalid opcode rip=0x400014") == 0);
    EXPECT(strcmp(out[4], "#0 0x400014") == 0);
}

KTEST_MAIN(KTEST_CASE(statuses), KTEST_CASE(descriptions), KTEST_CASE(stack_overflow),
           KTEST_CASE(report_lines), KTEST_CASE(report_without_symbols))
