/*
 * connect(): translated only for a complete sockaddr_in. Anything shorter
 * (or NULL) goes to the kernel as it is, which answers with exactly its
 * own errno; another family does too, except on a swapped socket, where it
 * fails with EAFNOSUPPORT as on the AF_INET socket the program believes in.
 * An IPv6 destination goes to core/v6prog.c: a synthesized address is
 * given in IPv4-mapped form with IPV6_V6ONLY lifted, so that the kernel
 * carries it over IPv4.
 */
#include "config.h"
#include "outbound.h"
#include "real.h"
#include "v4backed.h"
#include "v6prog.h"

#include <netinet/in.h>
#include <string.h>

BIA_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_in dst;
    struct sockaddr_in6 to;
    int rc;

    if (!bia_active() || !addr || len < sizeof dst || len > sizeof(struct sockaddr_storage) ||
        !bia_guard_enter())
        return bia_real()->connect(fd, addr, len);
    memcpy(&dst, addr, sizeof dst);     /* the program's buffer may be unaligned */
    if (bia_v4backed(fd))
        rc = bia_v4backed_connect(fd, addr, len);
    else if (dst.sin_family == AF_INET)
        rc = bia_connect4(fd, &dst, len);
    else if (bia_outbound_wrong_family(fd, addr, len))
        rc = -1;
    else if ((rc = bia_v6prog_destination(fd, addr, len, &to, true)) == 0)
        rc = bia_real()->connect(fd, (const struct sockaddr *)&to, sizeof to);
    else if (rc > 0)
        rc = bia_real()->connect(fd, addr, len);
    bia_guard_leave();
    return rc;
}
