/*
 * LIBOS_DEVICES_NOTE(bits): the devices note (keel/image_note.h) of a
 * library that drives a split device, e.g. KEEL_NOTE_DEV_NET in netfront.
 * The toolstack gives an image the devices its notes ask for; each
 * library that is linked brings its own note, and the image checker ORs
 * them (lib/image), so an image that links none asks for none.  In
 * .note.keel beside the image note, 4-byte aligned.
 */
#ifndef LIBOS_DEVICES_NOTE_H
#define LIBOS_DEVICES_NOTE_H

#include <stdint.h>
#include <keel/image_note.h>

struct libos_devices_note {
    uint32_t namesz, descsz, type;
    char name[8];
    struct keel_devices_note desc;
};

#define LIBOS_DEVICES_NOTE(bits)                                             \
    __attribute__((section(".note.keel"), used, aligned(4)))                \
    static const struct libos_devices_note libos_devices_note_ = {           \
        .namesz = sizeof(KEEL_NOTE_NAME),                                    \
        .descsz = sizeof(struct keel_devices_note),                          \
        .type = KEEL_NOTE_DEVICES, .name = KEEL_NOTE_NAME,                   \
        .desc = { .devices = (bits) },                                       \
    }

#endif /* LIBOS_DEVICES_NOTE_H */
