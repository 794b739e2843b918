/* send(): an FTP control connection's commands go through the ALG
 * (ftp/ftpalg.h); every other send costs one load of a counter. */
#include "ftp/ftpalg.h"
#include "runtime/real.h"

BIA_EXPORT ssize_t send(int fd, const void *buf, size_t n, int flags)
{
    ssize_t rc;

    if (!bia_ftp_any() || !bia_guard_enter())
        return bia_real()->send(fd, buf, n, flags);
    rc = bia_ftp_send(fd, buf, n, flags, false);
    bia_guard_leave();
    return rc;
}
