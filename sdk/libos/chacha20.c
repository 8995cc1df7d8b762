/*
 * ChaCha20's block function (RFC 8439, section 2.3), pure: the
 * generator behind getentropy and /dev/urandom (random.c) and the mixer
 * of the fallback seed (entropy.c).  Host unit test:
 * tests/unit/libos_chacha20_test.c (the RFC's test vector).
 */
#include <string.h>
#include "internal.h"

static uint32_t rotl(uint32_t x, int n)
{
    return x << n | x >> (32 - n);
}

#define QR(a, b, c, d) do {                          \
        a += b; d ^= a; d = rotl(d, 16);             \
        c += d; b ^= c; b = rotl(b, 12);             \
        a += b; d ^= a; d = rotl(d, 8);              \
        c += d; b ^= c; b = rotl(b, 7);              \
    } while (0)

void libos_chacha20_block(const uint32_t key[8], uint32_t counter,
                          const uint32_t nonce[3], uint8_t out[64])
{
    uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
    uint32_t x[16];

    memcpy(&in[4], key, 32);
    in[12] = counter;
    memcpy(&in[13], nonce, 12);
    memcpy(x, in, sizeof(x));
    for (int i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++)
        x[i] += in[i];
    memcpy(out, x, 64);              /* x86-64 is little-endian, as the RFC */
}
