/*
 * A new connection on a TIME-WAIT one's ports (lwipopts.h's
 * LWIP_HOOK_IP4_INPUT, called by ip4_input for every IPv4 packet before
 * lwIP parses it).
 *
 * lwIP answers a SYN that meets a connection in TIME-WAIT with an ACK and
 * drops it: the client waits until TIME-WAIT ends.  Clients reuse ports
 * sooner than that: Linux hands a loopback port out again a second after
 * its last use, and QEMU's user mode (keel run -p) keeps the client's port
 * on the guest's side, so a server guest that closes first (HTTP/1.0)
 * would stall one client in a few hundred under load.  Linux and the BSDs
 * accept such a SYN when its sequence number is beyond what the old
 * connection received (RFC 1122 4.2.2.13, RFC 6191): so do we, by ending
 * the TIME-WAIT connection (tcp_abort on it frees it, sending nothing) and
 * letting the SYN go on to the listener.  Any other packet is untouched.
 *
 * Runs where lwIP runs input: under the core lock (netfront) or in the
 * tcpip thread (loopback).
 */
#include <lwip/ip.h>
#include <lwip/prot/tcp.h>
#include <lwip/priv/tcp_priv.h>

static struct tcp_pcb *time_wait_for(const struct ip_hdr *ip,
                                     const struct tcp_hdr *th)
{
    for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb; pcb = pcb->next)
        if (pcb->remote_port == lwip_ntohs(th->src) &&
            pcb->local_port == lwip_ntohs(th->dest) &&
            ip_2_ip4(&pcb->remote_ip)->addr == ip->src.addr &&
            ip_2_ip4(&pcb->local_ip)->addr == ip->dest.addr)
            return pcb;
    return NULL;
}

int keel_lwip_ip4_input(struct pbuf *p, struct netif *inp)
{
    const struct ip_hdr *ip = p->payload;
    const struct tcp_hdr *th;
    struct tcp_pcb *pcb;
    u16_t hlen;

    (void)inp;
    if (p->len < IP_HLEN || IPH_V(ip) != 4 || IPH_PROTO(ip) != IP_PROTO_TCP ||
        (IPH_OFFSET(ip) & PP_HTONS(IP_OFFMASK | IP_MF)))
        return 0;
    hlen = (u16_t)(IPH_HL(ip) * 4);
    if (hlen < IP_HLEN || p->len < hlen + TCP_HLEN)
        return 0;
    th = (const struct tcp_hdr *)((const u8_t *)p->payload + hlen);
    if ((TCPH_FLAGS(th) & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
        return 0;
    pcb = time_wait_for(ip, th);
    if (pcb && TCP_SEQ_GT(lwip_ntohl(th->seqno), pcb->rcv_nxt))
        tcp_abort(pcb);
    return 0;
}
