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

/* Polling wait: clear upcall_pending first, then look, then block (block
 * returns at once if an event came in between). */
int ev_wait(uint32_t port, unsigned timeout_ms)
{
    uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000;

    for (;;) {
        __atomic_store_n(&VI->upcall_pending, 0, __ATOMIC_SEQ_CST);
        if (ev_take(port) || seen_take(port))
            return 0;
        if (now_ns() >= end)
            return -1;
        __atomic_fetch_and(&shinfo()->pending, ~KEEL_PENDING_TIMER, __ATOMIC_SEQ_CST);
        hc(KEEL_HC_SET_TIMER, (long)(now_ns() + 5000000), 0, 0);
        hc(KEEL_HC_SCHED_BLOCK, 0, 0, 0);
    }
}

volatile unsigned ev_upcall_count;
volatile uint8_t ev_seen[KEEL_EVTCHN_PORTS];

/* The scan of keel/event_channel.h: upcall_pending, then pending_sel, then
 * the words; only general registers, so the stub need not save the FPU. */
__attribute__((target("general-regs-only"), used))
static void ev_upcall_c(void)
{
    volatile struct keel_shared_info *si = shinfo();

    ev_upcall_count++;
    __atomic_store_n(&VI->upcall_pending, 0, __ATOMIC_SEQ_CST);
    uint64_t sel = __atomic_exchange_n(&VI->pending_sel, 0, __ATOMIC_SEQ_CST);
    while (sel) {
        unsigned w = (unsigned)__builtin_ctzll(sel);
        sel &= sel - 1;
        uint64_t bits = si->evtchn_pending[w] & ~si->evtchn_mask[w];
        bits = __atomic_fetch_and(&si->evtchn_pending[w], ~bits, __ATOMIC_SEQ_CST) & bits;
        while (bits) {
            unsigned b = (unsigned)__builtin_ctzll(bits);
            bits &= bits - 1;
            if (ev_seen[w * 64 + b] != 255)
                ev_seen[w * 64 + b]++;
        }
    }
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
    return hc(KEEL_HC_SET_CALLBACK, (long)(uintptr_t)ev_upcall_entry, 0, 0);
}
