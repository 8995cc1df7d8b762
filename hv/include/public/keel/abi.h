/*
 * Keel public ABI: the one contract between the hypervisor and every guest.
 *
 * Everything under include/public/keel/ is self-contained: it depends only on
 * <stdint.h> and <stddef.h>, so hv/ (freestanding), sdk/ (newlib) and host
 * tools (glibc) include the same bytes.  Every image carries KEEL_ABI_VERSION
 * in its note; the domain builder refuses an image whose version differs.
 *
 * Bump KEEL_ABI_VERSION on any incompatible change to a struct, constant or
 * calling convention in this folder.
 */
#ifndef KEEL_PUBLIC_ABI_H
#define KEEL_PUBLIC_ABI_H

#include <stdint.h>
#include <stddef.h>

#define KEEL_ABI_VERSION 1u

#define KEEL_PAGE_SHIFT 12
#define KEEL_PAGE_SIZE  (1ul << KEEL_PAGE_SHIFT)

typedef uint16_t keel_domid_t;

#define KEEL_DOMID_SELF ((keel_domid_t)0x7ff0)
#define KEEL_DOMID_HV   ((keel_domid_t)0xffff) /* console records of the hv */
#define KEEL_DOMID_MAX  ((keel_domid_t)0x7fef) /* largest id a domain gets */

/*
 * Error codes.  Every hypercall returns a long: >= 0 on success, -KEEL_Exxx
 * on failure.  The values equal Linux/newlib errno values so that the libos
 * can hand them to errno unchanged.
 */
#define KEEL_EPERM    1   /* not allowed for this domain (not privileged) */
#define KEEL_ENOENT   2   /* no such object (grant, port, module) */
#define KEEL_ESRCH    3   /* no such domain */
#define KEEL_EINTR    4
#define KEEL_EIO      5
#define KEEL_E2BIG    7   /* argument larger than the ABI allows */
#define KEEL_EBADF    9   /* bad handle / stream */
#define KEEL_EAGAIN  11
#define KEEL_ENOMEM  12   /* out of frames or table slots */
#define KEEL_EACCES  13   /* rights do not allow the access */
#define KEEL_EFAULT  14   /* guest pointer not mapped with the needed rights */
#define KEEL_EBUSY   16   /* object in use */
#define KEEL_EEXIST  17
#define KEEL_ENODEV  19   /* the machine lacks the device (an interrupt) */
#define KEEL_EINVAL  22   /* malformed argument */
#define KEEL_ENOSPC  28
#define KEEL_EROFS   30   /* a write to a read-only disk (keel/blk.h) */
#define KEEL_EPIPE   32   /* the other end has gone (console input ended) */
#define KEEL_ERANGE  34
#define KEEL_ENOSYS  38   /* no such hypercall or sub-command */

/*
 * Guest virtual memory.
 *
 * A domain's memory is one contiguous range starting at KEEL_GUEST_BASE, as
 * many pages as it was created with.  Everything below KEEL_GUEST_BASE is
 * unmapped (address zero faults) except the shared-info page at
 * KEEL_SHARED_INFO_VA.  Images are linked at KEEL_GUEST_BASE.
 *
 * The privileged domain additionally sees the boot modules, read-only, at
 * KEEL_DOM0_MODULE_VA and receives foreign mappings in the window at
 * KEEL_DOM0_FOREIGN_VA (at most KEEL_DOM0_FOREIGN_PAGES pages; the first
 * limits.foreign_pages of them, keel/domctl.h: 64 MiB for dom0).  Every domain maps
 * the pages others grant it in its grant window at KEEL_GRANT_WINDOW_VA.
 * A domain that owns a lent PCI function (keel/pci.h) sees its BARs in the
 * KEEL_PCI_MMIO_VA window and its DMA pages in the KEEL_PCI_DMA_VA window.
 */
#define KEEL_SHARED_INFO_VA      0x0000000000200000ull
#define KEEL_GUEST_BASE          0x0000000000400000ull
#define KEEL_GUEST_MAX_BYTES     (1ull << 36)               /* 64 GiB */
#define KEEL_DOM0_MODULE_VA      0x0000100000000000ull
#define KEEL_DOM0_FOREIGN_VA     0x0000200000000000ull
#define KEEL_DOM0_FOREIGN_PAGES  (1ull << 20)               /* 4 GiB */
/* Every domain: pages other domains granted it and it mapped (grant_table.h).
 * Handle h is mapped at KEEL_GRANT_WINDOW_VA + h * KEEL_PAGE_SIZE. */
#define KEEL_GRANT_WINDOW_VA     0x0000300000000000ull
#define KEEL_GRANT_WINDOW_PAGES  65536u                     /* 256 MiB */
/* Lent PCI functions (keel/pci.h): BARs mapped uncached, and DMA pages. */
#define KEEL_PCI_MMIO_VA         0x0000400000000000ull
#define KEEL_PCI_DMA_VA          0x0000500000000000ull
#define KEEL_USER_VA_END         0x0000800000000000ull

#endif /* KEEL_PUBLIC_ABI_H */
