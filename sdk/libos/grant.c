/*
 * The domain's grant table (libos/grant.h).
 *
 * NOTE for engineer A: written by B (channels) because grant.c did not
 * exist yet when the channel needed it; it is yours to change.
 *
 * The table is one page from the heap, registered with SETUP on first use.
 * References named by the device page (the toolstack's) are marked taken
 * at that point, so libos_grant_access only hands out the others.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <libos/grant.h>
#include <libos/hypercall.h>
#include <keel/device.h>
#include "internal.h"

static struct keel_grant_entry *table;
static uint64_t taken[LIBOS_GRANT_ENTRIES / 64];   /* refs not for access() */
static uint64_t devref[LIBOS_GRANT_ENTRIES / 64];  /* the toolstack's refs */

static long gntop(uint32_t cmd, uint64_t a1, uint64_t a2)
{
    return keel_hypercall3(KEEL_HC_GRANT_TABLE_OP, cmd, a1, a2);
}

static void take(uint32_t ref)
{
    if (ref < LIBOS_GRANT_ENTRIES)
        taken[ref / 64] |= 1ull << (ref % 64);
}

static void reserve_device_refs(void)
{
    const struct keel_device_page *dp =
        (const void *)(uintptr_t)libos_si->device_page_va;

    if (!dp || memcmp(dp->magic, KEEL_DEVPAGE_MAGIC, 8) != 0)
        return;
    for (uint32_t i = 0; i < dp->nr_devices && i < KEEL_DEVPAGE_MAX; i++) {
        const struct keel_device *d = &dp->dev[i];
        if (d->role != KEEL_DEV_GRANTER)
            continue;
        for (uint32_t p = 0; p < d->ring_pages && p < LIBOS_GRANT_ENTRIES; p++) {
            uint32_t ref = d->ring_ref + p;
            take(ref);
            if (ref < LIBOS_GRANT_ENTRIES)
                devref[ref / 64] |= 1ull << (ref % 64);
        }
    }
}

static int table_ready(void)
{
    if (table)
        return 0;
    struct keel_grant_entry *t = memalign(KEEL_PAGE_SIZE, KEEL_PAGE_SIZE);
    if (!t)
        return -KEEL_ENOMEM;
    memset(t, 0, KEEL_PAGE_SIZE);
    long rc = gntop(KEEL_GNTOP_SETUP, (uint64_t)(uintptr_t)t, LIBOS_GRANT_ENTRIES);
    if (rc < 0) {
        free(t);
        return (int)rc;
    }
    table = t;
    reserve_device_refs();
    return 0;
}

/* domid and page first, flags last: the hypervisor reads the entry as
 * one 64-bit load and only trusts it with PERMIT set. */
static int fill(keel_grant_ref_t ref, keel_domid_t domid, const void *page,
                int readonly)
{
    struct keel_grant_entry *e = &table[ref];
    uintptr_t va = (uintptr_t)page;

    if (va % KEEL_PAGE_SIZE || va < KEEL_GUEST_BASE)
        return -KEEL_EINVAL;
    if (__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE))
        return -KEEL_EBUSY;
    e->domid = domid;
    e->page = (uint32_t)((va - KEEL_GUEST_BASE) / KEEL_PAGE_SIZE);
    __atomic_store_n(&e->flags, (uint16_t)(KEEL_GTF_PERMIT |
                     (readonly ? KEEL_GTF_READONLY : 0)), __ATOMIC_RELEASE);
    return 0;
}

int libos_grant_set(keel_grant_ref_t ref, keel_domid_t domid, const void *page,
                    int readonly)
{
    int rc = table_ready();

    if (rc)
        return rc;
    if (ref >= LIBOS_GRANT_ENTRIES)
        return -KEEL_EINVAL;
    return fill(ref, domid, page, readonly);
}

long libos_grant_access(keel_domid_t domid, const void *page, int readonly)
{
    int rc = table_ready();

    if (rc)
        return rc;
    for (uint32_t ref = 0; ref < LIBOS_GRANT_ENTRIES; ref++) {
        if (taken[ref / 64] & (1ull << (ref % 64)))
            continue;
        take(ref);
        if ((rc = fill(ref, domid, page, readonly)) == 0)
            return ref;
        taken[ref / 64] &= ~(1ull << (ref % 64));
        return rc;
    }
    return -KEEL_ENOSPC;
}

int libos_grant_end(keel_grant_ref_t ref)
{
    if (!table || ref >= LIBOS_GRANT_ENTRIES)
        return -KEEL_EINVAL;
    long rc = gntop(KEEL_GNTOP_END, ref, 0);
    if (rc == 0 && !(devref[ref / 64] & (1ull << (ref % 64))))
        taken[ref / 64] &= ~(1ull << (ref % 64));
    return (int)rc;
}

long libos_grant_map(keel_domid_t domid, keel_grant_ref_t ref, int readonly,
                     void **va)
{
    struct keel_grant_map m = { .domid = domid, .ref = ref,
                                .flags = readonly ? KEEL_GRANT_MAP_READONLY : 0 };
    long rc = gntop(KEEL_GNTOP_MAP, (uint64_t)(uintptr_t)&m, 0);

    if (rc < 0)
        return rc;
    *va = (void *)(uintptr_t)m.va;
    return m.handle;
}

int libos_grant_unmap(keel_grant_handle_t handle)
{
    return (int)gntop(KEEL_GNTOP_UNMAP, handle, 0);
}

long libos_grant_copy(struct keel_grant_copy *seg, unsigned count)
{
    return gntop(KEEL_GNTOP_COPY, (uint64_t)(uintptr_t)seg, count);
}
