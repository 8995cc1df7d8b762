/*
 * KEEL_DOMCTL_NEXT_ENDED: which domains ended, so that dom0 need not ask
 * every live guest (one GET_INFO hypercall each) on every VIRQ_DOM_EXC.
 *
 * domain_ended() appends the id to a bounded FIFO; dom0 drains it.  The
 * FIFO never blocks an ending domain: when it is full the entry is dropped
 * and the next NEXT_ENDED says -KEEL_ENOSPC once (then the FIFO is empty
 * again), which tells dom0 to fall back to a full scan.  Entries are hints:
 * the id may have been destroyed and even reused since, so dom0 checks each
 * with GET_INFO.
 */
#include <hv/domctl.h>
#include <hv/domain.h>
#include <hv/lib.h>

#define ENDED_MAX 1024u                  /* power of two */

static spinlock_t ended_lock = SPINLOCK_INIT;
static uint32_t ended[ENDED_MAX];
static uint32_t head, tail;              /* free-running; tail - head = used */
static bool lost;

/* Called as a domain shuts down or crashes (any CPU, any lock but ours). */
void domctl_note_ended(uint32_t domid)
{
    spin_lock(&ended_lock);
    if (tail - head < ENDED_MAX)
        ended[tail++ & (ENDED_MAX - 1)] = domid;
    else
        lost = true;
    spin_unlock(&ended_lock);
}

long domctl_next_ended(struct vcpu *v, struct keel_domctl *op)
{
    long rc = 0;

    (void)v;
    spin_lock(&ended_lock);
    if (lost) {
        lost = false;
        head = tail;
        rc = -KEEL_ENOSPC;
    } else if (head == tail) {
        rc = -KEEL_ENOENT;
    } else {
        op->domid = ended[head++ & (ENDED_MAX - 1)];
    }
    spin_unlock(&ended_lock);
    return rc;
}
