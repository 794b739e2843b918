/*
 * DNS that programs send themselves. dig, host, nslookup, dnspython and
 * c-ares (Node's dns.resolve*) read resolv.conf and talk to its servers
 * over UDP and TCP port 53; getaddrinfo never sees their names, so on an
 * IPv6-only network an IPv4 program's A question for an AAAA-only name
 * gets nothing (and `dig -4` on a host whose resolv.conf lists only IPv6
 * servers falls back to 127.0.0.1:53, where nothing listens). The helper
 * answers such queries as the extension name resolver would on a loopback
 * port of its own (it may not take port 53), named in SOCKET.dns beside its
 * socket. Here the program's connect/sendto/sendmsg/sendmmsg to port 53
 * of a resolv.conf server, or to that loopback fallback, is sent to it instead,
 * and the replies' source (and getpeername) shows the server the program
 * addressed, which resolvers check.
 *
 * Which server a socket addressed is a part of the socket's record
 * (sockrec.h): it follows dups, is forgotten with the socket, and a number
 * reused for another socket is not taken for it.
 */
#define _GNU_SOURCE
#include "names/dnssteer.h"

#include "client/mapcache.h"
#include "client/maptable.h"
#include "client/netmode.h"
#include "fd/sockrec.h"
#include "names/dnsconf.h"
#include "runtime/config.h"
#include "runtime/lock.h"
#include "runtime/log.h"
#include "runtime/real.h"
#include "runtime/sockaddr.h"

#include "bia_protocol.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define DNS_PORT 53
#define RESOLV_CONF "/etc/resolv.conf"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct stat endpoint_seen, resolv_seen;
static struct bia_dns_endpoint endpoint_cached;
static bool endpoint_ok;
static struct bia_dns_servers servers_cached;

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* SOCKET.dns (dnsconf.h), read again when it changes. Lock held. */
static bool read_endpoint(struct bia_dns_endpoint *out)
{
    struct stat st;
    int fd = bia_dnsconf_open_endpoint(bia_config()->socket_path, &st);

    if (fd < 0)
        return false;
    if (same_file(&st, &endpoint_seen)) {
        close(fd);
    } else {
        endpoint_seen = st;
        endpoint_ok = bia_dnsconf_read_endpoint(fd, &endpoint_cached);
    }
    *out = endpoint_cached;
    return endpoint_ok;
}

/* The nameservers of resolv.conf, read again when it changes. Lock held. */
static void read_servers(struct bia_dns_servers *out)
{
    struct stat st;

    if (stat(RESOLV_CONF, &st) < 0) {
        memset(out, 0, sizeof *out);
        return;
    }
    if (!same_file(&st, &resolv_seen)) {
        resolv_seen = st;
        bia_dnsconf_servers(RESOLV_CONF, &servers_cached);
    }
    *out = servers_cached;
}

/* A server of resolv.conf, or a pool address the program was given for
 * one: dig and nslookup look an IPv6 server's literal up with getaddrinfo. */
static bool listed4(const struct bia_dns_servers *s, struct in_addr a)
{
    struct bia_entry e;
    struct in6_addr v6;

    if (bia_dnsconf_lists4(s, a))
        return true;
    if (bia_mapcache_find_v4(a, &e) && e.kind == BIA_K_POOL)
        return bia_dnsconf_lists6(s, &e.v6);
    return bia_maptable_find_v4(a, &v6) && bia_dnsconf_lists6(s, &v6);
}

static bool listed6(const struct bia_dns_servers *s, const struct in6_addr *a)
{
    struct in_addr v4;

    if (bia_v6_is_mapped(a, &v4))
        return listed4(s, v4);
    return bia_dnsconf_lists6(s, a);
}

/* The endpoint's port for this process's network, 0 when nothing is steered. */
static unsigned endpoint_port(const struct bia_dns_endpoint *e)
{
    struct bia_netmode mode;

    bia_netmode_get(&mode);
    if (mode.network == BIA_NET_IPV6_ONLY)
        return e->port6only;
    if (mode.network == BIA_NET_IPV4_ONLY)
        return e->port4only;
    return 0;
}

/* The server goes in the socket's record, for the replies. */
static void remember(int fd, const struct sockaddr *server, socklen_t len, in_port_t port)
{
    struct bia_sockrec rec;

    if (!bia_sockrec_identify(fd, &rec))
        return;
    bia_sockrec_fill(fd, &rec);
    rec.dns = (struct bia_dnsserver){.len = len, .port = port};
    memcpy(&rec.dns.addr, server, len);
    rec.parts |= BIA_REC_DNS;
    bia_sockrec_put(fd, &rec);
}

/* Fills *buf with the endpoint for a program that addressed `family`. */
static socklen_t endpoint_addr(int family, const struct bia_dns_endpoint *e, unsigned port,
                               struct sockaddr_storage *buf)
{
    memset(buf, 0, sizeof *buf);
    if (family == AF_INET) {
        bia_sin_make((struct sockaddr_in *)buf, (struct in_addr){htonl(INADDR_LOOPBACK)}, htons((in_port_t)port));
        return sizeof(struct sockaddr_in);
    }
    if (e->have_ipv6)
        bia_sin6_make((struct sockaddr_in6 *)buf, &in6addr_loopback, htons((in_port_t)port));
    else
        bia_sin6_mapped((struct sockaddr_in6 *)buf, (struct in_addr){htonl(INADDR_LOOPBACK)}, htons((in_port_t)port));
    return sizeof(struct sockaddr_in6);
}

const struct sockaddr *bia_dnssteer_to(int fd, const struct sockaddr *addr, socklen_t *len,
                                       struct sockaddr_storage *buf)
{
    struct sockaddr_in6 six = {0};
    struct bia_dns_servers s;
    struct bia_dns_endpoint e;
    unsigned port = 0;
    int listed, known;

    if (!addr || *len < sizeof(struct sockaddr_in) || *len > sizeof *buf)
        return addr;
    memcpy(&six, addr, *len < sizeof six ? *len : sizeof six);   /* may be unaligned */
    if (six.sin6_port != htons(DNS_PORT) ||
        (six.sin6_family != AF_INET && (six.sin6_family != AF_INET6 || *len < sizeof six)))
        return addr;
    if (!bia_lock(&lock))
        return addr;
    read_servers(&s);
    listed = six.sin6_family == AF_INET ? listed4(&s, ((struct sockaddr_in *)(void *)&six)->sin_addr)
                                        : listed6(&s, &six.sin6_addr);
    known = listed && read_endpoint(&e);
    bia_unlock(&lock);
    /* The network may cost a HELLO: asked without the lock. */
    if (known)
        port = endpoint_port(&e);
    if (!port)
        return addr;
    /* No more than the kernel reads of an AF_INET6 address. */
    remember(fd, addr, *len < sizeof six ? *len : sizeof six, htons((in_port_t)port));
    *len = endpoint_addr(six.sin6_family, &e, port, buf);
    bia_debug("dns: a query of fd %d to port 53 goes to the helper's endpoint, port %u", fd, port);
    return (const struct sockaddr *)buf;
}

const struct msghdr *bia_dnssteer_msg(int fd, const struct msghdr *msg, struct msghdr *copy,
                                      struct sockaddr_storage *buf)
{
    socklen_t len;
    const struct sockaddr *to;

    if (!msg || !msg->msg_name)
        return msg;
    len = msg->msg_namelen;
    to = bia_dnssteer_to(fd, msg->msg_name, &len, buf);
    if (to == msg->msg_name)
        return msg;
    *copy = *msg;
    copy->msg_name = (void *)to;
    copy->msg_namelen = len;
    return copy;
}

/* Whether a message of the batch goes to port 53 (sin_port and sin6_port
 * are at one offset): no other batch costs a lock or a copy. */
static bool any_to_dns_port(const struct mmsghdr *v, unsigned int vlen)
{
    struct sockaddr_in to;

    for (unsigned int i = 0; i < vlen; i++) {
        if (!v[i].msg_hdr.msg_name || v[i].msg_hdr.msg_namelen < sizeof to)
            continue;
        memcpy(&to, v[i].msg_hdr.msg_name, sizeof to);
        if (to.sin_port == htons(DNS_PORT))
            return true;
    }
    return false;
}

struct mmsghdr *bia_dnssteer_mmsg(int fd, struct mmsghdr *v, unsigned int *vlen)
{
    unsigned int n = *vlen < UIO_MAXIOV ? *vlen : UIO_MAXIOV;
    struct sockaddr_storage *buf;
    struct mmsghdr *copy;
    bool steered = false;

    if (!v || !any_to_dns_port(v, n))
        return v;
    copy = malloc(n * (sizeof *copy + sizeof *buf));
    if (!copy)
        return v;    /* sent as it is, to the server the program named */
    buf = (struct sockaddr_storage *)(copy + n);    /* sizeof *copy keeps the alignment */
    for (unsigned int i = 0; i < n; i++) {
        struct msghdr *m = &copy[i].msg_hdr;
        socklen_t len;

        copy[i] = v[i];
        len = m->msg_namelen;
        if (!m->msg_name || bia_dnssteer_to(fd, m->msg_name, &len, &buf[i]) != (void *)&buf[i])
            continue;
        m->msg_name = &buf[i];
        m->msg_namelen = len;
        steered = true;
    }
    if (!steered) {
        free(copy);
        return v;
    }
    *vlen = n;
    return copy;
}

int bia_dnssteer_mmsg_done(struct mmsghdr *v, struct mmsghdr *sent, int rc)
{
    int err = errno;

    if (sent == v)
        return rc;
    for (int i = 0; i < rc; i++)
        v[i].msg_len = sent[i].msg_len;
    free(sent);
    errno = err;
    return rc;
}

/* Whether addr (as the program is shown it) is the endpoint at port. */
static int is_endpoint(const struct sockaddr_storage *a, in_port_t port)
{
    const struct sockaddr_in *sin = (const struct sockaddr_in *)a;
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)a;
    struct in_addr v4;

    if (a->ss_family == AF_INET)
        return sin->sin_port == port && sin->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
    if (a->ss_family != AF_INET6 || sin6->sin6_port != port)
        return 0;
    return IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) ||
           (bia_v6_is_mapped(&sin6->sin6_addr, &v4) && v4.s_addr == htonl(INADDR_LOOPBACK));
}

void bia_dnssteer_from(int fd, struct sockaddr *addr, socklen_t *len, ssize_t rc)
{
    struct sockaddr_storage seen = {0};
    struct bia_sockrec rec;

    if (rc < 0 || !addr || !len || *len == 0 || !bia_sockrec_any(BIA_REC_DNS))
        return;
    memcpy(&seen, addr, *len < sizeof seen ? *len : sizeof seen);
    if (!bia_sockrec_get(fd, BIA_REC_DNS, &rec) || !is_endpoint(&seen, rec.dns.port))
        return;
    bia_sockaddr_copy_out(&rec.dns.addr, rec.dns.len, addr, len);
}

void bia_dnssteer_from_msg(int fd, struct msghdr *msg, ssize_t rc)
{
    socklen_t len;

    if (rc < 0 || !msg || !msg->msg_name)
        return;
    len = msg->msg_namelen;
    bia_dnssteer_from(fd, msg->msg_name, &len, rc);
    msg->msg_namelen = len;
}

void bia_dnssteer_from_mmsg(int fd, struct mmsghdr *v, int rc)
{
    for (int i = 0; i < rc; i++)
        bia_dnssteer_from_msg(fd, &v[i].msg_hdr, 0);
}
