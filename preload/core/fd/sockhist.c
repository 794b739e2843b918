/*
 * A history is the record's HISTORY part: the socket's type and the
 * sharing epoch it was made in, with the option bits setsockopt ORs into
 * the record. Anything that may share sockets with another process moves
 * the epoch on, which ends every history made before it at once.
 */
#include "fd/sockhist.h"

#include "fd/sockrec.h"

#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

static unsigned long epoch;       /* bumped whenever sockets may become shared */

static unsigned long current_epoch(void)
{
    return __atomic_load_n(&epoch, __ATOMIC_ACQUIRE);
}

void bia_sockhist_shared(void)
{
    __atomic_add_fetch(&epoch, 1, __ATOMIC_ACQ_REL);
}

/* Any control data counts: reading the messages themselves could fault on
 * a bad pointer that the kernel would answer with EFAULT. */
void bia_sockhist_sending(const struct msghdr *msg)
{
    if (msg && msg->msg_controllen)
        bia_sockhist_shared();
}

/* Before fork, so that both sides see every older history end. */
static void register_fork(void)
{
    pthread_atfork(bia_sockhist_shared, NULL, NULL);
}

/* The socket types a swap handles (swap.c); others get no history. */
static bool swappable(int domain, int type, int protocol)
{
    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    return domain == AF_INET &&
           ((type == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP)) ||
            (type == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP)));
}

bool bia_sockhist_start(struct bia_sockrec *rec, int domain, int type, int protocol)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    if (!swappable(domain, type, protocol))
        return false;
    pthread_once(&once, register_fork);
    rec->parts |= BIA_REC_HISTORY;
    rec->hist_type = (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_DGRAM ? SOCK_DGRAM : SOCK_STREAM;
    rec->hist_epoch = current_epoch();
    return true;
}

void bia_sockhist_born(int fd, int domain, int type, int protocol)
{
    struct bia_sockrec rec;

    /* A new socket on fd: what fd's record said is of another one. */
    if (!bia_sockrec_identify(fd, &rec) || !bia_sockhist_start(&rec, domain, type, protocol))
        bia_sockrec_closed(fd);
    else
        bia_sockrec_put(fd, &rec);
}

void bia_sockhist_option(int fd, unsigned bits)
{
    bia_sockrec_add_options(fd, bits);
}

bool bia_sockhist_get(int fd, struct bia_sockhist *out)
{
    struct bia_sockrec rec;

    if (!bia_sockrec_get(fd, BIA_REC_HISTORY, &rec) ||
        rec.hist_epoch != current_epoch())
        return false;
    out->type = rec.hist_type;
    out->protocol = rec.hist_type == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP;
    out->options = rec.hist_options;
    return true;
}
