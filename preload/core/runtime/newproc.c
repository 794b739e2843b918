/*
 * The reset of a new process, in the order it needs: the kept helper
 * connections first (the parent's are not the child's, and the last step
 * talks to the helper), then what threads that do not exist in the child
 * were writing (descriptor-table slots, swap defaults), then the socket
 * histories (the parent holds every socket too), then the mapping uses
 * the child now has, announced to the helper.
 */
#include "runtime/newproc.h"

#include "client/helper_conn.h"
#include "fd/sockrec.h"
#include "fd/sockhist.h"
#include "fd/usage.h"
#include "runtime/log.h"
#include "v4prog/swap.h"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

static pid_t fallback;          /* the owner, where the kernel cannot wipe a page */
static pid_t *owner_word;       /* the owner's pid; 0 in a new process */

static void reset(void)
{
    bia_conn_forked();
    bia_sockrec_forked();
    bia_swap_forked();
    bia_sockhist_shared();
    bia_usage_forked();
}

/* Makes the calling process the owner; resets it if it is a new one
 * that nobody has taken over yet. */
static void take_over(pid_t *word, pid_t self)
{
    pid_t none = 0;

    /* The first thread of the new process resets; the word names it
     * first, so that the reset's own calls find the process its own. */
    if (!__atomic_compare_exchange_n(word, &none, self, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;
    reset();
}

static pid_t *word_of_process(void)
{
    pid_t *word = __atomic_load_n(&owner_word, __ATOMIC_ACQUIRE), *none = NULL;
    long size;
    void *page;

    if (word)
        return word;
    size = sysconf(_SC_PAGESIZE);
    page = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page != MAP_FAILED && madvise(page, (size_t)size, MADV_WIPEONFORK)) {
        munmap(page, (size_t)size);
        page = MAP_FAILED;
    }
    word = page == MAP_FAILED ? &fallback : page;
    __atomic_store_n(word, getpid(), __ATOMIC_RELEASE);
    if (!__atomic_compare_exchange_n(&owner_word, &none, word, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        if (word != &fallback)
            munmap(word, (size_t)size);
        return none;
    }
    if (word == &fallback)
        bia_debug("no MADV_WIPEONFORK: children made without fork() only read the descriptor table");
    return word;
}

bool bia_newproc_own(void)
{
    pid_t *word = word_of_process(), self = getpid();

    if (__atomic_load_n(word, __ATOMIC_ACQUIRE) == 0)
        take_over(word, self);
    return __atomic_load_n(word, __ATOMIC_ACQUIRE) == self;
}

/* glibc's fork: the same reset, also where no page is wiped. */
static void after_fork_child(void)
{
    __atomic_store_n(word_of_process(), 0, __ATOMIC_RELEASE);
    bia_newproc_own();
}

/* Before the other constructors (usage.c's takes up inherited sockets),
 * in the process that loaded the library. */
__attribute__((constructor(101))) static void newproc_at_load(void)
{
    word_of_process();
    pthread_atfork(NULL, NULL, after_fork_child);
}
