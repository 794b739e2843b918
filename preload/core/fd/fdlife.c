/*
 * close trusts fd's record as it stands, without an fstat: if the socket
 * it names was closed behind the library's back and the number reused,
 * its mapping uses end now, which is when they should have ended anyway,
 * and a copy of that socket on another descriptor still holds them.
 */
#include "fd/fdlife.h"

#include "fd/sockrec.h"
#include "fd/usage.h"
#include "runtime/real.h"

void bia_fd_closing(int fd)
{
    struct bia_sockrec rec;

    /* Nothing recorded (most closes): no system call. */
    if (!bia_sockrec_peek(fd, &rec) || !bia_sockrec_owned())
        return;
    bia_usage_end(fd, &rec);
    /* A raw ICMP socket's twin, parked until a swap (icmpecho.h), goes too. */
    if ((rec.parts & BIA_REC_ICMP) && rec.icmp_parked)
        bia_real()->close(rec.icmp_parked - 1);
    bia_sockrec_forget(fd);
}

void bia_fd_closing_range(unsigned first, unsigned last)
{
    bia_usage_end_range(first, last);
    bia_sockrec_closed_range(first, last);
}

void bia_fd_replacing(int oldfd, int newfd)
{
    bia_usage_before_dup(oldfd, newfd);
}

void bia_fd_duplicated(int oldfd, int newfd)
{
    if (oldfd != newfd)
        bia_sockrec_dup(oldfd, newfd);
}
