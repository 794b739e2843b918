/*
 * The mutexes are taken with bia_lock() (lock.h): a fork() from a signal
 * handler (fork is async-signal-safe) whose thread holds one of them
 * leaves that one alone, and the interrupted code unlocks it later, in
 * the parent and in the child alike. A fork from a handler that
 * interrupted another fork of the same thread, between its prepare and
 * after handlers, finds everything taken already: only the outermost one
 * takes and gives back.
 */
#include "runtime/forksafe.h"

#include "runtime/lock.h"
#include "runtime/log.h"

#define MAX_MUTEXES 8

static pthread_mutex_t *mutexes[MAX_MUTEXES];
static int count;
static pthread_mutex_t register_lock = PTHREAD_MUTEX_INITIALIZER;

/* Per thread: forks in progress, and which mutexes the outermost took. */
static __thread int depth __attribute__((tls_model("initial-exec")));
static __thread unsigned taken __attribute__((tls_model("initial-exec")));
static __thread bool took_register __attribute__((tls_model("initial-exec")));

static void before_fork(void)
{
    if (depth++)
        return;
    took_register = bia_lock(&register_lock);
    taken = 0;
    for (int i = 0; i < count; i++)
        if (bia_lock(mutexes[i]))
            taken |= 1u << i;
}

static void after_fork(void)
{
    if (--depth)
        return;
    for (int i = count - 1; i >= 0; i--)
        if (taken & (1u << i))
            bia_unlock(mutexes[i]);
    if (took_register)
        bia_unlock(&register_lock);
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
