/*
 * The library's mutexes, taken so that a signal handler cannot deadlock on
 * them. A handler that calls an async-signal-safe function (connect, close,
 * inet_pton, ...) re-enters the library on the thread it interrupted, which
 * may be holding one of these mutexes: locking it again would wait forever.
 * Each thread therefore remembers which of them it holds (or is taking),
 * and bia_lock() refuses a mutex the calling thread already has. Callers
 * then do without what it guards (a cache: a miss, a put skipped). Another
 * thread holding it is waited for as usual: it is not stopped by us.
 */
#ifndef BIA_LOCK_H
#define BIA_LOCK_H

#include <pthread.h>
#include <stdbool.h>

/* Locks m; false (and nothing locked) when this thread already holds it. */
bool bia_lock(pthread_mutex_t *m);
void bia_unlock(pthread_mutex_t *m);

#endif
