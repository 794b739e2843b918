#include "owned.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>

struct owned {
    ino_t ino;
    struct in_addr v4;
};

/* Never pruned: the supervisor cannot see a close. 16 bytes a connect. */
static struct owned *list;
static size_t n, cap;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static ino_t inode(int sock)
{
    struct stat st;

    return fstat(sock, &st) ? 0 : st.st_ino;
}

void owned_add(int sock, struct in_addr v4)
{
    ino_t ino = inode(sock);

    pthread_mutex_lock(&lock);
    if (n == cap) {
        size_t more = cap ? 2 * cap : 64;
        struct owned *grown = realloc(list, more * sizeof *list);

        if (grown) {
            list = grown;
            cap = more;
        }
    }
    if (ino && n < cap)
        list[n++] = (struct owned){ino, v4};
    pthread_mutex_unlock(&lock);
}

bool owned_find(int sock, struct in_addr *v4)
{
    ino_t ino = inode(sock);
    bool found = false;

    pthread_mutex_lock(&lock);
    for (size_t i = n; ino && i-- > 0 && !found;)
        if (list[i].ino == ino) {
            *v4 = list[i].v4;
            found = true;
        }
    pthread_mutex_unlock(&lock);
    return found;
}

bool owned_any(void)
{
    return __atomic_load_n(&n, __ATOMIC_RELAXED) > 0;
}
