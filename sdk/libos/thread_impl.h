/*
 * Inside the libos's threads: the thread record, shared by thread.c (the
 * scheduler) and thread_posix.c (what POSIX threads need besides, kept
 * apart so that a program without them does not link it).
 */
#ifndef LIBOS_THREAD_IMPL_H
#define LIBOS_THREAD_IMPL_H

#include <stdint.h>
#include <libos/thread.h>

enum { T_RUNNING, T_WAITING, T_DONE };

struct libos_thread {
    uint64_t rsp;                   /* saved by libos_ctx_switch */
    struct libos_thread *next;      /* the ring of all threads */
    int state;
    int (*ready)(void *);
    void *ready_arg;
    uint64_t deadline;
    void *(*fn)(void *);
    void *arg, *result;
    void *stack;
    int joined;
    int detached;                   /* freed by the next thread at its end */
    void *local;                    /* libos_thread_set_local */
};

extern struct libos_thread main_thread;   /* the ring's first */
extern struct libos_thread *current;

/* Takes t, ended, out of the ring and frees it. */
void libos_thread_free(struct libos_thread *t);

#endif /* LIBOS_THREAD_IMPL_H */
