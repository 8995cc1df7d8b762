/*
 * The operations every backend library takes from dom0 alike (netback's
 * struct nb_ops, blkback's struct bb_ops): grant copies, event sends and
 * a log line, over the real hypercalls.  ctx is unused.
 */
#ifndef DOM0_BACKEND_OPS_H
#define DOM0_BACKEND_OPS_H

#include <stdint.h>
#include <keel/grant_table.h>

long backend_copy(void *ctx, struct keel_grant_copy *seg, unsigned n);
void backend_notify(void *ctx, uint32_t port);
/* One line into dom0's log ("netback: domain 5 cut off: ..."). */
void backend_log(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* DOM0_BACKEND_OPS_H */
