/*
 * The hypervisor heap: kzalloc/kfree.
 *
 * Small sizes come from slabs: one page per slab, a 64-byte header at the
 * start of the page, equal objects after it, a free list threaded through
 * the free objects.  Larger sizes get their own run of contiguous pages
 * with the same header in front.  kfree finds the header by rounding the
 * pointer down to its page, so every block carries its size for free.
 * Objects of classes >= 64 start 64-byte aligned (header is 64 bytes and
 * classes are multiples of 64), which is what XSAVE areas need.
 *
 * Pure logic: pages come from heap_pages_get/put (hv/mm/phys.c in the
 * hypervisor, malloc in tests/unit/heap_test.c).
 */
#include <hv/mm.h>
#include <hv/lib.h>

#define HDR_SIZE   64
#define SLAB_MAGIC 0x4b534c42u   /* "KSLB" */
#define BIG_MAGIC  0x4b424947u   /* "KBIG" */

struct heap_hdr {
    uint32_t magic;
    uint32_t cls;                /* index into classes[], or pages for big */
    uint32_t inuse;              /* objects handed out from this slab */
    uint32_t pad;
    struct heap_hdr *next;       /* partial-slab list */
    void *free;                  /* free objects (slab) */
};
_Static_assert(sizeof(struct heap_hdr) <= HDR_SIZE, "heap header fits");

static const uint32_t classes[] = { 16, 32, 64, 128, 256, 512, 1344, 1984 };
#define NCLASSES ARRAY_SIZE(classes)
#define SLAB_MAX 1984

static struct heap_hdr *partial[NCLASSES];   /* slabs with free objects */
static spinlock_t heap_lock = SPINLOCK_INIT;

static unsigned class_of(size_t size)
{
    unsigned c = 0;

    while (classes[c] < size)
        c++;
    return c;
}

static struct heap_hdr *slab_new(unsigned c)
{
    struct heap_hdr *h = heap_pages_get(1);
    uint32_t sz = classes[c];
    char *obj = (char *)h + HDR_SIZE;

    if (!h)
        return NULL;
    h->magic = SLAB_MAGIC;
    h->cls = c;
    h->inuse = 0;
    h->free = NULL;
    for (; obj + sz <= (char *)h + PAGE_SIZE; obj += sz) {
        *(void **)obj = h->free;
        h->free = obj;
    }
    h->next = partial[c];
    partial[c] = h;
    return h;
}

static void *slab_alloc(size_t size)
{
    unsigned c = class_of(size);
    struct heap_hdr *h = partial[c];
    void *p;

    if (!h && !(h = slab_new(c)))
        return NULL;
    p = h->free;
    h->free = *(void **)p;
    h->inuse++;
    if (!h->free)
        partial[c] = h->next;      /* full: drop it from the list */
    memset(p, 0, classes[c]);
    return p;
}

static void *big_alloc(size_t size)
{
    uint64_t pages;
    struct heap_hdr *h;

    if (size > (1ull << 40))       /* also keeps the sum below from wrapping */
        return NULL;
    pages = (size + HDR_SIZE + PAGE_SIZE - 1) / PAGE_SIZE;
    h = heap_pages_get(pages);
    if (!h)
        return NULL;
    memset(h, 0, pages * PAGE_SIZE);
    h->magic = BIG_MAGIC;
    h->cls = (uint32_t)pages;
    return (char *)h + HDR_SIZE;
}

void *kzalloc(size_t size)
{
    void *p;

    if (size == 0)
        size = 1;
    spin_lock(&heap_lock);
    p = size <= SLAB_MAX ? slab_alloc(size) : big_alloc(size);
    spin_unlock(&heap_lock);
    return p;
}

static void unlink_partial(struct heap_hdr *h)
{
    struct heap_hdr **pp = &partial[h->cls];

    while (*pp && *pp != h)
        pp = &(*pp)->next;
    if (*pp)
        *pp = h->next;
}

static void slab_free(struct heap_hdr *h, void *p)
{
    uintptr_t off = (uintptr_t)p - (uintptr_t)h - HDR_SIZE;

    if (h->cls >= NCLASSES || off % classes[h->cls] || h->inuse == 0)
        panic("kfree: bad pointer %p", p);
    if (!h->free) {                /* was full: back on the partial list */
        h->next = partial[h->cls];
        partial[h->cls] = h;
    }
    *(void **)p = h->free;
    h->free = p;
    if (--h->inuse == 0) {         /* empty: give the page back */
        unlink_partial(h);
        h->magic = 0;
        heap_pages_put(h, 1);
    }
}

void kfree(void *p)
{
    struct heap_hdr *h;

    if (!p)
        return;
    h = (struct heap_hdr *)((uintptr_t)p & PAGE_MASK);
    spin_lock(&heap_lock);
    if (h->magic == SLAB_MAGIC) {
        slab_free(h, p);
    } else if (h->magic == BIG_MAGIC && (char *)p == (char *)h + HDR_SIZE) {
        h->magic = 0;
        heap_pages_put(h, h->cls);
    } else {
        spin_unlock(&heap_lock);
        panic("kfree: not a heap pointer %p", p);
    }
    spin_unlock(&heap_lock);
}
