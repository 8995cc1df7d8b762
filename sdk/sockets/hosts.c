/*
 * The hosts table: the names this guest resolves without DNS (docs/net.md,
 * "Names").  It is filled once, the first time it is looked at, by
 * hosts_start.c from what the domain was started with; then it only
 * answers.  Pure (host unit test tests/unit/sockets_names_test.c).
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

int sk_hosts_lookup(const char *name, uint32_t *addr)
{
    const struct sk_host *h;

    load_once();
    if (!(h = find(name)))
        return -1;
    *addr = h->addr;
    return 0;
}

const char *sk_hosts_name(uint32_t addr)
{
    load_once();
    for (size_t i = 0; i < count; i++)
        if (table[i].addr == addr)
            return table[i].name;
    return NULL;
}

void sk_hosts_clear(void)
{
    count = 0;
    loaded = 1;
}
