/*
 * Each CPU's TSS I/O permission bitmap: the ports of the functions lent
 * to the domain whose vCPU state is live on this CPU (switch.c calls
 * io_switch_in with the FPU and segment state), and no port for anyone
 * else.  IOPL stays 0 for every guest (switch.c), so the bitmap is the
 * only way a port opens, and cli/sti stay a #GP.
 *
 * A domain without ports costs one store: iomap_base past the TSS limit
 * (IOMAP_NONE), where the CPU finds no bitmap and every port traps.  One
 * with ports keeps the bitmap this CPU built for it last, as long as the
 * stamp of its ports (pci_dom.io_stamp, unique for the machine's life) is
 * the one the CPU built it for: switching to it is then one store too.
 * Otherwise the bytes opened for the previous stamp are closed and the
 * new ports opened (iobitmap.c): tens of byte writes, never a copy of the
 * whole 8 KiB.
 */
#include <hv/arch.h>
#include <hv/domain.h>
#include <hv/pci.h>
#include <hv/sched.h>
#include "x86.h"

void io_load(struct percpu_arch *c, const struct domain *d)
{
    const struct pci_dom *p = &d->pci;

    if (!p->nports) {
        c->tss.iomap_base = IOMAP_NONE;
        return;
    }
    if (c->io_stamp != p->io_stamp) {
        iobitmap_close(c->io_bitmap, c->io_lo, c->io_hi);
        iobitmap_open(c->io_bitmap, p->ports, p->nports, &c->io_lo, &c->io_hi);
        c->io_stamp = p->io_stamp;
    }
    c->tss.iomap_base = sizeof(struct tss);
}

void io_switch_in(struct vcpu *v)
{
    io_load(this_cpu_arch(), v->domain);
}

/* The caller changed d's ports in a hypercall of d's own vCPU (or of the
 * privileged domain, for a d that has never run and so is live nowhere). */
void arch_io_ports_changed(struct domain *d)
{
    struct vcpu *owner = this_cpu()->state_owner;

    if (owner && owner->domain == d)
        io_load(this_cpu_arch(), d);
}
