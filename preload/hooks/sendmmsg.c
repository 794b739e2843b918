/* sendmmsg(): sendto() for a batch; as sendmsg() for passed descriptors. */
#define _GNU_SOURCE
#include "fd/sockhist.h"
#include "runtime/config.h"
#include "runtime/real.h"
#include "v4prog/send.h"

#include <sys/uio.h>

BIA_EXPORT int sendmmsg(int fd, struct mmsghdr *v, unsigned int vlen, bia_mmsg_flags flags)
{
    int rc;

    if (!bia_active())
        return bia_real()->sendmmsg(fd, v, vlen, flags);
    for (unsigned int i = 0; v && i < vlen && i < UIO_MAXIOV; i++)
        bia_sockhist_sending(&v[i].msg_hdr);
    if (!bia_guard_enter())
        return bia_real()->sendmmsg(fd, v, vlen, flags);
    rc = bia_sendmmsg(fd, v, vlen, flags);
    bia_guard_leave();
    return rc;
}
