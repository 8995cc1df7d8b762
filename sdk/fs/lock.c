/*
 * The file system's one lock (fs_impl.h).  libext2fs, the block cache and
 * the mount table keep state across a call, and a call that waits for the
 * disk lets the guest's other threads run (blkfront_poll blocks the
 * thread, not the vCPU: docs/threads.md), so two threads in file calls at
 * once would interleave inside that state.  Every entry point takes this
 * lock; it is recursive because one entry point may use another (chdir's
 * stat, exit's unmount after a call of the same thread).
 */
#include <libos/thread.h>
#include "fs_impl.h"

static libos_rmutex_t lock = LIBOS_RMUTEX_INIT;

void fs_lock(void)
{
    libos_rmutex_lock(&lock);
}

void fs_unlock(void)
{
    libos_rmutex_unlock(&lock);
}
