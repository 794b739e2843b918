/* recv(): an FTP control connection's replies or commands go through the
 * ALG (ftp/ftpalg.h); every other recv costs one load of a counter. */
#include "ftp/ftpalg.h"
#include "runtime/real.h"

BIA_EXPORT ssize_t recv(int fd, void *buf, size_t n, int flags)
{
    ssize_t rc = bia_real()->recv(fd, buf, n, flags);

    if (rc <= 0 || !bia_ftp_any() || !bia_guard_enter())
        return rc;
    rc = bia_ftp_received(fd, buf, rc);
    bia_guard_leave();
    return rc;
}
