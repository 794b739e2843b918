/* A socket's integer SOL_SOCKET option (SO_DOMAIN, SO_TYPE, SO_PROTOCOL), or -1. */
#ifndef BIA_SUPERVISOR_SOCKINT_H
#define BIA_SUPERVISOR_SOCKINT_H

#include <sys/socket.h>

static inline int sockopt_int(int sock, int name)
{
    int v = -1;
    socklen_t l = sizeof v;

    return getsockopt(sock, SOL_SOCKET, name, &v, &l) ? -1 : v;
}

#endif
