/*
 * The hosts table in guests (hosts.h).
 */
#include <string.h>
#include <keel/hosts.h>
#include <keel/image_note.h>
#include <keel/launch.h>
#include "builder.h"
#include "foreign.h"
#include "hc.h"
#include "hosts.h"

static const struct keel_hosts_header *hosts_table;   /* NULL: none */
static uint64_t hosts_table_pages;

void hosts_init(const struct keel_start_info *si)
{
    const struct keel_module *m = (const struct keel_module *)(uintptr_t)si->modules_va +
                                  KEEL_HOSTS_MODULE;

    if (si->nr_modules <= KEEL_HOSTS_MODULE ||
        strncmp(m->name, KEEL_HOSTS_MODULE_NAME, KEEL_MODULE_NAME_MAX)) {
        hc_log("no hosts table: boot module %u is not \"%s\"", KEEL_HOSTS_MODULE,
               KEEL_HOSTS_MODULE_NAME);
        return;
    }
    const struct keel_hosts_header *h = (const void *)(uintptr_t)m->va;
    uint64_t pages = m->bytes / KEEL_PAGE_SIZE;
    /* whole pages only (MAP_MODULE never maps a module's partial page) */
    if (pages == 0 || memcmp(h->magic, KEEL_HOSTS_MAGIC, sizeof(h->magic)) ||
        h->version != KEEL_HOSTS_VERSION || h->total_bytes > pages * KEEL_PAGE_SIZE) {
        hc_log("hosts table: malformed (%llu bytes): guests get none",
               (unsigned long long)m->bytes);
        return;
    }
    hosts_table = h;
    hosts_table_pages = pages;
    hc_log("hosts table: %u names, %llu pages", h->count, (unsigned long long)pages);
}

uint64_t hosts_pages(const struct guest *g)
{
    return g->info.devices & KEEL_NOTE_DEV_NET ? hosts_table_pages : 0;
}

long hosts_map(const struct guest *g, uint64_t gva)
{
    struct keel_domctl op = { .cmd = KEEL_DOMCTL_MAP_MODULE, .domid = g->domid };
    uint64_t n = hosts_pages(g);

    if (!n)
        return 0;
    op.u.map_module.gva = gva;
    op.u.map_module.npages = n;
    op.u.map_module.module = KEEL_HOSTS_MODULE;
    op.u.map_module.rights = KEEL_RIGHT_R;
    if (hc_domctl(&op) >= 0)
        return 0;
    return foreign_load(g->domid, gva, gva + n * KEEL_PAGE_SIZE, gva, hosts_table,
                        n * KEEL_PAGE_SIZE);
}
