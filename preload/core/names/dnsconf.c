#include "names/dnsconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

void bia_dnsconf_servers(const char *path, struct bia_dns_servers *out)
{
    char line[256], addr[128];
    FILE *f = fopen(path, "re");

    memset(out, 0, sizeof *out);
    while (f && fgets(line, sizeof line, f)) {
        char *zone;
        if (sscanf(line, " nameserver %127s", addr) != 1)
            continue;
        if ((zone = strchr(addr, '%')))
            *zone = '\0';
        /* The family from the text, not from which parse succeeds: under
         * bia's preload an IPv6 literal also parses as IPv4 (names/literal.h). */
        if (strchr(addr, ':')) {
            if (out->n6 < BIA_DNSCONF_MAX_SERVERS && inet_pton(AF_INET6, addr, &out->v6[out->n6]) == 1)
                out->n6++;
        } else if (out->n4 < BIA_DNSCONF_MAX_SERVERS && inet_pton(AF_INET, addr, &out->v4[out->n4]) == 1) {
            out->n4++;
        }
    }
    if (f)
        fclose(f);
}

bool bia_dnsconf_lists4(const struct bia_dns_servers *s, struct in_addr a)
{
    for (int i = 0; i < s->n4; i++)
        if (s->v4[i].s_addr == a.s_addr)
            return true;
    /* No IPv4 server: bind's tools and glibc fall back to 127.0.0.1. */
    return s->n4 == 0 && s->n6 > 0 && a.s_addr == htonl(INADDR_LOOPBACK);
}

bool bia_dnsconf_lists6(const struct bia_dns_servers *s, const struct in6_addr *a)
{
    if (IN6_IS_ADDR_V4MAPPED(a)) {
        struct in_addr v4;
        memcpy(&v4, &a->s6_addr[12], sizeof v4);
        return bia_dnsconf_lists4(s, v4);
    }
    for (int i = 0; i < s->n6; i++)
        if (memcmp(&s->v6[i], a, sizeof *a) == 0)
            return true;
    return s->n6 == 0 && s->n4 > 0 && IN6_IS_ADDR_LOOPBACK(a);
}

/* The helper holds an exclusive flock on the file while it runs (the
 * kernel drops it when the helper dies, kill -9 included). */
static bool helper_alive(int fd)
{
    if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
        flock(fd, LOCK_UN);
        return false;
    }
    return errno == EWOULDBLOCK;
}

int bia_dnsconf_open_endpoint(const char *socket_path, struct stat *st)
{
    char path[4096];
    struct stat sock;
    int fd;

    if (snprintf(path, sizeof path, "%s.dns", socket_path) >= (int)sizeof path ||
        (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    if (fstat(fd, st) < 0 || lstat(socket_path, &sock) < 0 || st->st_uid != sock.st_uid ||
        !helper_alive(fd)) {
        close(fd);
        return -1;
    }
    return fd;
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

bool bia_dnsconf_read_endpoint(int fd, struct bia_dns_endpoint *out)
{
    char text[128];
    unsigned long netns;
    int n = (int)read(fd, text, sizeof text - 1);

    close(fd);
    text[n > 0 ? n : 0] = '\0';
    return sscanf(text, "%u %u %d %lu", &out->port6only, &out->port4only, &out->have_ipv6, &netns) == 4 &&
           netns == own_netns() && out->port6only - 1 < 65535 && out->port4only - 1 < 65535; /* 1..65535 */
}
