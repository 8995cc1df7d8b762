/*
 * tests/guests/disk.c's DISCARD modes (blkfront_discard), included after
 * its helpers (bf, big, back, fill, fail):
 *   fill SEED      FILL_SECTORS of non-zero bytes from FILL_AT, flushed,
 *                  read back
 *   discard        DISCARD of that range, a flush: the host file's blocks
 *                  there go (keel run's discard=unmap)
 *   discardpast    DISCARDs past the disk's end and wrapping round are
 *                  refused (-KEEL_EINVAL, by blkback), then the whole disk
 *                  is discarded
 */
#define FILL_AT       2048u        /* 1 MiB in */
#define FILL_SECTORS  8192u        /* 4 MiB */

static void fill_range(unsigned seed)
{
    uint32_t step = BIG / 512;
    int rc;

    for (uint32_t at = 0; at < FILL_SECTORS; at += step) {
        uint32_t n = FILL_SECTORS - at < step ? FILL_SECTORS - at : step;
        fill(big, n * 512, seed, at);
        if ((rc = blkfront_write(bf, FILL_AT + at, big, n * 512)))
            fail("a fill write", rc);
    }
    if ((rc = blkfront_flush(bf)))
        fail("flush", rc);
    fill(big, BIG, seed, 0);
    if ((rc = blkfront_read(bf, FILL_AT, back, BIG)) || memcmp(back, big, BIG))
        fail("the fill read back", rc);
    printf("disk: filled %u sectors ok\n", FILL_SECTORS);
}

static void discard_range(void)
{
    int rc;

    if (!blkfront_discards(bf))
        fail("no discard on this disk", 0);
    if ((rc = blkfront_discard(bf, FILL_AT, FILL_SECTORS)) || (rc = blkfront_flush(bf)))
        fail("discard, flush", rc);
    printf("disk: discarded %u sectors ok\n", FILL_SECTORS);
}

static void discard_past(void)
{
    uint64_t end = blkfront_sectors(bf);
    int rc;

    if ((rc = blkfront_discard(bf, end - 8, 16)) != -KEEL_EINVAL)
        fail("a discard across the end", rc);
    if ((rc = blkfront_discard(bf, end, 8)) != -KEEL_EINVAL)
        fail("a discard past the end", rc);
    if ((rc = blkfront_discard(bf, ~0ull - 7, 16)) != -KEEL_EINVAL)
        fail("a discard that wraps", rc);
    if ((rc = blkfront_discard(bf, 0, (uint32_t)end)) || (rc = blkfront_flush(bf)))
        fail("the discard of the whole disk", rc);
    printf("disk: discards past the end refused EINVAL, the disk discarded ok\n");
}

/* read-only: the backend says EROFS (blkfront passes it on as for a write) */
static void discard_ro(void)
{
    int rc;

    if ((rc = blkfront_discard(bf, 0, 8)) != -KEEL_EROFS)
        fail("a discard on a read-only disk", rc);
}
