#include "bind.h"

#include "owned.h"
#include "sockint.h"
#include "swap.h"
#include "target.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#define THIS_HOST 0xc0000002u   /* 192.0.0.2, host order (architecture.md "This host") */

/* The bound replacement of the program's socket, or -1 when the kernel
 * should bind the program's own. */
static int replacement(int old, const struct sockaddr_in *sin)
{
    struct sockaddr_in was = {0};
    socklen_t wl = sizeof was;
    struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_port = sin->sin_port};
    int type = sockopt_int(old, SO_TYPE), sock;

    if (sockopt_int(old, SO_DOMAIN) != AF_INET || (type != SOCK_STREAM && type != SOCK_DGRAM) ||
        getsockname(old, (struct sockaddr *)&was, &wl) || was.sin_port)
        return -1;   /* bound already: the kernel's EINVAL */
    sock = swap_make_socket(old, type, sockopt_int(old, SO_PROTOCOL));
    if (sock >= 0 && bind(sock, (struct sockaddr *)&any, sizeof any)) {
        close(sock);   /* the port is taken on the IPv6 side: the kernel answers for IPv4 */
        return -1;
    }
    return sock;
}

void bind_serve(int listener, const struct seccomp_notif *req)
{
    struct sockaddr_in sin;
    int old, sock = -1, err;

    if ((int)req->data.args[2] >= (int)sizeof sin && !target_read(req, req->data.args[1], &sin, sizeof sin) &&
        sin.sin_family == AF_INET &&
        (sin.sin_addr.s_addr == htonl(INADDR_ANY) || sin.sin_addr.s_addr == htonl(THIS_HOST)) &&
        target_alive(listener, req) && (old = target_fd(req, (int)req->data.args[0])) >= 0) {
        sock = replacement(old, &sin);
        close(old);
    }
    if (sock < 0) {
        target_continue(listener, req);
        return;
    }
    err = swap_install(listener, req, (int)req->data.args[0], sock);
    if (!err)
        owned_add(sock, (struct in_addr){htonl(INADDR_ANY)});
    close(sock);
    target_answer(listener, req, err);
}
