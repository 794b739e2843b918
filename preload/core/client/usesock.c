/*
 * A report is a socket, a sendto and a close: no descriptor is kept, so
 * nothing here can be closed or reused by the program behind the library's
 * back, and a fork or vfork child needs nothing of its own. The path gets
 * the helper socket's checks (bia_socktrust.h: its directory and the file)
 * before anything is sent. A datagram socket has no listener to ask
 * SO_PEERCRED of; what vouches for the receiver is that only the
 * directory's owner (or root) can have bound a socket there.
 */
#include "client/usesock.h"

#include "bia_contract.h"
#include "bia_socktrust.h"
#include "fd/fdroom.h"
#include "runtime/config.h"
#include "runtime/log.h"
#include "runtime/real.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

int bia_usesock_send(const uint8_t *frame, size_t len)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct bia_socktrust trust;
    const char *socket_path = bia_config()->socket_path;
    size_t base = strlen(socket_path);
    char why[512];
    ssize_t sent;
    int fd;

    if (base + sizeof BIA_USE_SOCKET_SUFFIX > sizeof sun.sun_path)
        return -1;
    memcpy(sun.sun_path, socket_path, base);
    memcpy(sun.sun_path + base, BIA_USE_SOCKET_SUFFIX, sizeof BIA_USE_SOCKET_SUFFIX);
    switch (bia_socktrust_path(sun.sun_path, &trust, why, sizeof why)) {
    case BIA_TRUST_OK:
        break;
    case BIA_TRUST_ABSENT:
        return -1;
    default:
        bia_debug("%s", why);
        return -1;
    }
    if ((fd = bia_fdroom_socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    sent = bia_real()->sendto(fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&sun,
                              sizeof sun);
    bia_real()->close(fd);
    return sent == (ssize_t)len ? 0 : -1;
}
