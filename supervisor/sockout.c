#include "sockout.h"

#include "target.h"

#include <errno.h>

int sockout_copy(const struct seccomp_notif *req, uint64_t addr, uint64_t len_at, const void *sa, socklen_t full)
{
    int len, size = (int)full;

    if (target_read(req, len_at, &len, sizeof len))
        return EFAULT;
    if (len < 0)
        return EINVAL;
    if (len > size)
        len = size;
    if ((len && target_write(req, addr, sa, (size_t)len)) || target_write(req, len_at, &size, sizeof size))
        return EFAULT;
    return 0;
}
