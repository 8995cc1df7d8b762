/*
 * The launcher's side of the shared-memory host I/O path (keel/hostio.h).
 *
 * We create the memory QEMU maps as the ivshmem-plain device's (an
 * anonymous memfd QEMU inherits and opens as /dev/fd/N, so a launcher
 * killed by SIGKILL leaves no file behind; a file under /dev/shm or in the
 * run folder where memfd is missing), lay out the header and map it
 * ourselves.  The run loop drains `out` into the same record parser
 * as the serial line and pushes framed stdin into `in`; neither ever waits
 * for the machine.  Both directions have a doorbell on the serial line
 * (keel/hostio.h): we ring the hypervisor's after pushing input, and arm
 * ours (out_waiting) before we sleep.  The hypervisor is trusted, but we still never follow a
 * counter that claims more than a stream holds: such a stream is dropped.
 *
 * keel_hostio_attach/drain/push work on any memory, so the unit tests run
 * them on a plain buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "keel.h"

void keel_hostio_layout(void *mem)
{
    struct keel_hostio_header *hd = mem;

    memset(hd, 0, sizeof(*hd));
    hd->version = KEEL_HOSTIO_VERSION;
    hd->hdr_size = KEEL_HOSTIO_HDR_SIZE;
    hd->total_size = KEEL_HOSTIO_TOTAL_SIZE;
    hd->out_offset = KEEL_HOSTIO_HDR_SIZE;
    hd->out_size = KEEL_HOSTIO_OUT_SIZE;
    hd->in_offset = KEEL_HOSTIO_HDR_SIZE + KEEL_HOSTIO_OUT_SIZE;
    hd->in_size = KEEL_HOSTIO_IN_SIZE;
    __atomic_store_n(&hd->magic, KEEL_HOSTIO_MAGIC, __ATOMIC_RELEASE);
}

/* Takes the layout from memory we laid out: sizes are ours, not re-read;
 * the counters as they are now (zero, unless a test set them). */
void keel_hostio_attach(struct keel_hostio *h, void *mem)
{
    struct keel_hostio_header *hd = mem;

    memset(h, 0, sizeof(*h));
    h->memfd = -1;
    h->hdr = hd;
    stream_init(&h->out, &hd->out, (uint8_t *)mem + KEEL_HOSTIO_HDR_SIZE,
                KEEL_HOSTIO_OUT_SIZE, hd->out.cons);
    stream_init(&h->in, &hd->in,
                (uint8_t *)mem + KEEL_HOSTIO_HDR_SIZE + KEEL_HOSTIO_OUT_SIZE,
                KEEL_HOSTIO_IN_SIZE, hd->in.prod);
    h->out_ok = h->in_ok = true;
}

/* The bytes are fed to the parser where they lie; the event indices are
 * unused on this path (keel/hostio.h). */
size_t keel_hostio_drain(struct keel_hostio *h, struct keel_rec_parser *p)
{
    long used = h->out_ok ? stream_readable(&h->out) : 0;
    uint32_t off;

    if (used < 0) {
        fprintf(stderr, "keel: shared-memory output corrupt (%u bytes in a %u-byte ring)\n",
                h->hdr->out.prod - h->out.mine, h->out.size);
        h->out_ok = false;
        return 0;
    }
    for (uint32_t done = 0, k; done < (uint32_t)used; done += k) {
        k = stream_piece(&h->out, done, (uint32_t)used, &off);
        keel_rec_feed(p, h->out.data + off, k);
    }
    if (used)
        stream_consumed(&h->out, (uint32_t)used);
    return (size_t)used;
}

size_t keel_hostio_push(struct keel_hostio *h, const void *data, size_t n)
{
    long room = h->in_ok ? stream_writable(&h->in) : 0;

    if (room < 0) {
        h->in_ok = false;
        return 0;
    }
    if ((size_t)room > n)
        room = (long)n;
    if (room)
        stream_put(&h->in, data, (uint32_t)room);
    return (size_t)room;
}

/*
 * The output doorbell (keel/hostio.h): before we sleep we say so in
 * out_waiting, fence, and look at `out` once more.  The hypervisor stores
 * out.prod, fences and exchanges out_waiting with 0, ringing the serial
 * line if it was set: either our second look sees its bytes, or it sees
 * our flag.  Split in two steps so that the unit tests can interleave
 * them with the hypervisor's.
 */
void keel_hostio_out_want(struct keel_hostio *h)
{
    __atomic_store_n(&h->hdr->out_waiting, 1, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Nothing to drain in `out` (or nothing we will ever drain again). */
bool keel_hostio_out_empty(const struct keel_hostio *h)
{
    return !h->out_ok || stream_readable(&h->out) == 0;
}

/* True if we may sleep until the serial line wakes us; false: drain now. */
bool keel_hostio_out_arm(struct keel_hostio *h)
{
    if (!h->out_ok)
        return true;                /* output comes on the serial line */
    keel_hostio_out_want(h);
    return keel_hostio_out_empty(h);
}

/* Awake: the hypervisor need not ring (we drain before sleeping again,
 * and arm again first). */
void keel_hostio_out_awake(struct keel_hostio *h)
{
    __atomic_store_n(&h->hdr->out_waiting, 0, __ATOMIC_RELAXED);
}

/* The hypervisor waits for input that is now there: one byte on the
 * serial line.  One the pipe cannot take now stays owed (`bell`). */
void keel_input_ring(struct keel_input *in)
{
    static const uint8_t bell = 0x07;

    if (!in->bell || in->to < 0)
        return;
    ssize_t n = write(in->to, &bell, 1);
    if (n == 1 || (n < 0 && errno != EINTR && errno != EAGAIN))
        in->bell = false;           /* rung, or QEMU is gone */
}

/* After publishing input: did the hypervisor ask for a doorbell?  The
 * fence orders our prod store before the load of in_waiting (its mirror
 * image is in the hypervisor), and the exchange answers each wait once. */
bool keel_hostio_take_waiting(struct keel_hostio *h)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return __atomic_exchange_n(&h->hdr->in_waiting, 0, __ATOMIC_SEQ_CST) != 0;
}

/* The hypervisor reads input from shared memory: give it what fits, and
 * ring the doorbell if it waits (keel/hostio.h). */
void keel_input_push(struct keel_input *in, struct keel_hostio *h)
{
    size_t n = keel_hostio_push(h, in->buf, in->len);

    memmove(in->buf, in->buf + n, in->len - n);
    in->len -= n;
    if (n && keel_hostio_take_waiting(h))
        in->bell = true;
    keel_input_ring(in);
}

/* Did the hypervisor take the path?  (Before that, input waits here.) */
bool keel_hostio_live(const struct keel_hostio *h)
{
    return h->hdr &&
           __atomic_load_n(&h->hdr->hv_state, __ATOMIC_ACQUIRE) == KEEL_HOSTIO_HV_ACTIVE;
}

/* An anonymous file QEMU inherits (no close-on-exec) and opens by its
 * number: nothing in any file system to leave behind.  -1 if unavailable. */
static int open_memfd(struct keel_hostio *h)
{
    int fd = (int)memfd_create("keel-hostio", 0);

    if (fd >= 0) {
        snprintf(h->path, sizeof(h->path), "/dev/fd/%d", fd);
        h->memfd = fd;
    }
    return fd;
}

/* Without memfd: /dev/shm/<run folder name>.hostio, else in the run folder
 * itself; removed by keel_hostio_destroy. */
static int open_named(struct keel_hostio *h, const struct keel_stage *st)
{
    const char *suffix = strrchr(st->dir, '/');
    int fd = -1;

    snprintf(h->path, sizeof(h->path), "/dev/shm/%s.hostio", suffix ? suffix + 1 : "");
    if (!suffix || strlen(suffix) < 2 ||
        (fd = open(h->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
        snprintf(h->path, sizeof(h->path), "%s/hostio", st->dir);
        fd = open(h->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    }
    if (fd < 0)
        h->path[0] = '\0';
    return fd;
}

/* The shared memory for QEMU.  0, or -1 (the run then uses the serial line
 * only). */
int keel_hostio_create(struct keel_hostio *h, const struct keel_stage *st)
{
    int fd;

    memset(h, 0, sizeof(*h));
    h->memfd = -1;
    if ((fd = open_memfd(h)) < 0 && (fd = open_named(h, st)) < 0)
        return -1;
    void *mem = MAP_FAILED;
    if (ftruncate(fd, KEEL_HOSTIO_TOTAL_SIZE) == 0)
        mem = mmap(NULL, KEEL_HOSTIO_TOTAL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (fd != h->memfd)
        close(fd);
    if (mem == MAP_FAILED) {
        keel_hostio_destroy(h);
        return -1;
    }
    struct keel_hostio saved = *h;       /* attach resets the struct */
    keel_hostio_layout(mem);
    keel_hostio_attach(h, mem);
    memcpy(h->path, saved.path, sizeof(h->path));
    h->memfd = saved.memfd;
    return 0;
}

void keel_hostio_destroy(struct keel_hostio *h)
{
    if (h->hdr)
        munmap(h->hdr, KEEL_HOSTIO_TOTAL_SIZE);
    if (h->memfd >= 0)
        close(h->memfd);
    else if (h->path[0])
        unlink(h->path);
    h->hdr = NULL;
    h->memfd = -1;
    h->path[0] = '\0';
}
