/*
 * dom0/builder.c against a fake hypervisor (dom0_fakehv.h): what a built
 * guest's memory, rights and vCPU look like, the control lines, and that
 * every failure is reported and cleaned up (domain destroyed, nothing left
 * mapped) without touching other guests.
 */
#include "ktest.h"
#include "timage.h"
#include "dom0_fakehv.h"
#include "../../lib/image/why.c"
#include "../../lib/image/elf_note.c"
#include "../../lib/image/elf_check.c"
#include "../../lib/image/layout.c"
#include "../../dom0/layout.c"
#include "../../dom0/ctl.c"
#include "../../dom0/admit.c"
#include "../../dom0/foreign.c"
#include "../../dom0/share.c"
#include "../../dom0/builder.c"
#include "dom0_devices_stub.h"
#include "../../dom0/channel.c"

static struct timage t;
static struct guest g;
static struct mf_guest mf = { 2, "hello\0a b", 10, "hello", 2, 0 };

static int build(void)
{
    timage_emit(&t);
    g = (struct guest){ .idx = 0, .mf = &mf, .image = t.file,
                        .image_size = t.size };
    return builder_start(&g, 2);
}

static uint8_t *gmem(uint64_t gva) { return fake.dom[0].mem + gva - 0x400000; }
static uint8_t rights(uint64_t gva) { return fake.dom[0].rights[(gva - 0x400000) / 4096]; }

KTEST(builds_a_guest)
{
    fake_reset();
    timage_init(&t);
    EXPECT_EQ(build(), 0);
    EXPECT_EQ(g.domid, 1);
    EXPECT_EQ(g.status, -1);
    EXPECT_EQ(fake.dom[0].pages, KEEL_DEFAULT_MEM_BYTES / 4096);
    EXPECT(fake.dom[0].unpaused);
    EXPECT_EQ(fake.maps, 0);
    /* segments copied, the rest of their pages and bss zeroed */
    EXPECT_EQ(gmem(0x400000)[0], 0xc3);
    EXPECT_EQ(gmem(0x4000ff)[0], 0xc3);
    EXPECT_EQ(gmem(0x400100)[0], 0);
    EXPECT_EQ(gmem(0x402000)[0x3f], 0xda);
    EXPECT_EQ(gmem(0x402040)[0], 0);
    EXPECT_EQ(gmem(0x404fff)[0], 0);
    /* rights per page */
    EXPECT_EQ(rights(0x400000), KEEL_RIGHT_R | KEEL_RIGHT_X);
    EXPECT_EQ(rights(0x401000), KEEL_RIGHT_R);
    EXPECT_EQ(rights(0x404000), KEEL_RIGHT_R | KEEL_RIGHT_W);
    uint64_t top = 0x400000 + KEEL_DEFAULT_MEM_BYTES;
    uint64_t guard = (top - KEEL_DEFAULT_STACK_BYTES - 4096 - 0x400000) / 4096;
    EXPECT(!fake.dom[0].backed[guard]);                   /* no frame */
    EXPECT(!fake.dom[0].backed[guard - 1]);               /* heap on demand */
    EXPECT_EQ(rights(top - 4096), KEEL_RIGHT_R | KEEL_RIGHT_W);
    for (uint64_t p = 0; p < fake.dom[0].pages; p++)
        if (fake.dom[0].backed[p] && fake.dom[0].rights[p] == 0xff)
            EXPECT(!"a page was left without rights");
    /* vCPU */
    EXPECT_EQ(fake.dom[0].vcpu.rip, 0x400010);
    EXPECT_EQ(fake.dom[0].vcpu.rsp, top);
    EXPECT_EQ(fake.dom[0].vcpu.rdi, 0x405000);
}

KTEST(start_info_and_arguments)
{
    fake_reset();
    timage_init(&t);
    EXPECT_EQ(build(), 0);
    struct keel_start_info si;
    memcpy(&si, gmem(0x405000), sizeof(si));
    EXPECT(memcmp(si.magic, "KEELSTRT", 8) == 0);
    EXPECT_EQ(si.abi_version, KEEL_ABI_VERSION);
    EXPECT_EQ(si.domid, 1);
    EXPECT_EQ(si.nr_cpus, 2);
    EXPECT_EQ(si.flags, 0);
    EXPECT_EQ(si.mem_base, 0x400000);
    EXPECT_EQ(si.mem_bytes, KEEL_DEFAULT_MEM_BYTES);
    EXPECT_EQ(si.stack_top, 0x400000 + KEEL_DEFAULT_MEM_BYTES);
    EXPECT_EQ(si.stack_bytes, KEEL_DEFAULT_STACK_BYTES);
    /* the device page follows the arguments, its ring pages follow it */
    EXPECT_EQ(si.device_page_va, 0x406000);
    EXPECT_EQ(si.heap_start, 0x407000 + KEEL_CONSOLE_RING_PAGES * 4096);
    EXPECT_EQ(si.heap_end, si.stack_top - si.stack_bytes - 4096);
    /* the whole stack backed on first touch, its top at once; the guard
     * page below it outside the range and unbacked */
    struct fake_dom *d = &fake.dom[0];
    EXPECT_EQ(d->stack_lo, si.stack_top - si.stack_bytes);
    EXPECT_EQ(d->stack_hi, si.stack_top);
    EXPECT(fake_all_backed(d, si.stack_top - LAYOUT_START_STACK, LAYOUT_START_STACK / 4096));
    EXPECT(!d->backed[(si.stack_top - LAYOUT_START_STACK - 4096 - KEEL_GUEST_BASE) / 4096]);
    EXPECT(!d->backed[(si.heap_end - KEEL_GUEST_BASE) / 4096]);
    EXPECT_EQ(si.shared_info_va, KEEL_SHARED_INFO_VA);
    EXPECT_EQ(si.argc, 2);
    EXPECT_EQ(si.args_bytes, 10);
    EXPECT_EQ(si.nr_modules, 0);
    EXPECT(memcmp(gmem(si.args_va), "hello\0a b\0", 10) == 0);
    EXPECT_EQ(gmem(si.args_va + 10)[0], 0);       /* rest of the page zeroed */
    EXPECT_EQ(si.envc, 0);
}

/* keel run -e: the environment's strings follow argv's, envc counts them */
KTEST(start_info_environment)
{
    fake_reset();
    timage_init(&t);
    mf.args = "hello\0a b\0X=1";
    mf.args_bytes = 14;
    mf.envc = 1;
    EXPECT_EQ(build(), 0);
    struct keel_start_info si;
    memcpy(&si, gmem(0x405000), sizeof(si));
    EXPECT_EQ(si.argc, 2);
    EXPECT_EQ(si.envc, 1);
    EXPECT_EQ(si.args_bytes, 14);
    EXPECT(memcmp(gmem(si.args_va), "hello\0a b\0X=1\0", 14) == 0);
    mf.args = "hello\0a b";
    mf.args_bytes = 10;
    mf.envc = 0;
}

KTEST(device_page)
{
    fake_reset();
    timage_init(&t);
    EXPECT_EQ(build(), 0);
    struct keel_device_page dp;
    memcpy(&dp, gmem(0x406000), sizeof(dp));
    EXPECT(memcmp(dp.magic, KEEL_DEVPAGE_MAGIC, 8) == 0);
    EXPECT_EQ(dp.version, KEEL_DEVPAGE_VERSION);
    EXPECT_EQ(dp.nr_devices, 1);
    EXPECT_EQ(dp.dev[0].type, KEEL_DEV_CONSOLE);
    EXPECT_EQ(dp.dev[0].role, KEEL_DEV_GRANTER);
    EXPECT_EQ(dp.dev[0].ring_va, 0x407000);
    EXPECT_EQ(dp.dev[0].ring_pages, KEEL_CONSOLE_RING_PAGES);
    EXPECT_EQ(dp.dev[0].ring_ref, 0);
    EXPECT(strcmp(dp.dev[0].name, "console") == 0);
    EXPECT_EQ(rights(0x406000), KEEL_RIGHT_R);            /* read-only */
    EXPECT_EQ(rights(0x407000), KEEL_RIGHT_R | KEEL_RIGHT_W);
    EXPECT_EQ(gmem(0x407000)[0], 0);                       /* rings zeroed */
}

/* Channels (dom0/channel.c): a held guest is built paused and silent;
 * builder_release rewrites its device page and only then starts it. */
KTEST(held_until_released)
{
    struct keel_device_page dp;

    fake_reset();
    timage_init(&t);
    timage_emit(&t);
    g = (struct guest){ .idx = 0, .mf = &mf, .image = t.file,
                        .image_size = t.size, .hold = true };
    EXPECT_EQ(builder_start(&g, 2), 0);
    EXPECT(!fake.dom[0].unpaused);
    EXPECT_EQ(fake.ctl_len, 0);
    if (!g.dev)
        return;
    g.dev->page.dev[0].port = 77;                  /* as chan_wire would */
    EXPECT_EQ(builder_release(&g), 0);
    EXPECT(fake.dom[0].unpaused && g.dev == NULL && !g.hold);
    EXPECT(strncmp(fake.ctl, "start 0 1\ntiming 0 create_ns=", 29) == 0);
    memcpy(&dp, gmem(0x406000), sizeof(dp));
    EXPECT_EQ(dp.dev[0].port, 77);
    EXPECT_EQ(fake.maps, 0);
}

KTEST(control_lines)
{
    fake_reset();
    timage_init(&t);
    build();
    EXPECT(strncmp(fake.ctl, "start 0 1\ntiming 0 create_ns=", 29) == 0);
    EXPECT(strstr(fake.ctl, " main_ready_ns=") != NULL);
    EXPECT(strstr(fake.ctl, " copy_ns=") != NULL);
    EXPECT(strstr(fake.ctl, " image_bytes=576 mem_bytes=") != NULL);
    EXPECT(strstr(fake.ctl, " free_frames=4242 created_ns=") != NULL);
    EXPECT(strstr(fake.ctl, " unpause_ns=") != NULL);
}

/* Between a guest's UNPAUSE and dom0's next block, every console write
 * wakes the launcher (docs/boot-time.md): `start`, `timing` and their log
 * echo go out as one control write and one log write. */
KTEST(start_costs_two_console_writes)
{
    fake_reset();
    timage_init(&t);
    build();
    EXPECT_EQ(fake.console_writes, 2u);
    EXPECT(strncmp(fake.ctl, "start 0 1\ntiming 0 ", 19) == 0);
}

KTEST(bad_image_creates_nothing)
{
    fake_reset();
    timage_init(&t);
    t.eh.e_machine = 183;
    EXPECT_EQ(build(), -1);
    EXPECT_EQ(g.status, 126);
    EXPECT_EQ(fake.calls[KEEL_DOMCTL_CREATE], 0);
    EXPECT(strcmp(fake.ctl, "msg 0 hello: ELF is for machine 183, not x86-64\n"
                  "exit 0 126\n") == 0);
}

KTEST(create_failure)
{
    fake_reset();
    timage_init(&t);
    fake.fail_cmd = KEEL_DOMCTL_CREATE;
    fake.fail_rc = -KEEL_ENOMEM;
    EXPECT_EQ(build(), -1);
    EXPECT(strcmp(fake.ctl, "msg 0 hello: creating the domain failed: out of "
                  "memory (-12): raise keel run --mem\nexit 0 126\n") == 0);
    EXPECT_EQ(fake.calls[KEEL_DOMCTL_DESTROY], 0);
}

/* dom0's admission control (admit.h): a guest the frames no domain has
 * reserved cannot hold, with the reserve its limits call for, is refused
 * before CREATE with what to do; the live guests' reserves count as taken
 * (PHYSINFO's reserved_frames) and come back when they are destroyed. */
/* Pages the builder backed for guest 1: what the guest starts with. */
static uint64_t backed_pages(void)
{
    uint64_t n = 0;

    for (uint64_t p = 0; p < fake.dom[0].pages; p++)
        n += fake.dom[0].backed[p];
    return n;
}

KTEST(not_enough_memory_is_refused_before_create)
{
    uint64_t pages;
    struct keel_domain_limits dflt = { 0 }, big = { .grant_maps = 1000 };
    char what[64];

    /* its pages, their tables (2 PTs, or 1) and 4 more for its stack's
     * run, CREATE's 16, its reserve, the slack */
    EXPECT_EQ(admit_frames_needed(1024, &dflt), 1024 + 2 + 4 + 16 + 9 + 256);
    EXPECT_EQ(admit_frames_needed(64, &big), 64 + 1 + 4 + 16 + 18 + 256);   /* with the maps' directory */
    /* admission asks for what the guest starts with, not its maximum */
    fake_reset();
    timage_init(&t);
    EXPECT_EQ(build(), 0);
    pages = backed_pages();
    EXPECT(pages > 0 && pages < 256);
    fake_reset();
    timage_init(&t);
    live = 0;                       /* earlier tests left guests built */
    fake.free_frames = admit_frames_needed(pages, &dflt) - 1;
    EXPECT_EQ(build(), -1);
    EXPECT_EQ(fake.calls[KEEL_DOMCTL_CREATE], 0);
    snprintf(what, sizeof(what), "for the %llu KiB it starts with (",
             (unsigned long long)pages * 4);
    EXPECT(strstr(fake.ctl, "msg 0 hello: not enough memory left on the machine ") == fake.ctl);
    EXPECT(strstr(fake.ctl, what));
    EXPECT(strstr(fake.ctl, "with 0 guests running, ") &&
           strstr(fake.ctl, "KiB needed): raise keel run --mem, or build the "
                  "image with a smaller mkimage --mem\nexit 0 126\n"));
    /* exactly enough: built with the default limits, and then its reserve
     * is held (a real CREATE would also have taken its memory) */
    fake_reset();
    fake.free_frames = admit_frames_needed(pages, &dflt);
    EXPECT_EQ(build(), 0);
    EXPECT(!memcmp(&fake.dom[0].limits, &(struct keel_domain_limits){
        .grant_maps = KEEL_DEFAULT_GRANT_MAPS }, sizeof(dflt)));
    EXPECT_EQ(fake.reserved_frames, 9);
    fake.ctl_len = 0;
    g.idx = 1;
    EXPECT_EQ(builder_start(&g, 2), -1);
    EXPECT(strstr(fake.ctl, "with 1 guests running"));
    builder_destroy(1);                                /* its reserve returns */
    EXPECT_EQ(fake.reserved_frames, 0);
    EXPECT_EQ(build(), 0);
    builder_destroy(g.domid);
}

/* dom0 out of console ports or grant pages (console.c refuses a console
 * beyond keel/launch.h's limit; the hypervisor when dom0's ports run out):
 * this guest alone is refused, destroyed, and the message says why. */
KTEST(no_console_port_left_is_refused)
{
    fake_reset();
    timage_init(&t);
    stub_connect_rc = -KEEL_ENOSPC;
    EXPECT_EQ(build(), -1);
    stub_connect_rc = 0;
    EXPECT_EQ(fake.calls[KEEL_DOMCTL_DESTROY], 1);
    EXPECT(!fake.dom[0].exists);
    EXPECT(strcmp(fake.ctl, "msg 0 hello: connecting devices failed: no space "
                  "left (-28): dom0 has no event channel port or grant page "
                  "left for its console or NIC (at most 12000 guests at once)\n"
                  "exit 0 126\n") == 0);
    EXPECT_EQ(build(), 0);                 /* the next guest is not affected */
}

/* Each later step failing: the domain is destroyed, nothing stays mapped. */
KTEST(later_failures_destroy)
{
    uint32_t cmds[] = { KEEL_DOMCTL_MAP_FOREIGN, KEEL_DOMCTL_MAP_FOREIGN,
                        KEEL_DOMCTL_SET_RIGHTS, KEEL_DOMCTL_SET_RIGHTS,
                        KEEL_DOMCTL_SET_VCPU, KEEL_DOMCTL_UNPAUSE };
    unsigned skip[] = { 0, 3, 0, 4, 0, 0 };

    for (unsigned i = 0; i < 6; i++) {
        fake_reset();
        timage_init(&t);
        fake.fail_cmd = cmds[i];
        fake.fail_skip = skip[i];
        fake.fail_rc = -KEEL_EINVAL;
        EXPECT_EQ(build(), -1);
        EXPECT_EQ(fake.calls[KEEL_DOMCTL_DESTROY], 1);
        EXPECT(!fake.dom[0].exists);
        EXPECT_EQ(fake.maps, 0);
        EXPECT(strstr(fake.ctl, "failed: invalid argument (-22)\nexit 0 126\n"));
    }
}

KTEST(large_guest_maps_in_batches)
{
    fake_reset();
    timage_init(&t);
    t.note.mem_bytes = 64ull << 20;
    t.ph[2].p_memsz = 20ull << 20;              /* 20 MiB of bss */
    fake.free_frames = 1 << 20;
    EXPECT_EQ(build(), 0);
    EXPECT(fake.max_batch <= FOREIGN_BATCH);
    EXPECT_EQ(gmem(0x402000 + (20ull << 20) - 1)[0], 0);
    EXPECT_EQ(fake.maps, 0);
}

KTEST(names_cannot_forge_control_lines)
{
    static struct mf_guest evil = { 1, "x\ndone 0", 9, "x\ndone 0", 2, 0 };

    fake_reset();
    timage_init(&t);
    t.note.abi_version = 9;
    timage_emit(&t);
    g = (struct guest){ .idx = 0, .mf = &evil, .image = t.file,
                        .image_size = t.size };
    builder_start(&g, 1);
    EXPECT(strncmp(fake.ctl, "msg 0 x?done 0: image built for Keel ABI 9", 42)
           == 0);
    EXPECT(strstr(fake.ctl, "\ndone") == NULL);
}

/* Whole pages of text and rodata come from the boot module (MAP_MODULE),
 * byte for byte what a copy gave; edge pages and data are copied. */
static void shareable(void)
{
    fake_reset();
    timage_init(&t);
    t.ph[0].p_filesz = t.ph[0].p_memsz = 0x1000;   /* text: one whole page */
    fake.module[2] = t.file;
    fake.module_bytes[2] = TIMG_SIZE;
}

KTEST(read_only_pages_shared)
{
    shareable();
    EXPECT_EQ(build(), 0);
    EXPECT_EQ(fake.calls[KEEL_DOMCTL_MAP_MODULE], 1);   /* rodata: 0x100 */
    EXPECT_EQ(fake.shared_pages, 1);
    EXPECT(fake.dom[0].shared[0]);
    EXPECT(!fake.dom[0].shared[1] && !fake.dom[0].shared[2]);
    EXPECT(memcmp(gmem(0x400000), t.file + 0x1000, 4096) == 0);
    EXPECT_EQ(rights(0x400000), KEEL_RIGHT_R | KEEL_RIGHT_X);
    EXPECT_EQ(gmem(0x401000)[0], 0x52);                 /* rodata copied */
    EXPECT_EQ(gmem(0x401100)[0], 0);
    EXPECT_EQ(gmem(0x402000)[0x3f], 0xda);
    EXPECT_EQ(fake.maps, 0);
    EXPECT(fake.dom[0].unpaused);
}

KTEST(refused_share_falls_back_to_copying)
{
    shareable();
    fake.fail_cmd = KEEL_DOMCTL_MAP_MODULE;
    fake.fail_rc = -KEEL_ENOSYS;
    EXPECT_EQ(build(), 0);
    EXPECT_EQ(fake.shared_pages, 0);
    EXPECT(memcmp(gmem(0x400000), t.file + 0x1000, 4096) == 0);
    EXPECT_EQ(rights(0x400000), KEEL_RIGHT_R | KEEL_RIGHT_X);
    EXPECT(fake.dom[0].unpaused);
}

/* The hosts table (dom0/hosts.c): a guest with a NIC gets the module's
 * pages shared read-only above its own memory, and its start info says
 * where; the heap keeps its size; a guest without a NIC gets none. */
KTEST(hosts_table_shared_into_nic_guests)
{
    static uint8_t mod[2 * 4096];
    struct keel_hosts_header h = { .version = KEEL_HOSTS_VERSION, .total_bytes = 5000 };
    struct keel_start_info si;

    memcpy(h.magic, KEEL_HOSTS_MAGIC, 8);
    memcpy(mod, &h, sizeof(h));
    mod[4999] = 0x5a;
    fake_reset();
    fake.module[KEEL_HOSTS_MODULE] = mod;
    fake.module_bytes[KEEL_HOSTS_MODULE] = sizeof(mod);
    hosts_table = (const struct keel_hosts_header *)mod;
    hosts_table_pages = 2;
    timage_init(&t);
    EXPECT_EQ(build(), 0);                        /* no NIC */
    memcpy(&si, gmem(0x405000), sizeof(si));
    EXPECT_EQ(si.hosts_va, 0);
    EXPECT_EQ(si.hosts_bytes, 0);
    EXPECT_EQ(fake.shared_pages, 0);
    uint64_t heap = si.heap_end - si.heap_start;

    fake_reset();
    fake.module[KEEL_HOSTS_MODULE] = mod;
    fake.module_bytes[KEEL_HOSTS_MODULE] = sizeof(mod);
    t.ndev = 1;
    t.dev.devices = KEEL_NOTE_DEV_NET;
    EXPECT_EQ(build(), 0);
    memcpy(&si, gmem(0x405000), sizeof(si));
    EXPECT_EQ(fake.dom[0].pages, KEEL_DEFAULT_MEM_BYTES / 4096 + 2);
    EXPECT_EQ(si.mem_bytes, KEEL_DEFAULT_MEM_BYTES + 2 * 4096);
    EXPECT_EQ(si.heap_end - si.heap_start, heap - KEEL_NET_RING_PAGES * 4096);  /* NIC rings only */
    EXPECT_EQ(si.hosts_bytes, 2 * 4096);
    EXPECT_EQ(si.hosts_va, si.heap_start - 2 * 4096);
    EXPECT_EQ(fake.shared_pages, 2);
    EXPECT(memcmp(gmem(si.hosts_va), KEEL_HOSTS_MAGIC, 8) == 0);
    EXPECT_EQ(gmem(si.hosts_va)[4999], 0x5a);
    EXPECT_EQ(rights(si.hosts_va), KEEL_RIGHT_R);
    EXPECT_EQ(rights(si.hosts_va + 4096), KEEL_RIGHT_R);
    EXPECT_EQ(rights(si.heap_start), KEEL_RIGHT_R | KEEL_RIGHT_W);
    EXPECT_EQ(rights(si.hosts_va - 4096), KEEL_RIGHT_R | KEEL_RIGHT_W);  /* a ring */

    fake_reset();                                 /* refused: copied instead */
    fake.fail_cmd = KEEL_DOMCTL_MAP_MODULE;
    fake.fail_rc = -KEEL_ENOSYS;
    EXPECT_EQ(build(), 0);
    memcpy(&si, gmem(0x405000), sizeof(si));
    EXPECT_EQ(fake.shared_pages, 0);
    EXPECT_EQ(gmem(si.hosts_va)[4999], 0x5a);
    EXPECT_EQ(rights(si.hosts_va), KEEL_RIGHT_R);
    hosts_table = NULL;
    hosts_table_pages = 0;
}

/* offset != vaddr mod page: image_check refuses the image before CREATE
 * (share.c refuses to share it too: dom0_share_test.c). */
KTEST(misaligned_segment_refused)
{
    shareable();
    t.ph[0].p_offset = 0x1010;
    EXPECT_EQ(build(), -1);
    EXPECT_EQ(fake.calls[KEEL_DOMCTL_CREATE], 0);
    EXPECT_EQ(fake.calls[KEEL_DOMCTL_MAP_MODULE], 0);
}

KTEST_MAIN(KTEST_CASE(read_only_pages_shared), KTEST_CASE(hosts_table_shared_into_nic_guests),
           KTEST_CASE(refused_share_falls_back_to_copying),
           KTEST_CASE(misaligned_segment_refused),
           KTEST_CASE(builds_a_guest), KTEST_CASE(start_info_and_arguments), KTEST_CASE(start_info_environment), KTEST_CASE(device_page), KTEST_CASE(held_until_released),
           KTEST_CASE(control_lines), KTEST_CASE(start_costs_two_console_writes),
           KTEST_CASE(bad_image_creates_nothing),
           KTEST_CASE(create_failure),
           KTEST_CASE(not_enough_memory_is_refused_before_create),
           KTEST_CASE(no_console_port_left_is_refused), KTEST_CASE(later_failures_destroy),
           KTEST_CASE(large_guest_maps_in_batches),
           KTEST_CASE(names_cannot_forge_control_lines))
