/*
 * The run's hosts table: the names a guest resolves without DNS
 * (docs/net.md, "Names").
 *
 * `keel run` writes one table per run, as boot module 2 (module string
 * KEEL_HOSTS_MODULE_NAME, keel/launch.h), padded with zeros to whole pages.
 * dom0 maps those pages read-only into every guest with a NIC, the same
 * frames for all of them (KEEL_DOMCTL_MAP_MODULE: no copy per guest), and
 * puts where they are in the guest's start info (hosts_va, hosts_bytes,
 * keel/start_info.h; both 0: no table).  A guest reads it in place.
 *
 * What it holds: one entry per guest of the run whose image asks for a NIC
 * (its devices note has KEEL_NOTE_DEV_NET), named as `keel run` named it
 * (its argv[0]), with the plan's address (keel_net_plan_guest_ipv4), and
 * the name "host" for the machine that runs `keel run`, at the plan's
 * gateway, unless the run has no uplink (--net none) or a guest is named
 * "host" (the guest keeps the name).  A guest without a NIC has no entry:
 * its name does not resolve, rather than to an address nobody answers.
 *
 * Layout, little endian, offsets from the table's first byte:
 *
 *   struct keel_hosts_header          at 0
 *   struct keel_hosts_entry[count]    at entries_off (4-byte aligned)
 *   names                             at names_off, names_bytes long:
 *                                     each entry's name at names_off +
 *                                     name_off, name_len bytes, then a NUL
 *
 * Entries are sorted by name, compared byte by byte with ASCII 'A'..'Z'
 * folded to 'a'..'z' (a name that is a prefix of another comes first),
 * and no two names are equal when folded: a reader binary-searches them.
 * Two guests whose names differ only in case ("Web", "web") cannot both
 * be listed: the first on the command line is.  Names are 1 ..
 * KEEL_HOSTS_NAME_MAX bytes without a NUL inside; a guest with a longer
 * name gets no entry.  Everything lies inside the table's total_bytes,
 * total_bytes inside hosts_bytes.
 *
 * A reader checks all of it before the first lookup (magic, version,
 * entry_bytes, every offset and length against total_bytes, each name's
 * NUL, the order), and ignores a table that fails any check: the
 * launcher wrote it, but a reader treats it as untrusted input.
 */
#ifndef KEEL_PUBLIC_HOSTS_H
#define KEEL_PUBLIC_HOSTS_H

#include "abi.h"

#define KEEL_HOSTS_MAGIC       "KEELHOST"   /* 8 bytes, no NUL */
#define KEEL_HOSTS_VERSION     1u
#define KEEL_HOSTS_MODULE_NAME "keel-hosts"
#define KEEL_HOSTS_NAME_MAX    253u         /* a DNS name's longest */
#define KEEL_HOSTS_HOST_NAME   "host"

struct keel_hosts_header {
    char     magic[8];        /* KEEL_HOSTS_MAGIC */
    uint32_t version;         /* KEEL_HOSTS_VERSION */
    uint32_t count;           /* entries */
    uint32_t entry_bytes;     /* sizeof(struct keel_hosts_entry) */
    uint32_t entries_off;
    uint32_t names_off;
    uint32_t names_bytes;
    uint32_t total_bytes;     /* header, entries and names */
    uint32_t pad;             /* 0 */
};

struct keel_hosts_entry {
    uint32_t name_off;        /* from names_off */
    uint16_t name_len;        /* 1 .. KEEL_HOSTS_NAME_MAX, without the NUL */
    uint16_t flags;           /* 0 */
    uint32_t ipv4;            /* network byte order */
};

/* The table's order: <0, 0, >0 as name a (alen bytes) sorts before, with,
 * after name b.  ASCII letters folded to lower case, bytes unsigned. */
static inline int keel_hosts_name_cmp(const char *a, size_t alen,
                                      const char *b, size_t blen)
{
    for (size_t i = 0; i < alen && i < blen; i++) {
        unsigned ca = (unsigned char)a[i], cb = (unsigned char)b[i];
        ca += ca - 'A' < 26u ? 'a' - 'A' : 0;
        cb += cb - 'A' < 26u ? 'a' - 'A' : 0;
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    return alen < blen ? -1 : alen > blen;
}

#ifndef __cplusplus
_Static_assert(sizeof(struct keel_hosts_header) == 40, "hosts header layout");
_Static_assert(sizeof(struct keel_hosts_entry) == 12, "hosts entry layout");
#endif

#endif /* KEEL_PUBLIC_HOSTS_H */
