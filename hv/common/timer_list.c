/*
 * The pure half of guest timers (timer.c): one CPU's armed vCPU timers, a
 * pairing heap ordered by (deadline, arming order), and the rate bound.
 * No locks and no clock: the caller holds the heap's lock and passes the
 * time, so that a host unit test runs this (tests/unit/hv_timer_list_test.c).
 *
 * A heap, not a sorted list: every sleeping guest has a timer armed, and a
 * list's insertion walked past all of them (with 10,000 guests asleep, each
 * guest that went to sleep cost the hypervisor a walk of thousands of
 * nodes with its lock held).  Insertion is O(1), taking the earliest and
 * removing any timer O(log n) amortized.  *head is the earliest timer.
 *
 * Invariant: a timer is in a heap exactly while deadline_ns != 0.
 *
 * The rate bound (KEEL_TIMER_MIN_INTERVAL_NS, keel/hypercall.h) counts
 * from when the timer last fired, not from its deadline: what it bounds is
 * how often the timer interrupts a CPU, and a firing that came late must
 * not let the next one catch up.
 */
#include <hv/sched.h>
#include <hv/lib.h>
#include <keel/hypercall.h>

static uint64_t arming_seq;     /* atomic: CPUs arm under their own locks */

static bool earlier(const struct vcpu_timer *a, const struct vcpu_timer *b)
{
    return a->deadline_ns < b->deadline_ns ||
           (a->deadline_ns == b->deadline_ns && a->seq < b->seq);
}

/* Two detached roots (either may be NULL) -> one root. */
static struct vcpu_timer *meld(struct vcpu_timer *a, struct vcpu_timer *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (earlier(b, a)) {
        struct vcpu_timer *t = a;
        a = b;
        b = t;
    }
    b->sibling = a->child;
    if (a->child)
        a->child->prev = b;
    b->prev = a;
    a->child = b;
    return a;
}

static void detach(struct vcpu_timer *t)
{
    t->sibling = t->prev = NULL;
}

/* A list of siblings -> one root: meld them in pairs left to right, then
 * the pairs right to left (the two passes that bound the amortized cost).
 * Iterative: the first pass stacks its results through sibling. */
static struct vcpu_timer *merge_pairs(struct vcpu_timer *first)
{
    struct vcpu_timer *stack = NULL, *root = NULL;

    while (first) {
        struct vcpu_timer *a = first, *b = a->sibling, *m;

        first = b ? b->sibling : NULL;
        detach(a);
        if (b)
            detach(b);
        m = meld(a, b);
        m->sibling = stack;
        stack = m;
    }
    while (stack) {
        struct vcpu_timer *next = stack->sibling;

        detach(stack);
        root = meld(root, stack);
        stack = next;
    }
    return root;
}

static void disarm(struct vcpu_timer *t)
{
    t->deadline_ns = 0;
    t->child = t->sibling = t->prev = NULL;
}

/* After the equal deadlines already there: those fire in arming order. */
void timer_list_insert(struct vcpu_timer **head, struct vcpu_timer *t,
                       uint64_t deadline_ns)
{
    t->deadline_ns = deadline_ns;
    t->seq = __atomic_add_fetch(&arming_seq, 1, __ATOMIC_RELAXED);
    t->child = t->sibling = t->prev = NULL;
    *head = meld(*head, t);
}

void timer_list_remove(struct vcpu_timer **head, struct vcpu_timer *t)
{
    if (!t->deadline_ns)
        return;
    if (t == *head) {
        *head = merge_pairs(t->child);
    } else {
        if (t->prev->child == t)
            t->prev->child = t->sibling;
        else
            t->prev->sibling = t->sibling;
        if (t->sibling)
            t->sibling->prev = t->prev;
        *head = meld(*head, merge_pairs(t->child));
    }
    disarm(t);
}

struct vcpu_timer *timer_list_expired(struct vcpu_timer **head, uint64_t now_ns)
{
    struct vcpu_timer *t = *head;

    if (!t || t->deadline_ns > now_ns)
        return NULL;
    *head = merge_pairs(t->child);
    disarm(t);
    t->last_fire_ns = now_ns;
    return t;
}

uint64_t timer_bounded_deadline(const struct vcpu_timer *t, uint64_t deadline_ns)
{
    if (!deadline_ns)
        return 0;
    return MAX(deadline_ns, t->last_fire_ns + KEEL_TIMER_MIN_INTERVAL_NS);
}
