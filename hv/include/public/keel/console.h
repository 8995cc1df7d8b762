/*
 * Console streams and the serial record format.
 *
 * Guests write to the console with KEEL_HC_CONSOLE_WRITE.  The hypervisor
 * owns the serial port (COM1) and frames every write as a record, so that the
 * host launcher (`keel run`) can demultiplex many domains and the hypervisor's
 * own log from one byte stream without ever corrupting a guest's bytes:
 *
 *   offset 0   0x01 (SOH)
 *   offset 1   'K'
 *   offset 2   4 lower-case hex digits: domain id (KEEL_DOMID_HV = ffff)
 *   offset 6   1 char: stream (see below)
 *   offset 7   4 lower-case hex digits: payload length N (<= 0xffff)
 *   offset 11  ':'
 *   offset 12  N payload bytes, verbatim (binary safe)
 *
 * Records from different CPUs never interleave.  Bytes outside records (the
 * firmware's, say) are not guest output; the launcher treats them as log.
 */
#ifndef KEEL_PUBLIC_CONSOLE_H
#define KEEL_PUBLIC_CONSOLE_H

#include "abi.h"
#include "device.h"
#include "stream.h"

/* stream argument of KEEL_HC_CONSOLE_WRITE */
#define KEEL_CONSOLE_STDOUT   1
#define KEEL_CONSOLE_STDERR   2
#define KEEL_CONSOLE_CONTROL  3   /* privileged domain -> launcher protocol */

#define KEEL_CONSOLE_WRITE_MAX 0x10000ul

/*
 * Writing on behalf of another domain (privileged domain only: the console
 * backend).  stream = KEEL_CONSOLE_STDOUT or _STDERR
 *                   | KEEL_CONSOLE_FOR | domid << KEEL_CONSOLE_DOMID_SHIFT
 * frames the bytes as that domain's record, so the launcher routes them as
 * the guest's own output.  -KEEL_EPERM for others, -KEEL_ESRCH for a domid
 * above KEEL_DOMID_MAX, -KEEL_EBADF for the control stream.
 */
#define KEEL_CONSOLE_FOR          (1u << 8)
#define KEEL_CONSOLE_DOMID_SHIFT  16
#define KEEL_CONSOLE_STREAM_MASK  0xffu

/*
 * Console input: long console_read(void *buf, size_t len), privileged only
 * (KEEL_HC_CONSOLE_READ).  The launcher frames its stdin on the serial line
 * as records with the output records' header (domain id ffff):
 *   stream KEEL_REC_STDIN  payload: input bytes, verbatim
 *   stream KEEL_REC_EOF    length 0: end of input, last record
 * Bytes outside records and records of other streams are dropped.  The
 * hypervisor reads the UART only while it has room for the bytes, so a slow
 * reader slows the sender instead of losing input.  console_read returns
 * the number of bytes copied (> 0), 0 when none is waiting yet, and
 * -KEEL_EPIPE once the EOF record has been read and every byte before it
 * was returned.  A call that returns 0 arms KEEL_VIRQ_CONSOLE: it fires
 * once input may be there (keel/event_channel.h says how to read; without
 * the interrupt the reader polls).  With the host I/O path the records
 * come through shared memory instead (keel/hostio.h).
 */
#define KEEL_REC_STDIN    'i'
#define KEEL_REC_EOF      'z'

/*
 * The console split driver (device type KEEL_DEV_CONSOLE, device name
 * "console", keel/device.h).  The guest is the GRANTER; dom0's console
 * backend the MAPPER.  ring_pages == KEEL_CONSOLE_RING_PAGES:
 *
 *   page 0        struct keel_console_page (control, input data)
 *   pages 1..2    stdout data, KEEL_CONSOLE_OUT_SIZE bytes (guest -> dom0)
 *   page 3        stderr data, KEEL_CONSOLE_ERR_SIZE bytes (guest -> dom0)
 *
 * Small on purpose: every guest has a console, and its pages are most of
 * what an idle guest's memory holds (docs/memory.md); a guest that writes
 * faster than dom0 drains waits for room, as it would with any size.
 *
 * Each direction is a keel/stream.h byte stream; the guest produces out and
 * err and consumes in.  One event channel carries every notification both
 * ways.  After the backend has sent the last input byte it sets in_eof
 * (then notifies): reads past it return end of file.
 *
 * Connection: the guest grants the pages, binds the port, zeroes its
 * counters, sets granter_state = INITIALISED and notifies.  The backend
 * maps, checks, sets mapper_state = CONNECTED and bumps mapper_epoch.  The
 * guest may write before the backend connects: bytes wait in the ring.  A
 * backend that finds corrupt counters (prod - cons > size on any stream)
 * sets mapper_state = CLOSED, unmaps and reports the guest; a guest that
 * sees mapper_state == CLOSED fails writes with EPIPE and reads see EOF.
 * When the guest has ended, the backend drains what is left before it
 * reports the exit, so no byte written before exit is lost.
 */
#define KEEL_CONSOLE_RING_PAGES  4u
#define KEEL_CONSOLE_OUT_PAGE    1u
#define KEEL_CONSOLE_OUT_SIZE    (2u * KEEL_PAGE_SIZE)
#define KEEL_CONSOLE_ERR_PAGE    3u
#define KEEL_CONSOLE_ERR_SIZE    (1u * KEEL_PAGE_SIZE)
#define KEEL_CONSOLE_IN_OFFSET   2048u
#define KEEL_CONSOLE_IN_SIZE     2048u

struct keel_console_page {
    struct keel_conn_header hdr;       /* 0 */
    struct keel_stream out;            /* 64: stdout */
    uint32_t pad_out[12];
    struct keel_stream err;            /* 128: stderr */
    uint32_t pad_err[12];
    struct keel_stream in;             /* 192: stdin */
    volatile uint32_t in_eof;          /* backend: no input after in.prod */
    uint32_t pad_in[11];
};

#ifndef __cplusplus
_Static_assert(sizeof(struct keel_console_page) == 256, "console page layout");
#endif

/* stream characters in serial records */
#define KEEL_REC_SOH      0x01
#define KEEL_REC_MAGIC    'K'
#define KEEL_REC_HDR_LEN  12
#define KEEL_REC_STDOUT   'o'
#define KEEL_REC_STDERR   'e'
#define KEEL_REC_CONTROL  'c'
#define KEEL_REC_HVLOG    'l'   /* hypervisor log line */
#define KEEL_REC_POWEROFF 'x'   /* payload: decimal exit status; last record */
/* input records (launcher -> hypervisor): KEEL_REC_STDIN, KEEL_REC_EOF below */

/*
 * Control protocol (KEEL_CONSOLE_CONTROL, written by dom0's toolstack, read
 * by the launcher).  Each write is one or more lines "<verb> <args>\n":
 *
 *   start <idx> <domid>          guest number idx (0-based, command-line
 *                                order) is running as domain domid
 *   exit <idx> <status>          guest idx ended with this exit status
 *   msg <idx> <text>             a line for the user's stderr about guest idx
 *                                (rejection reason, crash report line);
 *                                idx -1 means the run as a whole
 *   timing <idx> <key>=<u64> ... measurements of building guest idx, e.g.
 *                                create_ns (dom0's create request, monotonic),
 *                                created_ns (CREATE returned), unpause_ns
 *                                (UNPAUSE asked), main_ready_ns (UNPAUSE
 *                                returned), copy_ns, image_bytes, mem_bytes (the
 *                                domain's memory), free_frames (the
 *                                hypervisor's, just after it started); shown
 *                                by the launcher only when asked (keel run
 *                                --timings).  idx -1: the run as a whole,
 *                                first_end_free_frames (the free frames when
 *                                dom0 first hears of a guest's end after
 *                                building them all, before it destroys any)
 *   done <status>                every guest has ended; the run's status
 */

#endif /* KEEL_PUBLIC_CONSOLE_H */
