/*
 * bind(): looked at only when the address is long enough for a
 * sockaddr_in; anything shorter (or NULL) goes to the kernel, which
 * answers with its own errno. AF_INET goes to core/v4prog/bindv4.c, AF_INET6 to
 * core/v6prog/v6prog.c (an IPv6-only server on an IPv4-only network).
 */
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/bindv4.h"
#include "v4prog/outbound.h"
#include "v6prog/v4backed.h"
#include "v6prog/v6prog.h"

#include <netinet/in.h>

BIA_EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    int rc;

    if (!bia_active() || !addr || len < sizeof(struct sockaddr_in) ||
        len > sizeof(struct sockaddr_storage) || !bia_guard_enter())
        return bia_real()->bind(fd, addr, len);
    if (bia_v4backed(fd))
        rc = bia_v4backed_bind(fd, addr, len);
    else if (addr->sa_family != AF_INET6)
        rc = bia_bind(fd, addr, len);
    else if (bia_outbound_wrong_family(fd, addr, len))
        rc = -1;    /* a swapped socket, which the program believes is AF_INET */
    else
        rc = bia_v6prog_bind(fd, addr, len);
    bia_guard_leave();
    return rc;
}
