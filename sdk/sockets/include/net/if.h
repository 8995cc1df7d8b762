/*
 * Network interfaces (<net/if.h>): the names and struct ifreq, Linux's
 * layout, for SO_BINDTODEVICE (lwIP's interface names: "lo0" for the
 * loopback).  The if_* functions and interface ioctls are not provided.
 */
#ifndef _NET_IF_H
#define _NET_IF_H

#include <sys/socket.h>

#define IFNAMSIZ    16
#define IF_NAMESIZE IFNAMSIZ

struct ifreq {
    char ifr_name[IFNAMSIZ];
    union {
        struct sockaddr ifru_addr;
        short ifru_flags;
        int ifru_ivalue;
        int ifru_mtu;
        char ifru_pad[24];
    } ifr_ifru;
};
#define ifr_addr   ifr_ifru.ifru_addr
#define ifr_flags  ifr_ifru.ifru_flags
#define ifr_ifindex ifr_ifru.ifru_ivalue
#define ifr_mtu    ifr_ifru.ifru_mtu

#endif /* _NET_IF_H */
