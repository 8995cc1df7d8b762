/*
 * dom0/layout.c: where segments, start info, arguments, heap, guard page and
 * stack go, and that the rights regions cover guest memory exactly once.
 */
#include "ktest.h"
#include "timage.h"
#include "../../lib/image/why.c"
#include "../../lib/image/elf_note.c"
#include "../../lib/image/elf_check.c"
#include "../../lib/image/layout.c"
#include "../../dom0/layout.c"

static struct timage t;
static struct image_info info;
static struct layout l;
static char msg[IMAGE_MSG_MAX];

static void load(void)
{
    timage_init(&t);
    timage_emit(&t);
    if (image_check(t.file, t.size, 0, KEEL_IMAGE_PRIVILEGED, &info, msg, sizeof(msg)) != IMG_OK)
        printf("    # setup: %s\n", msg);
}

KTEST(default_plan)
{
    load();
    EXPECT_EQ(layout_plan(&info, 100, &l, msg, sizeof(msg)), 0);
    EXPECT_EQ(l.mem_base, KEEL_GUEST_BASE);
    EXPECT_EQ(l.si_va, 0x405000);
    EXPECT_EQ(l.args_va, 0x405000 + SI_BYTES);
    EXPECT_EQ(l.args_va % 16, 0);
    EXPECT(l.args_va >= l.si_va + sizeof(struct keel_start_info));
    EXPECT_EQ(l.heap_start, 0x406000);
    EXPECT_EQ(l.stack_top, KEEL_GUEST_BASE + KEEL_DEFAULT_MEM_BYTES);
    EXPECT_EQ(l.stack_top % 16, 0);
    EXPECT_EQ(l.heap_end, l.stack_top - KEEL_DEFAULT_STACK_BYTES - 4096);
}

KTEST(arguments_spill_into_pages)
{
    load();
    EXPECT_EQ(layout_plan(&info, 4096 - SI_BYTES, &l, msg, sizeof(msg)), 0);
    EXPECT_EQ(l.heap_start, 0x406000);
    EXPECT_EQ(layout_plan(&info, 4096 - SI_BYTES + 1, &l, msg, sizeof(msg)), 0);
    EXPECT_EQ(l.heap_start, 0x407000);
}

KTEST(arguments_that_do_not_fit)
{
    load();
    uint64_t room = KEEL_DEFAULT_MEM_BYTES - 0x5000 - KEEL_DEFAULT_STACK_BYTES
                    - 4096 - SI_BYTES;
    EXPECT_EQ(layout_plan(&info, room, &l, msg, sizeof(msg)), 0);
    EXPECT_EQ(l.heap_start, l.heap_end);          /* no heap left, but fits */
    EXPECT_EQ(layout_plan(&info, room + 1, &l, msg, sizeof(msg)), -1);
    EXPECT(strstr(msg, "needs more") != NULL);
    EXPECT_EQ(layout_plan(&info, UINT64_MAX, &l, msg, sizeof(msg)), -1);
    EXPECT_EQ(layout_plan(&info, UINT64_MAX - 4000, &l, msg, sizeof(msg)), -1);
}

static void expect_cover(int *ktest_failed, const struct region *r, unsigned n)
{
    uint64_t at = l.mem_base, pages = 0;

    /* what the guest starts with: up to heap_backed, then the top of the
     * stack (the rest of the heap, the guard page and the rest of the
     * stack have no frames) */
    for (unsigned i = 0; i < n; i++) {
        if (at == l.heap_backed)
            at = l.stack_backed;
        EXPECT_EQ(r[i].gva, at);
        EXPECT(r[i].npages > 0);
        at += r[i].npages * 4096;
        pages += r[i].npages;
        EXPECT(!((r[i].rights & KEEL_RIGHT_W) && (r[i].rights & KEEL_RIGHT_X)));
    }
    EXPECT_EQ(at, l.stack_top);
    EXPECT_EQ(pages, layout_start_bytes(&l) / 4096);
    EXPECT(l.heap_backed > l.heap_start && l.heap_backed <= l.heap_end);
    EXPECT(l.stack_backed >= l.stack_top - l.stack_bytes && l.stack_backed < l.stack_top);
}

KTEST(regions_cover_memory)
{
    struct region r[LAYOUT_MAX_REGIONS];

    load();
    layout_plan(&info, 10, &l, msg, sizeof(msg));
    unsigned n = layout_regions(&info, &l, r);
    EXPECT_EQ(n, 6);
    expect_cover(ktest_failed, r, n);
    EXPECT_EQ(r[0].rights, KEEL_RIGHT_R | KEEL_RIGHT_X);
    EXPECT_EQ(r[1].rights, KEEL_RIGHT_R);
    EXPECT_EQ(r[2].rights, KEEL_RIGHT_R | KEEL_RIGHT_W);
    EXPECT_EQ(r[2].npages, 3);                    /* data + bss */
    EXPECT_EQ(r[3].gva, l.si_va);                 /* start info + args: r-- */
    EXPECT_EQ(r[3].rights, KEEL_RIGHT_R);
    EXPECT_EQ(r[3].npages, 1);
    EXPECT_EQ(r[4].gva, l.heap_start);            /* heap: its first part */
    EXPECT_EQ(r[4].rights, KEEL_RIGHT_R | KEEL_RIGHT_W);
    EXPECT_EQ(r[4].npages, LAYOUT_START_HEAP / 4096);
    EXPECT_EQ(l.heap_backed, l.heap_start + LAYOUT_START_HEAP);
    EXPECT_EQ(l.stack_top - l.stack_bytes, l.heap_end + 4096);  /* past the guard */
    EXPECT_EQ(l.stack_bytes, KEEL_DEFAULT_STACK_BYTES);
    EXPECT_EQ(r[5].gva, l.stack_top - LAYOUT_START_STACK);     /* the stack's top */
    EXPECT_EQ(r[5].npages, LAYOUT_START_STACK / 4096);
}

/* Start info, arguments and device page read-only; rings and heap not. */
KTEST(builder_pages_are_read_only)
{
    struct region r[LAYOUT_MAX_REGIONS];

    load();
    EXPECT_EQ(layout_plan_dev(&info, 5000, 1, 2, 0, &l, msg, sizeof(msg)), 0);
    unsigned n = layout_regions(&info, &l, r);
    EXPECT_EQ(n, 6);
    expect_cover(ktest_failed, r, n);
    EXPECT_EQ(r[3].gva, l.si_va);
    EXPECT_EQ(r[3].gva + r[3].npages * 4096, l.rings_va);
    EXPECT_EQ(r[3].npages, 3);                    /* 2 pages of start info + args, device page */
    EXPECT_EQ(r[3].rights, KEEL_RIGHT_R);
    EXPECT_EQ(r[4].gva, l.rings_va);              /* rings, then heap */
    EXPECT_EQ(r[4].rights, KEEL_RIGHT_R | KEEL_RIGHT_W);
    EXPECT_EQ(r[5].gva, l.stack_backed);
}

/* The hosts table's pages come on top of the image's memory, read-only
 * between the rings and the heap, which keeps its size. */
KTEST(hosts_table_pages_are_extra_and_read_only)
{
    struct region r[LAYOUT_MAX_REGIONS];
    struct layout plain;

    load();
    EXPECT_EQ(layout_plan_dev(&info, 5000, 1, 2, 0, &plain, msg, sizeof(msg)), 0);
    EXPECT_EQ(layout_plan_dev(&info, 5000, 1, 2, 26, &l, msg, sizeof(msg)), 0);
    EXPECT_EQ(l.mem_bytes, plain.mem_bytes + 26 * 4096);
    EXPECT_EQ(l.heap_end - l.heap_start, plain.heap_end - plain.heap_start);
    EXPECT_EQ(l.stack_bytes, plain.stack_bytes);
    EXPECT_EQ(l.hosts_va, l.rings_va + 2 * 4096);
    EXPECT_EQ(l.hosts_pages, 26);
    EXPECT_EQ(l.heap_start, l.hosts_va + 26 * 4096);
    unsigned n = layout_regions(&info, &l, r);
    EXPECT_EQ(n, 8);
    expect_cover(ktest_failed, r, n);
    EXPECT_EQ(r[4].gva, l.rings_va);
    EXPECT_EQ(r[4].npages, 2);
    EXPECT_EQ(r[4].rights, KEEL_RIGHT_R | KEEL_RIGHT_W);
    EXPECT_EQ(r[5].gva, l.hosts_va);
    EXPECT_EQ(r[5].npages, 26);
    EXPECT_EQ(r[5].rights, KEEL_RIGHT_R);
    EXPECT_EQ(r[6].gva, l.heap_start);
    EXPECT_EQ(r[6].rights, KEEL_RIGHT_R | KEEL_RIGHT_W);
    /* without a device page there is no table; absurd sizes are refused */
    EXPECT_EQ(layout_plan_dev(&info, 5000, 0, 0, 26, &l, msg, sizeof(msg)), 0);
    EXPECT_EQ(l.hosts_va, 0);
    EXPECT_EQ(l.mem_bytes, plain.mem_bytes);
    EXPECT_EQ(layout_plan_dev(&info, 5000, 1, 2, UINT64_MAX / 4096, &l, msg, sizeof(msg)), -1);
    EXPECT_EQ(layout_plan_dev(&info, 5000, 1, 2, (1u << 20) + 1, &l, msg, sizeof(msg)), -1);
}

KTEST(holes_between_segments_get_no_rights)
{
    struct region r[LAYOUT_MAX_REGIONS];

    timage_init(&t);
    t.ph[2].p_vaddr = 0x404000;      /* data two pages above rodata */
    timage_emit(&t);
    EXPECT_EQ(image_check(t.file, t.size, 0, KEEL_IMAGE_PRIVILEGED, &info,
                          msg, sizeof(msg)), IMG_OK);
    layout_plan(&info, 10, &l, msg, sizeof(msg));
    unsigned n = layout_regions(&info, &l, r);
    expect_cover(ktest_failed, r, n);
    EXPECT_EQ(r[1].gva, 0x401000);                /* rodata */
    EXPECT_EQ(r[2].gva, 0x402000);                /* hole before data */
    EXPECT_EQ(r[2].npages, 2);
    EXPECT_EQ(r[2].rights, 0);
    EXPECT_EQ(r[3].gva, 0x404000);
    EXPECT_EQ(r[3].rights, KEEL_RIGHT_R | KEEL_RIGHT_W);
    EXPECT_EQ(l.si_va, 0x407000);
}

/* A stack no bigger than LAYOUT_START_STACK is backed whole; a bigger one
 * only its top LAYOUT_START_STACK (the rest on first touch). */
KTEST(stack_starts_with_its_top)
{
    struct region r[LAYOUT_MAX_REGIONS];

    load();
    info.note.stack_bytes = 4096;
    EXPECT_EQ(layout_plan(&info, 10, &l, msg, sizeof(msg)), 0);
    EXPECT_EQ(l.stack_backed, l.stack_top - 4096);
    expect_cover(ktest_failed, r, layout_regions(&info, &l, r));
    info.note.stack_bytes = 1u << 20;
    EXPECT_EQ(layout_plan(&info, 10, &l, msg, sizeof(msg)), 0);
    EXPECT_EQ(l.stack_backed, l.stack_top - LAYOUT_START_STACK);
    EXPECT_EQ(layout_start_bytes(&l), l.heap_backed - l.mem_base + LAYOUT_START_STACK);
    expect_cover(ktest_failed, r, layout_regions(&info, &l, r));
}

KTEST_MAIN(KTEST_CASE(default_plan), KTEST_CASE(arguments_spill_into_pages),
           KTEST_CASE(arguments_that_do_not_fit),
           KTEST_CASE(regions_cover_memory), KTEST_CASE(builder_pages_are_read_only),
           KTEST_CASE(holes_between_segments_get_no_rights), KTEST_CASE(hosts_table_pages_are_extra_and_read_only),
           KTEST_CASE(stack_starts_with_its_top))
