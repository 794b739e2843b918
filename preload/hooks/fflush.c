/* fflush(): a stream on an FTP control connection has its commands go
 * through the ALG (ftp/ftpalg.h); every other flush costs one load of a
 * counter. */
#include "ftp/ftpalg.h"
#include "runtime/real.h"

BIA_EXPORT int fflush(FILE *fp)
{
    int rc;

    if (!fp || !bia_ftp_any() || !bia_guard_enter())
        return bia_real()->fflush(fp);
    rc = bia_ftp_fflush(fp);
    bia_guard_leave();
    return rc;
}
