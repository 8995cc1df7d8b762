/*
 * The run manifest (keel/launch.h): which guests to start, from which boot
 * module, with which arguments.  manifest_parse() accepts exactly the grammar launch.h gives
 * and nothing else; any deviation is reported with the line it is on.
 *
 * The manifest is a boot module, mapped read-only: parsing copies every
 * argument into one malloc'd block of NUL-terminated strings per guest,
 * laid out exactly as the guest's start info wants them (argc strings back
 * to back), so the builder copies them verbatim.
 */
#ifndef DOM0_MANIFEST_H
#define DOM0_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MANIFEST_MSG_MAX  160

struct mf_guest {
    uint32_t argc;           /* >= 1: argv[0] is the guest's name */
    char *args;              /* argc + envc NUL-terminated strings, back to back */
    size_t args_bytes;       /* including every NUL */
    const char *name;        /* == args: argv[0] */
    uint32_t module;         /* boot module: KEEL_FIRST_GUEST_MODULE ..
                                KEEL_FIRST_GUEST_MODULE + nimages - 1 */
    uint32_t envc;           /* environment strings after the arguments */
};

/* "connect <a> <b> <len>:<name>": a channel (keel/channel.h) between guests
 * a (granter) and b (mapper), a != b, both < nguests; name 1 ..
 * MF_CHAN_NAME_MAX bytes, unique among each guest's channels. */
#define MF_CHAN_NAME_MAX    31
#define MANIFEST_MAX_CONNECTS 4096

struct mf_connect {
    uint32_t a, b;
    char name[MF_CHAN_NAME_MAX + 1];
};

/* "disk <g> <slot> <ro> <first> <sectors> <len>:<mount>": guest g's
 * virtual disk on the virtio-blk function at 00:slot.0 (keel/launch.h):
 * its sectors [first, first + sectors) (512-byte), sectors 0 meaning to
 * the device's end. */
#define MF_MOUNT_MAX        31      /* keel/blk.h's KEEL_BLK_MOUNT_MAX */
#define MANIFEST_MAX_DISKS  64

struct mf_disk {
    uint32_t guest, slot;
    bool ro;
    uint64_t first, sectors;         /* the slice; sectors 0: to the end */
    char mount[MF_MOUNT_MAX + 1];
};

struct manifest {
    uint32_t nguests;
    struct mf_guest *guests; /* nguests entries */
    uint32_t nconnects;
    struct mf_connect *connects;
    uint32_t nimages;        /* image modules: boot modules 3 .. 3 + nimages - 1 */
    uint32_t ndisks;
    struct mf_disk *disks;   /* ndisks entries, in command-line order */
    bool disk_bench;         /* "diskbench": dom0 measures its disk first */
    uint64_t guest_mem;      /* "guestmem <bytes>": every guest's maximum
                                memory instead of its image's; 0: none */
};

/* Returns 0 and fills *m (release with manifest_free), or -1 with the
 * reason in msg; on failure nothing stays allocated. */
int manifest_parse(const void *buf, size_t len, struct manifest *m,
                   char *msg, size_t msglen);
void manifest_free(struct manifest *m);

#endif /* DOM0_MANIFEST_H */
