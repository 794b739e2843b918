/*
 * Keeps the library's mutexes usable in a child made by fork(): a fork
 * while another thread held one would leave it locked forever in the
 * child. Registered mutexes are taken before fork and released after it
 * on both sides. The library never holds two at once, so the order in
 * which they are taken cannot deadlock.
 */
#ifndef BIA_FORKSAFE_H
#define BIA_FORKSAFE_H

#include <pthread.h>

/* Call once per mutex (e.g. from pthread_once); at most 8 in all. */
void bia_forksafe_register(pthread_mutex_t *mutex);

#endif
