/*
 * dom0's uplink: the machine's NIC (sdk/drivers, virtio-net), which the
 * switch will send frames out of and take frames in from.
 *
 * A thread of its own takes the NIC, if the machine has one, reports it
 * ("net: uplink MAC mtu N up; gateway 10.0.0.2 is at MAC" in dom0's log,
 * keel run -v) after an ARP self test against keel/launch.h's gateway,
 * and then serves it: its receive queue stays filled however long the run.
 * The thread first runs when the toolstack first waits, so bringing the
 * NIC up never delays building guests.
 */
#ifndef DOM0_UPLINK_H
#define DOM0_UPLINK_H

/* 0, or -KEEL_E* when the thread cannot be created (then: no uplink). */
int uplink_start(void);

#endif /* DOM0_UPLINK_H */
