/*
 * The run's hosts table (keel/hosts.h), read in place: checked once, then
 * binary-searched by name and scanned by address.  The launcher wrote it,
 * but it is checked as untrusted input all the same: every offset and
 * length inside the table, every name NUL-terminated where its length
 * says and without a NUL inside, the names in strictly ascending order.
 * A table that fails any check is not used at all.  Pure (host unit test
 * tests/unit/sockets_hosts_table_test.c).
 */
#include <string.h>
#include <keel/hosts.h>
#include "sk_impl.h"

#define ENTRY_BYTES sizeof(struct keel_hosts_entry)

static const char *name_of(const struct sk_table *t, const struct keel_hosts_entry *e)
{
    return t->names + e->name_off;
}

/* Entry i's name lies inside the names, ends in a NUL, holds none, and
 * sorts after entry i - 1's. */
static int entry_ok(const struct sk_table *t, uint32_t i)
{
    const struct keel_hosts_entry *e = &t->e[i], *prev = &t->e[i - (i > 0)];

    if (e->name_len == 0 || e->name_len > KEEL_HOSTS_NAME_MAX ||
        e->name_off >= t->names_bytes || e->name_len >= t->names_bytes - e->name_off)
        return 0;
    if (name_of(t, e)[e->name_len] != '\0' || memchr(name_of(t, e), '\0', e->name_len))
        return 0;
    return i == 0 || keel_hosts_name_cmp(name_of(t, prev), prev->name_len,
                                         name_of(t, e), e->name_len) < 0;
}

int sk_table_check(const void *table, uint64_t bytes, struct sk_table *out)
{
    const struct keel_hosts_header *h = table;
    const uint8_t *base = table;
    struct sk_table t;

    memset(out, 0, sizeof(*out));
    if (!table || (uintptr_t)table % 4 || bytes < sizeof(*h) ||
        memcmp(h->magic, KEEL_HOSTS_MAGIC, sizeof(h->magic)) ||
        h->version != KEEL_HOSTS_VERSION || h->entry_bytes != ENTRY_BYTES ||
        h->total_bytes > bytes || h->total_bytes < sizeof(*h))
        return -1;
    /* each comparison keeps the next subtraction from wrapping */
    if (h->entries_off < sizeof(*h) || h->entries_off % 4 ||
        h->entries_off > h->total_bytes ||
        h->count > (h->total_bytes - h->entries_off) / ENTRY_BYTES ||
        h->names_off > h->total_bytes || h->names_bytes > h->total_bytes - h->names_off)
        return -1;
    t = (struct sk_table){ (const struct keel_hosts_entry *)(base + h->entries_off),
                           h->count, (const char *)base + h->names_off, h->names_bytes };
    for (uint32_t i = 0; i < t.count; i++)
        if (!entry_ok(&t, i))
            return -1;
    *out = t;
    return 0;
}

int sk_table_lookup(const struct sk_table *t, const char *name, size_t len,
                    uint32_t *addr)
{
    size_t lo = 0, hi = t->count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct keel_hosts_entry *e = &t->e[mid];
        int c = keel_hosts_name_cmp(name, len, name_of(t, e), e->name_len);
        if (c == 0) {
            *addr = e->ipv4;
            return 0;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

const char *sk_table_name(const struct sk_table *t, uint32_t addr)
{
    for (uint32_t i = 0; i < t->count; i++)
        if (t->e[i].ipv4 == addr)
            return name_of(t, &t->e[i]);
    return NULL;
}
