/*
 * Every check of a grant operation's arguments and of a guest's grant entry,
 * in one place.  Pure functions of their inputs (host-tested in
 * tests/unit/hv_grant_test.c); the callers look memory up only after these
 * said yes.
 *
 * A grant entry is read from the granter's memory as one 64-bit value
 * (flags | domid << 16 | page << 32, little endian), so the decision is
 * made on a snapshot the granter cannot change halfway.
 *
 * A grant never gives more than the granter has: the page's own rights in
 * the granter's address space bound every use (grant_check_page).  Pages
 * the builder gives a guest read-only (text, rodata, start info, device
 * page) are read-only to every grantee; a guard page (rights 0, frame
 * kept) is nobody's to use.  Rights alone decide: the pages the hypervisor
 * or the builder own are either outside the granter's memory or not
 * AS_OWNED (shared-info, boot module pages) or read-only to the guest.
 */
#include <hv/grant.h>
#include <hv/mm.h>

uint64_t grant_entry_pack(uint16_t flags, keel_domid_t domid, uint32_t page)
{
    return flags | (uint64_t)domid << 16 | (uint64_t)page << 32;
}

uint16_t grant_entry_flags(uint64_t e) { return (uint16_t)e; }
uint32_t grant_entry_page(uint64_t e) { return (uint32_t)(e >> 32); }
static keel_domid_t entry_domid(uint64_t e) { return (keel_domid_t)(e >> 16); }

int grant_check_entry(uint64_t e, keel_domid_t caller, bool rw)
{
    uint16_t flags = grant_entry_flags(e);

    if (!(flags & KEEL_GTF_PERMIT) || entry_domid(e) != caller)
        return -KEEL_ENOENT;
    if (rw && (flags & KEEL_GTF_READONLY))
        return -KEEL_EACCES;
    return 0;
}

int grant_check_page(unsigned rights, unsigned flags, bool rw)
{
    if (!(flags & AS_OWNED))
        return -KEEL_EINVAL;
    if (!(rights & KEEL_RIGHT_R))
        return -KEEL_EACCES;
    if (rw && (!(rights & KEEL_RIGHT_W) || (rights & KEEL_RIGHT_X)))
        return -KEEL_EACCES;
    return 0;
}

int grant_check_setup(uint64_t gva, uint64_t nr_entries, uint64_t mem_pages)
{
    uint64_t pages, first;

    if (nr_entries == 0 || nr_entries > KEEL_GRANT_MAX_ENTRIES)
        return -KEEL_EINVAL;
    if (gva % KEEL_PAGE_SIZE || gva < KEEL_GUEST_BASE)
        return -KEEL_EINVAL;
    pages = (nr_entries + KEEL_GRANT_ENTRIES_PER_PAGE - 1) / KEEL_GRANT_ENTRIES_PER_PAGE;
    first = (gva - KEEL_GUEST_BASE) / KEEL_PAGE_SIZE;   /* no overflow: gva >= base */
    if (first >= mem_pages || pages > mem_pages - first)
        return -KEEL_EINVAL;
    return 0;
}

/* One side of a segment stays inside one page. */
static bool side_in_page(const struct keel_grant_copy_ptr *p, bool gref, uint16_t len)
{
    uint64_t start = gref ? p->offset : p->gva % KEEL_PAGE_SIZE;

    return start + len <= KEEL_PAGE_SIZE;
}

int grant_check_copy(const struct keel_grant_copy *c)
{
    const uint16_t known = KEEL_GRANT_COPY_SRC_GREF | KEEL_GRANT_COPY_DST_GREF;
    bool sg = c->flags & KEEL_GRANT_COPY_SRC_GREF, dg = c->flags & KEEL_GRANT_COPY_DST_GREF;

    if (c->flags & ~known || !(sg || dg))
        return -KEEL_EINVAL;
    if (c->len > KEEL_PAGE_SIZE)
        return -KEEL_EINVAL;
    if (!side_in_page(&c->src, sg, c->len) || !side_in_page(&c->dst, dg, c->len))
        return -KEEL_EINVAL;
    return 0;
}

int grant_resolve_domid(uint32_t domid, keel_domid_t self, keel_domid_t *out)
{
    if (domid == KEEL_DOMID_SELF)
        domid = self;
    if (domid > KEEL_DOMID_MAX)
        return -KEEL_ESRCH;
    *out = (keel_domid_t)domid;
    return 0;
}
