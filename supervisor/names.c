#include "names.h"

#include "owned.h"
#include "target.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define THIS_HOST "192.0.0.2"

/* The IPv4 form of the socket's end, or an errno. */
static int ipv4_form(int sock, bool peer, struct in_addr pool, struct sockaddr_in *out)
{
    struct sockaddr_in6 six;
    socklen_t len = sizeof six;

    if ((peer ? getpeername : getsockname)(sock, (struct sockaddr *)&six, &len))
        return errno;
    *out = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = six.sin6_port};
    if (peer)
        out->sin_addr = pool;
    else if (!IN6_IS_ADDR_UNSPECIFIED(&six.sin6_addr))
        inet_pton(AF_INET, THIS_HOST, &out->sin_addr);
    return 0;
}

/* As the kernel's move_addr_to_user. */
static int copy_out(const struct seccomp_notif *req, const struct sockaddr_in *sin)
{
    int len, full = (int)sizeof *sin;

    if (target_read(req, req->data.args[2], &len, sizeof len))
        return EFAULT;
    if (len < 0)
        return EINVAL;
    if (len > full)
        len = full;
    if ((len && target_write(req, req->data.args[1], sin, (size_t)len)) ||
        target_write(req, req->data.args[2], &full, sizeof full))
        return EFAULT;
    return 0;
}

void names_answer(int listener, const struct seccomp_notif *req, bool peer)
{
    int sock = target_fd(req, (int)req->data.args[0]), err;
    struct sockaddr_in sin;
    struct in_addr pool;

    if (sock < 0 || !owned_find(sock, &pool)) {
        if (sock >= 0)
            close(sock);
        target_continue(listener, req);
        return;
    }
    err = ipv4_form(sock, peer, pool, &sin);
    close(sock);
    if (!err)
        err = target_alive(listener, req) ? copy_out(req, &sin) : 0;
    target_answer(listener, req, err);
}
