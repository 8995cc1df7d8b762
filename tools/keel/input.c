/*
 * The launcher's stdin to the guest (keel/console.h, console input).
 *
 * Whatever arrives on our stdin is framed as KEEL_REC_STDIN records and
 * written to QEMU's serial input; end of file becomes one KEEL_REC_EOF
 * record.  Framing keeps binary data and end of input unambiguous on a line
 * that carries nothing else.  Both ends are driven by the run loop's poll:
 * we read stdin only while our buffer has room for a full record and write
 * to QEMU only what its pipe takes now, so neither side can block the loop
 * and the memory used stays bounded.  Slow consumers slow the producer.
 * With the shared-memory path the same bytes go to its input stream instead
 * of the pipe, as much as it has room for (keel_input_push, hostio.c), and
 * the pipe carries only doorbell bytes (keel/hostio.h): one when the
 * hypervisor said it waits.  A doorbell the pipe cannot take now stays
 * owed (`bell`) until it can.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <keel/console.h>

#include "keel.h"

/* The header goes in front of a payload already read: no NUL may follow. */
static void header(uint8_t *p, char stream, size_t len)
{
    char h[KEEL_REC_HDR_LEN + 1];

    snprintf(h, sizeof(h), "%cK%04x%c%04x:", KEEL_REC_SOH, KEEL_DOMID_HV,
             stream, (unsigned)len);
    memcpy(p, h, KEEL_REC_HDR_LEN);
}

void keel_input_init(struct keel_input *in, int from_fd, int to_fd)
{
    memset(in, 0, sizeof(*in));
    in->from = from_fd;
    in->to = to_fd;
    if (to_fd >= 0)
        fcntl(to_fd, F_SETFL, fcntl(to_fd, F_GETFL) | O_NONBLOCK);
    /* Run in the background of a terminal: reading it would stop us
     * (SIGTTIN).  The guest gets end of input, as from </dev/null. */
    if (isatty(from_fd) && tcgetpgrp(from_fd) != getpgrp()) {
        header(in->buf, KEEL_REC_EOF, 0);
        in->len = KEEL_REC_HDR_LEN;
        in->eof = true;
    }
}

bool keel_input_wants_read(const struct keel_input *in)
{
    return in->from >= 0 && !in->eof &&
           sizeof(in->buf) - in->len >= KEEL_REC_HDR_LEN + KEEL_INPUT_CHUNK;
}

bool keel_input_wants_write(const struct keel_input *in)
{
    return in->to >= 0 && in->len > 0 && in->ready;
}

/* Until the hypervisor runs, the machine's firmware owns the UART and
 * resets its FIFO: input sent then would be lost. */
void keel_input_ready(struct keel_input *in)
{
    in->ready = true;
}

/* Our stdin is readable (or at end): frame one chunk. */
void keel_input_read(struct keel_input *in)
{
    uint8_t *rec = in->buf + in->len;
    ssize_t n = read(in->from, rec + KEEL_REC_HDR_LEN, KEEL_INPUT_CHUNK);

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {             /* end of file, or stdin unusable: same to the guest */
        in->eof = true;
        header(rec, KEEL_REC_EOF, 0);
        in->len += KEEL_REC_HDR_LEN;
        return;
    }
    header(rec, KEEL_REC_STDIN, (size_t)n);
    in->len += KEEL_REC_HDR_LEN + (size_t)n;
}

/* QEMU's input pipe has room: give it what it takes. */
void keel_input_write(struct keel_input *in)
{
    ssize_t n = write(in->to, in->buf, in->len);

    if (n < 0) {
        if (errno != EINTR && errno != EAGAIN)
            in->len = 0, in->to = -1;   /* QEMU is gone: the run ends anyway */
        return;
    }
    memmove(in->buf, in->buf + n, in->len - (size_t)n);
    in->len -= (size_t)n;
}
