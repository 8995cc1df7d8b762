/*
 * Inter-domain channels: a reliable byte stream in each direction between
 * two guests, in the spirit of Xen's vchan.  The toolstack wires a channel
 * when asked (`keel run --connect A:B:NAME`): guest A is the GRANTER, guest B
 * the MAPPER (keel/device.h), and both find a KEEL_DEV_CHANNEL entry named
 * NAME in their device page.
 *
 * Pages (ring_pages = 1 + 2 * data_pages, data_pages a power of two):
 *
 *   page 0                        struct keel_channel_page
 *   pages 1 .. data_pages         data of the granter -> mapper stream
 *   pages 1 + data_pages .. end   data of the mapper -> granter stream
 *
 * The mapper maps the pages one grant at a time, so it must not assume they
 * are contiguous in its grant window: byte i of a data area is byte
 * i % KEEL_PAGE_SIZE of its page i / KEEL_PAGE_SIZE.  Each stream follows
 * keel/stream.h (free-running counters, size = data_pages * KEEL_PAGE_SIZE,
 * notification suppression through prod_event / cons_event).
 *
 * One event channel serves both directions: an end notifies after moving a
 * counter across the peer's event index, after a state change, and never
 * otherwise.
 *
 * States (struct keel_conn_header): the granter goes INITIALISED once its
 * pages are granted and its port bound, the mapper CONNECTED once mapped,
 * then the granter CONNECTED.  An end that will write no more sets CLOSING
 * after its last counter update (so a reader that sees CLOSING and an empty
 * stream has everything: end of file), CLOSED once it stopped touching the
 * pages.  An end that finds the peer's counters impossible (prod - cons >
 * size) or a state word outside KEEL_CONN_* stops using the stream, closes,
 * and reports an error to its application; it never follows such an index.
 * An end whose peer domain died sees its port become UNBOUND
 * (keel/event_channel.h) and treats the peer as CLOSED.
 */
#ifndef KEEL_PUBLIC_CHANNEL_H
#define KEEL_PUBLIC_CHANNEL_H

#include "abi.h"
#include "device.h"
#include "stream.h"

#define KEEL_CHANNEL_VERSION        1u
/* What the toolstack gives each direction: 64 KiB, enough to keep a
 * producer and a consumer on different vCPUs busy without a wake-up per
 * page; the limit keeps a channel below the grant window's share. */
#define KEEL_CHANNEL_DATA_PAGES     16u
#define KEEL_CHANNEL_MAX_DATA_PAGES 256u
#define KEEL_CHANNEL_RING_PAGES(dp) (1u + 2u * (dp))

/* Page 0 of a channel. */
struct keel_channel_page {
    struct keel_conn_header hdr;
    struct keel_stream to_mapper;    /* granter produces, mapper consumes */
    uint32_t pad0[12];               /* own cache line */
    struct keel_stream to_granter;   /* mapper produces, granter consumes */
    uint32_t pad1[12];
};

/* struct keel_device.settings of a KEEL_DEV_CHANNEL entry, written by the
 * toolstack; both ends get the same values. */
struct keel_channel_settings {
    uint32_t version;                /* KEEL_CHANNEL_VERSION */
    uint32_t data_pages;             /* per direction, power of two,
                                      * <= KEEL_CHANNEL_MAX_DATA_PAGES */
};

#ifdef __cplusplus
static_assert(sizeof(struct keel_channel_page) == 192, "channel page layout");
#else
_Static_assert(sizeof(struct keel_channel_page) == 192, "channel page layout");
_Static_assert(sizeof(struct keel_channel_settings) <= 64, "fits settings");
#endif

#endif /* KEEL_PUBLIC_CHANNEL_H */
