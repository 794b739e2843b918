#include "names.h"

#include "log.h"
#include "mapping.h"
#include "owned.h"
#include "sockout.h"
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
    else if (IN6_IS_ADDR_V4MAPPED(&six.sin6_addr))
        memcpy(&out->sin_addr, &six.sin6_addr.s6_addr[12], 4);
    else if (!IN6_IS_ADDR_UNSPECIFIED(&six.sin6_addr))
        inet_pton(AF_INET, THIS_HOST, &out->sin_addr);
    return 0;
}

struct in_addr names_peer_v4(const struct in6_addr *a)
{
    struct in_addr v4 = {htonl(INADDR_ANY)};

    if (IN6_IS_ADDR_V4MAPPED(a))
        memcpy(&v4, &a->s6_addr[12], 4);
    else if (!IN6_IS_ADDR_UNSPECIFIED(a) && mapping_reverse(a, &v4))
        log_line("no IPv4 address for a peer (shown as 0.0.0.0): the helper cannot say");
    return v4;
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
    if (!err && target_alive(listener, req))
        err = sockout_copy(req, req->data.args[1], req->data.args[2], &sin, sizeof sin);
    target_answer(listener, req, err);
}
