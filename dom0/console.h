/*
 * Wiring each guest's console (keel/console.h) to the console backend,
 * which is a library (consback/consback.h): the toolstack adds the
 * console's device page entry, allocates the backend's port, hands the
 * backend the connection's descriptor, and says where the output goes
 * (the launcher: the guest's own records) and to whom a failure is
 * reported (a `msg` line).  The console input goes to the first guest on
 * the command line (index 0).
 *
 *   console_start()      once, before any guest: the backend's thread
 *   console_plan(g)      builder's plan step: g's console entry
 *   console_connect(g)   after CREATE: the port, the descriptor
 *   console_detach(id)   the guest has ended (or its build failed):
 *                        builder_destroy calls it first, so the rest of
 *                        its output is out before the domain goes and
 *                        `exit` is reported
 */
#ifndef DOM0_CONSOLE_H
#define DOM0_CONSOLE_H

#include <stdint.h>

struct guest;

/* 0, or -KEEL_E* (the guests' output is then lost). */
int console_start(void);
/* 0 or -1 (no room in g's device page). */
int console_plan(struct guest *g);
/* 0 or -KEEL_E* (no port left, a console beyond the limit, no memory). */
long console_connect(struct guest *g);
void console_detach(uint32_t domid);

#endif /* DOM0_CONSOLE_H */
