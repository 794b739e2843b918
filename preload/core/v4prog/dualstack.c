#include "v4prog/dualstack.h"

#include "fd/sockrec.h"
#include "runtime/real.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

enum { UNKNOWN, DEFAULT_OFF, MUST_SET };

static __thread int known __attribute__((tls_model("initial-exec")));

static int read_default(void)
{
    char c = 0;
    int saved = errno, fd = open("/proc/sys/net/ipv6/bindv6only", O_RDONLY | O_CLOEXEC);
    bool off = fd >= 0 && read(fd, &c, 1) == 1 && c == '0';

    if (fd >= 0)
        bia_real()->close(fd);
    errno = saved;
    return off ? DEFAULT_OFF : MUST_SET;
}

int bia_dualstack_make(int fd)
{
    int off = 0, state = known;

    if (state == UNKNOWN) {
        state = read_default();
        /* A vfork child shares this thread's memory, maybe not its
         * namespace: only the owner keeps what it read. */
        if (bia_sockrec_owned())
            known = state;
    }
    if (state == DEFAULT_OFF)
        return 0;
    return bia_real()->setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
}

void bia_dualstack_netns_changed(void)
{
    known = UNKNOWN;
}
