/*
 * The hosts table's file in the run folder (boot module 2, keel/launch.h).
 *
 * Which guests get an entry: those whose image asks for a NIC, read from
 * its devices note with the same checker dom0 uses (lib/image), once per
 * distinct image.  An image the checker refuses gets no entry: dom0
 * refuses to run it too.  The name `host` is listed when the machine has
 * an uplink (user mode and tap: keel/launch.h's plan puts the host, or the
 * tap's router, at the gateway), not with --net none.
 */
#include <stdlib.h>

#include <keel/hosts.h>

#include "keel.h"

int keel_stage_hosts(struct keel_stage *st, const struct keel_opts *o, char *const *names,
                     const int *image_of, int nimages, char *path, size_t pathsz)
{
    bool *nic = keel_guest_nics(o, image_of, nimages, false);
    uint8_t *table = NULL;
    size_t len = 0;
    FILE *f;
    int rc = -1;

    if (!nic || keel_hosts_build(names, o->nimages, nic, o->net != KEEL_NET_NONE,
                                 &table, &len))
        fprintf(stderr, "keel: out of memory for the hosts table\n");
    else if ((f = keel_stage_create(st, "hosts", path, pathsz))) {
        rc = fwrite(table, 1, len, f) == len ? 0 : -1;
        if (fclose(f) || rc) {
            fprintf(stderr, "keel: cannot write %s\n", path);
            rc = -1;
        }
    }
    free(table);
    free(nic);
    return rc;
}
