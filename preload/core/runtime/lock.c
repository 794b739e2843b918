/*
 * Each thread's held mutexes are a small array in initial-exec TLS
 * (nothing is allocated; async-signal-safe). A handler interrupting
 * bia_lock or bia_unlock between two steps sees a consistent state: a
 * mutex is recorded before it is locked and forgotten after it is
 * unlocked, so a handler never locks one its thread may hold; and every
 * handler returns the array as it found it (its own locks are balanced).
 */
#include "runtime/lock.h"

#include <stddef.h>

/* The library never holds two mutexes at once; the rest is for handlers
 * nested in handlers, and for fork (forksafe.c takes them all). */
#define HELD_MAX 16

static __thread pthread_mutex_t *held[HELD_MAX] __attribute__((tls_model("initial-exec")));

static pthread_mutex_t **held_slot(pthread_mutex_t *m)
{
    for (int i = 0; i < HELD_MAX; i++)
        if (held[i] == m)
            return &held[i];
    return NULL;
}

bool bia_lock(pthread_mutex_t *m)
{
    pthread_mutex_t **slot;

    if (held_slot(m) || !(slot = held_slot(NULL)))
        return false;
    *slot = m;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);   /* recorded before it is taken */
    pthread_mutex_lock(m);
    return true;
}

void bia_unlock(pthread_mutex_t *m)
{
    pthread_mutex_t **slot = held_slot(m);

    pthread_mutex_unlock(m);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);   /* released before it is forgotten */
    if (slot)
        *slot = NULL;
}
