/*
 * KEEL_HC_CONSOLE_WRITE(stream, buf, len).  The whole range is checked
 * first, so a write either goes out entirely or fails without output (unless
 * the domain's own rights change under it).  Bytes are copied through a
 * per-CPU bounce buffer and framed by console_record(), one record per
 * chunk; records of one domain and stream are in order, so readers simply
 * concatenate them.
 */
#include <hv/hypercall.h>
#include <hv/guest_access.h>
#include <hv/domain.h>
#include <hv/lib.h>

#define CONSOLE_CHUNK 4096

static char bounce[HV_MAX_CPUS][CONSOLE_CHUNK];

static int stream_tag(uint64_t stream, bool privileged)
{
    switch (stream) {
    case KEEL_CONSOLE_STDOUT:
        return KEEL_REC_STDOUT;
    case KEEL_CONSOLE_STDERR:
        return KEEL_REC_STDERR;
    case KEEL_CONSOLE_CONTROL:
        return privileged ? KEEL_REC_CONTROL : -KEEL_EPERM;
    default:
        return -KEEL_EBADF;
    }
}

long hc_console_write(struct vcpu *v, const struct hc_args *args)
{
    struct domain *d = v->domain;
    uint64_t buf = args->a[1], len = args->a[2];
    char *tmp = bounce[this_cpu()->id];
    int tag = stream_tag(args->a[0], d->privileged), rc;

    if (tag < 0)
        return tag;
    if (len > KEEL_CONSOLE_WRITE_MAX)
        return -KEEL_E2BIG;
    if ((rc = guest_range_check(d, buf, len, KEEL_RIGHT_R)))
        return rc;
    for (uint64_t off = 0; off < len; off += CONSOLE_CHUNK) {
        size_t n = MIN(len - off, (uint64_t)CONSOLE_CHUNK);
        if ((rc = copy_from_guest(d, tmp, buf + off, n)))
            return rc;
        console_record(d->id, (char)tag, tmp, n);
    }
    return (long)len;
}
