/*
 * Delayed ACKs sent within KEEL_TCP_DELACK_MS (lwipopts.h) instead of at
 * lwIP's next fast timer, up to TCP_TMR_INTERVAL (250 ms) later
 * (docs/net.md, "Delayed ACKs").
 *
 * A peer whose Nagle holds its next small segment until our ACK (a
 * request written in two parts without TCP_NODELAY, by lwIP or by Linux)
 * otherwise waits that long on every exchange.  TCP_TMR_INTERVAL cannot
 * simply shrink: the slow timer is every second tick of it, and RTO
 * estimates, persist backoff (a table of ticks), poll intervals and idle
 * timeouts all count those ticks.  So lwIP's timers stay as they are and
 * a one-shot timer, armed by a segment that carries data
 * (LWIP_HOOK_TCP_INPACKET_PCB, before lwIP decides to delay its ACK),
 * sends the ACKs still delayed when it fires, as tcp_fasttmr would.  An
 * answer the program writes before then still carries the ACK, and a
 * stream still gets one ACK per two segments.
 *
 * The hook runs under lwIP's core lock, usually in netfront's thread;
 * the port wakes the sleeping tcpip thread for the sooner timer when the
 * lock is let go (sys_arch.c).  `armed` keeps at most one timer pending
 * (one of the spare MEMP_NUM_SYS_TIMEOUT entries, which nothing else of
 * the port uses).
 */
#include "lwip/opt.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/timeouts.h"

static int armed;

static void send_delayed_acks(void *arg)
{
    (void)arg;
    armed = 0;
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb != NULL; pcb = pcb->next) {
        if (pcb->flags & TF_ACK_DELAY) {
            tcp_ack_now(pcb);
            tcp_output(pcb);
            tcp_clear_flags(pcb, TF_ACK_DELAY | TF_ACK_NOW);
        }
    }
}

int keel_tcp_delack_arm(unsigned payload_len)
{
    if (payload_len == 0 || armed)
        return ERR_OK;
    armed = 1;
    sys_timeout(KEEL_TCP_DELACK_MS, send_delayed_acks, NULL);
    return ERR_OK;
}
