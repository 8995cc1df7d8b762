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

/* KEEL_CONSOLE_FOR: the console backend writes a guest's record. */
static int decode_for(uint64_t *stream, bool privileged, uint16_t *domid)
{
    uint64_t id = *stream >> KEEL_CONSOLE_DOMID_SHIFT;

    if (!(*stream & KEEL_CONSOLE_FOR))
        return 0;
    if (!privileged)
        return -KEEL_EPERM;
    if (id > KEEL_DOMID_MAX ||
        (*stream & ~(KEEL_CONSOLE_STREAM_MASK | KEEL_CONSOLE_FOR |
                     ((uint64_t)0xffff << KEEL_CONSOLE_DOMID_SHIFT))))
        return -KEEL_ESRCH;
    *stream &= KEEL_CONSOLE_STREAM_MASK;
    if (*stream == KEEL_CONSOLE_CONTROL)
        return -KEEL_EBADF;
    *domid = (uint16_t)id;
    return 0;
}

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
    uint64_t buf = args->a[1], len = args->a[2], stream = args->a[0];
    char *tmp = bounce[this_cpu()->id];
    uint16_t as = d->id;
    int tag = decode_for(&stream, d->privileged, &as), rc;

    if (tag == 0)
        tag = stream_tag(stream, d->privileged);
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
        console_record(as, (char)tag, tmp, n);
    }
    return (long)len;
}
