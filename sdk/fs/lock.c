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

static libos_mutex_t lock;
static libos_thread_t *holder;
static unsigned depth;

void fs_lock(void)
{
    libos_thread_t *self = libos_thread_self();

    if (holder == self) {
        depth++;
        return;
    }
    libos_mutex_lock(&lock);
    holder = self;
    depth = 1;
}

void fs_unlock(void)
{
    if (--depth == 0) {
        holder = NULL;
        libos_mutex_unlock(&lock);
    }
}
