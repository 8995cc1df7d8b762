/*
 * The run's hosts table (keel/hosts.h), as bytes: one entry per guest with
 * a NIC at the plan's address, and `host` at the gateway when the run has
 * an uplink, sorted in the table's order.  Where names collide when case
 * is folded, the guest first on the command line keeps the name, and a
 * guest named like `host` keeps it from the machine.  Pure (unit test
 * tests/unit/keel_hosts_test.c); hosts_stage.c feeds it and writes it.
 */
#include <stdlib.h>
#include <string.h>

#include <keel/hosts.h>

#include "keel.h"

#define PAGE ((size_t)KEEL_PAGE_SIZE)

struct item {
    const char *name;
    size_t len;
    uint32_t ipv4;             /* network order */
    int order;                 /* command-line order; `host` after all */
};

static int by_name_then_order(const void *pa, const void *pb)
{
    const struct item *a = pa, *b = pb;
    int c = keel_hosts_name_cmp(a->name, a->len, b->name, b->len);

    return c ? c : (a->order > b->order) - (a->order < b->order);
}

/* The items to list, sorted, without folded duplicates; their count. */
static size_t collect(char *const *names, int n, const bool *nic, bool with_host,
                      struct item *it)
{
    size_t k = 0, kept = 0;

    for (int i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        if (nic[i] && len >= 1 && len <= KEEL_HOSTS_NAME_MAX)
            it[k++] = (struct item){ names[i], len,
                                     __builtin_bswap32(keel_net_plan_guest_ipv4((uint32_t)i)),
                                     i };
    }
    if (with_host)
        it[k++] = (struct item){ KEEL_HOSTS_HOST_NAME, strlen(KEEL_HOSTS_HOST_NAME),
                                 __builtin_bswap32(KEEL_NET_PLAN_GATEWAY), n };
    qsort(it, k, sizeof(*it), by_name_then_order);
    for (size_t i = 0; i < k; i++)
        if (!kept || keel_hosts_name_cmp(it[kept - 1].name, it[kept - 1].len,
                                         it[i].name, it[i].len))
            it[kept++] = it[i];
    return kept;
}

static void fill(uint8_t *t, const struct item *it, size_t count, size_t names_bytes)
{
    struct keel_hosts_header *h = (struct keel_hosts_header *)t;
    struct keel_hosts_entry *e = (struct keel_hosts_entry *)(t + sizeof(*h));
    size_t names_off = sizeof(*h) + count * sizeof(*e), at = 0;

    memcpy(h->magic, KEEL_HOSTS_MAGIC, sizeof(h->magic));
    h->version = KEEL_HOSTS_VERSION;
    h->count = (uint32_t)count;
    h->entry_bytes = sizeof(*e);
    h->entries_off = sizeof(*h);
    h->names_off = (uint32_t)names_off;
    h->names_bytes = (uint32_t)names_bytes;
    h->total_bytes = (uint32_t)(names_off + names_bytes);
    for (size_t i = 0; i < count; i++) {
        e[i] = (struct keel_hosts_entry){ (uint32_t)at, (uint16_t)it[i].len, 0,
                                          it[i].ipv4 };
        memcpy(t + names_off + at, it[i].name, it[i].len);
        at += it[i].len + 1;           /* the NUL: the buffer is zeroed */
    }
}

int keel_hosts_build(char *const *names, int n, const bool *nic, bool with_host,
                     uint8_t **out, size_t *len)
{
    struct item *it = n < 0 || n > KEEL_LAUNCH_MAX_GUESTS ? NULL :
                      malloc(((size_t)n + 1) * sizeof(*it));
    size_t count, names_bytes = 0, total;

    *out = NULL;
    if (!it)
        return -1;
    count = collect(names, n, nic, with_host, it);
    for (size_t i = 0; i < count; i++)
        names_bytes += it[i].len + 1;
    total = sizeof(struct keel_hosts_header) +
            count * sizeof(struct keel_hosts_entry) + names_bytes;
    *len = (total + PAGE - 1) / PAGE * PAGE;
    if ((*out = calloc(1, *len)))
        fill(*out, it, count, names_bytes);
    free(it);
    return *out ? 0 : -1;
}
