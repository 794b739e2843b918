#include "fd/fdlife.h"

#include "fd/sockrec.h"
#include "fd/usage.h"

void bia_fd_closing(int fd)
{
    bia_usage_end(fd);
    bia_sockrec_closed(fd);
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
