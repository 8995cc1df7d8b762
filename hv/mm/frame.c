/*
 * Physical frame allocator: one bit per 4 KiB frame, 1 = in use.
 *
 * Pure logic (no paging, no hardware): the caller describes RAM and the
 * ranges to keep out (low 1 MiB, the image, boot modules...) and says how
 * to reach a physical address; the bitmap itself is carved out of RAM.
 * Compiled into the hypervisor and into tests/unit/frame_test.c.
 *
 * Allocation is next-fit over 64-bit words, so a run of allocations is a
 * sequence of cheap scans; frame 0 is never handed out, so 0 can mean
 * failure.  One lock guards the bitmaps, the pool and the counters.
 *
 * The zero pool.  Idle CPUs call frames_prezero_some(): it takes a few free
 * frames out of the bitmap, zeroes them with the lock dropped, and pushes
 * them on a bounded stack of known-zero frames that frame_alloc_zeroed()
 * pops before it would allocate and zero one itself (CREATE zeroes every
 * guest frame; this moves that off its path).  Invariants:
 *   - a frame owned by the pool (being zeroed, or ready) has its bit set in
 *     `bitmap` (so no scan hands it out) and in `poolmap` (so frame_free of
 *     it panics as the double free it is); it leaves the pool only by a pop
 *     under the lock, so it is handed out once;
 *   - nfree counts pool frames as free: frames_free_count() is the same
 *     with or without a pool, and prezeroing never changes it;
 *   - bitmap-free frames = nfree - npool - nzeroing;
 *   - frame_alloc() takes from the bitmap first, then from the pool, then
 *     waits for frames being zeroed (a batch of a few pages, on a CPU with
 *     interrupts off): every free frame can be had;
 *   - frames_alloc_range() drains the pool back into the bitmap when it
 *     finds no run, so pool frames never split the memory it needs.
 * Freed frames go back to the bitmap dirty.
 *
 * Reserves.  frames_reserve() sets free frames aside for allocations that
 * must not fail later (a domain's hypervisor memory, hv/mm/charge.c):
 * nfree >= nreserved always, frame_alloc_reserved() takes one out of a
 * reserve, and every other allocation fails rather than take a frame the
 * reserves hold.
 */
#include <hv/mm.h>
#include <hv/lib.h>

static uint64_t *bitmap;        /* 1 = not free in the bitmap */
static uint64_t *poolmap;       /* 1 = owned by the zero pool */
static uint64_t nframes;        /* frames covered by the bitmap */
static uint64_t nfree, ntotal;  /* nfree includes the pool's frames */
static uint64_t hint;           /* word index to start the next search at */
static uint64_t pool[FRAME_POOL_MAX];   /* frame numbers, ready and zero */
static uint64_t npool, nzeroing, pool_cap;
static uint64_t nreserved;      /* free frames the reserves hold */
static void *(*frame_virt)(uint64_t pa);
static spinlock_t frame_lock = SPINLOCK_INIT;

#define LOW_RESERVED (1ull << 20)

static bool test_bit(uint64_t f) { return bitmap[f / 64] >> (f % 64) & 1; }
static void set_bit(uint64_t f) { bitmap[f / 64] |= 1ull << (f % 64); }
static void clear_bit(uint64_t f) { bitmap[f / 64] &= ~(1ull << (f % 64)); }
static bool in_pool(uint64_t f) { return poolmap[f / 64] >> (f % 64) & 1; }
static void pool_mark(uint64_t f, bool on)
{
    if (on)
        poolmap[f / 64] |= 1ull << (f % 64);
    else
        poolmap[f / 64] &= ~(1ull << (f % 64));
}

static bool overlaps(uint64_t s, uint64_t e, const struct phys_range *r, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (s < r[i].end && r[i].start < e)
            return true;
    return false;
}

/* Lowest page-aligned spot above 1 MiB inside RAM, clear of every reserved
 * range, that holds `bytes`. */
static uint64_t place_bitmap(const struct phys_range *ram, unsigned nram,
                             const struct phys_range *rsv, unsigned nrsv,
                             uint64_t bytes)
{
    for (unsigned i = 0; i < nram; i++) {
        uint64_t s = ALIGN_UP(MAX(ram[i].start, LOW_RESERVED), PAGE_SIZE);
        while (s + bytes <= ram[i].end && s + bytes > s) {
            if (!overlaps(s, s + bytes, rsv, nrsv))
                return s;
            s += PAGE_SIZE;
        }
    }
    return 0;
}

static void mark_range(uint64_t start, uint64_t end, bool used)
{
    for (uint64_t f = start / PAGE_SIZE; f < end / PAGE_SIZE && f < nframes; f++) {
        if (used && !test_bit(f)) {
            set_bit(f);
            nfree--;
        } else if (!used && test_bit(f)) {
            clear_bit(f);
            nfree++;
        }
    }
}

int frames_init(const struct phys_range *ram, unsigned nram,
                const struct phys_range *rsv, unsigned nrsv,
                void *(*to_virt)(uint64_t pa))
{
    uint64_t top = 0;

    for (unsigned i = 0; i < nram; i++)
        top = MAX(top, ram[i].end);
    nframes = top / PAGE_SIZE;
    uint64_t map_bytes = ALIGN_UP(nframes, 64) / 8;
    uint64_t bytes = ALIGN_UP(2 * map_bytes, PAGE_SIZE);   /* bitmap, poolmap */
    uint64_t at = place_bitmap(ram, nram, rsv, nrsv, bytes);
    if (!nframes || !at)
        return -1;
    bitmap = to_virt(at);
    poolmap = bitmap + map_bytes / 8;
    frame_virt = to_virt;
    memset(bitmap, 0xff, map_bytes);
    memset(poolmap, 0, map_bytes);
    nfree = npool = nzeroing = nreserved = 0;
    /* free the whole pages of RAM, then take back what must stay out */
    for (unsigned i = 0; i < nram; i++)
        mark_range(ALIGN_UP(ram[i].start, PAGE_SIZE), ram[i].end & PAGE_MASK, false);
    for (unsigned i = 0; i < nrsv; i++)
        mark_range(rsv[i].start & PAGE_MASK, ALIGN_UP(rsv[i].end, PAGE_SIZE), true);
    mark_range(0, LOW_RESERVED, true);
    mark_range(at, at + bytes, true);
    ntotal = nfree;
    pool_cap = MIN((uint64_t)FRAME_POOL_MAX, ntotal / 8);
    hint = 0;
    return 0;
}

/* Next-fit: a free frame from the bitmap, marked used; 0 if none.  Under
 * frame_lock; nfree is the caller's. */
static uint64_t bitmap_take(void)
{
    uint64_t words = ALIGN_UP(nframes, 64) / 64;

    for (uint64_t n = 0; n < words; n++) {
        uint64_t w = (hint + n) % words;
        if (bitmap[w] == ~0ull)
            continue;
        uint64_t f = w * 64 + (uint64_t)__builtin_ctzll(~bitmap[w]);
        if (f >= nframes)
            continue;
        set_bit(f);
        hint = w;
        return f;
    }
    return 0;
}

/* A ready frame off the pool: it stays used in the bitmap, now the
 * caller's.  Under frame_lock, npool > 0. */
static uint64_t pool_pop(void)
{
    uint64_t f = pool[--npool];

    pool_mark(f, false);
    nfree--;
    return f;
}

static bool bitmap_has_free(void) { return nfree > npool + nzeroing; }

/* May one frame be taken, out of a reserve or outside all of them? */
static bool may_take(bool reserved)
{
    return reserved ? nreserved > 0 : nfree > nreserved;
}

/* One frame for a caller, under frame_lock: a ready zero frame first when
 * `zero` (then *zeroed says so), else the bitmap's first, then the pool's.
 * Frame number, or 0 when none may be had. */
static uint64_t take_one(bool zero, bool reserved, bool *zeroed)
{
    uint64_t f = 0;

    *zeroed = false;
    /* frames being zeroed are someone's for a few microseconds (a CPU
     * with interrupts off): wait for them rather than fail with free
     * frames left */
    while (may_take(reserved) && !bitmap_has_free() && !npool && nzeroing) {
        spin_unlock(&frame_lock);
        cpu_relax();
        spin_lock(&frame_lock);
    }
    if (!may_take(reserved))
        return 0;
    if (npool && (zero || !bitmap_has_free())) {
        f = pool_pop();
        *zeroed = true;
    } else if (bitmap_has_free() && (f = bitmap_take()) != 0) {
        nfree--;
    }
    if (f && reserved)
        nreserved--;
    return f;
}

static uint64_t alloc_one(bool zero, bool reserved)
{
    bool zeroed;
    uint64_t pa;

    spin_lock(&frame_lock);
    pa = take_one(zero, reserved, &zeroed) * PAGE_SIZE;
    spin_unlock(&frame_lock);
    if (pa && zero && !zeroed)
        memset(frame_virt(pa), 0, PAGE_SIZE);
    return pa;
}

uint64_t frame_alloc(void) { return alloc_one(false, false); }
uint64_t frame_alloc_zeroed(void) { return alloc_one(true, false); }
uint64_t frame_alloc_reserved(void) { return alloc_one(true, true); }

/* The check and the count change under one lock: callers racing on other
 * CPUs never reserve between them more than the free frames less `keep`. */
bool frames_reserve_keeping(uint64_t n, uint64_t keep)
{
    bool ok;

    spin_lock(&frame_lock);
    ok = nfree >= nreserved && nfree - nreserved >= n && nfree - nreserved - n >= keep;
    if (ok)
        nreserved += n;
    spin_unlock(&frame_lock);
    return ok;
}

bool frames_reserve(uint64_t n) { return frames_reserve_keeping(n, 0); }

void frames_unreserve(uint64_t n)
{
    spin_lock(&frame_lock);
    if (n > nreserved) {
        spin_unlock(&frame_lock);
        panic("frames_unreserve: %lu of %lu", (unsigned long)n, (unsigned long)nreserved);
    }
    nreserved -= n;
    spin_unlock(&frame_lock);
}

uint64_t frames_reserved_count(void) { return nreserved; }

bool frames_prezero_some(unsigned max_pages)
{
    uint64_t batch[FRAME_PREZERO_MAX];
    unsigned n = 0;

    max_pages = MIN(max_pages, (unsigned)FRAME_PREZERO_MAX);
    /* a full pool is the common case: no lock for it */
    if (__atomic_load_n(&npool, __ATOMIC_RELAXED) >= pool_cap)
        return false;
    spin_lock(&frame_lock);
    while (n < max_pages && npool + nzeroing < pool_cap && bitmap_has_free()) {
        uint64_t f = bitmap_take();
        if (!f)
            break;
        pool_mark(f, true);
        nzeroing++;
        batch[n++] = f;
    }
    spin_unlock(&frame_lock);
    for (unsigned i = 0; i < n; i++)
        memset(frame_virt(batch[i] * PAGE_SIZE), 0, PAGE_SIZE);
    spin_lock(&frame_lock);     /* its release orders the zeroes before the push */
    for (unsigned i = 0; i < n; i++)
        pool[npool++] = batch[i];
    nzeroing -= n;
    spin_unlock(&frame_lock);
    return n != 0;
}

uint64_t frames_pool_count(void) { return npool; }

void frame_free(uint64_t pa)
{
    uint64_t f = pa / PAGE_SIZE;

    if ((pa & ~PAGE_MASK) || f == 0 || f >= nframes)
        panic("frame_free: bad frame %#lx", (unsigned long)pa);
    spin_lock(&frame_lock);
    if (!test_bit(f) || in_pool(f)) {
        spin_unlock(&frame_lock);
        panic("frame_free: double free of %#lx", (unsigned long)pa);
    }
    clear_bit(f);
    nfree++;
    spin_unlock(&frame_lock);
}

/* index of the first used frame in [f, f + n), or n */
static uint64_t first_used(uint64_t f, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (test_bit(f + i))
            return i;
    return n;
}

/* The first run of n free frames in the bitmap, marked used; 0 if none.
 * Under frame_lock. */
static uint64_t range_take(uint64_t n)
{
    for (uint64_t f = 1; f + n <= nframes; ) {
        uint64_t used = first_used(f, n);
        if (used < n) {
            f += used + 1;
            continue;
        }
        for (uint64_t i = 0; i < n; i++)
            set_bit(f + i);
        nfree -= n;
        return f;
    }
    return 0;
}

/* Every pool frame back to the bitmap (still counted free), once no frame
 * is being zeroed.  Under frame_lock. */
static void pool_drain(void)
{
    while (nzeroing) {
        spin_unlock(&frame_lock);
        cpu_relax();
        spin_lock(&frame_lock);
    }
    while (npool) {
        uint64_t f = pool[--npool];
        pool_mark(f, false);
        clear_bit(f);
    }
}

/* May a run of n frames be taken, out of the reserves or outside them? */
static bool may_take_run(uint64_t n, bool reserved)
{
    return reserved ? nreserved >= n : nfree >= nreserved && nfree - nreserved >= n;
}

/* n physically contiguous frames (first fit, slow path: boot, stacks,
 * large heap blocks, DMA pages).  Never from the pool as such; a failed
 * search drains the pool into the bitmap and looks once more.  A reserve
 * counts frames, not runs: a reserved run can still be missing. */
static uint64_t range_alloc(uint64_t n, bool reserved)
{
    uint64_t f = 0;

    if (n == 0 || n > nframes)
        return 0;
    spin_lock(&frame_lock);
    if (!may_take_run(n, reserved)) {
        spin_unlock(&frame_lock);
        return 0;
    }
    f = range_take(n);
    if (!f && (npool || nzeroing)) {
        pool_drain();
        f = range_take(n);
    }
    if (f && reserved)
        nreserved -= n;
    spin_unlock(&frame_lock);
    return f * PAGE_SIZE;
}

uint64_t frames_alloc_range(uint64_t n) { return range_alloc(n, false); }
uint64_t frames_alloc_range_reserved(uint64_t n) { return range_alloc(n, true); }

void frames_free_range(uint64_t pa, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        frame_free(pa + i * PAGE_SIZE);
}

uint64_t frames_free_count(void) { return nfree; }
uint64_t frames_total_count(void) { return ntotal; }
