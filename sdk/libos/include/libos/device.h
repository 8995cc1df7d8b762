/*
 * The device page (keel/device.h) as the libos checked it.
 *
 * Contract:
 *  - libos_device_find() returns this domain's entry of the given type
 *    whose name is `name` (NULL: any name), or NULL when there is none or
 *    the page is malformed (bad magic or version, too many entries).
 *  - For a GRANTER entry the ring pages [ring_va, ring_va + ring_pages
 *    pages) have been checked to lie inside the domain's memory, page
 *    aligned; entries that fail the check are never returned.
 *  - The page is read-only and lives as long as the domain.
 */
#ifndef LIBOS_DEVICE_H
#define LIBOS_DEVICE_H

#include <keel/device.h>

const struct keel_device *libos_device_find(uint32_t type, const char *name);

#endif /* LIBOS_DEVICE_H */
