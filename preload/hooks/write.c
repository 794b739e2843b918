/* write(): an FTP control connection's commands go through the ALG
 * (ftp/ftpalg.h); every other write costs one load of a counter. */
#include "ftp/ftpalg.h"
#include "runtime/real.h"

BIA_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
    ssize_t rc;

    if (!bia_ftp_any() || !bia_guard_enter())
        return bia_real()->write(fd, buf, n);
    rc = bia_ftp_send(fd, buf, n, 0, true);
    bia_guard_leave();
    return rc;
}
