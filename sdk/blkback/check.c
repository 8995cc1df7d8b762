/*
 * blkback's request checks (blkback.h, bb_check) and the settings of a
 * virtual disk: pure functions, unit-tested on the host
 * (tests/unit/blkback_check_test.c).
 *
 * Order: what the request is (operation, flags), then its shape (segment
 * count, each segment inside its page), then where it goes (alignment,
 * the disk's end, with no overflow), and only then what the disk allows
 * (read-only, discard): so a malformed write to a read-only disk is
 * KEEL_BLK_ERROR, a well-formed one KEEL_BLK_EROFS.
 */
#include <keel/abi.h>
#include <blkback/blkback.h>

static int check_segments(const struct keel_blk_settings *s,
                          const struct keel_blk_req *r, uint64_t *sectors)
{
    uint64_t n = 0;

    if (r->nr_segs == 0 || r->nr_segs > s->max_segs || r->nr_segs > KEEL_BLK_SEGS_MAX)
        return KEEL_BLK_ERROR;
    for (unsigned i = 0; i < r->nr_segs; i++) {
        const struct keel_blk_seg *g = &r->seg[i];
        if (g->pad || g->first_sect > g->last_sect ||
            g->last_sect >= KEEL_BLK_SECTORS_PER_PAGE)
            return KEEL_BLK_ERROR;
        n += (uint64_t)(g->last_sect - g->first_sect + 1);
    }
    *sectors = n;
    return KEEL_BLK_OK;
}

/* [sector, sector + n) lies inside the disk and is aligned to its sector */
static int check_range(const struct keel_blk_settings *s, uint64_t sector,
                       uint64_t n)
{
    uint64_t align = s->sector_size / KEEL_BLK_SECTOR;

    if (n == 0 || sector % align || n % align)
        return KEEL_BLK_ERROR;
    if (sector > s->sectors || n > s->sectors - sector)
        return KEEL_BLK_ERROR;
    return KEEL_BLK_OK;
}

static int check_rw(const struct keel_blk_settings *s,
                    const struct keel_blk_req *r, uint32_t *bytes)
{
    uint64_t n;
    int st;

    if (r->nr_sectors || (st = check_segments(s, r, &n)) ||
        (st = check_range(s, r->sector, n)))
        return r->nr_sectors ? KEEL_BLK_ERROR : st;
    if (r->op == KEEL_BLK_OP_WRITE && (s->flags & KEEL_BLK_F_RO))
        return KEEL_BLK_EROFS;
    *bytes = (uint32_t)(n * KEEL_BLK_SECTOR);
    return KEEL_BLK_OK;
}

int bb_check(const struct keel_blk_settings *s, const struct keel_blk_req *r,
             uint32_t *bytes)
{
    int st;

    *bytes = 0;
    if (r->flags)
        return KEEL_BLK_ERROR;
    switch (r->op) {
    case KEEL_BLK_OP_READ:
    case KEEL_BLK_OP_WRITE:
        return check_rw(s, r, bytes);
    case KEEL_BLK_OP_FLUSH:
        return r->nr_segs || r->nr_sectors ? KEEL_BLK_ERROR : KEEL_BLK_OK;
    case KEEL_BLK_OP_DISCARD:
        if (r->nr_segs || (st = check_range(s, r->sector, r->nr_sectors)))
            return KEEL_BLK_ERROR;
        if (s->flags & KEEL_BLK_F_RO)
            return KEEL_BLK_EROFS;
        return (s->flags & KEEL_BLK_F_DISCARD) ? KEEL_BLK_OK : KEEL_BLK_NOTSUPP;
    default:
        return KEEL_BLK_ERROR;
    }
}

int bb_settings(const struct bb_dev_info *info, uint64_t first,
                uint64_t sectors, bool read_only, struct keel_blk_settings *out)
{
    uint64_t align = info->sector_size / KEEL_BLK_SECTOR;
    uint32_t segs = info->max_bytes / KEEL_PAGE_SIZE;
    bool ro = read_only || info->read_only;

    if (!align || first % align || sectors % align || !sectors ||
        first > info->sectors || sectors > info->sectors - first || !segs)
        return -KEEL_EINVAL;
    *out = (struct keel_blk_settings){
        .sectors = sectors, .sector_size = info->sector_size,
        .flags = (ro ? KEEL_BLK_F_RO : 0) | (info->flush ? KEEL_BLK_F_FLUSH : 0) |
                 (info->discard && !ro ? KEEL_BLK_F_DISCARD : 0),
        .max_segs = (uint16_t)(segs < KEEL_BLK_SEGS_MAX ? segs : KEEL_BLK_SEGS_MAX),
        .version = KEEL_BLK_VERSION,
    };
    return 0;
}
