#include "forksafe.h"

#include "log.h"

#define MAX_MUTEXES 8

static pthread_mutex_t *mutexes[MAX_MUTEXES];
static int count;
static pthread_mutex_t register_lock = PTHREAD_MUTEX_INITIALIZER;

static void before_fork(void)
{
    pthread_mutex_lock(&register_lock);
    for (int i = 0; i < count; i++)
        pthread_mutex_lock(mutexes[i]);
}

static void after_fork(void)
{
    for (int i = count - 1; i >= 0; i--)
        pthread_mutex_unlock(mutexes[i]);
    pthread_mutex_unlock(&register_lock);
}

static void install(void)
{
    pthread_atfork(before_fork, after_fork, after_fork);
}

void bia_forksafe_register(pthread_mutex_t *mutex)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, install);
    pthread_mutex_lock(&register_lock);
    if (count < MAX_MUTEXES)
        mutexes[count++] = mutex;
    else
        bia_error("internal: too many mutexes for fork safety");
    pthread_mutex_unlock(&register_lock);
}
