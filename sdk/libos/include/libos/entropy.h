/*
 * Entropy for this boot: what getentropy, getrandom and /dev/urandom
 * (docs/posix.md) and lwIP's TCP sequence numbers start from.
 *
 * The CPU's generator when CPUID says it has one (RDSEED, else RDRAND:
 * any x86-64 of the last decade, and QEMU TCG's -cpu max, which keel run
 * passes).  Without one, a mix of what the domain can read that an
 * outsider cannot: the TSC sampled around work whose duration jitters,
 * the start info, device page and arguments (domain id, memory, MAC).
 * That fallback is worth little against someone who knows the machine and
 * roughly when the guest started.
 */
#ifndef LIBOS_ENTROPY_H
#define LIBOS_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

/* Fills key[0, bytes) (bytes <= 32) with fresh secret bytes; returns where
 * they came from: "rdseed", "rdrand" or "mixed". */
const char *libos_entropy_seed(void *key, size_t bytes);

/* 1 and a fresh word from RDRAND if the CPU has it (and it answered), 0
 * otherwise. */
int libos_hw_random(uint64_t *out);

/* Where getentropy's generator was seeded from (as above); NULL before its
 * first use. */
const char *libos_random_source(void);

#endif /* LIBOS_ENTROPY_H */
