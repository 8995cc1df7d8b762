/*
 * How the image checker words a refusal without a C library: a static
 * template in which each %u (decimal) and %x (hex, no prefix) takes the
 * next of up to IMAGE_WHY_ARGS numbers.  Private to lib/image/.
 */
#ifndef LIB_IMAGE_WHY_H
#define LIB_IMAGE_WHY_H

#include <stddef.h>
#include <stdint.h>

#define IMAGE_WHY_ARGS 5

/* Write the reason into msg (truncated, NUL terminated when msglen > 0)
 * and return code. */
int image_why(char *msg, size_t msglen, int code, const char *text,
              const uint64_t args[IMAGE_WHY_ARGS]);

/* return image_why(...) from a checker that has msg and msglen in scope;
 * each argument converts to uint64_t as the array is initialized. */
#define REFUSE(code, text, ...) \
    return image_why(msg, msglen, (code), (text), \
                     (const uint64_t[IMAGE_WHY_ARGS]){ __VA_ARGS__ })

#endif /* LIB_IMAGE_WHY_H */
