/*
 * lwIP's sys_arch on the libos's cooperative threads (see arch/sys_arch.h).
 *
 * Every blocking call is one pattern: while the condition does not hold,
 * sleep in the scheduler on a predicate over the object and a deadline.
 * Waking up is not owning: another thread may have taken the count or the
 * message first, so the condition is checked again before taking it.
 */
#include <stdlib.h>
#include <string.h>
#include <libos/thread.h>
#include <libos/time.h>
#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "lwip/timeouts.h"

#define NS_PER_MS 1000000ull

/* sdk/netfront/netif.h: lwIP starts the NIC (a program that uses lwIP
 * links netfront, and gets its NIC; one without a NIC keeps loopback). */
void netfront_lwip_start(void);

void sys_init(void)
{
    netfront_lwip_start();
}

u32_t sys_now(void)
{
    return (u32_t)(libos_monotonic_ns() / NS_PER_MS);
}

u32_t sys_jiffies(void)
{
    return sys_now();
}

/* timeout_ms 0 is lwIP's "forever".  Returns the milliseconds waited
 * (never SYS_ARCH_TIMEOUT) once ready, SYS_ARCH_TIMEOUT at the deadline. */
static u32_t wait_ready(int (*ready)(void *), void *arg, u32_t timeout_ms)
{
    uint64_t start = libos_monotonic_ns();
    uint64_t deadline = timeout_ms ? start + timeout_ms * NS_PER_MS : LIBOS_FOREVER;
    uint64_t waited_ms;

    while (!ready(arg)) {
        if (libos_monotonic_ns() >= deadline)
            return SYS_ARCH_TIMEOUT;
        libos_thread_wait(ready, arg, deadline);
    }
    waited_ms = (libos_monotonic_ns() - start) / NS_PER_MS;
    return waited_ms < SYS_ARCH_TIMEOUT ? (u32_t)waited_ms : SYS_ARCH_TIMEOUT - 1;
}

/* Semaphores */

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
    sem->count = count;
    sem->valid = 1;
    return ERR_OK;
}

void sys_sem_free(sys_sem_t *sem)
{
    sem->valid = 0;
}

void sys_sem_signal(sys_sem_t *sem)
{
    sem->count++;
}

static int sem_available(void *sem)
{
    return ((sys_sem_t *)sem)->count > 0;
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout_ms)
{
    u32_t waited = wait_ready(sem_available, sem, timeout_ms);

    if (waited != SYS_ARCH_TIMEOUT)
        sem->count--;
    return waited;
}

/* Mutexes: lwIP never locks one it holds (it is not recursive). */

err_t sys_mutex_new(sys_mutex_t *mutex)
{
    mutex->lock = (libos_mutex_t)LIBOS_MUTEX_INIT;
    mutex->valid = 1;
    return ERR_OK;
}

void sys_mutex_free(sys_mutex_t *mutex)
{
    mutex->valid = 0;
}

void sys_mutex_lock(sys_mutex_t *mutex)
{
    int rc = libos_mutex_lock(&mutex->lock);

    LWIP_ASSERT("sys_mutex_lock: already held by this thread", rc == 0);
    (void)rc;
}

/*
 * The tcpip thread sleeps in its mailbox until the earliest lwIP timer it
 * saw.  Other threads run lwIP too, under the core lock (netfront's
 * thread feeds received frames in directly; sockets call in), and a timer
 * they add (TCP's, started by a connection's first segment; a delayed
 * ACK) would wait for that old deadline, up to a second.  So whoever lets
 * go of the core lock, if the earliest timer is now sooner than the
 * tcpip thread's deadline, wakes it: its fetch then times out early and
 * lwIP recomputes the sleep (tcpip_timeouts_mbox_fetch).
 */
static libos_thread_t *tcpip_thread;
static uint64_t tcpip_deadline = LIBOS_FOREVER;  /* while it sleeps */
static int tcpip_woken;

static void wake_tcpip_if_timer_sooner(void)
{
    u32_t sleep_ms;

    if (!tcpip_thread || libos_thread_self() == tcpip_thread ||
        tcpip_deadline == LIBOS_FOREVER)
        return;
    sleep_ms = sys_timeouts_sleeptime();
    if (sleep_ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE &&
        libos_monotonic_ns() + sleep_ms * NS_PER_MS < tcpip_deadline)
        tcpip_woken = 1;
}

void sys_mutex_unlock(sys_mutex_t *mutex)
{
    int rc;

    if (mutex == &lock_tcpip_core)
        wake_tcpip_if_timer_sooner();
    rc = libos_mutex_unlock(&mutex->lock);

    LWIP_ASSERT("sys_mutex_unlock: not held by this thread", rc == 0);
    (void)rc;
}

/* Mailboxes: a ring of message pointers, FIFO. */

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
    LWIP_ASSERT("sys_mbox_new: a mailbox needs a size (lwipopts.h)", size > 0);
    mbox->slot = calloc((size_t)size, sizeof(void *));
    if (!mbox->slot)
        return ERR_MEM;
    mbox->size = (uint32_t)size;
    mbox->head = 0;
    mbox->count = 0;
    return ERR_OK;
}

/* lwIP drains a mailbox before freeing it. */
void sys_mbox_free(sys_mbox_t *mbox)
{
    free(mbox->slot);
    mbox->slot = NULL;
}

static int mbox_has_room(void *mbox)
{
    sys_mbox_t *mb = mbox;

    return mb->count < mb->size;
}

static int mbox_has_mail(void *mbox)
{
    return ((sys_mbox_t *)mbox)->count > 0;
}

static void mbox_put(sys_mbox_t *mb, void *msg)
{
    mb->slot[(mb->head + mb->count) % mb->size] = msg;
    mb->count++;
}

static void *mbox_take(sys_mbox_t *mb)
{
    void *msg = mb->slot[mb->head];

    mb->head = (mb->head + 1) % mb->size;
    mb->count--;
    return msg;
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
    wait_ready(mbox_has_room, mbox, 0);
    mbox_put(mbox, msg);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
    if (!mbox_has_room(mbox))
        return ERR_MEM;
    mbox_put(mbox, msg);
    return ERR_OK;
}

/* There are no interrupt handlers that call lwIP (see sys_arch.h). */
err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
    return sys_mbox_trypost(mbox, msg);
}

static int tcpip_has_mail_or_woken(void *mbox)
{
    return mbox_has_mail(mbox) || tcpip_woken;
}

/* The tcpip thread's timed wait (its untimed one has no timer to miss):
 * woken by wake_tcpip_if_timer_sooner as by a timeout. */
static u32_t tcpip_wait(sys_mbox_t *mbox, u32_t timeout_ms)
{
    u32_t waited;

    tcpip_woken = 0;
    tcpip_deadline = libos_monotonic_ns() + timeout_ms * NS_PER_MS;
    waited = wait_ready(tcpip_has_mail_or_woken, mbox, timeout_ms);
    tcpip_deadline = LIBOS_FOREVER;
    return mbox_has_mail(mbox) ? waited : SYS_ARCH_TIMEOUT;
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout_ms)
{
    u32_t waited = timeout_ms && libos_thread_self() == tcpip_thread ?
                   tcpip_wait(mbox, timeout_ms) :
                   wait_ready(mbox_has_mail, mbox, timeout_ms);
    void *m = NULL;

    if (waited != SYS_ARCH_TIMEOUT)
        m = mbox_take(mbox);
    if (msg)
        *msg = m;
    return waited;
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
    void *m = NULL;

    if (!mbox_has_mail(mbox))
        return SYS_MBOX_EMPTY;
    m = mbox_take(mbox);
    if (msg)
        *msg = m;
    return 0;
}

/* Threads.  lwIP's threads (tcpip_thread) never end, so nobody joins
 * them; the priority is ignored (the libos schedules round-robin). */

struct thread_start {
    lwip_thread_fn fn;
    void *arg;
};

static void *thread_main(void *p)
{
    struct thread_start start = *(struct thread_start *)p;

    free(p);
    start.fn(start.arg);
    return NULL;
}

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg,
                            int stacksize, int prio)
{
    struct thread_start *start = malloc(sizeof(*start));
    libos_thread_t *t = NULL;

    (void)name;
    (void)prio;
    LWIP_ASSERT("sys_thread_new: out of memory", start != NULL);
    start->fn = fn;
    start->arg = arg;
    if (libos_thread_create(&t, thread_main, start,
                            stacksize > 0 ? (size_t)stacksize : 0) != 0) {
        free(start);
        LWIP_ASSERT("sys_thread_new: cannot create a thread", 0);
    }
    if (name && strcmp(name, TCPIP_THREAD_NAME) == 0)
        tcpip_thread = t;
    return t;
}

/* xorshift64*, seeded once from the TSC: ports and ids that differ from
 * boot to boot, nothing an attacker could not guess with effort. */
uint32_t keel_lwip_rand(void)
{
    static uint64_t state;
    uint32_t lo, hi;

    if (!state) {
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        state = ((uint64_t)hi << 32 | lo) | 1;
    }
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return (uint32_t)((state * 0x2545f4914f6cdd1dull) >> 32);
}
