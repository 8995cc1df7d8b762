/*
 * Console input (consback_in.c): the launcher's stdin, read from the
 * hypervisor (KEEL_HC_CONSOLE_READ, polled), into one guest's input stream.
 */
#ifndef DOM0_CONSBACK_IN_H
#define DOM0_CONSBACK_IN_H

#include <stdint.h>

struct cb_guest;

void cb_input_target(struct cb_guest *c);   /* the guest that gets stdin */
void cb_input_forget(struct cb_guest *c);   /* it is going away */
int cb_input_is_target(const struct cb_guest *c);
/* Move input into c if it is the target: bytes moved, or -1 (corrupt). */
long cb_input_pump(struct cb_guest *c);
/* When the backend should look for input next (LIBOS_FOREVER: only on an
 * event). */
uint64_t cb_input_deadline(void);

#endif /* DOM0_CONSBACK_IN_H */
