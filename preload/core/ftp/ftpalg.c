/*
 * A client's commands may grow (EPRT with an IPv6 address is longer than
 * PORT): the rewritten buffer is sent whole, and the program is told its
 * own length. Received lines keep their length, and nothing is ever held
 * back: a program polling the socket must see every byte the kernel has,
 * and one that peeks (vsftpd reads as many bytes as its MSG_PEEK showed
 * up to a line's end) must find the same line when it reads.
 */
#include "ftp/ftpalg.h"

#include "ftp/ftpline.h"
#include "runtime/config.h"
#include "runtime/log.h"
#include "runtime/real.h"
#include "v4prog/inbound.h"

#include <errno.h>
#include <poll.h>
#include <stdio_ext.h>
#include <string.h>
#include <sys/socket.h>

bool bia_ftp_port(in_port_t port)
{
    const struct bia_config *c = bia_config();

    for (unsigned i = 0; i < c->ftp_port_count; i++)
        if (c->ftp_ports[i] == port)
            return true;
    return false;
}

void bia_ftp_mark(int fd, struct bia_ftpctl how)
{
    struct bia_sockrec rec;
    int type = 0;
    socklen_t len = sizeof type;

    if (bia_real()->getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) || type != SOCK_STREAM ||
        !bia_sockrec_identify(fd, &rec))
        return;
    bia_sockrec_fill(fd, &rec);
    rec.parts |= BIA_REC_FTP;
    rec.ftp = how;
    if (!bia_sockrec_put(fd, &rec))
        bia_warn("fd %d: cannot mark it as an FTP control connection; its PORT and PASV "
                 "addresses go unchanged", fd);
}

void bia_ftp_accepted(int c)
{
    struct sockaddr_in6 local;
    socklen_t len = sizeof local;

    if (bia_config()->ftp_port_count &&
        !bia_real()->getsockname(c, (struct sockaddr *)&local, &len) &&
        local.sin6_family == AF_INET6 && bia_ftp_port(local.sin6_port))
        bia_ftp_mark(c, (struct bia_ftpctl){.server = true});
}

static ssize_t send_once(int fd, const char *buf, size_t n, int flags, bool by_write)
{
    return by_write ? bia_real()->write(fd, buf, n) : bia_real()->send(fd, buf, n, flags);
}

/* Sends all of buf; a full socket buffer after the first bytes is waited
 * out, since the program cannot be told of a part of a rewritten line. */
static ssize_t send_all(int fd, const char *buf, size_t n, int flags, bool by_write, size_t told)
{
    size_t done = 0;
    ssize_t rc;

    while (done < n) {
        rc = send_once(fd, buf + done, n - done, flags, by_write);
        if (rc >= 0) {
            done += (size_t)rc;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (done == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            return -1;
        poll(&(struct pollfd){.fd = fd, .events = POLLOUT}, 1, -1);
    }
    return (ssize_t)told;
}

/* The rewritten commands of an IPv4 program's connection to an IPv6
 * server (EPRT naming this host's IPv6 address), or of an IPv6 program's
 * to an IPv4 server (naming this host's IPv4 address); 0: none. */
static size_t rewrite_out(int fd, const struct bia_ftpctl *how, const void *buf, size_t n,
                          char *out, size_t cap)
{
    struct sockaddr_in6 local;
    socklen_t len = sizeof local;
    struct in_addr v4;

    if (how->server || bia_real()->getsockname(fd, (struct sockaddr *)&local, &len))
        return 0;
    if (!how->v6prog)
        return local.sin6_family == AF_INET6
                   ? bia_ftpline_commands_out(buf, n, out, cap, &local.sin6_addr) : 0;
    if (local.sin6_family == AF_INET)
        v4 = ((const struct sockaddr_in *)&local)->sin_addr;
    else if (local.sin6_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&local.sin6_addr))
        memcpy(&v4, &local.sin6_addr.s6_addr[12], sizeof v4);
    else
        return 0;
    return bia_ftpline_commands_out4(buf, n, out, cap, v4);
}

ssize_t bia_ftp_send(int fd, const void *buf, size_t n, int flags, bool by_write)
{
    char out[BIA_FTPLINE_OUT_CAP];
    struct bia_sockrec rec;
    size_t w;

    if (!bia_sockrec_get(fd, BIA_REC_FTP, &rec) ||
        !(w = rewrite_out(fd, &rec.ftp, buf, n, out, sizeof out)))
        return send_once(fd, buf, n, flags, by_write);
    bia_debug("fd %d: FTP: %zu bytes of commands sent as %zu", fd, n, w);
    return send_all(fd, out, w, flags, by_write, n);
}

/* The bytes stdio holds for fp: glibc's FILE shows them; musl's is
 * opaque, so a musl program's stdio commands go out unrewritten. */
static const char *stdio_pending(FILE *fp)
{
#ifdef __GLIBC__
    return fp->_IO_write_base;
#else
    (void)fp;
    return NULL;
#endif
}

int bia_ftp_fflush(FILE *fp)
{
    char out[BIA_FTPLINE_OUT_CAP];
    struct bia_sockrec rec;
    int fd = fp ? fileno(fp) : -1;
    size_t n = fp ? __fpending(fp) : 0, w;
    const char *pending = fp ? stdio_pending(fp) : NULL;

    if (n == 0 || !pending || fd < 0 || !bia_sockrec_get(fd, BIA_REC_FTP, &rec) ||
        !(w = rewrite_out(fd, &rec.ftp, pending, n, out, sizeof out)))
        return bia_real()->fflush(fp);
    if (send_all(fd, out, w, 0, true, n) < 0)
        return bia_real()->fflush(fp);     /* nothing sent: stdio reports the error */
    __fpurge(fp);
    bia_debug("fd %d: FTP: %zu bytes of stdio commands sent as %zu", fd, n, w);
    return 0;
}

static bool map_v6(const struct in6_addr *v6, struct in_addr *v4, void *arg)
{
    (void)arg;
    return bia_inbound_map(v6, v4) == 0;
}

ssize_t bia_ftp_received(int fd, void *buf, ssize_t rc)
{
    struct bia_sockrec rec;
    int err = errno;

    if (rc <= 0 || !bia_sockrec_get(fd, BIA_REC_FTP, &rec) || rec.ftp.v6prog)
        return rc;
    if (rec.ftp.server)
        bia_ftpline_commands_in(buf, (size_t)rc, map_v6, NULL);
    else
        bia_ftpline_replies_in(buf, (size_t)rc, rec.tr.v4peer.sin_addr);
    errno = err;
    return rc;
}
