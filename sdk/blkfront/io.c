/*
 * blkfront's requests (blkfront.h): a slot per request in flight, the
 * pages its data needs taken from the granted pool (bf_impl.h); a write's
 * data is copied into them before the request is put, a read's copied
 * out when the answer comes.  A request on a zero-copy buffer (buffer.c)
 * names the buffer's own pages and copies nothing.
 *
 * The backend is not trusted further than keel/ring.h lets it be: an
 * answer whose id names no request in flight, or a corrupt producer
 * index, makes the disk dead (-KEEL_EPIPE from then on).
 */
#include <string.h>
#include <keel/abi.h>
#include <libos/thread.h>
#include <libos/time.h>
#include "bf_impl.h"

void bf_ring_init(struct blkfront *bf)
{
    struct keel_blk_sring *s = (void *)bf->page[1];
    struct keel_blk_page *pg = (void *)bf->page[0];

    pg->errors = pg->io_errors = 0;
    keel_blk_sring_init(s);
    keel_blk_front_init(&bf->ring, s, KEEL_PAGE_SIZE);
}

static bool gone(struct blkfront *bf)
{
    long st = libos_conn_peer_state(&bf->conn);
    return bf->dead || st < 0 || st == KEEL_CONN_CLOSED;
}

static int check_discard(const struct blkfront *bf, const struct blkfront_io *io)
{
    uint64_t align = bf->set.sector_size / KEEL_BLK_SECTOR;

    /* a read-only disk's backend answers EROFS, as for a write */
    if (!blkfront_discards(bf) && !(bf->set.flags & KEEL_BLK_F_RO))
        return -KEEL_ENOSYS;
    if (io->bytes || !io->sectors || io->sectors % align || io->sector % align)
        return -KEEL_EINVAL;
    return 0;
}

static int check(const struct blkfront *bf, const struct blkfront_io *io)
{
    uint64_t align = bf->set.sector_size / KEEL_BLK_SECTOR;

    if (io->op == KEEL_BLK_OP_DISCARD)
        return check_discard(bf, io);
    if (io->op == KEEL_BLK_OP_FLUSH)
        return io->bytes ? -KEEL_EINVAL : 0;
    if (io->op != KEEL_BLK_OP_READ && io->op != KEEL_BLK_OP_WRITE)
        return -KEEL_EINVAL;
    if (!io->bytes || io->bytes % bf->set.sector_size || io->sector % align ||
        io->bytes > (size_t)bf->set.max_segs * KEEL_PAGE_SIZE)
        return -KEEL_EINVAL;
    return 0;
}

static int free_slot(const struct blkfront *bf)
{
    for (unsigned s = 0; s < BLKFRONT_INFLIGHT; s++)
        if (!bf->slot[s].io)
            return (int)s;
    return -1;
}

/* n free pool pages into sl (all or none): true when they were there. */
static bool take_pages(struct blkfront *bf, struct bf_slot *sl, unsigned n)
{
    sl->npages = 0;
    for (unsigned p = 0; p < BLKFRONT_POOL_PAGES && sl->npages < n; p++)
        if (!(bf->busy[p / 64] & (1ull << (p % 64))))
            sl->page[sl->npages++] = (uint8_t)p;
    if (sl->npages < n) {
        sl->npages = 0;
        return false;
    }
    for (unsigned i = 0; i < n; i++)
        bf->busy[sl->page[i] / 64] |= 1ull << (sl->page[i] % 64);
    return true;
}

static void put_pages(struct blkfront *bf, struct bf_slot *sl)
{
    for (unsigned i = 0; i < sl->npages; i++)
        bf->busy[sl->page[i] / 64] &= ~(1ull << (sl->page[i] % 64));
    sl->npages = 0;
}

/* Between the caller's buffer and the slot's pages; to_pages: a write. */
static void copy_data(struct blkfront *bf, struct bf_slot *sl, void *buf,
                      size_t bytes, bool to_pages)
{
    for (unsigned i = 0; bytes; i++) {
        size_t n = bytes < KEEL_PAGE_SIZE ? bytes : KEEL_PAGE_SIZE;
        uint8_t *pg = bf->pool + (size_t)sl->page[i] * KEEL_PAGE_SIZE;
        uint8_t *b = (uint8_t *)buf + (size_t)i * KEEL_PAGE_SIZE;
        memcpy(to_pages ? pg : b, to_pages ? b : pg, n);
        bytes -= n;
    }
}

/* Publish what was put: one event for all of them (the backend's
 * req_event says whether it wants one at all). */
static void push(struct blkfront *bf)
{
    if (keel_blk_front_push(&bf->ring))
        libos_conn_notify(&bf->conn);
}

int blkfront_submit(struct blkfront *bf, struct blkfront_io *io)
{
    int rc, s;

    if (gone(bf))
        return -KEEL_EPIPE;
    if ((rc = check(bf, io)))
        return rc;
    if ((s = free_slot(bf)) < 0)
        return -KEEL_EAGAIN;
    struct bf_slot *sl = &bf->slot[s];
    struct keel_blk_req *r = keel_blk_front_next_req(&bf->ring);
    if (!r)
        return -KEEL_EAGAIN;       /* not with as many slots as the ring */
    const uint32_t *direct = io->bytes ? bf_buffer_refs(bf, io->buf, io->bytes) : NULL;
    sl->direct = direct != NULL;
    if (!direct &&
        !take_pages(bf, sl, (unsigned)((io->bytes + KEEL_PAGE_SIZE - 1) / KEEL_PAGE_SIZE)))
        return -KEEL_EAGAIN;       /* the pool is in flight: poll first */
    if (!direct && io->op == KEEL_BLK_OP_WRITE)
        copy_data(bf, sl, io->buf, io->bytes, true);
    *r = (struct keel_blk_req){ .op = (uint8_t)io->op, .id = (uint64_t)s,
                                .sector = io->op == KEEL_BLK_OP_FLUSH ? 0 : io->sector,
                                .nr_sectors = io->op == KEEL_BLK_OP_DISCARD ? io->sectors : 0 };
    unsigned sectors = (unsigned)(io->bytes / KEEL_BLK_SECTOR);
    for (unsigned p = 0; sectors; p++) {
        unsigned n = sectors < KEEL_BLK_SECTORS_PER_PAGE ? sectors : KEEL_BLK_SECTORS_PER_PAGE;
        r->seg[p] = (struct keel_blk_seg){ .gref = direct ? direct[p] : bf->ref[sl->page[p]],
                                           .last_sect = (uint8_t)(n - 1) };
        r->nr_segs++;
        sectors -= n;
    }
    sl->io = io;
    bf->inflight++;
    if (!bf->taking)
        push(bf);
    return 0;
}

static int status_of(int16_t st)
{
    switch (st) {
    case KEEL_BLK_OK:      return 0;
    case KEEL_BLK_EROFS:   return -KEEL_EROFS;
    case KEEL_BLK_NOTSUPP: return -KEEL_ENOSYS;
    case KEEL_BLK_EIO:     return -KEEL_EIO;
    default:               return -KEEL_EINVAL;
    }
}

/* Every answer there: its request's callback.  How many. */
static int take_each(struct blkfront *bf)
{
    struct keel_blk_rsp r;
    int n = 0, rc;

    while ((rc = keel_blk_front_take_rsp(&bf->ring, &r)) == 1) {
        struct bf_slot *sl = r.id < BLKFRONT_INFLIGHT ? &bf->slot[r.id] : NULL;
        if (!sl || !sl->io) {
            bf->dead = true;       /* an answer to nothing we asked */
            return n;
        }
        struct blkfront_io *io = sl->io;
        int st = status_of(r.status);
        if (st == 0 && io->op == KEEL_BLK_OP_READ && !sl->direct)
            copy_data(bf, sl, io->buf, io->bytes, false);
        put_pages(bf, sl);
        sl->io = NULL;
        bf->inflight--;
        io->done(io, st);
        n++;
    }
    if (rc == KEEL_RING_CORRUPT)
        bf->dead = true;
    return n;
}

/* take_each, with the requests the callbacks submit published together
 * at the end: one event for a batch of answers' worth of new requests,
 * not one each. */
static int take_answers(struct blkfront *bf)
{
    bool was = bf->taking;
    int n;

    bf->taking = true;
    n = take_each(bf);
    bf->taking = was;
    push(bf);
    return n;
}

static int woken(void *arg)
{
    return ((struct blkfront *)arg)->event;
}

/* The backend gone or dead: every request in flight ends with EPIPE. */
static int fail_all(struct blkfront *bf)
{
    int n = 0;

    for (unsigned s = 0; s < BLKFRONT_INFLIGHT; s++) {
        struct blkfront_io *io = bf->slot[s].io;
        if (io) {
            put_pages(bf, &bf->slot[s]);
            bf->slot[s].io = NULL;
            bf->inflight--;
            io->done(io, -KEEL_EPIPE);
            n++;
        }
    }
    return n;
}

int blkfront_poll(struct blkfront *bf, uint64_t deadline_ns)
{
    for (;;) {
        bf->event = 0;
        int n = take_answers(bf);
        if (n || !bf->inflight)
            return n;
        if (gone(bf))
            return fail_all(bf);
        if (keel_blk_front_final_check(&bf->ring) != 0)
            continue;              /* answers (or corruption) came meanwhile */
        if (!deadline_ns || libos_monotonic_ns() >= deadline_ns)
            return 0;
        push(bf);                  /* a callback's poll inside a batch */
        libos_thread_wait(woken, bf, deadline_ns);
    }
}

static void sync_done(struct blkfront_io *io, int status)
{
    *(int *)io->arg = status;
}

/* io (done and arg aside) and wait for its answer */
static int sync_io(struct blkfront *bf, struct blkfront_io *io)
{
    int status = 1, rc;

    io->done = sync_done;
    io->arg = &status;
    while ((rc = blkfront_submit(bf, io)) == -KEEL_EAGAIN)
        blkfront_poll(bf, LIBOS_FOREVER);
    if (rc)
        return rc;
    while (status == 1)
        blkfront_poll(bf, LIBOS_FOREVER);
    return status;
}

int blkfront_read(struct blkfront *bf, uint64_t sector, void *buf, size_t bytes)
{
    struct blkfront_io io = { .op = KEEL_BLK_OP_READ, .sector = sector, .buf = buf,
                              .bytes = bytes };
    return sync_io(bf, &io);
}

int blkfront_write(struct blkfront *bf, uint64_t sector, const void *buf, size_t bytes)
{
    struct blkfront_io io = { .op = KEEL_BLK_OP_WRITE, .sector = sector, .buf = (void *)buf,
                              .bytes = bytes };
    return sync_io(bf, &io);
}

int blkfront_flush(struct blkfront *bf)
{
    struct blkfront_io io = { .op = KEEL_BLK_OP_FLUSH };
    return sync_io(bf, &io);
}

int blkfront_discard(struct blkfront *bf, uint64_t sector, uint32_t sectors)
{
    struct blkfront_io io = { .op = KEEL_BLK_OP_DISCARD, .sector = sector,
                              .sectors = sectors };
    return sync_io(bf, &io);
}

bool blkfront_discards(const struct blkfront *bf)
{
    return bf->set.flags & KEEL_BLK_F_DISCARD;
}
