/*
 * Console input records (hv/console_rx.h).  A header that does not parse
 * is dropped and the parser hunts for the next SOH, so line noise can cost
 * bytes around it but never turn framing into data.
 */
#include <hv/console_rx.h>

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int hex4(const uint8_t *p)
{
    int v = 0;

    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static void header_done(struct console_rx *rx)
{
    int len = hex4(rx->hdr + 7);

    rx->have = 0;
    if (rx->hdr[1] != KEEL_REC_MAGIC || rx->hdr[11] != ':' || len < 0 ||
        hex4(rx->hdr + 2) < 0)
        return;
    if (rx->hdr[6] == KEEL_REC_EOF && len == 0)
        rx->eof = true;
    rx->left = (uint32_t)len;
    rx->keep = rx->hdr[6] == KEEL_REC_STDIN;
}

int console_rx_byte(struct console_rx *rx, uint8_t c)
{
    if (rx->left) {
        rx->left--;
        return rx->keep && !rx->eof ? c : -1;
    }
    if (rx->eof || (rx->have == 0 && c != KEEL_REC_SOH))
        return -1;
    rx->hdr[rx->have++] = c;
    if (rx->have == KEEL_REC_HDR_LEN)
        header_done(rx);
    return -1;
}
