/*
 * Console input (consback_in.c): the launcher's stdin, read from the
 * hypervisor (KEEL_HC_CONSOLE_READ, on VIRQ_CONSOLE), into one guest's
 * input stream.
 */
#ifndef DOM0_CONSBACK_IN_H
#define DOM0_CONSBACK_IN_H

#include <stdint.h>

struct cb_guest;

void cb_input_start(void);                  /* bind VIRQ_CONSOLE */
/* A VIRQ_CONSOLE came that the thread has not taken yet (its wait
 * predicate reads this). */
int cb_input_fired(void);
/* At the start of each pass: take it (the next pump reads again). */
void cb_input_take_event(void);
void cb_input_target(struct cb_guest *c);   /* the guest that gets stdin */
void cb_input_forget(struct cb_guest *c);   /* it is going away */
int cb_input_is_target(const struct cb_guest *c);
/* Move input into c if it is the target: bytes moved, or -1 (corrupt). */
long cb_input_pump(struct cb_guest *c);
/* When the backend should look for input next (LIBOS_FOREVER: only on an
 * event; a deadline only when polling without the VIRQ). */
uint64_t cb_input_deadline(void);

#endif /* DOM0_CONSBACK_IN_H */
