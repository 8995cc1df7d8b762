/*
 * Every use of one grant, checked against what its granter may do with the
 * page (t_grant_uses.h).  Each use is undone at once, so a case that wrongly
 * succeeds (the old hypervisor) leaves nothing mapped and nothing changed.
 */
#include "t_grant_uses.h"

const enum page_access rights_access[RIGHTS_NR] = {
    PAGE_NONE, PAGE_READ, PAGE_READ, PAGE_READ, PAGE_WRITE,
};

static long gop(uint32_t cmd, uint64_t a1, uint64_t a2)
{
    return hc(KEEL_HC_GRANT_TABLE_OP, cmd, (long)a1, (long)a2);
}

long map(keel_domid_t dom, uint32_t ref, uint16_t flags, uint64_t *va, uint32_t *handle)
{
    struct keel_grant_map m;
    long rc;

    memset(&m, 0, sizeof(m));
    m.domid = dom;
    m.ref = ref;
    m.flags = flags;
    rc = gop(KEEL_GNTOP_MAP, (uint64_t)&m, 0);
    if (!rc) {
        *va = m.va;
        *handle = m.handle;
    }
    return rc;
}

/* MAP, read the first word, UNMAP: 0 or MAP's error. */
static long map_use(keel_domid_t dom, uint32_t ref, uint16_t flags, uint64_t *word)
{
    uint64_t va;
    uint32_t h;
    long rc = map(dom, ref, flags, &va, &h);

    if (rc)
        return rc;
    *word = *(volatile uint64_t *)va;
    return gop(KEEL_GNTOP_UNMAP, h, 0) ? -1000 : 0;
}

/* COPY the first word into the granted page (into) or out of it: 0 or the
 * segment's error. */
static long copy_use(keel_domid_t dom, uint32_t ref, int into, uint64_t *word)
{
    struct keel_grant_copy c;
    struct keel_grant_copy_ptr g = { .ref = ref, .domid = dom };
    long rc;

    memset(&c, 0, sizeof(c));
    c.len = sizeof(*word);
    if (into) {
        c.flags = KEEL_GRANT_COPY_DST_GREF;
        c.src.gva = (uint64_t)word;
        c.dst = g;
    } else {
        c.flags = KEEL_GRANT_COPY_SRC_GREF;
        c.src = g;
        c.dst.gva = (uint64_t)word;
    }
    rc = gop(KEEL_GNTOP_COPY, (uint64_t)&c, 1);
    return rc < 0 ? rc : c.status;
}

static int use_bad(const char *what, uint32_t ref, long rc, int allowed)
{
    long want = allowed ? 0 : -KEEL_EACCES;

    if (rc == want)
        return 0;
    outf("# ref %u: %s gave %ld, want %ld\n", ref, what, rc, want);
    return 1;
}

int grant_uses_bad(keel_domid_t dom, uint32_t ref, enum page_access access)
{
    uint64_t seen = 0, mapped = 0, back;
    int bad = 0;

    bad += use_bad("COPY out", ref, copy_use(dom, ref, 0, &seen), access >= PAGE_READ);
    bad += use_bad("MAP ro", ref, map_use(dom, ref, KEEL_GRANT_MAP_READONLY, &mapped),
                   access >= PAGE_READ);
    bad += mapped != seen;
    back = seen;
    bad += use_bad("COPY in", ref, copy_use(dom, ref, 1, &back), access == PAGE_WRITE);
    bad += use_bad("MAP rw", ref, map_use(dom, ref, 0, &mapped), access == PAGE_WRITE);
    bad += mapped != seen;
    return bad;
}
