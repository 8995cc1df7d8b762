/*
 * The console backend: every guest's console ring (keel/console.h) to the
 * launcher, and the launcher's stdin to the first guest.
 *
 * One thread (consback_start) serves every guest, round-robin, at most
 * CB_PASS_BYTES of a guest per turn, so a guest that prints without pause
 * neither starves another nor makes the backend wait on it: the backend
 * never blocks on a guest, only on its own event ports.  Output reaches the
 * launcher as the guest's own records (KEEL_CONSOLE_FOR), so routing by
 * domain id is unchanged.  A guest whose counters are corrupt gets its
 * console closed and a `msg`; nothing else is affected.
 *
 * stdin goes to the first guest on the command line (index 0); other guests
 * read end of file.  When a guest ends, builder_destroy calls
 * consback_detach, which forwards what is left in its rings before the
 * domain is destroyed and `exit` is reported.
 */
#ifndef DOM0_CONSBACK_H
#define DOM0_CONSBACK_H

#include <stdint.h>

struct guest;

/* Builder, before the layout: add the console entry to g->dev.  0 or -1. */
int consback_plan(struct guest *g);
/* Builder, after CREATE: allocate the port the guest binds to, put it in
 * the entry, start watching the guest.  0 or -KEEL_E*. */
long consback_connect(struct guest *g);
/* The guest has ended (or its build failed): drain, unmap, forget. */
void consback_detach(uint32_t domid);
/* Start the backend thread; 0 or -KEEL_E*. */
int consback_start(void);

#endif /* DOM0_CONSBACK_H */
