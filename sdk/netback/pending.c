/*
 * Which interfaces have tx work.  An event handler may kick at any moment
 * (nb_switch_kick), so the inbox is a lock-free stack that kicks push onto
 * and the poll empties with one atomic exchange (push-only plus take-all:
 * no ABA).  The poll appends what it took, oldest first, to the ready
 * list, which only it touches: a FIFO served round-robin.  `queued` says
 * an interface is on one of the two lists, so a kick costs one atomic
 * exchange and a thousand events before the poll queue it once.  Nothing
 * here ever looks at an interface that was not kicked.
 */
#include "nb_impl.h"

void nb_switch_kick(struct nb_switch *sw, struct nb_if *vif)
{
    struct nb_if *head;

    if (__atomic_exchange_n(&vif->queued, 1, __ATOMIC_ACQ_REL))
        return;
    head = __atomic_load_n(&sw->inbox, __ATOMIC_RELAXED);
    do
        vif->next = head;
    while (!__atomic_compare_exchange_n(&sw->inbox, &head, vif, true,
                                        __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

void nb_ready_append(struct nb_switch *sw, struct nb_if *vif)
{
    vif->next = NULL;
    if (sw->ready_tail)
        sw->ready_tail->next = vif;
    else
        sw->ready = vif;
    sw->ready_tail = vif;
}

struct nb_if *nb_ready_pop(struct nb_switch *sw)
{
    struct nb_if *vif = sw->ready;

    if (vif) {
        sw->ready = vif->next;
        if (!sw->ready)
            sw->ready_tail = NULL;
        vif->next = NULL;
    }
    return vif;
}

void nb_inbox_drain(struct nb_switch *sw)
{
    struct nb_if *v = __atomic_exchange_n(&sw->inbox, NULL, __ATOMIC_ACQUIRE);
    struct nb_if *oldest = NULL, *next;

    for (; v; v = next) {       /* the stack is newest first: reverse it */
        next = v->next;
        v->next = oldest;
        oldest = v;
    }
    for (; oldest; oldest = next) {
        next = oldest->next;
        nb_ready_append(sw, oldest);
    }
}

/* vif is going away (its handler is gone, so the inbox cannot gain it
 * again): off the lists.  Walks the interfaces with work, never all. */
void nb_pending_forget(struct nb_switch *sw, struct nb_if *vif)
{
    struct nb_if **p = &sw->ready, *prev = NULL;

    nb_inbox_drain(sw);
    for (; *p; prev = *p, p = &(*p)->next) {
        if (*p == vif) {
            *p = vif->next;
            if (sw->ready_tail == vif)
                sw->ready_tail = prev;
            break;
        }
    }
    vif->next = NULL;
    __atomic_store_n(&vif->queued, 0, __ATOMIC_RELEASE);
}

bool nb_pending_any(const struct nb_switch *sw)
{
    return sw->ready || __atomic_load_n(&sw->inbox, __ATOMIC_RELAXED);
}
