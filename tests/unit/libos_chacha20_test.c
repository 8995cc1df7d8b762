/*
 * ChaCha20's block function (sdk/libos/chacha20.c), the generator behind
 * getentropy and /dev/urandom, against RFC 8439's test vectors.
 */
#include <string.h>
#include "ktest.h"
#include "../../sdk/libos/chacha20.c"

static void unhex(const char *s, uint8_t *out)
{
    for (size_t i = 0; s[2 * i]; i++) {
        unsigned v;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

KTEST(rfc8439_section_2_3_2)
{
    uint32_t key[8], nonce[3];
    uint8_t k[32], n[12], out[64], want[64];

    for (int i = 0; i < 32; i++)
        k[i] = (uint8_t)i;
    unhex("000000090000004a00000000", n);
    memcpy(key, k, 32);
    memcpy(nonce, n, 12);
    unhex("10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
          "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e", want);
    libos_chacha20_block(key, 1, nonce, out);
    EXPECT(memcmp(out, want, 64) == 0);
}

KTEST(rfc8439_zero_key_block_0)
{
    uint32_t key[8] = { 0 }, nonce[3] = { 0 };
    uint8_t out[64], want[64];

    unhex("76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
          "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586", want);
    libos_chacha20_block(key, 0, nonce, out);
    EXPECT(memcmp(out, want, 64) == 0);
}

KTEST(counter_and_nonce_change_the_block)
{
    uint32_t key[8] = { 1 }, nonce[3] = { 0 };
    uint8_t a[64], b[64], c[64];

    libos_chacha20_block(key, 0, nonce, a);
    libos_chacha20_block(key, 1, nonce, b);
    nonce[0] = 1;
    libos_chacha20_block(key, 0, nonce, c);
    EXPECT(memcmp(a, b, 64) != 0);
    EXPECT(memcmp(a, c, 64) != 0);
}

KTEST_MAIN(KTEST_CASE(rfc8439_section_2_3_2), KTEST_CASE(rfc8439_zero_key_block_0),
           KTEST_CASE(counter_and_nonce_change_the_block))
