/*
 * The run's hosts table (keel/hosts.h) in every guest with a NIC: boot
 * module 2, mapped read-only from the module's own frames
 * (KEEL_DOMCTL_MAP_MODULE), so a thousand guests share one copy and each
 * pays only page-table entries for it, in pages added on top of its
 * memory (layout.h).  dom0 checks only the header and the size; every
 * guest checks the rest before it reads a name (sdk/sockets/hosts_table.c).
 */
#ifndef DOM0_HOSTS_H
#define DOM0_HOSTS_H

#include <stdint.h>
#include <keel/start_info.h>

struct guest;

/* Finds and checks module KEEL_HOSTS_MODULE; a missing or malformed one
 * is logged and no guest gets a table. */
void hosts_init(const struct keel_start_info *si);

/* Pages of the table g gets: the whole table for a guest with a NIC, else
 * 0. */
uint64_t hosts_pages(const struct guest *g);

/* Its pages at gva (hosts_pages of them) in g's never-run domain: shared,
 * or copied should the hypervisor refuse to share them.  0 or -KEEL_E*. */
long hosts_map(const struct guest *g, uint64_t gva);

#endif /* DOM0_HOSTS_H */
