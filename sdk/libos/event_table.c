/*
 * The libos's default event handler table (libos/event.h): a guest's
 * default port limit.  Weak, so that a program allowed more ports (dom0)
 * replaces it with LIBOS_EVTCHN_TABLE(n) and carries one table only.
 */
#include <libos/event.h>

__attribute__((weak)) struct libos_evtchn_slot libos_evtchn_slots[LIBOS_EVTCHN_DEFAULT_PORTS];
__attribute__((weak)) volatile uint64_t
    libos_evtchn_recv_bits[(LIBOS_EVTCHN_DEFAULT_PORTS + 63) / 64];
__attribute__((weak)) const unsigned libos_evtchn_nports = LIBOS_EVTCHN_DEFAULT_PORTS;
