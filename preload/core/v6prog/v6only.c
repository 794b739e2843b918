/*
 * The lifted sockets are remembered by inode, per descriptor: a descriptor
 * closed and reused holds another socket, so a stale slot is simply not
 * believed (no close hook needed). Duplicates get the slot of the socket
 * they copy; descriptors past the table's end, and a socket inherited
 * across exec, answer what the kernel says (0).
 */
#include "v6prog/v6only.h"

#include "runtime/newproc.h"
#include "runtime/real.h"
#include "runtime/sockaddr.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/stat.h>

#define SLOTS 4096

static unsigned long lifted[SLOTS];     /* socket inode, 0 when none */

static unsigned long inode_of(int fd)
{
    struct stat st;

    return fstat(fd, &st) ? 0 : (unsigned long)st.st_ino;
}

static bool is_mapped(const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_in6 dst;
    struct in_addr ignored;

    if (len < sizeof dst)
        return false;
    memcpy(&dst, addr, sizeof dst);     /* the program's buffer may be unaligned */
    return dst.sin6_family == AF_INET6 && bia_v6_is_mapped(&dst.sin6_addr, &ignored);
}

/*
 * Records (ino != 0) or forgets (0) fd's lifted socket. A child sharing
 * this memory (vfork, CLONE_VM; newproc.h) has descriptors of its own: it
 * writes only a slot that is free or already names the socket now on fd,
 * never one that may be its parent's for another socket.
 */
static void put(int fd, unsigned long ino)
{
    unsigned long held = __atomic_load_n(&lifted[fd], __ATOMIC_ACQUIRE);

    if (held && held != ino && held != inode_of(fd) && !bia_newproc_own())
        return;
    __atomic_store_n(&lifted[fd], ino, __ATOMIC_RELEASE);
}

bool bia_v6only_lift(int fd)
{
    int on = 0, off = 0, saved = errno;
    socklen_t optlen = sizeof on;
    bool done = false;

    if (fd >= 0 && fd < SLOTS &&
        !bia_real()->getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, &optlen) && on &&
        !bia_real()->setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off)) {
        put(fd, inode_of(fd));
        done = true;
    }
    errno = saved;
    return done;
}

void bia_v6only_restore(int fd)
{
    int on = 1, saved = errno;

    bia_real()->setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    if (fd >= 0 && fd < SLOTS)
        put(fd, 0);
    errno = saved;
}

void bia_v6only_before_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    if (is_mapped(addr, len))
        bia_v6only_lift(fd);
}

/* Whether another slot names ino: a copy made by a child sharing this
 * memory, which left its parent's slot for that number alone (put). */
static bool lifted_elsewhere(unsigned long ino)
{
    for (int i = 0; ino && i < SLOTS; i++)
        if (__atomic_load_n(&lifted[i], __ATOMIC_ACQUIRE) == ino)
            return !bia_newproc_own();
    return false;
}

static bool was_lifted(int fd)
{
    unsigned long ino, now;

    if (fd < 0 || fd >= SLOTS || !(ino = __atomic_load_n(&lifted[fd], __ATOMIC_ACQUIRE)))
        return false;
    now = inode_of(fd);
    return ino == now || lifted_elsewhere(now);
}

void bia_v6only_copy(int oldfd, int newfd)
{
    int saved = errno;

    if (newfd >= 0 && newfd < SLOTS && was_lifted(oldfd))
        put(newfd, __atomic_load_n(&lifted[oldfd], __ATOMIC_ACQUIRE));
    errno = saved;
}

int bia_v6only_getsockopt(int fd, void *value, socklen_t *len)
{
    int one = 1;

    /* The kernel checks the buffer and sets *len; only the value differs. */
    if (bia_real()->getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, value, len))
        return -1;
    if (was_lifted(fd))
        memcpy(value, &one, *len < sizeof one ? *len : sizeof one);
    return 0;
}
