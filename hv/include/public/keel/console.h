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

/* stream argument of KEEL_HC_CONSOLE_WRITE */
#define KEEL_CONSOLE_STDOUT   1
#define KEEL_CONSOLE_STDERR   2
#define KEEL_CONSOLE_CONTROL  3   /* privileged domain -> launcher protocol */

#define KEEL_CONSOLE_WRITE_MAX 0x10000ul

/* stream characters in serial records */
#define KEEL_REC_SOH      0x01
#define KEEL_REC_MAGIC    'K'
#define KEEL_REC_HDR_LEN  12
#define KEEL_REC_STDOUT   'o'
#define KEEL_REC_STDERR   'e'
#define KEEL_REC_CONTROL  'c'
#define KEEL_REC_HVLOG    'l'   /* hypervisor log line */
#define KEEL_REC_POWEROFF 'x'   /* payload: decimal exit status; last record */

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
 *                                copy_ns, image_bytes; shown by the launcher
 *                                only when asked (keel run --timings)
 *   done <status>                every guest has ended; the run's status
 */

#endif /* KEEL_PUBLIC_CONSOLE_H */
