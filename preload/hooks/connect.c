/*
 * connect(): translated only for a complete sockaddr_in. Anything else
 * (NULL, short length, AF_UNSPEC, other families) goes to the kernel as
 * it is, which answers with exactly its own errno.
 */
#include "config.h"
#include "outbound.h"
#include "real.h"

#include <netinet/in.h>
#include <string.h>

BIA_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_in dst;
    int rc;

    if (!bia_active() || !addr || len < sizeof dst || len > sizeof(struct sockaddr_storage) ||
        addr->sa_family != AF_INET || !bia_guard_enter())
        return bia_real()->connect(fd, addr, len);
    memcpy(&dst, addr, sizeof dst);     /* the program's buffer may be unaligned */
    rc = bia_connect4(fd, &dst, len);
    bia_guard_leave();
    return rc;
}
