/*
 * bind(): translated only for a complete sockaddr_in, like connect();
 * anything else goes to the kernel, which answers with its own errno.
 */
#include "bindv4.h"
#include "config.h"
#include "real.h"

#include <netinet/in.h>
#include <string.h>

BIA_EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_in local;
    int rc;

    if (!bia_active() || !addr || len < sizeof local || len > sizeof(struct sockaddr_storage) ||
        addr->sa_family != AF_INET || !bia_guard_enter())
        return bia_real()->bind(fd, addr, len);
    memcpy(&local, addr, sizeof local);     /* the program's buffer may be unaligned */
    rc = bia_bind4(fd, &local, len);
    bia_guard_leave();
    return rc;
}
