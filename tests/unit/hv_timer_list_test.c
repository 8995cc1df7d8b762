/*
 * Host unit test of hv/common/timer_list.c: one CPU's heap of vCPU timers
 * and the rate bound (KEEL_TIMER_MIN_INTERVAL_NS).
 */
#include "ktest.h"
#include "../../hv/common/timer_list.c"

#define US 1000ull
#define MIN_IV KEEL_TIMER_MIN_INTERVAL_NS

/* The deadlines in firing order, into out (the heap is emptied);
 * returns how many. */
static int deadlines(struct vcpu_timer **head, uint64_t *out)
{
    struct vcpu_timer *t;
    int n = 0;

    while (*head) {
        uint64_t d = (*head)->deadline_ns;
        t = timer_list_expired(head, ~0ull);
        if (!t)
            break;
        out[n++] = d;
    }
    return n;
}

static bool unlinked(const struct vcpu_timer *t)
{
    return !t->child && !t->sibling && !t->prev;
}

KTEST(insert_keeps_deadline_order)
{
    struct vcpu_timer *head = NULL, t[4] = { { 0 } };
    uint64_t d[4];

    timer_list_insert(&head, &t[0], 300);
    timer_list_insert(&head, &t[1], 100);
    timer_list_insert(&head, &t[2], 200);
    timer_list_insert(&head, &t[3], 400);
    EXPECT(head == &t[1]);
    EXPECT_EQ(deadlines(&head, d), 4);
    EXPECT(d[0] == 100 && d[1] == 200 && d[2] == 300 && d[3] == 400);
}

KTEST(equal_deadlines_fire_in_arming_order)
{
    struct vcpu_timer *head = NULL, t[3] = { { 0 } };

    timer_list_insert(&head, &t[0], 50);
    timer_list_insert(&head, &t[1], 50);
    timer_list_insert(&head, &t[2], 10);
    EXPECT(timer_list_expired(&head, 100) == &t[2]);
    EXPECT(timer_list_expired(&head, 100) == &t[0]);
    EXPECT(timer_list_expired(&head, 100) == &t[1]);
    EXPECT(timer_list_expired(&head, 100) == NULL);
}

KTEST(remove_anywhere_and_twice)
{
    struct vcpu_timer *head = NULL, t[3] = { { 0 } };
    uint64_t d[3];

    for (int i = 0; i < 3; i++)
        timer_list_insert(&head, &t[i], 10 * (i + 1));
    timer_list_remove(&head, &t[1]);
    EXPECT_EQ(t[1].deadline_ns, 0);
    EXPECT(unlinked(&t[1]));
    timer_list_remove(&head, &t[1]);          /* not armed: nothing */
    timer_list_remove(&head, &t[0]);          /* the earliest */
    EXPECT(head == &t[2]);
    timer_list_remove(&head, &t[2]);
    EXPECT(head == NULL);
    for (int i = 0; i < 3; i++)
        timer_list_insert(&head, &t[i], 10 * (i + 1));
    timer_list_remove(&head, &t[1]);
    EXPECT_EQ(deadlines(&head, d), 2);
    EXPECT(d[0] == 10 && d[1] == 30);
}

/* Moving a timer between two CPUs' lists: out of one, into the other. */
KTEST(move_between_lists)
{
    struct vcpu_timer *a = NULL, *b = NULL, t[2] = { { 0 } };

    timer_list_insert(&a, &t[0], 70);
    timer_list_insert(&b, &t[1], 90);
    timer_list_remove(&a, &t[0]);
    timer_list_insert(&b, &t[0], 70);
    EXPECT(a == NULL);
    EXPECT(b == &t[0]);
    EXPECT(timer_list_expired(&a, 1000) == NULL);
    EXPECT(timer_list_expired(&b, 1000) == &t[0]);
    EXPECT(timer_list_expired(&b, 1000) == &t[1]);
}

KTEST(expired_only_when_due)
{
    struct vcpu_timer *head = NULL, t = { 0 };

    timer_list_insert(&head, &t, 500);
    EXPECT(timer_list_expired(&head, 499) == NULL);
    EXPECT(head == &t);
    EXPECT(timer_list_expired(&head, 500) == &t);
    EXPECT_EQ(t.deadline_ns, 0);
    EXPECT_EQ(t.last_fire_ns, 500);
    EXPECT(head == NULL);
}

KTEST(bound_defers_to_min_interval_after_last_fire)
{
    struct vcpu_timer t = { .last_fire_ns = 1000 * US };

    EXPECT_EQ(timer_bounded_deadline(&t, 1000 * US + 1), 1000 * US + MIN_IV);
    EXPECT_EQ(timer_bounded_deadline(&t, 1), 1000 * US + MIN_IV);   /* past */
    EXPECT_EQ(timer_bounded_deadline(&t, 1000 * US + MIN_IV), 1000 * US + MIN_IV);
    EXPECT_EQ(timer_bounded_deadline(&t, 5000 * US), 5000 * US);   /* untouched */
    EXPECT_EQ(timer_bounded_deadline(&t, 0), 0);                   /* disarm */
}

/* A guest that re-arms 1 us ahead each time its timer fires, firing each
 * as soon as it is due: one firing per KEEL_TIMER_MIN_INTERVAL_NS. */
KTEST(storm_fires_at_the_bounded_rate)
{
    struct vcpu_timer *head = NULL, t = { 0 };
    uint64_t now = 0, fired = 0, span = 100 * MIN_IV;

    while (now < span) {
        timer_list_insert(&head, &t, timer_bounded_deadline(&t, now + US));
        now = head->deadline_ns;
        EXPECT(timer_list_expired(&head, now) == &t);
        fired++;
    }
    EXPECT(fired <= span / MIN_IV + 1);
    EXPECT(fired >= span / MIN_IV - 1);
}

/* 10,000 sleeping guests' timers (ever later deadlines, the case a sorted
 * list paid a full walk for) with some cancelled and some re-armed, in a
 * pseudo-random order: they fire in (deadline, arming) order, each once. */
#define MANY 10000
KTEST(many_timers_fire_in_order)
{
    static struct vcpu_timer t[MANY];
    struct vcpu_timer *head = NULL, *x;
    uint64_t last = 0, lastseq = 0, rnd = 12345;
    int fired = 0, armed = 0;

    for (int i = 0; i < MANY; i++)
        timer_list_insert(&head, &t[i], 1000 + (uint64_t)i * 7);
    for (int i = 0; i < MANY; i += 3) {
        rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
        timer_list_remove(&head, &t[i]);
        if (rnd >> 63)
            timer_list_insert(&head, &t[i], 500 + (rnd >> 40) % 80000);
    }
    for (int i = 0; i < MANY; i++)
        armed += t[i].deadline_ns != 0;
    while ((x = timer_list_expired(&head, ~0ull - 1))) {
        EXPECT(x->last_fire_ns == ~0ull - 1 && x->deadline_ns == 0);
        fired++;
    }
    EXPECT_EQ(fired, armed);
    EXPECT(head == NULL);
    /* order: arm them again, take them out one at a time by time */
    for (int i = 0; i < MANY; i++)
        timer_list_insert(&head, &t[i], 1 + (uint64_t)(i * 7919 % MANY) / 3);
    fired = 0;
    while (head) {
        uint64_t d = head->deadline_ns, seq = head->seq;
        EXPECT(d > last || (d == last && seq > lastseq));
        last = d;
        lastseq = seq;
        EXPECT(timer_list_expired(&head, d) != NULL);
        fired++;
    }
    EXPECT_EQ(fired, MANY);
}

KTEST_MAIN(KTEST_CASE(insert_keeps_deadline_order),
           KTEST_CASE(equal_deadlines_fire_in_arming_order),
           KTEST_CASE(remove_anywhere_and_twice),
           KTEST_CASE(move_between_lists),
           KTEST_CASE(expired_only_when_due),
           KTEST_CASE(bound_defers_to_min_interval_after_last_fire),
           KTEST_CASE(storm_fires_at_the_bounded_rate),
           KTEST_CASE(many_timers_fire_in_order))
