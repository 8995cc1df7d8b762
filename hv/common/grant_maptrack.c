/*
 * A grantee's map handles.  Handle h is slot h of the table and page h of
 * the grant window, so an address and a handle name the same map and
 * nothing needs searching.  Slots come in chunks of MAPTRACK_CHUNK (one
 * frame out of the grantee's charge), allocated when the free list runs
 * dry and kept until the domain dies (a domain that maps a few pages pays
 * for one chunk, not for the whole window).  Handles stay below the
 * grantee's grant_maps limit, which bounds both the chunks and the page
 * tables of the window (hv/common/limits.c).  The first
 * MAPTRACK_DIR_MIN chunks are found in the maptrack itself; the chunk that
 * goes past them brings a directory frame (out of the charge as well)
 * that holds every chunk's pointer, so a large window costs only the
 * domains that use it.  Free slots form a list threaded through next_free.
 *
 * Pure logic over charge_page/charge_page_free, host-tested.
 */
#include <hv/grant.h>
#include <hv/mm.h>

void maptrack_init(struct maptrack *mt, struct hv_charge *charge, uint32_t max)
{
    memset(mt, 0, sizeof(*mt));
    mt->free_head = MAPTRACK_NONE;
    mt->charge = charge;
    mt->max = MIN(max, (uint32_t)KEEL_GRANT_MAX_MAPS);
}

static struct grant_mapping *chunk(const struct maptrack *mt, uint32_t i)
{
    return mt->dir ? mt->dir[i] : mt->chunk[i];
}

static struct grant_mapping *slot(struct maptrack *mt, uint32_t h)
{
    return &chunk(mt, h / MAPTRACK_CHUNK)[h % MAPTRACK_CHUNK];
}

/* Room for chunk nr_chunks's pointer: the directory when the inline array
 * is full (it takes over their pointers). */
static int make_room(struct maptrack *mt)
{
    if (mt->dir || mt->nr_chunks < MAPTRACK_DIR_MIN)
        return 0;
    if (!(mt->dir = charge_page(mt->charge)))
        return -KEEL_ENOMEM;
    memcpy(mt->dir, mt->chunk, sizeof(mt->chunk));
    return 0;
}

/* Add one chunk; its slots below the limit go on the free list, lowest
 * first. */
static int grow(struct maptrack *mt)
{
    struct grant_mapping *c;
    uint32_t base = mt->nr_chunks * MAPTRACK_CHUNK;
    uint32_t n = MIN((uint32_t)MAPTRACK_CHUNK, mt->max - MIN(base, mt->max));

    if (n == 0)
        return -KEEL_ENOSPC;
    if (make_room(mt) || !(c = charge_page(mt->charge)))
        return -KEEL_ENOMEM;
    for (uint32_t i = 0; i < n; i++)
        c[i].next_free = i + 1 < n ? base + i + 1 : mt->free_head;
    if (mt->dir)
        mt->dir[mt->nr_chunks++] = c;
    else
        mt->chunk[mt->nr_chunks++] = c;
    mt->free_head = base;
    return 0;
}

long maptrack_alloc(struct maptrack *mt)
{
    uint32_t h;
    int rc;

    if (mt->free_head == MAPTRACK_NONE && (rc = grow(mt)))
        return rc;
    h = mt->free_head;
    mt->free_head = slot(mt, h)->next_free;
    slot(mt, h)->next_free = MAPTRACK_NONE;
    mt->nr_used++;
    return h;
}

void maptrack_free(struct maptrack *mt, uint32_t h)
{
    struct grant_mapping *m = slot(mt, h);

    memset(&m->pin, 0, sizeof(m->pin));
    m->device = false;
    m->next_free = mt->free_head;
    mt->free_head = h;
    mt->nr_used--;
}

struct grant_mapping *maptrack_get(struct maptrack *mt, uint64_t h)
{
    struct grant_mapping *m;

    if (h >= (uint64_t)mt->nr_chunks * MAPTRACK_CHUNK)
        return NULL;
    m = slot(mt, (uint32_t)index_nospec(h, (uint64_t)mt->nr_chunks * MAPTRACK_CHUNK));
    return m->pin.gt ? m : NULL;
}

struct grant_mapping *maptrack_get_slot(struct maptrack *mt, uint32_t h)
{
    return slot(mt, h);
}

void maptrack_destroy(struct maptrack *mt)
{
    for (uint32_t i = 0; i < mt->nr_chunks; i++)
        charge_page_free(chunk(mt, i));
    if (mt->dir)
        charge_page_free(mt->dir);
    maptrack_init(mt, mt->charge, mt->max);
}
