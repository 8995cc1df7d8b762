/*
 * dom0's network wiring, shared by net.c (interfaces) and net_switch.c
 * (the switch, its operations and its thread).
 */
#ifndef DOM0_NET_IMPL_H
#define DOM0_NET_IMPL_H

#include <stdbool.h>
#include <netback/netback.h>
#include "backend_ops.h"

/* One guest's interface: netback's part and the connection's. */
struct vif {
    struct nb_if nb;                    /* netback's, once added */
    struct backend_conn bc;             /* its event: one before it was added */
    struct keel_net_settings settings;  /* as written into its entry */
    struct vif *next_waiting;           /* not connected yet */
    int idx;
    bool added;                         /* in the switch */
};

extern struct nb_switch net_sw;

/* net_switch.c: wake the switch's thread (upcall-safe). */
void net_wake(void);
/* net.c: connect every interface that had an event; from the thread. */
void net_connect_waiting(void);

#endif /* DOM0_NET_IMPL_H */
