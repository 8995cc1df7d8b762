/*
 * The check of the launcher's host I/O header (keel/hostio.h), done once
 * at boot by hostio.c, and the output doorbell's decision.  Pure (no
 * hypervisor state), so that tests/unit/hv_hostio_test.c runs them on the
 * host with hostile headers and against the launcher's side.
 */
#include <stdbool.h>
#include <stddef.h>
#include <keel/hostio.h>

#define HOSTIO_PAGE 4096u

const char *hostio_layout_error(const struct keel_hostio_header *h, uint64_t bar);
bool hostio_out_take_waiting(struct keel_hostio_header *h);

static bool pow2(uint64_t v) { return v && !(v & (v - 1)); }

static bool area_ok(uint64_t off, uint64_t size, uint64_t total)
{
    return pow2(size) && size >= HOSTIO_PAGE && !(off & (HOSTIO_PAGE - 1)) &&
           off >= KEEL_HOSTIO_HDR_SIZE && off + size <= total;
}

/* The header as the launcher wrote it, checked against the BAR's size. */
const char *hostio_layout_error(const struct keel_hostio_header *h, uint64_t bar)
{
    uint64_t oo = h->out_offset, os = h->out_size;
    uint64_t io = h->in_offset, is = h->in_size;

    if (h->magic != KEEL_HOSTIO_MAGIC)
        return "no magic";
    if (h->version != KEEL_HOSTIO_VERSION)
        return "unknown version";
    if (h->hdr_size != KEEL_HOSTIO_HDR_SIZE || h->total_size != bar)
        return "sizes do not match the device";
    if (!area_ok(oo, os, bar) || !area_ok(io, is, bar))
        return "bad ring area";
    if (oo < io + is && io < oo + os)
        return "rings overlap";
    return NULL;
}


/*
 * After publishing out.prod: does the launcher sleep, waiting for it?  The
 * fence orders our prod store before the load of out_waiting; the launcher
 * stores out_waiting before it loads prod (keel/hostio.h), so one of us
 * sees the other.  The exchange answers each of its waits once; any
 * non-zero value counts (garbage costs a doorbell, nothing more).
 */
bool hostio_out_take_waiting(struct keel_hostio_header *h)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return __atomic_exchange_n(&h->out_waiting, 0, __ATOMIC_SEQ_CST) != 0;
}
