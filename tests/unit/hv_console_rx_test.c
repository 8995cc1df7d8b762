/*
 * Console input end to end on the host: the launcher's framing
 * (tools/keel/input.c) through pipes, parsed by the hypervisor's record
 * parser (hv/common/console_rx.c).  Binary bytes, record-like payloads and
 * EOF must come out exactly; noise between records must not.
 */
#include <fcntl.h>
#include <unistd.h>

#include "ktest.h"
#include "../../hv/common/console_rx.c"
#include "../../tools/keel/input.c"

static uint8_t got[1 << 16];

/* Frame data as the launcher does, parse as the hypervisor does. */
static size_t roundtrip(const uint8_t *data, size_t n, bool *eof)
{
    static struct keel_input in;
    struct console_rx rx = { 0 };
    int src[2], dst[2];
    size_t len = 0;

    if (pipe(src) || pipe(dst))
        abort();
    if (write(src[1], data, n) != (ssize_t)n)
        abort();
    close(src[1]);
    fcntl(dst[0], F_SETFL, O_NONBLOCK);
    keel_input_init(&in, src[0], dst[1]);
    keel_input_ready(&in);
    while (!in.eof || in.len) {
        if (keel_input_wants_read(&in))
            keel_input_read(&in);
        if (keel_input_wants_write(&in))
            keel_input_write(&in);
        uint8_t b[512];
        ssize_t k;
        while ((k = read(dst[0], b, sizeof(b))) > 0)
            for (ssize_t i = 0; i < k; i++) {
                int c = console_rx_byte(&rx, b[i]);
                if (c >= 0)
                    got[len++] = (uint8_t)c;
            }
    }
    close(src[0]);
    close(dst[0]);
    close(dst[1]);
    *eof = rx.eof;
    return len;
}

KTEST(binary_and_eof)
{
    static uint8_t data[20000];
    bool eof;

    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7);
    memcpy(data + 100, "\001Kffffz0000:", 12);   /* an EOF record as data */
    EXPECT_EQ(roundtrip(data, sizeof(data), &eof), sizeof(data));
    EXPECT(memcmp(got, data, sizeof(data)) == 0);
    EXPECT(eof);
}

KTEST(empty_input_is_eof_only)
{
    bool eof;

    EXPECT_EQ(roundtrip((const uint8_t *)"", 0, &eof), 0);
    EXPECT(eof);
}

static int feed(struct console_rx *rx, const char *s, size_t n, char *out)
{
    int k = 0;

    for (size_t i = 0; i < n; i++) {
        int c = console_rx_byte(rx, (uint8_t)s[i]);
        if (c >= 0)
            out[k++] = (char)c;
    }
    return k;
}

KTEST(noise_and_other_streams_are_dropped)
{
    struct console_rx rx = { 0 };
    char out[64];
    const char line[] = "noise\001Kffffo0003:abc\001KffffX0002:ab"
                        "\001Kffffi0002:hi\001Kffffi00g2:zz\001Kffffi0001:!";

    EXPECT_EQ(feed(&rx, line, sizeof(line) - 1, out), 3);
    EXPECT(memcmp(out, "hi!", 3) == 0);
    EXPECT(!rx.eof);
}

KTEST(nothing_after_eof)
{
    struct console_rx rx = { 0 };
    char out[64];
    const char line[] = "\001Kffffi0001:a\001Kffffz0000:\001Kffffi0001:b";

    EXPECT_EQ(feed(&rx, line, sizeof(line) - 1, out), 1);
    EXPECT_EQ(out[0], 'a');
    EXPECT(rx.eof);
}

KTEST_MAIN(KTEST_CASE(binary_and_eof), KTEST_CASE(empty_input_is_eof_only),
           KTEST_CASE(noise_and_other_streams_are_dropped),
           KTEST_CASE(nothing_after_eof))
