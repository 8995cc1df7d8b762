/*
 * The start-info page: what a domain finds when its first instruction runs.
 *
 * The domain builder (dom0's toolstack for guests, the hypervisor for dom0)
 * writes it into the domain's own memory and starts the vCPU with
 *   rip = ELF entry, rsp = stack_top (16-byte aligned, as after a call's
 *   return address was popped: i.e. rsp % 16 == 0), rdi = address of this
 *   struct, all other general registers 0, rflags = IF only, FPU state in
 *   its reset configuration (MXCSR = 0x1f80, FCW = 0x37f).
 *
 * Layout of guest memory chosen by the builder (all inside
 * [mem_base, mem_base + mem_bytes)):
 *
 *   mem_base        ELF PT_LOAD segments, each page with its own rights
 *                   (text r-x, rodata r--, data/bss rw-, never w+x)
 *   ...             start-info page(s), then args: read-only (r--), as
 *                   is the device page after them (keel/device.h); the
 *                   builder's word, which no grant can make writable;
 *                   then the device's ring pages (rw-) and the hosts
 *                   table (r--, keel/hosts.h), whose pages are not
 *                   counted in the image note's mem_bytes: mem_bytes
 *                   here is the note's plus theirs
 *   heap_start      free memory (rw-) up to heap_end; only up to
 *                   heap_backed backed by frames at start (memory on
 *                   demand, keel/memory.h), the rest unmapped
 *   heap_end        one unmapped guard page
 *   stack_top - stack_bytes .. stack_top   the stack (rw-); dom0's builder
 *                   backs its top pages and has the hypervisor back each
 *                   other page when the guest first touches it
 *                   (keel/domctl.h SET_STACK): the guest sees no difference
 *   stack_top == mem_base + mem_bytes
 */
#ifndef KEEL_PUBLIC_START_INFO_H
#define KEEL_PUBLIC_START_INFO_H

#include "abi.h"

#define KEEL_START_MAGIC "KEELSTRT"   /* 8 bytes, no NUL */

#define KEEL_SIF_PRIVILEGED  (1u << 0)   /* this is the privileged domain */

#define KEEL_MODULE_NAME_MAX 64

/* dom0 only: a boot module, mapped read-only into dom0 */
struct keel_module {
    uint64_t va;                        /* page aligned */
    uint64_t bytes;
    char     name[KEEL_MODULE_NAME_MAX];  /* from the boot command line, NUL terminated */
};

struct keel_start_info {
    char     magic[8];                  /* KEEL_START_MAGIC */
    uint32_t abi_version;
    uint32_t flags;                     /* KEEL_SIF_* */
    uint32_t domid;
    uint32_t nr_cpus;                   /* physical CPUs the machine runs on */
    uint64_t mem_base;
    uint64_t mem_bytes;
    uint64_t heap_start;
    uint64_t heap_end;
    /* memory on demand (keel/memory.h): [heap_start, heap_backed) is
     * backed by frames, [heap_backed, heap_end) is not yet: the guest asks
     * for those pages with KEEL_MEMORY_INCREASE.  0: the whole heap is
     * backed (dom0, and a domain created with all its memory). */
    uint64_t heap_backed;
    uint64_t stack_top;
    uint64_t stack_bytes;
    uint64_t shared_info_va;            /* == KEEL_SHARED_INFO_VA */
    /* arguments: argc NUL-terminated strings back to back at args_va,
     * args_bytes in all; argv[0] is the guest's name */
    uint64_t args_va;
    uint64_t args_bytes;
    uint32_t argc;
    uint32_t nr_modules;                /* dom0 only, else 0 */
    uint64_t modules_va;                /* dom0 only: struct keel_module[nr_modules] */
    uint64_t device_page_va;            /* keel/device.h; 0: no devices */
    /* the run's hosts table (keel/hosts.h), read-only, page aligned;
     * both 0: none (a guest without a NIC, dom0) */
    uint64_t hosts_va;
    uint64_t hosts_bytes;
    /* environment: envc "NAME=VALUE" strings after the argc arguments at
     * args_va, inside args_bytes (keel run -e) */
    uint32_t envc;
    uint32_t reserved32;
    uint64_t reserved[4];
};

#endif /* KEEL_PUBLIC_START_INFO_H */
