/*
 * DNS that programs send themselves. dig, host, nslookup, dnspython and
 * c-ares (Node's dns.resolve*) read resolv.conf and talk to its servers
 * over UDP and TCP port 53; getaddrinfo never sees their names, so on an
 * IPv6-only network an IPv4 program's A question for an AAAA-only name
 * gets nothing (and `dig -4` on a host whose resolv.conf lists only IPv6
 * servers falls back to 127.0.0.1:53, where nothing listens). The helper
 * answers such queries as the extension name resolver would on a loopback
 * port of its own (it may not take port 53), named in SOCKET.dns beside its
 * socket. Here the program's connect/sendto/sendmsg to port 53 of a
 * resolv.conf server, or to that loopback fallback, is sent to it instead,
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
#include "runtime/config.h"
#include "runtime/lock.h"
#include "runtime/log.h"
#include "runtime/real.h"
#include "runtime/sockaddr.h"

#include "bia_protocol.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define DNS_PORT 53
#define MAX_SERVERS 8          /* more than glibc's 3: bind's tools read more */
#define RESOLV_CONF "/etc/resolv.conf"

struct endpoint {
    unsigned port6only, port4only;    /* IPv6-only network, IPv4-only network */
    int have_ipv6;                     /* ::1 is served too */
};

struct servers {
    int n4, n6;
    struct in_addr v4[MAX_SERVERS];
    struct in6_addr v6[MAX_SERVERS];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct stat endpoint_seen, resolv_seen;
static struct endpoint endpoint_cached;
static int endpoint_ok;
static struct servers servers_cached;

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static unsigned long own_netns(void)
{
    char link[64];
    ssize_t n = readlink("/proc/self/ns/net", link, sizeof link - 1);
    unsigned long ino = 0;

    if (n > 0) {
        link[n] = '\0';
        sscanf(link, "net:[%lu]", &ino);
    }
    return ino;
}

/* Whether the helper that wrote the file on fd still runs: it holds an
 * exclusive flock on it (the kernel drops it when the helper dies, kill -9
 * included), so a stale file never sends queries to a dead port. */
static int helper_alive(int fd)
{
    if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
        flock(fd, LOCK_UN);
        return 0;
    }
    return errno == EWOULDBLOCK;
}

/* SOCKET.dns, when the helper's user wrote it, the helper still runs, and
 * it is for this network namespace (loopback ports mean nothing in
 * another). Lock held. */
static int read_endpoint(struct endpoint *out)
{
    char path[sizeof bia_config()->socket_path + 8], text[128];
    struct stat st, sock;
    unsigned long netns;
    int fd, n;

    snprintf(path, sizeof path, "%s.dns", bia_config()->socket_path);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    if (fstat(fd, &st) < 0 || lstat(bia_config()->socket_path, &sock) < 0 ||
        st.st_uid != sock.st_uid || !helper_alive(fd)) {
        close(fd);
        return 0;
    }
    if (same_file(&st, &endpoint_seen)) {
        close(fd);
        *out = endpoint_cached;
        return endpoint_ok;
    }
    endpoint_seen = st;
    endpoint_ok = 0;
    n = (int)read(fd, text, sizeof text - 1);
    close(fd);
    text[n > 0 ? n : 0] = '\0';
    if (sscanf(text, "%u %u %d %lu", &endpoint_cached.port6only, &endpoint_cached.port4only,
               &endpoint_cached.have_ipv6, &netns) == 4 && netns == own_netns() &&
        endpoint_cached.port6only - 1 < 65535 && endpoint_cached.port4only - 1 < 65535) /* 1..65535 */
        endpoint_ok = 1;
    *out = endpoint_cached;
    return endpoint_ok;
}

/* The nameservers of resolv.conf, read again when it changes. Lock held. */
static void read_servers(struct servers *out)
{
    struct stat st;
    char line[256], addr[128];
    FILE *f;

    if (stat(RESOLV_CONF, &st) < 0) {
        memset(out, 0, sizeof *out);
        return;
    }
    if (!same_file(&st, &resolv_seen) && (f = fopen(RESOLV_CONF, "re"))) {
        resolv_seen = st;
        memset(&servers_cached, 0, sizeof servers_cached);
        while (fgets(line, sizeof line, f)) {
            struct servers *s = &servers_cached;
            if (sscanf(line, " nameserver %127s", addr) != 1)
                continue;
            char *zone = strchr(addr, '%');
            if (zone)
                *zone = '\0';
            if (s->n4 < MAX_SERVERS && inet_pton(AF_INET, addr, &s->v4[s->n4]) == 1)
                s->n4++;
            else if (s->n6 < MAX_SERVERS && inet_pton(AF_INET6, addr, &s->v6[s->n6]) == 1)
                s->n6++;
        }
        fclose(f);
    }
    *out = servers_cached;
}

static int listed6(const struct servers *s, const struct in6_addr *a);

static int listed4(const struct servers *s, struct in_addr a)
{
    struct bia_entry e;
    struct in6_addr v6;

    for (int i = 0; i < s->n4; i++)
        if (s->v4[i].s_addr == a.s_addr)
            return 1;
    /* No IPv4 server: bind's tools and glibc fall back to 127.0.0.1. */
    if (s->n4 == 0 && s->n6 > 0 && a.s_addr == htonl(INADDR_LOOPBACK))
        return 1;
    /* An IPv6 server the program was given a pool address for: dig and
     * nslookup look the server's literal up with getaddrinfo. */
    if (bia_mapcache_find_v4(a, &e) && e.kind == BIA_K_POOL)
        return listed6(s, &e.v6);
    return bia_maptable_find_v4(a, &v6) && listed6(s, &v6);
}

static int listed6(const struct servers *s, const struct in6_addr *a)
{
    struct in_addr v4;

    if (bia_v6_is_mapped(a, &v4))
        return listed4(s, v4);
    for (int i = 0; i < s->n6; i++)
        if (memcmp(&s->v6[i], a, sizeof *a) == 0)
            return 1;
    return s->n6 == 0 && s->n4 > 0 && IN6_IS_ADDR_LOOPBACK(a);
}

/* The endpoint's port for this process's network, 0 when nothing is steered. */
static unsigned endpoint_port(const struct endpoint *e)
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
static socklen_t endpoint_addr(int family, const struct endpoint *e, unsigned port,
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
    struct servers s;
    struct endpoint e;
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
