/* sendmmsg(): sendto() for a batch, each DNS query steered as sendto's
 * (names/dnssteer.h); as sendmsg() for passed descriptors. */
#define _GNU_SOURCE
#include "fd/sockhist.h"
#include "names/dnssteer.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/send.h"

#include <sys/uio.h>

BIA_EXPORT int sendmmsg(int fd, struct mmsghdr *v, unsigned int vlen, bia_mmsg_flags flags)
{
    struct mmsghdr *sent;
    int rc;

    if (!bia_active())
        return bia_real()->sendmmsg(fd, v, vlen, flags);
    for (unsigned int i = 0; v && i < vlen && i < UIO_MAXIOV; i++)
        bia_sockhist_sending(&v[i].msg_hdr);
    if (!bia_guard_enter())
        return bia_real()->sendmmsg(fd, v, vlen, flags);
    sent = bia_dnssteer_mmsg(fd, v, &vlen);
    rc = bia_dnssteer_mmsg_done(v, sent, bia_sendmmsg(fd, sent, vlen, flags));
    bia_guard_leave();
    return rc;
}
