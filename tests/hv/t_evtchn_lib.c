/* See t_evtchn_lib.h. */
#include "t_evtchn_lib.h"

#define VI (&shinfo()->vcpu_info[0])

long ev_op(uint32_t cmd, struct keel_evtchn_op *op)
{
    return hc(KEEL_HC_EVTCHN_OP, cmd, (long)op, 0);
}

static long op1(uint32_t cmd, uint32_t port, uint32_t rdom, uint32_t rport, uint32_t virq)
{
    struct keel_evtchn_op op = { .port = port, .remote_dom = rdom,
                                 .remote_port = rport, .virq = virq };
    return ev_op(cmd, &op);
}

long ev_alloc(uint32_t remote) { return op1(KEEL_EVTCHNOP_ALLOC_UNBOUND, 0, remote, 0, 0); }
long ev_bind(uint32_t remote, uint32_t rport)
{
    return op1(KEEL_EVTCHNOP_BIND_INTERDOMAIN, 0, remote, rport, 0);
}
long ev_virq(uint32_t virq) { return op1(KEEL_EVTCHNOP_BIND_VIRQ, 0, 0, 0, virq); }
long ev_send(uint32_t port) { return op1(KEEL_EVTCHNOP_SEND, port, 0, 0, 0); }
long ev_close(uint32_t port) { return op1(KEEL_EVTCHNOP_CLOSE, port, 0, 0, 0); }
long ev_unmask(uint32_t port) { return op1(KEEL_EVTCHNOP_UNMASK, port, 0, 0, 0); }

long ev_status(uint32_t port, struct keel_evtchn_op *out)
{
    memset(out, 0, sizeof(*out));
    out->port = port;
    return ev_op(KEEL_EVTCHNOP_STATUS, out);
}

int ev_pending(uint32_t port)
{
    return (shinfo()->evtchn_pending[port / 64] >> (port % 64)) & 1;
}

int ev_take(uint32_t port)
{
    uint64_t b = 1ull << (port % 64);
    return !!(__atomic_fetch_and(&shinfo()->evtchn_pending[port / 64], ~b,
                                 __ATOMIC_SEQ_CST) & b);
}

void ev_mask(uint32_t port, int on)
{
    uint64_t b = 1ull << (port % 64);
    if (on)
        __atomic_fetch_or(&shinfo()->evtchn_mask[port / 64], b, __ATOMIC_SEQ_CST);
    else
        __atomic_fetch_and(&shinfo()->evtchn_mask[port / 64], ~b, __ATOMIC_SEQ_CST);
}

static int seen_take(uint32_t port)
{
    return __atomic_exchange_n(&ev_seen[port], 0, __ATOMIC_SEQ_CST) != 0;
}

volatile unsigned ev_upcall_count;
volatile uint8_t ev_seen[KEEL_EVTCHN_PORTS];

static int callback_on;                 /* ev_upcall_entry is registered */

/* The scan of keel/event_channel.h: upcall_pending, then pending_sel, then
 * the words; only general registers, so the stub need not save the FPU. */
__attribute__((target("general-regs-only")))
static void ev_scan_word(volatile struct keel_shared_info *si, unsigned w)
{
    uint64_t bits = si->evtchn_pending[w] & ~si->evtchn_mask[w];

    bits = __atomic_fetch_and(&si->evtchn_pending[w], ~bits, __ATOMIC_SEQ_CST) & bits;
    while (bits) {
        unsigned b = (unsigned)__builtin_ctzll(bits);
        bits &= bits - 1;
        if (ev_seen[w * 64 + b] != 255)
            ev_seen[w * 64 + b]++;
    }
}

__attribute__((target("general-regs-only")))
static void ev_scan(void)
{
    volatile struct keel_shared_info *si = shinfo();

    __atomic_store_n(&VI->upcall_pending, 0, __ATOMIC_SEQ_CST);
    for (unsigned s = 0; s < KEEL_EVTCHN_SEL_WORDS; s++) {
        uint64_t sel = __atomic_exchange_n(&VI->pending_sel[s], 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned w = s * 64 + (unsigned)__builtin_ctzll(sel);
            sel &= sel - 1;
            ev_scan_word(si, w);
        }
    }
}

__attribute__((target("general-regs-only"), used))
static void ev_upcall_c(void)
{
    ev_upcall_count++;
    ev_scan();
}

/* With upcalls masked: what the upcall would have done (without upcalls
 * registered there is nothing to scan, the caller takes its port's bit). */
static void poll_masked(void)
{
    if (!callback_on)
        __atomic_store_n(&VI->upcall_pending, 0, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&VI->upcall_pending, __ATOMIC_SEQ_CST))
        ev_scan();
}

/* Unmask if the caller found upcalls on; an event that came while masked
 * is scanned here, since the hypervisor enters only on the next exit. */
static void upcalls_restore(uint8_t old)
{
    if (old)
        return;
    for (;;) {
        poll_masked();
        __atomic_store_n(&VI->upcall_mask, 0, __ATOMIC_SEQ_CST);
        if (!__atomic_load_n(&VI->upcall_pending, __ATOMIC_SEQ_CST))
            return;
        __atomic_store_n(&VI->upcall_mask, 1, __ATOMIC_SEQ_CST);
    }
}

struct ev_wait_stats ev_wait_stats;
void (*ev_wait_hook)(void);

/* Look, then block, with upcalls masked in between, as the libos's idle
 * does: an upcall between the look and SCHED_BLOCK (on the way back from
 * SET_TIMER, or a kick) would take the event into ev_seen and clear
 * upcall_pending, and the block would then sleep until the timer.  Masked,
 * the event leaves upcall_pending set and the block returns at once. */
int ev_wait(uint32_t port, unsigned timeout_ms)
{
    uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000;
    uint8_t old = __atomic_exchange_n(&VI->upcall_mask, 1, __ATOMIC_SEQ_CST);
    void (*hook)(void) = ev_wait_hook;
    int rc = -1;

    ev_wait_hook = 0;
    for (;;) {
        poll_masked();
        if (ev_take(port) || seen_take(port)) {
            rc = 0;
            break;
        }
        if (now_ns() >= end)
            break;
        if (hook)
            hook();
        hook = 0;
        __atomic_fetch_and(&shinfo()->pending, ~KEEL_PENDING_TIMER, __ATOMIC_SEQ_CST);
        hc(KEEL_HC_SET_TIMER, (long)(now_ns() + 5000000), 0, 0);
        hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
        ev_wait_stats.blocks++;
        if (__atomic_load_n(&shinfo()->pending, __ATOMIC_SEQ_CST) & KEEL_PENDING_TIMER)
            ev_wait_stats.timer_wakes++;
    }
    upcalls_restore(old);
    return rc;
}

/* rsp = S holds [rflags, rip]; the interrupted rsp is S + 144.  Save the
 * registers the C ABI lets ev_upcall_c clobber, align, call, restore,
 * unmask, re-check, and return with popfq; ret $128. */
#define MASK_ABS    "0x200041"
#define PENDING_ABS "0x200040"
__asm__(".text\n.globl ev_upcall_entry\n"
        "ev_upcall_entry:\n"
        "  push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"
        "  push %r8; push %r9; push %r10; push %r11; push %rbx\n"
        "  mov %rsp, %rbx\n"
        "  and $-16, %rsp\n"
        "  call ev_upcall_c\n"
        "  mov %rbx, %rsp\n"
        "  pop %rbx; pop %r11; pop %r10; pop %r9; pop %r8\n"
        "  pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"
        "  movb $0, " MASK_ABS "\n"
        "  cmpb $0, " PENDING_ABS "\n"
        "  jne 1f\n"
        "  popfq\n"
        "  ret $128\n"
        "1: movb $1, " MASK_ABS "\n"
        "  jmp ev_upcall_entry\n");

long ev_upcalls_on(void)
{
    __atomic_store_n(&VI->upcall_mask, 0, __ATOMIC_SEQ_CST);
    callback_on = 1;
    return hc(KEEL_HC_SET_CALLBACK, (long)(uintptr_t)ev_upcall_entry, 0, 0);
}

long ev_upcalls_off(void)
{
    callback_on = 0;
    return hc(KEEL_HC_SET_CALLBACK, 0, 0, 0);
}
