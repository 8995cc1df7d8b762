/*
 * Looking up the device page (libos/device.h).  The toolstack wrote it, but
 * it is checked all the same: a broken builder must not make the libos
 * write outside the domain's memory.
 */
#include <string.h>
#include <libos/device.h>
#include "internal.h"

static const struct keel_device_page *page(void)
{
    const struct keel_start_info *si = libos_si;
    uint64_t va = si ? si->device_page_va : 0;
    const struct keel_device_page *p;

    if (!va || (va & (KEEL_PAGE_SIZE - 1)) || va < si->mem_base ||
        va - si->mem_base >= si->mem_bytes)
        return NULL;
    p = (const struct keel_device_page *)(uintptr_t)va;
    if (memcmp(p->magic, KEEL_DEVPAGE_MAGIC, sizeof(p->magic)) ||
        p->version != KEEL_DEVPAGE_VERSION || p->nr_devices > KEEL_DEVPAGE_MAX)
        return NULL;
    return p;
}

static int rings_ok(const struct keel_device *d)
{
    uint64_t end = libos_si->mem_base + libos_si->mem_bytes;
    uint64_t bytes = (uint64_t)d->ring_pages * KEEL_PAGE_SIZE;

    if (d->role != KEEL_DEV_GRANTER)
        return d->role == KEEL_DEV_MAPPER;
    return d->ring_pages && !(d->ring_va & (KEEL_PAGE_SIZE - 1)) &&
           d->ring_va >= libos_si->mem_base && d->ring_va <= end &&
           bytes <= end - d->ring_va;
}

const struct keel_device *libos_device_find(uint32_t type, const char *name)
{
    const struct keel_device_page *p = page();

    for (uint32_t i = 0; p && i < p->nr_devices; i++) {
        const struct keel_device *d = &p->dev[i];
        if (d->type != type || !rings_ok(d))
            continue;
        if (!name || strncmp(d->name, name, KEEL_DEV_NAME_MAX) == 0)
            return d;
    }
    return NULL;
}
