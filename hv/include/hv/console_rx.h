/*
 * The parser of console input records (keel/console.h), byte by byte.
 * Pure (no hypervisor state): tests/unit/hv_console_rx_test.c runs it on
 * the host.
 */
#ifndef HV_CONSOLE_RX_H
#define HV_CONSOLE_RX_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/console.h>

struct console_rx {
    uint8_t hdr[KEEL_REC_HDR_LEN];
    uint32_t have;            /* header bytes seen */
    uint32_t left;            /* payload bytes still to come */
    bool keep;                /* the payload is stdin data */
    bool eof;                 /* the EOF record came: ignore the rest */
};

/* Feed one byte from the line: returns it (0..255) if it is input data,
 * -1 if it was framing, noise, another stream's payload, or after EOF. */
int console_rx_byte(struct console_rx *rx, uint8_t c);

#endif /* HV_CONSOLE_RX_H */
