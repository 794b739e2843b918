/*
 * An IPv6 address is shown to the program as the IPv4 address that stands
 * for it: the address the program itself connected to for the peer, else
 * the one in the mapping cache, else the one MAP6 gives. The local address
 * is this host's fixed stand-in (sockaddr.h), which takes no pool address.
 */
#include "v4prog/sockname.h"

#include "fd/fdtable.h"
#include "runtime/real.h"
#include "v4prog/inbound.h"
#include "v6prog/v6prog.h"

#include <stddef.h>

int bia_sockname(int fd, struct sockaddr *addr, socklen_t *len, bool peer)
{
    int (*real)(int, struct sockaddr *, socklen_t *) =
        peer ? bia_real()->getpeername : bia_real()->getsockname;
    struct sockaddr_storage kernel;
    socklen_t kernel_len = sizeof kernel;
    struct bia_fdinfo info;
    struct bia_v6prog prog;

    if (!bia_fdtable_get(fd, &info)) {
        if (!bia_v6prog_get(fd, &prog))
            return real(fd, addr, len);
        if (!peer)
            prog.peer.sin6_family = 0;
        if (real(fd, (struct sockaddr *)&kernel, &kernel_len))
            return -1;
        return bia_v6prog_copy_out(&kernel, kernel_len, &prog, addr, len);
    }
    if (real(fd, (struct sockaddr *)&kernel, &kernel_len))
        return -1;
    if (!peer)
        return bia_inbound_copy_out_local(&kernel, kernel_len, addr, len);
    return bia_inbound_copy_out(NULL, &kernel, kernel_len, &info, addr, len);
}
