/*
 * A guest's device page (keel/device.h) while the builder assembles it.
 *
 * The builder calls, for each guest:
 *   devpage_init            before anything else
 *   devpage_add_granter / devpage_add_mapper   from every device module's
 *                           plan step (console: console_plan; channels),
 *                           before the layout, since ring pages take room
 *   [CREATE]                the modules fill in ports (connect step) through
 *                           the entry pointers they got back
 *   devpage_place           once the layout knows where the rings go
 * and then writes dp->page into the guest, read-only.
 *
 * Grant references of a guest's GRANTER entries are handed out in order
 * from 0, so a MAPPER peer can be told the reference before the granter is
 * even created.  They stay below DEVPAGE_MAX_REFS, inside every libos's
 * table.
 */
#ifndef DOM0_DEVPAGE_H
#define DOM0_DEVPAGE_H

#include <stdint.h>
#include <keel/device.h>
#include <keel/domctl.h>

#define DEVPAGE_MAX_REFS 256u

struct devpage {
    struct keel_device_page page;
    uint32_t next_ref;        /* first unused grant reference */
    uint32_t ring_pages;      /* pages of every GRANTER entry together */
};

void devpage_init(struct devpage *dp);

/* This guest grants `pages` ring pages to peer.  Returns the entry (its
 * ring_ref set; port 0 until the caller sets it), or NULL when the page or
 * the reference range is full, pages is 0 or the name too long. */
struct keel_device *devpage_add_granter(struct devpage *dp, uint32_t type,
                                        const char *name, uint16_t peer,
                                        uint32_t pages);

/* This guest maps peer's references ring_ref .. + pages - 1; port is its
 * own port.  NULL when full or malformed. */
struct keel_device *devpage_add_mapper(struct devpage *dp, uint32_t type,
                                       const char *name, uint16_t peer,
                                       uint32_t ring_ref, uint32_t pages,
                                       uint32_t port);

/* Give GRANTER entries their ring_va, consecutively from rings_va. */
void devpage_place(struct devpage *dp, uint64_t rings_va);

/* The limits a guest with these devices is created with: the defaults
 * (keel/domctl.h: room for the libos's 512 grant references, which hold
 * every GRANTER entry's, 255 ports, 128 maps of its own), and on top of
 * those maps the ring pages of every MAPPER entry, which it maps all at
 * once. */
void devpage_limits(const struct devpage *dp, struct keel_domain_limits *l);

#endif /* DOM0_DEVPAGE_H */
