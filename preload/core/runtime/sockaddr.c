#include "runtime/sockaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

bool bia_v4_is_this_host(struct in_addr a)
{
    return a.s_addr == htonl(BIA_THIS_HOST_V4);
}

bool bia_v4_is_special(struct in_addr a)
{
    uint32_t h = ntohl(a.s_addr);

    return h == INADDR_ANY || h == INADDR_BROADCAST || h >> 24 == IN_LOOPBACKNET ||
           IN_MULTICAST(h) || h == BIA_THIS_HOST_V4;
}

bool bia_v6_is_mapped(const struct in6_addr *a, struct in_addr *v4)
{
    if (!IN6_IS_ADDR_V4MAPPED(a))
        return false;
    memcpy(v4, &a->s6_addr[12], 4);
    return true;
}

void bia_sin_make(struct sockaddr_in *out, struct in_addr addr, in_port_t port)
{
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    out->sin_port = port;
    out->sin_addr = addr;
}

void bia_sin6_make(struct sockaddr_in6 *out, const struct in6_addr *addr, in_port_t port)
{
    memset(out, 0, sizeof *out);
    out->sin6_family = AF_INET6;
    out->sin6_port = port;
    out->sin6_addr = *addr;
}

void bia_sin6_mapped(struct sockaddr_in6 *out, struct in_addr v4, in_port_t port)
{
    struct in6_addr mapped = {.s6_addr = {[10] = 0xff, [11] = 0xff}};

    memcpy(&mapped.s6_addr[12], &v4, 4);
    bia_sin6_make(out, &mapped, port);
}

int bia_sockaddr_copy_out(const void *src, socklen_t size, struct sockaddr *dst, socklen_t *len)
{
    if (!len) {
        errno = EFAULT;
        return -1;
    }
    if ((int)*len < 0) {
        errno = EINVAL;
        return -1;
    }
    if (*len && !dst) {
        errno = EFAULT;
        return -1;
    }
    if (*len)
        memcpy(dst, src, *len < size ? *len : size);
    *len = size;
    return 0;
}

const char *bia_sin_str(const struct sockaddr_in *a, char buf[BIA_ADDRSTR_SIZE])
{
    char host[INET_ADDRSTRLEN];

    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    snprintf(buf, BIA_ADDRSTR_SIZE, "%s:%u", host, ntohs(a->sin_port));
    return buf;
}

const char *bia_sin6_str(const struct sockaddr_in6 *a, char buf[BIA_ADDRSTR_SIZE])
{
    char host[INET6_ADDRSTRLEN];

    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    snprintf(buf, BIA_ADDRSTR_SIZE, "[%s]:%u", host, ntohs(a->sin6_port));
    return buf;
}
