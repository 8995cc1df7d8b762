/*
 * What the domain was started with.
 *
 * Contract:
 *  - Valid from the first constructor on (the libos records them before
 *    __libc_init_array runs) and for the whole life of the domain.
 *  - libos_start_info() is the start-info page the builder wrote
 *    (keel/start_info.h), already checked: right magic and ABI version,
 *    heap and stack inside the domain's memory.  Read it, do not write it.
 *  - libos_shared_info() is this domain's shared-info page
 *    (keel/shared_info.h).  Its time fields belong to the hypervisor; its
 *    pending word belongs to the libos: use libos_wait() and
 *    libos_pending_take() (libos/time.h) instead of touching it.
 *  - libos_image_note() is the note the image was linked with (mkimage's
 *    --mem, --stack, --privileged).
 */
#ifndef LIBOS_START_H
#define LIBOS_START_H

#include <keel/start_info.h>
#include <keel/shared_info.h>
#include <keel/image_note.h>

const struct keel_start_info *libos_start_info(void);
struct keel_shared_info *libos_shared_info(void);
const struct keel_image_note *libos_image_note(void);

/* Non-zero when this domain is the privileged one (dom0). */
int libos_is_privileged(void);

#endif /* LIBOS_START_H */
