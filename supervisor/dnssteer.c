#include "dnssteer.h"

#include "mapping.h"
#include "target.h"

#include "bia_protocol.h"
#include "names/dnsconf.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#define DNS_PORT 53

/* The endpoint address for a socket of family (loopback, in its form). */
static socklen_t endpoint(int family, const struct bia_dns_endpoint *e, struct sockaddr_in6 *to)
{
    in_port_t port = htons((in_port_t)e->port6only);

    if (family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)to;
        *sin = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = port,
                                    .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        return sizeof *sin;
    }
    *to = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_port = port, .sin6_addr = in6addr_loopback};
    if (!e->have_ipv6) {
        to->sin6_addr = (struct in6_addr){{{0}}};
        to->sin6_addr.s6_addr[10] = to->sin6_addr.s6_addr[11] = 0xff;
        to->sin6_addr.s6_addr[12] = 127;
        to->sin6_addr.s6_addr[15] = 1;
    }
    return sizeof *to;
}

/* Whether the destination the program gave is a steered DNS server. */
static bool is_server(const struct sockaddr_in6 *dst, socklen_t len)
{
    struct bia_dns_servers s;

    if (dst->sin6_port != htons(DNS_PORT))
        return false;
    bia_dnsconf_servers("/etc/resolv.conf", &s);
    if (dst->sin6_family == AF_INET && len >= sizeof(struct sockaddr_in))
        return bia_dnsconf_lists4(&s, ((const struct sockaddr_in *)dst)->sin_addr);
    return dst->sin6_family == AF_INET6 && len >= sizeof *dst && bia_dnsconf_lists6(&s, &dst->sin6_addr);
}

bool dnssteer_connect(int listener, const struct seccomp_notif *req)
{
    struct sockaddr_in6 dst = {0}, to;
    struct bia_dns_endpoint e;
    struct stat st;
    socklen_t len = (socklen_t)req->data.args[2];
    int fd, sock, err;

    if ((int)len < (int)sizeof(struct sockaddr_in) ||
        target_read(req, req->data.args[1], &dst, len < sizeof dst ? len : sizeof dst) ||
        !is_server(&dst, len) || mapping_network() != BIA_NET_IPV6_ONLY ||
        (fd = bia_dnsconf_open_endpoint(mapping_socket(), &st)) < 0)
        return false;
    if (!bia_dnsconf_read_endpoint(fd, &e) || (sock = target_fd(req, (int)req->data.args[0])) < 0)
        return false;
    if (!target_alive(listener, req)) {   /* the address read was the call's own */
        close(sock);
        return false;
    }
    /* The program's own socket (the same open file), connected here. */
    err = connect(sock, (struct sockaddr *)&to, endpoint(dst.sin6_family, &e, &to)) ? errno : 0;
    close(sock);
    target_answer(listener, req, err);
    return true;
}
