/*
 * bind(): looked at only when the address is long enough for a
 * sockaddr_in; anything shorter (or NULL) goes to the kernel, which
 * answers with its own errno.
 */
#include "bindv4.h"
#include "config.h"
#include "real.h"

#include <netinet/in.h>

BIA_EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    int rc;

    if (!bia_active() || !addr || len < sizeof(struct sockaddr_in) ||
        len > sizeof(struct sockaddr_storage) || !bia_guard_enter())
        return bia_real()->bind(fd, addr, len);
    rc = bia_bind(fd, addr, len);
    bia_guard_leave();
    return rc;
}
