/*
 * A hostile tenant: makes the hypervisor allocate as much as it will for
 * it, then holds all of it for argv[1] seconds (default 10) and exits.
 *
 *   - the biggest grant table the ABI allows (KEEL_GRANT_MAX_ENTRIES; its
 *     limit refuses it, and then the libos's table of 512 is what it has),
 *     every free reference granted to itself;
 *   - a record for every one of them (a grant copy out of each pins it);
 *   - grant maps of its own page until the hypervisor says no;
 *   - event-channel ports until the hypervisor says no.
 *
 * One line says what it got, and the status whether that is what its
 * default limits (keel/domctl.h) promise: the table refused with
 * -KEEL_ENOSPC, 128 maps, ports up to 255, each limit ending in
 * -KEEL_ENOSPC.  Other tenants must not notice any of it.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <keel/domctl.h>
#include <libos/event.h>
#include <libos/grant.h>
#include <libos/hypercall.h>
#include <libos/start.h>

static uint8_t page[KEEL_PAGE_SIZE] __attribute__((aligned(KEEL_PAGE_SIZE)));

static long gntop(uint32_t cmd, uint64_t a1, uint64_t a2)
{
    return keel_hypercall3(KEEL_HC_GRANT_TABLE_OP, cmd, a1, a2);
}

/* A table of the ABI's largest size, every entry granting page to us.
 * Refused (its limit): the libos's table, every free reference of it. */
static long big_table(keel_grant_ref_t *refs, unsigned *n)
{
    keel_domid_t self = (keel_domid_t)libos_start_info()->domid;
    struct keel_grant_entry *t = memalign(KEEL_PAGE_SIZE,
                                          KEEL_GRANT_MAX_ENTRIES * sizeof(*t));
    long rc, ref;

    *n = 0;
    if (!t)
        return -KEEL_ENOMEM;
    for (unsigned i = 0; i < KEEL_GRANT_MAX_ENTRIES; i++)
        t[i] = (struct keel_grant_entry){
            .flags = KEEL_GTF_PERMIT, .domid = self,
            .page = (uint32_t)(((uintptr_t)page - KEEL_GUEST_BASE) / KEEL_PAGE_SIZE) };
    rc = gntop(KEEL_GNTOP_SETUP, (uintptr_t)t, KEEL_GRANT_MAX_ENTRIES);
    if (rc == 0) {                       /* no limit: the worst there is */
        for (unsigned i = 0; i < KEEL_GRANT_MAX_ENTRIES; i++)
            refs[(*n)++] = i;
        return rc;
    }
    free(t);
    while ((ref = libos_grant_access(self, page, 0)) >= 0)
        refs[(*n)++] = (keel_grant_ref_t)ref;
    return rc;
}

/* A copy out of every reference: each pins it, and its record stays.
 * Returns the segments that failed. */
static unsigned touch_records(const keel_grant_ref_t *refs, unsigned n)
{
    static struct keel_grant_copy c[KEEL_GRANT_COPY_MAX];
    static uint64_t sink;
    unsigned failed = 0;

    for (unsigned i = 0; i < n;) {
        unsigned k = 0;
        for (; k < KEEL_GRANT_COPY_MAX && i < n; k++, i++)
            c[k] = (struct keel_grant_copy){
                .flags = KEEL_GRANT_COPY_SRC_GREF, .len = 8,
                .src = { .ref = refs[i], .domid = KEEL_DOMID_SELF },
                .dst = { .gva = (uintptr_t)&sink } };
        long rc = libos_grant_copy(c, k);
        failed += rc < 0 ? k : (unsigned)rc;
    }
    return failed;
}

static unsigned map_all(keel_grant_ref_t ref, long *rc)
{
    unsigned n = 0;
    void *va;

    while (n < 2 * KEEL_GRANT_WINDOW_PAGES &&
           (*rc = libos_grant_map(KEEL_DOMID_SELF, ref, 0, &va)) >= 0)
        n++;
    return n;
}

static long ports_all(long *rc)
{
    long last = 0;

    while (last < 2 * KEEL_EVTCHN_PORTS &&
           (*rc = libos_evtchn_alloc_unbound(KEEL_DOMID_SELF)) > 0)
        last = *rc;
    return last;
}

int main(int argc, char **argv)
{
    static keel_grant_ref_t refs[KEEL_GRANT_MAX_ENTRIES];
    double hold = argc > 1 ? atof(argv[1]) : 10.0;
    long table_rc, map_rc = 0, port_rc = 0, last_port;
    unsigned nrefs, failed, maps;

    table_rc = big_table(refs, &nrefs);
    failed = touch_records(refs, nrefs);
    maps = nrefs ? map_all(refs[0], &map_rc) : 0;
    last_port = ports_all(&port_rc);
    printf("hog: table %ld, %u refs (%u copies failed), %u maps (%ld), "
           "ports to %ld (%ld)\n", table_rc, nrefs, failed, maps, map_rc,
           last_port, port_rc);
    fflush(stdout);
    usleep((useconds_t)(hold * 1e6));
    return table_rc == -KEEL_ENOSPC && failed == 0 &&
           maps == KEEL_DEFAULT_GRANT_MAPS && map_rc == -KEEL_ENOSPC &&
           last_port == KEEL_DEFAULT_EVTCHN_PORTS && port_rc == -KEEL_ENOSPC ? 0 : 1;
}
