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
 * failure.  One lock guards the bitmap and counters.
 */
#include <hv/mm.h>
#include <hv/lib.h>

static uint64_t *bitmap;
static uint64_t nframes;        /* frames covered by the bitmap */
static uint64_t nfree, ntotal;
static uint64_t hint;           /* word index to start the next search at */
static spinlock_t frame_lock = SPINLOCK_INIT;

#define LOW_RESERVED (1ull << 20)

static bool test_bit(uint64_t f) { return bitmap[f / 64] >> (f % 64) & 1; }
static void set_bit(uint64_t f) { bitmap[f / 64] |= 1ull << (f % 64); }
static void clear_bit(uint64_t f) { bitmap[f / 64] &= ~(1ull << (f % 64)); }

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
    uint64_t bytes = ALIGN_UP(ALIGN_UP(nframes, 64) / 8, PAGE_SIZE);
    uint64_t at = place_bitmap(ram, nram, rsv, nrsv, bytes);
    if (!nframes || !at)
        return -1;
    bitmap = to_virt(at);
    memset(bitmap, 0xff, bytes);
    nfree = 0;
    /* free the whole pages of RAM, then take back what must stay out */
    for (unsigned i = 0; i < nram; i++)
        mark_range(ALIGN_UP(ram[i].start, PAGE_SIZE), ram[i].end & PAGE_MASK, false);
    for (unsigned i = 0; i < nrsv; i++)
        mark_range(rsv[i].start & PAGE_MASK, ALIGN_UP(rsv[i].end, PAGE_SIZE), true);
    mark_range(0, LOW_RESERVED, true);
    mark_range(at, at + bytes, true);
    ntotal = nfree;
    hint = 0;
    return 0;
}

uint64_t frame_alloc(void)
{
    uint64_t words = ALIGN_UP(nframes, 64) / 64, pa = 0;

    spin_lock(&frame_lock);
    for (uint64_t n = 0; n < words; n++) {
        uint64_t w = (hint + n) % words;
        if (bitmap[w] == ~0ull)
            continue;
        uint64_t f = w * 64 + (uint64_t)__builtin_ctzll(~bitmap[w]);
        if (f >= nframes)
            continue;
        set_bit(f);
        nfree--;
        hint = w;
        pa = f * PAGE_SIZE;
        break;
    }
    spin_unlock(&frame_lock);
    return pa;
}

void frame_free(uint64_t pa)
{
    uint64_t f = pa / PAGE_SIZE;

    if ((pa & ~PAGE_MASK) || f == 0 || f >= nframes)
        panic("frame_free: bad frame %#lx", (unsigned long)pa);
    spin_lock(&frame_lock);
    if (!test_bit(f)) {
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

/* n physically contiguous frames (first fit, slow path: boot, stacks,
 * large heap blocks). */
uint64_t frames_alloc_range(uint64_t n)
{
    uint64_t pa = 0;

    if (n == 0)
        return 0;
    spin_lock(&frame_lock);
    for (uint64_t f = 1; f + n <= nframes; ) {
        uint64_t used = first_used(f, n);
        if (used < n) {
            f += used + 1;
            continue;
        }
        for (uint64_t i = 0; i < n; i++)
            set_bit(f + i);
        nfree -= n;
        pa = f * PAGE_SIZE;
        break;
    }
    spin_unlock(&frame_lock);
    return pa;
}

void frames_free_range(uint64_t pa, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        frame_free(pa + i * PAGE_SIZE);
}

uint64_t frames_free_count(void) { return nfree; }
uint64_t frames_total_count(void) { return ntotal; }
