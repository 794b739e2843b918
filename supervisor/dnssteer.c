#include "dnssteer.h"

#include "mapping.h"
#include "target.h"

#include "bia_protocol.h"
#include "names/dnsconf.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DNS_PORT 53

/* The sockets steered, by inode, with the server each asked last and the
 * endpoint's port. Never pruned (the supervisor cannot see a close): a
 * resolver's socket or two per lookup. */
struct steered {
    ino_t ino;
    in_port_t endpoint;           /* network order */
    socklen_t len;
    struct sockaddr_in6 server;   /* as the program gave it */
};
static struct steered *list;
static size_t n, cap;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static ino_t inode(int sock)
{
    struct stat st;

    return fstat(sock, &st) ? 0 : st.st_ino;
}

/* The record of ino; NULL if none (called with the lock held). */
static struct steered *find(ino_t ino)
{
    for (size_t i = 0; ino && i < n; i++)
        if (list[i].ino == ino)
            return &list[i];
    return NULL;
}

static void remember(int sock, const struct sockaddr_in6 *server, socklen_t len, in_port_t endpoint)
{
    ino_t ino = inode(sock);
    struct steered *s;

    pthread_mutex_lock(&lock);
    s = find(ino);
    if (!s && n == cap) {
        size_t more = cap ? 2 * cap : 16;
        struct steered *grown = realloc(list, more * sizeof *list);

        if (grown) {
            list = grown;
            cap = more;
        }
    }
    if (!s && ino && n < cap)
        s = &list[n++];
    if (s)
        *s = (struct steered){.ino = ino, .endpoint = endpoint, .len = len, .server = *server};
    pthread_mutex_unlock(&lock);
}

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

    if (len < sizeof(struct sockaddr_in) || dst->sin6_port != htons(DNS_PORT))
        return false;
    bia_dnsconf_servers("/etc/resolv.conf", &s);
    if (dst->sin6_family == AF_INET)
        return bia_dnsconf_lists4(&s, ((const struct sockaddr_in *)dst)->sin_addr);
    return dst->sin6_family == AF_INET6 && len >= sizeof *dst && bia_dnsconf_lists6(&s, &dst->sin6_addr);
}

/* The helper's endpoint, when dst is to be steered to it. */
static bool steered_to(const struct sockaddr_in6 *dst, socklen_t len, struct bia_dns_endpoint *e)
{
    struct stat st;
    int fd;

    if (!is_server(dst, len) || mapping_network() != BIA_NET_IPV6_ONLY ||
        (fd = bia_dnsconf_open_endpoint(mapping_socket(), &st)) < 0)
        return false;
    return bia_dnsconf_read_endpoint(fd, e);
}

bool dnssteer_destination(int sock, const struct sockaddr_in6 *dst, socklen_t len, struct sockaddr_in6 *to,
                          socklen_t *tolen)
{
    struct bia_dns_endpoint e;

    if (!steered_to(dst, len, &e))
        return false;
    *tolen = endpoint(dst->sin6_family, &e, to);
    remember(sock, dst, len < sizeof *dst ? len : sizeof *dst, to->sin6_port);
    return true;
}

bool dnssteer_connect(int listener, const struct seccomp_notif *req)
{
    struct sockaddr_in6 dst = {0}, to;
    socklen_t len = (socklen_t)req->data.args[2], tolen;
    int sock, err;

    if ((int)len < (int)sizeof(struct sockaddr_in) ||
        target_read(req, req->data.args[1], &dst, len < sizeof dst ? len : sizeof dst) ||
        !is_server(&dst, len) || (sock = target_fd(req, (int)req->data.args[0])) < 0)
        return false;
    if (!dnssteer_destination(sock, &dst, len, &to, &tolen) || !target_alive(listener, req)) {
        close(sock);   /* not steered, or the address read was not the call's own */
        return false;
    }
    /* The program's own socket (the same open file), connected here. */
    err = connect(sock, (struct sockaddr *)&to, tolen) ? errno : 0;
    close(sock);
    target_answer(listener, req, err);
    return true;
}

bool dnssteer_known(int sock)
{
    bool known;

    pthread_mutex_lock(&lock);
    known = find(inode(sock)) != NULL;
    pthread_mutex_unlock(&lock);
    return known;
}

/* Whether from is the endpoint (loopback, in either form, on its port). */
static bool from_endpoint(const struct sockaddr_storage *from, in_port_t port)
{
    const struct sockaddr_in6 *six = (const struct sockaddr_in6 *)from;
    const struct sockaddr_in *four = (const struct sockaddr_in *)from;
    static const unsigned char mapped_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};

    if (from->ss_family == AF_INET)
        return four->sin_port == port && four->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
    return from->ss_family == AF_INET6 && six->sin6_port == port &&
           (IN6_IS_ADDR_LOOPBACK(&six->sin6_addr) || !memcmp(&six->sin6_addr, mapped_loopback, 16));
}

void dnssteer_reply_source(int sock, struct sockaddr_storage *from, socklen_t *len)
{
    struct steered *s;

    pthread_mutex_lock(&lock);
    s = find(inode(sock));
    if (s && from_endpoint(from, s->endpoint)) {
        memcpy(from, &s->server, s->len);
        *len = s->len;
    }
    pthread_mutex_unlock(&lock);
}
