/*
 * Assembling a device page (see devpage.h).  Pure: unit-tested on the host.
 */
#include <string.h>
#include <keel/abi.h>
#include <keel/grant_table.h>
#include "devpage.h"

_Static_assert(DEVPAGE_MAX_REFS <= KEEL_DEFAULT_GRANT_ENTRIES,
               "a guest's default grant limit holds its device references");

void devpage_init(struct devpage *dp)
{
    memset(dp, 0, sizeof(*dp));
    memcpy(dp->page.magic, KEEL_DEVPAGE_MAGIC, sizeof(dp->page.magic));
    dp->page.version = KEEL_DEVPAGE_VERSION;
}

static struct keel_device *add(struct devpage *dp, uint32_t type,
                               uint32_t role, const char *name,
                               uint16_t peer, uint32_t pages)
{
    struct keel_device *d;
    size_t len = strlen(name);

    if (dp->page.nr_devices >= KEEL_DEVPAGE_MAX || len >= KEEL_DEV_NAME_MAX ||
        pages == 0 || pages > DEVPAGE_MAX_REFS)
        return NULL;
    d = &dp->page.dev[dp->page.nr_devices];
    memset(d, 0, sizeof(*d));
    d->type = type;
    d->role = role;
    d->peer_domid = peer;
    d->ring_pages = pages;
    memcpy(d->name, name, len);
    return d;
}

struct keel_device *devpage_add_granter(struct devpage *dp, uint32_t type,
                                        const char *name, uint16_t peer,
                                        uint32_t pages)
{
    struct keel_device *d;

    if (pages > DEVPAGE_MAX_REFS - dp->next_ref)
        return NULL;
    if (!(d = add(dp, type, KEEL_DEV_GRANTER, name, peer, pages)))
        return NULL;
    d->ring_ref = dp->next_ref;
    dp->next_ref += pages;
    dp->ring_pages += pages;
    dp->page.nr_devices++;
    return d;
}

struct keel_device *devpage_add_mapper(struct devpage *dp, uint32_t type,
                                       const char *name, uint16_t peer,
                                       uint32_t ring_ref, uint32_t pages,
                                       uint32_t port)
{
    struct keel_device *d;

    if (ring_ref >= DEVPAGE_MAX_REFS ||
        !(d = add(dp, type, KEEL_DEV_MAPPER, name, peer, pages)))
        return NULL;
    d->ring_ref = ring_ref;
    d->port = port;
    dp->page.nr_devices++;
    return d;
}

void devpage_place(struct devpage *dp, uint64_t rings_va)
{
    for (uint32_t i = 0; i < dp->page.nr_devices; i++) {
        struct keel_device *d = &dp->page.dev[i];
        if (d->role != KEEL_DEV_GRANTER)
            continue;
        d->ring_va = rings_va;
        rings_va += (uint64_t)d->ring_pages * KEEL_PAGE_SIZE;
    }
}

void devpage_limits(const struct devpage *dp, struct keel_domain_limits *l)
{
    uint32_t maps = KEEL_DEFAULT_GRANT_MAPS;

    for (uint32_t i = 0; i < dp->page.nr_devices; i++)
        if (dp->page.dev[i].role == KEEL_DEV_MAPPER)
            maps += dp->page.dev[i].ring_pages;
    *l = (struct keel_domain_limits){
        .grant_maps = maps < KEEL_GRANT_MAX_MAPS ? maps : KEEL_GRANT_MAX_MAPS,
    };
}
