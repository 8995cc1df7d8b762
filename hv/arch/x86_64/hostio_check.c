/*
 * The check of the launcher's host I/O header (keel/hostio.h), done once
 * at boot by hostio.c.  Pure (no hypervisor state), so that
 * tests/unit/hv_hostio_test.c runs it on the host with hostile headers.
 */
#include <stdbool.h>
#include <stddef.h>
#include <keel/hostio.h>

#define HOSTIO_PAGE 4096u

const char *hostio_layout_error(const struct keel_hostio_header *h, uint64_t bar);

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

