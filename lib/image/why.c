/*
 * The checker's tiny formatter (see why.h): enough of printf for the
 * numbers in a reason, so that lib/ needs no C library and both builders
 * show the user the very same words.
 */
#include "why.h"

struct why_out {
    char *buf;
    size_t len, at;            /* at < len: room for the NUL is kept */
};

static void why_put(struct why_out *o, char c)
{
    if (o->at + 1 < o->len)
        o->buf[o->at++] = c;
}

static void why_number(struct why_out *o, uint64_t v, unsigned base)
{
    char digits[20];           /* 2^64 - 1 has 20 decimal digits */
    unsigned n = 0;

    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n)
        why_put(o, digits[--n]);
}

int image_why(char *msg, size_t msglen, int code, const char *text,
              const uint64_t args[IMAGE_WHY_ARGS])
{
    struct why_out o = { msg, msglen, 0 };
    unsigned next = 0;

    for (; *text; text++) {
        if (text[0] == '%' && (text[1] == 'u' || text[1] == 'x') &&
            next < IMAGE_WHY_ARGS) {
            why_number(&o, args[next++], *++text == 'u' ? 10 : 16);
            continue;
        }
        why_put(&o, *text);
    }
    if (msglen)
        msg[o.at] = '\0';
    return code;
}
