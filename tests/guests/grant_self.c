/*
 * A hostile granter built by the real toolstack (dom0/layout.c): it grants
 * to itself, asking for read-write, its guard page, start-info page,
 * device page, a read-only data page, its first text page and a heap page,
 * and uses each grant every way: MAP read-write, MAP read-only, COPY out of
 * the page, COPY into it (writing back the bytes already there).  One line
 * per page with the four results, for tests/integration/test_grant.py to
 * judge; a read-only map must show the bytes the guest itself sees.
 */
#include <stdint.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <libos/grant.h>
#include <libos/start.h>

#define PAGE 4096u

static const char ro_page[2 * PAGE] __attribute__((aligned(PAGE))) = "read-only data";

static long map_use(keel_grant_ref_t ref, int readonly, const void *page)
{
    void *va;
    long h = libos_grant_map(KEEL_DOMID_SELF, ref, readonly, &va);

    if (h < 0)
        return h;
    /* page is NULL for the guard page: no rights, nothing to compare */
    long rc = page && memcmp(va, page, 16) ? -1000 : 0;
    libos_grant_unmap((keel_grant_handle_t)h);
    return rc;
}

static long copy_use(keel_grant_ref_t ref, int into, uint8_t *buf)
{
    struct keel_grant_copy c;
    struct keel_grant_copy_ptr g = { .ref = ref, .domid = KEEL_DOMID_SELF };

    memset(&c, 0, sizeof(c));
    c.len = 16;
    c.flags = into ? KEEL_GRANT_COPY_DST_GREF : KEEL_GRANT_COPY_SRC_GREF;
    if (into) {
        c.src.gva = (uint64_t)(uintptr_t)buf;
        c.dst = g;
    } else {
        c.src = g;
        c.dst.gva = (uint64_t)(uintptr_t)buf;
    }
    long rc = libos_grant_copy(&c, 1);
    return rc < 0 ? rc : c.status;
}

static void try_page(const char *name, uintptr_t va, int readable)
{
    const struct keel_start_info *si = libos_start_info();
    uint8_t buf[16] = { 0 };
    long ref = libos_grant_access((keel_domid_t)si->domid, (const void *)va, 0);

    if (ref < 0) {
        printf("%s: grant %ld\n", name, ref);
        return;
    }
    const void *seen = readable ? (const void *)va : NULL;
    long out = copy_use((keel_grant_ref_t)ref, 0, buf);
    if (out == 0 && seen && memcmp(buf, seen, 16))
        out = -1000;
    long ro = map_use((keel_grant_ref_t)ref, 1, seen);
    long in = copy_use((keel_grant_ref_t)ref, 1, buf);
    long rw = map_use((keel_grant_ref_t)ref, 0, seen);
    printf("%s: map_ro %ld copy_out %ld map_rw %ld copy_in %ld end %d\n", name, ro, out,
           rw, in, libos_grant_end((keel_grant_ref_t)ref));
}

int main(void)
{
    const struct keel_start_info *si = libos_start_info();
    void *heap = memalign(PAGE, PAGE);

    if (!heap || !si->device_page_va)
        return 2;
    memcpy(heap, "heap page", 10);
    try_page("guard", (uintptr_t)si->heap_end, 0);
    try_page("start_info", (uintptr_t)si, 1);
    try_page("device_page", (uintptr_t)si->device_page_va, 1);
    try_page("rodata", (uintptr_t)ro_page, 1);
    try_page("text", (uintptr_t)main & ~(uintptr_t)(PAGE - 1), 1);
    try_page("heap", (uintptr_t)heap, 1);
    return 0;
}
