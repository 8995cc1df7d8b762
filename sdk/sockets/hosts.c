/*
 * The names this guest resolves without DNS (docs/net.md, "Names"): its
 * own few (localhost, its own name) in a small table, then the run's
 * hosts table, shared and read in place (hosts_table.c).  Both are set
 * once, the first time a name is looked at, by hosts_start.c from what
 * the domain was started with; then they only answer.  Pure (host unit
 * test tests/unit/sockets_names_test.c).
 */
#include <string.h>
#include <strings.h>
#include "sk_impl.h"

struct sk_host {
    char name[SK_HOST_NAME_MAX];
    uint32_t addr;
};

static struct sk_host table[SK_HOSTS_MAX];
static size_t count;
static int loaded;
static struct sk_table shared;          /* empty until attached */

static void load_once(void)
{
    if (!loaded) {
        loaded = 1;
        sk_hosts_load();
    }
}

/* The name's length without one trailing dot (a fully qualified name). */
static size_t name_len(const char *name)
{
    size_t n = strlen(name);

    return n && name[n - 1] == '.' ? n - 1 : n;
}

static struct sk_host *find(const char *name)
{
    size_t n = name_len(name);

    for (size_t i = 0; i < count; i++)
        if (strlen(table[i].name) == n && strncasecmp(table[i].name, name, n) == 0)
            return &table[i];
    return NULL;
}

int sk_hosts_add(const char *name, uint32_t addr)
{
    size_t n = name_len(name);
    struct sk_host *h = find(name);

    if (n == 0 || n >= SK_HOST_NAME_MAX || (!h && count == SK_HOSTS_MAX))
        return -1;
    if (!h) {
        h = &table[count++];
        memcpy(h->name, name, n);
        h->name[n] = '\0';
    }
    h->addr = addr;
    return 0;
}

int sk_hosts_attach(const void *t, uint64_t bytes)
{
    return sk_table_check(t, bytes, &shared);
}

int sk_hosts_lookup(const char *name, uint32_t *addr)
{
    const struct sk_host *h;

    load_once();
    if ((h = find(name))) {
        *addr = h->addr;
        return 0;
    }
    return sk_table_lookup(&shared, name, name_len(name), addr);
}

const char *sk_hosts_name(uint32_t addr)
{
    load_once();
    for (size_t i = 0; i < count; i++)
        if (table[i].addr == addr)
            return table[i].name;
    return sk_table_name(&shared, addr);
}

void sk_hosts_clear(void)
{
    count = 0;
    loaded = 1;
    memset(&shared, 0, sizeof(shared));
}
