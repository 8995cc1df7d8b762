/*
 * keel: the host launcher behind bin/keel.
 *
 * `keel run` stages a run (manifest + images) in a private folder, boots
 * QEMU with the hypervisor, dom0 and the images as multiboot modules
 * (keel/launch.h), and demultiplexes the serial byte stream
 * (keel/console.h) into the user's stdout and stderr.  The exit status is
 * the one dom0 reports with `done`, or 124 (timeout) / 125 (machine died).
 *
 * This header is the index: one section per file.
 */
#ifndef KEEL_TOOL_H
#define KEEL_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <keel/hostio.h>
#include <stream/stream.h>
#include <keel/launch.h>
#include <keel/blk.h>

#define KEEL_EXIT_USAGE 2   /* bad command line, missing file, not built */

/* args.c: the `keel run` command line */
enum keel_net { KEEL_NET_USER, KEEL_NET_TAP, KEEL_NET_NONE };   /* --net */
#define KEEL_IFNAME_MAX 15          /* Linux's IFNAMSIZ less the NUL */
/* One `-p [NAME:][HOSTADDR:]HOSTPORT:GUESTPORT[/udp]` (portfwd.c). */
struct keel_port {
    const char *spec;           /* as given, for messages (points into argv) */
    const char *guest;          /* NAME, or NULL: the first guest */
    size_t guest_len;
    uint32_t host_addr;         /* host order; default 127.0.0.1 */
    uint16_t host_port, guest_port;
    bool udp;
    int idx;                    /* the guest, once keel_resolve_ports ran */
};
#define KEEL_DISKS_MAX   16         /* --disk a run */
#define KEEL_BLKDEVS_MAX 4          /* virtio-blk functions dom0 drives (disk.c) */
struct keel_disk {
    char *guest;            /* NAME or index as given; NULL: the first */
    char *path;             /* malloc'd; a --volume's once built */
    char *volume;           /* --volume: the directory, else NULL */
    bool ro;
    char mount[KEEL_BLK_MOUNT_MAX + 1];   /* "/" unless given */
    uint64_t first, sectors;    /* :START+SIZE, 512-byte sectors; 0 0: whole file */
    int guest_idx, dev;     /* keel_plan_disks */
};
struct keel_opts {
    bool verbose, timings, progress, kvm, help;
    double timeout_s;       /* <= 0: no timeout */
    unsigned smp;
    char mem[32];           /* QEMU -m value, normalized to "<n>M" */
    int nimages;
    char **images;          /* points into argv */
    int nargs;
    char **args;            /* after "--", points into argv */
    int nenv;
    char **env;             /* -e NAME=VALUE, point into argv */
    int nconnects;
    char **connects;        /* --connect specs, point into argv */
    enum keel_net net;      /* the machine's NIC (default: user mode) */
    char tap[KEEL_IFNAME_MAX + 1];   /* KEEL_NET_TAP: the interface */
    int nports;
    struct keel_port *ports;    /* -p, parsed; resolved by keel_run */
    int ndisks;             /* --disk [NAME=]FILE[:START+SIZE][:ro][:MOUNT] (disk.c) */
    struct keel_disk disks[KEEL_DISKS_MAX];
    int ndevs;              /* distinct files: virtio-blk functions */
    int dev_slot[KEEL_BLKDEVS_MAX];  /* its PCI slot (00:slot.0) */
    int dev_of[KEEL_BLKDEVS_MAX];    /* its first disk */
    bool disk_bench;        /* KEEL_DISK_BENCH=1: make bench's dom0 rows */
    uint64_t guest_mem;     /* --guest-mem: every guest's maximum; 0: its image's */
};
int keel_parse_run(int argc, char **argv, struct keel_opts *o, FILE *err);
int keel_parse_mem(const char *s, char *out, size_t outsz);
int keel_parse_guest_mem(const char *s, uint64_t *out);
/* "user", "none", "tap:IFNAME" (a name Linux accepts, without ','). */
int keel_parse_net(const char *s, struct keel_opts *o);
/* disk.c: --disk [NAME=]FILE[:START+SIZE][:ro][:MOUNT], checked before QEMU starts */
int keel_parse_disk(const char *s, struct keel_opts *o);
int keel_plan_disks(struct keel_opts *o, char *const *names, int n, FILE *err);
void keel_disk_args(const struct keel_opts *o, int k, char *drive, size_t size);
/* volume.c: --volume [NAME=]DIR[:MOUNTPOINT], a read-only ext2 disk */
int keel_parse_volume(const char *s, struct keel_opts *o);
void keel_usage(FILE *f);
void keel_run_usage(FILE *f);

/* names.c: guest names (image file name without extension, unique) */
char *keel_guest_basename(const char *path);
int keel_unique_names(char **names, int n);
void keel_module_label(const char *name, char *out, size_t outsz);

/* images.c: one boot module per distinct image.  image_of[i] = the image
 * guest i boots, numbered 0.. in order of first use; two paths are one
 * image when they are one file or hold the same bytes.  Returns the number
 * of distinct images, or -1 with a message on err (also when there are
 * more than KEEL_LAUNCH_MAX_IMAGES). */
int keel_distinct_images(char *const *paths, int n, int *image_of, FILE *err);
/* The image's KEEL_NOTE_DEV_* bits in *devices, 0; -1 for an image that
 * cannot be read or checked. */
int keel_image_devices(const char *path, uint32_t *devices);
/* nic[i] for each guest: whether its image's devices note asks for a NIC,
 * each distinct image (image_of[], nimages) read once; an image that
 * cannot be checked counts as `unchecked`.  malloc'd; NULL when out of
 * memory. */
bool *keel_guest_nics(const struct keel_opts *o, const int *image_of, int nimages,
                      bool unchecked);

/* hosts.c: the run's hosts table (keel/hosts.h) for guests names[0..n-1],
 * nic[i] when guest i has a NIC; with_host lists `host` at the gateway.
 * *out (malloc'd, *len bytes: whole pages, zero padded), 0; or -1 (out of
 * memory, n out of range). */
int keel_hosts_build(char *const *names, int n, const bool *nic, bool with_host,
                     uint8_t **out, size_t *len);

/* connect.c: `--connect A:B[:NAME]`, A and B guest names or indices */
#define KEEL_CONNECT_NAME_MAX 31   /* keel/device.h's name, without NUL */
struct keel_connect {
    int a, b;                  /* guest indices: a grants, b maps */
    char name[KEEL_CONNECT_NAME_MAX + 1];
};
/* The guest s[0, len) names (a name first, else a 0-based index), or -1. */
int keel_guest_index(const char *s, size_t len, char *const *names, int n);
/* Resolves every spec against the guests' names; 0, or -1 with a message
 * on err.  *out is malloc'd (NULL when there are none). */
int keel_resolve_connects(char *const *specs, int nspecs, char *const *names,
                          int n, struct keel_connect **out, FILE *err);

/* portfwd.c: `-p`, forwarded from the host by QEMU's user-mode network
 * (hostfwd rules on its one -netdev) to a guest's address of the plan.
 * keel_parse_port: 0, or -1 with one line on err. */
int keel_parse_port(const char *spec, struct keel_port *p, FILE *err);
const char *keel_port_proto(const struct keel_port *p);     /* "tcp", "udp" */
void keel_format_ipv4(uint32_t host_order, char *out, size_t size);
/* Names (or indices) to guests, refusing a guest without a NIC (nic[i]
 * false; NULL: every guest may have one) and two rules on one host
 * socket; 0, or -1 with one line on err. */
int keel_resolve_ports(struct keel_port *p, int np, char *const *names, int n,
                       const bool *nic, FILE *err);
/* -v: every guest's name, address and forwarded ports. */
void keel_show_plan(const struct keel_opts *o, char *const *names,
                    const bool *nic, FILE *f);

/* hostfwd.c: -p on QEMU's side.  ",hostfwd=..." for every rule: a
 * malloc'd string. */
char *keel_hostfwd_rules(const struct keel_port *p, int np);
/* QEMU's listening sockets for -p get the kernel's largest backlog: how
 * many, or -errno. */
int keel_widen_backlogs(const struct keel_opts *o, pid_t qemu);
/* QEMU's stderr says a rule could not be set up: one line on f; true. */
bool keel_explain_hostfwd(const struct keel_opts *o, const char *qemu_err,
                          size_t len, FILE *f);

/* manifest.c: the run manifest of keel/launch.h */
struct keel_manifest {
    char *const *names;        /* n guests: argv[0] of each */
    int n;
    const int *image_of;       /* n entries (images.c); NULL: guest i boots image i */
    int nimages;
    char *const *args;         /* every guest's argv[1..] */
    int nargs;
    const struct keel_connect *conn;
    int nconn;
    const struct keel_opts *disks;   /* its disks and their devices */
    char *const *env;          /* every guest's environment: NAME=VALUE */
    int nenv;
};
int keel_write_manifest(FILE *f, const struct keel_manifest *m);

/* record.c: serial record parser (keel/console.h framing) */
struct keel_record {
    unsigned domid;
    char stream;
    size_t len;
    const uint8_t *data;
};
struct keel_rec_sink {
    void (*record)(void *ctx, const struct keel_record *r);
    void (*log)(void *ctx, const uint8_t *buf, size_t n);  /* bytes outside records */
    void *ctx;
};
struct keel_rec_parser {
    struct keel_rec_sink sink;
    size_t have;            /* bytes of the current record held in buf */
    size_t need;            /* its full size once the header parsed, else 0 */
    uint8_t buf[12 + 0xffff];
};
void keel_rec_init(struct keel_rec_parser *p, struct keel_rec_sink sink);
void keel_rec_feed(struct keel_rec_parser *p, const uint8_t *data, size_t n);
void keel_rec_finish(struct keel_rec_parser *p);

/* lineout.c: an output stream that optionally prefixes every line */
struct keel_lineout {
    int fd;
    char *prefix;           /* NULL: bytes pass through unbuffered */
    char *buf;
    size_t len, cap;
};
void keel_lo_init(struct keel_lineout *lo, int fd, const char *prefix);
void keel_lo_write(struct keel_lineout *lo, const void *data, size_t n);
void keel_lo_flush(struct keel_lineout *lo);   /* ends a partial line */
void keel_lo_free(struct keel_lineout *lo);
void keel_write_all(int fd, const void *data, size_t n);

/* route.c: where each record goes; the control protocol */
struct keel_guest {
    char *name;
    int status;             /* -1 until `exit` */
    struct keel_lineout out, err;
};
struct keel_router;
struct keel_router *keel_router_new(char *const *names, int n, int out_fd,
                                    int err_fd, bool verbose, bool timings);
/* Boot progress on stderr (progress.c): forced, or when it is a tty. */
void keel_progress_init(struct keel_router *r, bool forced);
void keel_router_free(struct keel_router *r);
struct keel_rec_sink keel_router_sink(struct keel_router *r);
void keel_router_finish(struct keel_router *r);
bool keel_router_done(const struct keel_router *r, int *status);
bool keel_router_poweroff(const struct keel_router *r);
/* A `start` line has come: dom0 runs guests (and reads console input). */
bool keel_router_started(const struct keel_router *r);
void keel_router_log_tail(const struct keel_router *r, FILE *f);

/* stage.c: the private run folder */
struct keel_stage {
    char dir[4096];
    int nfiles;
    char **files;
};
int keel_stage_init(struct keel_stage *s);
int keel_stage_link(struct keel_stage *s, const char *src, const char *name,
                    char *out, size_t outsz);
FILE *keel_stage_create(struct keel_stage *s, const char *name, char *out,
                        size_t outsz);
void keel_stage_cleanup(struct keel_stage *s);
int keel_build_volumes(struct keel_opts *o, struct keel_stage *st, FILE *err);

/* hosts_stage.c: the hosts table written into the run folder as "hosts"
 * (its path in path), from the guests' images (image_of: images.c).  0, or
 * -1 with a message on stderr. */
int keel_stage_hosts(struct keel_stage *st, const struct keel_opts *o, char *const *names,
                     const int *image_of, int nimages, char *path, size_t pathsz);

/* paths.c: where the hypervisor, dom0 and QEMU are */
struct keel_paths {
    char hv[4096], dom0[4096];
    const char *qemu;
};
int keel_find_paths(struct keel_paths *p, FILE *err);

/* qemu.c: the QEMU command line and process */
char **keel_qemu_argv(const struct keel_opts *o, const char *qemu,
                      const char *hv, const char *initrd, const char *hostio);
/* QEMU's serial line comes back on *out_fd, its stderr on *err_fd; its
 * serial input (non-blocking) is *in_fd. */
pid_t keel_qemu_spawn(char **argv, int *out_fd, int *err_fd, int *in_fd);

/* hostio.c: the shared-memory host I/O path (keel/hostio.h) */
struct keel_hostio {
    struct keel_hostio_header *hdr;   /* NULL: the serial line only */
    struct stream out, in;            /* we consume out, produce in; the
                                       * layout is ours, never re-read */
    bool out_ok, in_ok;               /* false once a peer counter was corrupt */
    char path[4200];                  /* the file QEMU maps ("": none) */
    int memfd;                        /* path is /dev/fd/<memfd>, or -1 */
};
int keel_hostio_create(struct keel_hostio *h, const struct keel_stage *st);
void keel_hostio_destroy(struct keel_hostio *h);
void keel_hostio_layout(void *mem);          /* KEEL_HOSTIO_TOTAL_SIZE bytes */
void keel_hostio_attach(struct keel_hostio *h, void *mem);
bool keel_hostio_live(const struct keel_hostio *h);
/* Feeds what `out` holds to p; the bytes taken. */
size_t keel_hostio_drain(struct keel_hostio *h, struct keel_rec_parser *p);
/* Copies what fits of data into `in`, never waits; the bytes taken. */
size_t keel_hostio_push(struct keel_hostio *h, const void *data, size_t n);
/* After a push: true (once per wait) if the hypervisor waits for input. */
bool keel_hostio_take_waiting(struct keel_hostio *h);
/* Before sleeping: set out_waiting, look at `out` again; true: `out` is
 * empty, sleep until the serial line wakes us (keel_hostio_out_want, then
 * keel_hostio_out_empty).  keel_hostio_out_awake clears the flag. */
bool keel_hostio_out_arm(struct keel_hostio *h);
void keel_hostio_out_want(struct keel_hostio *h);
bool keel_hostio_out_empty(const struct keel_hostio *h);
void keel_hostio_out_awake(struct keel_hostio *h);

/* input.c: our stdin, framed, to QEMU's serial input */
#define KEEL_INPUT_CHUNK 4096
struct keel_input {
    int from, to;             /* our stdin; QEMU's input pipe (-1: gone) */
    bool eof;                 /* EOF record queued */
    bool ready;               /* the machine reads its input now */
    bool bell;                /* a doorbell byte is owed (shared memory) */
    size_t len;
    uint8_t buf[4 * (KEEL_INPUT_CHUNK + 12)];
};
void keel_input_init(struct keel_input *in, int from_fd, int to_fd);
bool keel_input_wants_read(const struct keel_input *in);
bool keel_input_wants_write(const struct keel_input *in);
void keel_input_read(struct keel_input *in);
void keel_input_ready(struct keel_input *in);
void keel_input_write(struct keel_input *in);
void keel_input_push(struct keel_input *in, struct keel_hostio *h);  /* hostio.c */
void keel_input_ring(struct keel_input *in);   /* hostio.c: an owed doorbell */

/* run.c: `keel run` */
int keel_run(struct keel_opts *o);
/* Runs until the machine is off; removes the run folder st as soon as the
 * machine has printed anything (QEMU has read every file by then). */
int keel_loop(const struct keel_opts *o, pid_t pid, int out_fd, int err_fd,
              int in_fd, struct keel_router *r, struct keel_hostio *h,
              struct keel_stage *st);

#endif /* KEEL_TOOL_H */
