/*
 * connect(): translated only for a complete sockaddr_in. Anything shorter
 * (or NULL) goes to the kernel as it is, which answers with exactly its
 * own errno; another family does too, except on a swapped socket, where it
 * fails with EAFNOSUPPORT as on the AF_INET socket the program believes in.
 * An IPv6 destination goes to core/v6prog/v6prog.c: a synthesized address is
 * given in IPv4-mapped form with IPV6_V6ONLY lifted, so that the kernel
 * carries it over IPv4; an unreachable one is tried once more when the
 * helper pairs it with an IPv4 address. A DNS server's port 53 may be the
 * helper's DNS endpoint instead (names/dnssteer.h).
 */
#include "names/dnssteer.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/outbound.h"
#include "v6prog/icmp6echo.h"
#include "v6prog/v4backed.h"
#include "v6prog/v6prog.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

/* An IPv6 destination; one unreachable over IPv6 is tried again as its
 * PAIRED IPv4 partner when the helper knows one (v6prog.h). */
static int connect6(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_in6 to;
    int rc = bia_v6prog_destination(fd, addr, len, &to, true);

    if (rc > 0) {
        if (bia_real()->connect(fd, addr, len) == 0)
            return 0;
        int err = errno;
        if (err != ENETUNREACH || !bia_v6prog_learn_pair(addr, len) ||
            bia_v6prog_destination(fd, addr, len, &to, true) != 0) {
            errno = err;    /* the first connect's, whatever the helper said */
            return -1;
        }
    }
    return rc < 0 ? -1 : bia_real()->connect(fd, (const struct sockaddr *)&to, sizeof to);
}

BIA_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_in dst;
    struct sockaddr_storage steered;
    int rc;

    if (!bia_active() || !addr || len < sizeof dst || len > sizeof(struct sockaddr_storage) ||
        !bia_guard_enter())
        return bia_real()->connect(fd, addr, len);
    addr = bia_dnssteer_to(fd, addr, &len, &steered);
    memcpy(&dst, addr, sizeof dst);     /* the program's buffer may be unaligned */
    bia_icmp6_outbound(fd, addr, len);  /* an ICMPv6 echo socket may become ICMPv4 (icmp6echo.h) */
    if (bia_v4backed(fd))
        rc = bia_v4backed_connect(fd, addr, len);
    else if (dst.sin_family == AF_INET)
        rc = bia_connect4(fd, &dst, len);
    else if (bia_outbound_wrong_family(fd, addr, len))
        rc = -1;
    else
        rc = connect6(fd, addr, len);
    bia_guard_leave();
    return rc;
}
