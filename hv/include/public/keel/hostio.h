/*
 * The host I/O path: shared memory between the hypervisor and the host
 * launcher, over QEMU's ivshmem-plain PCI device (vendor 0x1af4, device
 * 0x1110; the memory is BAR 2, a 64-bit memory BAR).  It carries exactly
 * the byte streams of keel/console.h, so both sides keep their record
 * parsers:
 *
 *   out   hypervisor -> launcher: the SOH 'K' output records, the poweroff
 *         record last
 *   in    launcher -> hypervisor: the console input records (stdin, EOF)
 *
 * Each direction is a keel/stream.h byte stream with free-running counters
 * (the event indices are unused).  ivshmem-plain has no interrupt in
 * either direction, so the serial line is the doorbell both ways, and each
 * side says in the header when it is about to sleep.
 *
 * Input (`in`, in_waiting):
 *   hypervisor, on finding `in` empty: store in_waiting = 1, full fence,
 *       read in.prod again; if it moved, read on (in_waiting stays 1);
 *       else wait for a byte on COM1.  Bytes on COM1 mean nothing else in
 *       this mode and are thrown away, before in_waiting is set.
 *   launcher, after publishing in.prod: full fence, then atomically
 *       exchange in_waiting with 0; if it was 1, write one byte (any
 *       value) to the serial line.
 *
 * Output (`out`, out_waiting; version 3):
 *   launcher, before it sleeps: store out_waiting = 1, full fence, read
 *       out.prod again; if the ring is not empty, drain it instead of
 *       sleeping; else sleep on the serial line (QEMU's stdout) with no
 *       timeout.  Once awake it stores out_waiting = 0 (fewer doorbells)
 *       and drains.
 *   hypervisor, after publishing out.prod (at the end of each console
 *       write, and before it waits on a full ring): full fence, then
 *       atomically exchange out_waiting with 0; if it was non-zero, write
 *       KEEL_HOSTIO_DOORBELL to the UART, under the console lock (so never
 *       inside a serial record), and only if the transmitter is idle:
 *       a busy one holds bytes that will reach the launcher after this
 *       moment and wake it just as well, and the hypervisor never waits
 *       for the launcher because of a doorbell.  The launcher's record
 *       parser drops KEEL_HOSTIO_DOORBELL outside records (it is neither
 *       SOH nor a byte a record header may hold, nor text a log contains).
 *
 * No wake-up is lost, in either direction: each side stores its own word
 * (the counter it publishes, or the flag saying it will sleep), fences,
 * then loads the other side's; under the fences one of the two loads sees
 * the other side's store.  Either the sleeper's second look sees the new
 * bytes (it does not sleep), or the publisher sees the flag (it rings);
 * both may happen (one spare doorbell, harmless).  The exchange answers
 * each wait with at most one doorbell.  A full `out` ring is not empty, so
 * the launcher never sleeps on one with out_waiting unset, and the
 * hypervisor rings before it spins on one.  A hypervisor without the
 * serial interrupt never sets in_waiting (and polls).  The launcher creates
 * the memory, writes the header and the layout, zeroes the counters and
 * stores `magic` last.  The hypervisor looks for the device once at boot;
 * if it finds it with a valid header it sends every record from then on
 * through `out` and reads input from `in`, and sets hv_state to
 * KEEL_HOSTIO_HV_ACTIVE.  Otherwise it keeps the serial port (COM1), as it
 * does for all output before the switch (its early boot log).
 *
 * Validity, checked once by the hypervisor (later changes to these fields
 * are ignored): magic and version match; total_size equals the BAR size;
 * each data area is a power of two >= 4096, 4096-aligned, inside
 * [KEEL_HOSTIO_HDR_SIZE, total_size) and the two do not overlap.
 * Either side that reads prod - cons > size on a stream stops using it.
 * The hypervisor waits (spins) while `out` is full: the launcher MUST keep
 * draining it while the machine runs.  Any non-zero out_waiting counts as
 * set: a launcher that always sets it costs one UART byte per console
 * write, never a wait.  A hypervisor of another version refuses the
 * header and keeps the serial line, so the launcher may always sleep
 * without a timeout: output comes on the serial line or rings it.  The
 * doorbell does not cover room in `in`: input the ring cannot take yet is
 * retried on a timer.
 */
#ifndef KEEL_PUBLIC_HOSTIO_H
#define KEEL_PUBLIC_HOSTIO_H

#include "abi.h"
#include "stream.h"

#define KEEL_HOSTIO_PCI_VENDOR  0x1af4u
#define KEEL_HOSTIO_PCI_DEVICE  0x1110u
#define KEEL_HOSTIO_BAR         2

#define KEEL_HOSTIO_MAGIC       0x4f49545354484b4bull  /* "KKHTSTIO" */
#define KEEL_HOSTIO_VERSION     3u     /* 2: in_waiting; 3: out_waiting */

/* The byte the hypervisor writes to the UART as the output doorbell (BEL). */
#define KEEL_HOSTIO_DOORBELL    0x07u
#define KEEL_HOSTIO_HDR_SIZE    4096u

/* The launcher's layout (the hypervisor accepts any valid one). */
#define KEEL_HOSTIO_OUT_SIZE    (2u << 20)
#define KEEL_HOSTIO_IN_SIZE     (1u << 20)
#define KEEL_HOSTIO_TOTAL_SIZE  (4u << 20)   /* a BAR: a power of two */

#define KEEL_HOSTIO_HV_ACTIVE   1u

struct keel_hostio_header {
    volatile uint64_t magic;        /* 0: stored last by the launcher */
    uint32_t version;               /* 8 */
    uint32_t hdr_size;              /* 12: KEEL_HOSTIO_HDR_SIZE */
    uint64_t total_size;            /* 16: the whole shared memory */
    uint32_t out_offset, out_size;  /* 24: hypervisor -> launcher data */
    uint32_t in_offset, in_size;    /* 32: launcher -> hypervisor data */
    volatile uint32_t hv_state;     /* 40: KEEL_HOSTIO_HV_ACTIVE once used */
    volatile uint32_t in_waiting;   /* 44: hv sleeps: ring it on input */
    volatile uint32_t out_waiting;  /* 48: launcher sleeps: ring it on output */
    uint32_t pad0[3];
    struct keel_stream out;         /* 64 */
    uint32_t pad1[12];
    struct keel_stream in;          /* 128 */
    uint32_t pad2[12];
};

#ifndef __cplusplus
_Static_assert(sizeof(struct keel_hostio_header) == 192, "hostio header layout");
#endif

#endif /* KEEL_PUBLIC_HOSTIO_H */
